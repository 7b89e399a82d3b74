// Log-based change data capture from PostgreSQL: logical replication with the built-in pgoutput plugin,
// spoken directly over a replication connection (CopyBoth) so this source owns every standby status
// update it sends.
//
// Guarantees, and how:
//  - Gap-free start. The slot is created with an exported snapshot; the tables are read inside that
//    snapshot (REPEATABLE READ, SET TRANSACTION SNAPSHOT) and the stream starts at the slot's
//    consistent point, so every committed change is either in the snapshot or in the stream, once.
//  - The flush position reported to the server is the end LSN of the last transaction whose rows the
//    engine acknowledged (after the sink's ack and the durable checkpoint), never a received position.
//    While nothing is pending, the server's keepalive position is confirmed too (idle tables must not
//    pin WAL), after that position was saved as the checkpoint, so the checkpoint never trails the slot.
//  - One source of truth for the position: the checkpoint. A slot ahead of it is someone else's doing
//    and stops the stream with an operator choice; a slot behind it (crash between checkpoint and
//    acknowledgement) resumes without re-publishing what the checkpoint covers.
//  - No DDL in the WAL: a Relation message is the only sign of a schema change, so each one is
//    diffed against the columns the stream's schema needs, and a change that breaks the mapping stops
//    the stream before any row of the new shape is published.
import pg from 'pg';
import type { CheckpointStore, Source, SourceBatch, SourceOffset, SourceRow } from '../types.js';
import { redact, SchemactlError, UnreachableError } from '../../errors.js';
import {
  decodePgOutput, formatLsn, parseCopyData, parseLsn, pgTimestampToIso, quoteIdent, splitTable, standbyStatus,
  type PgOutputMessage, type RelationColumn, type TupleValue,
} from './pg-logical/protocol.js';

export { formatLsn, parseLsn } from './pg-logical/protocol.js';

export interface PgLogicalSourceConfig {
  connection: string;
  /** schema-qualified tables to capture (`public.orders`); nothing else goes into the publication */
  tables: string[];
  slot: string;
  publication: string;
  /** stream name, for positions, logs and the walsender's application_name */
  name: string;
  /** read the tables in the slot's exported snapshot before streaming */
  snapshot: boolean;
  /** pgoutput protocol version (1 or 2; streaming of in-progress transactions is never requested) */
  protoVersion?: 1 | 2;
  /** columns the stream's schema reads (the mapper's columns()); a Relation change that removes or retypes one stops the stream */
  columns?: string[];
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

export type CdcOp = 'r' | 'c' | 'u' | 'd' | 't';

/** A change as this source hands it to the engine: a SourceRow plus what the log told us. */
export interface CdcRow extends SourceRow {
  op: CdcOp;
  /** schema.table */
  table: string;
  /** commit LSN of the transaction (snapshot rows: the slot's consistent point) */
  lsn: string;
  /** old row values (REPLICA IDENTITY FULL: every column; otherwise the key columns), for updates and deletes */
  before?: Record<string, string | null>;
  headers: Record<string, string>;
}

export function isCdcRow(row: SourceRow): row is CdcRow {
  return typeof (row as Partial<CdcRow>).op === 'string' && typeof (row as Partial<CdcRow>).table === 'string';
}

export interface SlotStatus {
  slot: string;
  exists: boolean;
  plugin: string | null;
  active: boolean;
  activePid: number | null;
  confirmedFlush: string | null;
  restartLsn: string | null;
  /** reserved | extended | unreserved | lost */
  walStatus: string | null;
  /** bytes of WAL between the slot's confirmed position and the server's current position */
  lagBytes: number | null;
}

/** A stream that must not be retried as is: the operator has to choose. */
export class CdcStopError extends SchemactlError {
  constructor(code: string, message: string) {
    super(code, message, { retriable: false });
  }
}

// Every value as the server prints it, in a fixed dialect: the walsender formats pgoutput's text with
// the replication session's settings, and the snapshot reads use the same ones, so a row reads the
// same from the snapshot as from the log.
const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c bytea_output=hex -c extra_float_digits=3 -c IntervalStyle=postgres';
const textTypes = { getTypeParser: () => (v: string) => v };

interface TableInfo {
  qualified: string;
  schema: string;
  table: string;
  oid: number;
  identity: string;
  hasPrimaryKey: boolean;
  columns: Map<string, { typeOid: number; typeName: string; toastable: boolean }>;
}

async function loadTables(client: pg.Client, tables: string[]): Promise<TableInfo[]> {
  const out: TableInfo[] = [];
  for (const q of tables) {
    const { schema, table } = splitTable(q);
    const rel = await client.query(
      `SELECT c.oid::int AS oid, c.relreplident AS identity, c.relkind AS kind,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, table],
    );
    const r = rel.rows[0] as { oid: string; identity: string; kind: string; pk: string } | undefined;
    if (!r) throw new CdcStopError('cdc-table', `table ${schema}.${table} does not exist in ${redact(client.database ?? '')}; check the catalog's source tables`);
    if (r.kind !== 'r' && r.kind !== 'p') throw new CdcStopError('cdc-table', `${schema}.${table} is not a table (relkind ${r.kind}); logical replication publishes tables only`);
    const cols = await client.query(
      `SELECT a.attname AS name, a.atttypid::int AS typeoid, format_type(a.atttypid, a.atttypmod) AS typename,
              (a.attlen = -1 AND a.attstorage IN ('x', 'e')) AS toastable
         FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [r.oid],
    );
    const columns = new Map<string, { typeOid: number; typeName: string; toastable: boolean }>();
    for (const c of cols.rows as Array<{ name: string; typeoid: string; typename: string; toastable: string }>) {
      columns.set(c.name, { typeOid: Number(c.typeoid), typeName: c.typename, toastable: c.toastable === 't' });
    }
    out.push({ qualified: `${schema}.${table}`, schema, table, oid: Number(r.oid), identity: r.identity, hasPrimaryKey: r.pk === 't', columns });
  }
  return out;
}

export interface IdentityFinding {
  table: string;
  identity: 'default' | 'nothing' | 'full' | 'index';
  level: 'error' | 'warn';
  message: string;
}

const IDENTITY_NAMES = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

function identityFindings(tables: TableInfo[]): IdentityFinding[] {
  const out: IdentityFinding[] = [];
  for (const t of tables) {
    const identity = IDENTITY_NAMES[t.identity as keyof typeof IDENTITY_NAMES] ?? 'default';
    const fix = `ALTER TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)} REPLICA IDENTITY FULL`;
    if (identity === 'nothing' || (identity === 'default' && !t.hasPrimaryKey)) {
      out.push({
        table: t.qualified, identity, level: 'error',
        message: `${t.qualified} has no replica identity (${identity === 'nothing' ? 'REPLICA IDENTITY NOTHING' : 'no primary key'}); once it is in a publication that publishes updates and deletes, UPDATE and DELETE on it fail on the primary. Add a primary key or run: ${fix}`,
      });
      continue;
    }
    const toast = [...t.columns].filter(([, c]) => c.toastable).map(([n]) => n);
    if (identity !== 'full' && toast.length) {
      out.push({
        table: t.qualified, identity, level: 'warn',
        message: `${t.qualified} has TOAST-able columns (${toast.join(', ')}): an UPDATE that does not change a large value sends it as "unchanged", so the event leaves that field out (header schemactl.unchanged-toast). To always get full rows: ${fix}`,
      });
    }
  }
  return out;
}

/** Which captured tables break writes (no replica identity) or will send unchanged-TOAST markers. */
export async function checkReplicaIdentity(connection: string, tables: string[]): Promise<IdentityFinding[]> {
  const client = new pg.Client({ connectionString: connection, types: textTypes });
  await client.connect();
  try {
    return identityFindings(await loadTables(client, tables));
  } finally {
    await client.end();
  }
}

export async function readSlotStatus(client: pg.Client, slot: string): Promise<SlotStatus> {
  const res = await client.query(
    `SELECT plugin, active, active_pid, confirmed_flush_lsn::text AS confirmed, restart_lsn::text AS restart, wal_status,
            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag
       FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()`,
    [slot],
  );
  const r = res.rows[0] as { plugin: string; active: string; active_pid: string | null; confirmed: string | null; restart: string | null; wal_status: string | null; lag: string | null } | undefined;
  if (!r) return { slot, exists: false, plugin: null, active: false, activePid: null, confirmedFlush: null, restartLsn: null, walStatus: null, lagBytes: null };
  return {
    slot, exists: true, plugin: r.plugin, active: r.active === 't', activePid: r.active_pid === null ? null : Number(r.active_pid),
    confirmedFlush: r.confirmed, restartLsn: r.restart, walStatus: r.wal_status, lagBytes: r.lag === null ? null : Number(r.lag),
  };
}

export interface RelationDiff {
  /** columns the schema needs that the table no longer has */
  missing: string[];
  /** needed columns whose type changed */
  retyped: Array<{ column: string; from: number; to: number }>;
  /** new columns (ignored by the mapping) */
  added: string[];
}

/** Compare a Relation message with the columns the stream needs and the types they had at start. */
export function diffRelation(required: string[], baseline: Map<string, { typeOid: number }>, columns: RelationColumn[]): RelationDiff {
  const now = new Map(columns.map((c) => [c.name, c]));
  const missing = required.filter((c) => !now.has(c));
  const retyped: RelationDiff['retyped'] = [];
  for (const c of required) {
    const was = baseline.get(c);
    const is = now.get(c);
    if (was && is && was.typeOid !== is.typeOid) retyped.push({ column: c, from: was.typeOid, to: is.typeOid });
  }
  const added = columns.filter((c) => !baseline.has(c.name)).map((c) => c.name);
  return { missing, retyped, added };
}

interface Relation {
  oid: number;
  qualified: string;
  identity: string;
  columns: RelationColumn[];
}

type QueueItem = { row: CdcRow } | { drift: { table: string; lsn: string; diff: RelationDiff } } | { stop: CdcStopError };

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
    stream: { pause(): void; resume(): void };
  };
};

export class PgLogicalSource implements Source {
  private admin: pg.Client | undefined;
  private rep: ClientWithConnection | undefined;
  private tables: TableInfo[] = [];
  private byOid = new Map<number, TableInfo>();
  private relations = new Map<number, Relation>();
  private phase: 'idle' | 'snapshot' | 'streaming' = 'idle';
  private consistentPoint = 0n;
  private snapIndex = 0;
  private snapCursorOpen = false;
  private queue: QueueItem[] = [];
  private inflight: CdcRow[] = [];
  private txn: OpenTxn | null = null;
  /** end LSN of the last transaction fully placed in the queue */
  private lastEnd = 0n;
  /** highest position confirmed to the server (acknowledged by the engine, or idle keepalive) */
  private confirmed = 0n;
  /** commits before this LSN are already covered by the checkpoint */
  private skipBefore = 0n;
  private keepaliveEnd = 0n;
  private paused = false;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private statusTimer: NodeJS.Timeout | undefined;
  private streamEnded: Promise<void> | null = null;
  private lastSlotCheck = 0;
  private slotInfo: SlotStatus | null = null;
  private readonly log: NonNullable<PgLogicalSourceConfig['onLog']>;

  constructor(private readonly cfg: PgLogicalSourceConfig) {
    this.log = cfg.onLog ?? (() => {});
    if (!cfg.tables.length) throw new CdcStopError('cdc-config', `stream ${cfg.name}: a log-based source needs at least one table`);
  }

  describe(): string {
    return `postgres logical slot ${this.cfg.slot} (publication ${this.cfg.publication}: ${this.cfg.tables.join(', ')}) on ${redact(this.cfg.connection)}`;
  }

  private get applicationName(): string {
    return `schemactl:${this.cfg.slot}`.slice(0, 63);
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
    const wal = (await admin.query('SHOW wal_level')).rows[0] as { wal_level: string };
    if (wal.wal_level !== 'logical') {
      throw new CdcStopError('cdc-wal-level', `log-based capture needs wal_level = logical, the server has ${wal.wal_level}. Run ALTER SYSTEM SET wal_level = logical and restart PostgreSQL`);
    }
    this.tables = await loadTables(admin, this.cfg.tables);
    this.byOid = new Map(this.tables.map((t) => [t.oid, t]));
    const findings = identityFindings(this.tables);
    const errors = findings.filter((f) => f.level === 'error');
    if (errors.length) throw new CdcStopError('cdc-replica-identity', errors.map((f) => f.message).join('\n'));
    for (const f of findings) this.log({ level: 'warn', msg: f.message, stream: this.cfg.name, table: f.table });
    await this.ensurePublication();
  }

  private async ensurePublication(): Promise<void> {
    const admin = this.must();
    const pub = (await admin.query('SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_publication WHERE pubname = $1', [this.cfg.publication])).rows[0] as
      | { puballtables: string }
      | undefined;
    const list = this.tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');
    if (!pub) {
      await admin.query(`CREATE PUBLICATION ${quoteIdent(this.cfg.publication)} FOR TABLE ${list}`);
      this.log({ level: 'info', msg: 'publication created', publication: this.cfg.publication, tables: this.cfg.tables });
      return;
    }
    if (pub.puballtables === 't') {
      throw new CdcStopError('cdc-publication', `publication ${this.cfg.publication} is FOR ALL TABLES; a stream publishes only its catalog tables. Name another publication in the catalog or run: DROP PUBLICATION ${quoteIdent(this.cfg.publication)}`);
    }
    const have = (await admin.query('SELECT schemaname || \'.\' || tablename AS t FROM pg_publication_tables WHERE pubname = $1', [this.cfg.publication])).rows as Array<{ t: string }>;
    const want = new Set(this.tables.map((t) => t.qualified));
    const got = new Set(have.map((r) => r.t));
    if (want.size !== got.size || [...want].some((t) => !got.has(t))) {
      await admin.query(`ALTER PUBLICATION ${quoteIdent(this.cfg.publication)} SET TABLE ${list}`);
      this.log({ level: 'info', msg: 'publication tables set to the catalog tables', publication: this.cfg.publication, before: [...got], after: [...want] });
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

  private resnapshotHint(): string {
    return `To re-snapshot: SELECT pg_drop_replication_slot('${this.cfg.slot.replace(/'/g, "''")}'); then delete the checkpoint of stream ${this.cfg.stream ?? this.cfg.name} and publish again with snapshot enabled`;
  }

  /** Make sure nobody else streams from the slot: wait for our own dead walsender, then end it. */
  private async claimSlot(status: SlotStatus): Promise<SlotStatus> {
    if (!status.active || status.activePid === null) return status;
    const admin = this.must();
    const who = (await admin.query('SELECT application_name, client_addr::text AS addr FROM pg_stat_activity WHERE pid = $1', [status.activePid])).rows[0] as
      | { application_name: string; addr: string | null }
      | undefined;
    if (who && who.application_name !== this.applicationName) {
      throw new CdcStopError('cdc-slot-active', `replication slot ${this.cfg.slot} is active for PID ${status.activePid} (application_name '${who.application_name}', client ${who.addr ?? 'local'}): another consumer is reading it. Stop that consumer or give this stream its own slot`);
    }
    // Our own application name: a publisher that crashed leaves its walsender until the server notices
    // (wal_sender_timeout). Give it a moment to go, then end it.
    const deadline = Date.now() + (this.cfg.staleGraceMs ?? 10_000);
    let s = status;
    while (s.active && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      s = await readSlotStatus(admin, this.cfg.slot);
    }
    if (s.active && s.activePid !== null) {
      this.log({ level: 'warn', msg: 'terminating a stale walsender of this stream', stream: this.cfg.name, pid: s.activePid });
      await admin.query('SELECT pg_terminate_backend($1)', [s.activePid]);
      const end = Date.now() + 10_000;
      while (s.active && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
        s = await readSlotStatus(admin, this.cfg.slot);
      }
      if (s.active) throw new UnreachableError(`replication slot ${this.cfg.slot} is still active for PID ${s.activePid} after terminating it`);
    }
    return s;
  }

  private async connectReplication(): Promise<ClientWithConnection> {
    const config = { connectionString: this.cfg.connection, replication: 'database', types: textTypes, options: SESSION_OPTIONS, application_name: this.applicationName };
    const rep = new pg.Client(config as pg.ClientConfig) as ClientWithConnection;
    try {
      await rep.connect();
    } catch (e) {
      throw new UnreachableError(`cannot open a replication connection to ${redact(this.cfg.connection)}: ${redact((e as Error).message)}`, e);
    }
    rep.on('error', (e) => this.fail(e));
    return rep;
  }

  /** Decide where to start from the checkpoint and the slot; create or re-create the slot if needed. */
  private async start(offset: SourceOffset | null): Promise<void> {
    if (offset && offset.kind !== 'log') throw new CdcStopError('cdc-offset', `stored offset of stream ${this.cfg.name} is a ${offset.kind} offset, not a log position`);
    const admin = this.must();
    this.resetState();
    let slot = await readSlotStatus(admin, this.cfg.slot);
    if (slot.exists && slot.plugin !== 'pgoutput') {
      throw new CdcStopError('cdc-slot', `replication slot ${this.cfg.slot} uses the ${slot.plugin} plugin, not pgoutput; name another slot in the catalog`);
    }
    if (slot.exists && slot.walStatus === 'lost') {
      throw new CdcStopError('cdc-slot-lost', `replication slot ${this.cfg.slot} is lost: the server removed WAL it still needed (max_slot_wal_keep_size), so changes are missing. ${this.resnapshotHint()}`);
    }
    if (slot.exists) slot = await this.claimSlot(slot);
    const needSnapshot = this.cfg.snapshot && (!offset || !offset.snapshotDone || offset.position === null);
    if (needSnapshot && this.cfg.columns) {
      // the snapshot reads the tables as they are now, so they must have every column the schema reads
      for (const t of this.tables) {
        const missing = this.cfg.columns.filter((c) => !t.columns.has(c));
        if (missing.length) {
          throw new CdcStopError('cdc-schema-drift', `stream ${this.cfg.name}: table ${t.qualified} has no column(s) ${missing.join(', ')} that the stream's schema reads; fix the mapping or the schema before taking the snapshot`);
        }
      }
    }
    this.rep = await this.connectReplication();
    if (needSnapshot) {
      if (slot.exists) {
        // a snapshot only exists while the slot is created; a run that stopped before finishing its
        // snapshot starts over (duplicates bounded by the rows it had published, no gap)
        this.log({ level: 'warn', msg: 'snapshot not finished by an earlier run: re-creating the slot and snapshot', slot: this.cfg.slot });
        await admin.query('SELECT pg_drop_replication_slot($1)', [this.cfg.slot]);
      }
      const created = (await this.rep.query(`CREATE_REPLICATION_SLOT ${quoteIdent(this.cfg.slot)} LOGICAL pgoutput EXPORT_SNAPSHOT`)).rows[0] as { consistent_point: string; snapshot_name: string };
      this.consistentPoint = parseLsn(created.consistent_point);
      await admin.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await admin.query(`SET TRANSACTION SNAPSHOT '${created.snapshot_name.replace(/'/g, "''")}'`);
      this.phase = 'snapshot';
      this.snapIndex = 0;
      this.snapCursorOpen = false;
      this.confirmed = this.consistentPoint;
      this.lastEnd = this.consistentPoint;
      this.log({ level: 'info', msg: 'slot created; reading the snapshot', slot: this.cfg.slot, consistentPoint: created.consistent_point });
      return;
    }
    let startAt: bigint;
    if (!slot.exists) {
      if (offset && offset.position !== null) {
        throw new CdcStopError('cdc-slot-missing', `replication slot ${this.cfg.slot} does not exist, but stream ${this.cfg.name} was at ${offset.position}: the changes since then are gone. ${this.resnapshotHint()}`);
      }
      const created = (await this.rep.query(`CREATE_REPLICATION_SLOT ${quoteIdent(this.cfg.slot)} LOGICAL pgoutput NOEXPORT_SNAPSHOT`)).rows[0] as { consistent_point: string };
      startAt = parseLsn(created.consistent_point);
      this.log({ level: 'info', msg: 'slot created without snapshot', slot: this.cfg.slot, consistentPoint: created.consistent_point });
    } else {
      const slotPos = parseLsn(slot.confirmedFlush ?? '0/0');
      const ckpt = offset?.position ? parseLsn(offset.position) : null;
      if (ckpt === null) startAt = slotPos;
      else if (ckpt < slotPos) {
        if (this.cfg.onSlotAhead !== 'accept-slot') {
          throw new CdcStopError('cdc-position', `replication slot ${this.cfg.slot} has confirmed up to ${slot.confirmedFlush}, but stream ${this.cfg.name}'s checkpoint is at ${offset!.position}: something else advanced the slot, and changes between the two positions may never have reached Kafka. Choose: re-snapshot (${this.resnapshotHint()}), or accept the gap by setting onSlotAhead: accept-slot`);
        }
        this.log({ level: 'warn', msg: 'checkpoint behind slot: accepting the slot position as configured', checkpoint: offset!.position, slot: slot.confirmedFlush });
        startAt = slotPos;
      } else {
        if (ckpt > slotPos) this.log({ level: 'info', msg: 'slot behind checkpoint (stopped between checkpoint and acknowledgement): skipping what the checkpoint covers', checkpoint: offset!.position, slot: slot.confirmedFlush });
        startAt = ckpt;
      }
    }
    this.confirmed = startAt;
    this.lastEnd = startAt;
    this.skipBefore = startAt;
    await this.startStreaming(startAt);
  }

  private resetState(): void {
    this.queue = [];
    this.inflight = [];
    this.txn = null;
    this.relations.clear();
    this.failure = null;
    this.paused = false;
    this.keepaliveEnd = 0n;
    this.skipBefore = 0n;
  }

  private async startStreaming(at: bigint): Promise<void> {
    const rep = this.rep!;
    rep.connection.on('copyData', (msg) => {
      try {
        this.onCopyData(msg.chunk);
      } catch (e) {
        this.fail(e as Error);
      }
    });
    const proto = this.cfg.protoVersion ?? 1;
    const pubs = quoteIdent(this.cfg.publication).replace(/'/g, "''");
    // the query resolves only when the stream ends; while it runs the connection is in CopyBoth mode
    this.streamEnded = rep.query(`START_REPLICATION SLOT ${quoteIdent(this.cfg.slot)} LOGICAL ${formatLsn(at)} (proto_version '${proto}', publication_names '${pubs}')`)
      .then(() => this.fail(new UnreachableError(`the server ended replication from slot ${this.cfg.slot}`)))
      .catch((e: Error) => this.fail(e))
      .then(() => {});
    this.phase = 'streaming';
    this.statusTimer = setInterval(() => this.sendStatus(false), this.cfg.statusIntervalMs ?? 10_000);
    this.statusTimer.unref();
    this.log({ level: 'info', msg: 'streaming', slot: this.cfg.slot, from: formatLsn(at) });
  }

  private fail(e: Error): void {
    if (this.phase === 'idle') return;
    if (!this.failure) this.failure = e;
    this.wake?.();
  }

  private sendStatus(requestReply: boolean): void {
    if (this.phase !== 'streaming' || !this.rep || this.failure) return;
    try {
      this.rep.connection.sendCopyFromChunk(standbyStatus(this.confirmed, this.confirmed, this.confirmed, requestReply));
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private onCopyData(chunk: Buffer): void {
    const m = parseCopyData(chunk);
    if (m.type === 'keepalive') {
      if (m.walEnd > this.keepaliveEnd) this.keepaliveEnd = m.walEnd;
      if (m.replyRequested) this.sendStatus(false);
      this.wake?.();
      return;
    }
    if (m.type !== 'xlog') return;
    this.onMessage(decodePgOutput(m.data));
    if (!this.paused && this.queue.length >= (this.cfg.highWater ?? 20_000)) {
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
      case 'message':
        return;
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
        const rows = txn.items.filter((i): i is { row: CdcRow } => 'row' in i);
        const last = rows[rows.length - 1];
        if (last) last.row.offset = { v: 1, kind: 'log', position: formatLsn(msg.endLsn), snapshotDone: true };
        for (const i of txn.items) this.queue.push(i);
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
    const info = this.byOid.get(msg.oid);
    if (!info) return;
    const required = this.cfg.columns ?? [...info.columns.keys()];
    // types are compared with the previous Relation of this run: the catalog now may already show a
    // later shape than the changes still in the log
    const baseline = prev ? new Map(prev.columns.map((c) => [c.name, c])) : new Map(msg.columns.map((c) => [c.name, c]));
    const diff = diffRelation(required, baseline, msg.columns);
    const changed = !prev || prev.columns.length !== msg.columns.length || prev.columns.some((c, i) => c.name !== msg.columns[i]?.name || c.typeOid !== msg.columns[i]?.typeOid);
    if (diff.missing.length || diff.retyped.length) {
      const item: QueueItem = { drift: { table: qualified, lsn: this.txn ? formatLsn(this.txn.commitLsn) : formatLsn(this.lastEnd), diff } };
      if (this.txn) this.txn.items.push(item);
      else this.queue.push(item);
    } else if (changed && diff.added.length) {
      this.log({ level: 'info', msg: 'table gained columns the schema does not read; they are not published', table: qualified, columns: diff.added });
    }
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
      op, table: rel.qualified, lsn, columns, headers,
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
    if (txn.items.length >= (this.cfg.highWater ?? 20_000)) {
      // a very large transaction: release its rows early; their offsets still point before it
      for (const i of txn.items) this.queue.push(i);
      txn.items = [];
    }
  }

  private onTruncate(msg: Extract<PgOutputMessage, { tag: 'truncate' }>): void {
    const txn = this.txn;
    if (!txn || txn.skip) return;
    const names = msg.oids.map((o) => this.relations.get(o)?.qualified ?? this.byOid.get(o)?.qualified ?? `oid ${o}`);
    const mode = this.cfg.truncate ?? 'fail';
    const lsn = formatLsn(txn.commitLsn);
    if (mode === 'fail') {
      txn.items.push({
        stop: new CdcStopError('cdc-truncate', `stream ${this.cfg.name}: TRUNCATE of ${names.join(', ')} at LSN ${lsn}. A truncate has no per-key form, so the topic cannot forget those rows by itself. Decide: set truncate: skip (keep the topic as is) or truncate: emit (publish a truncate marker), then run again; the slot still holds this change`),
      });
      return;
    }
    if (mode === 'skip') {
      this.log({ level: 'warn', msg: 'TRUNCATE skipped as configured', stream: this.cfg.name, tables: names, lsn });
      return;
    }
    for (const oid of msg.oids) {
      const rel = this.relations.get(oid) ?? { oid, qualified: this.byOid.get(oid)?.qualified ?? `oid ${oid}`, identity: 'd', columns: [] };
      const row = this.baseRow('t', rel, {}, txn);
      if (msg.options & 1) row.headers['schemactl.truncate-cascade'] = 'true';
      txn.items.push({ row });
    }
  }

  async read(offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    if (this.phase === 'idle') await this.start(offset);
    if (this.phase === 'snapshot') return this.readSnapshot(max);
    if (this.failure) {
      const e = this.failure;
      await this.teardown();
      if (e instanceof SchemactlError) throw e;
      throw new UnreachableError(`replication from slot ${this.cfg.slot} failed: ${redact(e.message)}`, e);
    }
    if (!this.queue.length) {
      await this.confirmIdle();
      await this.waitForData(this.cfg.waitMs ?? 500);
    }
    const rows: CdcRow[] = [];
    while (rows.length < max && this.queue.length) {
      const item = this.queue[0]!;
      if ('row' in item) {
        rows.push(item.row);
        this.queue.shift();
        continue;
      }
      // a stop comes after every row before it was published
      if (rows.length) break;
      if ('stop' in item) throw item.stop;
      throw await this.driftError(item.drift);
    }
    this.inflight.push(...rows);
    if (this.paused && this.queue.length < (this.cfg.highWater ?? 20_000) / 2) {
      this.paused = false;
      this.rep?.connection.stream.resume();
    }
    const info = await this.info();
    return { rows, caughtUp: this.queue.length === 0, info };
  }

  private async info(): Promise<Record<string, string | number | null>> {
    if (Date.now() - this.lastSlotCheck > 5000) {
      this.lastSlotCheck = Date.now();
      try {
        this.slotInfo = await readSlotStatus(this.must(), this.cfg.slot);
        if (this.slotInfo.walStatus === 'lost') {
          throw new CdcStopError('cdc-slot-lost', `replication slot ${this.cfg.slot} was lost while streaming (WAL removed). ${this.resnapshotHint()}`);
        }
      } catch (e) {
        if (e instanceof CdcStopError) throw e;
      }
    }
    return {
      bound: formatLsn(this.lastEnd),
      confirmed: formatLsn(this.confirmed),
      lagBytes: this.slotInfo?.lagBytes ?? null,
      walStatus: this.slotInfo?.walStatus ?? null,
    };
  }

  private waitForData(ms: number): Promise<void> {
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

  /** Nothing handed out, nothing buffered, no transaction open: the server's position is safe to confirm. */
  private async confirmIdle(): Promise<void> {
    if (this.inflight.length || this.queue.length || this.txn) return;
    const target = this.keepaliveEnd > this.lastEnd ? this.keepaliveEnd : this.lastEnd;
    if (target <= this.confirmed) return;
    if (this.cfg.checkpoints) {
      // save first: a confirmed position the checkpoint does not know would look like someone else
      // advanced the slot on the next start
      await this.cfg.checkpoints.save(this.cfg.stream ?? this.cfg.name, { v: 1, kind: 'log', position: formatLsn(target), snapshotDone: true });
    } else if (target > this.lastEnd) {
      // without the checkpoint store only transaction ends that the engine checkpointed are confirmed
      return;
    }
    if (this.inflight.length || this.queue.length || this.txn) return;
    this.confirmed = target;
    this.sendStatus(false);
  }

  private async driftError(d: { table: string; lsn: string; diff: RelationDiff }): Promise<CdcStopError> {
    const oids = [...new Set(d.diff.retyped.flatMap((r) => [r.from, r.to]))];
    const names = new Map<number, string>();
    if (oids.length) {
      const res = await this.must().query('SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])', [oids]);
      for (const r of res.rows as Array<{ oid: string; name: string }>) names.set(Number(r.oid), r.name);
    }
    const parts: string[] = [];
    if (d.diff.missing.length) parts.push(`column(s) ${d.diff.missing.join(', ')} read by the stream's schema no longer exist`);
    for (const r of d.diff.retyped) parts.push(`column ${r.column} changed type from ${names.get(r.from) ?? r.from} to ${names.get(r.to) ?? r.to}`);
    return new CdcStopError(
      'cdc-schema-drift',
      `stream ${this.cfg.name}: table ${d.table} changed before the transaction at LSN ${d.lsn}: ${parts.join('; ')}. Nothing of the new shape was published; the slot keeps every change from ${formatLsn(this.confirmed)}. To resume, register a compatible schema version (drop the field or give it a default) or restore the column, then publish again`,
    );
  }

  private async readSnapshot(max: number): Promise<SourceBatch> {
    const admin = this.must();
    const rows: CdcRow[] = [];
    const position = formatLsn(this.consistentPoint);
    while (rows.length < max && this.snapIndex < this.tables.length) {
      const t = this.tables[this.snapIndex]!;
      if (!this.snapCursorOpen) {
        await admin.query(`DECLARE schemactl_snap NO SCROLL CURSOR FOR SELECT * FROM ${quoteIdent(t.schema)}.${quoteIdent(t.table)}`);
        this.snapCursorOpen = true;
      }
      const want = max - rows.length;
      const res = await admin.query(`FETCH FORWARD ${want} FROM schemactl_snap`);
      for (const r of res.rows as Array<Record<string, string | null>>) {
        rows.push({
          op: 'r', table: t.qualified, lsn: position, columns: r,
          headers: { 'schemactl.op': 'r', 'schemactl.table': t.qualified, 'schemactl.lsn': position, 'schemactl.snapshot': 'true' },
          offset: { v: 1, kind: 'log', position, snapshotDone: false },
          position: `${t.qualified} (snapshot at ${position})`,
        });
      }
      if (res.rows.length < want) {
        await admin.query('CLOSE schemactl_snap');
        this.snapCursorOpen = false;
        this.snapIndex++;
      }
    }
    if (this.snapIndex >= this.tables.length) {
      await admin.query('COMMIT');
      const last = rows[rows.length - 1];
      if (last) last.offset = { v: 1, kind: 'log', position, snapshotDone: true };
      else if (this.cfg.checkpoints && !this.inflight.length) {
        await this.cfg.checkpoints.save(this.cfg.stream ?? this.cfg.name, { v: 1, kind: 'log', position, snapshotDone: true });
      }
      this.log({ level: 'info', msg: 'snapshot done', slot: this.cfg.slot });
      this.skipBefore = this.consistentPoint;
      await this.startStreaming(this.consistentPoint);
    }
    this.inflight.push(...rows);
    return { rows, caughtUp: false, info: { bound: position, phase: 'snapshot' } };
  }

  async acknowledge(offset: SourceOffset): Promise<void> {
    if (offset.kind !== 'log') return;
    // drop the handed-out rows this offset covers (the engine acknowledges whole batches)
    const idx = this.inflight.findIndex((r) => r.offset === offset);
    this.inflight = idx >= 0 ? this.inflight.slice(idx + 1) : [];
    if (!offset.snapshotDone || offset.position === null) return;
    const pos = parseLsn(offset.position);
    if (pos > this.confirmed) {
      this.confirmed = pos;
      this.sendStatus(false);
    }
  }

  rewind(): void {
    if (!this.inflight.length) return;
    if (this.phase === 'snapshot' || this.inflight.some((r) => r.op === 'r')) {
      // snapshot rows come from a cursor that cannot go back: start the whole run again
      this.failure = new UnreachableError('a snapshot batch failed; the snapshot restarts');
      this.inflight = [];
      void this.teardown();
      return;
    }
    this.queue.unshift(...this.inflight.map((row) => ({ row })));
    this.inflight = [];
  }

  private async teardown(): Promise<void> {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    const rep = this.rep;
    this.rep = undefined;
    const wasSnapshot = this.phase === 'snapshot';
    const streaming = this.phase === 'streaming' && !this.failure;
    this.phase = 'idle';
    this.wake = null;
    const ended = this.streamEnded;
    this.streamEnded = null;
    if (rep) {
      rep.connection.removeAllListeners('copyData');
      if (streaming && ended) {
        // End the copy in an orderly way: the client library resets a connection that is busy with
        // a query, and a reset can drop the last status update before the server has read it.
        try {
          rep.connection.sendCopyFromChunk(standbyStatus(this.confirmed, this.confirmed, this.confirmed));
          (rep.connection as unknown as { endCopyFrom(): void }).endCopyFrom();
          await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
        } catch {
          // the connection is gone already; nothing left to tell the server
        }
      }
      await rep.end().catch(() => {});
    }
    if (wasSnapshot && this.admin) {
      await this.admin.query('ROLLBACK').catch(() => {});
      this.snapCursorOpen = false;
    }
  }

  async close(): Promise<void> {
    // the last acknowledged position, once more, so a clean stop leaves the slot exactly there
    this.sendStatus(false);
    await this.teardown();
    await this.admin?.end().catch(() => {});
    this.admin = undefined;
  }
}
