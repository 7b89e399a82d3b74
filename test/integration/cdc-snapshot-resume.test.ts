// The crash-during-snapshot repro, as users run it: the built `schemactl publish` binary streams a
// 20,000-row table from a throwaway PostgreSQL cluster (wal_level=logical) to a real Kafka broker, is
// SIGKILLed at its first progress line (mid-snapshot), a published row is deleted, and `publish --once`
// finishes. The deleted key must end as a tombstone and the topic, replayed with an independent
// decoder, must match the table key by key.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { logOracle } from '../support/log-oracle.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { buildPublisherCli, readTopic, runPublisher, spawnPublisher, tempDir, writeFiles } from '../support/publisher.js';

let cluster: PgCluster;
let broker: SharedKafka;
let registry: ServedRegistry;
let db: pg.Client;
let work: string;

export const ITEM_SCHEMA = `{
  "type": "record", "name": "ItemChanged", "namespace": "com.acme.items.v1", "doc": "An item changed.",
  "fields": [
    { "name": "id", "type": "long", "doc": "Item id." },
    { "name": "v", "type": "long", "doc": "Version: 0 on insert, +1 per update." },
    { "name": "body", "type": "string", "doc": "Text." },
    { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-micros" }, "doc": "When it changed." }
  ]
}`;

beforeAll(async () => {
  work = tempDir('cdc-resume');
  [cluster, broker, registry] = await Promise.all([
    startPgCluster(),
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]);
  db = new pg.Client({ connectionString: cluster.url });
  await db.connect();
}, 240_000);

afterAll(async () => {
  await db?.end();
  await registry?.close();
  await Promise.all([cluster?.stop(), broker?.stop()]);
});

it('crash at the first progress line, DELETE id=1, publish --once: key 1 ends as a tombstone, every row matches', async () => {
  await db.query('CREATE TABLE items (id bigint PRIMARY KEY, v bigint NOT NULL, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
  await db.query("INSERT INTO items (id, v, body) SELECT g, 0, 'item-' || g FROM generate_series(1, 20000) g");
  const dir = tempDir('cdc-resume-project');
  writeFiles(dir, {
    'item.avsc': ITEM_SCHEMA,
    'schemactl.yaml': `streams:
  - topic: items
    kind: store
    schema: item.avsc
    key: id
    source:
      pattern: log
      connection: ${cluster.url}
      table: public.items
`,
  });
  const args = ['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'];
  const p = spawnPublisher(args, { cwd: dir });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (p.output().stdout.includes('"msg":"progress"')) {
        p.child.stdout!.off('data', check);
        p.child.kill('SIGKILL');
        resolve();
      }
    };
    p.child.stdout!.on('data', check);
    void p.done.then((r) => reject(new Error(`publisher exited before its first progress line: ${r.stdout}${r.stderr}`)));
  });
  const killed = await p.done;
  expect(killed.signal).toBe('SIGKILL');
  const firstRead = Number(/"msg":"progress"[^\n]*"read":(\d+)/.exec(killed.stdout)![1]);
  // the crash landed inside the snapshot: fewer rows acknowledged than the table has
  expect(firstRead).toBeLessThan(20_000);
  await db.query('DELETE FROM items WHERE id = 1');
  const r = await runPublisher([...args, '--once'], { cwd: dir, timeoutMs: 120_000 });
  if (r.code !== 0) writeFileSync(path.join(work, "..", "cdc-resume-fail.log"), r.stdout + r.stderr);
  expect(r.code).toBe(0);
  const report = await logOracle({ bootstrap: broker.bootstrap, topic: 'items', registryUrl: registry.url, db, table: 'items' });
  const history = (await readTopic(broker.bootstrap, 'items')).filter((m) => m.key?.toString() === '1').map((m) => (m.value ? 'event' : 'tombstone'));
  console.log(`snapshot resume repro: first run acknowledged ${firstRead} rows before SIGKILL; topic ${report.events} events (${report.tombstones} tombstones) for ${report.keys} keys; key 1: ${history.join(' → ')}; wrong last events ${report.wrongLast.length}; duplicates ${report.duplicates}`);
  expect(history[history.length - 1]).toBe('tombstone');
  expect(report.wrongLast).toEqual([]);
  expect(report.keys).toBe(20_000);
}, 240_000);

it('a role that may not replicate is refused before the schema is registered', async () => {
  await db.query('CREATE ROLE norepl LOGIN');
  await db.query('CREATE TABLE norepl_items (id bigint PRIMARY KEY, v bigint NOT NULL, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
  await db.query('ALTER TABLE norepl_items OWNER TO norepl');
  const dir = tempDir('cdc-norepl');
  writeFiles(dir, {
    'item.avsc': ITEM_SCHEMA,
    'schemactl.yaml': `streams:
  - topic: norepl-items
    kind: store
    schema: item.avsc
    key: id
    source:
      pattern: log
      connection: ${cluster.url.replace('postgres@', 'norepl@')}
      table: public.norepl_items
`,
  });
  const r = await runPublisher(['--brokers', broker.bootstrap, '--registry', registry.url, '--once'], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stdout + r.stderr).toMatch(/role norepl may not open a replication connection\. Run: ALTER ROLE \\?"norepl\\?" REPLICATION;/);
  const subjects = (await (await fetch(`${registry.url}/subjects`)).json()) as string[];
  expect(subjects).not.toContain('norepl-items-value');
}, 60_000);

it('an operator re-snapshots one table while streaming continues (publish --resnapshot TABLE)', async () => {
  await db.query('CREATE TABLE resnap (id bigint PRIMARY KEY, v bigint NOT NULL, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
  await db.query("INSERT INTO resnap (id, v, body) SELECT g, 0, 'r-' || g FROM generate_series(1, 3000) g");
  const dir = tempDir('cdc-resnap');
  writeFiles(dir, {
    'item.avsc': ITEM_SCHEMA,
    'schemactl.yaml': `streams:
  - topic: resnap
    kind: store
    schema: item.avsc
    key: id
    source:
      pattern: log
      connection: ${cluster.url}
      table: public.resnap
`,
  });
  const args = ['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'];
  const p = spawnPublisher(args, { cwd: dir });
  const count = (re: RegExp) => (p.output().stdout.match(re) ?? []).length;
  const until = async (cond: () => boolean, what: string) => {
    const end = Date.now() + 60_000;
    while (!cond()) {
      if (Date.now() > end || p.child.exitCode !== null) throw new Error(`timed out waiting for ${what}:\n${p.output().stdout.slice(-2000)}${p.output().stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await until(() => count(/"msg":"snapshot done"/g) === 1, 'the initial snapshot');
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing || i < 50; i++) {
      await db.query("UPDATE resnap SET v = v + 1, body = 'w-' || (v + 1) WHERE id = $1", [1 + ((i * 37) % 3000)]);
      await db.query("INSERT INTO resnap (id, v, body) VALUES ($1, 0, 'n') ON CONFLICT DO NOTHING", [10_000 + i]);
      if (i % 10 === 0) await db.query('DELETE FROM resnap WHERE id = $1', [2 + i]);
    }
  })();
  const r = await runPublisher(['--resnapshot', 'public.resnap', '--log-format', 'json'], { cwd: dir });
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/"msg":"snapshot requested","topic":"resnap","tables":\["public\.resnap"\],"lsn":"[0-9A-F]+\/[0-9A-F]+"/);
  await until(() => count(/"msg":"snapshot requested by signal"/g) === 1 && count(/"msg":"snapshot done"/g) === 2, 'the requested snapshot');
  writing = false;
  await writer;
  await new Promise((res) => setTimeout(res, 1000));
  p.child.kill('SIGTERM');
  expect((await p.done).code).toBe(0);
  // --once picks up whatever the stopped publisher had not yet read
  expect((await runPublisher([...args, '--once'], { cwd: dir })).code).toBe(0);
  const report = await logOracle({ bootstrap: broker.bootstrap, topic: 'resnap', registryUrl: registry.url, db, table: 'resnap' });
  expect(report.wrongLast).toEqual([]);
  const snapshotEvents = (await readTopic(broker.bootstrap, 'resnap')).filter((m) => m.headers['schemactl.snapshot'] === 'true').length;
  const rows = Number((await db.query('SELECT count(*)::int AS n FROM resnap')).rows[0].n);
  // rows inserted while the second snapshot runs lie above its upper bound and come from the stream
  // only, so the second snapshot is bounded below by the original keys still there at the end (they
  // existed throughout), minus keys changed during their chunk (those come from the stream instead)
  const original = Number((await db.query('SELECT count(*)::int AS n FROM resnap WHERE id <= 3000')).rows[0].n);
  console.log(`re-snapshot while streaming: ${snapshotEvents} snapshot events; table ${rows} rows, ${original} of the original 3,000; topic matches the table`);
  expect(snapshotEvents).toBeGreaterThan(3000 + original - 200);
}, 180_000);

it('snapshot progress survives a round trip through the compacted checkpoint topic', async () => {
  const { KafkaCheckpointStore } = await import('../../src/liberation/checkpoint/kafka.js');
  const offset = { v: 1 as const, kind: 'log' as const, position: '0/16B3F10', snapshotDone: false, snapshot: { tables: ['public.items', 'public.more'], after: ['4096'], until: ['20000'] } };
  const a = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'resume-checkpoints' });
  await a.save('items', offset);
  await a.close();
  const b = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'resume-checkpoints' });
  expect(await b.load('items')).toEqual(offset);
  await b.close();
}, 60_000);
