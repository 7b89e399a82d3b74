#!/usr/bin/env node
// Group mode throughput: the same six query-pattern streams (tables of the machine's PostgreSQL)
// published by 1, 2 and 3 `schemactl publish --group` processes (the built CLI at default settings:
// exactly-once, checkpoints in Kafka) to one Kafka 4.1 broker started here. Each run uses a fresh
// group, fresh topics and a fresh checkpoint topic, so every run publishes every row from the start.
//
// Reported per run: aggregate events/s (all rows of all streams / time from the first committed batch
// to the last), the CPU seconds each publisher process used (from /proc, user+system) and the
// broker's, and the ratio against the 1-instance run (the anchor, same broker, same run). `uptime`'s
// load is printed beside every figure: the machine is shared.
//
//   node bench/group/run.mjs [--rows 20000] [--streams 6] [--instances 1,2,3] [--pg postgres://…]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildCli, freePort, portOpen, startKafka as startBroker } from '../lib.mjs';

/** The shared bench broker, assigning an empty group at once (a group's first join waits 3 s by default). */
const startKafka = () => startBroker(dir, children, ['group.initial.rebalance.delay.ms=0']);

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    streams: { type: 'string', default: '6' },
    instances: { type: 'string', default: '1,2,3' },
    pg: { type: 'string', default: process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test' },
    keep: { type: 'boolean', default: false },
  },
});
const ROWS = Number(opt.rows);
const STREAMS = Number(opt.streams);
const work = join(root, 'bench/.work');
mkdirSync(work, { recursive: true });
const dir = mkdtempSync(join(work, 'group-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');

/** user+system CPU seconds of a process so far */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

function scrape(port) {
  return new Promise((res) => {
    get({ host: '127.0.0.1', port, path: '/metrics', timeout: 5000 }, (r) => {
      let body = '';
      r.on('data', (d) => { body += d; });
      r.on('end', () => res(body));
    }).on('error', () => res(''));
  });
}
const sum = (text, metric) => [...text.matchAll(new RegExp(`^${metric}\\{[^}]*\\} (\\S+)$`, 'gm'))].reduce((a, m) => a + Number(m[1]), 0);

const SCHEMA = {
  type: 'record', name: 'Order', namespace: 'bench.group.v1', doc: 'An order, as the bench table holds it.',
  fields: [
    { name: 'id', type: 'long', doc: 'Order id; the key.' },
    { name: 'customer', type: 'string', doc: 'Customer reference.' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, doc: 'Order total.' },
    { name: 'note', type: 'string', doc: 'Free text.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When the row last changed.' },
  ],
};

async function main() {
  const db = new pg.Client({ connectionString: opt.pg });
  await db.connect();
  const tag = `bg_${process.pid}`;
  const tables = Array.from({ length: STREAMS }, (_, i) => `${tag}_t${i}`);
  console.log(`bench/group: ${STREAMS} query streams × ${ROWS} rows, instances ${opt.instances}; ${cpus().length} cores; load ${load()}`);
  for (const t of tables) {
    await db.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(12,2) NOT NULL, note text NOT NULL, updated_at timestamptz NOT NULL)`);
    await db.query(`INSERT INTO ${t} SELECT g, 'c-' || (g % 997), (g % 10000) / 100.0, repeat('x', 60), '2026-01-01'::timestamptz + g * interval '1 ms' FROM generate_series(1, ${ROWS}) g`);
    await db.query(`CREATE INDEX ON ${t} (updated_at, id)`);
  }
  const bin = buildCli(join(work, 'group-build'));
  const kafka = await startKafka();
  // one registry for the group, as in production (the embedded one is per catalog directory)
  const regPort = await freePort();
  const reg = spawn(process.execPath, [bin, 'registry', 'serve', '--port', String(regPort), '--data', join(dir, 'registry')], { stdio: 'ignore' });
  children.add(reg);
  while (!(await portOpen(regPort))) await sleep(100);
  const registryUrl = `http://127.0.0.1:${regPort}`;
  const results = [];
  try {
    for (const [k, n] of opt.instances.split(',').map(Number).entries()) {
      // a fresh group, topics and checkpoint topic per run, also when a count repeats
      const run = `r${k}n${n}`;
      const proj = join(dir, run);
      mkdirSync(proj, { recursive: true });
      writeFileSync(join(proj, 'order.avsc'), JSON.stringify(SCHEMA, null, 2));
      writeFileSync(join(proj, 'schemactl.yaml'), [
        'registry:', `  url: ${registryUrl}`, 'kafka:', `  brokers: ["${kafka.bootstrap}"]`, `  checkpoint_topic: bench-group-offsets-${run}`, `  group: bench-group-${run}`,
        'streams:', ...tables.flatMap((t) => [`  - topic: bench.group.${run}.${t}`, '    schema: order.avsc', '    key: id', '    source:', `      connection: ${opt.pg}`, `      table: ${t}`]), '',
      ].join('\n'));
      const cpu0 = cpuSeconds(kafka.pid);
      const procs = [];
      for (let i = 0; i < n; i++) {
        const port = await freePort();
        const child = spawn(process.execPath, [bin, 'publish', '--log-format', 'json', '--metrics-port', String(port), '--instance-id', `${run}-i${i}`], { cwd: proj, stdio: ['ignore', 'pipe', 'pipe'] });
        children.add(child);
        child.stdout.resume();
        let err = '';
        child.stderr.on('data', (d) => { err += d; });
        procs.push({ child, port, err: () => err });
      }
      const total = ROWS * STREAMS;
      let first = 0;
      let done = 0;
      /** CPU seconds at the first committed batch: start-up and the gate are left out */
      let cpuAtFirst = [];
      let brokerAtFirst = 0;
      const until = Date.now() + 600_000;
      for (;;) {
        const texts = await Promise.all(procs.map((p) => scrape(p.port)));
        const read = texts.reduce((a, t) => a + sum(t, 'schemactl_rows_read_total'), 0);
        if (!first && read > 0) {
          first = Date.now();
          cpuAtFirst = procs.map((p) => cpuSeconds(p.child.pid));
          brokerAtFirst = cpuSeconds(kafka.pid);
        }
        if (read >= total) { done = Date.now(); break; }
        if (Date.now() > until) throw new Error(`run ${run}: ${read}/${total} rows after 10 min\n${procs.map((p) => p.err()).join('\n')}`);
        await sleep(200);
      }
      const cpu = procs.map((p, i) => cpuSeconds(p.child.pid) - cpuAtFirst[i]);
      const brokerCpu = cpuSeconds(kafka.pid) - brokerAtFirst;
      void cpu0;
      const l = load();
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => new Promise((r) => (p.child.exitCode !== null ? r() : p.child.once('exit', r)))));
      const secs = (done - first) / 1000;
      results.push({ n, perSec: total / secs, secs, cpu, brokerCpu, load: l });
      console.log(`  ${n} instance(s): ${Math.round(total / secs)} events/s (${total} events in ${secs.toFixed(1)} s); publisher CPU s ${cpu.map((c) => c.toFixed(1)).join(' + ')} = ${cpu.reduce((a, b) => a + b, 0).toFixed(1)}; broker CPU s ${brokerCpu.toFixed(1)}; load ${l}`);
    }
  } finally {
    await kafka.stop();
    reg.kill('SIGTERM');
    for (const t of tables) await db.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
    await db.end();
    if (!opt.keep) rmSync(dir, { recursive: true, force: true });
  }
  // the anchor: the last 1-instance run (a repeat at the end, e.g. --instances 1,2,3,1, runs on a warm broker)
  const anchor = results.filter((r) => r.n === 1).at(-1) ?? results[0];
  console.log(`\nratio against the 1-instance run (anchor, same broker and run):`);
  for (const r of results) {
    const pubCpu = r.cpu.reduce((a, b) => a + b, 0);
    console.log(`  ${r.n} instance(s): ×${(r.perSec / anchor.perSec).toFixed(2)} events/s; publisher CPU per 1,000 events ${((pubCpu / (ROWS * STREAMS)) * 1000).toFixed(3)} s (from the first committed batch to the last)`);
  }
  const a = anchor.cpu.reduce((x, y) => x + y, 0);
  const perEvent = results.map((r) => r.cpu.reduce((x, y) => x + y, 0) / (ROWS * STREAMS));
  console.log(`\nprediction: one publisher used ${(a / anchor.secs).toFixed(2)} cores at ${Math.round(anchor.perSec)} events/s; with one machine (or core) per instance and the broker and database not the limit, ` +
    `k instances reach about k × ${Math.round(anchor.perSec)} events/s up to k = ${STREAMS} (one stream is never split), since instances share nothing on the data path.`);
}

main().catch((e) => { console.error(e); process.exit(1); });
