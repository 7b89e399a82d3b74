// The snapshot, read in key-ordered chunks while the stream runs, in the manner of DBLog's watermark
// algorithm (Andreas Andreakis, Ioannis Papapanagiotou: "DBLog: A Watermark Based Change-Data-Capture
// Framework", 2020), which Debezium's incremental snapshots also follow.
//
// For each chunk:
//   1. In one REPEATABLE READ transaction, take the snapshot S (pg_current_snapshot()) and read the next
//      `chunkSize` rows by key: WHERE (key) > (last key) ORDER BY key LIMIT n.
//   2. Write a watermark into the WAL after it (a transactional logical decoding message).
//   3. Until the stream reaches the watermark, every change to the table by a transaction S does not
//      see removes that key from the chunk: the stream carries a value at least as new (a delete, its
//      tombstone). Changes S does see are older than the chunk's rows and are published before them.
//   4. At the watermark, the chunk's remaining rows are published (op `r`), in the stream's order.
// A transaction S sees committed before the watermark, so it is published before the chunk rows; one
// S does not see either was met before the watermark (its key left the chunk) or comes after it.
// Visibility is decided by transaction id against S rather than by a low watermark, which closes the
// window between a commit record reaching the WAL and the transaction becoming visible.
//
// Progress (the table being read and the last key of the chunk rows handed out) travels in every
// offset, so the checkpoint saved after Kafka's acknowledgement says where to go on after a crash:
// the stream resumes at the checkpoint's LSN and the snapshot at the next key, with no gap and no lost
// delete. Tables without a primary key or replica identity index are read in one chunk.
// What step 3 and the progress decide is the same for the binary log and lives in ../log/snapshot-chunks.ts;
// this file reads the chunk, writes the watermark and decides visibility against S.
import type pg from 'pg';
import { UnreachableError } from '../../../errors.js';
import { ChunkLedger, type LogOffset } from '../log/snapshot-chunks.js';
import type { TableInfo } from './catalog.js';
import type { Fifo } from './fifo.js';
import { quoteIdent } from './protocol.js';
import type { LogMessage, QueueItem } from './stream.js';
import type { CdcRow } from './types.js';

export type { LogOffset, SnapshotState } from '../log/snapshot-chunks.js';

export const WATERMARK_PREFIX = 'schemactl.watermark';
export const SIGNAL_PREFIX = 'schemactl.snapshot';

interface PgSnapshot {
  xmin: bigint;
  xmax: bigint;
  xip: Set<bigint>;
}

/** `xmin:xmax:xip,…` as pg_current_snapshot() prints it (64-bit, epoch-qualified ids). */
export function parsePgSnapshot(text: string): PgSnapshot {
  const [xmin, xmax, xip] = text.split(':');
  if (xmin === undefined || xmax === undefined) throw new Error(`unexpected snapshot text '${text}'`);
  return { xmin: BigInt(xmin), xmax: BigInt(xmax), xip: new Set((xip ?? '').split(',').filter(Boolean).map((x) => BigInt(x))) };
}

/** Did snapshot S see the (committed) transaction with this 32-bit xid from the stream? */
export function visibleIn(s: PgSnapshot, xid: number): boolean {
  // widen the 32-bit id to the epoch of xmax: the nearest 64-bit id with these low bits
  const low = Number(s.xmax & 0xffffffffn);
  let diff = (xid - low) | 0; // signed 32-bit distance
  if (diff === -2147483648) diff = 2147483647;
  const x = s.xmax + BigInt(diff);
  if (x >= s.xmax) return false;
  if (x < s.xmin) return true;
  return !s.xip.has(x);
}

/** Where a chunk sits: its watermark's id, and the snapshot S it was read in. */
interface Watermark {
  id: string;
  snapshot: PgSnapshot;
}

const RECENT = 4096;

export class ChunkedSnapshot {
  /** progress, the pending chunk and reconciliation; a change's tag is its transaction id */
  private readonly ledger: ChunkLedger<Watermark, number>;

  constructor(
    private readonly tables: Map<string, TableInfo>,
    private readonly slot: string,
    chunkSize: number,
    private readonly log: (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void,
  ) {
    this.ledger = new ChunkLedger<Watermark, number>({
      chunkSize, remember: RECENT, log, doneFields: { slot },
      keysOf: (row) => {
        const t = this.tables.get(row.table);
        return t ? this.keysOfRow(t, row) : null;
      },
      resumeKey: (row, table) => this.tables.get(table)!.keyColumns.map((k) => (row.columns[k] as string | null) ?? ''),
      // a transaction S did not see committed after the chunk was read (Step 3)
      newer: (xid, mark) => !visibleIn(mark.snapshot, xid),
    });
  }

  /** Start over from a committed offset (or the snapshot setting when there is none). */
  reset(offset: LogOffset | null, snapshotWanted: boolean, allTables: string[]): void {
    this.ledger.reset(offset, snapshotWanted, allTables);
  }

  get active(): boolean {
    return this.ledger.active;
  }

  get needsChunk(): boolean {
    return this.ledger.needsChunk;
  }

  /** Snapshot rows put back into the queue (the engine rewound). */
  requeued(rows: number): void {
    this.ledger.requeued(rows);
  }

  /** The offset fields that say how far the snapshot got, for a position handed out now. */
  stamp(position: string | null): LogOffset {
    return this.ledger.stamp(position);
  }

  keyOf(t: TableInfo, cols: Record<string, string | null>): string {
    if (t.keyColumns.length) return JSON.stringify(t.keyColumns.map((c) => cols[c] ?? null));
    return JSON.stringify([...t.columns.keys()].map((c) => cols[c] ?? null));
  }

  private keysOfRow(t: TableInfo, row: CdcRow): string[] {
    const keys = [this.keyOf(t, row.columns as Record<string, string | null>)];
    if (row.before) keys.push(this.keyOf(t, row.before));
    return keys;
  }

  /** Every item as it enters the stream's queue, in stream order. */
  onEnqueue(item: QueueItem): void {
    const p = this.ledger.pending;
    if (!p || p.closed) return;
    if ('row' in item) this.ledger.seen(item.row, item.row.xid);
    else if ('message' in item && item.message.prefix === WATERMARK_PREFIX && item.message.content === p.mark.id) this.ledger.close();
  }

  /** A row handed to the engine: snapshot rows advance the progress, stream rows are remembered briefly. */
  handed(row: CdcRow): void {
    this.ledger.handed(row, row.xid);
  }

  /** Steps 1–2: read the next chunk of the current table and write its watermark. */
  async readChunk(admin: pg.Client, queue: Fifo<QueueItem>): Promise<void> {
    const progress = this.ledger.current;
    const t = this.tables.get(progress.tables[0]!)!;
    const seq = this.ledger.nextSeq();
    const id = `${this.slot}:${process.pid}:${Date.now()}:${seq}`;
    const target = `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`;
    const keys = t.keyColumns;
    const order = keys.map(quoteIdent).join(', ');
    const tuple = (from: number) => `(${keys.map((k, i) => `$${from + i}::${t.columns.get(k)!.typeName}`).join(', ')})`;
    const chunkSize = this.ledger.chunkSize;
    let res: pg.QueryResult;
    let snap: PgSnapshot;
    let empty = false;
    await admin.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    try {
      // the first statement fixes the transaction's snapshot: the chunk is read in exactly S
      snap = parsePgSnapshot(((await admin.query('SELECT pg_current_snapshot()::text AS s')).rows[0] as { s: string }).s);
      if (keys.length && progress.until === undefined) {
        // where this table's snapshot ends: a larger key is inserted after S, so the stream has it
        const top = (await admin.query(`SELECT ${order} FROM ${target} ORDER BY ${keys.map((k) => `${quoteIdent(k)} DESC`).join(', ')} LIMIT 1`)).rows[0] as Record<string, string> | undefined;
        progress.until = top ? keys.map((k) => top[k]!) : null;
      }
      let sql: string;
      const params: string[] = [];
      if (!keys.length) sql = `SELECT * FROM ${target}`;
      else {
        const where: string[] = [];
        if (progress.after) {
          where.push(`(${order}) > ${tuple(1)}`);
          params.push(...progress.after);
        }
        if (progress.until) {
          where.push(`(${order}) <= ${tuple(params.length + 1)}`);
          params.push(...progress.until);
        }
        empty = progress.until === null;
        sql = `SELECT * FROM ${target}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${chunkSize}`;
      }
      res = empty ? ({ rows: [] } as unknown as pg.QueryResult) : await admin.query(sql, params);
      await admin.query('COMMIT');
    } catch (e) {
      await admin.query('ROLLBACK').catch(() => {});
      throw e;
    }
    const rows = new Map<string, CdcRow>();
    let endKey: string[] | null = progress.after;
    for (const r of res.rows as Array<Record<string, string | null>>) {
      const row: CdcRow = {
        op: 'r', table: t.qualified, lsn: '', columns: r,
        headers: { 'schemactl.op': 'r', 'schemactl.table': t.qualified, 'schemactl.snapshot': 'true' },
        offset: { v: 1, kind: 'log', position: null, snapshotDone: false },
        position: `${t.qualified} (snapshot chunk ${seq})`,
      };
      rows.set(this.keyOf(t, r), row);
      if (keys.length) endKey = keys.map((k) => r[k] ?? '');
    }
    // changes handed out a moment ago that S did not see are reconciled here, those already received next
    this.ledger.place({ table: t.qualified, mark: { id, snapshot: snap }, rows, endKey, last: !keys.length || res.rows.length < chunkSize, seq });
    for (const item of queue) if ('row' in item) this.ledger.seen(item.row, item.row.xid);
    await admin.query('SELECT pg_logical_emit_message(true, $1, $2)', [WATERMARK_PREFIX, id]);
  }

  /** Step 4: the stream reached a watermark. Returns the chunk's rows to hand out now (null: not ours). */
  expand(m: LogMessage): CdcRow[] | null {
    const p = this.ledger.pending;
    if (!p || m.content !== p.mark.id || !this.ledger.reading) return null;
    const rows = this.ledger.release(m.position);
    for (const r of rows) {
      r.lsn = m.position;
      r.headers['schemactl.lsn'] = m.position;
    }
    return rows;
  }

  /** A chunk whose watermark never arrived: something removed messages from the stream. */
  checkStalled(limitMs: number): void {
    const p = this.ledger.pending;
    if (p && !p.closed && Date.now() - p.startedAt > limitMs) {
      throw new UnreachableError(`the snapshot watermark of chunk ${p.mark.id} did not arrive through the replication stream within ${Math.round(limitMs / 1000)} s`);
    }
  }

  /** An operator's request (SIGNAL_PREFIX message): re-read these tables from their start, after what is queued. */
  signal(content: string, position: string): void {
    let req: { slot?: unknown; tables?: unknown };
    try {
      req = JSON.parse(content) as typeof req;
    } catch {
      this.log({ level: 'warn', msg: 'ignoring a snapshot signal that is not JSON', content: content.slice(0, 200), position });
      return;
    }
    if (req.slot !== this.slot) return;
    const asked = Array.isArray(req.tables) ? req.tables.map(String) : [];
    const known = asked.map((x) => (x.includes('.') ? x : `public.${x}`)).filter((x) => this.tables.has(x));
    const unknown = asked.filter((x) => !this.tables.has(x.includes('.') ? x : `public.${x}`));
    if (unknown.length) this.log({ level: 'warn', msg: 'snapshot signal names tables this stream does not capture', tables: unknown, position });
    if (!known.length) return;
    this.ledger.requestAgain(known);
    this.log({ level: 'info', msg: 'snapshot requested by signal', tables: known, position });
  }
}
