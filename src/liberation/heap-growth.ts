// How far V8 lets the publisher's JS heap grow between full garbage collections.
//
// Why: a publisher's live heap is small and flat (the code, the compiled schemas, two batches in
// flight: about 25-30 MiB whatever the table size), but each batch's rows, mapped values and record
// buffers outlive a few young-generation collections while they wait for the database and the broker,
// so they are promoted and die in the old generation. V8 then lets the old generation grow to up to
// four times the live heap before it collects it (its default growing factor on a machine with
// gigabytes of memory), so the process's peak RSS rose by ~70 MiB at the first full collection,
// somewhere after the first ~70,000 rows: a run of 20,000 rows peaked at 148 MiB, one of 150,000 at
// 213 MiB, with the same live heap. Bounding the growing factor makes that peak small and reached
// early: measured with bench/publish/memory.mjs, 136 vs 139 MiB for the same two sizes (another run).
//
// The flag is V8's --heap-growing-percent, which V8 reads at every full collection, so it takes effect
// when set at run time; NODE_OPTIONS does not accept it and an npm bin's `#!/usr/bin/env node` passes no
// flags, so the publish command sets it itself. `node --heap-growing-percent=N` on the command line wins,
// and SCHEMACTL_HEAP_GROWING_PERCENT changes it (0: V8's own heuristics, more memory for less GC time).
import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../errors.js';

/** the old generation may grow to (1 + 30 %) of what survived the last full collection */
export const DEFAULT_HEAP_GROWING_PERCENT = 30;

export const HEAP_GROWING_ENV = 'SCHEMACTL_HEAP_GROWING_PERCENT';

/**
 * The growing percent this run should use: the environment's (an integer 0-400, 0 for V8's own
 * heuristics), else the default; undefined when node was started with the flag, which is left alone.
 */
export function heapGrowingPercent(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[] = process.execArgv): number | undefined {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return undefined;
  const raw = env[HEAP_GROWING_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_HEAP_GROWING_PERCENT;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n > 400) {
    throw new UsageError(`${HEAP_GROWING_ENV}=${raw}: expected a whole number of percent from 0 (V8's own heap growth) to 400`);
  }
  return n;
}

/** Apply heapGrowingPercent() to this process; returns the percent set, or undefined if left alone. */
export function boundHeapGrowth(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[] = process.execArgv): number | undefined {
  const percent = heapGrowingPercent(env, execArgv);
  // 0 is V8's "not set": its own dynamic factor (also undoes an earlier call in the same process)
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
