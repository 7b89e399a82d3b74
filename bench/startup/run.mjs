#!/usr/bin/env node
// Start-up benchmark: the wall time of one `schemactl lint` on 5 files, the size of a typical
// pre-commit run, beside `buf lint` on 5 .proto files in the same run (buf is the anchor: the ratio
// ours/buf is what we track). Both binaries are called directly (node bin/schemactl.js and buf's own
// binary), not through npx. Runs alternate between the tools so machine noise hits both alike. Node
// running an empty file is measured beside them: no Node program starts faster. The warm-up run of
// each case also writes schemactl's code cache (.cache/v8), as a user's first run after install does.
//
//   node bench/startup/run.mjs [--runs N]       (needs `npm run build` first)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ascending, percentile } from '../lib.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const WORK = path.join(ROOT, 'bench/.work/startup');
const BIN = path.join(ROOT, 'bin/schemactl.js');
const BUF = path.join(ROOT, `node_modules/@bufbuild/buf-${process.platform}-${process.arch === 'x64' ? 'x64' : process.arch}/bin/buf`);

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
// the bundled catalog's files, linted where its schemactl.yaml is (as a pre-commit hook in such a
// repository runs: the catalog is read, validated and its stream checks run)
const bundled = [
  'orders/order-placed.avsc', 'orders/order-shipped.avdl', 'checkout/cart-checked-out.avsc',
  'customers/customer-registered.proto', 'payments/payment-captured.proto',
];
// what any Node program pays before its first line runs: the floor under schemactl's figures
const EMPTY = path.join(WORK, 'empty.cjs');
writeFileSync(EMPTY, '');
const cases = [
  { name: 'buf lint, 5 .proto (anchor)', cmd: BUF, args: ['lint', ...protos.flatMap((p) => ['--path', p])], cwd: WORK },
  { name: 'node, an empty file (Node\'s own start)', cmd: process.execPath, args: [EMPTY], cwd: WORK },
  { name: 'schemactl lint, the same 5 .proto', cmd: process.execPath, args: [BIN, 'lint', ...protos], cwd: WORK },
  { name: 'schemactl lint, 5 schemas/ files with their catalog', cmd: process.execPath, args: [BIN, 'lint', ...bundled], cwd: path.join(ROOT, 'schemas') },
];

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
const anchorWall = median(cases[0].wall);
const anchorCpu = median(cases[0].cpu);
process.stdout.write(`start-up, ${RUNS} runs each, node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}\n`);
const floor = cases[1];
for (const c of cases) {
  const w = median(c.wall);
  const u = median(c.cpu);
  process.stdout.write(`${c.name.padEnd(52)} wall median ${w.toFixed(0).padStart(5)} ms (ratio to buf ${(w / anchorWall).toFixed(2)})`
    + `   cpu median ${Number.isNaN(u) ? '-' : u.toFixed(0).padStart(4)} ms (ratio ${(u / anchorCpu).toFixed(2)})`
    + (c.cmd === process.execPath && c !== floor ? `   above Node's start: wall ${(w - median(floor.wall)).toFixed(0)} ms, cpu ${(u - median(floor.cpu)).toFixed(0)} ms` : '')
    + '\n');
}
