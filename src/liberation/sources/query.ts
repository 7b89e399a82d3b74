// Query-based liberation for PostgreSQL and MySQL/MariaDB: a keyset walk over (timestamp, id).
//
// Two things the established JDBC-style sources get wrong, and how this one avoids them:
//  - Late commits. In PostgreSQL `now()` is the transaction's start, so a long transaction commits rows
//    whose timestamps are older than rows already published. Each read is bounded above by
//    min(database clock − delay, start of the oldest open transaction of any other session): a row
//    that an open transaction may still commit will carry a timestamp at or after that start, so it is
//    still ahead of the bound and is read once it commits. (Sessions without a write xid are included
//    on purpose: a transaction may call now() early and write later.) MySQL/MariaDB take NOW() at each
//    statement's start instead, so their bound also follows running statements (mysql-horizon.ts).
//    Timestamps the application assigns itself are bounded by nothing the database shows: an optional
//    lookback window re-reads behind the checkpoint for those.
//  - Precision. Drivers are told to return every value as the database's own text, so cursors keep
//    microseconds and int8 ids stay exact; comparisons happen in the database's own types.
import type { EventEmitter } from 'node:events';
import type { RowConsumer, Source, SourceBatch, SourceOffset, SourceRow, SourceLag } from '../types.js';
import { EXIT, redact, SchemactlError } from '../../errors.js';
import { describePosition, dialectOf, quoteIdent, relation, type Dialect } from './sql.js';
import { MysqlHorizon } from './mysql-horizon.js';

const MYSQL_MIN_DELAY_MS = 1000;
/** how long a catch-up reuses the bound of a full page (see QuerySource.read) */
const BOUND_REUSE_MS = 1000;

export interface QuerySourceConfig {
  connection: string;
  table?: string;
  query?: string;
  /** timestamp column (default updated_at) */
  timestamp: string;
  /** tie-breaker column (default id) */
  id: string;
  /** when set and not NULL, the row is published as a tombstone */
  softDelete?: string;
  /** how far behind the database clock to stay, in milliseconds (default 0) */
  delayMs: number;
  /**
   * re-read this many milliseconds behind the checkpoint on every poll and publish rows not seen yet
   * (timestamps assigned by the application that commit late); 0 = off
   */
  lookbackMs?: number;
  /** a name for positions and logs (stream topic) */
  name: string;
  /** SQL file run once when the database is an in-process PGlite (the quick start's demo data) */
  seed?: string;
}

export interface Conn {
  query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>>;
  /**
   * query(), handing each row to `row` as it arrives instead of collecting them (PostgreSQL, MySQL);
   * resolves with the number of rows. A connection without it (PGlite) is read with query().
   */
  each?(sql: string, params: unknown[], row: (r: Record<string, unknown>) => void): Promise<number>;
  close(): Promise<void>;
  /** the server closed the connection: it cannot be used again */
  lost?(): boolean;
}

/** Each row of query()'s result, for a connection that cannot hand rows over as they arrive. */
export async function eachOf(conn: Conn, sql: string, params: unknown[], row: (r: Record<string, unknown>) => void): Promise<number> {
  const rows = await conn.query(sql, params);
  for (const r of rows) row(r);
  return rows.length;
}

/**
 * A connection that replaces itself after the server dropped it (a restart, a failover, a killed
 * session): the failing query still fails (the engine rewinds and retries), the next one runs on a new
 * connection with the same session settings.
 */
function reconnecting(first: Conn, open: () => Promise<Conn>): Conn {
  let cur: Conn | undefined = first;
  const usable = async (): Promise<Conn> => {
    if (!cur || cur.lost?.()) {
      const old = cur;
      cur = undefined;
      await old?.close();
      try {
        cur = await open();
      } catch (e) {
        // still unreachable: retriable, like the connection loss that led here
        throw Object.assign(new Error(`reconnecting to the database failed: ${redact((e as Error).message)}`), { retriable: true });
      }
    }
    return cur;
  };
  return {
    query: async (sql, params) => (await usable()).query(sql, params),
    ...(first.each ? {
      each: async (sql: string, params: unknown[], row: (r: Record<string, unknown>) => void) => {
        const c = await usable();
        return c.each ? c.each(sql, params, row) : eachOf(c, sql, params, row);
      },
    } : {}),
    close: async () => {
      await cur?.close();
      cur = undefined;
    },
  };
}

/**
 * The bookkeeping of a read that hands rows over as the driver emits them. A consumer's exception must
 * not be thrown inside the driver's protocol handling: it is held, and the read fails once the statement
 * ended. Rows after the read failed (a timeout, a lost connection) go nowhere; the first end or error
 * settles it (`done` then runs once).
 */
function handover(
  consumer: (r: Record<string, unknown>) => void,
  resolve: (n: number) => void,
  reject: (e: unknown) => void,
  classify: (e: unknown) => unknown,
  done: () => void,
): { row(r: Record<string, unknown>): void; settle(error?: unknown): void } {
  let n = 0;
  let settled = false;
  let failed: { error: unknown } | undefined;
  return {
    row: (r) => {
      if (settled) return;
      n++;
      if (failed) return;
      try {
        consumer(r);
      } catch (error) {
        failed = { error };
      }
    },
    settle: (error) => {
      if (settled) return;
      settled = true;
      done();
      if (error !== undefined) reject(classify(error));
      else if (failed) reject(failed.error);
      else resolve(n);
    },
  };
}

async function connectPostgres(url: string): Promise<Conn> {
  const pg = (await import('pg')).default;
  // every type as text: exact int8/numeric, µs timestamps, no process-time-zone Dates
  const client = new pg.Client({ connectionString: url, types: { getTypeParser: () => (v: string) => v } });
  // a connection lost with the server (restart, failover, idle timeout) is replaced on the next query
  let lost = false;
  client.on('error', () => { lost = true; });
  client.on('end', () => { lost = true; });
  // The server says it ends the session (a restart's "terminating connection", 57P01…) or has no
  // SQLSTATE (the socket went) before the socket's end reaches the client: the connection is not
  // used again, so the next statement (a retry) starts on a new one instead of on a dying one.
  const check = (e: unknown) => {
    const code = (e as { code?: unknown })?.code;
    if (typeof code !== 'string' || /^(57P|08)/.test(code)) lost = true;
    return classifyDbError(e);
  };
  await client.connect();
  await client.query("SET TIME ZONE 'UTC'; SET bytea_output = 'hex'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3");
  return {
    lost: () => lost,
    query: async (sql, params) => {
      try {
        return (await client.query(sql, params)).rows as Array<Record<string, unknown>>;
      } catch (e) {
        throw check(e);
      }
    },
    each: (sql, params, row) => new Promise<number>((resolve, reject) => {
      // a Query with a 'row' listener and no callback: pg hands each row over and keeps none
      const q = new pg.Query({ text: sql, values: params });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const read = handover(row, resolve, reject, check, () => clearTimeout(timer));
      q.on('row', read.row);
      q.on('end', () => read.settle());
      q.on('error', (e: unknown) => read.settle(e));
      // pg reports a query_timeout (a connection-string setting) to the query's callback only, which a
      // query handing rows over has none of: the same timeout here fails it. (Not by wrapping the
      // query's handleError: a Query with a method of its own made pg's per-row path 1 µs/row slower.
      // With such a timeout pg also gives the query a callback, so it keeps the page's rows: memory.)
      const timeoutMs = (client as unknown as { connectionParameters?: { query_timeout?: number } }).connectionParameters?.query_timeout;
      if (timeoutMs) timer = setTimeout(() => read.settle(new Error(`Query read timeout (query_timeout ${timeoutMs} ms)`)), timeoutMs);
      client.query(q);
    }),
    close: () => client.end().catch(() => {}),
  };
}

/** What `each` uses of mysql2's connection beneath its promise wrapper. */
interface MysqlCore extends EventEmitter {
  readonly state: string;
  readonly stream?: EventEmitter;
  query(sql: string, values: unknown[]): EventEmitter;
}

async function connectMysql(url: string): Promise<Conn> {
  const mysql = await import('mysql2/promise');
  const conn = await mysql.createConnection({
    uri: url.replace(/^mariadb:/i, 'mysql:'),
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    // JSON columns as the server's text: parsing them rounds integers beyond 2^53 and reorders nothing
    // the schema asked for
    jsonStrings: true,
    timezone: 'Z',
  });
  let lost = false;
  conn.on('error', () => { lost = true; });
  conn.on('end', () => { lost = true; });
  await conn.query("SET time_zone = '+00:00'");
  // the driver's connection (what the promise wrapper drives): its state, its socket, its own queries
  const core = (conn as unknown as { connection: MysqlCore }).connection;
  // a reset during a query() is reported to that query only, not as a connection event: the
  // connection's own state says it cannot be used again
  const dead = () => core.state === 'error' || core.state === 'disconnected';
  return {
    lost: () => lost || dead(),
    query: async (sql, params) => {
      try {
        const [rows] = await conn.query(sql, params);
        return rows as Array<Record<string, unknown>>;
      } catch (e) {
        throw classifyDbError(e);
      }
    },
    each: (sql, params, row) => new Promise<number>((resolve, reject) => {
      const connectionLost = () => Object.assign(new Error('the connection to the database was lost during the read'), { code: 'PROTOCOL_CONNECTION_LOST' });
      if (dead()) {
        lost = true;
        reject(connectionLost());
        return;
      }
      // mysql2 tells a query without a callback nothing when the connection goes (not even one waiting
      // in its queue): the socket's close and the connection's error end it here
      const stream = core.stream;
      const onClose = () => {
        lost = true;
        read.settle(connectionLost());
      };
      const onError = (e: unknown) => {
        lost = true;
        read.settle(e);
      };
      const read = handover(row, resolve, reject, classifyDbError, () => {
        stream?.off('close', onClose);
        core.off('error', onError);
      });
      stream?.on('close', onClose);
      core.on('error', onError);
      // the driver's own query without a callback: each row is emitted as it is parsed, none is kept
      const q = core.query(sql, params);
      q.on('result', read.row);
      // an error packet is followed by 'end': the first of them settles
      q.on('error', (e: unknown) => read.settle(e));
      q.on('end', () => read.settle());
    }),
    close: () => conn.end().catch(() => {}),
  };
}

/**
 * Errors the database raises about the statement itself (no such table or column, syntax, bad data,
 * permissions) will not go away by retrying: mark them so the engine stops the stream and says why.
 * Connection losses, deadlocks and timeouts stay retriable.
 */
export function classifyDbError(e: unknown): unknown {
  const err = e as { code?: unknown; retriable?: boolean };
  if (!err || typeof err !== 'object') return e;
  const code = typeof err.code === 'string' ? err.code : '';
  const pgFatal = /^(42|22|28|0A|3D|3F|2B|23)/.test(code) && code.length === 5;
  const myRetriable = ['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_QUERY_INTERRUPTED'];
  const myFatal = code.startsWith('ER_') && !myRetriable.includes(code);
  if (pgFatal || myFatal) err.retriable = false;
  return e;
}

export async function connect(url: string, opts: { seed?: string } = {}): Promise<{ dialect: Dialect; conn: Conn }> {
  const dialect = dialectOf(url);
  try {
    if (/^pglite:/i.test(url)) {
      const { connectPglite } = await import('./pglite.js');
      return { dialect, conn: await connectPglite(url, opts.seed) };
    }
    const open = () => (dialect === 'postgres' ? connectPostgres(url) : connectMysql(url));
    return { dialect, conn: reconnecting(await open(), open) };
  } catch (e) {
    const { UnreachableError } = await import('../../errors.js');
    throw new UnreachableError(`cannot connect to the database ${redact(url)}: ${redact((e as Error).message)}`, e);
  }
}

/**
 * The exclusive upper bound for timestamps that is safe to read now, in the database's text form:
 * min(database clock − delay, start of the oldest open transaction of another session).
 */
export async function horizon(conn: Conn, dialect: Dialect, delayMs: number): Promise<{ bound: string; oldestOpen: string | null }> {
  if (dialect === 'postgres') {
    const [row] = await conn.query(
      `SELECT (clock_timestamp() - make_interval(secs => $1::double precision / 1000))::text AS horizon,
              (SELECT min(xact_start) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND xact_start IS NOT NULL AND backend_type = 'client backend')::text AS oldest`,
      [delayMs],
    );
    const h = String(row!.horizon);
    const oldest = (row!.oldest as string | null) ?? null;
    if (oldest === null) return { bound: h, oldestOpen: null };
    const [cmp] = await conn.query('SELECT ($1::timestamptz < $2::timestamptz) AS older', [oldest, h]);
    const older = cmp!.older === true || cmp!.older === 't';
    return { bound: older ? oldest : h, oldestOpen: oldest };
  }
  // information_schema.innodb_trx lists every open InnoDB transaction, but from a cache refreshed at
  // most every 100 ms, and a transaction appears only once it touched InnoDB (after its first
  // statement's NOW() was taken). Stay at least one second behind the clock so a transaction too new
  // for the cache cannot have written below the bound. trx_started has whole seconds, which only
  // makes the bound more conservative, and is printed in the server's system time zone whatever the
  // session's, so it is converted to UTC like the rest of the session.
  const [row] = await conn.query(
    `SELECT DATE_FORMAT(NOW(6) - INTERVAL ? MICROSECOND, '%Y-%m-%d %H:%i:%s.%f') AS horizon,
            (SELECT DATE_FORMAT(CONVERT_TZ(MIN(trx_started), 'SYSTEM', '+00:00'), '%Y-%m-%d %H:%i:%s.%f') FROM information_schema.innodb_trx
              WHERE trx_mysql_thread_id <> CONNECTION_ID()) AS oldest`,
    [Math.max(delayMs, MYSQL_MIN_DELAY_MS) * 1000],
  );
  const h = String(row!.horizon);
  const oldest = (row!.oldest as string | null) ?? null;
  return { bound: oldest !== null && oldest < h ? oldest : h, oldestOpen: oldest };
}

/**
 * Whether an index leads with the timestamp column, so each keyset page is an index range scan. Without
 * one every page scans and sorts the whole table, and a full pass costs pages × table size.
 */
export async function hasKeysetIndex(conn: Conn, dialect: Dialect, table: string, timestamp: string): Promise<boolean> {
  if (dialect === 'postgres') {
    const rows = await conn.query(
      `SELECT 1 AS ok FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = $1::regclass AND a.attname = $2 LIMIT 1`,
      [quoteIdent(table, dialect), timestamp],
    );
    return rows.length > 0;
  }
  const parts = table.split('.');
  const rows = await conn.query(
    `SELECT 1 AS ok FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ${parts.length > 1 ? '?' : 'DATABASE()'} AND TABLE_NAME = ? AND SEQ_IN_INDEX = 1 AND COLUMN_NAME = ? LIMIT 1`,
    parts.length > 1 ? [parts[0], parts[1], timestamp] : [table, timestamp],
  );
  return rows.length > 0;
}

/** From this many rows on, a table without a keyset index gets a warning. */
export const ADVISE_INDEX_FROM_ROWS = 10_000;

/** Whether the table holds at least `n` rows, reading no more than that. */
async function atLeastRows(conn: Conn, dialect: Dialect, table: string, n: number): Promise<boolean> {
  const rows = await conn.query(`SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM ${quoteIdent(table, dialect)} LIMIT ${n}) AS probe`, []);
  return Number(rows[0]?.n ?? 0) >= n;
}

/** The connection lifecycle every SQL-polling source shares. */
export abstract class SqlSource {
  protected conn: Conn | undefined;

  async close(): Promise<void> {
    await this.conn?.close();
    this.conn = undefined;
  }

  protected must(): Conn {
    if (!this.conn) throw new Error('source not opened');
    return this.conn;
  }
}

type RowNames = Pick<QuerySourceConfig, 'name' | 'timestamp' | 'id'>;

/**
 * A row of a keyset page. Its offset and position are spelled out only when asked for: the engine takes
 * the offset of a batch's last row, and the position only goes into dead letters and errors, so the
 * other rows of a page never build either (an object and a string per row, a few per cent of a catch-up).
 */
class QueryRow implements SourceRow {
  private at: SourceOffset | undefined;

  constructor(
    readonly columns: Record<string, unknown>,
    readonly tombstone: boolean,
    private readonly cfg: RowNames,
    at?: SourceOffset,
  ) {
    this.at = at;
  }

  get offset(): SourceOffset {
    const ts = this.columns[this.cfg.timestamp];
    this.at ??= { v: 1, kind: 'query', ts: ts === null || ts === undefined ? null : String(ts), id: String(this.columns[this.cfg.id]), snapshotDone: false };
    return this.at;
  }

  get position(): string {
    return describePosition(this.cfg.name, this.columns[this.cfg.timestamp], this.columns[this.cfg.id]);
  }
}

export class QuerySource extends SqlSource implements Source {
  private dialect: Dialect;
  private indexChecked = false;
  private mysqlHorizon: MysqlHorizon | undefined;
  /**
   * lookback only: the `ts|id` of rows published within the window, so a re-read publishes only rows it
   * has not seen. Rows of the batch in flight are `pending` until the next read (the engine reads again
   * only after acknowledging) and forgotten on rewind, so a failed send is retried, not lost.
   */
  private readonly windowSeen = new Set<string>();
  private pending: string[] = [];
  /** what a row needs to spell out its offset and position (not the config: it holds the connection's credentials) */
  private readonly names: RowNames;
  /** the bound of the last read, when its page came back full (PostgreSQL: reused while pages stay full) */
  private lastFull: { bound: string; oldestOpen: string | null; at: number } | undefined;
  /** the engine reads ahead only from sources without rewind: a lookback source must not be read ahead */
  rewind?: () => void;

  constructor(private readonly cfg: QuerySourceConfig) {
    super();
    this.names = { name: cfg.name, timestamp: cfg.timestamp, id: cfg.id };
    this.dialect = dialectOf(cfg.connection);
    if (cfg.lookbackMs) {
      this.rewind = () => {
        for (const k of this.pending) this.windowSeen.delete(k);
        this.pending = [];
      };
    }
  }

  describe(): string {
    return `${this.dialect} ${this.cfg.table ?? 'query'} on ${redact(this.cfg.connection)}`;
  }

  async open(): Promise<void> {
    this.conn = (await connect(this.cfg.connection, this.cfg.seed ? { seed: this.cfg.seed } : {})).conn;
    if (this.dialect === 'postgres' && !/^pglite:/i.test(this.cfg.connection)) await this.checkCanSeeTransactions();
    if (this.dialect === 'mysql') {
      this.mysqlHorizon = new MysqlHorizon(this.must(), this.cfg.delayMs, this.cfg.name);
      try {
        await this.mysqlHorizon.check();
        // the first bound has no previous call to lean on: take one now
        await this.mysqlHorizon.next();
      } catch (e) {
        await this.close();
        throw e;
      }
    }
  }

  /**
   * PostgreSQL hides `xact_start` of other roles' sessions unless the reader is a superuser or a member
   * of pg_read_all_stats; the late-commit bound would then silently ignore the application's open
   * transactions and rows could be skipped. Refuse instead, saying what to grant.
   */
  private async checkCanSeeTransactions(): Promise<void> {
    const [row] = await this.must().query(
      "SELECT current_user AS who, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS ok",
      [],
    );
    const ok = row?.ok === true || row?.ok === 't';
    if (!ok) {
      await this.close();
      throw new SchemactlError(
        'permission',
        `stream ${this.cfg.name}: role ${String(row?.who)} cannot see when other sessions' transactions started, so rows committed late by a long transaction could be skipped. ` +
          `Run: GRANT pg_read_all_stats TO ${String(row?.who)};`,
        { exitCode: EXIT.USAGE, retriable: false },
      );
    }
  }

  /**
   * Seconds between the newest row's timestamp and the committed one (0 when caught up): how far the
   * stream trails the table, not how long ago the table last changed.
   */
  async lag(committed: SourceOffset | null): Promise<SourceLag | null> {
    const d = this.dialect;
    const ts = `src.${quoteIdent(this.cfg.timestamp, d)}`;
    const rel = relation(this.cfg, d);
    const from = committed?.kind === 'query' && committed.ts !== null ? committed.ts : null;
    const sql = d === 'postgres'
      ? `SELECT EXTRACT(EPOCH FROM (max(${ts}) - ${from === null ? `min(${ts})` : `$1::timestamptz`}))::float8 AS s FROM ${rel} AS src`
      : `SELECT TIMESTAMPDIFF(MICROSECOND, ${from === null ? `min(${ts})` : 'CAST(? AS DATETIME(6))'}, max(${ts})) / 1000000 AS s FROM ${rel} AS src`;
    const [row] = await this.must().query(sql, from === null ? [] : [from]);
    if (row?.s === null || row?.s === undefined) return { kind: 'seconds', value: 0 };
    return { kind: 'seconds', value: Math.max(0, Number(row.s)) };
  }

  /** The exclusive upper bound for timestamps that is safe to read now, in the database's text form. */
  horizon(): Promise<{ bound: string; oldestOpen: string | null }> {
    if (this.mysqlHorizon) return this.mysqlHorizon.next();
    return horizon(this.must(), this.dialect, this.cfg.delayMs);
  }

  async read(offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    const rows: SourceRow[] = [];
    const b = await this.readEach(offset, max, { row: (r) => rows.push(r), restart: () => { rows.length = 0; } });
    return { rows, ...b };
  }

  async readEach(offset: SourceOffset | null, max: number, to: RowConsumer): Promise<Omit<SourceBatch, 'rows'>> {
    const conn = this.must();
    if (offset && offset.kind !== 'query') throw new Error(`stored offset is a ${offset.kind} offset, not a query offset`);
    const toRow = (r: Record<string, unknown>, at?: SourceOffset): SourceRow => {
      if (r[this.cfg.id] === undefined) throw new Error(`the source has no column '${this.cfg.id}' (the tie-breaker id)`);
      const sd = this.cfg.softDelete ? r[this.cfg.softDelete] : null;
      // a row found behind the checkpoint by the lookback re-read keeps the checkpoint where it is
      return new QueryRow(r, sd !== null && sd !== undefined, this.names, at);
    };
    // With a lookback window the late rows come first, and they are known only after the page is read:
    // the page is collected. Otherwise each row goes to `to` as it arrives.
    const held: SourceRow[] | undefined = this.cfg.lookbackMs ? [] : undefined;
    const target: RowConsumer = held ? { row: (r) => held.push(r), restart: () => { held.length = 0; } } : to;
    // A bound only ever grows (a transaction that starts later writes later timestamps), so an earlier one
    // is still safe, only more cautious. While pages come back full it is not what limits the read: a
    // catch-up reuses it for up to a second (PostgreSQL, whose bound is one stateless query) instead of
    // asking again for every page. A page that comes back short under a reused bound is read again
    // under a fresh one, so `caughtUp` means caught up with the present bound.
    const reuse = this.dialect === 'postgres' && this.lastFull !== undefined && performance.now() - this.lastFull.at < BOUND_REUSE_MS ? this.lastFull : undefined;
    let h = reuse ?? { ...(await this.horizon()), at: performance.now() };
    let n = await this.page(offset, max, h.bound, (r) => target.row(toRow(r)));
    if (reuse && n < max) {
      target.restart();
      h = { ...(await this.horizon()), at: performance.now() };
      n = await this.page(offset, max, h.bound, (r) => target.row(toRow(r)));
    }
    this.lastFull = n >= max ? h : undefined;
    const { bound, oldestOpen } = h;
    const d = this.dialect;
    const info: Record<string, string | number | null> = { bound, oldestOpenTransaction: oldestOpen };
    if (held) {
      const late = offset && offset.ts !== null && offset.id !== null ? await this.lookback(offset as SourceOffset & { kind: 'query'; ts: string; id: string }, max) : [];
      for (const r of held) this.see(r.columns);
      if (late.length) info.late = late.length;
      for (const r of late) to.row(toRow(r, offset!));
      for (const r of held) to.row(r);
    }
    if (!this.indexChecked && this.cfg.table) {
      // once per run, and never a reason to fail the read: only advice for the operator
      this.indexChecked = true;
      // a small table (the quick start's demo, a lookup table) is scanned in no time: no advice
      const indexed = await hasKeysetIndex(conn, d, this.cfg.table, this.cfg.timestamp).catch(() => true);
      const large = indexed ? false : await atLeastRows(conn, d, this.cfg.table, ADVISE_INDEX_FROM_ROWS).catch(() => false);
      if (large) {
        info.warning = `${this.cfg.table} has no index leading with ${this.cfg.timestamp}: every page scans and sorts the whole table. ` +
          `Create one: CREATE INDEX ON ${quoteIdent(this.cfg.table, d)} (${quoteIdent(this.cfg.timestamp, d)}, ${quoteIdent(this.cfg.id, d)})`;
      }
    }
    return { caughtUp: n < max, info };
  }

  /** One keyset page: rows after `offset` and below `bound`, in (timestamp, id) order. */
  private page(offset: SourceOffset | null, max: number, bound: string, row: (r: Record<string, unknown>) => void): Promise<number> {
    const d = this.dialect;
    const ts = `src.${quoteIdent(this.cfg.timestamp, d)}`;
    const id = `src.${quoteIdent(this.cfg.id, d)}`;
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return d === 'postgres' ? `$${params.length}` : '?';
    };
    const where = [`${ts} < ${p(bound)}`];
    if (offset && offset.kind === 'query' && offset.ts !== null && offset.id !== null) {
      if (d === 'postgres') where.push(`(${ts}, ${id}) > (${p(offset.ts)}, ${p(offset.id)})`);
      else where.push(`(${ts} > ${p(offset.ts)} OR (${ts} = ${p(offset.ts)} AND ${id} > ${p(offset.id)}))`);
    }
    const sql = `SELECT * FROM ${relation(this.cfg, d)} AS src WHERE ${where.join(' AND ')} ORDER BY ${ts}, ${id} LIMIT ${Math.max(1, Math.floor(max))}`;
    const conn = this.must();
    return conn.each ? conn.each(sql, params, row) : eachOf(conn, sql, params, row);
  }

  private keyOf(r: Record<string, unknown>): string {
    return `${String(r[this.cfg.timestamp])}|${String(r[this.cfg.id])}`;
  }

  private see(r: Record<string, unknown>): void {
    const k = this.keyOf(r);
    this.windowSeen.add(k);
    this.pending.push(k);
  }

  /**
   * The rows within `lookbackMs` behind the checkpoint that were not published yet: committed after the
   * keyset walk passed their timestamp. Called at the start of a read, when the engine has acknowledged
   * the previous batch, so what that batch published is no longer pending. The window is read in keyset
   * pages of `max` rows and at most `max` late rows are returned, so a busy table never loads the whole
   * window into memory; late rows left over are still unseen, so the next read returns them.
   */
  private async lookback(offset: { ts: string; id: string }, max: number): Promise<Array<Record<string, unknown>>> {
    this.pending = [];
    const d = this.dialect;
    const ts = `src.${quoteIdent(this.cfg.timestamp, d)}`;
    const id = `src.${quoteIdent(this.cfg.id, d)}`;
    const windowUs = Math.round(this.cfg.lookbackMs! * 1000);
    const page = Math.max(1, Math.floor(max));
    const seen = new Set(this.windowSeen);
    this.windowSeen.clear();
    const visited = new Set<string>();
    const late: Array<Record<string, unknown>> = [];
    let after: { ts: unknown; id: unknown } | null = null;
    for (;;) {
      const params: unknown[] = [];
      const p = (v: unknown) => {
        params.push(v);
        return d === 'postgres' ? `$${params.length}` : '?';
      };
      const where = d === 'postgres'
        ? [`${ts} >= ${p(offset.ts)}::timestamptz - make_interval(secs => ${p(windowUs)}::double precision / 1000000)`, `(${ts}, ${id}) <= (${p(offset.ts)}, ${p(offset.id)})`]
        : [`${ts} >= CAST(${p(offset.ts)} AS DATETIME(6)) - INTERVAL ${p(windowUs)} MICROSECOND`, `(${ts} < ${p(offset.ts)} OR (${ts} = ${p(offset.ts)} AND ${id} <= ${p(offset.id)}))`];
      if (after) {
        if (d === 'postgres') where.push(`(${ts}, ${id}) > (${p(after.ts)}, ${p(after.id)})`);
        else where.push(`(${ts} > ${p(after.ts)} OR (${ts} = ${p(after.ts)} AND ${id} > ${p(after.id)}))`);
      }
      const rows = await this.must().query(`SELECT * FROM ${relation(this.cfg, d)} AS src WHERE ${where.join(' AND ')} ORDER BY ${ts}, ${id} LIMIT ${page}`, params);
      for (const r of rows) {
        const k = this.keyOf(r);
        visited.add(k);
        // what is in the window now is all that needs remembering: older keys fell out of it
        if (seen.has(k)) this.windowSeen.add(k);
        else if (late.length < page) {
          late.push(r);
          this.see(r);
        }
      }
      const last = rows[rows.length - 1];
      if (rows.length < page || !last || late.length >= page) {
        // stopped early: keys further on in the window were not visited and stay remembered
        if (rows.length === page && late.length >= page) for (const k of seen) if (!visited.has(k)) this.windowSeen.add(k);
        return late;
      }
      after = { ts: last[this.cfg.timestamp], id: last[this.cfg.id] };
    }
  }

  /** Rows whose timestamp is NULL can never be reached by the keyset walk: count them so we can say so. */
  async countUnreachable(): Promise<number> {
    const d = this.dialect;
    const rows = await this.must().query(`SELECT COUNT(*) AS n FROM ${relation(this.cfg, d)} AS src WHERE src.${quoteIdent(this.cfg.timestamp, d)} IS NULL`, []);
    return Number(rows[0]?.n ?? 0);
  }
}
