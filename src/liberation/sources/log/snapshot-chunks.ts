// The database-free half of a log source's snapshot: the table is read in key-ordered chunks while the
// log streams (DBLog's watermark algorithm, as Debezium's incremental snapshots follow it), and every
// chunk is placed in the stream at the log position its rows are consistent with — its mark. How a
// chunk is read and where its mark is (a watermark message in PostgreSQL's WAL, the binary log position
// of a consistent snapshot in MySQL/MariaDB) is the database's part; what this ledger decides is the
// same for both:
//  - A change to the chunk's table that is newer than the chunk's mark wins over the chunk's row: the
//    key leaves the chunk, because the stream carries a value at least as new (for a delete, its
//    tombstone; a stale snapshot row after it would bring the row back). A truncate empties the chunk.
//  - The snapshot's progress (the table being read, the last key handed out) is stamped into every
//    offset from the rows handed out, never from the rows read: the engine checkpoints an offset only
//    after the sink acknowledged it, so a restart resumes at the last acknowledged chunk row.
//  - Rows put back by a rewind hold the next chunk until they are handed out again.
import type { SourceOffset } from '../../types.js';
import type { CdcRow } from '../pg-logical/types.js';

export type LogOffset = Extract<SourceOffset, { kind: 'log' }>;

/** Snapshot work left: tables in order, the first one being read after key `after` (null: from its start). */
export interface SnapshotState {
  tables: string[];
  after: string[] | null;
  /**
   * the first table's largest key when its snapshot began (null: it was empty); rows with larger keys
   * were inserted later, so the stream carries them and the chunks stop here
   */
  until?: string[] | null;
}

export function copyState(s: SnapshotState): SnapshotState {
  return { tables: [...s.tables], after: s.after ? [...s.after] : null, ...(s.until !== undefined ? { until: s.until ? [...s.until] : null } : {}) };
}

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

/** A chunk read and not yet placed in the stream. `Mark` is the database's idea of where it sits in the log. */
export interface PendingChunk<Mark> {
  table: string;
  mark: Mark;
  /** key → row, in key order */
  rows: Map<string, CdcRow>;
  /** key of the last row the query returned (the next chunk starts after it) */
  endKey: string[] | null;
  /** the table is done after this chunk */
  last: boolean;
  seq: number;
  startedAt: number;
  /** the stream passed the mark: a change met from now on is after the chunk's rows in the stream */
  closed: boolean;
}

export interface ChunkLedgerOptions<Mark, Tag> {
  chunkSize: number;
  /** how many stream changes handed out lately are remembered, to reconcile a chunk read at an older mark */
  remember: number;
  log: Log;
  /** fields added to the 'snapshot done' line */
  doneFields?: Record<string, unknown>;
  /** the key texts a stream row touches (after and before images); null: not a table being snapshotted */
  keysOf(row: CdcRow): string[] | null;
  /** the snapshot position a chunk row stands for (its key), stamped into the offsets of the rows before the chunk's last */
  resumeKey(row: CdcRow, table: string): string[] | null;
  /** is a change at `tag` newer than the pending chunk's mark (the stream carries it after the chunk's rows)? */
  newer(tag: Tag, mark: Mark): boolean;
}

interface Remembered<Tag> {
  tag: Tag;
  table: string;
  keys: string[];
}

export class ChunkLedger<Mark, Tag> {
  /** work left as of the rows handed out so far; null: no snapshot running */
  private progress: SnapshotState | null = null;
  private open: PendingChunk<Mark> | null = null;
  private seq = 0;
  /** rows of a placed chunk still in the queue: the next chunk starts after the last of them */
  private queued = 0;
  /** stream rows handed out lately: a change can reach the consumer a moment before a chunk read at an older mark */
  private recent: Array<Remembered<Tag> | undefined>;
  private recentAt = 0;
  private recentCount = 0;

  constructor(private readonly o: ChunkLedgerOptions<Mark, Tag>) {
    this.recent = new Array<Remembered<Tag> | undefined>(o.remember);
  }

  get chunkSize(): number {
    return this.o.chunkSize;
  }

  /** Start over from a committed offset (or the snapshot setting when there is none). */
  reset(offset: LogOffset | null, snapshotWanted: boolean, allTables: string[]): void {
    this.open = null;
    this.queued = 0;
    this.recent = new Array<Remembered<Tag> | undefined>(this.o.remember);
    this.recentCount = 0;
    if (offset?.snapshot) this.progress = copyState(offset.snapshot);
    else if (offset ? !offset.snapshotDone && snapshotWanted : snapshotWanted) this.progress = { tables: [...allTables], after: null };
    else this.progress = null;
    if (this.progress && !this.progress.tables.length) this.progress = null;
    if (this.progress) this.o.log({ level: 'info', msg: 'snapshot: reading in chunks while streaming', tables: this.progress.tables, after: this.progress.after, chunkSize: this.o.chunkSize });
  }

  get active(): boolean {
    return this.progress !== null || this.open !== null;
  }

  /** Tables are left to read (a chunk may be pending too). */
  get reading(): boolean {
    return this.progress !== null;
  }

  get needsChunk(): boolean {
    return this.progress !== null && this.open === null && this.queued === 0;
  }

  /**
   * The work left, for reading the next chunk: the first table, after which key, up to which key.
   * The reader records `until` on it when a table's first chunk is read (it then travels in offsets).
   */
  get current(): SnapshotState {
    if (!this.progress) throw new Error('no snapshot running');
    return this.progress;
  }

  get pending(): PendingChunk<Mark> | null {
    return this.open;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Snapshot rows put back into the queue (the engine rewound). */
  requeued(rows: number): void {
    this.queued += rows;
  }

  /** The offset fields that say how far the snapshot got, for a position handed out now. */
  stamp(position: string | null): LogOffset {
    return this.progress
      ? { v: 1, kind: 'log', position, snapshotDone: false, snapshot: copyState(this.progress) }
      : { v: 1, kind: 'log', position, snapshotDone: true };
  }

  /**
   * A chunk read at `mark` waits to be placed in the stream. Changes handed out lately that are newer
   * than the mark are reconciled at once; the caller passes the changes still queued to seen().
   */
  place(chunk: { table: string; mark: Mark; rows: Map<string, CdcRow>; endKey: string[] | null; last: boolean; seq: number }): PendingChunk<Mark> {
    const p: PendingChunk<Mark> = { ...chunk, startedAt: Date.now(), closed: false };
    this.open = p;
    for (const r of this.recent) {
      if (!r || r.table !== p.table || !this.o.newer(r.tag, p.mark)) continue;
      for (const k of r.keys) p.rows.delete(k);
    }
    return p;
  }

  /**
   * Remembered changes overflowed and even the oldest one left is newer than the pending chunk: newer
   * changes may have been forgotten, so the chunk cannot be reconciled. It is dropped, to be read again.
   */
  dropIfUnreconcilable(): boolean {
    const p = this.open;
    if (!p || this.recentCount <= this.o.remember) return false;
    let dated = false;
    for (const r of this.recent) {
      if (!r || r.tag === null) continue;
      dated = true;
      if (!this.o.newer(r.tag, p.mark)) return false;
    }
    if (!dated) return false;
    this.open = null;
    return true;
  }

  /** A stream change as it enters the queue (or is found there): when newer than the open chunk, it wins over the chunk's rows. */
  seen(row: CdcRow, tag: Tag | undefined): void {
    const p = this.open;
    if (!p || p.closed || row.op === 'r' || tag === undefined || row.table !== p.table) return;
    if (!this.o.newer(tag, p.mark)) return;
    if (row.op === 't') {
      p.rows.clear();
      return;
    }
    for (const k of this.o.keysOf(row) ?? []) p.rows.delete(k);
  }

  /** The stream passed the pending chunk's mark (its rows follow in stream order). */
  close(): void {
    if (this.open) this.open.closed = true;
  }

  /** A row handed to the engine: snapshot rows advance the progress, stream rows are remembered briefly. */
  handed(row: CdcRow, tag: Tag | undefined): void {
    if (row.op === 'r') {
      this.queued = Math.max(0, this.queued - 1);
      const o = row.offset as LogOffset;
      this.progress = o.snapshot ? copyState(o.snapshot) : null;
      if (!this.progress && !this.open) this.o.log({ level: 'info', msg: 'snapshot done', ...this.o.doneFields });
      return;
    }
    if (tag === undefined) return;
    const keys = this.o.keysOf(row);
    if (!keys) return;
    this.recent[this.recentAt] = { tag, table: row.table, keys };
    this.recentAt = (this.recentAt + 1) % this.o.remember;
    this.recentCount++;
  }

  /**
   * The stream reached the pending chunk's mark: its remaining rows, each with the offset that resumes
   * after it (the last one: after the chunk), to be queued now at `position`.
   */
  release(position: string): CdcRow[] {
    const p = this.open!;
    this.open = null;
    const progress = this.progress!;
    const tables = progress.tables;
    const rest = tables.slice(1);
    const until = progress.until;
    const bounded = (after: string[] | null): SnapshotState => ({ tables: [...tables], after, ...(until !== undefined ? { until } : {}) });
    const end: SnapshotState | null = p.last ? (rest.length ? { tables: rest, after: null } : null) : bounded(p.endKey);
    const rows = [...p.rows.values()];
    this.queued += rows.length;
    rows.forEach((r, i) => {
      const state = i === rows.length - 1 ? end : bounded(this.o.resumeKey(r, p.table));
      r.offset = state ? { v: 1, kind: 'log', position, snapshotDone: false, snapshot: state } : { v: 1, kind: 'log', position, snapshotDone: true };
    });
    if (!rows.length) {
      // nothing to hand out: the progress moves on here rather than with a row
      this.progress = end;
      if (!end) this.o.log({ level: 'info', msg: 'snapshot done', ...this.o.doneFields });
    }
    if (p.last) this.o.log({ level: 'info', msg: 'snapshot: table done', table: p.table });
    return rows;
  }

  /** An operator's request: re-read these tables from their start, after what is queued. */
  requestAgain(tables: string[]): void {
    const p = this.progress ?? { tables: [], after: null };
    // a table being read now is read again in full after the current pass; others are appended once
    for (const t of tables) if (p.tables.indexOf(t, 1) < 0 && !(p.tables[0] === t && p.after === null && !this.open)) p.tables.push(t);
    this.progress = p.tables.length ? p : null;
  }
}
