#!/usr/bin/env node
// The long soak of `schemactl publish` under faults: the fault-injection suite's harness
// (test/support/faults.ts: seeded workload, publisher SIGKILLs, broker and database restarts, slow
// and lock-waiting statements, long transactions, and the oracle that replays each topic with the
// kafkajs registry decoder) run for longer and more often than in CI. Prints runs, kills, events, lost
// (must be 0) and duplicates, and exits 1 if anything was lost.
//
//   node bench/soak/run.mjs [--runs 10] [--seconds 30] [--seed N]
//
// Each "run" is one seeded run per pattern (query on PostgreSQL, query on MariaDB, outbox, triggers),
// each writing for --seconds while the faults fire. A failing seed is replayed with --seed.
import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    runs: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '30' },
    seed: { type: 'string', default: String(Date.now() % 100000) },
  },
});

const started = Date.now();
const child = spawn(process.execPath, [resolve(root, 'node_modules/vitest/vitest.mjs'), 'run', 'test/integration/publish-fault-suite.test.ts', '--reporter', 'dot'], {
  cwd: root,
  env: {
    ...process.env,
    SCHEMACTL_FAULT_RUNS: opt.runs,
    SCHEMACTL_FAULT_MS: String(Number(opt.seconds) * 1000),
    SCHEMACTL_FAULT_SEED: opt.seed,
    SCHEMACTL_FAULT_TIMEOUT_MS: String(Number(opt.seconds) * 1000 * 4 + 120_000),
  },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
child.stdout.on('data', (d) => {
  out += d;
  // one line per run as it finishes
  for (const line of String(d).replace(/\x1b\[[0-9;]*m/g, '').split('\n')) if (/ seed \d+: /.test(line)) console.log(line.trim());
});
child.stderr.on('data', (d) => { out += d; });
const code = await new Promise((r) => child.once('close', r));
const m = /fault suite: (\d+) runs, (\d+) publisher kills, (\d+) broker restarts, (\d+) database restarts, (\d+) events, (\d+) lost, (\d+) duplicates/.exec(out);
if (!m) {
  console.error(out.slice(-6000));
  console.error('the suite printed no summary');
  process.exit(1);
}
const [, runs, kills, broker, database, events, lost, dups] = m;
console.log('');
console.log(`seed ${opt.seed}, ${opt.runs} runs per pattern of ${opt.seconds} s, ${((Date.now() - started) / 60000).toFixed(1)} min`);
console.log(`runs        ${runs}`);
console.log(`kills       ${kills} publisher SIGKILLs, ${broker} broker restarts, ${database} database restarts`);
console.log(`events      ${events}`);
console.log(`lost        ${lost}`);
console.log(`duplicates  ${dups}`);
if (code !== 0 || Number(lost) !== 0) {
  console.error(out.slice(-6000));
  process.exit(1);
}
