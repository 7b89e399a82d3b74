// Helpers the benchmarks share, so every bench draws the same inputs, summarises latencies the same
// way and runs the CLI laid out the same way.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The current sources compiled into `out` and laid out like an installation: dist/ (tsc only, no
 * bundle: the launcher falls back to dist/src/cli/main.js), the whole bin/ folder — the launcher is
 * CommonJS through bin/package.json, and alone it would load as an ES module and fail — package.json,
 * the catalog's JSON Schema and node_modules (linked). Returns the launcher's path.
 */
export function buildCli(out) {
  // built as `npm run build` builds it (tsc, the precompiled config validator, the joined lint files), so a
  // bench pays what an installed CLI pays and not, for example, a config-schema compile at every start
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building the CLI failed:\n${build.stdout}${build.stderr}`);
  rmSync(join(out, 'dist'), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(join(ROOT, 'dist'), join(out, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bin'), join(out, 'bin'), { recursive: true }); // with bin/package.json (CommonJS)
  for (const f of ['package.json', 'schemactl.schema.json']) copyFileSync(join(ROOT, f), join(out, f));
  if (!existsSync(join(out, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(out, 'node_modules'));
  return join(out, 'bin/schemactl.js');
}

// mulberry32: a tiny seeded PRNG, so every run measures byte-identical inputs
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An ascending copy of numeric samples (a typed array included). */
export function ascending(samples) {
  return [...samples].sort((a, b) => a - b);
}

/**
 * The p-th percentile (0 to 100) of ascending samples by nearest rank, rounding down, so p100 is the
 * maximum; NaN when there are no samples.
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
