// The binary log, read by the replication protocol (@vlasky/zongji over mysql2) and assembled into
// transactions in commit order: rows of the catalog's tables are held until their transaction's
// commit (XID or COMMIT) and only then queued, the last one carrying the commit's end position. A
// transaction the server rolled back is never in the binary log (InnoDB); one that logs a ROLLBACK
// (non-transactional tables mixed in) is dropped whole. The position the queue vouches for only ever
// moves at transaction boundaries, so no checkpoint falls inside a transaction.
import ZongJi from '@vlasky/zongji';
import { redact, UnreachableError } from '../../../errors.js';
import { Fifo } from '../pg-logical/fifo.js';
import { CdcStopError, type CdcOp, type CdcRow } from '../pg-logical/types.js';
import type { BinlogTable } from './catalog.js';
import type { TableMapSeen } from './drift.js';
import { MYSQL_TEXT_OPTIONS } from './catalog.js';
import { comparePositions, formatPosition, type BinlogPosition } from './position.js';
import { binlogValue } from './values.js';

/** A row, a TABLE_MAP whose shape the source judges before the rows after it, or a stop. */
export type QueueItem = { row: CdcRow } | { relation: TableMapSeen } | { stop: CdcStopError };

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

export interface ReaderConfig {
  connection: string;
  serverId: number;
  name: string;
  deleteEvents: boolean;
  truncate: 'fail' | 'skip';
  highWater: number;
  log: Log;
}

interface MapColumn {
  name: string;
  type: number;
  metadata?: unknown;
}

interface BinlogEvent {
  getEventName(): string;
  nextPosition?: number;
  timestamp?: number;
  tableId?: number;
  tableMap?: Record<number, { parentSchema: string; tableName: string; columns: MapColumn[] }>;
  rows?: Array<Record<string, unknown> | { before: Record<string, unknown>; after: Record<string, unknown> }>;
  query?: string;
  schema?: string;
  gtid?: string;
}

interface ZongJiLike {
  options: { filename?: string; position?: number };
  connection: { pause(): void; resume(): void } | null;
  on(ev: string, fn: (x: never) => void): void;
  start(o: Record<string, unknown>): void;
  stop(): void;
}

interface OpenTxn {
  gtid: string | null;
  items: QueueItem[];
  ts: number;
}

const DDL_RE = /^\s*(?:\/\*.*?\*\/\s*)*(ALTER|RENAME|DROP|TRUNCATE)\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+(?:IF\s+EXISTS\s+)?((?:`[^`]+`|[\w$]+)(?:\s*\.\s*(?:`[^`]+`|[\w$]+))?)/i;

/** `db`.`t`, db.t, t → { database, table } */
function ddlTarget(name: string, schema: string): { database: string; table: string } {
  const parts = name.split(/\s*\.\s*(?=(?:[^`]*`[^`]*`)*[^`]*$)/).map((p) => p.replace(/^`|`$/g, '').replaceAll('``', '`'));
  return parts.length === 2 ? { database: parts[0]!, table: parts[1]! } : { database: schema, table: parts[0]! };
}

export class BinlogReader {
  readonly queue = new Fifo<QueueItem>();
  /** the end of the last transaction (or event outside one) fully placed in the queue */
  lastEnd: BinlogPosition = { file: '', pos: 0 };
  failure: Error | null = null;
  /** before a transaction ending at `end` is queued (a pending snapshot chunk goes in first when it is due) */
  beforeTransaction: ((end: BinlogPosition) => void) | null = null;
  /** after the queue's position moved */
  afterBoundary: ((end: BinlogPosition) => void) | null = null;
  /** rows of a very large transaction queued before its commit was seen (their position is not known yet) */
  onEarlyRows: ((rows: CdcRow[]) => void) | null = null;
  private z: ZongJiLike | null = null;
  private txn: OpenTxn | null = null;
  /** the TABLE_MAP columns last seen per table in this run: a map like it needs no judging */
  private shapes = new Map<string, string>();
  /** the last DDL seen per catalog table, shown when its shape breaks the mapping */
  private ddl = new Map<string, { query: string; at: string }>();
  private paused = false;
  private wake: (() => void) | null = null;

  constructor(private readonly cfg: ReaderConfig, private readonly tables: Map<string, BinlogTable>) {}

  get inTransaction(): boolean {
    return this.txn !== null;
  }

  /** Connect and stream from `at` (a transaction boundary). Resolves once the server accepted the dump. */
  async start(at: BinlogPosition): Promise<void> {
    this.lastEnd = at;
    const z = new (ZongJi as unknown as new (o: Record<string, unknown>) => ZongJiLike)({ uri: this.cfg.connection.replace(/^mariadb:/i, 'mysql:'), ...MYSQL_TEXT_OPTIONS });
    this.z = z;
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      z.on('ready', () => {
        ready = true;
        resolve();
      });
      z.on('error', (e: Error & { code?: string; errno?: number }) => {
        const err = this.classify(e);
        if (!ready) reject(err);
        else this.fail(err);
      });
      z.on('binlog', (e: BinlogEvent) => {
        try {
          this.onEvent(e);
        } catch (err) {
          this.fail(err as Error);
        }
      });
      z.start({ serverId: this.cfg.serverId, filename: at.file, position: at.pos });
    });
    this.cfg.log({ level: 'info', msg: 'streaming', from: formatPosition(at), serverId: this.cfg.serverId });
  }

  private classify(e: Error & { code?: string; errno?: number }): Error {
    if (e.errno === 1236 || /could not find first log file|purged/i.test(e.message)) {
      return new CdcStopError('cdc-binlog-purged', `stream ${this.cfg.name}: the server no longer has the binary log to resume from (${redact(e.message)}). Choose: re-snapshot (delete the checkpoint of stream ${this.cfg.name} and publish again) or give up on this stream`);
    }
    if (e instanceof CdcStopError) return e;
    return new UnreachableError(`reading the binary log failed: ${redact(e.message)}`, e);
  }

  private position(): BinlogPosition {
    const o = this.z!.options;
    return { file: o.filename ?? this.lastEnd.file, pos: o.position ?? this.lastEnd.pos };
  }

  fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.wake?.();
  }

  waitForData(ms: number): Promise<void> {
    if (this.queue.length || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        if (!this.queue.length && !this.failure) return;
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  /** After the consumer took items: resume reading once the buffer drained to half. */
  drained(): void {
    if (this.paused && this.queue.length < this.cfg.highWater / 2) {
      this.paused = false;
      this.z?.connection?.resume();
    }
  }

  push(item: QueueItem): void {
    this.queue.push(item);
  }

  async close(): Promise<void> {
    const z = this.z;
    this.z = null;
    this.wake = null;
    if (!z) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      z.on('stopped', () => {
        clearTimeout(t);
        resolve();
      });
      try {
        z.stop();
      } catch {
        clearTimeout(t);
        resolve();
      }
    });
  }

  private boundary(): void {
    const end = this.position();
    if (comparePositions(end, this.lastEnd) > 0 || end.file !== this.lastEnd.file) this.lastEnd = end;
    this.afterBoundary?.(this.lastEnd);
  }

  private commit(): void {
    const txn = this.txn;
    this.txn = null;
    const end = this.position();
    if (txn && txn.items.length) {
      this.beforeTransaction?.(end);
      const at = formatPosition(end);
      let last: CdcRow | undefined;
      for (const i of txn.items) {
        if ('row' in i) {
          i.row.lsn = at;
          i.row.headers['schemactl.binlog-position'] = at;
          last = i.row;
        }
      }
      if (last) last.offset = { v: 1, kind: 'log', position: at, snapshotDone: true };
      for (const i of txn.items) this.queue.push(i);
      if (!this.paused && this.queue.length >= this.cfg.highWater && this.z?.connection) {
        this.paused = true;
        this.z.connection.pause();
      }
    }
    this.boundary();
    this.wake?.();
  }

  private onEvent(e: BinlogEvent): void {
    switch (e.getEventName()) {
      case 'mariadbgtid':
      case 'gtid':
        this.txn = { gtid: e.gtid ?? null, items: [], ts: e.timestamp ?? Date.now() };
        return;
      case 'anonymousgtid':
        this.txn = { gtid: null, items: [], ts: e.timestamp ?? Date.now() };
        return;
      case 'query': {
        const q = (e.query ?? '').trim();
        const upper = q.toUpperCase();
        if (upper === 'BEGIN' || upper.startsWith('XA START') || upper.startsWith('SAVEPOINT')) {
          this.txn ??= { gtid: null, items: [], ts: e.timestamp ?? Date.now() };
          return;
        }
        if (upper === 'ROLLBACK' || upper.startsWith('XA ROLLBACK')) {
          // logged only when non-transactional tables took part: nothing of it is published
          if (this.txn) this.txn.items = [];
          this.commit();
          return;
        }
        if (upper === 'COMMIT' || upper.startsWith('XA COMMIT')) {
          this.commit();
          return;
        }
        if (upper.startsWith('XA ') || upper.startsWith('ROLLBACK TO')) return;
        // a statement logged as such (DDL): its own transaction
        this.onDdl(q, e.schema ?? '');
        this.commit();
        return;
      }
      case 'tablemap':
        this.onTableMap(e);
        return;
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        this.onRows(e);
        return;
      case 'xid':
        this.commit();
        return;
      default:
        if (!this.txn) this.boundary();
    }
  }

  private onDdl(query: string, schema: string): void {
    const m = DDL_RE.exec(query);
    if (!m) return;
    const target = ddlTarget(m[2]!, schema);
    const qualified = `${target.database}.${target.table}`;
    if (!this.tables.has(qualified)) return;
    const at = formatPosition(this.lastEnd);
    const verb = m[1]!.toUpperCase();
    const shown = query.length > 500 ? `${query.slice(0, 500)}…` : query;
    if (verb === 'TRUNCATE') {
      if (this.cfg.truncate === 'skip') {
        this.cfg.log({ level: 'warn', msg: 'TRUNCATE skipped as configured', stream: this.cfg.name, table: qualified, at });
        return;
      }
      this.queue.push({ stop: new CdcStopError('cdc-truncate', `stream ${this.cfg.name}: ${shown} after binary log position ${at}. A truncate has no per-key form, so the topic cannot forget those rows by itself. Decide: set truncate: skip (keep the topic as is), then run again; the checkpoint still precedes this statement`) });
      return;
    }
    if (verb === 'DROP' || verb === 'RENAME') {
      this.queue.push({ stop: new CdcStopError('cdc-schema-drift', `stream ${this.cfg.name}: table ${qualified} was dropped or renamed after binary log position ${at}: ${shown}. Nothing after it was published; the checkpoint stays before it. Point the catalog at the table's new name (and delete the checkpoint to re-snapshot), then publish again`) });
      return;
    }
    this.ddl.set(qualified, { query: shown, at });
    this.cfg.log({ level: 'info', msg: 'DDL on a captured table; its next row events are checked against the schema', stream: this.cfg.name, table: qualified, ddl: shown, at });
  }

  /**
   * TABLE_MAP carries the columns in force when the rows after it were written (binlog_row_metadata=FULL):
   * the Relation message of this log. The first one of a table in a run, and every one that differs
   * from the last, goes into the transaction ahead of its rows; the source judges it against the
   * stream's schema before it hands out a row of that shape.
   */
  private onTableMap(e: BinlogEvent): void {
    const map = e.tableMap?.[e.tableId!];
    if (!map) return;
    const qualified = `${map.parentSchema}.${map.tableName}`;
    if (!this.tables.has(qualified)) return;
    const key = JSON.stringify(map.columns.map((c) => [c.name, c.type, c.metadata ?? null]));
    if (this.shapes.get(qualified) === key) return;
    this.shapes.set(qualified, key);
    const ddl = this.ddl.get(qualified);
    const relation: TableMapSeen = { table: qualified, at: formatPosition(this.lastEnd), columns: map.columns.map((c) => ({ name: c.name, type: c.type })), ...(ddl ? { ddl } : {}) };
    if (this.txn) this.txn.items.push({ relation });
    else this.queue.push({ relation });
  }

  private onRows(e: BinlogEvent): void {
    const map = e.tableMap?.[e.tableId!];
    if (!map) return;
    const qualified = `${map.parentSchema}.${map.tableName}`;
    const table = this.tables.get(qualified);
    if (!table) return;
    const txn = (this.txn ??= { gtid: null, items: [], ts: e.timestamp ?? Date.now() });
    // a drift stop already queued in this transaction: nothing of the new shape goes after it
    if (txn.items.some((i) => 'stop' in i)) return;
    const cols = map.columns;
    const convert = (r: Record<string, unknown>): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      for (const c of cols) out[c.name] = binlogValue(r[c.name], c.type);
      return out;
    };
    const name = e.getEventName();
    const row = (op: CdcOp, columns: Record<string, unknown>, before?: Record<string, unknown>): CdcRow => {
      const headers: Record<string, string> = { 'schemactl.op': op, 'schemactl.table': qualified, 'schemactl.commit-ts': new Date(txn.ts * (txn.ts < 1e11 ? 1000 : 1)).toISOString() };
      if (txn.gtid) headers['schemactl.gtid'] = txn.gtid;
      return {
        op, table: qualified, lsn: '', columns, headers,
        ...(before ? { before: before as Record<string, string | null> } : {}),
        // until the commit is seen, a row only vouches for the transactions before it
        offset: { v: 1, kind: 'log', position: formatPosition(this.lastEnd), snapshotDone: true },
        position: `${qualified} (${txn.gtid ? `gtid ${txn.gtid}, ` : ''}after ${formatPosition(this.lastEnd)}, ${op})`,
      };
    };
    const keyOf = (r: Record<string, unknown>) => JSON.stringify(table.keyColumns.map((k) => (Buffer.isBuffer(r[k]) ? (r[k] as Buffer).toString('hex') : r[k])));
    for (const raw of e.rows ?? []) {
      if (name === 'writerows') txn.items.push({ row: row('c', convert(raw as Record<string, unknown>)) });
      else if (name === 'updaterows') {
        const u = raw as { before: Record<string, unknown>; after: Record<string, unknown> };
        const before = convert(u.before);
        const after = convert(u.after);
        if (table.keyColumns.length && keyOf(before) !== keyOf(after)) {
          // the key changed: the old key's record is deleted (a tombstone), the new key gets the row
          if (this.cfg.deleteEvents) txn.items.push({ row: row('d', { ...before }, before) });
          const tomb = row('d', before, before);
          tomb.tombstone = true;
          txn.items.push({ row: tomb });
        }
        txn.items.push({ row: row('u', after, before) });
      } else {
        const before = convert(raw as Record<string, unknown>);
        if (this.cfg.deleteEvents) txn.items.push({ row: row('d', { ...before }, before) });
        const tomb = row('d', before, before);
        tomb.tombstone = true;
        txn.items.push({ row: tomb });
      }
    }
    if (txn.items.length >= this.cfg.highWater && !txn.items.some((i) => 'stop' in i)) {
      // a very large transaction: release its rows early so memory stays bounded; their offsets still
      // point before it (a checkpoint never passes it before its commit), and their position is unknown
      const rows = txn.items.flatMap((i) => ('row' in i ? [i.row] : []));
      this.onEarlyRows?.(rows);
      for (const i of txn.items) this.queue.push(i);
      txn.items = [];
      this.wake?.();
    }
  }
}
