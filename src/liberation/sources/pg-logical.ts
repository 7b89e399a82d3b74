// Log-based change data capture from PostgreSQL: logical replication with the built-in pgoutput plugin,
// spoken directly over a replication connection (CopyBoth) so this source owns every standby status
// update it sends. The parts, as Debezium's PostgreSQL connector separates them:
//   pg-logical/slot.ts      slot and publication administration
//   pg-logical/snapshot.ts  the snapshot, read in chunks between watermarks while the stream runs
//   pg-logical/stream.ts    the replication stream, assembled into transactions in commit order
//   pg-logical/drift.ts     Relation messages compared with what the stream's schema reads
//   pg-logical/catalog.ts   tables, keys and replica identity
//   log/                    what both log sources share: acknowledgements, the chunk ledger
// This file decides where to start and hands rows to the engine.
//
// Guarantees, and how:
//  - Gap-free start. The slot is created first and streaming starts at its consistent point at once;
//    the tables are read in key-ordered chunks interleaved with the stream (snapshot.ts), so every
//    committed change is in the stream and every row that never changes is in a chunk.
//  - Resumable snapshot. Every offset carries the snapshot's progress; the checkpoint is saved after
//    Kafka acknowledged the rows, so a restart resumes the stream at the checkpoint's LSN and the
//    snapshot at the next key — a row deleted in between gets its tombstone from the stream.
//  - The flush position reported to the server is the end LSN of the last transaction whose rows the
//    engine acknowledged (after the sink's ack and the durable checkpoint), never a received position.
//    While nothing is pending, the server's keepalive position is confirmed too (idle tables must not
//    pin WAL), after that position was saved as the checkpoint, so the checkpoint never trails the slot.
//  - One source of truth for the position: the checkpoint. A slot ahead of it is someone else's doing
//    and stops the stream with an operator choice; a slot behind it (crash between checkpoint and
//    acknowledgement) resumes without re-publishing what the checkpoint covers.
//  - Push, not poll: read() waits on the replication socket and returns as soon as a transaction is
//    complete, so the engine never sleeps between changes.
import pg from 'pg';
import type { CheckpointStore, Source, SourceBatch, SourceLag, SourceOffset } from '../types.js';
import { redact, SchemactlError, UnreachableError } from '../../errors.js';
import { identityFindings, loadTables, SESSION_OPTIONS, textTypes, type IdentityFinding, type TableInfo } from './pg-logical/catalog.js';
import type { FieldProbe } from '../drift/relation.js';
import { catalogShape, relationShape, startDriftError, streamDriftError, strictProbe, type RelationSeen } from './pg-logical/drift.js';
import { formatLsn, parseLsn, quoteIdent } from './pg-logical/protocol.js';
import { claimSlot, ensurePublication, readSlotStatus, resnapshotHint, type SlotStatus } from './pg-logical/slot.js';
import { ChunkedSnapshot, SIGNAL_PREFIX, WATERMARK_PREFIX } from './pg-logical/snapshot.js';
import { AcceptedShapes } from './log/accepted-shapes.js';
import { InFlight } from './log/in-flight.js';
import type { LogOffset } from './log/snapshot-chunks.js';
import { LogStream, type QueueItem } from './pg-logical/stream.js';
import { CdcStopError, type CdcRow } from './pg-logical/types.js';

export { formatLsn, parseLsn } from './pg-logical/protocol.js';
export { CdcStopError, isCdcRow, type CdcOp, type CdcRow } from './pg-logical/types.js';
export { readSlotStatus, type SlotStatus } from './pg-logical/slot.js';
export type { IdentityFinding } from './pg-logical/catalog.js';
export { SIGNAL_PREFIX } from './pg-logical/snapshot.js';

export interface PgLogicalSourceConfig {
  connection: string;
  /** schema-qualified tables to capture (`public.orders`); nothing else goes into the publication */
  tables: string[];
  slot: string;
  publication: string;
  /** stream name, for positions, logs and the walsender's application_name */
  name: string;
  /** read the tables (in chunks, while streaming) before their changes are complete */
  snapshot: boolean;
  /** rows per snapshot chunk (default 4096) */
  snapshotChunkSize?: number;
  /** pgoutput protocol version (1 or 2; streaming of in-progress transactions is never requested) */
  protoVersion?: 1 | 2;
  /** columns the stream's schema reads (the mapper's columns()); a Relation change that removes or retypes one stops the stream */
  columns?: string[];
  /**
   * the stream's mapper, asked whether a table change can be taken (a gone column's field has a
   * default, a new type's values map into the field); without it every such change stops the stream
   */
  fields?: FieldProbe;
  /** before the tombstone, also emit a delete event carrying the old row (needs REPLICA IDENTITY FULL for non-key fields) */
  deleteEvents?: boolean;
  /** TRUNCATE: stop the stream (default), skip it with a warning, or emit a row with op `t` and no columns */
  truncate?: 'fail' | 'skip' | 'emit';
  /** the engine's checkpoint store and stream: lets idle keepalive positions be saved before they are confirmed */
  checkpoints?: CheckpointStore;
  stream?: string;
  /** when the checkpoint is behind the slot: fail (default) or accept the slot's position (changes in between are not published) */
  onSlotAhead?: 'fail' | 'accept-slot';
  /** wait this long for our own stale walsender to exit before terminating it (default 10 s) */
  staleGraceMs?: number;
  /** standby status update interval while streaming (default 10 s; keep below wal_sender_timeout) */
  statusIntervalMs?: number;
  /** how long read() waits for the first change when nothing is buffered (default 500 ms) */
  waitMs?: number;
  /** buffered changes above which the replication socket is paused (default 20 000) */
  highWater?: number;
  onLog?(event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
}

/** Which captured tables break writes (no replica identity) or will send unchanged-TOAST markers for columns read. */
export async function checkReplicaIdentity(connection: string, tables: string[], readColumns?: string[]): Promise<IdentityFinding[]> {
  const client = new pg.Client({ connectionString: connection, types: textTypes });
  await client.connect();
  try {
    return identityFindings(await loadTables(client, tables), readColumns);
  } finally {
    await client.end();
  }
}

function progressKey(o: LogOffset | null): string {
  return o ? JSON.stringify([o.snapshotDone, o.snapshot ?? null]) : '';
}

export class PgLogicalSource implements Source {
  /** read() itself waits for the next change: the engine must not sleep after catching up */
  readonly waitsForData = true;
  private admin: pg.Client | undefined;
  private tables: TableInfo[] = [];
  private stream: LogStream | null = null;
  private snap: ChunkedSnapshot | null = null;
  /** rows (and signals) handed out since the last acknowledgement, in order; the snapshot progress saved last */
  private readonly acks = new InFlight<QueueItem>(progressKey);
  private lastSlotCheck = 0;
  private slotInfo: SlotStatus | null = null;
  /** each table's shape as last accepted by the drift check; stamped into offsets */
  private readonly shapes: AcceptedShapes;
  private readonly log: NonNullable<PgLogicalSourceConfig['onLog']>;

  constructor(private readonly cfg: PgLogicalSourceConfig) {
    this.log = cfg.onLog ?? (() => {});
    this.shapes = new AcceptedShapes(cfg.name, this.log);
    if (!cfg.tables.length) throw new CdcStopError('cdc-config', `stream ${cfg.name}: a log-based source needs at least one table`);
  }

  describe(): string {
    return `postgres logical slot ${this.cfg.slot} (publication ${this.cfg.publication}: ${this.cfg.tables.join(', ')}) on ${redact(this.cfg.connection)}`;
  }

  private get applicationName(): string {
    return `schemactl:${this.cfg.slot}`.slice(0, 63);
  }

  private get streamName(): string {
    return this.cfg.stream ?? this.cfg.name;
  }

  async open(): Promise<void> {
    const admin = new pg.Client({ connectionString: this.cfg.connection, types: textTypes, options: SESSION_OPTIONS, application_name: `schemactl-admin:${this.cfg.slot}`.slice(0, 63) });
    try {
      await admin.connect();
    } catch (e) {
      throw new UnreachableError(`cannot connect to the database ${redact(this.cfg.connection)}: ${redact((e as Error).message)}`, e);
    }
    this.admin = admin;
    // a dropped admin connection surfaces on its next query; without a listener it would crash the process
    admin.on('error', (e) => this.log({ level: 'warn', msg: 'database connection lost', error: redact(e.message) }));
    const settings = (await admin.query("SELECT current_setting('wal_level') AS wal, current_setting('server_version_num')::int AS version")).rows[0] as { wal: string; version: string };
    if (settings.wal !== 'logical') {
      throw new CdcStopError('cdc-wal-level', `log-based capture needs wal_level = logical, the server has ${settings.wal}. Run ALTER SYSTEM SET wal_level = logical and restart PostgreSQL`);
    }
    if (Number(settings.version) < 140000) {
      throw new CdcStopError('cdc-version', `log-based capture needs PostgreSQL 14 or later (logical decoding messages carry the snapshot's watermarks); the server is version ${Math.floor(Number(settings.version) / 10000)}. Use pattern: triggers on this server`);
    }
    const role = (await admin.query('SELECT current_user AS who, rolreplication OR rolsuper AS ok FROM pg_roles WHERE rolname = current_user')).rows[0] as { who: string; ok: string } | undefined;
    if (role && role.ok !== 't') {
      throw new CdcStopError('permission', `stream ${this.cfg.name}: role ${role.who} may not open a replication connection. Run: ALTER ROLE ${quoteIdent(role.who)} REPLICATION;`);
    }
    this.tables = await loadTables(admin, this.cfg.tables);
    const findings = identityFindings(this.tables, this.cfg.columns);
    const errors = findings.filter((f) => f.level === 'error');
    if (errors.length) throw new CdcStopError('cdc-replica-identity', errors.map((f) => f.message).join('\n'));
    for (const f of findings) this.log({ level: 'warn', msg: f.message, stream: this.cfg.name, table: f.table });
    await ensurePublication(admin, this.cfg.publication, this.tables, this.log);
  }

  /**
   * Ask the running (or next) publisher of this stream to re-read these tables while streaming goes
   * on: a signal message in the WAL, met by the stream in commit order. Returns its LSN.
   */
  captures(table: string): boolean {
    return this.cfg.tables.includes(table.includes('.') ? table : `public.${table}`);
  }

  async requestSnapshot(tables: string[]): Promise<string> {
    const want = tables.map((t) => (t.includes('.') ? t : `public.${t}`));
    const unknown = want.filter((t) => !this.cfg.tables.includes(t));
    if (unknown.length) throw new CdcStopError('cdc-config', `stream ${this.cfg.name} does not capture ${unknown.join(', ')} (it captures ${this.cfg.tables.join(', ')})`);
    const client = new pg.Client({ connectionString: this.cfg.connection, types: textTypes });
    try {
      await client.connect();
    } catch (e) {
      throw new UnreachableError(`cannot connect to the database ${redact(this.cfg.connection)}: ${redact((e as Error).message)}`, e);
    }
    try {
      const r = await client.query('SELECT pg_logical_emit_message(true, $1, $2)::text AS lsn', [SIGNAL_PREFIX, JSON.stringify({ slot: this.cfg.slot, tables: want })]);
      return (r.rows[0] as { lsn: string }).lsn;
    } finally {
      await client.end();
    }
  }

  /** Slot state and lag, for operators and metrics. */
  async slotStatus(): Promise<SlotStatus> {
    return readSlotStatus(this.must(), this.cfg.slot);
  }

  private must(): pg.Client {
    if (!this.admin) throw new Error('source not opened');
    return this.admin;
  }

  /** Decide where to start from the checkpoint and the slot; create the slot if needed. */
  private async start(offset: SourceOffset | null): Promise<void> {
    if (offset && offset.kind !== 'log') throw new CdcStopError('cdc-offset', `stored offset of stream ${this.cfg.name} is a ${offset.kind} offset, not a log position`);
    const admin = this.must();
    const hint = resnapshotHint(this.cfg.slot, this.streamName);
    let slot = await readSlotStatus(admin, this.cfg.slot);
    if (slot.exists && slot.plugin !== 'pgoutput') {
      throw new CdcStopError('cdc-slot', `replication slot ${this.cfg.slot} uses the ${slot.plugin} plugin, not pgoutput; name another slot in the catalog`);
    }
    if (slot.exists && slot.walStatus === 'lost') {
      throw new CdcStopError('cdc-slot-lost', `replication slot ${this.cfg.slot} is lost: the server removed WAL it still needed (max_slot_wal_keep_size), so changes are missing. ${hint}`);
    }
    if (slot.exists) slot = await claimSlot(admin, slot, this.applicationName, this.cfg.staleGraceMs ?? 10_000, this.log, this.cfg.name);
    this.judgeAtStart(offset);
    const byName = new Map(this.tables.map((t) => [t.qualified, t]));
    const snap = new ChunkedSnapshot(byName, this.cfg.slot, this.cfg.snapshotChunkSize ?? 4096, this.log);
    snap.reset(offset, this.cfg.snapshot, this.tables.map((t) => t.qualified));
    if (snap.needsChunk && this.cfg.columns) {
      // the snapshot reads the tables as they are now, so they must have every column the schema reads
      for (const t of this.tables) {
        const missing = this.cfg.columns.filter((c) => !t.columns.has(c) && !this.cfg.fields?.fillable(c));
        if (missing.length) {
          throw new CdcStopError('cdc-schema-drift', `stream ${this.cfg.name}: table ${t.qualified} has no column(s) ${missing.join(', ')} that the stream's schema reads; fix the mapping or the schema before taking the snapshot`);
        }
      }
    }
    const stream = new LogStream({
      connection: this.cfg.connection, slot: this.cfg.slot, publication: this.cfg.publication, name: this.cfg.name, applicationName: this.applicationName,
      protoVersion: this.cfg.protoVersion ?? 1, deleteEvents: Boolean(this.cfg.deleteEvents),
      truncate: this.cfg.truncate ?? 'fail', statusIntervalMs: this.cfg.statusIntervalMs ?? 10_000, highWater: this.cfg.highWater ?? 20_000,
      messagePrefixes: [WATERMARK_PREFIX, SIGNAL_PREFIX], log: this.log,
    }, new Map(this.tables.map((t) => [t.oid, t])));
    await stream.connect();
    let startAt: bigint;
    if (!slot.exists) {
      if (offset && offset.position !== null) {
        await stream.close();
        throw new CdcStopError('cdc-slot-missing', `replication slot ${this.cfg.slot} does not exist, but stream ${this.cfg.name} was at ${offset.position}: the changes since then are gone. ${hint}`);
      }
      const cp = await stream.createSlot();
      startAt = parseLsn(cp);
      this.log({ level: 'info', msg: 'slot created', slot: this.cfg.slot, consistentPoint: cp });
    } else {
      const slotPos = parseLsn(slot.confirmedFlush ?? '0/0');
      const ckpt = offset?.position ? parseLsn(offset.position) : null;
      if (ckpt === null) startAt = slotPos;
      else if (ckpt < slotPos) {
        if (this.cfg.onSlotAhead !== 'accept-slot') {
          await stream.close();
          throw new CdcStopError('cdc-position', `replication slot ${this.cfg.slot} has confirmed up to ${slot.confirmedFlush}, but stream ${this.cfg.name}'s checkpoint is at ${offset!.position}: something else advanced the slot, and changes between the two positions may never have reached Kafka. Choose: re-snapshot (${hint}), or accept the gap by setting onSlotAhead: accept-slot`);
        }
        this.log({ level: 'warn', msg: 'checkpoint behind slot: accepting the slot position as configured', checkpoint: offset!.position, slot: slot.confirmedFlush });
        startAt = slotPos;
      } else {
        if (ckpt > slotPos) this.log({ level: 'info', msg: 'slot behind checkpoint (stopped between checkpoint and acknowledgement): skipping what the checkpoint covers', checkpoint: offset!.position, slot: slot.confirmedFlush });
        startAt = ckpt;
      }
    }
    this.acks.reset(offset?.kind === 'log' ? offset : null);
    stream.onEnqueue = (item) => snap.onEnqueue(item);
    stream.start(startAt, startAt);
    this.stream = stream;
    this.snap = snap;
  }

  async read(offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    if (!this.stream) await this.start(offset);
    const stream = this.stream!;
    const snap = this.snap!;
    const rows: CdcRow[] = [];
    let judged = false;
    for (;;) {
      await this.throwIfFailed();
      if (snap.needsChunk) await snap.readChunk(this.must(), stream.queue);
      if (!stream.queue.length) {
        await this.confirmIdle();
        await stream.waitForData(this.cfg.waitMs ?? 500);
        await this.throwIfFailed();
      }
      while (rows.length < max && stream.queue.length) {
        const item = stream.queue.peek()!;
        if ('row' in item) {
          stream.queue.shift();
          rows.push(this.handOut(item));
          continue;
        }
        if ('message' in item) {
          stream.queue.shift();
          if (item.message.prefix === WATERMARK_PREFIX) {
            const chunk = snap.expand(item.message);
            if (chunk?.length) stream.queue.unshiftAll(chunk.map((row) => ({ row })));
          } else {
            snap.signal(item.message.content, item.message.position);
            this.acks.handOut(item);
          }
          continue;
        }
        if ('relation' in item) {
          // a change the schema takes moves the accepted shape on; one it cannot take stops the stream
          // after every row before it was published
          const stop = await this.judgeRelation(item.relation, formatLsn(stream.confirmedPosition));
          if (!stop) {
            stream.queue.shift();
            judged = true;
            continue;
          }
          if (rows.length) break;
          throw stop;
        }
        // a stop comes after every row before it was published
        if (rows.length) break;
        throw item.stop;
      }
      // a transaction that only carried a Relation (a skipped TRUNCATE, a change of another table)
      // woke the reader: wait once more rather than hand --once an empty batch that looks like the end
      if (!rows.length && judged) {
        judged = false;
        continue;
      }
      // a snapshot in progress never returns an empty batch: the engine's --once would take it for the end
      if (rows.length || !snap.active) break;
      snap.checkStalled(60_000);
    }
    stream.drained();
    const info = await this.info();
    return { rows, caughtUp: stream.queue.length === 0 && !snap.active, info: { ...info, ...(snap.active ? { phase: 'snapshot' } : {}) } };
  }

  private probe(table: string): FieldProbe {
    return this.cfg.fields ?? strictProbe(this.cfg.columns ?? [...(this.tables.find((t) => t.qualified === table)?.columns.keys() ?? [])]);
  }

  /**
   * Drift while stopped: the catalog now against the shape the checkpoint accepted, judged exactly as
   * a Relation met while streaming. Sets the accepted shapes the stream's Relations are judged against.
   */
  private judgeAtStart(offset: LogOffset | null): void {
    this.shapes.clear();
    for (const t of this.tables) {
      this.shapes.atStart(t.qualified, offset, catalogShape(t), this.probe(t.qualified), (verdict) => startDriftError(this.cfg.name, t.qualified, offset!.position, verdict));
    }
  }

  /** Judge a Relation met in the log; the stop error, or null when the schema takes it. */
  private async judgeRelation(r: RelationSeen, keptFrom: string): Promise<CdcStopError | null> {
    const now = await relationShape(this.must(), r, this.shapes.get(r.table));
    return this.shapes.streamed(r.table, now, this.probe(r.table), { lsn: r.lsn }, (verdict) => streamDriftError(this.cfg.name, r.table, r.lsn, verdict, keptFrom));
  }

  /** The row's offset gets the snapshot progress and accepted shapes as of its first hand-out (a rewind hands it out again unchanged). */
  private handOut(item: Extract<QueueItem, { row: CdcRow }>): CdcRow {
    const snap = this.snap!;
    this.acks.handOut(item, (row) => this.shapes.stamp(row.op !== 'r' ? snap.stamp((row.offset as LogOffset).position) : row.offset as LogOffset));
    snap.handed(item.row);
    return item.row;
  }

  private async throwIfFailed(): Promise<void> {
    const e = this.stream?.failure;
    if (!e) return;
    await this.teardown();
    if (e instanceof SchemactlError) throw e;
    throw new UnreachableError(`replication from slot ${this.cfg.slot} failed: ${redact(e.message)}`, e);
  }

  private async info(): Promise<Record<string, string | number | null>> {
    const stream = this.stream!;
    if (Date.now() - this.lastSlotCheck > 5000) {
      this.lastSlotCheck = Date.now();
      try {
        this.slotInfo = await readSlotStatus(this.must(), this.cfg.slot);
        if (this.slotInfo.walStatus === 'lost') {
          throw new CdcStopError('cdc-slot-lost', `replication slot ${this.cfg.slot} was lost while streaming (WAL removed). ${resnapshotHint(this.cfg.slot, this.streamName)}`);
        }
      } catch (e) {
        if (e instanceof CdcStopError) throw e;
      }
    }
    return {
      bound: formatLsn(stream.lastEnd),
      confirmed: formatLsn(stream.confirmedPosition),
      lagBytes: this.slotInfo?.lagBytes ?? null,
      walStatus: this.slotInfo?.walStatus ?? null,
    };
  }

  /** Nothing handed out, nothing buffered, no transaction open: the server's position is safe to confirm. */
  private async confirmIdle(): Promise<void> {
    const stream = this.stream!;
    const busy = () => this.acks.busy || stream.queue.length > 0 || stream.inTransaction;
    if (busy()) return;
    const target = stream.keepaliveEnd > stream.lastEnd ? stream.keepaliveEnd : stream.lastEnd;
    const offset = this.shapes.stamp(this.snap!.stamp(formatLsn(target)));
    // nothing new to save: neither the position nor the snapshot's progress moved
    if (target <= stream.confirmedPosition && !this.acks.unsaved(offset)) return;
    if (this.cfg.checkpoints) {
      // save first: a confirmed position the checkpoint does not know would look like someone else
      // advanced the slot on the next start
      await this.cfg.checkpoints.save(this.streamName, offset);
      this.acks.markSaved(offset);
    } else if (target > stream.lastEnd) {
      // without the checkpoint store only transaction ends that the engine checkpointed are confirmed
      return;
    }
    if (busy()) return;
    stream.confirm(target);
  }

  async acknowledge(offset: SourceOffset): Promise<void> {
    if (offset.kind !== 'log') return;
    // drop the handed-out items this offset covers (the engine acknowledges whole batches)
    this.acks.acknowledge(offset);
    if (offset.position === null || !this.stream) return;
    this.stream.confirm(parseLsn(offset.position));
  }

  rewind(): void {
    if (!this.acks.busy || !this.stream) return;
    const back = this.acks.takeBack();
    this.snap?.requeued(back.snapshotRows);
    this.stream.queue.unshiftAll(back.items);
  }

  private async teardown(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    this.snap = null;
    this.acks.clear();
    await stream?.close();
  }

  /** Bytes of WAL the slot still holds for this stream: the server's current position minus the confirmed one. */
  async lag(): Promise<SourceLag | null> {
    const r = await this.must().query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS b FROM pg_replication_slots WHERE slot_name = $1', [this.cfg.slot]);
    const b = (r.rows[0] as { b: string | null } | undefined)?.b;
    return b === null || b === undefined ? null : { kind: 'slot_bytes', value: Number(b) };
  }

  async close(): Promise<void> {
    // the last acknowledged position, once more, so a clean stop leaves the slot exactly there
    this.stream?.sendStatus();
    await this.teardown();
    await this.admin?.end().catch(() => {});
    this.admin = undefined;
  }
}
