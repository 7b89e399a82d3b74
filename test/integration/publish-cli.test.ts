// Exit codes and messages of the real `schemactl publish` binary (a child process): unreachable broker
// and database exit 3 quickly with a redacted message, a bad `source:` block exits 2 naming the stream
// and the key, and a password in a connection string is never printed, whatever happens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { freePort } from '../support/ports.js';
import { buildPublisherCli, PG_URL, runPublisher, tempDir, writeFiles, type PublisherResult } from '../support/publisher.js';

const SECRET = 'pw-Sup3rS3cret';
const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
const table = `pub_cli_${sfx}`;
const secretUrl = PG_URL.replace('postgres@', `postgres:${SECRET}@`);
let admin: pg.Client;

const schema = `{
  "type": "record", "name": "NoteChanged", "namespace": "com.acme.notes.v1", "doc": "A note changed.",
  "fields": [
    { "name": "id", "type": "long", "doc": "Note id." },
    { "name": "note", "type": ["null", "string"], "default": null, "doc": "Text." },
    { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-micros" }, "doc": "When." }
  ]
}`;
const catalog = (source: string) => `streams:
  - topic: cli-notes-${sfx}
    kind: store
    schema: note.avsc
    key: id
    source:
${source}`;

function project(source: string): string {
  const dir = tempDir('publish-cli');
  writeFiles(dir, { 'note.avsc': schema, 'schemactl.yaml': catalog(source) });
  return dir;
}

/** The config loader points at the key (file:line:column, the stream by position); the gate names the topic. */
function namesStreamAndKey(stderr: string, key: string, at: string): void {
  const line = stderr.split('\n').find((l) => l.startsWith(`schemactl.yaml:${at}: `));
  if (line) {
    expect(line).toContain('streams[0].source');
    expect(line).toContain(key);
  } else {
    expect(stderr).toMatch(new RegExp(`cli-notes-${sfx}.*${key}`));
  }
}

function noSecret(r: PublisherResult): void {
  expect(r.stdout + r.stderr).not.toContain(SECRET);
  // and no stack traces either
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, note text, updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${table} VALUES (1, 'a', '2024-01-01 00:00:00+00'), (2, 'b', '2024-01-01 00:00:01+00')`);
  await buildPublisherCli();
}, 240_000);

afterAll(async () => {
  await admin?.query(`DROP TABLE IF EXISTS ${table}`);
  await admin?.end();
});

describe('schemactl publish (the binary)', () => {
  it('publishes to the file sink with a password in the connection string that is never printed', async () => {
    const dir = project(`      connection: \${NOTES_DB}\n      table: ${table}\n`);
    const r = await runPublisher(['--once', '--log-format', 'json'], { cwd: dir, env: { NOTES_DB: secretUrl } });
    expect(r.code, r.stderr).toBe(0);
    const summary = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'summary')!;
    expect(summary.streams).toEqual([expect.objectContaining({ status: 'published', read: 2, published: 2 })]);
    noSecret(r);
  }, 60_000);

  it('exits 3 quickly when the broker is unreachable, naming it, without the password', async () => {
    const dir = project(`      connection: \${NOTES_DB}\n      table: ${table}\n`);
    const port = await freePort();
    const r = await runPublisher(['--once', '--brokers', `127.0.0.1:${port}`, '--log-format', 'text'], { cwd: dir, env: { NOTES_DB: secretUrl } });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toContain(`cannot reach the Kafka brokers 127.0.0.1:${port}`);
    expect(r.ms).toBeLessThan(20_000);
    noSecret(r);
  }, 60_000);

  it('exits 3 when the database is unreachable, with the URL redacted', async () => {
    const port = await freePort();
    const dir = project(`      connection: \${NOTES_DB}\n      table: ${table}\n`);
    const r = await runPublisher(['--once', '--log-format', 'text'], { cwd: dir, env: { NOTES_DB: `postgres://postgres:${SECRET}@127.0.0.1:${port}/test` } });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`cannot connect to the database postgres://\\*\\*\\*@127\\.0\\.0\\.1:${port}/test`));
    expect(r.stdout).toMatch(/^Nothing published/);
    expect(r.ms).toBeLessThan(20_000);
    noSecret(r);
  }, 60_000);

  it('exits 2 on a bad source block, naming the stream and the key', async () => {
    const unknown = await runPublisher(['--once'], { cwd: project(`      connection: \${NOTES_DB}\n      tabel: ${table}\n`), env: { NOTES_DB: secretUrl } });
    expect(unknown.code).toBe(2);
    namesStreamAndKey(unknown.stderr, 'tabel', '8:7');
    noSecret(unknown);

    const batch = await runPublisher(['--once'], { cwd: project(`      connection: \${NOTES_DB}\n      table: ${table}\n      batch_size: 0\n`), env: { NOTES_DB: secretUrl } });
    expect(batch.code).toBe(2);
    namesStreamAndKey(batch.stderr, 'batch_size', '9:19');
    noSecret(batch);

    // an unset variable leaves no URL: said plainly, the rest of the URL redacted
    const unset = await runPublisher(['--once'], { cwd: project(`      connection: "\${NOTES_DB_UNSET:-}x://u:${SECRET}@h/db"\n      table: ${table}\n`) });
    expect(unset.code).toBe(2);
    namesStreamAndKey(unset.stderr, 'connection', '7:19');
    noSecret(unset);
  }, 60_000);
});
