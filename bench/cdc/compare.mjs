#!/usr/bin/env node
// Log-based capture, schemactl beside Debezium, same table, same broker, same run:
//   schemactl: the built CLI binary as users run it (`schemactl publish`, pattern: log, default settings)
//   Debezium:  3.6.1.Final's embedded engine (bench/debezium, built with Maven on first use) producing each
//              event with an idempotent acks=all KafkaProducer (lz4, as schemactl's default), offsets
//              marked only after the ack; events as Kafka Connect JSON without schemas
//   anchor:    Kafka's org.apache.kafka.tools.ProducerPerformance (acks=all, idempotent, lz4, records of
//              the size of schemactl's Avro events), the broker's limit for one producer
// on a throwaway database server (PostgreSQL 15 with wal_level=logical, or MariaDB with a ROW binlog) and a
// real Kafka 4.1 broker. For each tool:
//   1. snapshot: the table holds --rows rows; start the tool with no state; events/s until all acked
//   2. streaming: the tool stopped (state kept), --backlog rows inserted (1,000 per transaction), the tool
//      started again; events/s until the backlog is acked
//   3. latency: the tool started on a fresh empty table, a writer commits --rate changes/s (20-row
//      transactions every 20 ms) for --seconds after a 2 s warm-up; commit → ack p50/p99. Both tools print a
//      progress line after each batch the broker acknowledged (schemactl: after its checkpoint too);
//      changes arrive in commit order, so a change is acknowledged by the first line whose cumulative
//      count reaches it, and its latency is that line's time minus the moment its INSERT was sent (the
//      same measure for both; conservative: includes the statement). The Debezium harness also reports the
//      latency from the column the writer fills with the database clock (updated_at), as a cross-check.
// Tools run one after the other, never at once, so they do not share the 2 cores.
//
//   node bench/cdc/compare.mjs [--db postgres|mysql] [--rows 100000] [--backlog 100000] [--rate 1000]
//        [--seconds 10] [--only schemactl,debezium,perf] [--debezium-prop key=value …]
//
// --db mysql runs Debezium's MySQL connector against a throwaway MariaDB (mariadb-install-db, --log-bin
// --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL) and schemactl's binlog source
// (`source.pattern: log` with a mysql:// connection); a CLI that refuses that catalog shows its refusal in
// the schemactl column.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ascending, buildCli, percentile } from '../lib.mjs';
import { prepareWork, ROOT } from './build.mjs';

const { values: opt } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgres' },
    rows: { type: 'string', default: '100000' },
    backlog: { type: 'string', default: '100000' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '10' },
    only: { type: 'string', default: 'schemactl,debezium,perf' },
    'debezium-prop': { type: 'string', multiple: true, default: [] },
    // MariaDB only: the version string the server reports (see below); '' keeps MariaDB's own
    'server-version': { type: 'string', default: '5.7.19-MariaDB-10.11' },
  },
});
if (!['postgres', 'mysql'].includes(opt.db)) throw new Error(`--db must be postgres or mysql, not ${opt.db}`);
const ROWS = Number(opt.rows);
const BACKLOG = Number(opt.backlog);
const RATE = Number(opt.rate);
const SECONDS = Number(opt.seconds);
const ONLY = new Set(opt.only.split(','));
const MYSQL = opt.db === 'mysql';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();
const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const load = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim().replace(/^.*load average:\s*/, 'load ');
const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });

// ---------------------------------------------------------------------------------------------- builds
console.log(`building the CLI and the Debezium harness … (${load()})`);
const { work, load: imp } = prepareWork(`cdc-compare-${opt.db}`, ['test/support/pg-cluster.ts', 'test/support/kafka.ts', 'test/support/mariadb-instance.ts']);
const { startKafka, KAFKA_LIB } = await imp('test/support/kafka.js');

const BIN = buildCli(join(work, 'cli'));

const DBZ = join(ROOT, 'bench/debezium');
if (ONLY.has('debezium') && !existsSync(join(DBZ, 'target/classes/dev/schemactl/bench/DebeziumBench.class'))) {
  const r = spawnSync('mvn', ['-q', '-B', '-f', join(DBZ, 'pom.xml'), 'package'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('building bench/debezium with Maven failed');
}

// ------------------------------------------------------------------------------------------- services
console.log(`starting ${MYSQL ? 'MariaDB (ROW binlog)' : 'PostgreSQL 15 (wal_level=logical)'} and Kafka 4.1 …`);
const broker = await startKafka({ workDir: join(work, 'kafka') });
let server;
let db; // { exec(sql, params), end() }
if (MYSQL) {
  const { startMariadb } = await imp('test/support/mariadb-instance.js');
  // Debezium 3.6.1's MySQL connector refuses MariaDB 10.11 as it reports itself: `SHOW BINARY LOG STATUS`
  // (MySQL 8.4) fails with a syntax error, and its fallback reads VERSION(), takes 10 > 8 as a MySQL newer
  // than 8.4 and stops ("MySQL version 10.11… should support SHOW BINARY LOG STATUS but it failed").
  // MariaDB's --version=<string> changes only the reported VERSION(). Reporting 8.0.x gets past that, but
  // its MySQL Connector/J 9.1 then reads @@transaction_isolation, which MariaDB 10.11 lacks ("Unknown
  // system variable 'transaction_isolation'"), and so it does for 5.7.20 and later; 5.7.19 works: SHOW
  // MASTER STATUS, @@tx_isolation, and the binlog client reads MariaDB's ROW events. schemactl's source
  // sees the same string (--server-version '' to keep MariaDB's own).
  server = await startMariadb({ logBin: true, database: 'bench', args: opt['server-version'] ? [`--version=${opt['server-version']}`] : [] });
  const mysql = (await import('mysql2/promise')).default;
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'bench', multipleStatements: false });
  db = { exec: (sql, params = []) => conn.query(sql, params), end: () => conn.end() };
  // a row generator for INSERT … SELECT (MariaDB's sequence engine: seq_1_to_N)
  await db.exec("SET SESSION time_zone = '+00:00'");
} else {
  const { startPgCluster } = await imp('test/support/pg-cluster.js');
  server = await startPgCluster();
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  db = { exec: (sql, params = []) => client.query(sql, params), end: () => client.end() };
}
const URL = MYSQL ? `mysql://root@127.0.0.1:${server.port}/bench` : server.url;
const QUALIFIED = (t) => (MYSQL ? `bench.${t}` : `public.${t}`);

// The table: ~100-byte Avro events (id, 80-char payload, decimal, a µs timestamp).
async function createTable(table) {
  await db.exec(MYSQL
    ? `CREATE TABLE ${table} (id BIGINT PRIMARY KEY, payload VARCHAR(100) NOT NULL, amount DECIMAL(12,2) NOT NULL, updated_at TIMESTAMP(6) NOT NULL) ENGINE=InnoDB`
    : `CREATE TABLE ${table} (id bigint PRIMARY KEY, payload text NOT NULL, amount numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL)`);
}
/** Insert ids [from, to] in one transaction (one statement); updated_at is the database clock at the write. */
function insertRange(table, from, to) {
  return MYSQL
    ? db.exec(`INSERT INTO ${table} SELECT seq, CONCAT('payload-', LPAD(seq, 12, '0'), REPEAT('x', 59)), (seq % 100000) / 100.0, NOW(6) FROM seq_${from}_to_${to}`)
    : db.exec(`INSERT INTO ${table} SELECT g, 'payload-' || lpad(g::text, 12, '0') || repeat('x', 59), (g % 100000) / 100.0, clock_timestamp() FROM generate_series($1::bigint, $2::bigint) g`, [from, to]);
}

// -------------------------------------------------------------------------------------------- tools
const SCHEMA = JSON.stringify({
  type: 'record', name: 'BenchEvent', namespace: 'com.acme.bench.v1', doc: 'A benchmark change.',
  fields: [
    { name: 'id', type: 'long', doc: 'Id.' },
    { name: 'payload', type: 'string', doc: 'Text.' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, doc: 'Amount.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' },
  ],
}, null, 2);

/**
 * A running capture process: progress lines `{msg:'progress', time, read}` collected as {t, read}.
 * `read` counts every event since this process started.
 */
function track(child, name, dir) {
  children.add(child);
  // everything the tool prints, for a look afterwards
  const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const acks = [];
  const state = { acks, out: '', err: '', firstAt: 0, child, exited: null };
  let buf = '';
  child.stdout.on('data', (d) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (state.out.length < 20000) state.out += line + '\n';
      let ev;
      try { ev = JSON.parse(line); } catch { continue; }
      if (ev.msg === 'progress') {
        const t = ev.timeUs ? ev.timeUs / 1000 : Date.parse(ev.time);
        if (!state.firstAt) state.firstAt = t;
        acks.push({ t, read: ev.read });
      } else if (ev.msg === 'summary') state.summary = ev;
    }
  });
  child.stderr.on('data', (d) => { if (state.err.length < 50000) state.err += d.toString(); });
  state.exited = new Promise((r) => child.once('exit', (code, signal) => { children.delete(child); r({ code, signal }); }));
  state.read = () => acks[acks.length - 1]?.read ?? 0;
  state.alive = () => child.exitCode === null && child.signalCode === null;
  state.stop = async () => {
    if (state.alive()) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const r = await state.exited;
    clearTimeout(t);
    return r;
  };
  state.name = name;
  return state;
}

const tools = {
  schemactl: {
    label: 'schemactl publish (CLI, pattern: log, default settings)',
    /** a project folder per table; its state (.schemactl/) survives restarts */
    start(table, topic) {
      const proj = join(work, `schemactl-${table}`);
      mkdirSync(proj, { recursive: true });
      writeFileSync(join(proj, 'bench.avsc'), SCHEMA);
      // ─── schemactl's binlog source plugs in here ───────────────────────────────────────────────
      // On MySQL/MariaDB this is the catalog of `source.pattern: log` as issue 14 specifies it
      // (connection, table, key, server_id); a CLI without that source reports its refusal in place of
      // schemactl's figures.
      writeFileSync(join(proj, 'schemactl.yaml'), `streams:
  - topic: ${topic}
    kind: store
    schema: bench.avsc
    key: id
    source:
      pattern: log
      connection: ${URL}
      table: ${QUALIFIED(table)}
${MYSQL ? '      server_id: 5401\n' : ''}`);
      const child = spawn(process.execPath, [BIN, 'publish', '--brokers', broker.bootstrap, '--log-format', 'json'], { cwd: proj, stdio: ['ignore', 'pipe', 'pipe'] });
      return track(child, 'schemactl', proj);
    },
  },
  debezium: {
    label: 'Debezium 3.6.1.Final embedded engine + KafkaProducer (JSON, no schemas)',
    start(table, topic) {
      const dir = join(work, `debezium-${table}`);
      mkdirSync(dir, { recursive: true });
      const props = {
        name: `bench-${table}`,
        'offset.storage': 'org.apache.kafka.connect.storage.FileOffsetBackingStore',
        'offset.storage.file.filename': join(dir, 'offsets.dat'),
        'offset.flush.interval.ms': '1000',
        'topic.prefix': 'bench',
        'table.include.list': QUALIFIED(table),
        'snapshot.mode': 'initial',
        ...(MYSQL
          ? {
            'connector.class': 'io.debezium.connector.mysql.MySqlConnector',
            'database.hostname': '127.0.0.1', 'database.port': String(server.port), 'database.user': 'root', 'database.password': '',
            'database.server.id': '5402', 'database.include.list': 'bench',
            'schema.history.internal': 'io.debezium.storage.file.history.FileSchemaHistory',
            'schema.history.internal.file.filename': join(dir, 'schema-history.dat'),
          }
          : {
            'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
            'database.hostname': '127.0.0.1', 'database.port': String(server.port), 'database.user': 'postgres', 'database.password': '', 'database.dbname': 'postgres',
            'plugin.name': 'pgoutput', 'slot.name': `dbz_${table}`, 'publication.name': `dbz_${table}`, 'publication.autocreate.mode': 'filtered',
          }),
        'bench.bootstrap': broker.bootstrap,
        'bench.topic': topic,
        'bench.commit.column': 'updated_at',
      };
      for (const kv of opt['debezium-prop']) {
        const i = kv.indexOf('=');
        props[kv.slice(0, i)] = kv.slice(i + 1);
      }
      const file = join(dir, 'engine.properties');
      writeFileSync(file, Object.entries(props).map(([k, v]) => `${k}=${String(v).replace(/\\/g, '\\\\')}`).join('\n') + '\n');
      const child = spawn('java', ['-Xmx1g', '-cp', `${join(DBZ, 'target/classes')}:${join(DBZ, 'target/lib')}/*`, 'dev.schemactl.bench.DebeziumBench', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      return track(child, 'debezium', dir);
    },
  },
};

/** Wait until the tool acknowledged `n` events; false when it exited or timed out. */
async function waitFor(run, n, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (run.read() < n) {
    if (!run.alive() || Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
const failure = (run) => `${run.name} did not deliver (exit ${run.child.exitCode ?? run.child.signalCode ?? 'running'}):\n${run.out.slice(-3000)}${run.err.slice(-3000)}`;

const results = {};
const names = ['schemactl', 'debezium'].filter((n) => ONLY.has(n));

// ------------------------------------------------------------------------ 1 + 2: snapshot, streaming
await createTable('cdc_events');
console.log(`filling cdc_events with ${fmt(ROWS)} rows … (${load()})`);
for (let i = 1; i <= ROWS; i += 10_000) await insertRange('cdc_events', i, Math.min(ROWS, i + 9_999));
for (const name of names) {
  const r = (results[name] = { label: tools[name].label });
  const t0 = now();
  const snap = tools[name].start('cdc_events', `${name}-cdc-events`);
  if (!(await waitFor(snap, ROWS, 600_000))) {
    r.error = failure(snap);
    console.log(`${name}: ${r.error.split('\n').slice(0, 12).join('\n')}`);
    await snap.stop();
    continue;
  }
  const t1 = now();
  r.snapshot = { rows: ROWS, seconds: (t1 - t0) / 1000, eventsPerSec: ROWS / ((t1 - t0) / 1000), fromFirst: ROWS / ((t1 - snap.firstAt) / 1000), load: load() };
  console.log(`${name} snapshot: ${fmt(ROWS)} rows in ${r.snapshot.seconds.toFixed(1)} s → ${fmt(r.snapshot.eventsPerSec)} events/s from process start (${fmt(r.snapshot.fromFirst)}/s from its first ack) (${r.snapshot.load})`);
  // let it reach streaming before stopping (its state then points past the snapshot)
  await sleep(3000);
  await snap.stop();
}
// the backlog, written while every tool is stopped
let nextId = ROWS + 1;
console.log(`writing a backlog of ${fmt(BACKLOG)} changes (1,000 per transaction) … (${load()})`);
for (let i = 0; i < BACKLOG; i += 1000) {
  await insertRange('cdc_events', nextId, nextId + 999);
  nextId += 1000;
}
for (const name of names) {
  const r = results[name];
  if (r.error) continue;
  const t0 = now();
  const run = tools[name].start('cdc_events', `${name}-cdc-events`);
  if (!(await waitFor(run, BACKLOG, 600_000))) {
    r.streamError = failure(run);
    console.log(`${name} streaming: ${r.streamError.split('\n').slice(0, 12).join('\n')}`);
    await run.stop();
    continue;
  }
  const t1 = now();
  r.streaming = { changes: BACKLOG, seconds: (t1 - t0) / 1000, eventsPerSec: BACKLOG / ((t1 - t0) / 1000), fromFirst: BACKLOG / ((t1 - run.firstAt) / 1000), load: load() };
  console.log(`${name} streaming: ${fmt(BACKLOG)} changes in ${r.streaming.seconds.toFixed(1)} s → ${fmt(r.streaming.eventsPerSec)} events/s from process start (${fmt(r.streaming.fromFirst)}/s from its first ack) (${r.streaming.load})`);
  await sleep(500);
  if (run.read() > BACKLOG) console.log(`  (${name} delivered ${run.read() - BACKLOG} events beyond the backlog: redelivery after the restart)`);
  await run.stop();
}

// ------------------------------------------------------------------------------ 3: latency at a rate
const TICK = 20;
for (const name of names) {
  const r = results[name];
  if (r.error) continue;
  const table = `lat_${name}`;
  await createTable(table);
  const run = tools[name].start(table, `${name}-lat`);
  const perTick = Math.round((RATE * TICK) / 1000);
  let id = 1;
  const write = async (secs, sent) => {
    const ticks = Math.round((secs * 1000) / TICK);
    const t0 = performance.now();
    for (let t = 0; t < ticks; t++) {
      const wait = t0 + t * TICK - performance.now();
      if (wait > 0) await sleep(wait);
      const at = now();
      await insertRange(table, id, id + perTick - 1);
      id += perTick;
      sent?.push({ at, upTo: id - 1 });
    }
    return (performance.now() - t0) / 1000;
  };
  // warm-up, not measured: start-up, the (empty) snapshot, topic creation, the JIT
  await sleep(MYSQL ? 3000 : 1000);
  await write(2);
  if (!(await waitFor(run, id - 1, 120_000))) {
    r.latencyError = failure(run);
    console.log(`${name} latency: ${r.latencyError.split('\n').slice(0, 12).join('\n')}`);
    await run.stop();
    continue;
  }
  // the count at the start of the measured seconds: a row written during the warm-up may be delivered
  // twice (by the snapshot and by the stream, at-least-once), so the measured rows are counted from here
  await sleep(1000);
  const warmed = id - 1;
  const base = run.read();
  const sent = [];
  const writeSecs = await write(SECONDS, sent);
  const written = id - 1 - warmed;
  await waitFor(run, base + written, 60_000);
  const latencies = [];
  let a = 0;
  for (const s of sent) {
    while (a < run.acks.length && run.acks[a].read < base + (s.upTo - warmed)) a++;
    if (a >= run.acks.length) break;
    for (let k = 0; k < perTick; k++) latencies.push(run.acks[a].t - s.at);
  }
  const sorted = ascending(latencies);
  const delivered = run.read() - base;
  await run.stop();
  r.latency = {
    target: RATE, offered: written / writeSecs, written, delivered,
    p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100), load: load(),
    ...(run.summary?.p50ms !== undefined ? { column: { p50: run.summary.p50ms, p99: run.summary.p99ms, note: 'updated_at column → ack, warm-up included' } } : {}),
  };
  console.log(`${name} at ${RATE}/s: offered ${fmt(r.latency.offered)}/s for ${writeSecs.toFixed(1)} s, delivered ${delivered}/${written}, commit→ack p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, max ${r.latency.max.toFixed(1)} ms (${r.latency.load})`
    + (r.latency.column ? `; from the updated_at column (incl. warm-up): p50 ${r.latency.column.p50} ms, p99 ${r.latency.column.p99} ms` : ''));
}

// ------------------------------------------------------------------------ anchor: ProducerPerformance
// record size: schemactl's Avro value for these rows (5-byte wire header, id, 80-char payload, decimal,
// a timestamp) is about 100 bytes
const RECORD = 100;
if (ONLY.has('perf')) {
  const n = Math.max(ROWS, BACKLOG);
  const p = spawnSync('java', ['-Xmx512m', '-cp', `${KAFKA_LIB}/*`, `-Dlog4j2.configurationFile=${join(ROOT, 'test/support/kafka/log4j2.properties')}`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', 'perf-anchor', '--num-records', String(n), '--record-size', String(RECORD), '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${broker.bootstrap}`, 'acks=all', 'enable.idempotence=true', 'compression.type=lz4'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const last = p.stdout.trim().split('\n').filter((l) => /records sent/.test(l)).at(-1) ?? '';
  const m = /([\d.]+) records\/sec/.exec(last);
  results.perf = { perSec: m ? Number(m[1]) : NaN, line: last.trim(), load: load() };
  console.log(`Kafka ProducerPerformance (${n} × ${RECORD} B, acks=all, idempotent, lz4): ${last.trim() || p.stderr.slice(-500)} (${results.perf.load})`);
}

await db.end();
await Promise.all([server.stop(), broker.stop()]);

// ----------------------------------------------------------------------------------------- summary
const row = (label, cells) => console.log(`${label.padEnd(34)}${cells.map((c) => String(c).padStart(18)).join('')}`);
console.log('');
console.log(`${MYSQL ? 'MariaDB ' + spawnSync('mariadbd', ['--version'], { encoding: 'utf8' }).stdout.trim().split(/\s+/)[2] : 'PostgreSQL 15'}, ${fmt(ROWS)}-row snapshot, ${fmt(BACKLOG)}-change backlog, ${RATE}/s for ${SECONDS} s`);
row('', names);
const get = (n, f) => (results[n][f.split('.')[0]] ? f.split('.').reduce((o, k) => o?.[k], results[n]) : NaN);
row('snapshot events/s', names.map((n) => fmt(get(n, 'snapshot.eventsPerSec'))));
row('streaming events/s', names.map((n) => fmt(get(n, 'streaming.eventsPerSec'))));
const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '—');
row(`commit→ack p50 ms at ${RATE}/s`, names.map((n) => ms(get(n, 'latency.p50'))));
row(`commit→ack p99 ms at ${RATE}/s`, names.map((n) => ms(get(n, 'latency.p99'))));
if (results.perf) console.log(`ProducerPerformance anchor: ${fmt(results.perf.perSec)} records/s`);
if (names.length === 2 && !results.schemactl.error && !results.debezium.error) {
  const s = results.schemactl;
  const d = results.debezium;
  console.log(`ratios schemactl / Debezium: snapshot ${(s.snapshot.eventsPerSec / d.snapshot.eventsPerSec).toFixed(2)}×, streaming ${(s.streaming?.eventsPerSec / d.streaming?.eventsPerSec).toFixed(2)}×, p50 latency ${(s.latency?.p50 / d.latency?.p50).toFixed(2)}×, p99 latency ${(s.latency?.p99 / d.latency?.p99).toFixed(2)}× (below 1 is better for latency)`);
}
if (results.perf) {
  for (const n of names) {
    if (results[n].error) continue;
    console.log(`${n} / ProducerPerformance: snapshot ${(results[n].snapshot.eventsPerSec / results.perf.perSec).toFixed(2)}×, streaming ${(results[n].streaming?.eventsPerSec / results.perf.perSec).toFixed(2)}×`);
  }
}
for (const n of names) if (results[n].error) console.log(`${n}: not measured — ${results[n].error.split('\n')[0]}`);
writeFileSync(join(work, 'results.json'), JSON.stringify(results, null, 2));
console.log(JSON.stringify(results));
