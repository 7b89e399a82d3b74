// The log sources' shared acknowledgement ledger, without a database: rows handed out in transaction
// order (each row's offset the end of the transaction before it, the last row's the end of its own, as
// both log readers place them), acknowledgements in and out of order, rewinds, and idle saves.
import { describe, expect, it } from 'vitest';
import { InFlight } from '../../src/liberation/sources/log/in-flight.js';
import type { LogOffset } from '../../src/liberation/sources/log/snapshot-chunks.js';
import type { CdcRow } from '../../src/liberation/sources/pg-logical/types.js';

type Item = { row: CdcRow } | { message: string };

/** Transactions A (a1, a2), B (b1), C (c1, c2, c3) after position 0: row offsets as the log readers set them. */
function log(): Map<string, { row: CdcRow }> {
  const txns: Array<[string, string[]]> = [['A', ['a1', 'a2']], ['B', ['b1']], ['C', ['c1', 'c2', 'c3']]];
  const rows = new Map<string, { row: CdcRow }>();
  let before = '0';
  for (const [end, names] of txns) {
    names.forEach((n, i) => {
      const position = i === names.length - 1 ? end : before;
      rows.set(n, { row: { op: 'c', table: 't', lsn: end, columns: { id: n }, headers: {}, offset: { v: 1, kind: 'log', position, snapshotDone: true }, position: n } });
    });
    before = end;
  }
  return rows;
}

const key = (o: LogOffset | null): string => (o ? JSON.stringify([o.position, o.snapshotDone]) : '');

describe('acknowledgements', () => {
  it.each<{ name: string; acks: string[]; committed: string | null; moved: boolean[]; back: string[] }>([
    { name: 'nothing acknowledged: everything goes back on a rewind', acks: [], committed: null, moved: [], back: ['a1', 'a2', 'b1', 'c1', 'c2', 'c3'] },
    { name: 'a batch ending at a transaction end', acks: ['a2'], committed: 'A', moved: [true], back: ['b1', 'c1', 'c2', 'c3'] },
    { name: 'a batch ending inside a transaction checkpoints the boundary before it', acks: ['c2'], committed: 'B', moved: [true], back: ['c3'] },
    { name: 'in order', acks: ['a2', 'b1', 'c3'], committed: 'C', moved: [true, true, true], back: [] },
    { name: 'out of order: an older acknowledgement after a newer one changes nothing', acks: ['b1', 'a2'], committed: 'B', moved: [true, false], back: ['c1', 'c2', 'c3'] },
    { name: 'out of order, twice', acks: ['c1', 'a1', 'a2'], committed: 'B', moved: [true, false, false], back: ['c2', 'c3'] },
    { name: 'the same acknowledgement twice', acks: ['b1', 'b1'], committed: 'B', moved: [true, false], back: ['c1', 'c2', 'c3'] },
  ])('$name', ({ acks, committed, moved, back }) => {
    const rows = log();
    const f = new InFlight<Item>(key);
    f.reset(null);
    for (const item of rows.values()) f.handOut(item);
    expect(acks.map((n) => f.acknowledge(rows.get(n)!.row.offset as LogOffset))).toEqual(moved);
    expect(f.committed?.position ?? null).toBe(committed);
    expect(f.busy).toBe(back.length > 0);
    expect(f.takeBack().items.map((i) => ('row' in i ? i.row.columns.id : i.message))).toEqual(back);
    expect(f.busy).toBe(false);
  });

  it('a rewind hands the same rows out again with the offsets of their first hand-out', () => {
    const rows = log();
    const f = new InFlight<Item>(key);
    f.reset(null);
    let progress = 0;
    const stamp = (r: CdcRow): LogOffset => ({ ...(r.offset as LogOffset), snapshotDone: false, snapshot: { tables: ['t'], after: [String(++progress)] } });
    for (const item of rows.values()) f.handOut(item, stamp);
    f.handOut({ message: 'signal' });
    const first = [...rows.values()].map((i) => i.row.offset);
    const back = f.takeBack();
    expect(back.items).toHaveLength(7);
    expect(back.snapshotRows).toBe(0);
    for (const item of back.items) f.handOut(item, stamp);
    expect([...rows.values()].map((i) => i.row.offset)).toEqual(first);
    expect([...rows.values()].map((i) => i.row.offset).every((o, i) => o === first[i])).toBe(true);
    expect(progress).toBe(6);
    // the engine's acknowledgement of the re-sent batch still finds its rows
    expect(f.acknowledge(first[5] as LogOffset)).toBe(true);
    expect(f.takeBack().items).toEqual([{ message: 'signal' }]);
  });

  it.each<{ name: string; committed: LogOffset | null; ack: boolean; idle: LogOffset; unsaved: boolean }>([
    { name: 'the committed offset itself needs no saving', committed: { v: 1, kind: 'log', position: 'A', snapshotDone: true }, ack: false, idle: { v: 1, kind: 'log', position: 'A', snapshotDone: true }, unsaved: false },
    { name: 'a later idle position does', committed: { v: 1, kind: 'log', position: 'A', snapshotDone: true }, ack: false, idle: { v: 1, kind: 'log', position: 'B', snapshotDone: true }, unsaved: true },
    { name: 'an acknowledged offset counts as saved', committed: null, ack: true, idle: { v: 1, kind: 'log', position: 'C', snapshotDone: true }, unsaved: false },
    { name: 'nothing committed yet', committed: null, ack: false, idle: { v: 1, kind: 'log', position: 'A', snapshotDone: true }, unsaved: true },
  ])('idle save: $name', ({ committed, ack, idle, unsaved }) => {
    const rows = log();
    const f = new InFlight<Item>(key);
    f.reset(committed);
    if (ack) {
      for (const item of rows.values()) f.handOut(item);
      f.acknowledge(rows.get('c3')!.row.offset as LogOffset);
    }
    expect(f.unsaved(idle)).toBe(unsaved);
    f.markSaved(idle);
    expect(f.unsaved(idle)).toBe(false);
  });
});
