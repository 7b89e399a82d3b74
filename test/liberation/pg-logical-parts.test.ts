// The log source's pure parts: snapshot visibility of a streamed transaction, the O(1) queue, and
// which tables get the replica identity error or the unchanged-TOAST warning.
import { describe, expect, it } from 'vitest';
import { identityFindings, type ColumnInfo, type TableInfo } from '../../src/liberation/sources/pg-logical/catalog.js';
import { Fifo } from '../../src/liberation/sources/pg-logical/fifo.js';
import { parsePgSnapshot, visibleIn } from '../../src/liberation/sources/pg-logical/snapshot.js';

describe('visibility of a streamed transaction in a chunk snapshot', () => {
  const s = parsePgSnapshot('100:105:101,103');
  it.each([
    [99, true, 'ended before the snapshot'],
    [100, true, 'xmin itself, not in progress'],
    [101, false, 'in progress when the snapshot was taken'],
    [102, true, 'ended before, between in-progress ones'],
    [103, false, 'in progress'],
    [105, false, 'xmax: started after'],
    [4000, false, 'much later'],
  ])('xid %i → visible %s (%s)', (xid, visible) => {
    expect(visibleIn(s, xid)).toBe(visible);
  });

  it('widens 32-bit ids across an epoch boundary', () => {
    const epoch = 1n << 32n;
    const w = parsePgSnapshot(`${epoch - 5n}:${epoch + 3n}:${epoch - 2n},${epoch + 1n}`);
    expect(visibleIn(w, 0xfffffffa)).toBe(true); // epoch-6: before xmin
    expect(visibleIn(w, 0xfffffffe)).toBe(false); // in progress
    expect(visibleIn(w, 0)).toBe(true); // epoch+0: ended
    expect(visibleIn(w, 1)).toBe(false); // epoch+1: in progress
    expect(visibleIn(w, 3)).toBe(false); // xmax
  });
});

describe('Fifo', () => {
  it('keeps order through push, shift, compaction and putting items back', () => {
    const q = new Fifo<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    const out: number[] = [];
    for (let i = 0; i < 3000; i++) out.push(q.shift()!);
    q.unshiftAll([-2, -1]);
    expect(q.length).toBe(2002);
    expect(q.peek()).toBe(-2);
    while (q.length) out.push(q.shift()!);
    expect(out.slice(2998, 3004)).toEqual([2998, 2999, -2, -1, 3000, 3001]);
    expect(q.shift()).toBeUndefined();
    q.unshiftAll([7, 8]);
    expect([...q]).toEqual([7, 8]);
  });

  it('shifts 20,000 items in linear time', () => {
    const q = new Fifo<number>();
    const t0 = performance.now();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 20_000; i++) q.push(i);
      while (q.length) q.shift();
    }
    // 400,000 push+shift pairs; Array.prototype.shift on a 20,000-item array takes seconds for this
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('replica identity findings', () => {
  const col = (toastable: boolean): ColumnInfo => ({ typeOid: toastable ? 25 : 23, typeName: toastable ? 'text' : 'integer', toastable, nullable: true });
  const table = (identity: string, pk: boolean, cols: Record<string, boolean>): TableInfo => ({
    qualified: 'public.t', schema: 'public', table: 't', oid: 1, identity, hasPrimaryKey: pk, keyColumns: pk ? ['id'] : [],
    columns: new Map(Object.entries(cols).map(([n, t]) => [n, col(t)])),
  });
  it.each([
    ['default identity, toastable column read', table('d', true, { id: false, body: true }), ['id', 'body'], 'warn', /TOAST-able columns the stream reads \(body\)/],
    ['REPLICA IDENTITY FULL: old row fills unchanged values', table('f', true, { id: false, body: true }), ['id', 'body'], null, null],
    ['no toastable columns', table('d', true, { id: false, n: false }), ['id', 'n'], null, null],
    ['toastable column the stream does not read', table('d', true, { id: false, body: true }), ['id'], null, null],
    ['every column read when the schema is not known', table('i', true, { id: false, body: true }), undefined, 'warn', /\(body\)/],
    ['no primary key, default identity', table('d', false, { v: false }), ['v'], 'error', /no replica identity \(no primary key\)/],
    ['REPLICA IDENTITY NOTHING', table('n', true, { id: false }), ['id'], 'error', /REPLICA IDENTITY NOTHING/],
  ] as const)('%s', (_name, t, reads, level, message) => {
    const f = identityFindings([t], reads as string[] | undefined);
    if (level === null) expect(f).toEqual([]);
    else {
      expect(f).toHaveLength(1);
      expect(f[0]!.level).toBe(level);
      expect(f[0]!.message).toMatch(message!);
    }
  });
});
