#!/usr/bin/env node
// Start-up benchmark: the wall time of one `schemactl lint` on 5 files, the size of a typical
// pre-commit run, beside `buf lint` on 5 .proto files in the same run (buf is the anchor: the ratio
// ours/buf is what we track). schemactl runs as users get it: `npm pack` of this repository installed
// into a scratch project, its bin (node_modules/.bin/schemactl, what `npx schemactl`, pre-commit and
// lint-staged start) executed directly with the files as arguments, at default settings. buf is its
// own native binary (the stricter anchor; the bin of buf's npm package, a Node script that then starts
// that binary, is timed beside it for reference). Runs alternate between the cases so machine noise
// hits them alike. Node running an empty file is measured beside them: no Node program starts faster.
// The warm-up run of each case also writes schemactl's code cache (node_modules/schemactl/.cache/v8),
// as a user's first run after install does.
//
//   node bench/startup/run.mjs [--runs N]       (`npm pack` builds the package if it is stale)
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ascending, percentile } from '../lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORK = path.join(ROOT, 'bench/.work/startup');
// the scratch project schemactl is installed into, beside (not above) the linted files
const PROJECT = path.join(ROOT, 'bench/.work/startup-install');
const BUF = path.join(ROOT, `node_modules/@bufbuild/buf-${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}/bin/buf`);
const BUF_NPM_BIN = path.join(ROOT, 'node_modules/.bin/buf');

const i = process.argv.indexOf('--runs');
const RUNS = i > 0 ? Number(process.argv[i + 1]) : 20;

// Five events in googleapis style: one package per directory, doc comments, well-known types, a
// nested enum with an _UNSPECIFIED zero value, so both tools lint them clean.
const DOMAINS = [
  ['orders', 'OrderPlaced', 'order'], ['payments', 'PaymentCaptured', 'payment'], ['shipping', 'ShipmentDispatched', 'shipment'],
  ['customers', 'CustomerRegistered', 'customer'], ['inventory', 'StockAdjusted', 'stock_item'],
];

function protoText([domain, message, noun]) {
  const upper = message.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
  return `syntax = "proto3";

package acme.${domain}.v1;

import "google/protobuf/duration.proto";
import "google/protobuf/timestamp.proto";
import "google/type/money.proto";

option java_multiple_files = true;
option java_package = "com.acme.${domain}.v1";

// ${message} records that a ${noun.replace('_', ' ')} changed state.
message ${message} {
  // Lifecycle state of the ${noun.replace('_', ' ')}.
  enum State {
    // Not set.
    STATE_UNSPECIFIED = 0;
    // Created, not yet processed.
    STATE_PENDING = 1;
    // Processed.
    STATE_DONE = 2;
  }

  // Identifier of the ${noun.replace('_', ' ')}.
  string ${noun}_id = 1;
  // Current state.
  State state = 2;
  // Amount involved, in the currency it was charged in.
  google.type.Money amount = 3;
  // Time the operation took.
  google.protobuf.Duration processing_time = 4;
  // Free-text remark from the operator.
  string remark = 5;
  // When the change happened.
  google.protobuf.Timestamp occurred_at = 6;
  // When this version was written.
  google.protobuf.Timestamp updated_at = 7;
}
`;
}

function setUp() {
  rmSync(WORK, { recursive: true, force: true });
  const files = DOMAINS.map((d) => {
    const rel = `acme/${d[0]}/v1/${d[2]}_events.proto`;
    mkdirSync(path.dirname(path.join(WORK, rel)), { recursive: true });
    writeFileSync(path.join(WORK, rel), protoText(d));
    return rel;
  });
  // buf resolves google/type from the BSR without network; declare it as a local file instead
  mkdirSync(path.join(WORK, 'google/type'), { recursive: true });
  writeFileSync(path.join(WORK, 'google/type/money.proto'), 'syntax = "proto3";\n\npackage google.type;\n\n// Money.\nmessage Money {\n  // Currency.\n  string currency_code = 1;\n  // Units.\n  int64 units = 2;\n  // Nanos.\n  int32 nanos = 3;\n}\n');
  writeFileSync(path.join(WORK, 'buf.yaml'), 'version: v2\nlint:\n  use:\n    - STANDARD\n  ignore:\n    - google\n');
  return files;
}

/**
 * Installs `npm pack` of the repository into the scratch project (kept between runs while the tarball
 * is the same) and returns the path of its bin, as npm links it.
 */
function install() {
  mkdirSync(PROJECT, { recursive: true });
  const packed = execFileSync('npm', ['pack', '--pack-destination', PROJECT, '--loglevel=warn'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop();
  const tarball = path.join(PROJECT, packed);
  const digest = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const stamp = path.join(PROJECT, 'installed.sha256');
  const bin = path.join(PROJECT, 'node_modules/.bin/schemactl');
  if (!existsSync(bin) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== digest) {
    for (const e of readdirSync(PROJECT)) if (e !== packed) rmSync(path.join(PROJECT, e), { recursive: true, force: true });
    writeFileSync(path.join(PROJECT, 'package.json'), '{ "name": "startup-bench", "version": "1.0.0", "private": true }\n');
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn', tarball], { cwd: PROJECT, stdio: 'inherit' });
    writeFileSync(stamp, digest);
  }
  // a fresh install: the first (warm-up) run writes the code cache
  rmSync(path.join(PROJECT, 'node_modules/schemactl/.cache'), { recursive: true, force: true });
  return bin;
}

// GNU time reports the CPU time (user + system) of the child: on a busy machine wall time mostly
// measures waiting for a core, CPU time what the tool itself spends
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const CPU_FILE = path.join(WORK, 'cpu.txt');

function time(cmd, args, cwd) {
  const [c, a] = TIME ? [TIME, ['-f', '%U %S', '-o', CPU_FILE, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(c, a, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = TIME ? readFileSync(CPU_FILE, 'utf8').trim().split('\n').pop().split(' ').reduce((s, x) => s + Number(x) * 1000, 0) : NaN;
  return { ms, cpu, status: r.status, out: `${r.stdout}${r.stderr}` };
}

const protos = setUp();
const BIN = install();
// the bundled catalog's files, linted where its schemactl.yaml is (as a pre-commit hook in such a
// repository runs: the catalog is read, validated and its stream checks run)
const bundled = [
  'orders/order-placed.avsc', 'orders/order-shipped.avdl', 'checkout/cart-checked-out.avsc',
  'customers/customer-registered.proto', 'payments/payment-captured.proto',
];
// what any Node program pays before its first line runs: the floor under schemactl's figures
const EMPTY = path.join(WORK, 'empty.cjs');
writeFileSync(EMPTY, '');
const bufArgs = ['lint', ...protos.flatMap((p) => ['--path', p])];
const cases = [
  { name: 'buf lint, 5 .proto (anchor)', cmd: BUF, args: bufArgs, cwd: WORK },
  { name: 'node, an empty file (Node\'s own start)', cmd: process.execPath, args: [EMPTY], cwd: WORK },
  // the installed bin itself, started through its #!/usr/bin/env node line as a hook starts it
  { name: 'schemactl lint, the same 5 .proto', cmd: BIN, args: ['lint', ...protos], cwd: WORK, ours: true },
  { name: 'schemactl lint, 5 schemas/ files with their catalog', cmd: BIN, args: ['lint', ...bundled], cwd: path.join(ROOT, 'schemas'), ours: true },
  { name: 'buf lint through its npm package\'s bin (reference)', cmd: BUF_NPM_BIN, args: bufArgs, cwd: WORK },
];

const loadAtStart = os.loadavg()[0].toFixed(1);
for (const c of cases) {
  const r = time(c.cmd, c.args, c.cwd); // warm-up; also shows the tools agree the files are clean
  if (r.status !== 0) {
    process.stderr.write(`${c.name} exited ${r.status}:\n${r.out}\n`);
    process.exit(1);
  }
  c.wall = [];
  c.cpu = [];
}
for (let k = 0; k < RUNS; k++) {
  for (const c of cases) {
    const r = time(c.cmd, c.args, c.cwd);
    c.wall.push(r.ms);
    c.cpu.push(r.cpu);
  }
}

const median = (samples) => percentile(ascending(samples), 50);
const mean = (samples) => samples.reduce((a, b) => a + b, 0) / samples.length;
const anchorWall = median(cases[0].wall);
const anchorCpu = median(cases[0].cpu);
process.stdout.write(`start-up, ${RUNS} runs each, node ${process.version}, ${os.cpus().length} cores, load ${loadAtStart} at the start, ${os.loadavg()[0].toFixed(1)} at the end\n`);
const floor = cases[1];
for (const c of cases) {
  const w = median(c.wall);
  const u = median(c.cpu);
  process.stdout.write(`${c.name.padEnd(56)} wall median ${w.toFixed(0).padStart(5)} ms (ratio to buf ${(w / anchorWall).toFixed(2)})`
    + `   cpu median ${Number.isNaN(u) ? '-' : u.toFixed(0).padStart(4)} ms (ratio ${(u / anchorCpu).toFixed(2)}, mean ${mean(c.cpu).toFixed(0)} ms)`
    + (c.ours ? `   above Node's start: wall ${(w - median(floor.wall)).toFixed(0)} ms, cpu ${(u - median(floor.cpu)).toFixed(0)} ms` : '')
    + '\n');
}
const ours = median(cases[2].wall) / anchorWall;
process.stdout.write(`target: schemactl lint of 5 files at or below buf lint's wall time: ${ours.toFixed(2)}x, ${ours <= 1 ? 'met' : 'not met'}\n`);
