// publish over an in-process PostgreSQL (PGlite) and the embedded registry: a refused stream leaves the
// registry untouched, tombstones carry exactly the events' key bytes, and outbox rows routed to a topic
// that is not in the catalog go to the dead-letter file — tombstones included.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publish } from '../../src/liberation/publish.js';
import { openEmbeddedRegistry } from '../../src/registry/index.js';

const schema = (name: string, withUpdatedAt = true) => JSON.stringify({
  type: 'record', name, namespace: 'test.gate.v1', doc: 'A thing.',
  fields: [
    { name: 'id', type: { type: 'string', logicalType: 'uuid' }, doc: 'Key.' },
    { name: 'label', type: 'string', doc: 'Label.' },
    ...(withUpdatedAt ? [{ name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'Write time.' }] : []),
  ],
}, null, 2);

function catalog(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'publish-gate-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text.replaceAll('${dir}', dir));
  return dir;
}

const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { topic: string; key: string | null; value: string | null; position: string });

describe('publish gate and keys', () => {
  it('a refused stream registers nothing, not even the streams that passed', async () => {
    const dir = catalog({
      'good.avsc': schema('Good'),
      'bad.avsc': schema('Bad', false),
      'schemactl.yaml': [
        'streams:',
        '  - { topic: t.good, schema: good.avsc, key: id, source: { connection: "postgres://127.0.0.1:1/none", table: good } }',
        '  - { topic: t.bad, schema: bad.avsc, key: id, source: { connection: "postgres://127.0.0.1:1/none", table: bad } }',
        '',
      ].join('\n'),
    });
    const out = await publish({ cwd: dir, once: true });
    expect(out.exitCode).toBe(1);
    expect(out.streams.map((s) => [s.topic, s.status])).toEqual([['t.good', 'skipped'], ['t.bad', 'refused']]);
    const reg = await openEmbeddedRegistry({ dataDir: join(dir, '.schemactl/registry') });
    try {
      expect(await reg.listSubjects()).toEqual([]);
    } finally {
      await reg.close();
    }
  });

  it('tombstones carry the same key bytes as the events (uuid keys lower-cased by the schema)', async () => {
    const dir = catalog({
      'thing.avsc': schema('Thing'),
      'seed.sql': [
        'CREATE TABLE things (id text PRIMARY KEY, label text NOT NULL, updated_at timestamptz NOT NULL, deleted_at timestamptz);',
        "INSERT INTO things VALUES ('3F0C6D1E-6A8C-4C1E-9A57-0F4F2F0A9B11', 'a', '2026-01-01 00:00:00+00', NULL);",
        "INSERT INTO things VALUES ('3F0C6D1E-6A8C-4C1E-9A57-0F4F2F0A9B11', 'a', '2026-01-02 00:00:00+00', '2026-01-02') ON CONFLICT (id) DO NOTHING;",
        '',
      ].join('\n'),
      'schemactl.yaml': [
        'streams:',
        '  - topic: t.things',
        '    schema: thing.avsc',
        '    key: id',
        '    source: { connection: "pglite:${dir}/db", seed: seed.sql, table: things, soft_delete: deleted_at }',
        '',
      ].join('\n'),
    });
    const first = await publish({ cwd: dir, once: true });
    expect(first.exitCode, JSON.stringify(first.streams)).toBe(0);
    // the row is deleted (soft) later: the next run publishes its tombstone
    const { connectPglite } = await import('../../src/liberation/sources/pglite.js');
    const conn = await connectPglite(`pglite:${dir}/db`);
    await conn.query("UPDATE things SET deleted_at = '2026-01-03', updated_at = '2026-01-03 00:00:00+00'", []);
    const second = await publish({ cwd: dir, once: true });
    await conn.close();
    expect(second.exitCode, JSON.stringify(second.streams)).toBe(0);
    const out = lines(join(dir, '.schemactl/published.ndjson'));
    expect(out.map((l) => l.value === null)).toEqual([false, true]);
    const keys = out.map((l) => Buffer.from(l.key!, 'base64').toString());
    expect(keys).toEqual(['3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11', '3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11']);
  });

  it('outbox events and tombstones routed outside the catalog are dead-lettered, never produced', async () => {
    const dir = catalog({
      'thing.avsc': schema('Thing'),
      'seed.sql': [
        'CREATE TABLE outbox (id text PRIMARY KEY, aggregatetype text, aggregateid text, type text, payload jsonb, timestamp timestamptz NOT NULL);',
        "INSERT INTO outbox VALUES ('1', 'things', '3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11', 'T', '{\"id\": \"3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11\", \"label\": \"x\", \"updated_at\": \"2026-01-01 00:00:00+00\"}', '2026-01-01');",
        "INSERT INTO outbox VALUES ('2', 'nowhere', 'k', 'T', NULL, '2026-01-02');",
        '',
      ].join('\n'),
      'schemactl.yaml': [
        'streams:',
        '  - topic: ob.things',
        '    schema: thing.avsc',
        '    key: id',
        '    source: { connection: "pglite:${dir}/db", seed: seed.sql, pattern: outbox, route: "ob.$${routedByValue}" }',
        '',
      ].join('\n'),
    });
    const out = await publish({ cwd: dir, once: true });
    expect(out.exitCode).toBe(1);
    expect(lines(join(dir, '.schemactl/published.ndjson')).map((l) => l.topic)).toEqual(['ob.things']);
    const dead = readFileSync(join(dir, '.schemactl/dead-letter/ob.things.ndjson'), 'utf8');
    expect(dead).toMatch(/ob\.nowhere, which is not a catalog stream/);
  });
});
