// The log sources' shared snapshot ledger, without a database: a small log whose positions are
// integers, a chunk read at position P (its mark), and the changes around it. Each reconciliation case
// replays what a consumer of the topic sees — the rows handed out before the chunk was read, the
// changes queued before P, the chunk, the changes after P — and checks the topic's last value per key
// against the table's true final state, so a stale snapshot row after a newer change fails.
import { describe, expect, it } from 'vitest';
import { ChunkLedger, type LogOffset, type SnapshotState } from '../../src/liberation/sources/log/snapshot-chunks.js';
import { InFlight } from '../../src/liberation/sources/log/in-flight.js';
import type { CdcOp, CdcRow } from '../../src/liberation/sources/pg-logical/types.js';

const P = 10;
type Tag = number | null;
type Value = { id: string; v: string };

function row(op: CdcOp, table: string, columns: Record<string, string | null>, before?: Record<string, string | null>): CdcRow {
  return {
    op, table, lsn: '', columns, ...(before ? { before } : {}), ...(op === 'd' ? { tombstone: true } : {}),
    headers: {}, offset: { v: 1, kind: 'log', position: null, snapshotDone: true }, position: `${table} ${op} ${columns.id ?? ''}`,
  };
}

function ledger(logs: string[] = []): ChunkLedger<number, Tag> {
  return new ChunkLedger<number, Tag>({
    chunkSize: 3, remember: 4, log: (e) => logs.push(e.msg),
    keysOf: (r) => (r.table === 'other' ? null : [r.columns.id, ...(r.before ? [r.before.id] : [])].map((k) => JSON.stringify([k ?? null]))),
    resumeKey: (r) => [String(r.columns.id)],
    newer: (tag, mark) => tag === null || tag > mark,
  });
}

function chunkOf(values: Value[]): Map<string, CdcRow> {
  return new Map(values.map((x) => [JSON.stringify([x.id]), row('r', 't', { id: x.id, v: x.v })]));
}

/** The topic's last value per key after these rows, in order. */
function replay(rows: CdcRow[], into = new Map<string, string>()): Map<string, string> {
  for (const r of rows) {
    if (r.table !== 't') continue;
    if (r.op === 't') into.clear();
    else if (r.op === 'd') into.delete(String(r.columns.id));
    else into.set(String(r.columns.id), String(r.columns.v));
  }
  return into;
}

interface Change {
  row: CdcRow;
  /** position in the log; null: queued before its transaction's commit was seen */
  at: Tag;
  /** handed out before the chunk was read (the ledger remembers it); otherwise still queued */
  handed?: boolean;
  /** met after the stream passed the chunk's mark */
  afterClose?: boolean;
}

const upd = (id: string, v: string, at: Tag, extra: Partial<Change> = {}): Change => ({ row: row('u', 't', { id, v }, { id }), at, ...extra });
const del = (id: string, at: Tag, extra: Partial<Change> = {}): Change => ({ row: row('d', 't', { id }, { id }), at, ...extra });

describe('a chunk reconciled with the stream', () => {
  const table: Value[] = [{ id: '1', v: 'a' }, { id: '2', v: 'b' }, { id: '3', v: 'c' }];
  it.each<{ name: string; changes: Change[]; released: string[] }>([
    { name: 'no change: the chunk is published whole', changes: [], released: ['1', '2', '3'] },
    { name: 'an update after the mark wins over the chunk row', changes: [upd('2', 'B', 12)], released: ['1', '3'] },
    { name: 'a delete after the mark leaves its tombstone, not a stale row after it', changes: [del('2', 11)], released: ['1', '3'] },
    { name: 'a change before the mark is older than the chunk: the row stays', changes: [upd('2', 'b', 9)], released: ['1', '2', '3'] },
    { name: 'a change handed out just before the chunk was read still wins', changes: [upd('1', 'A', 11, { handed: true })], released: ['2', '3'] },
    { name: 'a delete handed out just before the chunk was read still wins', changes: [del('3', 12, { handed: true })], released: ['1', '2'] },
    { name: 'an older change handed out before the chunk leaves it alone', changes: [upd('1', 'a', 8, { handed: true })], released: ['1', '2', '3'] },
    {
      name: 'a key change removes the old and the new key',
      changes: [del('2', 13), { row: row('u', 't', { id: '5', v: 'e' }, { id: '2' }), at: 13 }],
      released: ['1', '3'],
    },
    { name: 'a truncate after the mark empties the chunk', changes: [{ row: row('t', 't', {}), at: 14 }], released: [] },
    { name: 'a row queued before its commit (no position yet) counts as newer', changes: [upd('3', 'C', null)], released: ['1', '2'] },
    { name: 'a change of another table leaves the chunk alone', changes: [{ row: row('u', 'other', { id: '2', v: 'x' }), at: 12 }], released: ['1', '2', '3'] },
    { name: 'a change met after the stream passed the mark comes after the chunk', changes: [upd('2', 'B', 15, { afterClose: true })], released: ['1', '2', '3'] },
  ])('$name', ({ changes, released }) => {
    const l = ledger();
    l.reset(null, true, ['t']);
    const published: CdcRow[] = [];
    for (const c of changes.filter((x) => x.handed)) {
      l.handed(c.row, c.at);
      published.push(c.row);
    }
    const queued = changes.filter((x) => !x.handed && !x.afterClose);
    l.place({ table: 't', mark: P, rows: chunkOf(table), endKey: ['3'], last: true, seq: l.nextSeq() });
    for (const c of queued) l.seen(c.row, c.at);
    l.close();
    for (const c of changes.filter((x) => x.afterClose)) l.seen(c.row, c.at);
    const chunk = l.release(String(P));
    expect(chunk.map((r) => String(r.columns.id))).toEqual(released);
    // the topic: older queued changes, the chunk at its mark, then the newer ones
    const older = queued.filter((c) => c.at !== null && c.at <= P).map((c) => c.row);
    const newer = [...queued.filter((c) => c.at === null || c.at > P), ...changes.filter((x) => x.afterClose)].map((c) => c.row);
    published.push(...older, ...chunk, ...newer);
    // the truth: the table as the chunk read it, then every change after the mark in log order
    const truth = replay(changes.filter((c) => c.at === null || c.at > P).map((c) => c.row), new Map(table.map((x) => [x.id, x.v])));
    expect(replay(published)).toEqual(truth);
    for (const [i, r] of published.entries()) {
      if (r.op === 'd') expect(published.slice(i + 1).some((x) => x.op === 'r' && x.columns.id === r.columns.id)).toBe(false);
    }
  });

  it.each<{ name: string; remembered: Tag[]; dropped: boolean }>([
    { name: 'more newer changes than remembered: read the chunk again', remembered: [11, 12, 13, 14, 15], dropped: true },
    { name: 'the oldest remembered change is older than the mark: nothing was forgotten', remembered: [11, 12, 13, 9, 15], dropped: false },
    { name: 'the ring did not overflow', remembered: [11, 12, 13], dropped: false },
    { name: 'only changes without a position: nothing to date the ring by', remembered: [null, null, null, null, null], dropped: false },
  ])('$name', ({ remembered, dropped }) => {
    const l = ledger();
    l.reset(null, true, ['t']);
    remembered.forEach((at, i) => l.handed(upd(String(100 + i), 'x', at).row, at));
    l.place({ table: 't', mark: P, rows: chunkOf([{ id: '1', v: 'a' }]), endKey: ['1'], last: true, seq: l.nextSeq() });
    expect(l.dropIfUnreconcilable()).toBe(dropped);
    expect(l.pending === null).toBe(dropped);
  });
});

/** Hand out every queued row through the ack ledger, the way both sources do. */
function handOut(l: ChunkLedger<number, Tag>, acks: InFlight<{ row: CdcRow }>, rows: CdcRow[]): void {
  for (const r of rows) {
    acks.handOut({ row: r }, (x) => (x.op === 'r' ? (x.offset as LogOffset) : l.stamp((x.offset as LogOffset).position)));
    l.handed(r, r.op === 'r' ? undefined : 20);
  }
}

const key = (o: LogOffset | null): string => (o ? JSON.stringify([o.snapshotDone, o.snapshot ?? null]) : '');

describe('snapshot progress, acknowledgement and resume', () => {
  const five: Value[] = [1, 2, 3, 4, 5].map((i) => ({ id: String(i), v: `v${i}` }));

  it('stamps progress from the rows handed out, checkpoints only what was acknowledged, resumes at the last acknowledged row', () => {
    const l = ledger();
    const acks = new InFlight<{ row: CdcRow }>(key);
    l.reset(null, true, ['t', 'u']);
    acks.reset(null);
    l.current.until = ['5'];
    l.place({ table: 't', mark: P, rows: chunkOf(five.slice(0, 3)), endKey: ['3'], last: false, seq: l.nextSeq() });
    const chunk = l.release('P10');
    expect(chunk.map((r) => (r.offset as LogOffset).snapshot?.after)).toEqual([['1'], ['2'], ['3']]);
    // read is not handed out: a change handed out now still says the snapshot starts from the beginning
    expect(l.stamp('P10').snapshot).toEqual({ tables: ['t', 'u'], after: null, until: ['5'] });
    expect(l.needsChunk).toBe(false);
    handOut(l, acks, chunk);
    expect(l.stamp('P10').snapshot?.after).toEqual(['3']);
    // the engine acknowledged the batch ending at the second row only, then a send failed
    expect(acks.acknowledge(chunk[1]!.offset as LogOffset)).toBe(true);
    const back = acks.takeBack();
    expect(back.items.map((i) => i.row)).toEqual([chunk[2]]);
    l.requeued(back.snapshotRows);
    expect(l.needsChunk).toBe(false); // the next chunk waits for the rows put back
    // a crash now: the checkpoint is the acknowledged offset, and the snapshot resumes after key 2
    const committed = acks.committed!;
    expect(committed.snapshot).toEqual({ tables: ['t', 'u'], after: ['2'], until: ['5'] });
    const again = ledger();
    again.reset(committed, true, ['t', 'u']);
    expect(again.needsChunk).toBe(true);
    expect(again.current).toEqual({ tables: ['t', 'u'], after: ['2'], until: ['5'] });
    // without the crash, handing the row out again (same offset) lets the next chunk be read
    handOut(l, acks, back.items.map((i) => i.row));
    expect(l.needsChunk).toBe(true);
    expect(acks.acknowledge(chunk[2]!.offset as LogOffset)).toBe(true);
    expect(acks.committed?.snapshot?.after).toEqual(['3']);
  });

  it.each<{ name: string; tables: string[]; rows: Value[]; last: boolean; lastState: SnapshotState | null; after: boolean; logs: string[] }>([
    { name: 'a middle chunk: the next one starts after its last key', tables: ['t'], rows: five.slice(0, 3), last: false, lastState: { tables: ['t'], after: ['3'] }, after: true, logs: [] },
    { name: 'the last chunk of a table: the next table from its start', tables: ['t', 'u'], rows: five.slice(3), last: true, lastState: { tables: ['u'], after: null }, after: true, logs: ['snapshot: table done'] },
    { name: 'the last chunk of the last table: the snapshot is done', tables: ['t'], rows: five.slice(3), last: true, lastState: null, after: false, logs: ['snapshot: table done', 'snapshot done'] },
    { name: 'an empty last chunk: the progress moves on without a row', tables: ['t'], rows: [], last: true, lastState: null, after: false, logs: ['snapshot done', 'snapshot: table done'] },
    { name: 'a chunk emptied by the stream: the next one starts after its end key', tables: ['t'], rows: [], last: false, lastState: { tables: ['t'], after: ['3'] }, after: true, logs: [] },
  ])('$name', ({ tables, rows, last, lastState, after, logs }) => {
    const seen: string[] = [];
    const l = ledger(seen);
    const acks = new InFlight<{ row: CdcRow }>(key);
    l.reset(null, true, tables);
    seen.length = 0;
    l.place({ table: 't', mark: P, rows: chunkOf(rows), endKey: ['3'], last, seq: l.nextSeq() });
    const out = l.release('P10');
    handOut(l, acks, out);
    const stamped = l.stamp('P11');
    expect(stamped.snapshotDone).toBe(lastState === null);
    expect(stamped.snapshot ?? null).toEqual(lastState);
    if (out.length) expect((out.at(-1)!.offset as LogOffset).snapshot ?? null).toEqual(lastState);
    expect(l.active).toBe(after);
    expect(seen).toEqual(logs);
  });

  it.each<{ name: string; state: SnapshotState | null; pending: boolean; ask: string[]; tables: string[] | null }>([
    { name: 'no snapshot running: the tables are read', state: null, pending: false, ask: ['t', 'u'], tables: ['t', 'u'] },
    { name: 'a table being read is read again in full after the current pass', state: { tables: ['t'], after: ['3'] }, pending: false, ask: ['t'], tables: ['t', 't'] },
    { name: 'a table queued already is not added twice', state: { tables: ['t', 'u'], after: ['3'] }, pending: false, ask: ['u'], tables: ['t', 'u'] },
    { name: 'a table just started with no chunk pending is not read twice', state: { tables: ['t'], after: null }, pending: false, ask: ['t'], tables: ['t'] },
    { name: 'a table just started with a chunk pending is read again', state: { tables: ['t'], after: null }, pending: true, ask: ['t'], tables: ['t', 't'] },
  ])('asked again: $name', ({ state, pending, ask, tables }) => {
    const l = ledger();
    l.reset(state ? { v: 1, kind: 'log', position: '1', snapshotDone: false, snapshot: state } : null, false, []);
    if (pending) l.place({ table: 't', mark: P, rows: new Map(), endKey: null, last: false, seq: l.nextSeq() });
    l.requestAgain(ask);
    expect(l.reading ? l.current.tables : null).toEqual(tables);
  });

  it.each<{ name: string; offset: LogOffset | null; wanted: boolean; tables: string[] | null }>([
    { name: 'first start with a snapshot', offset: null, wanted: true, tables: ['t', 'u'] },
    { name: 'first start without one', offset: null, wanted: false, tables: null },
    { name: 'a checkpoint mid-snapshot resumes it', offset: { v: 1, kind: 'log', position: '5', snapshotDone: false, snapshot: { tables: ['u'], after: ['7'] } }, wanted: true, tables: ['u'] },
    { name: 'a checkpoint after the snapshot does not start another', offset: { v: 1, kind: 'log', position: '5', snapshotDone: true }, wanted: true, tables: null },
    { name: 'a checkpoint from before the snapshot was wanted starts it', offset: { v: 1, kind: 'log', position: '5', snapshotDone: false }, wanted: true, tables: ['t', 'u'] },
  ])('start: $name', ({ offset, wanted, tables }) => {
    const l = ledger();
    l.reset(offset, wanted, ['t', 'u']);
    expect(l.reading ? l.current.tables : null).toEqual(tables);
    expect(l.needsChunk).toBe(tables !== null);
  });
});
