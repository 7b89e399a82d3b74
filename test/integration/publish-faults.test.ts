// Faults with real processes: the publisher (the built `schemactl publish` binary) is SIGKILLed at
// random moments of a 20,000-row publish and restarted; the Kafka broker is killed and restarted under
// it; SIGTERM stops it cleanly. Every row must end up on the topic; duplicates may only come from
// batches that were sent but not yet checkpointed when the process died.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REPEATED_BATCHES } from '../../src/liberation/engine.js';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { startKafka, type KafkaBroker } from '../support/kafka.js';
import { buildPublisherCli, PG_URL, readTopic, spawnPublisher, tempDir, writeFiles, type PublisherChild } from '../support/publisher.js';

const ROWS = 20_000;
const BATCH = 500;
const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
let broker: KafkaBroker;
let registry: ServedRegistry;
let admin: pg.Client;
const tables: string[] = [];

beforeAll(async () => {
  const work = tempDir('publish-faults');
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  [broker, registry] = await Promise.all([
    startKafka({ workDir: path.join(work, 'kafka') }),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]);
}, 240_000);

afterAll(async () => {
  for (const t of tables) await admin?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
  await admin?.end();
  await registry?.close();
  await broker?.stop();
});

const schema = `{
  "type": "record", "name": "ReadingTaken", "namespace": "com.acme.meters.v1", "doc": "A meter reading was taken.",
  "fields": [
    { "name": "id", "type": "long", "doc": "Reading id." },
    { "name": "body", "type": "string", "doc": "Reading text." },
    { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-micros" }, "doc": "When." }
  ]
}`;

/** A fresh table of ROWS rows; seven rows share each timestamp so batch boundaries fall inside ties. */
async function project(name: string): Promise<{ dir: string; topic: string; table: string }> {
  const table = `pub_fault_${name}_${sfx}`;
  tables.push(table);
  await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, body text NOT NULL, updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${table} SELECT g, repeat(md5(g::text), 3), '2024-01-01 00:00:00+00'::timestamptz + (g / 7) * interval '1 millisecond' FROM generate_series(1, ${ROWS}) g`);
  await admin.query(`CREATE INDEX ON ${table} (updated_at, id)`);
  const dir = tempDir(`publish-fault-${name}`);
  const topic = `fault-${name}-${sfx}`;
  writeFiles(dir, {
    'reading.avsc': schema,
    'schemactl.yaml': `streams:
  - topic: ${topic}
    kind: store
    schema: reading.avsc
    key: id
    source:
      connection: ${PG_URL}
      table: ${table}
      batch_size: ${BATCH}
      poll_interval_ms: 100
`,
  });
  return { dir, topic, table };
}

const args = (extra: string[] = []) => ['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json', ...extra];

/** Resolves when the child has printed `n` progress lines (n batches acknowledged and checkpointed). */
function afterBatches(p: PublisherChild, n: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = () => {
      const count = p.output().stdout.split('\n').filter((l) => l.includes('"msg":"progress"')).length;
      if (count >= n) { cleanup(); resolve(true); }
    };
    const cleanup = () => { p.child.stdout!.off('data', check); };
    p.child.stdout!.on('data', check);
    void p.done.then(() => { cleanup(); resolve(false); });
    check();
  });
}

function counts(keys: Array<string | undefined>): { distinct: Set<string>; duplicates: number } {
  const distinct = new Set<string>();
  let duplicates = 0;
  for (const k of keys) {
    if (k === undefined) continue;
    if (distinct.has(k)) duplicates++;
    distinct.add(k);
  }
  return { distinct, duplicates };
}

function checkpoint(dir: string, topic: string): { ts: string; id: string } {
  return (JSON.parse(readFileSync(path.join(dir, '.schemactl/state', `${topic}.offset.json`), 'utf8')) as { offset: { ts: string; id: string } }).offset;
}

describe('publish under faults', () => {
  it('SIGKILL at random moments, restarted each time: no row lost, duplicates bounded by the unacknowledged batches', async () => {
    const { dir, topic } = await project('kill');
    const kills: number[] = [];
    // a deterministic sequence per run, varied across runs, printed on failure
    let seed = Date.now() % 9973;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 4; round++) {
      const p = spawnPublisher(args(['--once']), { cwd: dir });
      const batches = 1 + Math.floor(rand() * 6);
      const reached = await afterBatches(p, batches);
      if (!reached) break; // it finished before this round's kill point
      // land anywhere inside the following batch: reading, producing or checkpointing
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 60)));
      p.child.kill('SIGKILL');
      const r = await p.done;
      expect(r.signal, `seed ${seed}`).toBe('SIGKILL');
      kills.push(batches);
    }
    const last = spawnPublisher(args(['--once']), { cwd: dir });
    const end = await last.done;
    expect(end.code, end.stderr).toBe(0);
    const msgs = await readTopic(broker.bootstrap, topic);
    const { distinct, duplicates } = counts(msgs.map((m) => m.key?.toString()));
    expect(distinct.size, `kills after ${kills.join(', ')} batches`).toBe(ROWS);
    expect(kills.length).toBeGreaterThan(0);
    // past the last durable checkpoint when killed: the batches in flight and those whose save was still running
    expect(duplicates).toBeLessThanOrEqual(MAX_REPEATED_BATCHES * BATCH * kills.length);
    // per-key order: one partition, rows in (updated_at, id) order, a restart resends from the checkpoint
    const ids = msgs.map((m) => Number(m.key!.toString()));
    let maxSeen = 0;
    for (const id of ids) {
      // a resent id is at most the batches past the checkpoint behind the highest id seen so far
      expect(id).toBeGreaterThan(maxSeen - MAX_REPEATED_BATCHES * BATCH - 1);
      maxSeen = Math.max(maxSeen, id);
    }
    expect(checkpoint(dir, topic).id).toBe(String(ROWS));
    console.log(`SIGKILL: ${kills.length} kills (after ${kills.join(', ')} batches), ${msgs.length} messages, ${duplicates} duplicates (bound ${MAX_REPEATED_BATCHES * BATCH * kills.length})`);
  }, 120_000);

  it('a broker killed and restarted during publishing loses nothing', async () => {
    const { dir, topic, table } = await project('broker');
    // continuous mode, as in production: it keeps polling through the outage
    const p = spawnPublisher(args(), { cwd: dir });
    expect(await afterBatches(p, 3)).toBe(true);
    await broker.kill();
    // rows written while the broker is down: whatever the publisher had left of the first 20,000, these
    // it can only send after the restart, so the outage is always felt
    await admin.query(`INSERT INTO ${table} SELECT g, repeat(md5(g::text), 3), '2024-02-01 00:00:00+00'::timestamptz + g * interval '1 millisecond' FROM generate_series(${ROWS + 1}, ${ROWS + 2000}) g`);
    await new Promise((r) => setTimeout(r, 1500));
    await broker.start();
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      try {
        if (checkpoint(dir, topic).id === String(ROWS + 2000)) break;
      } catch { /* not written yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    // the failed batch was retried after a rewind
    expect(r.stdout).toMatch(/batch failed; rewinding to the committed offset/);
    const msgs = await readTopic(broker.bootstrap, topic);
    const { distinct, duplicates } = counts(msgs.map((m) => m.key?.toString()));
    expect(distinct.size).toBe(ROWS + 2000);
    // the idempotent producer plus a rewind to the checkpoint: at most the batches past it again
    expect(duplicates).toBeLessThanOrEqual(MAX_REPEATED_BATCHES * BATCH);
    expect(checkpoint(dir, topic).id).toBe(String(ROWS + 2000));
  }, 150_000);

  it('SIGTERM finishes the current batch, exits 0, and the checkpoint matches what is on the topic', async () => {
    const { dir, topic } = await project('term');
    // continuous mode: it would poll forever without the signal
    const p = spawnPublisher(args(), { cwd: dir });
    // early, so the signal lands well before the 40th batch even on a fast machine
    expect(await afterBatches(p, 2)).toBe(true);
    p.child.kill('SIGTERM');
    const r = await p.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/SIGTERM received; finishing the current batch/);
    const msgs = await readTopic(broker.bootstrap, topic);
    const cp = checkpoint(dir, topic);
    const keys = msgs.map((m) => m.key!.toString());
    // one run, no faults: no duplicates, exactly the rows up to the checkpoint, a whole number of batches
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.at(-1)).toBe(cp.id);
    expect(keys.length % BATCH).toBe(0);
    expect(keys.length).toBeLessThan(ROWS);
    expect(keys).toEqual(Array.from({ length: keys.length }, (_, i) => String(i + 1)));
    const summary = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; streams?: Array<{ published: number; committed: { id: string } }> }).find((l) => l.msg === 'summary')!;
    expect(summary.streams![0]!.published).toBe(keys.length);
    expect(summary.streams![0]!.committed.id).toBe(cp.id);
  }, 90_000);
});
