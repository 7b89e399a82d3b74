// A drain SIGKILLed mid-way loses nothing: a real child process runs the compiled engine (tsc output)
// on a trigger-fed change table into a real Kafka broker; it is killed while publishing, restarted, and
// every captured change is on the topic afterwards (duplicates only from the batch in flight).
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureStatus, installCapture, uninstallCapture } from '../../src/liberation/capture/install.js';
import { BUILD_DIR, buildCliAsync } from '../cli/support/build.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `capk_${process.pid}_${Date.now() % 1_000_000}`;
const work = mkdtempSync(join(process.cwd(), 'test/.work-capture-kill-'));
const dist = join(BUILD_DIR, 'dist');
const TOTAL = 6000;
const BATCH = 100;

const SCHEMA = {
  type: 'record', name: 'Item', namespace: 'test.capture',
  fields: [{ name: 'id', type: 'long' }, { name: 'label', type: 'string' }],
};

const CHILD = `
const [engine, source, sink, mapping, cp, dl] = await Promise.all([
  'src/liberation/engine.js', 'src/liberation/sources/change-table.js', 'src/liberation/sinks/kafka.js',
  'src/liberation/mapping.js', 'src/liberation/checkpoint/file.js', 'src/liberation/dead-letter.js',
].map((p) => import(new URL(p, process.env.DIST_URL))));
const o = JSON.parse(process.env.DRAIN);
const mapper = new mapping.AvroRowMapper(o.schema);
const src = new source.ChangeTableSource(o.source);
const out = new sink.KafkaSink({ brokers: [o.broker] });
await out.open();
await src.open();
const stats = await engine.runStream({
  stream: o.topic, source: src, sink: out, batchSize: o.batch, pollIntervalMs: 50, once: true,
  checkpoints: new cp.FileCheckpointStore(o.state), deadLetter: new dl.FileDeadLetter(o.dead),
  serialize: (row) => ({ topic: o.topic, key: row.key == null ? null : Buffer.from(row.key),
    value: row.tombstone ? null : mapper.encode(mapper.map(row.columns)), headers: row.headers, position: row.position }),
  onProgress: (s) => process.stdout.write('published ' + s.published + '\\n'),
});
await src.close();
await out.close();
process.stdout.write('done ' + stats.published + '\\n');
`;

let broker: SharedKafka;
const admin = new pg.Client({ connectionString: PG_URL });
const cfg = { connection: PG_URL, table: `${run}.items`, name: `${run}.items` };

beforeAll(async () => {
  // the real build, in a private directory so other builds of the tree do not race it (once per run for all test files)
  await buildCliAsync();
  if (!existsSync(join(dist, 'src/liberation/sources/change-table.js'))) throw new Error(`the build has no ${join(dist, 'src/liberation/sources/change-table.js')}`);
  writeFileSync(join(work, 'drain.mjs'), CHILD);
  broker = await sharedKafka();
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${run}`);
  await admin.query(`CREATE TABLE ${run}.items (id bigint PRIMARY KEY, label text NOT NULL)`);
  await installCapture(cfg);
}, 180_000);

afterAll(async () => {
  await uninstallCapture(cfg, { force: true }).catch(() => {});
  await admin.query(`DROP SCHEMA IF EXISTS ${run} CASCADE`);
  await admin.end();
  await broker?.stop();
});

function drain(killAfter?: number): Promise<{ code: number | null; signal: string | null; lastPublished: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(work, 'drain.mjs')], {
      env: {
        ...process.env,
        DIST_URL: pathToFileURL(`${dist}/`).href,
        DRAIN: JSON.stringify({ schema: SCHEMA, source: cfg, broker: broker.bootstrap, topic: run, batch: BATCH, state: join(work, 'state'), dead: join(work, 'dead.ndjson') }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let last = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /published (\d+)\n$/.exec(out);
      if (m) last = Number(m[1]);
      if (killAfter !== undefined && last >= killAfter && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, lastPublished: last, out }));
  });
}

async function readIds(expectedAtLeast: number): Promise<string[]> {
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({ groupId: `verify-${run}-${Date.now()}`, clientId: 'verify', bootstrapBrokers: [broker.bootstrap] });
  const ids: string[] = [];
  const stream = await consumer.consume({ topics: [run], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200 });
  let timer = setTimeout(() => void stream.close(), 30_000);
  for await (const m of stream) {
    ids.push(m.key!.toString());
    if (ids.length >= expectedAtLeast) {
      // keep reading briefly for duplicates beyond the expected count
      clearTimeout(timer);
      timer = setTimeout(() => void stream.close(), 1500);
    }
  }
  clearTimeout(timer);
  await consumer.close(true);
  return ids;
}

describe('capture drain killed with SIGKILL', () => {
  it('publishes every change after a restart', async () => {
    for (let i = 0; i < TOTAL; i += 1000) {
      await admin.query(`INSERT INTO ${run}.items (id, label) SELECT g, 'item ' || g FROM generate_series($1::bigint, $2::bigint) g`, [i + 1, i + 1000]);
    }
    const first = await drain(1500);
    expect(first.signal).toBe('SIGKILL');
    const left = (await captureStatus(cfg)).backlog!.rows;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(TOTAL);
    // writes go on while the publisher is down
    await admin.query(`UPDATE ${run}.items SET label = 'changed' WHERE id <= 10`);
    const second = await drain();
    expect(second.code, second.out).toBe(0);
    expect((await captureStatus(cfg)).backlog!.rows).toBe(0);
    const ids = await readIds(TOTAL + 10);
    const distinct = new Set(ids);
    expect(distinct.size).toBe(TOTAL);
    for (let i = 1; i <= TOTAL; i++) expect(distinct.has(String(i))).toBe(true);
    // the ten updates follow their inserts; re-sends are limited to the batch that was in flight
    expect(ids.length).toBeGreaterThanOrEqual(TOTAL + 10);
    expect(ids.length - (TOTAL + 10)).toBeLessThanOrEqual(BATCH);
  }, 120_000);
});
