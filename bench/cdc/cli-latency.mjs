// Commit → acknowledgement latency of `schemactl publish` as users run it: the built CLI binary as a
// child process, at default settings (batch_size, poll_interval_ms, the embedded registry, the file
// checkpoint), pattern: log or triggers (after `schemactl capture install`), streaming an initially
// empty table while a writer commits at a fixed rate.
//
// Measured like the in-process bench measures commit→Kafka-ack, from outside the process: the CLI
// prints a progress line (JSON, with its time) after each batch was acknowledged by the broker and
// its checkpoint saved; the changes of this table arrive in commit order, so the n-th change is
// acknowledged by the first progress line whose `read` count reaches n. Each change's latency is that
// line's time minus the moment its INSERT was sent (conservative: includes the statement itself).
// The table is empty when the CLI starts, so its snapshot is one empty chunk; a warm-up at the same
// rate (not measured) precedes the measured seconds. The progress lines also say where each batch's
// time went inside the publisher (broker ack, durable checkpoint, the source's acknowledgement); their
// p50/p99 over the measured seconds are returned beside the end-to-end figures.
import { spawn, spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ascending, buildCli, percentile } from '../lib.mjs';

const SCHEMA = JSON.stringify({
  type: 'record', name: 'TickRecorded', namespace: 'com.acme.bench.v1', doc: 'A benchmark change.',
  fields: [
    { name: 'id', type: 'long', doc: 'Change id.' },
    { name: 'payload', type: 'string', doc: 'Text.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' },
  ],
}, null, 2);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

/** The 1-minute load average, as `uptime` prints it: timing figures on a shared machine need it beside them. */
export function load1() {
  return +loadavg()[0].toFixed(2);
}

function stageSummary(samples) {
  const out = {};
  for (const k of ['sendMs', 'checkpointMs', 'acknowledgeMs']) {
    const v = ascending(samples.map((x) => x[k]).filter((x) => typeof x === 'number'));
    if (v.length) out[k] = { p50: percentile(v, 50), p99: percentile(v, 99), max: percentile(v, 100) };
  }
  return out;
}

/**
 * Run the CLI against `url` / `bootstrap`, write `rate` changes/s for `seconds`, and return p50/p95/p99/max
 * commit→ack in ms, the publisher's stage timings and the load average. `bin` is bin/schemactl.js of a
 * build. pattern `triggers` installs the capture with the CLI first (`schemactl capture install`).
 */
export async function measureCliLatency({ url, bootstrap, bin, workDir, pattern = 'log', rate = 1000, seconds = 10, warmupSeconds = 2, table = 'lat_events', topic = 'lat-events', tickMs = 20 }) {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, payload text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, 'tick.avsc'), SCHEMA);
  writeFileSync(join(workDir, 'schemactl.yaml'), `streams:
  - topic: ${topic}
    kind: store
    schema: tick.avsc
    key: id
    source:
      pattern: ${pattern}
      connection: ${url}
      table: public.${table}
`);
  if (pattern === 'triggers') {
    const r = spawnSync(process.execPath, [bin, 'capture', 'install', topic], { cwd: workDir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`capture install failed (${r.status}):\n${r.stdout}${r.stderr}`);
  }
  const loadBefore = load1();
  const child = spawn(process.execPath, [bin, 'publish', '--brokers', bootstrap, '--log-format', 'json'], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const acks = []; // { t, read, stages }
  // the trigger pattern has no slot and no snapshot: it is ready once it said how it delivers
  let streaming = pattern !== 'log';
  let snapshotDone = pattern !== 'log';
  let delivering = false;
  let out = '';
  let err = '';
  let buf = '';
  child.stderr.on('data', (d) => { err += d.toString(); });
  child.stdout.on('data', (d) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (out.length < 20000) out += line + '\n';
      let ev;
      try { ev = JSON.parse(line); } catch { continue; }
      if (ev.msg === 'progress') acks.push({ t: Date.parse(ev.time), read: ev.read, stages: ev.stages });
      else if (typeof ev.msg === 'string' && ev.msg.startsWith('delivery:')) delivering = true;
      else if (ev.msg === 'streaming') streaming = true;
      else if (ev.msg === 'snapshot done') snapshotDone = true;
    }
  });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  try {
    const ready = Date.now() + 60_000;
    while (!(streaming && snapshotDone && delivering) && Date.now() < ready && child.exitCode === null) await sleep(50);
    if (!streaming || !snapshotDone || !delivering) throw new Error(`the publisher did not start streaming:\n${out}${err}`);
    const perTick = Math.round((rate * tickMs) / 1000);
    let nextId = 1;
    const load = async (secs, sent) => {
      const ticks = Math.round((secs * 1000) / tickMs);
      const t0 = performance.now();
      for (let t = 0; t < ticks; t++) {
        const wait = t0 + t * tickMs - performance.now();
        if (wait > 0) await sleep(wait);
        const at = now();
        await db.query("INSERT INTO " + table + " (id, payload) SELECT g, 'payload-' || g FROM generate_series($1::bigint, $2::bigint) g", [nextId, nextId + perTick - 1]);
        nextId += perTick;
        sent?.push({ at, upTo: nextId - 1 });
      }
      return (performance.now() - t0) / 1000;
    };
    // warm-up at the same rate, not measured: the first records create the topic and the producer's
    // connections, and the JIT compiles the hot path; the steady state is what is measured
    await load(warmupSeconds);
    const warmed = nextId - 1;
    const settle = Date.now() + 30_000;
    while ((acks[acks.length - 1]?.read ?? 0) < warmed && Date.now() < settle) await sleep(20);
    const sent = []; // { at, upTo }
    const firstMeasured = acks.length;
    const writeSecs = await load(seconds, sent);
    const written = nextId - 1 - warmed;
    const deadline = Date.now() + 60_000;
    while ((acks[acks.length - 1]?.read ?? 0) < warmed + written && Date.now() < deadline) await sleep(20);
    const delivered = (acks[acks.length - 1]?.read ?? 0) - warmed;
    const latencies = [];
    let a = 0;
    for (const s of sent) {
      while (a < acks.length && acks[a].read < s.upTo) a++;
      if (a >= acks.length) break;
      for (let k = 0; k < perTick; k++) latencies.push(acks[a].t - s.at);
    }
    const sorted = ascending(latencies);
    const batches = acks.slice(firstMeasured).filter((x) => x.stages);
    return {
      pattern, target: rate, offered: Math.round(written / writeSecs), written, delivered,
      p50ms: +percentile(sorted, 50).toFixed(1), p95ms: +percentile(sorted, 95).toFixed(1), p99ms: +percentile(sorted, 99).toFixed(1), maxms: +percentile(sorted, 100).toFixed(1),
      batches: batches.length, rowsPerBatch: batches.length ? +(batches.reduce((n, x) => n + x.stages.rows, 0) / batches.length).toFixed(1) : null,
      stages: stageSummary(batches.map((x) => x.stages)),
      load: { before: loadBefore, after: load1() },
    };
  } finally {
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
    await db.end();
  }
}

/** `node bench/cdc/run.mjs --mode cli`: throwaway PostgreSQL and Kafka, the CLI built from this tree (and a baseline build). */
export async function runCliMode({ seconds, rate, baseline, patterns = ['log', 'triggers'] }) {
  const { prepareWork } = await import('./build.mjs');
  const { work, load } = prepareWork('cdc-cli', ['test/support/pg-cluster.ts', 'test/support/kafka.ts']);
  const { startPgCluster } = await load('test/support/pg-cluster.js');
  const { startKafka } = await load('test/support/kafka.js');
  console.log('building the CLI, starting PostgreSQL 15 and Kafka 4.1 …');
  const bin = buildCli(join(work, 'cli'));
  // one after the other: the broker's storage format blocks the event loop (a synchronous child
  // process), which under load outlasts the cluster's start-up poll
  const cluster = await startPgCluster();
  const broker = await startKafka({ workDir: join(work, 'kafka') });
  try {
    // With a baseline the builds run in the order A B B A per pattern, so a load that drifts during the
    // run (a shared machine) weighs on both alike; each build's figure is the mean of its two runs.
    const order = baseline ? [['this build', bin], ['baseline', baseline], ['baseline', baseline], ['this build', bin]] : [['this build', bin]];
    const results = {};
    let n = 0;
    for (const pattern of patterns) {
      const runs = {};
      for (const [name, b] of order) {
        const r = await measureCliLatency({ url: cluster.url, bootstrap: broker.bootstrap, bin: b, workDir: join(work, `project-${n}`), pattern, rate, seconds, table: `lat_${n}`, topic: `lat_${n}` });
        n++;
        (runs[name] ??= []).push(r);
        const st = Object.entries(r.stages).map(([k, v]) => `${k.replace(/Ms$/, '')} p50 ${v.p50} / p99 ${v.p99}`).join(', ');
        console.log(`${name}: schemactl publish (pattern: ${pattern}, default settings) at ${rate} changes/s: offered ${r.offered}/s for ${seconds} s, delivered ${r.delivered}/${r.written}, commit→ack p50 ${r.p50ms} ms, p95 ${r.p95ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms${r.batches ? `; ${r.batches} batches of ${r.rowsPerBatch} rows, per batch ms: ${st}` : ''}; load average ${r.load.before} → ${r.load.after}`);
      }
      for (const [name, rs] of Object.entries(runs)) results[`${pattern} ${name}`] = rs;
      if (runs.baseline) {
        const mean = (rs, k) => rs.reduce((x, r) => x + r[k], 0) / rs.length;
        const a = runs['this build'];
        const z = runs.baseline;
        console.log(`${pattern}: this build p50 ${mean(a, 'p50ms').toFixed(1)} / p99 ${mean(a, 'p99ms').toFixed(1)} ms, baseline p50 ${mean(z, 'p50ms').toFixed(1)} / p99 ${mean(z, 'p99ms').toFixed(1)} ms (means of A B B A); ratio this build / baseline: p50 ${(mean(a, 'p50ms') / mean(z, 'p50ms')).toFixed(2)}×, p99 ${(mean(a, 'p99ms') / mean(z, 'p99ms')).toFixed(2)}×`);
      }
    }
    console.log(JSON.stringify(results));
  } finally {
    await Promise.all([cluster.stop(), broker.stop()]);
  }
}
