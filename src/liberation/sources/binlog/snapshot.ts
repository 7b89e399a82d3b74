// The snapshot, read in key-ordered chunks while the binary log streams, each chunk tied to the exact
// log position its rows are consistent with — the position is the watermark, so nothing is written to
// the database.
//
// For each chunk:
//   1. START TRANSACTION WITH CONSISTENT SNAPSHOT, then the position P that snapshot corresponds to:
//      on MariaDB `SHOW STATUS LIKE 'binlog_snapshot_%'` (exact, without a lock); on MySQL a brief
//      FLUSH TABLES WITH READ LOCK around the start of the transaction and SHOW MASTER STATUS.
//   2. Read the next `chunkSize` rows by key in that snapshot: they are the table as of P.
//   3. Place the rows in the stream at P. A change committed before P is older than the chunk and is
//      queued before it; one committed after P is newer and comes after it. When the stream has already
//      queued (or handed out) changes after P, their keys are dropped from the chunk: the stream carries
//      a value at least as new (a delete, its tombstone).
// Progress (the table being read and the last key handed out) travels in every offset, as in the
// PostgreSQL log pattern, so a restart resumes the stream at the checkpoint and the snapshot at the
// next key. Tables without a primary key (or with a binary key) are read in one chunk.
import type { Connection } from 'mysql2/promise';
import { UnreachableError } from '../../../errors.js';
import type { LogOffset, SnapshotState } from '../pg-logical/snapshot.js';
import type { CdcRow } from '../pg-logical/types.js';
import { qualifiedName, quoteId, type BinlogTable } from './catalog.js';
import { comparePositions, formatPosition, parsePosition, type BinlogPosition } from './position.js';
import type { BinlogReader } from './reader.js';
import { snapshotValue } from './values.js';

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

function copyState(s: SnapshotState): SnapshotState {
  return { tables: [...s.tables], after: s.after ? [...s.after] : null, ...(s.until !== undefined ? { until: s.until ? [...s.until] : null } : {}) };
}

interface PendingChunk {
  at: BinlogPosition;
  table: BinlogTable;
  rows: Map<string, CdcRow>;
  endKey: string[] | null;
  last: boolean;
  startedAt: number;
  seq: number;
}

const RECENT = 8192;

export function keyText(t: BinlogTable, cols: Record<string, unknown>): string {
  const names = t.keyColumns.length ? t.keyColumns : Object.keys(cols);
  return JSON.stringify(names.map((c) => {
    const v = cols[c];
    return Buffer.isBuffer(v) ? v.toString('hex') : v === undefined ? null : v;
  }));
}

export class BinlogSnapshot {
  private progress: SnapshotState | null = null;
  private pending: PendingChunk | null = null;
  private seq = 0;
  private queued = 0;
  /** (position, table, keys) of stream rows handed out lately, to drop from a chunk read at an older position */
  private recent: Array<{ at: BinlogPosition | null; table: string; keys: string[] } | undefined> = new Array(RECENT);
  private recentAt = 0;
  private recentCount = 0;

  constructor(
    private readonly tables: Map<string, BinlogTable>,
    private readonly chunkSize: number,
    private readonly mariadb: boolean,
    private readonly log: Log,
  ) {}

  reset(offset: LogOffset | null, snapshotWanted: boolean, allTables: string[]): void {
    this.pending = null;
    this.queued = 0;
    this.recent = new Array(RECENT);
    this.recentCount = 0;
    if (offset?.snapshot) this.progress = copyState(offset.snapshot);
    else if (offset ? !offset.snapshotDone && snapshotWanted : snapshotWanted) this.progress = { tables: [...allTables], after: null };
    else this.progress = null;
    if (this.progress && !this.progress.tables.length) this.progress = null;
    if (this.progress) this.log({ level: 'info', msg: 'snapshot: reading in chunks while streaming', tables: this.progress.tables, after: this.progress.after, chunkSize: this.chunkSize });
  }

  get active(): boolean {
    return this.progress !== null || this.pending !== null;
  }

  get needsChunk(): boolean {
    return this.progress !== null && this.pending === null && this.queued === 0;
  }

  requeued(rows: number): void {
    this.queued += rows;
  }

  stamp(position: string | null): LogOffset {
    return this.progress
      ? { v: 1, kind: 'log', position, snapshotDone: false, snapshot: copyState(this.progress) }
      : { v: 1, kind: 'log', position, snapshotDone: true };
  }

  private keysOf(row: CdcRow, t: BinlogTable): string[] {
    const keys = [keyText(t, row.columns)];
    if (row.before) keys.push(keyText(t, row.before));
    return keys;
  }

  handed(row: CdcRow): void {
    if (row.op === 'r') {
      this.queued = Math.max(0, this.queued - 1);
      const o = row.offset as LogOffset;
      this.progress = o.snapshot ? copyState(o.snapshot) : null;
      if (!this.progress && !this.pending) this.log({ level: 'info', msg: 'snapshot done' });
      return;
    }
    const t = this.tables.get(row.table);
    if (!t) return;
    // a row released before its commit was seen counts as after every chunk position (see readChunk)
    this.recent[this.recentAt] = { at: row.lsn ? parsePosition(row.lsn) : null, table: row.table, keys: this.keysOf(row, t) };
    this.recentAt = (this.recentAt + 1) % RECENT;
    this.recentCount++;
  }

  /** Step 1: the consistent snapshot and its position. */
  private async begin(conn: Connection): Promise<BinlogPosition> {
    if (this.mariadb) {
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      const [rows] = await conn.query("SHOW STATUS LIKE 'binlog_snapshot_%'");
      const m = new Map((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
      return { file: String(m.get('binlog_snapshot_file')), pos: Number(m.get('binlog_snapshot_position')) };
    }
    await conn.query('FLUSH TABLES WITH READ LOCK');
    try {
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
      return await masterPosition(conn);
    } finally {
      await conn.query('UNLOCK TABLES');
    }
  }

  /** Steps 1–3 for the next chunk of the current table. */
  async readChunk(conn: Connection, reader: BinlogReader): Promise<void> {
    const progress = this.progress!;
    const t = this.tables.get(progress.tables[0]!)!;
    const keyed = t.keyColumns.length > 0 && !t.keyColumns.some((k) => /binary|blob|bit/i.test(t.columns.get(k) ?? ''));
    const keys = keyed ? t.keyColumns : [];
    const order = keys.map(quoteId).join(', ');
    const tuple = `(${keys.map(() => '?').join(', ')})`;
    const target = qualifiedName(t);
    let at: BinlogPosition;
    let rows: Array<Record<string, unknown>> = [];
    try {
      at = await this.begin(conn);
      if (keys.length && progress.until === undefined) {
        // where this table's snapshot ends: a larger key is inserted after it, so the stream has it
        const [top] = await conn.query(`SELECT ${order} FROM ${target} ORDER BY ${keys.map((k) => `${quoteId(k)} DESC`).join(', ')} LIMIT 1`);
        const r = (top as Array<Record<string, unknown>>)[0];
        progress.until = r ? keys.map((k) => String(snapshotValue(r[k]))) : null;
      }
      if (!keys.length) [rows] = (await conn.query(`SELECT * FROM ${target}`)) as unknown as [Array<Record<string, unknown>>];
      else if (progress.until !== null) {
        const where: string[] = [];
        const params: string[] = [];
        if (progress.after) {
          where.push(`(${order}) > ${tuple}`);
          params.push(...progress.after);
        }
        where.push(`(${order}) <= ${tuple}`);
        params.push(...progress.until!);
        [rows] = (await conn.query(`SELECT * FROM ${target} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${this.chunkSize}`, params)) as unknown as [Array<Record<string, unknown>>];
      }
      await conn.query('COMMIT');
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => {});
      throw e;
    }
    const seq = ++this.seq;
    const chunk = new Map<string, CdcRow>();
    let endKey: string[] | null = progress.after;
    const positionText = formatPosition(at);
    for (const raw of rows) {
      const columns: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) columns[k] = snapshotValue(v);
      chunk.set(keyText(t, columns), {
        op: 'r', table: t.qualified, lsn: positionText, columns,
        headers: { 'schemactl.op': 'r', 'schemactl.table': t.qualified, 'schemactl.snapshot': 'true', 'schemactl.binlog-position': positionText },
        offset: { v: 1, kind: 'log', position: null, snapshotDone: false },
        position: `${t.qualified} (snapshot chunk ${seq} at ${positionText})`,
      });
      if (keys.length) endKey = keys.map((k) => String(columns[k]));
    }
    // changes after P that the stream already holds or handed out are newer than the chunk's rows
    // (a row queued before its transaction's commit was seen has no position yet: its key is dropped
    // too, which is always safe — the stream carries every later change of a key it carries at all)
    for (const item of reader.queue) {
      if (!('row' in item) || item.row.op === 'r' || item.row.table !== t.qualified) continue;
      if (!item.row.lsn || comparePositions(parsePosition(item.row.lsn), at) > 0) for (const k of this.keysOf(item.row, t)) chunk.delete(k);
    }
    let oldest: BinlogPosition | null = null;
    for (const r of this.recent) {
      if (!r) continue;
      if (r.at && (!oldest || comparePositions(r.at, oldest) < 0)) oldest = r.at;
      if (r.table === t.qualified && (!r.at || comparePositions(r.at, at) > 0)) for (const k of r.keys) chunk.delete(k);
    }
    if (this.recentCount > RECENT && oldest && comparePositions(oldest, at) > 0) {
      // the stream handed out more changes after P than are remembered: the chunk cannot be reconciled, read it again
      this.log({ level: 'warn', msg: 'snapshot chunk fell too far behind the stream; reading it again', table: t.qualified });
      return;
    }
    this.pending = { at, table: t, rows: chunk, endKey, last: !keys.length || rows.length < this.chunkSize || progress.until === null, startedAt: Date.now(), seq };
    this.releaseIfDue(reader, reader.lastEnd);
  }

  /** Rows of a large transaction queued before its commit: whatever its position, the stream has those keys from here on. */
  earlyRows(rows: CdcRow[]): void {
    const p = this.pending;
    if (!p) return;
    for (const r of rows) if (r.table === p.table.qualified) for (const k of this.keysOf(r, p.table)) p.rows.delete(k);
  }

  /** Before a transaction ending at `end` is queued: a chunk at an older position goes in first. */
  beforeTransaction(reader: BinlogReader, end: BinlogPosition): void {
    if (this.pending && comparePositions(end, this.pending.at) > 0) this.release(reader);
  }

  /** The queue reached `end`: a chunk at or before it goes in now. */
  releaseIfDue(reader: BinlogReader, end: BinlogPosition): void {
    if (this.pending && comparePositions(end, this.pending.at) >= 0) this.release(reader);
  }

  private release(reader: BinlogReader): void {
    const p = this.pending!;
    this.pending = null;
    const progress = this.progress!;
    const rest = progress.tables.slice(1);
    const until = progress.until;
    const bounded = (after: string[] | null): SnapshotState => ({ tables: [...progress.tables], after, ...(until !== undefined ? { until } : {}) });
    const end: SnapshotState | null = p.last ? (rest.length ? { tables: rest, after: null } : null) : bounded(p.endKey);
    const rows = [...p.rows.values()];
    const position = formatPosition(reader.lastEnd);
    const keyed = p.table.keyColumns.length > 0;
    rows.forEach((r, i) => {
      const state = i === rows.length - 1 ? end : bounded(keyed ? p.table.keyColumns.map((k) => String(r.columns[k])) : null);
      r.offset = state ? { v: 1, kind: 'log', position, snapshotDone: false, snapshot: state } : { v: 1, kind: 'log', position, snapshotDone: true };
      reader.push({ row: r });
    });
    this.queued += rows.length;
    if (!rows.length) {
      this.progress = end;
      if (!end) this.log({ level: 'info', msg: 'snapshot done' });
    }
    if (p.last) this.log({ level: 'info', msg: 'snapshot: table done', table: p.table.qualified });
  }

  /** A chunk whose position the stream never reached. */
  checkStalled(limitMs: number, reader: BinlogReader): void {
    if (this.pending && Date.now() - this.pending.startedAt > limitMs) {
      throw new UnreachableError(`the binary log stream did not reach snapshot chunk ${this.pending.seq}'s position ${formatPosition(this.pending.at)} within ${Math.round(limitMs / 1000)} s (it is at ${formatPosition(reader.lastEnd)})`);
    }
  }
}

/** The server's current binary log position (MySQL 8.4 renamed the statement). */
export async function masterPosition(conn: Connection): Promise<BinlogPosition> {
  let rows: unknown;
  try {
    [rows] = await conn.query('SHOW BINARY LOG STATUS');
  } catch {
    [rows] = await conn.query('SHOW MASTER STATUS');
  }
  const r = (rows as Array<{ File: string; Position: string | number }>)[0];
  if (!r) throw new UnreachableError('the server reports no binary log position (is log_bin on?)');
  return { file: r.File, pos: Number(r.Position) };
}
