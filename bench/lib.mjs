// Helpers the benchmarks share, so every bench draws the same inputs and summarises latencies the
// same way.

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
