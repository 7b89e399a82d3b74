// Commit → acknowledgement latency of `schemactl publish` as users run it: the built CLI binary as a
// child process, at default settings (batch_size, poll_interval_ms, the embedded registry, the file
// checkpoint), pattern: log, streaming an initially empty table while a writer commits at a fixed rate.
//
// Measured like the in-process bench measures commit→Kafka-ack, from outside the process: the CLI
// prints a progress line (JSON, with its time) after each batch was acknowledged by the broker and
// its checkpoint saved; the changes of this table arrive in commit order, so the n-th change is
// acknowledged by the first progress line whose `read` count reaches n. Each change's latency is that
// line's time minus the moment its INSERT was sent (conservative: includes the statement itself).
// The table is empty when the CLI starts, so its snapshot is one empty chunk; a warm-up at the same
// rate (not measured) precedes the measured seconds.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { ascending, percentile } from '../lib.mjs';

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

/**
 * Run the CLI against `url` / `bootstrap`, write `rate` changes/s for `seconds`, and return p50/p99/max
 * commit→ack in ms. `bin` is bin/schemactl.js of a build.
 */
export async function measureCliLatency({ url, bootstrap, bin, workDir, rate = 1000, seconds = 10, warmupSeconds = 2, table = 'lat_events', topic = 'lat-events', tickMs = 20 }) {
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
      pattern: log
      connection: ${url}
      table: public.${table}
`);
  const child = spawn(process.execPath, [bin, 'publish', '--brokers', bootstrap, '--log-format', 'json'], { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const acks = []; // { t, read }
  let streaming = false;
  let snapshotDone = false;
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
      if (ev.msg === 'progress') acks.push({ t: Date.parse(ev.time), read: ev.read });
      else if (ev.msg === 'streaming') streaming = true;
      else if (ev.msg === 'snapshot done') snapshotDone = true;
    }
  });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  try {
    const ready = Date.now() + 60_000;
    while (!(streaming && snapshotDone) && Date.now() < ready && child.exitCode === null) await sleep(50);
    if (!streaming || !snapshotDone) throw new Error(`the publisher did not start streaming:\n${out}${err}`);
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
    return {
      target: rate, offered: Math.round(written / writeSecs), written, delivered,
      p50ms: +percentile(sorted, 50).toFixed(1), p99ms: +percentile(sorted, 99).toFixed(1), maxms: +percentile(sorted, 100).toFixed(1),
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
export async function runCliMode({ seconds, rate, baseline }) {
  const { buildPublisher, ROOT } = await import('./build.mjs');
  const { existsSync, rmSync, symlinkSync } = await import('node:fs');
  const { pathToFileURL } = await import('node:url');
  const work = join(ROOT, 'bench/.work/cdc-cli');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const out = join(work, 'build');
  buildPublisher(out, ['test/support/pg-cluster.ts', 'test/support/kafka.ts']);
  if (!existsSync(join(out, 'test/support/kafka'))) symlinkSync(join(ROOT, 'test/support/kafka'), join(out, 'test/support/kafka'));
  const load = (p) => import(pathToFileURL(join(out, p)).href);
  const { startPgCluster } = await load('test/support/pg-cluster.js');
  const { startKafka } = await load('test/support/kafka.js');
  console.log('building the CLI, starting PostgreSQL 15 and Kafka 4.1 …');
  // the installed layout: bin/ beside dist/, package.json and the catalog's JSON Schema
  const cli = join(work, 'cli');
  const { spawnSync } = await import('node:child_process');
  const { copyFileSync } = await import('node:fs');
  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(cli, 'dist')], { cwd: ROOT, encoding: 'utf8' });
  if (!existsSync(join(cli, 'dist/src/cli/main.js'))) throw new Error(`building the CLI failed:\n${tsc.stdout}${tsc.stderr}`);
  mkdirSync(join(cli, 'bin'), { recursive: true });
  copyFileSync(join(ROOT, 'bin/schemactl.js'), join(cli, 'bin/schemactl.js'));
  for (const f of ['package.json', 'schemactl.schema.json']) copyFileSync(join(ROOT, f), join(cli, f));
  if (!existsSync(join(cli, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(cli, 'node_modules'));
  const bin = join(cli, 'bin/schemactl.js');
  const [cluster, broker] = await Promise.all([startPgCluster(), startKafka({ workDir: join(work, 'kafka') })]);
  try {
    const runs = [['this build', bin], ...(baseline ? [['baseline', baseline]] : [])];
    const results = {};
    for (const [name, b] of runs) {
      const r = await measureCliLatency({ url: cluster.url, bootstrap: broker.bootstrap, bin: b, workDir: join(work, `project-${Object.keys(results).length}`), rate, seconds, table: `lat_${Object.keys(results).length}`, topic: `lat-${Object.keys(results).length}` });
      results[name] = r;
      console.log(`${name}: schemactl publish (pattern: log, default settings) at ${rate} changes/s: offered ${r.offered}/s for ${seconds} s, delivered ${r.delivered}/${r.written}, commit→ack p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms`);
    }
    if (results.baseline) console.log(`ratio this build / baseline: p50 ${(results['this build'].p50ms / results.baseline.p50ms).toFixed(2)}×, p99 ${(results['this build'].p99ms / results.baseline.p99ms).toFixed(2)}×`);
    console.log(JSON.stringify(results));
  } finally {
    await Promise.all([cluster.stop(), broker.stop()]);
  }
}
