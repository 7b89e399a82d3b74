#!/usr/bin/env node
// `schemactl publish` memory against table size: the real CLI binary at default settings (as users run
// it: no batch_size, the default lz4 compression) publishes fresh PostgreSQL tables of ~200-byte rows of
// several sizes to a real Kafka broker started here, one after the other. For each run: peak RSS (the
// kernel's VmHWM, from /proc), and over time, from the publisher's own /metrics (--metrics-port),
// RSS, JS heap used, external memory (Buffers, ArrayBuffers, WebAssembly memories) and ArrayBuffers. The
// anchor is the smallest table in the same run: the largest's peak RSS is printed beside it with their
// ratio (target: within 10 %, memory must not follow the table size).
//
//   node bench/publish/memory.mjs [--sizes 100000,300000,1000000] [--pattern query|log] [--batch-size N]
//        [--compression lz4|none|…] [--env NAME=VALUE …] [--also NAME=VALUE[,…] …] [--repeat N]
//        [--cli path/to/bin/schemactl.js] [--series] [--keep]
//
// --also runs a variant (environment) on the same tables right after the default, e.g.
// --also SCHEMACTL_HEAP_GROWING_PERCENT=0: V8's own heap growth, as before the publisher bounded it.
//
// --pattern log needs a throwaway PostgreSQL with wal_level=logical (test/support/pg-cluster.ts, compiled
// here); each size is then a snapshot of a fresh table through its own slot.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildCli, createTable, fmt, root, sleep, startKafka, work, writeProject } from './harness.mjs';

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,300000,1000000' },
    pattern: { type: 'string', default: 'query' },
    'batch-size': { type: 'string' },
    compression: { type: 'string' },
    pg: { type: 'string', default: process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test' },
    // extra environment for the publisher, e.g. --env MALLOC_ARENA_MAX=2 (a comparison, not a default)
    env: { type: 'string', multiple: true, default: [] },
    // another variant run on the same tables after the default one, e.g. --also SCHEMACTL_HEAP_GROWING_PERCENT=0
    // (V8's own heap growth) as the anchor the default is compared with; NAME=VALUE[,NAME=VALUE…]
    also: { type: 'string', multiple: true, default: [] },
    cli: { type: 'string' },
    // print every sample (time, RSS, heap used, external, arrayBuffers) of every run
    series: { type: 'boolean', default: false },
    // run the sizes this many times, alternating, and report each run
    repeat: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    // keep each publisher's stdout (JSON lines, and e.g. --env NODE_OPTIONS=--trace-gc output) in bench/.work
    log: { type: 'boolean', default: false },
    // flags for the publisher's node, e.g. --node-args=--trace-gc (with --log)
    'node-args': { type: 'string', default: '' },
  },
});
if (!['query', 'log'].includes(opt.pattern)) throw new Error(`--pattern must be query or log, not ${opt.pattern}`);
const SIZES = opt.sizes.split(',').map(Number);
const REPEAT = Number(opt.repeat);
const parseEnv = (list) => Object.fromEntries(list.map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1)]; }));
const extraEnv = parseEnv(opt.env);
const load = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim().replace(/^.*load average:\s*/, 'load ');
const MiB = (b) => (b / 1048576).toFixed(0);
mkdirSync(work, { recursive: true });
const dir = mkdtempSync(join(work, 'memory-'));
const children = new Set();
process.on('exit', () => { for (const c of children) c.kill('SIGKILL'); });
// Ctrl-C or a kill: leave through 'exit' so the broker and the publisher go too
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

async function scrape(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await res.text();
  const get = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: get('process_resident_memory_bytes'), heapUsed: get('nodejs_heap_size_used_bytes'), heapTotal: get('nodejs_heap_size_total_bytes'),
    external: get('nodejs_external_memory_bytes'), arrayBuffers: get('nodejs_array_buffers_bytes'),
  };
}

/** One `publish --once` to completion: VmHWM from /proc every 50 ms, /metrics every 250 ms. */
async function runPublisher(bin, projDir, rows, variantEnv) {
  const child = spawn(process.execPath, [...opt['node-args'].split(' ').filter(Boolean), bin, 'publish', '--once', '--brokers', kafka.bootstrap, '--log-format', 'json', '--metrics-port', '0'], {
    cwd: projDir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...extraEnv, ...variantEnv },
  });
  children.add(child);
  const started = Date.now();
  let port;
  let summary;
  let stderr = '';
  let buf = '';
  const logFile = opt.log ? join(work, `memory-${basename(projDir)}.log`) : undefined;
  if (logFile) writeFileSync(logFile, '');
  child.stdout.on('data', (d) => {
    if (logFile) appendFileSync(logFile, d);
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.includes('"metrics listening"')) port = JSON.parse(line).port;
      if (line.includes('"msg":"summary"')) summary = JSON.parse(line);
    }
  });
  child.stderr.on('data', (d) => { stderr += d; });
  let hwm = 0;
  let cpuTicks = 0;
  const status = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwm = Math.max(hwm, Number(m[1]) * 1024);
      // utime + stime in clock ticks (100/s): the publisher's CPU, steadier than wall time on a shared machine
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpuTicks = Number(f[11]) + Number(f[12]);
    } catch { /* exited */ }
  }, 50);
  const samples = [];
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      if (port) {
        try {
          samples.push({ t: (Date.now() - started) / 1000, ...(await scrape(port)) });
        } catch { /* not listening yet, or gone */ }
      }
      await sleep(250);
    }
  })();
  const code = await new Promise((r) => child.once('exit', (c) => r(c)));
  scraping = false;
  clearInterval(status);
  await scraper;
  children.delete(child);
  if (code !== 0) throw new Error(`publisher exited ${code}: ${stderr}`);
  const published = summary?.streams?.[0]?.published;
  if (published !== rows) throw new Error(`published ${published}/${rows}`);
  const max = (k) => Math.max(...samples.map((s) => s[k]).filter(Number.isFinite));
  return { rows, seconds: (Date.now() - started) / 1000, cpuS: cpuTicks / 100, hwm, samples, maxHeapUsed: max('heapUsed'), maxExternal: max('external'), maxArrayBuffers: max('arrayBuffers'), maxRss: max('rss') };
}

// ------------------------------------------------------------------------------------------- services
console.log(`building the CLI … (${load()})`);
const bin = opt.cli ? resolve(opt.cli) : buildCli();
console.log('starting Kafka …');
const kafka = await startKafka(dir, children);
let pgUrl = opt.pg;
let cluster;
if (opt.pattern === 'log') {
  // the tests' throwaway cluster helper, compiled beside the CLI
  const { buildPublisher } = await import('../cdc/build.mjs');
  const support = join(dir, 'support');
  buildPublisher(support, ['test/support/pg-cluster.ts']);
  if (!existsSync(join(support, 'node_modules'))) symlinkSync(join(root, 'node_modules'), join(support, 'node_modules'));
  const { startPgCluster } = await import(pathToFileURL(join(support, 'test/support/pg-cluster.js')).href);
  cluster = await startPgCluster();
  pgUrl = cluster.url;
}
const client = new pg.Client({ connectionString: pgUrl });
await client.connect();

// the default (the CLI as users run it) first; each --also is run on the same tables right after it
const variants = [{ label: 'default', env: {} }, ...opt.also.map((spec) => ({ label: spec, env: parseEnv(spec.split(',')) }))];
const results = [];
try {
  for (let rep = 0; rep < REPEAT; rep++) {
    for (const rows of SIZES) {
      const table = `bench_memory_${rows}_${rep}_${process.pid}`;
      console.log(`filling ${fmt(rows)} rows … (${load()})`);
      await createTable(client, table, rows);
      for (const [vi, variant] of variants.entries()) {
        const name = `${table}_${vi}`;
        const proj = join(dir, name);
        writeProject(proj, {
          topic: name.replace(/_/g, '-'), table, pg: pgUrl, batchSize: opt['batch-size'], compression: opt.compression,
          ...(opt.pattern === 'log' ? { pattern: 'log', slot: name } : {}),
        });
        const before = load();
        const r = await runPublisher(bin, proj, rows, variant.env);
        r.load = `${before} → ${load()}`;
        r.variant = variant.label;
        results.push(r);
        console.log(`  ${fmt(rows).padStart(9)} rows, ${variant.label}: peak RSS ${MiB(r.hwm)} MiB; max over samples: heap used ${MiB(r.maxHeapUsed)} MiB, external ${MiB(r.maxExternal)} MiB, arrayBuffers ${MiB(r.maxArrayBuffers)} MiB; ${r.seconds.toFixed(1)} s, CPU ${r.cpuS.toFixed(1)} s (${r.load})`);
        if (opt.series) {
          for (const x of r.samples) console.log(`    t=${x.t.toFixed(1).padStart(6)} rss ${MiB(x.rss).padStart(4)} heapUsed ${MiB(x.heapUsed).padStart(4)} heapTotal ${MiB(x.heapTotal).padStart(4)} external ${MiB(x.external).padStart(4)} arrayBuffers ${MiB(x.arrayBuffers).padStart(4)}`);
        }
        if (opt.pattern === 'log' && !opt.keep) await client.query('SELECT pg_drop_replication_slot($1) FROM pg_replication_slots WHERE slot_name = $1', [name]).catch(() => {});
      }
      if (!opt.keep) await client.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
  const small = SIZES[0];
  const big = SIZES[SIZES.length - 1];
  console.log('');
  console.log(`schemactl publish --once, pattern ${opt.pattern}, ${opt['batch-size'] ? `batch_size ${opt['batch-size']}` : 'default batch_size'}, ${opt.compression ?? 'default compression (lz4)'}${opt.env.length ? `, env ${opt.env.join(' ')}` : ''}`);
  console.log(`${'rows'.padStart(10)}  ${'variant'.padEnd(40)}  ${'peak RSS'.padStart(9)}  ${'heap used'.padStart(9)}  ${'external'.padStart(9)}  ${'arrayBuf'.padStart(9)}  ${'CPU µs/row'.padStart(10)}  ${'wall s'.padStart(7)}  load`);
  for (const r of results) {
    console.log(`${fmt(r.rows).padStart(10)}  ${r.variant.padEnd(40)}  ${(MiB(r.hwm) + ' MiB').padStart(9)}  ${(MiB(r.maxHeapUsed) + ' MiB').padStart(9)}  ${(MiB(r.maxExternal) + ' MiB').padStart(9)}  ${(MiB(r.maxArrayBuffers) + ' MiB').padStart(9)}  ${((r.cpuS * 1e6) / r.rows).toFixed(1).padStart(10)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.load}`);
  }
  for (const v of variants) {
    const peak = (n) => Math.max(...results.filter((r) => r.rows === n && r.variant === v.label).map((r) => r.hwm));
    const ratio = peak(big) / peak(small);
    console.log(`${v.label}: peak RSS ${fmt(big)} vs ${fmt(small)} rows: ${MiB(peak(big))} vs ${MiB(peak(small))} MiB, ratio ${ratio.toFixed(2)}× (${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)} %, target within 10 %)`);
  }
} finally {
  await client.end();
  await kafka.stop();
  await cluster?.stop();
  if (!opt.keep) rmSync(dir, { recursive: true, force: true });
}
