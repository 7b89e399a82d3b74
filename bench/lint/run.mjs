#!/usr/bin/env node
// Lint benchmark: generates (deterministically) 2,000 proto3 event files and 10,000 .avsc files in
// bench/.work/, then runs the built `schemactl lint` on each set and `buf lint` (STANDARD rules) on
// the same protos in the same run, measuring wall time and peak RSS. buf is the anchor: the ratios
// ours/buf are what we track, since absolute numbers depend on the machine.
//
//   node bench/lint/run.mjs [--runs N] [--protos N] [--avsc N]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ascending, percentile, rng } from '../lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORK = path.join(ROOT, 'bench/.work');
const BIN = path.join(ROOT, 'bin/schemactl.js');
const BUF = path.join(ROOT, 'node_modules/.bin/buf');
const TIME = '/usr/bin/time';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const RUNS = arg('runs', 3);
const N_PROTO = arg('protos', 2000);
const N_AVSC = arg('avsc', 10000);

const NOUNS = ['order', 'payment', 'shipment', 'customer', 'invoice', 'refund', 'cart', 'product', 'stock', 'account', 'subscription', 'coupon', 'review', 'address', 'parcel', 'delivery'];
const VERBS = ['placed', 'captured', 'shipped', 'registered', 'issued', 'requested', 'updated', 'cancelled', 'adjusted', 'opened', 'closed', 'renewed', 'approved', 'rejected'];
const FIELDS = ['amount_minor', 'quantity', 'remark', 'reference', 'channel_name', 'sku', 'email', 'display_name', 'line_count', 'weight_grams', 'score', 'comment', 'region', 'carrier'];
const pascal = (s) => s.split('_').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
const upper = (s) => s.toUpperCase();

function protoFile(i, r) {
  const noun = NOUNS[i % NOUNS.length];
  const verb = VERBS[Math.floor(r() * VERBS.length)];
  const name = `${pascal(noun)}${pascal(verb)}${i}`;
  const enumName = `${name}Status`;
  const prefix = upper(`${noun}_${verb}${i}_status`);
  const extra = FIELDS.filter(() => r() < 0.5);
  const scalar = ['string', 'int64', 'int32', 'bool'];
  const lines = [
    'syntax = "proto3";',
    '',
    `package acme.domain${i % 100}.v1;`,
    '',
    'import "google/protobuf/timestamp.proto";',
    '',
    `// ${enumName} is the lifecycle state of a ${noun}.`,
    `enum ${enumName} {`,
    `  ${prefix}_UNSPECIFIED = 0;`,
    `  ${prefix}_PENDING = 1;`,
    `  ${prefix}_DONE = 2;`,
    '}',
    '',
    `// ${name} records that a ${noun} was ${verb}.`,
    `message ${name} {`,
    `  // Identifier of the ${noun}.`,
    `  string ${noun}_id = 1;`,
    '  // Lifecycle state.',
    `  ${enumName} status = 2;`,
    '  // When the event happened.',
    '  google.protobuf.Timestamp occurred_at = 3;',
    '  // When this version was written.',
    '  google.protobuf.Timestamp updated_at = 4;',
  ];
  extra.forEach((f, k) => lines.push(`  // The ${f.replace(/_/g, ' ')}.`, `  ${scalar[(i + k) % scalar.length]} ${f} = ${5 + k};`));
  lines.push('}', '');
  return { dir: `acme/domain${i % 100}/v1`, file: `${noun}_${verb}_${i}.proto`, text: lines.join('\n') };
}

function avscFile(i, r) {
  const noun = NOUNS[i % NOUNS.length];
  const verb = VERBS[Math.floor(r() * VERBS.length)];
  const name = `${pascal(noun)}${pascal(verb)}`;
  const fields = [
    { name: `${noun}_id`, type: { type: 'string', logicalType: 'uuid' }, doc: `Identifier of the ${noun}.` },
    { name: 'status', type: { type: 'enum', name: `${name}Status`, symbols: ['UNKNOWN', 'PENDING', 'DONE'], default: 'UNKNOWN' }, default: 'UNKNOWN', doc: 'Lifecycle state.' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, doc: 'Amount in the currency below.' },
    { name: 'currency_code', type: 'string', doc: 'ISO 4217 code.' },
    { name: 'note', type: ['null', 'string'], default: null, doc: 'Free text, if any.' },
    { name: 'occurred_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When it happened.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When this version was written.' },
  ];
  for (const f of FIELDS) if (r() < 0.3) fields.push({ name: f, type: ['null', 'string'], default: null, doc: `The ${f.replace(/_/g, ' ')}.` });
  const schema = { type: 'record', name, namespace: `com.acme.domain${i % 100}.v1`, doc: `A ${noun} was ${verb}.`, fields };
  return { dir: `avro/d${Math.floor(i / 100)}`, file: `${noun}-${verb}-${i}.avsc`, text: `${JSON.stringify(schema, null, 2)}\n` };
}

function generate() {
  const stamp = path.join(WORK, 'generated.json');
  const want = JSON.stringify({ N_PROTO, N_AVSC, v: 2 });
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  rmSync(path.join(WORK, 'proto'), { recursive: true, force: true });
  rmSync(path.join(WORK, 'avro'), { recursive: true, force: true });
  const r1 = rng(42);
  for (let i = 0; i < N_PROTO; i++) {
    const f = protoFile(i, r1);
    mkdirSync(path.join(WORK, 'proto', f.dir), { recursive: true });
    writeFileSync(path.join(WORK, 'proto', f.dir, f.file), f.text);
  }
  writeFileSync(path.join(WORK, 'proto/buf.yaml'), 'version: v2\nlint:\n  use:\n    - STANDARD\n');
  const r2 = rng(7);
  for (let i = 0; i < N_AVSC; i++) {
    const f = avscFile(i, r2);
    mkdirSync(path.join(WORK, f.dir), { recursive: true });
    writeFileSync(path.join(WORK, f.dir, f.file), f.text);
  }
  writeFileSync(stamp, want);
}

/** Peak RSS from /proc/<pid>/status VmHWM, polled while the process runs (fallback without GNU time). */
function pollPeak(pid) {
  let peak = 0;
  const read = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch { /* exited */ }
  };
  const timer = setInterval(read, 5);
  return { stop: () => { clearInterval(timer); return peak; } };
}

function measure(cmd, args, cwd) {
  return new Promise((resolve, reject) => {
    const useTime = existsSync(TIME);
    const timeOut = path.join(WORK, `time-${process.pid}.txt`);
    const [exe, argv] = useTime ? [TIME, ['-f', '%M', '-o', timeOut, cmd, ...args]] : [cmd, args];
    const start = process.hrtime.bigint();
    const child = spawn(exe, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    const poll = useTime ? undefined : pollPeak(child.pid);
    let stderr = '';
    child.stderr.on('data', (b) => { stderr += b; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const rssKb = useTime ? Number(readFileSync(timeOut, 'utf8').trim().split('\n').pop()) : poll.stop();
      resolve({ wall, rssMb: rssKb / 1024, code, stderr });
    });
  });
}

const median = (xs) => percentile(ascending(xs), 50);

async function bench(label, cmd, args, cwd, okCodes) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    const m = await measure(cmd, args, cwd);
    if (!okCodes.includes(m.code)) throw new Error(`${label} exited ${m.code}: ${m.stderr.slice(0, 2000)}`);
    runs.push(m);
  }
  return { label, wall: median(runs.map((r) => r.wall)), rssMb: median(runs.map((r) => r.rssMb)), code: runs[0].code };
}

async function main() {
  if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) {
    console.error('dist/ is missing; building (npm run build)…');
    spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!existsSync(BUF)) throw new Error(`${BUF} not found; run npm install`);
  mkdirSync(WORK, { recursive: true });
  const t0 = Date.now();
  generate();
  console.log(`inputs: ${N_PROTO} .proto, ${N_AVSC} .avsc in ${path.relative(ROOT, WORK)} (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s); median of ${RUNS} runs`);
  const protoDir = path.join(WORK, 'proto');
  // exit 0/1 are normal lint outcomes for us, 0/100 for buf; anything else means the run is invalid
  const ours = await bench('schemactl lint (proto)', process.execPath, [BIN, 'lint', '.'], protoDir, [0, 1]);
  const buf = await bench('buf lint (proto, STANDARD)', BUF, ['lint'], protoDir, [0, 100]);
  const avro = await bench('schemactl lint (avsc)', process.execPath, [BIN, 'lint', 'avro'], WORK, [0, 1]);

  const rows = [
    ['run', 'wall s', 'peak RSS MB', 'exit'],
    ...[ours, buf, avro].map((r) => [r.label, r.wall.toFixed(3), r.rssMb.toFixed(1), String(r.code)]),
  ];
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
  const wallRatio = ours.wall / buf.wall;
  const rssRatio = ours.rssMb / buf.rssMb;
  console.log('');
  console.log(`ours/buf wall time: ${wallRatio.toFixed(2)}x (target <= 0.50x) ${wallRatio <= 0.5 ? 'OK' : 'MISSED'}`);
  console.log(`ours/buf peak RSS:  ${rssRatio.toFixed(2)}x (target < 1.00x) ${rssRatio < 1 ? 'OK' : 'MISSED'}`);
  console.log(`${N_AVSC} .avsc:        ${avro.wall.toFixed(3)} s (target < 2 s) ${avro.wall < 2 ? 'OK' : 'MISSED'}`);
}

main().catch((err) => {
  console.error(`bench failed: ${err.message}`);
  process.exitCode = 1;
});
