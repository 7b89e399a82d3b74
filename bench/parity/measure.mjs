// Shared by the parity scripts: run a command as users run it, with wall time and peak RSS (from
// /usr/bin/time when the machine has it), a timeout, and the stdout kept in a file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * `<repo>/../shared/corpora`; SCHEMACTL_TEST_SHARED_DIR names the shared folder elsewhere (a checkout
 * apart, e.g. a git worktree), as for the tests.
 */
export const SHARED = process.env.SCHEMACTL_TEST_SHARED_DIR ? path.resolve(process.env.SCHEMACTL_TEST_SHARED_DIR) : path.resolve(ROOT, '../shared');
export const CORPORA = path.join(SHARED, 'corpora');
export const BIN = path.join(ROOT, 'bin/schemactl.js');
const TIME = '/usr/bin/time';

/**
 * Runs `cmd args` in `cwd`. Resolves { code, wallMs, rssKb (undefined without /usr/bin/time),
 * timedOut, stdout (the text, when `keepStdout`) }.
 */
export function measure(cmd, args, { cwd, timeoutMs = 600_000, keepStdout = false } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schemactl-parity-'));
  const timeOut = path.join(dir, 'time.txt');
  const useTime = existsSync(TIME);
  const [exe, argv] = useTime ? [TIME, ['-f', '%M', '-o', timeOut, cmd, ...args]] : [cmd, args];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(exe, argv, { cwd, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    const out = [];
    let err = '';
    child.stdout?.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => { err += b; });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = performance.now() - t0;
      let rssKb;
      if (useTime && existsSync(timeOut)) {
        const last = readFileSync(timeOut, 'utf8').trim().split('\n').pop();
        if (/^\d+$/.test(last ?? '')) rssKb = Number(last);
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, wallMs, rssKb, timedOut, stderr: err, stdout: keepStdout ? Buffer.concat(out).toString('utf8') : undefined });
    });
  });
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)];
}

/** A fixed-width table: rows of cells, the first row the header. */
export function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ')).join('\n');
}

export const fmtMs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'n/a');
export const fmtKb = (kb) => (kb === undefined || !Number.isFinite(kb) ? 'n/a' : `${Math.round(kb / 1024)} MB`);
export const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
