// The replication stream: a CopyBoth connection speaking pgoutput, assembled into whole transactions
// in commit order and buffered (bounded: the socket is paused at the high-water mark). This module
// owns every standby status update sent to the server; what it reports as flushed is decided by the
// source (the acknowledged position), never by what was received.
import pg from 'pg';
import { redact, UnreachableError } from '../../../errors.js';
import { SESSION_OPTIONS, textTypes, type TableInfo } from './catalog.js';
import type { RelationSeen } from './drift.js';
import { Fifo } from './fifo.js';
import {
  decodePgOutput, formatLsn, parseCopyData, pgTimestampToIso, quoteIdent, standbyStatus,
  type PgOutputMessage, type RelationColumn, type TupleValue,
} from './protocol.js';
import { CdcStopError, type CdcOp, type CdcRow } from './types.js';

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

/** A logical decoding message (pg_logical_emit_message) with one of our prefixes: watermarks and signals. */
export interface LogMessage {
  prefix: string;
  content: string;
  /** every transaction before the message has been placed in the queue before it */
  position: string;
}

export type QueueItem = { row: CdcRow } | { relation: RelationSeen } | { stop: CdcStopError } | { message: LogMessage };

export interface StreamConfig {
  connection: string;
  slot: string;
  publication: string;
  name: string;
  applicationName: string;
  protoVersion: 1 | 2;
  deleteEvents: boolean;
  truncate: 'fail' | 'skip' | 'emit';
  statusIntervalMs: number;
  highWater: number;
  /** message prefixes handed to the source (everything else emitted into the WAL is ignored) */
  messagePrefixes: string[];
  log: Log;
}

interface Relation {
  oid: number;
  qualified: string;
  identity: string;
  columns: RelationColumn[];
}

interface OpenTxn {
  commitLsn: bigint;
  commitTime: bigint;
  xid: number;
  origin: string | null;
  skip: boolean;
  items: QueueItem[];
}

type ClientWithConnection = pg.Client & {
  connection: {
    on(event: 'copyData', cb: (msg: { chunk: Buffer }) => void): void;
    removeAllListeners(event: string): void;
    sendCopyFromChunk(chunk: Buffer): void;
    endCopyFrom(): void;
    stream: { pause(): void; resume(): void };
  };
};

export class LogStream {
  readonly queue = new Fifo<QueueItem>();
  /** end LSN of the last transaction fully placed in the queue */
  lastEnd = 0n;
  /** the server's WAL position from its last keepalive */
  keepaliveEnd = 0n;
  failure: Error | null = null;
  /** called for each item as it enters the queue, in stream order (snapshot reconciliation) */
  onEnqueue: ((item: QueueItem) => void) | null = null;
  private rep: ClientWithConnection | undefined;
  private relations = new Map<number, Relation>();
  private txn: OpenTxn | null = null;
  private skipBefore = 0n;
  private paused = false;
  private running = false;
  private wake: (() => void) | null = null;
  private statusTimer: NodeJS.Timeout | undefined;
  private ended: Promise<void> | null = null;
  private confirmed = 0n;

  constructor(private readonly cfg: StreamConfig, private readonly byOid: Map<number, TableInfo>) {}

  get inTransaction(): boolean {
    return this.txn !== null;
  }

  async connect(): Promise<void> {
    const config = { connectionString: this.cfg.connection, replication: 'database', types: textTypes, options: SESSION_OPTIONS, application_name: this.cfg.applicationName };
    const rep = new pg.Client(config as pg.ClientConfig) as ClientWithConnection;
    try {
      await rep.connect();
    } catch (e) {
      throw new UnreachableError(`cannot open a replication connection to ${redact(this.cfg.connection)}: ${redact((e as Error).message)}`, e);
    }
    rep.on('error', (e) => this.fail(e));
    this.rep = rep;
  }

  /** CREATE_REPLICATION_SLOT on the replication connection; returns the consistent point. */
  async createSlot(): Promise<string> {
    const created = (await this.must().query(`CREATE_REPLICATION_SLOT ${quoteIdent(this.cfg.slot)} LOGICAL pgoutput NOEXPORT_SNAPSHOT`)).rows[0] as { consistent_point: string };
    return created.consistent_point;
  }

  /** Stream from `at`; commits before `skipBefore` are already covered by the checkpoint. */
  start(at: bigint, skipBefore: bigint): void {
    const rep = this.must();
    this.lastEnd = at;
    this.confirmed = at;
    this.skipBefore = skipBefore;
    rep.connection.on('copyData', (msg) => {
      try {
        this.onCopyData(msg.chunk);
      } catch (e) {
        this.fail(e as Error);
      }
    });
    const pubs = quoteIdent(this.cfg.publication).replace(/'/g, "''");
    // messages: watermarks of snapshot chunks and operator signals travel in the WAL (PostgreSQL 14+)
    this.ended = rep.query(`START_REPLICATION SLOT ${quoteIdent(this.cfg.slot)} LOGICAL ${formatLsn(at)} (proto_version '${this.cfg.protoVersion}', publication_names '${pubs}', messages 'true')`)
      .then(() => this.fail(new UnreachableError(`the server ended replication from slot ${this.cfg.slot}`)))
      .catch((e: Error) => this.fail(e))
      .then(() => {});
    this.running = true;
    this.statusTimer = setInterval(() => this.sendStatus(), this.cfg.statusIntervalMs);
    this.statusTimer.unref();
    this.cfg.log({ level: 'info', msg: 'streaming', slot: this.cfg.slot, from: formatLsn(at) });
  }

  /** Report `pos` as written, flushed and applied (only ever an acknowledged position). */
  confirm(pos: bigint): void {
    if (pos > this.confirmed) this.confirmed = pos;
    this.sendStatus();
  }

  get confirmedPosition(): bigint {
    return this.confirmed;
  }

  sendStatus(): void {
    if (!this.running || !this.rep || this.failure) return;
    try {
      this.rep.connection.sendCopyFromChunk(standbyStatus(this.confirmed, this.confirmed, this.confirmed, false));
    } catch (e) {
      this.fail(e as Error);
    }
  }

  /** Resolve when something is queued, the stream failed, or after `ms`. */
  waitForData(ms: number): Promise<void> {
    if (this.queue.length || this.failure) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.wake === wake) this.wake = null;
        resolve();
      };
      const wake = () => {
        if (this.queue.length || this.failure) done();
      };
      const t = setTimeout(done, ms);
      this.wake = wake;
    });
  }

  /** After the consumer took items: resume the socket once the buffer drained to half. */
  drained(): void {
    if (this.paused && this.queue.length < this.cfg.highWater / 2) {
      this.paused = false;
      this.rep?.connection.stream.resume();
    }
  }

  fail(e: Error): void {
    if (!this.running && !this.rep) return;
    if (!this.failure) this.failure = e;
    this.wake?.();
  }

  async close(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    const rep = this.rep;
    this.rep = undefined;
    const orderly = this.running && !this.failure;
    this.running = false;
    this.wake = null;
    const ended = this.ended;
    this.ended = null;
    if (!rep) return;
    rep.connection.removeAllListeners('copyData');
    if (orderly && ended) {
      // End the copy in an orderly way: the client library resets a connection that is busy with a
      // query, and a reset can drop the last status update before the server has read it.
      try {
        rep.connection.sendCopyFromChunk(standbyStatus(this.confirmed, this.confirmed, this.confirmed));
        rep.connection.endCopyFrom();
        // the timer is cleared once the server has answered: left running, it would hold a stopping
        // process for 5 s after its summary (a rolling restart pays that per instance)
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([ended, new Promise((r) => { timer = setTimeout(r, 5000); })]).finally(() => clearTimeout(timer));
      } catch {
        // the connection is gone already; nothing left to tell the server
      }
    }
    await rep.end().catch(() => {});
  }

  private must(): ClientWithConnection {
    if (!this.rep) throw new Error('replication connection not open');
    return this.rep;
  }

  private enqueue(item: QueueItem): void {
    this.onEnqueue?.(item);
    this.queue.push(item);
  }

  private onCopyData(chunk: Buffer): void {
    const m = parseCopyData(chunk);
    if (m.type === 'keepalive') {
      if (m.walEnd > this.keepaliveEnd) this.keepaliveEnd = m.walEnd;
      if (m.replyRequested) this.sendStatus();
      this.wake?.();
      return;
    }
    if (m.type !== 'xlog') return;
    this.onMessage(decodePgOutput(m.data));
    if (!this.paused && this.queue.length >= this.cfg.highWater) {
      this.paused = true;
      this.rep!.connection.stream.pause();
    }
  }

  private onMessage(msg: PgOutputMessage): void {
    switch (msg.tag) {
      case 'begin':
        this.txn = { commitLsn: msg.finalLsn, commitTime: msg.commitTime, xid: msg.xid, origin: null, skip: msg.finalLsn < this.skipBefore, items: [] };
        return;
      case 'origin':
        if (this.txn) this.txn.origin = msg.name;
        return;
      case 'relation':
        this.onRelation(msg);
        return;
      case 'type':
        return;
      case 'message': {
        if (!this.cfg.messagePrefixes.includes(msg.prefix)) return;
        if (this.txn?.skip) return;
        const item: QueueItem = { message: { prefix: msg.prefix, content: msg.content.toString('utf8'), position: formatLsn(this.lastEnd) } };
        if (msg.transactional && this.txn) this.txn.items.push(item);
        else if (msg.lsn >= this.skipBefore) {
          this.enqueue(item);
          this.wake?.();
        }
        return;
      }
      case 'insert':
      case 'update':
      case 'delete':
        this.onChange(msg);
        return;
      case 'truncate':
        this.onTruncate(msg);
        return;
      case 'commit': {
        const txn = this.txn;
        this.txn = null;
        if (!txn) return;
        const end = formatLsn(msg.endLsn);
        let last: CdcRow | undefined;
        for (const i of txn.items) {
          if ('row' in i) last = i.row;
          // a message inside a transaction is ordered at its commit
          else if ('message' in i) i.message.position = end;
        }
        if (last) last.offset = { v: 1, kind: 'log', position: end, snapshotDone: true };
        for (const i of txn.items) this.enqueue(i);
        this.lastEnd = msg.endLsn;
        if (txn.items.length) this.wake?.();
        return;
      }
      case 'unsupported':
        this.fail(new CdcStopError('cdc-protocol', `pgoutput sent message '${msg.code}', which this source does not request (streamed transactions?)`));
        return;
    }
  }

  private onRelation(msg: Extract<PgOutputMessage, { tag: 'relation' }>): void {
    const qualified = `${msg.namespace}.${msg.name}`;
    const prev = this.relations.get(msg.oid);
    this.relations.set(msg.oid, { oid: msg.oid, qualified, identity: msg.replicaIdentity, columns: msg.columns });
    if (!this.byOid.has(msg.oid)) return;
    // the same shape again (a new session, an unrelated invalidation): nothing to judge
    if (prev && prev.columns.length === msg.columns.length && prev.columns.every((c, i) => c.name === msg.columns[i]?.name && c.typeOid === msg.columns[i]?.typeOid && c.typmod === msg.columns[i]?.typmod)) return;
    // judged by the source in stream order, against the shape it last accepted (kept with the
    // checkpoint): the catalog now may already show a later shape than the changes still in the log
    const item: QueueItem = { relation: { oid: msg.oid, table: qualified, lsn: this.txn ? formatLsn(this.txn.commitLsn) : formatLsn(this.lastEnd), columns: msg.columns } };
    if (this.txn) this.txn.items.push(item);
    else this.enqueue(item);
  }

  private tupleColumns(rel: Relation, tuple: TupleValue[], before: Record<string, string | null> | undefined, keyOnly: boolean): { columns: Record<string, string | null>; unchanged: string[] } {
    const columns: Record<string, string | null> = {};
    const unchanged: string[] = [];
    for (let i = 0; i < rel.columns.length; i++) {
      const col = rel.columns[i]!;
      const v = tuple[i];
      if (!v) continue;
      if (keyOnly && !col.key) continue;
      if (v.kind === 'text') columns[col.name] = v.text;
      else if (v.kind === 'null') columns[col.name] = null;
      else if (v.kind === 'binary') columns[col.name] = v.bytes.toString('utf8');
      else if (before && Object.prototype.hasOwnProperty.call(before, col.name)) {
        // REPLICA IDENTITY FULL carries the detoasted old value; unchanged means it is still that value
        columns[col.name] = before[col.name]!;
      } else unchanged.push(col.name);
    }
    return { columns, unchanged };
  }

  private baseRow(op: CdcOp, rel: Relation, columns: Record<string, string | null>, txn: OpenTxn): CdcRow {
    const lsn = formatLsn(txn.commitLsn);
    const headers: Record<string, string> = {
      'schemactl.op': op,
      'schemactl.table': rel.qualified,
      'schemactl.lsn': lsn,
      'schemactl.commit-ts': pgTimestampToIso(txn.commitTime),
      'schemactl.xid': String(txn.xid),
    };
    if (txn.origin) headers['schemactl.origin'] = txn.origin;
    return {
      op, table: rel.qualified, lsn, xid: txn.xid, columns, headers,
      // until the commit is seen, a row only vouches for the transactions before it
      offset: { v: 1, kind: 'log', position: formatLsn(this.lastEnd), snapshotDone: true },
      position: `${rel.qualified} (lsn=${lsn}, xid=${txn.xid}, ${op})`,
    };
  }

  private onChange(msg: Extract<PgOutputMessage, { tag: 'insert' | 'update' | 'delete' }>): void {
    const txn = this.txn;
    if (!txn) {
      this.fail(new CdcStopError('cdc-protocol', `pgoutput sent a change outside a transaction (relation ${msg.oid})`));
      return;
    }
    if (txn.skip) return;
    const rel = this.relations.get(msg.oid);
    if (!rel) {
      this.fail(new CdcStopError('cdc-protocol', `pgoutput sent a change for relation ${msg.oid} before its Relation message`));
      return;
    }
    if (msg.tag === 'insert') {
      const { columns, unchanged } = this.tupleColumns(rel, msg.tuple, undefined, false);
      const row = this.baseRow('c', rel, columns, txn);
      if (unchanged.length) row.headers['schemactl.unchanged-toast'] = unchanged.join(',');
      txn.items.push({ row });
    } else if (msg.tag === 'update') {
      const before = msg.old ? this.tupleColumns(rel, msg.old, undefined, msg.oldKind === 'K').columns : undefined;
      const { columns, unchanged } = this.tupleColumns(rel, msg.tuple, msg.oldKind === 'O' ? before : undefined, false);
      const row = this.baseRow('u', rel, columns, txn);
      if (before) row.before = before;
      if (unchanged.length) row.headers['schemactl.unchanged-toast'] = unchanged.join(',');
      txn.items.push({ row });
    } else {
      const { columns } = this.tupleColumns(rel, msg.old, undefined, msg.oldKind === 'K');
      if (this.cfg.deleteEvents) {
        const ev = this.baseRow('d', rel, { ...columns }, txn);
        ev.before = { ...columns };
        txn.items.push({ row: ev });
      }
      const tomb = this.baseRow('d', rel, columns, txn);
      tomb.tombstone = true;
      tomb.before = { ...columns };
      txn.items.push({ row: tomb });
    }
    if (txn.items.length >= this.cfg.highWater) {
      // a very large transaction: release its rows early; their offsets still point before it
      for (const i of txn.items) this.enqueue(i);
      txn.items = [];
    }
  }

  private onTruncate(msg: Extract<PgOutputMessage, { tag: 'truncate' }>): void {
    const txn = this.txn;
    if (!txn || txn.skip) return;
    const names = msg.oids.map((o) => this.relations.get(o)?.qualified ?? this.byOid.get(o)?.qualified ?? `oid ${o}`);
    const lsn = formatLsn(txn.commitLsn);
    if (this.cfg.truncate === 'fail') {
      txn.items.push({
        stop: new CdcStopError('cdc-truncate', `stream ${this.cfg.name}: TRUNCATE of ${names.join(', ')} at LSN ${lsn}. A truncate has no per-key form, so the topic cannot forget those rows by itself. Decide: set truncate: skip (keep the topic as is) or truncate: emit (publish a truncate marker), then run again; the slot still holds this change`),
      });
      return;
    }
    if (this.cfg.truncate === 'skip') {
      this.cfg.log({ level: 'warn', msg: 'TRUNCATE skipped as configured', stream: this.cfg.name, tables: names, lsn });
      return;
    }
    for (const oid of msg.oids) {
      const rel = this.relations.get(oid) ?? { oid, qualified: this.byOid.get(oid)?.qualified ?? `oid ${oid}`, identity: 'd', columns: [] };
      const row = this.baseRow('t', rel, {}, txn);
      if (msg.options & 1) row.headers['schemactl.truncate-cascade'] = 'true';
      txn.items.push({ row });
    }
  }
}
