#!/usr/bin/env node
// Trigger capture cost, measured on the machine's PostgreSQL (127.0.0.1:5432, db test):
//  1. write overhead: pgbench (Debian's postgresql client) runs the same insert+update transaction
//     mix on a fresh table without and with the capture triggers; TPS and mean latency of both;
//  2. drain throughput: the change table the second run filled is published by the compiled engine
//     (ChangeTableSource → AvroRowMapper → KafkaSink, acks=all, idempotent) to a real Kafka 4.1 broker,
//     rows/s including the acknowledged deletes; anchor in the same run: Kafka's own
//     ProducerPerformance tool with the same record count and a similar record size.
//
//   node bench/capture/run.mjs [--seconds 10] [--clients 4] [--rounds 2] [--rows 20000] [--batch 1000] [--no-kafka]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    clients: { type: 'string', default: '4' },
    rows: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
    batch: { type: 'string', default: '1000' },
    'no-kafka': { type: 'boolean', default: false },
    pg: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const SECONDS = Number(opt.seconds);
const CLIENTS = Number(opt.clients);
const PG_URL = opt.pg;
const work = join(root, 'bench/.work/capture');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const pgbench = ['/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench'].find((p) => existsSync(p));
if (!pgbench) throw new Error('pgbench not found: install postgresql-client (Debian) to run this benchmark');

// measure the current sources: the real build into a private directory (other modules' type errors
// do not block the emit)
const dist = join(work, 'dist');
spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--outDir', dist], { stdio: 'ignore' });
// the broker helper finds its jars next to itself
if (!existsSync(join(dist, 'test/support/kafka'))) symlinkSync(join(root, 'test/support/kafka'), join(dist, 'test/support/kafka'));
const load = (p) => import(pathToFileURL(join(dist, p)).href);
const [{ installCapture, uninstallCapture, captureStatus }, { ChangeTableSource }, { KafkaSink }, { FileSink }, { AvroRowMapper }, { runStream }, { FileCheckpointStore }, { FileDeadLetter }] = await Promise.all([
  load('src/liberation/capture/install.js'), load('src/liberation/sources/change-table.js'), load('src/liberation/sinks/kafka.js'),
  load('src/liberation/sinks/file.js'), load('src/liberation/mapping.js'), load('src/liberation/engine.js'),
  load('src/liberation/checkpoint/file.js'), load('src/liberation/dead-letter.js'),
]);
const pg = (await import('pg')).default;

const table = `bench_capture_${process.pid}`;
const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
const spec = { connection: PG_URL, table: `public.${table}`, name: `bench.${table}` };

const SCRIPT = `\\set id random(1, 10000)
BEGIN;
INSERT INTO ${table} (account, amount, note) VALUES (:id, :id * 0.01, 'order note for account ' || :id);
UPDATE ${table} SET amount = amount + 1, updated_at = now() WHERE id = :id;
END;
`;
writeFileSync(join(work, 'tx.sql'), SCRIPT);

async function freshTable() {
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, account int NOT NULL, amount numeric(12,2) NOT NULL, note text, updated_at timestamptz NOT NULL DEFAULT now())`);
  await admin.query(`INSERT INTO ${table} (account, amount, note) SELECT g, g * 0.01, 'seed' FROM generate_series(1, 10000) g`);
  await admin.query(`VACUUM ANALYZE ${table}`);
}

function runPgbench() {
  const u = new URL(PG_URL);
  const out = execFileSync(pgbench, ['-n', '-f', join(work, 'tx.sql'), '-c', String(CLIENTS), '-j', String(Math.min(CLIENTS, 2)), '-T', String(SECONDS),
    '-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username) || 'postgres', u.pathname.slice(1)], { encoding: 'utf8' });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
  const latency = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1]);
  const tx = Number(/number of transactions actually processed: (\d+)/.exec(out)?.[1]);
  return { tps, latencyMs: latency, transactions: tx };
}

const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model }, pgbench, clients: CLIENTS, seconds: SECONDS };
try {
  // alternate the two runs: other load on a shared machine then hits both alike
  result.rounds = [];
  for (let i = 0; i < Number(opt.rounds); i++) {
    if (i > 0) await uninstallCapture(spec, { force: true });
    await freshTable();
    const without = runPgbench();
    await freshTable();
    await installCapture(spec);
    const withCapture = runPgbench();
    result.rounds.push({ without, with: withCapture, writeOverheadPct: Number((100 * (1 - withCapture.tps / without.tps)).toFixed(1)) });
  }
  const mean = (f) => result.rounds.reduce((a, r) => a + f(r), 0) / result.rounds.length;
  result.tpsWithout = Math.round(mean((r) => r.without.tps));
  result.tpsWith = Math.round(mean((r) => r.with.tps));
  result.writeOverheadPct = Number((100 * (1 - result.tpsWith / result.tpsWithout)).toFixed(1));
  const backlog = (await captureStatus(spec)).backlog.rows;
  result.changeRows = backlog;

  const schema = {
    type: 'record', name: 'Order', namespace: 'bench',
    fields: [
      { name: 'id', type: 'long' }, { name: 'account', type: 'int' },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
    ],
  };
  const mapper = new AvroRowMapper(schema);
  const rowsToDrain = Math.min(backlog, Number(opt.rows));
  async function drain(sink, topic, limit) {
    const source = new ChangeTableSource(spec);
    await source.open();
    await sink.open();
    let recordBytes = 0;
    const ac = new AbortController();
    const started = process.hrtime.bigint();
    const stats = await runStream({
      stream: topic, source, sink, batchSize: Number(opt.batch), pollIntervalMs: 10, once: true, signal: ac.signal,
      checkpoints: new FileCheckpointStore(join(work, `state-${topic}`)), deadLetter: new FileDeadLetter(join(work, `${topic}.dead`)),
      serialize: (row) => {
        const value = row.tombstone ? null : mapper.encode(mapper.map(row.columns));
        recordBytes += value?.length ?? 0;
        return { topic, key: row.key == null ? null : Buffer.from(row.key), value, headers: row.headers, position: row.position };
      },
      onProgress: (s) => { if (s.read >= limit) ac.abort(); },
    });
    const secs = Number(process.hrtime.bigint() - started) / 1e9;
    await source.close();
    await sink.close();
    return { rows: stats.read, seconds: Number(secs.toFixed(2)), rowsPerSecond: Math.round(stats.read / secs), meanValueBytes: Math.round(recordBytes / Math.max(1, stats.published)) };
  }
  result.drainFileSink = await drain(new FileSink(join(work, 'out.ndjson')), 'bench-file', Math.floor(rowsToDrain / 2));

  if (!opt['no-kafka']) {
    const { startKafka } = await load('test/support/kafka.js');
    const broker = await startKafka({ workDir: join(work, 'kafka') });
    try {
      result.drainKafka = await drain(new KafkaSink({ brokers: [broker.bootstrap] }), 'bench-capture', rowsToDrain - result.drainFileSink.rows);
      const n = result.drainKafka.rows;
      const perf = spawnSync('java', ['-cp', `${join(root, 'test/support/kafka/target/lib')}/*`, 'org.apache.kafka.tools.ProducerPerformance',
        '--topic', 'bench-anchor', '--num-records', String(n), '--record-size', String(result.drainKafka.meanValueBytes || 60), '--throughput', '-1',
        '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=all', 'enable.idempotence=true', 'compression.type=lz4'], { encoding: 'utf8' });
      const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(perf.stdout.trim().split('\n').at(-1) ?? '');
      result.kafkaProducerPerfAnchor = m ? { records: Number(m[1]), recordsPerSecond: Number(m[2]) } : { error: (perf.stderr || perf.stdout).slice(-400) };
    } finally {
      await broker.stop();
    }
  }
} finally {
  await uninstallCapture(spec, { force: true }).catch(() => {});
  await admin.query(`DROP TABLE IF EXISTS ${table}`);
  await admin.end();
}
console.log(JSON.stringify(result, null, 2));
