// CDC benchmark: PostgreSQL (throwaway cluster, wal_level=logical) → pgoutput source → engine → Kafka
// (real 4.1 broker, acks=all, idempotent), all on this machine.
//   1. drain: a backlog of N changes already in the WAL, events/s until all are acknowledged by Kafka
//   2. steady load at 1,000 and 10,000 changes/s: achieved events/s and commit→Kafka-ack latency p50/p99
//   3. Kafka's own ProducerPerformance tool on the same broker, for scale
//   beside 1, the query pattern (keyset by created_at, id) draining the same table to the same broker
// Usage: node bench/cdc/run.mjs [--backlog 100000] [--seconds 10]
//
// --mode cli: the built `schemactl publish` binary as users run it (patterns log and triggers, default
// settings) at 1,000 changes/s, commit → ack p50/p95/p99 read from its progress lines (cli-latency.mjs),
// with the load average; --baseline <bin/schemactl.js of another build> measures that build in the
// same run, for the ratio; --pattern log or triggers measures one pattern only.
//   node bench/cdc/run.mjs --mode cli [--seconds 10] [--rate 1000] [--pattern log,triggers] [--baseline /path/bin/schemactl.js]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ascending, percentile } from '../lib.mjs';
import { loadEngine, prepareWork } from './build.mjs';

const { values: args } = parseArgs({
  options: {
    backlog: { type: 'string', default: '100000' }, seconds: { type: 'string', default: '10' },
    mode: { type: 'string', default: 'engine' }, rate: { type: 'string', default: '1000' }, baseline: { type: 'string' }, pattern: { type: 'string' },
  },
});
const BACKLOG = Number(args.backlog);
const SECONDS = Number(args.seconds);
if (args.mode === 'cli') {
  const { runCliMode } = await import('./cli-latency.mjs');
  await runCliMode({ seconds: SECONDS, rate: Number(args.rate), ...(args.baseline ? { baseline: args.baseline } : {}), ...(args.pattern ? { patterns: args.pattern.split(',') } : {}) });
  process.exit(0);
}
if (args.mode !== 'engine') throw new Error(`--mode must be engine or cli, not ${args.mode}`);

const { work, load } = prepareWork('cdc', ['test/support/pg-cluster.ts', 'test/support/kafka.ts']);
const { PgLogicalSource } = await load('src/liberation/sources/pg-logical.js');
const { QuerySource } = await load('src/liberation/sources/query.js');
const { runStream, AvroRowMapper, KafkaSink, FileCheckpointStore, FileDeadLetter } = await loadEngine(load);
const { startPgCluster } = await load('test/support/pg-cluster.js');
const { startKafka, KAFKA_LIB } = await load('test/support/kafka.js');
const pg = (await import('pg')).default;

const schema = {
  type: 'record', name: 'Event', namespace: 'bench',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'payload', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'created_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
  ],
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (xs, p) => percentile(ascending(xs), p);
const isoToMs = (iso) => Date.parse(iso.slice(0, 23) + 'Z') + Number(`0.${iso.slice(23, 26)}`);

console.log('starting PostgreSQL 15 and Kafka 4.1 …');
const [cluster, broker] = await Promise.all([startPgCluster(), startKafka({ workDir: join(work, 'kafka') })]);
const db = new pg.Client({ connectionString: cluster.url });
await db.connect();
await db.query('CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL, amount numeric(12,2) NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');

const mapper = new AvroRowMapper(schema);
const checkpoints = new FileCheckpointStore(join(work, 'state'));
let latencies = [];
let acked = 0;
const kafka = new KafkaSink({ brokers: [broker.bootstrap], chunk: 5000 });
const sink = {
  describe: () => kafka.describe(),
  open: () => kafka.open(),
  close: () => kafka.close(),
  async send(records) {
    await kafka.send(records);
    const now = Date.now() + (performance.now() % 1);
    for (const r of records) {
      const ts = r.headers?.['schemactl.commit-ts'];
      if (ts) latencies.push(now - isoToMs(ts));
    }
    acked += records.length;
  },
};
await sink.open();

function publisher() {
  const abort = new AbortController();
  const source = new PgLogicalSource({
    connection: cluster.url, tables: ['public.events'], slot: 'bench_slot', publication: 'bench_pub', name: 'events', snapshot: true,
    columns: mapper.columns(), checkpoints, waitMs: 20, highWater: 50_000,
  });
  const done = (async () => {
    await source.open();
    try {
      return await runStream({
        stream: 'events', source, sink, checkpoints, deadLetter: new FileDeadLetter(join(work, 'dead.ndjson')),
        serialize: (row) => ({
          topic: 'cdc-bench', key: Buffer.from(String(row.columns.id)),
          value: row.tombstone ? null : mapper.encode(mapper.map(row.columns)), headers: row.headers, position: row.position,
        }),
        batchSize: 5000, pollIntervalMs: 1, once: false, signal: abort.signal,
      });
    } finally {
      await source.close();
    }
  })();
  return { stop: async () => { abort.abort(); return done; } };
}

const results = {};
let nextId = 1;

// 1. drain a backlog
{
  let p = publisher();
  await sleep(1500); // slot + (empty) snapshot
  await p.stop();
  console.log(`writing a backlog of ${BACKLOG} changes …`);
  const batch = 1000;
  for (let i = 0; i < BACKLOG; i += batch) {
    await db.query("INSERT INTO events (id, payload, amount) SELECT g, 'payload-' || g, (g % 100000) / 100.0 FROM generate_series($1::bigint, $2::bigint) g", [nextId, nextId + batch - 1]);
    nextId += batch;
  }
  acked = 0;
  const t0 = performance.now();
  p = publisher();
  while (acked < BACKLOG) await sleep(20);
  const secs = (performance.now() - t0) / 1000;
  await p.stop();
  results.drain = { changes: BACKLOG, seconds: +secs.toFixed(2), eventsPerSec: Math.round(BACKLOG / secs) };
  console.log(`drain: ${BACKLOG} changes in ${secs.toFixed(2)} s → ${Math.round(BACKLOG / secs)} events/s (connect and slot start included)`);
}

// 1b. the query pattern over the same rows, same broker and engine, for comparison
{
  await db.query('CREATE INDEX IF NOT EXISTS events_keyset ON events (created_at, id)');
  acked = 0;
  const source = new QuerySource({ connection: cluster.url, table: 'events', timestamp: 'created_at', id: 'id', delayMs: 0, name: 'events-query' });
  const t0 = performance.now();
  await source.open();
  try {
    await runStream({
      stream: 'events-query', source, sink, checkpoints: new FileCheckpointStore(join(work, 'state-query')), deadLetter: new FileDeadLetter(join(work, 'dead-query.ndjson')),
      serialize: (row) => ({ topic: 'query-bench', key: Buffer.from(String(row.columns.id)), value: mapper.encode(mapper.map(row.columns)), position: row.position }),
      batchSize: 5000, pollIntervalMs: 1, once: true,
    });
  } finally {
    await source.close();
  }
  const secs = (performance.now() - t0) / 1000;
  results.queryPattern = { rows: acked, seconds: +secs.toFixed(2), eventsPerSec: Math.round(acked / secs) };
  console.log(`query pattern over the same table: ${acked} rows in ${secs.toFixed(2)} s → ${Math.round(acked / secs)} events/s`);
}

// 2. steady load
for (const rate of [1000, 10000]) {
  const p = publisher();
  await sleep(1000);
  latencies = [];
  acked = 0;
  const tickMs = 20;
  const perTick = Math.round((rate * tickMs) / 1000);
  const ticks = Math.round((SECONDS * 1000) / tickMs);
  const t0 = performance.now();
  let written = 0;
  for (let t = 0; t < ticks; t++) {
    const due = t0 + t * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    await db.query("INSERT INTO events (id, payload, amount) SELECT g, 'payload-' || g, (g % 100000) / 100.0 FROM generate_series($1::bigint, $2::bigint) g", [nextId, nextId + perTick - 1]);
    nextId += perTick;
    written += perTick;
  }
  const writeSecs = (performance.now() - t0) / 1000;
  const deadline = Date.now() + 60_000;
  while (acked < written && Date.now() < deadline) await sleep(10);
  const secs = (performance.now() - t0) / 1000;
  await p.stop();
  const r = {
    target: rate, offered: Math.round(written / writeSecs), delivered: acked, eventsPerSec: Math.round(acked / secs),
    p50ms: +pct(latencies, 50).toFixed(1), p99ms: +pct(latencies, 99).toFixed(1), maxms: +pct(latencies, 100).toFixed(1),
  };
  results[`rate${rate}`] = r;
  console.log(`${rate}/s target: offered ${r.offered}/s for ${writeSecs.toFixed(1)} s, delivered ${acked}/${written} at ${r.eventsPerSec} events/s, commit→Kafka-ack latency p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms`);
}

await sink.close();
await db.end();

// 3. Kafka's own producer on the same broker
{
  const n = 200000;
  const r = spawnSync('java', ['-cp', `${KAFKA_LIB}/*`, 'org.apache.kafka.tools.ProducerPerformance', '--topic', 'perf-baseline', '--num-records', String(n), '--record-size', '100', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=all', 'enable.idempotence=true', 'compression.type=lz4'], { encoding: 'utf8' });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  const m = /([\d.]+) records\/sec/.exec(last);
  results.kafkaProducerPerf = m ? Math.round(Number(m[1])) : null;
  console.log(`Kafka ProducerPerformance (100-byte records, acks=all, idempotent, lz4): ${last || r.stderr.slice(-300)}`);
}

await Promise.all([cluster.stop(), broker.stop()]);
console.log(JSON.stringify(results));
