// Log-based change data capture from MySQL and MariaDB: the binary log, read over the replication
// protocol like a replica. The parts, split along the protocol's seams as the PostgreSQL source is:
//   binlog/preconditions.ts  log_bin, ROW format, full row images and metadata, grants, retention
//   binlog/reader.ts         the binary log assembled into transactions in commit order; drift
//   binlog/snapshot.ts       the snapshot, read in chunks tied to exact log positions while streaming
//   binlog/catalog.ts        tables, keys and column types
//   binlog/values.ts         log values as the text the snapshot's queries return
//   log/                     what both log sources share: acknowledgements, the chunk ledger
// This file decides where to start and hands rows to the engine.
//
// Guarantees, and how:
//  - Gap-free start. Streaming starts at the server's current position (or the checkpoint); every
//    chunk of the snapshot is read in a consistent snapshot whose exact log position is known, and is
//    placed in the stream at that position (snapshot.ts).
//  - Honest checkpoints. A row's offset is the end of the last transaction before it, the last row of
//    a transaction carries its commit's end: the engine checkpoints only what the broker acknowledged,
//    so a checkpoint is always a transaction boundary and a restart resumes there. While nothing is in
//    flight, the position of transactions that touched no captured table is saved too, so an idle
//    stream does not fall behind the server's binary log retention.
//  - A checkpoint whose binary log was purged stops the stream with the choice to make.
//  - Governed drift. A TABLE_MAP of a new shape is judged against the stream's schema (through its
//    mapper) before a row of that shape is handed out; the accepted shape travels in every offset,
//    and at start information_schema is judged against it the same way (binlog/drift.ts).
import mysql from 'mysql2/promise';
import type { CheckpointStore, Source, SourceBatch, SourceOffset } from '../types.js';
import type { ColumnShape, FieldProbe } from '../drift/relation.js';
import { redact, SchemactlError, UnreachableError } from '../../errors.js';
import { loadShape, loadTables, MYSQL_TEXT_OPTIONS, splitName, type BinlogTable } from './binlog/catalog.js';
import { mapDriftError, mapShape, startDriftError, type TableMapSeen } from './binlog/drift.js';
import { checkRetention, checkServer, type ServerInfo } from './binlog/preconditions.js';
import { comparePositions, formatPosition, parsePosition, type BinlogPosition } from './binlog/position.js';
import { BinlogReader, type QueueItem } from './binlog/reader.js';
import { BinlogSnapshot, masterPosition } from './binlog/snapshot.js';
import { AcceptedShapes } from './log/accepted-shapes.js';
import { InFlight } from './log/in-flight.js';
import type { LogOffset } from './log/snapshot-chunks.js';
import { strictProbe } from './pg-logical/drift.js';
import { CdcStopError, type CdcRow } from './pg-logical/types.js';

export interface BinlogSourceConfig {
  connection: string;
  /** `db.table` or `table` (in the connection's database) */
  tables: string[];
  /** the replica id this reader presents to the server (unique among its replicas) */
  serverId: number;
  name: string;
  snapshot: boolean;
  snapshotChunkSize?: number;
  columns?: string[];
  /** the stream's mapper: what the schema reads, which fields have a default, which values fit (drift) */
  fields?: FieldProbe;
  deleteEvents?: boolean;
  truncate?: 'fail' | 'skip';
  checkpoints?: CheckpointStore;
  stream?: string;
  waitMs?: number;
  highWater?: number;
  onLog?(event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
}

/** A replica id from the stream name when the catalog gives none: stable across restarts, unlikely to collide with real replicas (small numbers). */
export function defaultServerId(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return 1_000_000_000 + (h % 1_000_000_000);
}

function progressKey(o: LogOffset | null): string {
  return o ? JSON.stringify([o.position, o.snapshotDone, o.snapshot ?? null, o.relations ?? null]) : '';
}

export class BinlogSource implements Source {
  readonly waitsForData = true;
  private admin: mysql.Connection | undefined;
  private snapConn: mysql.Connection | undefined;
  private server: ServerInfo | undefined;
  private tables: BinlogTable[] = [];
  private reader: BinlogReader | null = null;
  private snap: BinlogSnapshot | null = null;
  /** rows handed out since the last acknowledgement; what was saved last */
  private readonly acks = new InFlight<QueueItem>(progressKey);
  /** each table's shape as last accepted by the drift check; stamped into offsets */
  private readonly shapes: AcceptedShapes;
  /** every type text a column was known by in this run: candidates for a TABLE_MAP's type codes */
  private known = new Map<string, Map<string, string[]>>();
  private readonly log: NonNullable<BinlogSourceConfig['onLog']>;

  constructor(private readonly cfg: BinlogSourceConfig) {
    this.log = cfg.onLog ?? (() => {});
    this.shapes = new AcceptedShapes(cfg.name, this.log);
    if (!cfg.tables.length) throw new CdcStopError('cdc-config', `stream ${cfg.name}: a log-based source needs at least one table`);
  }

  describe(): string {
    return `binary log (server_id ${this.cfg.serverId}: ${this.tables.map((t) => t.qualified).join(', ') || this.cfg.tables.join(', ')}) on ${redact(this.cfg.connection)}`;
  }

  private get streamName(): string {
    return this.cfg.stream ?? this.cfg.name;
  }

  private async connect(): Promise<mysql.Connection> {
    try {
      const c = await mysql.createConnection({ uri: this.cfg.connection.replace(/^mariadb:/i, 'mysql:'), ...MYSQL_TEXT_OPTIONS });
      // a dropped connection surfaces on its next query; without a listener it would crash the process
      c.on('error', (e: Error) => this.log({ level: 'warn', msg: 'database connection lost', error: redact(e.message) }));
      await c.query("SET time_zone = '+00:00'");
      return c;
    } catch (e) {
      throw new UnreachableError(`cannot connect to the database ${redact(this.cfg.connection)}: ${redact((e as Error).message)}`, e);
    }
  }

  async open(): Promise<void> {
    this.admin = await this.connect();
    this.server = await checkServer(this.admin, this.cfg.name);
    const [db] = await this.admin.query('SELECT DATABASE() AS db');
    const defaultDb = String((db as Array<{ db: string | null }>)[0]?.db ?? '');
    this.tables = await loadTables(this.admin, this.cfg.tables.map((t) => splitName(t, defaultDb)));
    for (const t of this.tables) {
      if (!t.keyColumns.length) this.log({ level: 'warn', msg: `${t.qualified} has no primary key: its snapshot is read in one chunk and a changed key cannot be told from an update`, stream: this.cfg.name });
    }
  }

  /** The admin connection, opened again when the server dropped it (a restart, a failover): a retry must be able to succeed. */
  private async ensureAdmin(): Promise<mysql.Connection> {
    try {
      await this.admin!.query('SELECT 1');
    } catch {
      this.admin?.destroy();
      this.admin = await this.connect();
    }
    return this.admin!;
  }

  private async start(offset: SourceOffset | null): Promise<void> {
    const admin = await this.ensureAdmin();
    const o = offset?.kind === 'log' ? offset : null;
    let at: BinlogPosition;
    if (o?.position) {
      at = parsePosition(o.position);
      // what the server keeps now, not at open(): a restart after a long outage must see the purge
      this.server = await checkServer(admin, this.cfg.name);
      checkRetention(this.server, at, this.cfg.name, this.log);
    } else at = await masterPosition(admin);
    await this.judgeAtStart(admin, o);
    const byName = new Map(this.tables.map((t) => [t.qualified, t]));
    const snap = new BinlogSnapshot(byName, this.cfg.snapshotChunkSize ?? 4096, this.server!.mariadb, this.log);
    snap.reset(o, this.cfg.snapshot, this.tables.map((t) => t.qualified));
    const reader = new BinlogReader({
      connection: this.cfg.connection, serverId: this.cfg.serverId, name: this.cfg.name, deleteEvents: Boolean(this.cfg.deleteEvents),
      truncate: this.cfg.truncate ?? 'fail', highWater: this.cfg.highWater ?? 20_000, log: this.log,
    }, byName);
    reader.beforeTransaction = (end) => snap.beforeTransaction(reader, end);
    reader.afterBoundary = (end) => snap.releaseIfDue(reader, end);
    reader.onEarlyRows = (rows) => snap.earlyRows(rows);
    this.acks.reset(o);
    await reader.start(at);
    this.reader = reader;
    this.snap = snap;
  }

  async read(offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    if (!this.reader) await this.start(offset);
    const reader = this.reader!;
    const snap = this.snap!;
    const rows: CdcRow[] = [];
    for (;;) {
      await this.throwIfFailed();
      if (snap.needsChunk) {
        this.snapConn ??= await this.connect();
        try {
          await snap.readChunk(this.snapConn, reader);
        } catch (e) {
          // the next attempt reads the chunk on a fresh connection
          this.snapConn.destroy();
          this.snapConn = undefined;
          throw e;
        }
      }
      if (!reader.queue.length) {
        await this.saveIdle();
        await reader.waitForData(this.cfg.waitMs ?? 500);
        await this.throwIfFailed();
      }
      while (rows.length < max && reader.queue.length) {
        const item = reader.queue.peek()!;
        if ('row' in item) {
          reader.queue.shift();
          rows.push(this.handOut(item));
          continue;
        }
        if ('relation' in item) {
          // a shape the schema takes moves the accepted shape on; one it cannot take stops the stream
          // after every row before it was published
          const stop = await this.judgeMap(item.relation);
          if (!stop) {
            reader.queue.shift();
            continue;
          }
          if (rows.length) break;
          throw stop;
        }
        // a stop comes after every row before it was published
        if (rows.length) break;
        throw item.stop;
      }
      // a snapshot in progress never returns an empty batch: the engine's --once would take it for the end
      if (rows.length || !snap.active) break;
      snap.checkStalled(60_000, reader);
    }
    reader.drained();
    return {
      rows,
      caughtUp: reader.queue.length === 0 && !snap.active,
      info: { bound: formatPosition(reader.lastEnd), ...(snap.active ? { phase: 'snapshot' } : {}) },
    };
  }

  private probe(table: string): FieldProbe {
    return this.cfg.fields ?? strictProbe(this.cfg.columns ?? [...(this.tables.find((t) => t.qualified === table)?.columns.keys() ?? [])]);
  }

  private remember(table: string, shape: readonly ColumnShape[]): void {
    let cols = this.known.get(table);
    if (!cols) this.known.set(table, (cols = new Map()));
    for (const c of shape) {
      const types = cols.get(c.name) ?? [];
      if (!types.includes(c.type)) cols.set(c.name, [...types, c.type]);
    }
  }

  /**
   * Drift while stopped: information_schema now against the shape the checkpoint accepted, judged
   * exactly as a TABLE_MAP met while streaming. Sets the shapes the log's TABLE_MAPs are judged against.
   */
  private async judgeAtStart(admin: mysql.Connection, offset: LogOffset | null): Promise<void> {
    this.shapes.clear();
    this.known = new Map();
    for (const t of this.tables) {
      const now = await loadShape(admin, t.database, t.table);
      const before = offset?.relations?.[t.qualified];
      if (before) this.remember(t.qualified, before);
      this.shapes.atStart(t.qualified, offset, now, this.probe(t.qualified), (verdict) => startDriftError(this.cfg.name, t.qualified, offset!.position, verdict));
      this.remember(t.qualified, now);
    }
  }

  /** Judge a TABLE_MAP met in the log; the stop error, or null when the schema takes it. */
  private async judgeMap(m: TableMapSeen): Promise<CdcStopError | null> {
    const t = this.tables.find((x) => x.qualified === m.table)!;
    const catalog = await loadShape(await this.ensureAdmin(), t.database, t.table);
    this.remember(m.table, catalog);
    const now = mapShape(m, catalog, this.shapes.get(m.table), this.known.get(m.table) ?? new Map());
    return this.shapes.streamed(m.table, now, this.probe(m.table), { at: m.at }, (verdict) => mapDriftError(this.cfg.name, m, verdict));
  }

  /** The row's offset gets the snapshot progress and accepted shapes as of its first hand-out (a rewind hands it out again unchanged). */
  private handOut(item: Extract<QueueItem, { row: CdcRow }>): CdcRow {
    const snap = this.snap!;
    this.acks.handOut(item, (row) => this.shapes.stamp(row.op !== 'r' ? snap.stamp((row.offset as LogOffset).position) : row.offset as LogOffset));
    snap.handed(item.row);
    return item.row;
  }

  private async throwIfFailed(): Promise<void> {
    const e = this.reader?.failure;
    if (!e) return;
    await this.teardown();
    if (e instanceof SchemactlError) throw e;
    throw new UnreachableError(`reading the binary log failed: ${redact(e.message)}`, e);
  }

  /** Nothing handed out, nothing buffered, no transaction open: the log position is safe to save. */
  private async saveIdle(): Promise<void> {
    const reader = this.reader!;
    if (!this.cfg.checkpoints || this.acks.busy || reader.queue.length || reader.inTransaction || !reader.lastEnd.file) return;
    const offset = this.shapes.stamp(this.snap!.stamp(formatPosition(reader.lastEnd)));
    if (!this.acks.unsaved(offset)) return;
    await this.cfg.checkpoints.save(this.streamName, offset);
    this.acks.markSaved(offset);
  }

  async acknowledge(offset: SourceOffset): Promise<void> {
    if (offset.kind !== 'log') return;
    this.acks.acknowledge(offset);
  }

  rewind(): void {
    if (!this.acks.busy || !this.reader) return;
    const back = this.acks.takeBack();
    this.snap?.requeued(back.snapshotRows);
    this.reader.queue.unshiftAll(back.items);
  }

  private async teardown(): Promise<void> {
    const reader = this.reader;
    this.reader = null;
    this.snap = null;
    this.acks.clear();
    await reader?.close();
  }

  async close(): Promise<void> {
    await this.teardown();
    await this.snapConn?.end().catch(() => {});
    await this.admin?.end().catch(() => {});
    this.snapConn = undefined;
    this.admin = undefined;
  }
}

export { comparePositions, formatPosition, parsePosition };
