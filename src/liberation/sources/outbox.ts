// The transactional outbox, polled. Column names and routing default to Debezium's Outbox Event
// Router (id, aggregatetype, aggregateid, type, payload, timestamp; topic `outbox.event.${routedByValue}`)
// so an existing outbox table works unchanged.
//
// No row is lost to a late commit: rows are removed (or marked) only after the broker acknowledged
// them, so every read starts from what is still in the table — a transaction that commits late is
// simply picked up by the next poll. Reads are still bounded by the oldest open transaction (when the
// table has a timestamp column) so that events leave in timestamp order across transactions.
import type { Source, SourceBatch, SourceLag, SourceOffset, SourceRow } from '../types.js';
import { redact } from '../../errors.js';
import { connect, horizon, SqlSource } from './query.js';
import { dialectOf, quoteIdent, type Dialect } from './sql.js';

export interface OutboxConfig {
  connection: string;
  table: string;
  columns: {
    id: string;
    aggregateType: string;
    aggregateId: string;
    type: string;
    payload: string;
    /** optional: enables the late-commit bound and timestamp ordering */
    timestamp?: string;
  };
  /** topic template; `${routedByValue}` is replaced by the value of `routeBy` */
  route: string;
  /** the column whose value routes the event (default: the aggregate type column) */
  routeBy: string;
  /** 'delete' (default) removes acknowledged rows; a column name marks them instead (set to now()) */
  onAck: 'delete' | { markColumn: string };
  delayMs: number;
  name: string;
  /** SQL run once when the database is an in-process PGlite */
  seed?: string;
}

export const OUTBOX_DEFAULTS = {
  columns: { id: 'id', aggregateType: 'aggregatetype', aggregateId: 'aggregateid', type: 'type', payload: 'payload', timestamp: 'timestamp' },
  route: 'outbox.event.${routedByValue}',
} as const;

export class OutboxSource extends SqlSource implements Source {
  private readonly dialect: Dialect;
  /** ids read but not yet acknowledged, in read order */
  /** `id` is the comparable text (hex for binary ids); `raw` the value as the driver returned it, for the DELETE */
  private pending: Array<{ id: string; raw: unknown; offset: SourceOffset }> = [];
  /**
   * Where the last read stopped while rows are pending: the next read pages on from there (same order),
   * so a run that never acknowledges (--dry-run) still walks the whole table. Cleared whenever nothing
   * is pending, so rows that commit late are found by reading from the start again.
   */
  private cursor: { ts: unknown; id: unknown } | undefined;

  constructor(private readonly cfg: OutboxConfig) {
    super();
    this.dialect = dialectOf(cfg.connection);
  }

  describe(): string {
    return `${this.dialect} outbox ${this.cfg.table} on ${redact(this.cfg.connection)}`;
  }

  async open(): Promise<void> {
    this.conn = (await connect(this.cfg.connection, this.cfg.seed ? { seed: this.cfg.seed } : {})).conn;
  }

  async read(_offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    const conn = this.must();
    const d = this.dialect;
    const c = this.cfg.columns;
    const q = (n: string) => quoteIdent(n, d);
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return d === 'postgres' ? `$${params.length}` : '?';
    };
    const where: string[] = [];
    let bound: string | null = null;
    if (c.timestamp) {
      bound = (await horizon(conn, d, this.cfg.delayMs)).bound;
      where.push(`${q(c.timestamp)} < ${p(bound)}`);
    }
    if (typeof this.cfg.onAck === 'object') where.push(`${q(this.cfg.onAck.markColumn)} IS NULL`);
    if (this.cursor && this.pending.length) {
      const cur = this.cursor;
      if (!c.timestamp) where.push(`${q(c.id)} > ${p(cur.id)}`);
      else if (d === 'postgres') where.push(`(${q(c.timestamp)}, ${q(c.id)}) > (${p(cur.ts)}, ${p(cur.id)})`);
      else where.push(`(${q(c.timestamp)} > ${p(cur.ts)} OR (${q(c.timestamp)} = ${p(cur.ts)} AND ${q(c.id)} > ${p(cur.id)}))`);
    }
    // rows already handed out in this process but not yet acknowledged are not read twice
    const order = c.timestamp ? `${q(c.timestamp)}, ${q(c.id)}` : q(c.id);
    const sql = `SELECT * FROM ${q(this.cfg.table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${Math.max(1, Math.floor(max))}`;
    const rows = await conn.query(sql, params);
    const pendingIds = new Set(this.pending.map((x) => x.id));
    const out: SourceRow[] = [];
    for (const r of rows) {
      const raw = r[c.id];
      // BINARY(16) ids arrive as bytes: String() would garble them and the acknowledging DELETE would never match
      const id = Buffer.isBuffer(raw) ? raw.toString('hex') : String(raw);
      if (pendingIds.has(id)) continue;
      const routeValue = String(r[this.cfg.routeBy] ?? r[c.aggregateType] ?? '');
      const offset: SourceOffset = { v: 1, kind: 'outbox', lastId: id };
      this.pending.push({ id, raw, offset });
      this.cursor = { ts: c.timestamp ? r[c.timestamp] : undefined, id: raw };
      const payload = r[c.payload];
      out.push({
        columns: r,
        offset,
        position: `${this.cfg.table} (id=${id})`,
        topic: this.cfg.route.replaceAll('${routedByValue}', routeValue),
        key: r[c.aggregateId] === null || r[c.aggregateId] === undefined ? null : String(r[c.aggregateId]),
        headers: { id, ...(r[c.type] !== undefined && r[c.type] !== null ? { type: String(r[c.type]) } : {}) },
        payload: payload === null || payload === undefined ? null : Buffer.isBuffer(payload) ? payload : typeof payload === 'string' ? payload : JSON.stringify(payload),
        tombstone: payload === null || payload === undefined,
      });
    }
    return { rows: out, caughtUp: rows.length < max, info: { bound } };
  }

  /** Remove (or mark) every pending row up to and including `offset`: the sink acknowledged them. */
  async acknowledge(offset: SourceOffset): Promise<void> {
    if (offset.kind !== 'outbox' || offset.lastId === null) return;
    const upto = this.pending.findIndex((x) => x.id === offset.lastId);
    if (upto < 0) return;
    const done = this.pending.slice(0, upto + 1).map((x) => x.raw);
    this.pending = this.pending.slice(upto + 1);
    if (this.pending.length === 0) this.cursor = undefined;
    const d = this.dialect;
    const q = (n: string) => quoteIdent(n, d);
    for (let i = 0; i < done.length; i += 500) {
      const chunk = done.slice(i, i + 500);
      const ph = chunk.map((_, j) => (d === 'postgres' ? `$${j + 1}` : '?')).join(', ');
      const sql =
        this.cfg.onAck === 'delete'
          ? `DELETE FROM ${q(this.cfg.table)} WHERE ${q(this.cfg.columns.id)} IN (${ph})`
          : `UPDATE ${q(this.cfg.table)} SET ${q(this.cfg.onAck.markColumn)} = ${d === 'postgres' ? 'now()' : 'NOW(6)'} WHERE ${q(this.cfg.columns.id)} IN (${ph})`;
      // the parameters take the id column's own type (uuid, bigint, varchar, binary), so the primary key index is used
      await this.must().query(sql, chunk);
    }
  }

  /** The backlog: rows still in the outbox (acknowledged rows are deleted or marked). */
  async lag(): Promise<SourceLag | null> {
    const d = this.dialect;
    const where = typeof this.cfg.onAck === 'object' ? ` WHERE ${quoteIdent(this.cfg.onAck.markColumn, d)} IS NULL` : '';
    const [row] = await this.must().query(`SELECT COUNT(*) AS n FROM ${quoteIdent(this.cfg.table, d)}${where}`, []);
    return { kind: 'backlog_rows', value: Number(row?.n ?? 0) };
  }

  /** The engine rewinds after a failed send: forget what was handed out so it is read again. */
  rewind(): void {
    this.pending = [];
    this.cursor = undefined;
  }
}
