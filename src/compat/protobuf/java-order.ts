// The registry's diff engine walks some name and number sets in java.util.HashSet order, and its test
// fixtures (and so the registry's responses) list differences in that order. Reproducing the order lets
// our output match the registry line for line instead of only as a multiset. This models HashMap's
// bucket layout: index = spread(hashCode) & (capacity - 1), insertion order inside a bucket, lists
// split in order on resize. Tree bins (8+ collisions in one bucket) are not modelled; they need
// pathological names and only change the order, never the content.

/** java.lang.String#hashCode over UTF-16 code units, in int32 arithmetic. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

/** java.lang.Integer#hashCode. */
export function javaIntHash(n: number): number {
  return n | 0;
}

function spread(h: number): number {
  return (h ^ (h >>> 16)) | 0;
}

/** HashMap.tableSizeFor: the smallest power of two >= cap (at least 1, at most 2^30). */
function tableSizeFor(cap: number): number {
  let n = 1;
  while (n < cap && n < 1 << 30) n *= 2;
  return n;
}

export class JavaHashSet<T> {
  private table: T[][] | undefined;
  private capacity: number;
  private threshold: number;
  private count = 0;

  /** `initialCapacity` as passed to `new HashMap<>(n)`; omitted = the no-argument constructor. */
  constructor(private readonly hash: (value: T) => number, initialCapacity?: number) {
    this.capacity = initialCapacity === undefined ? 16 : tableSizeFor(initialCapacity);
    this.threshold = Math.floor(this.capacity * 0.75);
  }

  /**
   * `new HashSet<>(collection)`: sized as JDK 17 does, max((int)(n / .75f) + 1, 16). (JDK 19+ uses
   * ceil(n / .75) with a floor of 12 elements; the two only differ for exactly 12, 24, 48 … elements.)
   */
  static copyOf<T>(hash: (value: T) => number, values: Iterable<T>): JavaHashSet<T> {
    const list = [...values];
    const set = new JavaHashSet<T>(hash, Math.max(Math.trunc(list.length / 0.75) + 1, 16));
    for (const v of list) set.add(v);
    return set;
  }

  get size(): number {
    return this.count;
  }

  has(value: T): boolean {
    if (!this.table) return false;
    const bucket = this.table[spread(this.hash(value)) & (this.capacity - 1)];
    return bucket !== undefined && bucket.includes(value);
  }

  add(value: T): void {
    if (!this.table) this.table = Array.from({ length: this.capacity }, () => []);
    const bucket = this.table[spread(this.hash(value)) & (this.capacity - 1)];
    if (!bucket || bucket.includes(value)) return;
    bucket.push(value);
    if (++this.count > this.threshold) this.resize();
  }

  private resize(): void {
    const old = this.table ?? [];
    this.capacity *= 2;
    this.threshold *= 2;
    const next: T[][] = Array.from({ length: this.capacity }, () => []);
    // Entries keep their relative order when a bucket splits, so re-inserting bucket by bucket in
    // order reproduces Java's lo/hi split exactly.
    for (const bucket of old) {
      for (const v of bucket) next[spread(this.hash(v)) & (this.capacity - 1)]?.push(v);
    }
    this.table = next;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    if (!this.table) return;
    for (const bucket of this.table) yield* bucket;
  }
}

/** Iteration order of `new HashMap<>()` keys after putting `keys` in order (later duplicates keep the first slot). */
export function hashMapKeyOrder<T>(hash: (value: T) => number, keys: Iterable<T>): T[] {
  const set = new JavaHashSet<T>(hash);
  for (const k of keys) set.add(k);
  return [...set];
}

/**
 * The order in which `Set all = new HashSet<>(a.keySet()); all.addAll(b.keySet()); for (x : all)` visits
 * the union of two maps' keys, each map built with `new HashMap<>()` and filled in the given order.
 */
export function javaUnionOrder<T>(hash: (value: T) => number, a: Iterable<T>, b: Iterable<T>): T[] {
  const set = JavaHashSet.copyOf(hash, hashMapKeyOrder(hash, a));
  for (const v of hashMapKeyOrder(hash, b)) set.add(v);
  return [...set];
}
