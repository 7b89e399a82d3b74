// Log-based capture from MariaDB's binary log → engine → Kafka (real 4.1 broker, acks=all, idempotent),
// all on this machine, in one run:
//   1. snapshot: a table of N rows read by the chunked snapshot, events/s until all are acknowledged
//   2. streaming drain: a backlog of M changes already in the binary log, events/s until acknowledged
//   3. steady load at 1,000 changes/s (20-row transactions): commit → Kafka-ack latency p50/p99
//   anchor: Kafka's own ProducerPerformance on the same broker (the ratio is what to compare across runs)
// The table, the broker and the load are one definition (SIDES below): a second capture engine (e.g.
// Debezium's MySQL connector, bench/debezium/) is added as another side and measured on the same
// table, broker and run, so its column sits beside schemactl's.
// Usage: node bench/cdc/binlog.mjs [--rows 50000] [--backlog 50000] [--seconds 10] [--rate 1000]
import { execSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ascending, percentile } from '../lib.mjs';
import { loadEngine, prepareWork } from './build.mjs';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '50000' }, backlog: { type: 'string', default: '50000' }, seconds: { type: 'string', default: '10' }, rate: { type: 'string', default: '1000' } },
});
const ROWS = Number(args.rows);
const BACKLOG = Number(args.backlog);
const SECONDS = Number(args.seconds);
const RATE = Number(args.rate);

const { work, load } = prepareWork('cdc-binlog', ['test/support/mariadb-instance.ts', 'test/support/kafka.ts']);
const { BinlogSource } = await load('src/liberation/sources/binlog.js');
const { runStream, AvroRowMapper, KafkaSink, FileCheckpointStore, FileDeadLetter } = await loadEngine(load);
const { startMariadb } = await load('test/support/mariadb-instance.js');
const { startKafka, KAFKA_LIB } = await load('test/support/kafka.js');
const mysql = (await import('mysql2/promise')).default;

/** The benchmark table, the same for every side. */
export const TABLE_DDL = 'CREATE TABLE bench_events (id BIGINT PRIMARY KEY, payload VARCHAR(64) NOT NULL, amount DECIMAL(12,2) NOT NULL, created_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))';
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
const loadavg = () => execSync('uptime').toString().trim().replace(/.*load average: /, '');

console.log('starting MariaDB (row-based binary log) and Kafka 4.1 …');
const [maria, broker] = await Promise.all([startMariadb({ logBin: true }), startKafka({ workDir: join(work, 'kafka') })]);
const db = await mysql.createConnection({ uri: maria.url });
await db.query(TABLE_DDL);
let nextId = 1;
/** `n` rows in transactions of `per` rows */
async function insert(n, per = 1000) {
  for (let i = 0; i < n; i += per) {
    const k = Math.min(per, n - i);
    const values = Array.from({ length: k }, (_, j) => `(${nextId + j}, 'payload-${nextId + j}', ${((nextId + j) % 100000) / 100})`).join(',');
    await db.query(`INSERT INTO bench_events (id, payload, amount) VALUES ${values}`);
    nextId += k;
  }
}

/** schemactl's side: the binlog source in the engine with the Kafka sink, in process. */
function schemactlSide() {
  const mapper = new AvroRowMapper(schema);
  const checkpoints = new FileCheckpointStore(join(work, 'state'));
  const kafka = new KafkaSink({ brokers: [broker.bootstrap], chunk: 5000 });
  const stats = { acked: 0, latencies: [] };
  const sink = {
    describe: () => kafka.describe(),
    open: () => kafka.open(),
    close: () => kafka.close(),
    async send(records) {
      await kafka.send(records);
      const nowUs = (performance.timeOrigin + performance.now()) * 1000;
      // commit → ack: the row's created_at is its statement's start (NOW(6)), so this is conservative
      for (const r of records) if (r.decoded) stats.latencies.push((nowUs - Number(r.decoded.created_at)) / 1000);
      stats.acked += records.length;
    },
  };
  let running;
  return {
    name: 'schemactl',
    stats,
    open: () => sink.open(),
    close: () => sink.close(),
    start() {
      const abort = new AbortController();
      const source = new BinlogSource({ connection: maria.url, tables: ['bench_events'], serverId: 777, name: 'events', snapshot: true, columns: mapper.columns(), checkpoints, waitMs: 20, highWater: 50_000 });
      const done = (async () => {
        await source.open();
        try {
          return await runStream({
            stream: 'events', source, sink, checkpoints, deadLetter: new FileDeadLetter(join(work, 'dead.ndjson')),
            serialize: (row) => {
              const value = row.tombstone ? null : mapper.map(row.columns);
              return { topic: 'binlog-bench', key: Buffer.from(String(row.columns.id)), value: value && mapper.encode(value), decoded: value, headers: row.headers, position: row.position };
            },
            batchSize: 5000, pollIntervalMs: 1, once: false, signal: abort.signal,
          });
        } finally {
          await source.close();
        }
      })();
      running = { abort, done };
    },
    async stop() {
      running.abort.abort();
      await running.done;
    },
  };
}

// Debezium's MySQL connector is added here as a second side with the same shape (open/start/stop/stats).
const SIDES = [schemactlSide()];
const results = { load: [] };
for (const side of SIDES) {
  await side.open();
  const r = {};
  // 1. snapshot
  await insert(ROWS);
  results.load.push(loadavg());
  side.stats.acked = 0;
  let t0 = performance.now();
  side.start();
  while (side.stats.acked < ROWS) await sleep(10);
  let secs = (performance.now() - t0) / 1000;
  r.snapshot = { rows: ROWS, seconds: +secs.toFixed(2), eventsPerSec: Math.round(ROWS / secs) };
  console.log(`${side.name} snapshot: ${ROWS} rows in ${secs.toFixed(2)} s → ${r.snapshot.eventsPerSec} events/s (connect included; load ${loadavg()})`);
  await sleep(500);
  await side.stop();
  // 2. streaming drain of a backlog in the binary log
  await insert(BACKLOG);
  side.stats.acked = 0;
  t0 = performance.now();
  side.start();
  while (side.stats.acked < BACKLOG) await sleep(10);
  secs = (performance.now() - t0) / 1000;
  r.streaming = { changes: BACKLOG, seconds: +secs.toFixed(2), eventsPerSec: Math.round(BACKLOG / secs) };
  console.log(`${side.name} streaming drain: ${BACKLOG} changes in ${secs.toFixed(2)} s → ${r.streaming.eventsPerSec} events/s (load ${loadavg()})`);
  // 3. steady load
  await sleep(500);
  side.stats.latencies = [];
  side.stats.acked = 0;
  const tickMs = 20;
  const perTick = Math.round((RATE * tickMs) / 1000);
  const ticks = Math.round((SECONDS * 1000) / tickMs);
  t0 = performance.now();
  for (let t = 0; t < ticks; t++) {
    const wait = t0 + t * tickMs - performance.now();
    if (wait > 0) await sleep(wait);
    await insert(perTick, perTick);
  }
  const writeSecs = (performance.now() - t0) / 1000;
  const written = ticks * perTick;
  const deadline = Date.now() + 60_000;
  while (side.stats.acked < written && Date.now() < deadline) await sleep(10);
  const l = side.stats.latencies;
  r.steady = { target: RATE, offered: Math.round(written / writeSecs), delivered: side.stats.acked, p50ms: +pct(l, 50).toFixed(1), p99ms: +pct(l, 99).toFixed(1), maxms: +pct(l, 100).toFixed(1) };
  console.log(`${side.name} at ${RATE} changes/s (${perTick}-row transactions): offered ${r.steady.offered}/s, delivered ${side.stats.acked}/${written}, commit→Kafka-ack p50 ${r.steady.p50ms} ms, p99 ${r.steady.p99ms} ms, max ${r.steady.maxms} ms (load ${loadavg()})`);
  await side.stop();
  await side.close();
  results[side.name] = r;
}

// anchor: Kafka's own producer on the same broker, same run
{
  const n = 200000;
  const p = spawnSync('java', ['-cp', `${KAFKA_LIB}/*`, 'org.apache.kafka.tools.ProducerPerformance', '--topic', 'perf-baseline', '--num-records', String(n), '--record-size', '100', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=all', 'enable.idempotence=true', 'compression.type=lz4'], { encoding: 'utf8' });
  const last = p.stdout.trim().split('\n').pop() ?? '';
  const m = /([\d.]+) records\/sec/.exec(last);
  results.kafkaProducerPerf = m ? Math.round(Number(m[1])) : null;
  console.log(`anchor: Kafka ProducerPerformance (100-byte records, acks=all, idempotent, lz4): ${last || p.stderr.slice(-300)}`);
  for (const side of SIDES) {
    const r = results[side.name];
    if (results.kafkaProducerPerf) console.log(`${side.name} / anchor: snapshot ${(r.snapshot.eventsPerSec / results.kafkaProducerPerf).toFixed(2)}×, streaming ${(r.streaming.eventsPerSec / results.kafkaProducerPerf).toFixed(2)}×`);
  }
}
results.load.push(loadavg());
await db.end();
await Promise.all([maria.stop(), broker.stop()]);
console.log(JSON.stringify(results));
