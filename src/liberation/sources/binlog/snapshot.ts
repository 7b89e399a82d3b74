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
// What step 3 and the progress decide is the same for PostgreSQL and lives in ../log/snapshot-chunks.ts;
// this file reads the chunk and places it by log position.
import type { Connection } from 'mysql2/promise';
import { UnreachableError } from '../../../errors.js';
import { ChunkLedger, type LogOffset } from '../log/snapshot-chunks.js';
import type { CdcRow } from '../pg-logical/types.js';
import { qualifiedName, quoteId, type BinlogTable } from './catalog.js';
import { comparePositions, formatPosition, parsePosition, type BinlogPosition } from './position.js';
import type { BinlogReader } from './reader.js';
import { snapshotValue } from './values.js';

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

const RECENT = 8192;

export function keyText(t: BinlogTable, cols: Record<string, unknown>): string {
  const names = t.keyColumns.length ? t.keyColumns : Object.keys(cols);
  return JSON.stringify(names.map((c) => {
    const v = cols[c];
    return Buffer.isBuffer(v) ? v.toString('hex') : v === undefined ? null : v;
  }));
}

/** A stream row's position; null for a row queued before its commit was seen, which counts as after every chunk. */
function positionOf(row: CdcRow): BinlogPosition | null {
  return row.lsn ? parsePosition(row.lsn) : null;
}

export class BinlogSnapshot {
  /** progress, the pending chunk (marked by its log position) and reconciliation; a change's tag is its position */
  private readonly ledger: ChunkLedger<BinlogPosition, BinlogPosition | null>;

  constructor(
    private readonly tables: Map<string, BinlogTable>,
    chunkSize: number,
    private readonly mariadb: boolean,
    private readonly log: Log,
  ) {
    this.ledger = new ChunkLedger<BinlogPosition, BinlogPosition | null>({
      chunkSize, remember: RECENT, log,
      keysOf: (row) => {
        const t = this.tables.get(row.table);
        return t ? this.keysOf(row, t) : null;
      },
      resumeKey: (row, table) => {
        const t = this.tables.get(table)!;
        return t.keyColumns.length > 0 ? t.keyColumns.map((k) => String(row.columns[k])) : null;
      },
      newer: (at, mark) => !at || comparePositions(at, mark) > 0,
    });
  }

  reset(offset: LogOffset | null, snapshotWanted: boolean, allTables: string[]): void {
    this.ledger.reset(offset, snapshotWanted, allTables);
  }

  get active(): boolean {
    return this.ledger.active;
  }

  get needsChunk(): boolean {
    return this.ledger.needsChunk;
  }

  requeued(rows: number): void {
    this.ledger.requeued(rows);
  }

  stamp(position: string | null): LogOffset {
    return this.ledger.stamp(position);
  }

  private keysOf(row: CdcRow, t: BinlogTable): string[] {
    const keys = [keyText(t, row.columns)];
    if (row.before) keys.push(keyText(t, row.before));
    return keys;
  }

  handed(row: CdcRow): void {
    this.ledger.handed(row, row.op === 'r' ? undefined : positionOf(row));
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
    const progress = this.ledger.current;
    const t = this.tables.get(progress.tables[0]!)!;
    const keyed = t.keyColumns.length > 0 && !t.keyColumns.some((k) => /binary|blob|bit/i.test(t.columns.get(k) ?? ''));
    const keys = keyed ? t.keyColumns : [];
    const order = keys.map(quoteId).join(', ');
    const tuple = `(${keys.map(() => '?').join(', ')})`;
    const target = qualifiedName(t);
    const chunkSize = this.ledger.chunkSize;
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
        [rows] = (await conn.query(`SELECT * FROM ${target} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${chunkSize}`, params)) as unknown as [Array<Record<string, unknown>>];
      }
      await conn.query('COMMIT');
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => {});
      throw e;
    }
    const seq = this.ledger.nextSeq();
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
    // changes after P that the stream already handed out or holds are newer than the chunk's rows
    // (a row queued before its transaction's commit was seen has no position yet: its key is dropped
    // too, which is always safe — the stream carries every later change of a key it carries at all)
    this.ledger.place({ table: t.qualified, mark: at, rows: chunk, endKey, last: !keys.length || rows.length < chunkSize || progress.until === null, seq });
    for (const item of reader.queue) if ('row' in item) this.ledger.seen(item.row, positionOf(item.row));
    if (this.ledger.dropIfUnreconcilable()) {
      // the stream handed out more changes after P than are remembered: the chunk cannot be reconciled, read it again
      this.log({ level: 'warn', msg: 'snapshot chunk fell too far behind the stream; reading it again', table: t.qualified });
      return;
    }
    this.releaseIfDue(reader, reader.lastEnd);
  }

  /** Rows of a large transaction queued before its commit: whatever its position, the stream has those keys from here on. */
  earlyRows(rows: CdcRow[]): void {
    for (const r of rows) this.ledger.seen(r, null);
  }

  /** Before a transaction ending at `end` is queued: a chunk at an older position goes in first. */
  beforeTransaction(reader: BinlogReader, end: BinlogPosition): void {
    const p = this.ledger.pending;
    if (p && comparePositions(end, p.mark) > 0) this.release(reader);
  }

  /** The queue reached `end`: a chunk at or before it goes in now. */
  releaseIfDue(reader: BinlogReader, end: BinlogPosition): void {
    const p = this.ledger.pending;
    if (p && comparePositions(end, p.mark) >= 0) this.release(reader);
  }

  private release(reader: BinlogReader): void {
    for (const r of this.ledger.release(formatPosition(reader.lastEnd))) reader.push({ row: r });
  }

  /** A chunk whose position the stream never reached. */
  checkStalled(limitMs: number, reader: BinlogReader): void {
    const p = this.ledger.pending;
    if (p && Date.now() - p.startedAt > limitMs) {
      throw new UnreachableError(`the binary log stream did not reach snapshot chunk ${p.seq}'s position ${formatPosition(p.mark)} within ${Math.round(limitMs / 1000)} s (it is at ${formatPosition(reader.lastEnd)})`);
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
