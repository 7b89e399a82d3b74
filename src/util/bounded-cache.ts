// A least-recently-used cache bounded by the total weight of its entries (for schema caches: the
// length of the text an entry was made from), not by their count. A count bound lets a few hundred
// large schemas (a 0.8 MB schema parses into tens of MB of positions and nodes) pin gigabytes; a
// weight bound keeps the memory a cache can hold proportional to its budget whatever the entry sizes.
// An entry heavier than the whole budget is not kept at all.
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    /** the sum of weights the cache may hold */
    readonly budget: number,
    /** and at most this many entries */
    readonly maxEntries = Number.POSITIVE_INFINITY,
  ) {}

  get(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V, weight: number): void {
    const old = this.entries.get(key);
    if (old !== undefined) {
      this.total -= old.weight;
      this.entries.delete(key);
    }
    if (weight > this.budget) return;
    this.entries.set(key, { value, weight });
    this.total += weight;
    while (this.total > this.budget || this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.total -= (this.entries.get(oldest.value) as { weight: number }).weight;
      this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get weight(): number {
    return this.total;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
