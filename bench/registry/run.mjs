#!/usr/bin/env node
// Registry throughput: registrations/s and lookups/s over HTTP against the served registry (compiled JS,
// own process, durable store with fsync), with p50/p99 latency. Anchor, same run and same client: a plain
// node:http server in its own process that answers every POST with a fixed JSON body. The ratio says how
// much of raw node:http request throughput the registry keeps on this machine.
//
//   node bench/registry/run.mjs [--registrations 1000] [--lookups 5000] [--concurrency 32] [--dist]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ascending, percentile } from '../lib.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    registrations: { type: 'string', default: '1000' },
    lookups: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    dist: { type: 'boolean', default: false },
  },
});
const REGS = Number(opt.registrations);
const LOOKUPS = Number(opt.lookups);
const CONC = Number(opt.concurrency);
const SUBJECTS = 20;

function serverModule() {
  const built = join(root, 'dist/src/registry/server.js');
  if (opt.dist) {
    if (!existsSync(built)) throw new Error('no dist/: run `npm run build` first, or drop --dist');
    return built;
  }
  // measure the current sources, not a possibly stale dist/: compile just the server and its imports
  // (other modules' type errors don't block the emit)
  const out = join(root, 'bench/.work/registry-dist');
  try {
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--ignoreConfig', '--outDir', out, '--rootDir', root,
      '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--esModuleInterop', '--skipLibCheck',
      '--types', 'node', '--resolveJsonModule', join(root, 'src/registry/server.ts')], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    if (!/error TS/.test(String(e.stdout))) throw e;
  }
  return join(out, 'src/registry/server.js');
}

function startChild(source, args) {
  const dir = join(root, 'bench/.work');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res, rej) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) res({ child, url: buf.slice(0, nl).trim(), file });
    });
    child.on('exit', (code) => rej(new Error(`child exited ${code}`)));
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
function request(url, method, path, body) {
  return new Promise((res, rej) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = http.request(url + path, {
      method, agent,
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...(data ? { 'content-length': data.length } : {}) },
    }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', rej);
    req.end(data);
  });
}

/** Runs `jobs` with CONC in flight; returns throughput and latency percentiles. */
async function load(name, jobs, fn) {
  const lat = new Float64Array(jobs.length);
  let next = 0;
  let failures = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONC }, async () => {
    while (next < jobs.length) {
      const i = next++;
      const s = performance.now();
      const r = await fn(jobs[i]);
      lat[i] = performance.now() - s;
      if (r.status !== 200) {
        failures++;
        if (failures === 1) console.error(`${name}: HTTP ${r.status} ${r.text}`);
      }
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  const sorted = ascending(lat);
  return { name, n: jobs.length, failures, perSec: jobs.length / secs, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

const schemaFor = (s, v) => JSON.stringify({
  type: 'record', name: `Event${s}`, namespace: 'bench',
  fields: [{ name: 'id', type: 'string' }, ...Array.from({ length: v }, (_, k) => ({ name: `f${k}`, type: 'long', default: 0 }))],
});

const mod = serverModule();
const dataDir = mkdtempSync(join(tmpdir(), 'schemactl-bench-'));
const reg = await startChild(
  `import { serveRegistry } from ${JSON.stringify(mod)};\n` +
    `const s = await serveRegistry({ port: 0, dataDir: process.argv[2] });\nconsole.log(s.url);\n`,
  [dataDir],
);
const echo = await startChild(
  `import http from 'node:http';\n` +
    `const body = JSON.stringify({ subject: 's', version: 1, id: 1, schema: 'x' });\n` +
    `const srv = http.createServer((req, res) => { req.resume(); req.on('end', () => { ` +
    `res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json', 'content-length': Buffer.byteLength(body) }); res.end(body); }); });\n` +
    `srv.keepAliveTimeout = 5000; srv.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + srv.address().port));\n`,
  [],
);

const anchor = () => load('anchor: node:http fixed-JSON server', Array.from({ length: LOOKUPS }, (_, i) => i), (i) =>
  request(echo.url, 'POST', `/subjects/bench-${i % SUBJECTS}`, { schema: schemaFor(i % SUBJECTS, 25) }));

try {
  const anchorBefore = await anchor();
  // registrations under the default BACKWARD level: each version adds a field with a default, so the
  // real compatibility engine runs on every one; versions of a subject are issued in order
  const perSubject = Math.ceil(REGS / SUBJECTS);
  const regJobs = [];
  for (let v = 0; v < perSubject; v++) for (let s = 0; s < SUBJECTS && regJobs.length < REGS; s++) regJobs.push({ s, v });
  const regRes = await load('register (POST /subjects/{s}/versions, BACKWARD, fsync)', regJobs, ({ s, v }) =>
    request(reg.url, 'POST', `/subjects/bench-${s}/versions`, { schema: schemaFor(s, v) }));

  const lookJobs = Array.from({ length: LOOKUPS }, (_, i) => ({ s: i % SUBJECTS, v: Math.floor(i / SUBJECTS) % perSubject }));
  const lookRes = await load('lookup (POST /subjects/{s})', lookJobs, ({ s, v }) =>
    request(reg.url, 'POST', `/subjects/bench-${s}`, { schema: schemaFor(s, v) }));

  const getRes = await load('get latest (GET /subjects/{s}/versions/latest)', lookJobs, ({ s }) =>
    request(reg.url, 'GET', `/subjects/bench-${s}/versions/latest`));

  // the machine may be shared: run the anchor before and after and keep the faster run, which makes
  // the ratio conservative
  const anchorRes = [anchorBefore, await anchor()].sort((a, b) => b.perSec - a.perSec)[0];

  console.log(`\nschemactl registry bench — ${cpus().length} CPUs, Node ${process.version}, concurrency ${CONC}\n`);
  console.log('phase'.padEnd(58) + 'req/s'.padStart(10) + 'p50 ms'.padStart(10) + 'p99 ms'.padStart(10) + 'fail'.padStart(6) + '  ×anchor');
  for (const r of [regRes, lookRes, getRes, anchorRes]) {
    console.log(r.name.padEnd(58) + r.perSec.toFixed(0).padStart(10) + r.p50.toFixed(2).padStart(10) + r.p99.toFixed(2).padStart(10) +
      String(r.failures).padStart(6) + `  ${(r.perSec / anchorRes.perSec).toFixed(3)}`);
  }
  console.log(`\nratio lookups/anchor = ${(lookRes.perSec / anchorRes.perSec).toFixed(3)}; registrations/anchor = ${(regRes.perSec / anchorRes.perSec).toFixed(3)}`);
  console.log(JSON.stringify({ concurrency: CONC, register: regRes, lookup: lookRes, getLatest: getRes, anchor: anchorRes }));
  if (regRes.failures + lookRes.failures + getRes.failures > 0) process.exitCode = 1;
} finally {
  agent.destroy();
  for (const c of [reg, echo]) {
    c.child.kill('SIGTERM');
    rmSync(c.file, { force: true });
  }
  rmSync(dataDir, { recursive: true, force: true });
}
