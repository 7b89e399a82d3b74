// Builds the CLI into test/.work/build with the real launcher and the bundled proto-include/ next
// to it (bin/schemactl.js imports ../dist/src/cli/main.js), so end-to-end tests run exactly what `npm run build` + the bin would,
// without racing other builds of the shared dist/.
//
// Once per change of the sources, not once per test file: vitest runs each file in a fresh process, and
// a dozen files each compiling the whole tree cost minutes of a CI run. A lock file serialises the
// processes that want the build (test files running at once, or two runs in one checkout); a stamp
// records the newest mtime of the build's inputs at the time it started, and a build whose stamp is at
// least the inputs' newest mtime now is reused.
//
// The build is dist/ as `prepare` left it when that is complete and current (below); otherwise a compile
// that emits JavaScript without type checking (`--noCheck`) and without declarations: the emitted
// JavaScript is the same as a checked build's (the typecheck step of CI checks the types), and nothing
// here reads .d.ts files.
import { execFile, execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BUILD_DIR = path.join(ROOT, 'test/.work/build');
export const BIN = path.join(BUILD_DIR, 'bin/schemactl.js');

// everything the build reads: a change to any of them makes the next caller rebuild
const INPUTS = ['src', 'rules', 'scripts', 'bin', 'proto-include', 'package.json', 'schemactl.schema.json', 'tsconfig.json', 'tsconfig.build.json'];
const STAMP = path.join(BUILD_DIR, '.stamp');
const LOCK = path.join(BUILD_DIR, '.lock');

let built = false;

function newest(p: string): number {
  const s = statSync(p, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((m, e) => Math.max(m, newest(path.join(p, e))), s.mtimeMs);
}

const inputsMtime = (): number => Math.max(...INPUTS.map((i) => newest(path.join(ROOT, i))));

// `npm ci` and `npm install` run `prepare`, which builds dist/ (scripts/build.mjs, type-checked) and
// writes dist/.build-stamp when it is done. That build is taken instead of compiling again when its
// stamp is newer than every input (scripts/build.mjs's own list, and the lockfile) and no file of dist/
// was written after the stamp (a rebuild in progress), before and after the copy.
const DIST = path.join(ROOT, 'dist');
const DIST_STAMP = path.join(DIST, '.build-stamp');

function distUsable(): boolean {
  const stamp = statSync(DIST_STAMP, { throwIfNoEntry: false })?.mtimeMs;
  if (stamp === undefined || !existsSync(path.join(DIST, 'src/cli/main.js')) || !existsSync(path.join(DIST, 'cli/modules.json'))) return false;
  const written = readdirSync(DIST).filter((e) => e !== '.build-stamp').reduce((m, e) => Math.max(m, newest(path.join(DIST, e))), 0);
  return stamp >= Math.max(inputsMtime(), newest(path.join(ROOT, 'package-lock.json'))) && written <= stamp;
}

function copyDist(): boolean {
  if (!distUsable()) return false;
  rmSync(path.join(BUILD_DIR, 'dist'), { recursive: true, force: true });
  cpSync(DIST, path.join(BUILD_DIR, 'dist'), { recursive: true, filter: (src) => src !== DIST_STAMP });
  return distUsable();
}

function fresh(): boolean {
  if (!existsSync(path.join(BUILD_DIR, 'dist/src/cli/main.js')) || !existsSync(BIN)) return false;
  const stamp = Number(existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : 0);
  return Number.isFinite(stamp) && stamp >= inputsMtime();
}

const sleepSync = (ms: number): void => { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms); };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Take the lock; false while another process holds it (a builder that died leaves it behind: taken over once clearly abandoned). */
function tryLock(deadline: number): boolean {
  try {
    closeSync(openSync(LOCK, 'wx'));
    return true;
  } catch {
    const held = statSync(LOCK, { throwIfNoEntry: false });
    if (Date.now() > deadline || (held && Date.now() - held.mtimeMs > 300_000)) rmSync(LOCK, { force: true });
    return false;
  }
}

/** The build's steps as `npm run build` runs them, each a node command line. */
function steps(): string[][] {
  const dist = path.join(BUILD_DIR, 'dist');
  return [
    [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', dist, '--noCheck', '--declaration', 'false'],
    // the precompiled config validator, the YAML bundle, the compiled rules, the lint fast path joined into dist/cli/
    ...['build-config-validator', 'build-yaml-bundle', 'build-rules-bundle', 'build-cli-bundle'].map((step) => [path.join(ROOT, `scripts/${step}.mjs`), dist]),
  ];
}

function layOut(started: number): void {
  // the launcher with bin/package.json, which makes it CommonJS
  cpSync(path.join(ROOT, 'bin'), path.join(BUILD_DIR, 'bin'), { recursive: true });
  // the package ships these beside dist/ (the config schema, the bundled well-known .proto files)
  for (const f of ['package.json', 'schemactl.schema.json']) copyFileSync(path.join(ROOT, f), path.join(BUILD_DIR, f));
  cpSync(path.join(ROOT, 'proto-include'), path.join(BUILD_DIR, 'proto-include'), { recursive: true });
  writeFileSync(STAMP, String(started));
}

// Type errors elsewhere in the tree still emit JavaScript; only a missing entry point is fatal.
const emitted = (): boolean => existsSync(path.join(BUILD_DIR, 'dist/src/cli/main.js'));

/** Build (or reuse) the CLI; returns the launcher's path. Blocks: for module load and synchronous hooks. */
export function buildCli(): string {
  if (built) return BIN;
  mkdirSync(BUILD_DIR, { recursive: true });
  const deadline = Date.now() + 600_000;
  while (!tryLock(deadline)) sleepSync(250);
  try {
    if (!fresh()) {
      const started = inputsMtime();
      rmSync(STAMP, { force: true });
      if (!copyDist()) {
        const [tsc, ...rest] = steps();
        try {
          execFileSync(process.execPath, tsc!, { cwd: ROOT, stdio: 'pipe' });
        } catch (err) {
          if (!emitted()) throw err;
        }
        for (const s of rest) execFileSync(process.execPath, s, { cwd: ROOT, stdio: 'pipe' });
      }
      layOut(started);
    }
  } finally {
    rmSync(LOCK, { force: true });
  }
  built = true;
  return BIN;
}

/** The same, without blocking the event loop: set-up that starts servers meanwhile uses this one. */
export async function buildCliAsync(): Promise<string> {
  if (built) return BIN;
  mkdirSync(BUILD_DIR, { recursive: true });
  const deadline = Date.now() + 600_000;
  while (!tryLock(deadline)) await sleep(250);
  try {
    if (!fresh()) {
      const started = inputsMtime();
      rmSync(STAMP, { force: true });
      if (!copyDist()) {
        const [tsc, ...rest] = steps();
        try {
          await run(tsc!);
        } catch (err) {
          if (!emitted()) throw err;
        }
        for (const s of rest) await run(s);
      }
      layOut(started);
    }
  } finally {
    rmSync(LOCK, { force: true });
  }
  built = true;
  return BIN;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(args[0]!)} failed: ${err.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}
