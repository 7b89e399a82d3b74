#!/usr/bin/env node
// `schemactl publish` throughput, end to end: a fresh PostgreSQL table of ~200-byte rows → the real
// publisher binary (its own process: gate, keyset reads, mapping, Avro, idempotent acks=all producer,
// checkpoints) → a real Kafka 4.1 broker started here. Anchor, same run and same broker: Kafka's own
// org.apache.kafka.tools.ProducerPerformance with the publisher's producer settings (acks=all,
// idempotent, lz4 or --compression) and the same number of records, each one of the table's rows as
// text (about the size of the publisher's ~205-byte Avro events, as compressible), the machine's limit
// for one producer. The CLI is built as `npm run build` builds it. Also the publisher's peak RSS at a tenth of the rows: batches are bounded, so memory must not
// grow with the table.
//
// Before the main run, a sweep of batch_size on the small table (each a fresh topic, same broker, same
// run) shows where the default comes from; the main runs use the catalog's defaults (no batch_size, no
// compression setting) unless --batch-size is given.
//
//   node bench/publish/run.mjs [--rows 1000000] [--small 100000] [--sweep 1000,2000,5000,10000] [--batch-size N] [--pg postgres://…] [--keep] [--trace-gc]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Consumer } from '@platformatic/kafka';
import { buildCli } from '../lib.mjs';
import { createTable, schema, startKafka } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    small: { type: 'string', default: '100000' },
    'batch-size': { type: 'string' },
    // batch sizes to compare on the small table before the main runs ('' to skip)
    sweep: { type: 'string', default: '1000,2000,5000,10000' },
    // kafka.compression for every run (default: the catalog's default, lz4)
    compression: { type: 'string' },
    pg: { type: 'string', default: process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test' },
    keep: { type: 'boolean', default: false },
    // print the publisher's live heap after full collections (adds node's --trace-gc to its command line)
    'trace-gc': { type: 'boolean', default: false },
    // e.g. --node-args=--cpu-prof to profile the publisher
    'node-args': { type: 'string', default: '' },
    'skip-perf': { type: 'boolean', default: false },
    // keep the publisher's stdout (JSON progress lines, and any --node-args trace) in bench/.work
    log: { type: 'boolean', default: false },
    // a prebuilt launcher (e.g. an older build, for before/after numbers) instead of building the sources
    cli: { type: 'string' },
  },
});
const ROWS = Number(opt.rows);
const SMALL = Number(opt.small);
const work = join(root, 'bench/.work');
mkdirSync(work, { recursive: true });
const dir = mkdtempSync(join(work, 'publish-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });


/** Run the publisher to completion; peak RSS is the kernel's high-water mark (VmHWM) sampled until exit. */
async function runPublisher(bin, table, topic, bootstrap, batchSize = opt['batch-size']) {
  const proj = join(dir, topic);
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, 'entry.avsc'), schema);
  writeFileSync(join(proj, 'schemactl.yaml'), `${opt.compression ? `kafka:\n  compression: ${opt.compression}\n` : ''}streams:
  - topic: ${topic}
    kind: store
    schema: entry.avsc
    key: id
    source:
      connection: ${opt.pg}
      table: ${table}
${batchSize ? `      batch_size: ${batchSize}\n` : ''}`);
  const started = process.hrtime.bigint();
  // /usr/bin/time reports the publisher's own CPU seconds (stable on a shared machine, unlike wall time)
  // and its peak RSS; with --trace-gc (not as users run it: a line per collection on stdout) the live
  // heap after every full collection
  const nodeArgs = [...(opt['trace-gc'] ? ['--trace-gc'] : []), ...opt['node-args'].split(' ').filter(Boolean), bin, 'publish', '--once', '--brokers', bootstrap, '--log-format', 'json'];
  const timed = existsSync('/usr/bin/time');
  const child = timed
    ? spawn('/usr/bin/time', ['-f', 'TIME %U %S %M', process.execPath, ...nodeArgs], { cwd: proj, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, nodeArgs, { cwd: proj, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let peakKb = 0;
  let liveMb = 0;
  let firstProgress = 0n;
  let lastLine = '';
  let stderr = '';
  let buf = '';
  const logFile = opt.log ? join(work, `publisher-${topic}.log`) : undefined;
  if (logFile) writeFileSync(logFile, '');
  child.stdout.on('data', (d) => {
    if (logFile) writeFileSync(logFile, d, { flag: 'a' });
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (!firstProgress && line.includes('"msg":"progress"')) firstProgress = process.hrtime.bigint();
      const gc = /Mark-Compact [\d.]+ \([\d.]+\) -> ([\d.]+) \(/.exec(line);
      if (gc && firstProgress) liveMb = Math.max(liveMb, Number(gc[1]));
      if (line.includes('"msg":"summary"')) lastLine = line;
    }
  });
  child.stderr.on('data', (d) => { stderr += d; });
  const sample = setInterval(() => {
    if (timed) return;
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch { /* exited */ }
  }, 50);
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  clearInterval(sample);
  children.delete(child);
  const ended = process.hrtime.bigint();
  if (code !== 0) throw new Error(`publisher exited ${code}: ${stderr}\n${lastLine}`);
  let cpuS = NaN;
  const t = /TIME ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
  if (t) {
    cpuS = Number(t[1]) + Number(t[2]);
    peakKb = Number(t[3]);
  }
  const summary = JSON.parse(lastLine);
  const published = summary.streams[0].published;
  const totalS = Number(ended - started) / 1e9;
  const steadyS = Number(ended - firstProgress) / 1e9;
  return { published, totalS, steadyS, peakMb: peakKb / 1024, cpuS, liveMb };
}

/**
 * The anchor's records: 10,000 of the table's rows as text (`id|account_id|…|updated_at`, about the
 * size of the publisher's Avro events and as compressible: the repeated md5 in the description),
 * which ProducerPerformance sends in random order; random letters (its --record-size) barely compress.
 */
async function payloadFile(client, table) {
  const { rows } = await client.query(`SELECT concat_ws('|', id, account_id, amount, status, description, occurred_at, updated_at) AS line FROM ${table} ORDER BY id LIMIT 10000`);
  const file = join(dir, 'payloads.txt');
  writeFileSync(file, rows.map((r) => r.line).join('\n'));
  return { file, avgBytes: rows.reduce((n, r) => n + Buffer.byteLength(r.line), 0) / rows.length };
}

/** The producer settings the anchor runs with: the publisher's (acks=all, idempotent, its compression), the rest Kafka's defaults. */
const perfProps = () => ['acks=all', 'enable.idempotence=true', `compression.type=${opt.compression ?? 'lz4'}`];

function producerPerformance(lib, bootstrap, records, payloads) {
  const r = spawnSync('java', ['-Xmx512m', '-cp', `${lib}/*`, `-Dlog4j2.configurationFile=${join(root, 'test/support/kafka/log4j2.properties')}`, 'org.apache.kafka.tools.ProducerPerformance',
    '--topic', `perf-${Date.now()}`, '--num-records', String(records), '--payload-file', payloads.file, '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${bootstrap}`, ...perfProps()], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = r.stdout.trim().split('\n').filter((l) => /records sent/.test(l)).at(-1);
  const m = last && /^(\d+) records sent, ([\d.]+) records\/sec/.exec(last.trim());
  if (!m) throw new Error(`ProducerPerformance printed no summary:\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
  return { records: Number(m[1]), perSec: Number(m[2]), line: last.trim() };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Records on the topic (the sum of its partitions' end offsets): what the broker appended, not what the publisher says it sent. */
async function onTopic(bootstrap, topic) {
  const c = new Consumer({ groupId: `bench-count-${process.pid}`, clientId: 'bench-count', bootstrapBrokers: [bootstrap] });
  try {
    const ends = (await c.listOffsets({ topics: [topic] })).get(topic) ?? [];
    return ends.reduce((n, o) => n + Number(o), 0);
  } finally {
    await c.close();
  }
}

async function mainBench() {
  console.log(`building the CLI …`);
  const bin = opt.cli ? resolve(opt.cli) : buildCli(join(work, 'publish-build'));
  console.log(`starting Kafka …`);
  const kafka = await startKafka(dir, children);
  const client = new pg.Client({ connectionString: opt.pg });
  await client.connect();
  const big = `bench_publish_${process.pid}`;
  const small = `bench_publish_small_${process.pid}`;
  try {
    console.log(`filling ${fmt(ROWS)} + ${fmt(SMALL)} rows …`);
    await createTable(client, big, ROWS);
    await createTable(client, small, SMALL);
    const payloads = await payloadFile(client, small);
    const perfLabel = `ProducerPerformance (${perfProps().join(', ')}; payloads: table rows as text, ${payloads.avgBytes.toFixed(0)} B on average; no key)`;
    // warm the broker and the JIT of both sides once on the small table, then measure: a broker that
    // has already taken a few hundred thousand records appends faster (ProducerPerformance gave 117-130k
    // records/s on a fresh broker and 173k after the sweep's runs, same machine), so the anchor is
    // measured on a broker as warm as the publisher's and brackets its run
    const s = await runPublisher(bin, small, `bench-small-${process.pid}`, kafka.bootstrap);
    if (!opt['skip-perf']) producerPerformance(kafka.lib, kafka.bootstrap, Math.min(ROWS, 300_000), payloads);
    const sweep = opt.sweep ? opt.sweep.split(',').map(Number) : [];
    const swept = [];
    if (sweep.length) {
      const perfSmall = opt['skip-perf'] ? { perSec: NaN } : producerPerformance(kafka.lib, kafka.bootstrap, SMALL, payloads);
      for (const size of sweep) {
        const r = await runPublisher(bin, small, `bench-sweep-${size}-${process.pid}`, kafka.bootstrap, String(size));
        swept.push({ size, eps: SMALL / r.totalS, steady: SMALL / r.steadyS, peakMb: r.peakMb, cpuUs: (r.cpuS * 1e6) / SMALL, perf: perfSmall.perSec });
        console.log(`  batch_size ${String(size).padStart(6)}: ${fmt(SMALL / r.totalS)} events/s end to end, ${fmt(SMALL / r.steadyS)}/s from the first batch, ${((r.cpuS * 1e6) / SMALL).toFixed(1)} µs CPU/row, peak RSS ${r.peakMb.toFixed(0)} MiB`);
      }
    }
    console.log(`${perfLabel}, ${fmt(ROWS)} records, before and after the publisher …`);
    const before = opt['skip-perf'] ? { perSec: NaN, line: 'skipped' } : producerPerformance(kafka.lib, kafka.bootstrap, ROWS, payloads);
    console.log(`schemactl publish ${fmt(ROWS)} rows …`);
    const b = await runPublisher(bin, big, `bench-big-${process.pid}`, kafka.bootstrap);
    const after = opt['skip-perf'] ? { perSec: NaN, line: 'skipped' } : producerPerformance(kafka.lib, kafka.bootstrap, ROWS, payloads);
    // the anchor: the mean of the two runs around the publisher's
    const perf = { perSec: (before.perSec + after.perSec) / 2, line: `${fmt(before.perSec)} before, ${fmt(after.perSec)} after; last: ${after.line}` };
    if (b.published !== ROWS || s.published !== SMALL) throw new Error(`published ${b.published}/${ROWS} and ${s.published}/${SMALL}`);
    const appended = await onTopic(kafka.bootstrap, `bench-big-${process.pid}`);
    if (appended !== ROWS) throw new Error(`the publisher reported ${fmt(ROWS)} events, the topic holds ${fmt(appended)}`);
    const eps = ROWS / b.totalS;
    const steady = ROWS / b.steadyS;
    console.log('');
    console.log(`Kafka ProducerPerformance      ${fmt(perf.perSec).padStart(10)} records/s   (${perfLabel}: ${perf.line})`);
    console.log(`schemactl publish, end to end  ${fmt(eps).padStart(10)} events/s    (${b.totalS.toFixed(1)} s incl. start-up and gate; ${fmt(steady)}/s from the first batch)`);
    console.log(`ratio                          ${(eps / perf.perSec).toFixed(2)}×  (target ≥ 0.70×)`);
    console.log(`publisher CPU                  ${b.cpuS.toFixed(1)} s for ${fmt(ROWS)} rows (${(b.cpuS * 1e6 / ROWS).toFixed(1)} µs/row, user+sys)`);
    console.log(`peak RSS of the publisher      ${b.peakMb.toFixed(0)} MiB at ${fmt(ROWS)} rows, ${s.peakMb.toFixed(0)} MiB at ${fmt(SMALL)} rows (${(((b.peakMb - s.peakMb) / s.peakMb) * 100).toFixed(1)}%, target within 10%)`);
    if (opt['trace-gc']) console.log(`live heap after full GCs (max) ${b.liveMb.toFixed(0)} MiB at ${fmt(ROWS)} rows, ${s.liveMb ? s.liveMb.toFixed(0) + ' MiB' : 'no full GC'} at ${fmt(SMALL)} rows`);
    if (swept.length) {
      console.log(`batch_size sweep on ${fmt(SMALL)} rows (ProducerPerformance on ${fmt(SMALL)} records: ${fmt(swept[0].perf)}/s):`);
      for (const w of swept) console.log(`  ${String(w.size).padStart(6)}  ${fmt(w.eps).padStart(8)} events/s  ${(w.eps / w.perf).toFixed(2)}×  ${w.cpuUs.toFixed(1)} µs CPU/row  ${w.peakMb.toFixed(0)} MiB`);
    }
  } finally {
    if (!opt.keep) {
      await client.query(`DROP TABLE IF EXISTS ${big}`).catch(() => {});
      await client.query(`DROP TABLE IF EXISTS ${small}`).catch(() => {});
    }
    await client.end();
    await kafka.stop();
    if (!opt.keep) rmSync(dir, { recursive: true, force: true });
  }
}

mainBench().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
