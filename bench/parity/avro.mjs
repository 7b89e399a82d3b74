// Avro parity with the reference toolchain: `schemactl lint --format json` (the built CLI) over the
// apache/avro corpus in ../shared/corpora/avro, against Apache Avro Java 1.12.1's verdict per file
// (../shared/corpora/avro-java-verdicts.tsv). A file is "refused" by schemactl when lint reports a
// fatal finding (exit 2: not a valid schema). Prints files, valid per reference, false parse errors,
// false accepts, crashes/timeouts, wall time, CPU time and peak memory (the last two through
// /usr/bin/time when it is installed). Standalone: node bench/parity/avro.mjs
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// ../shared beside the repository; SCHEMACTL_TEST_SHARED_DIR names it elsewhere (a worktree checked out apart), as for the tests
const SHARED = process.env.SCHEMACTL_TEST_SHARED_DIR ? path.resolve(process.env.SCHEMACTL_TEST_SHARED_DIR) : path.resolve(ROOT, '..', 'shared');
const CORPORA = path.join(SHARED, 'corpora');
const VERDICTS = path.join(CORPORA, 'avro-java-verdicts.tsv');
const CLI = path.join(ROOT, 'bin', 'schemactl.js');
const TIMEOUT_MS = 120_000;

if (!existsSync(VERDICTS)) {
  console.log(`avro parity: skipped (${path.relative(process.cwd(), CORPORA) || CORPORA} is absent)`);
  process.exit(0);
}
if (!existsSync(path.join(ROOT, 'dist'))) {
  console.error('avro parity: build the CLI first (npm run build)');
  process.exit(2);
}

const reference = new Map(readFileSync(VERDICTS, 'utf8').trim().split('\n').map((l) => {
  const [file, verdict] = l.split('\t');
  return [file, verdict === 'ok'];
}));
const files = [...reference.keys()];

/** Runs the CLI under /usr/bin/time when present, for the peak resident memory. */
function run() {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const args = useTime ? ['-f', '%M %U %S', process.execPath, CLI, 'lint', ...files, '--format', 'json'] : [CLI, 'lint', ...files, '--format', 'json'];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: CORPORA });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      const [kb, user, sys] = useTime ? (stderr.trim().split('\n').pop() ?? '').split(' ').map(Number) : [];
      const cpuMs = user !== undefined && sys !== undefined ? (user + sys) * 1000 : undefined;
      resolve({ code, signal, ms, cpuMs, peakMb: Number.isFinite(kb) ? kb / 1024 : undefined, stdout, stderr });
    });
  });
}

const r = await run();
let results = [];
try {
  results = JSON.parse(r.stdout);
} catch {
  // a crash: every file counts as not judged
}
const refused = new Map(results.map((f) => [path.relative(CORPORA, f.filePath), f.messages.some((m) => m.fatal)]));
let falseErrors = 0;
let falseAccepts = 0;
let crashes = r.signal !== null || (r.code !== 0 && r.code !== 1 && r.code !== 2) ? 1 : 0;
const wrong = [];
for (const [file, ok] of reference) {
  const ours = refused.get(file);
  if (ours === undefined) {
    crashes++;
    continue;
  }
  if (ok && ours) {
    falseErrors++;
    wrong.push(`false parse error: ${file}`);
  }
  if (!ok && !ours) {
    falseAccepts++;
    wrong.push(`false accept: ${file}`);
  }
}
const valid = [...reference.values()].filter(Boolean).length;
console.log('corpus               files  valid(ref)  false-errors  false-accepts  crashes/timeouts  wall-ms   cpu-ms  peak-MB');
console.log(
  `apache/avro (Java)   ${String(files.length).padStart(5)}  ${String(valid).padStart(10)}  ${String(falseErrors).padStart(12)}  ${String(falseAccepts).padStart(13)}  ${String(crashes).padStart(16)}  ${r.ms.toFixed(0).padStart(7)}  ${r.cpuMs === undefined ? '    n/a' : r.cpuMs.toFixed(0).padStart(7)}  ${r.peakMb === undefined ? '    n/a' : r.peakMb.toFixed(1).padStart(7)}`,
);
for (const w of wrong) console.log(`  ${w}`);
// the row for bench/parity/run.mjs's combined table (Avro Java runs in the differential test, not timed here)
if (process.env.PARITY_RESULT_FILE) {
  writeFileSync(process.env.PARITY_RESULT_FILE, JSON.stringify({ rows: [{
    corpus: 'apache/avro', files: files.length, validPerReference: valid, falseParseErrors: falseErrors, falseAccepts,
    crashesOrTimeouts: crashes, wallMs: r.ms, ...(r.peakMb === undefined ? {} : { rssKb: Math.round(r.peakMb * 1024) }),
    reference: 'Avro Java 1.12.1 verdicts (.tsv)',
  }] }, null, 2));
}
process.exitCode = falseErrors + falseAccepts + crashes === 0 ? 0 : 1;
