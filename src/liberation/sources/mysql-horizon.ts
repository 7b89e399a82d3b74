// The late-commit bound of the query pattern on MySQL/MariaDB.
//
// A row's NOW(6)/CURRENT_TIMESTAMP(6) is the start of the statement that wrote it, and InnoDB lists a
// transaction (information_schema.INNODB_TRX) only once a statement touched an InnoDB table. A
// statement that first waits — SLEEP, a row or metadata lock, a slow SELECT feeding an INSERT — writes a
// timestamp from before its transaction appears there. So the bound is the minimum of:
//  - the start of every running statement of another session (PROCESSLIST: NOW(6) − TIME_MS on MariaDB,
//    whole seconds of TIME plus one on MySQL), which covers statements still running;
//  - for each open InnoDB transaction, the earliest statement start seen for its session since the
//    previous call, or the previous call's time when first seen (see below), and its trx_started — one
//    second earlier for a transaction that may have started before the first call, when no call saw
//    the wait its first statement may have spent before trx_started;
//  - the previous call's time: a statement that started after it and finished before this call's
//    PROCESSLIST read may have left an open transaction that INNODB_TRX, a cache refreshed at most
//    every 100 ms, does not show yet; its timestamp is not older than the previous call;
//  - the database clock minus delay_ms.
// A statement running at the previous call and finished since is remembered for its session, so an
// explicit transaction it left open keeps the bound at that statement's start until it ends.
// Everything is read from the database's own clock and lowered by a small margin for clock slew.
import type { Conn } from './query.js';
import { SchemactlError, EXIT } from '../../errors.js';

/** Lowered from every bound: the monotonic clock behind TIME_MS and the wall clock behind NOW(6) may drift apart a little. */
const SKEW_US = 100_000;
/** How long a statement seen running is remembered after it is no longer seen (the INNODB_TRX cache lags 100 ms). */
const REMEMBER_US = 1_000_000;
/**
 * Without a previous call (a fresh start) the bound stays this far behind the clock, and a transaction
 * already open then this far behind its trx_started.
 */
const FIRST_CALL_US = 1_000_000;

/** Sessions whose "running statement" is not a statement: idle, server daemons, replication I/O. */
const NOT_STATEMENTS = ['Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Slave_IO', 'Slave_SQL', 'Slave_worker', 'Register Slave'];

export interface MysqlBound {
  /** exclusive upper bound for timestamps, `YYYY-MM-DD HH:MM:SS.ffffff` in UTC */
  bound: string;
  /** the start of the oldest open transaction or running statement of another session, if any */
  oldestOpen: string | null;
}

/** Microseconds since the epoch → the database's DATETIME(6) text in UTC. */
export function formatUs(us: number): string {
  const whole = Math.floor(us / 1_000_000);
  const iso = new Date(whole * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(us - whole * 1_000_000).padStart(6, '0')}`;
}

export class MysqlHorizon {
  private mariadb: boolean | undefined;
  private prevUs: number | null = null;
  /** the first call's time: a transaction that started before it was never seen at its first statement */
  private firstUs: number | null = null;
  /** trx_id → the bound fixed when the transaction was first seen */
  private readonly trxBound = new Map<string, number>();
  /** statements seen running (by session and statement), their start, and when they were last seen */
  private readonly seen = new Map<string, { id: string; startUs: number; lastSeenUs: number }>();

  constructor(private readonly conn: Conn, private readonly delayMs: number, private readonly stream: string) {}

  /**
   * The bound needs PROCESSLIST and INNODB_TRX of every session: without the PROCESS privilege both
   * silently show only the reader's own session (or refuse), and rows could be skipped. Refuse early,
   * saying what to grant.
   */
  async check(): Promise<void> {
    const [who] = await this.conn.query("SELECT CURRENT_USER() AS who, VERSION() AS version", []);
    this.mariadb = /mariadb/i.test(String(who?.version ?? ''));
    try {
      await this.conn.query('SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX', []);
      const [row] = await this.conn.query(
        "SELECT COUNT(*) AS n FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = 'PROCESS' AND GRANTEE = CONCAT(QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', 1)), '@', QUOTE(SUBSTRING_INDEX(CURRENT_USER(), '@', -1)))",
        [],
      );
      // granted through a role, USER_PRIVILEGES does not list it: INNODB_TRX answering is then the proof
      if (Number(row?.n ?? 0) === 0) await this.conn.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST', []);
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (!/ACCESS_DENIED|ER_SPECIFIC_ACCESS/.test(code)) throw e;
      const w = String(who?.who ?? 'user@%');
      const at = w.lastIndexOf('@');
      const grantee = `'${w.slice(0, at)}'@'${w.slice(at + 1)}'`;
      throw new SchemactlError(
        'permission',
        `stream ${this.stream}: ${grantee} cannot see other sessions' statements and transactions, so rows committed late by a slow statement could be skipped. Run: GRANT PROCESS ON *.* TO ${grantee};`,
        { exitCode: EXIT.USAGE, retriable: false },
      );
    }
  }

  async next(): Promise<MysqlBound> {
    if (this.mariadb === undefined) await this.check();
    const [clock] = await this.conn.query('SELECT CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS INTEGER) AS now_us', []);
    const nowUs = Number(clock!.now_us);
    // elapsed of the running statement, measured after our NOW(6): the start computed from it can only be early
    const elapsed = this.mariadb ? 'FLOOR(TIME_MS * 1000) + 1000' : '(TIME + 1) * 1000000';
    const running = await this.conn.query(
      `SELECT ID AS id, ${this.mariadb ? 'QUERY_ID' : 'NULL'} AS q, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS INTEGER) - (${elapsed}) AS start_us FROM information_schema.PROCESSLIST
        WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN (${NOT_STATEMENTS.map((c) => `'${c}'`).join(', ')})`,
      [],
    );
    // trx_started is printed in the server's system time zone with whole seconds (rounding down only lowers the bound)
    const trx = await this.conn.query(
      `SELECT trx_id AS trx, trx_mysql_thread_id AS id, UNIX_TIMESTAMP(CONVERT_TZ(trx_started, 'SYSTEM', '+00:00')) * 1000000 AS start_us
         FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id <> CONNECTION_ID()`,
      [],
    );
    return this.advance(
      nowUs,
      // MySQL has no statement id there: the start, to the second, tells statements of a session apart
      running.map((r) => ({ id: String(r.id), stmt: r.q === null || r.q === undefined ? String(Math.round(Number(r.start_us) / 1e6)) : String(r.q), startUs: Number(r.start_us) })),
      trx.map((r) => ({ trx: String(r.trx), id: String(r.id), startUs: Number(r.start_us) })),
    );
  }

  /** The bookkeeping, apart from the queries so it can be reasoned about (and tested) on its own. */
  advance(nowUs: number, running: Array<{ id: string; stmt: string; startUs: number }>, trx: Array<{ trx: string; id: string; startUs: number }>): MysqlBound {
    const prev = this.prevUs;
    const first = (this.firstUs ??= nowUs);
    for (const r of running) {
      const key = `${r.id}:${r.stmt}`;
      const s = this.seen.get(key);
      if (!s) this.seen.set(key, { id: r.id, startUs: r.startUs, lastSeenUs: nowUs });
      else {
        s.startUs = Math.min(s.startUs, r.startUs);
        s.lastSeenUs = nowUs;
      }
    }
    const sessionStart = (id: string) => {
      let m = Number.POSITIVE_INFINITY;
      for (const s of this.seen.values()) if (s.id === id) m = Math.min(m, s.startUs);
      return m;
    };
    const live = new Set<string>();
    let oldest = Number.POSITIVE_INFINITY;
    for (const t of trx) {
      live.add(t.trx);
      let b = this.trxBound.get(t.trx);
      if (b === undefined) {
        // first seen: its first statement either ran at the previous call (remembered for the session) or
        // started after it. A transaction that may have started before our first call has no such call
        // to lean on, and trx_started is when its first statement touched InnoDB, after any wait (a
        // SLEEP, a slow SELECT feeding the INSERT), rounded to the second: its rows' NOW(6) can be
        // older. Such a transaction is given the same second as the first read.
        const beforeFirstCall = t.startUs <= first;
        b = Math.min(t.startUs - (beforeFirstCall ? FIRST_CALL_US : 0), prev ?? t.startUs, sessionStart(t.id));
        this.trxBound.set(t.trx, b);
      }
      oldest = Math.min(oldest, b, t.startUs);
    }
    for (const k of [...this.trxBound.keys()]) if (!live.has(k)) this.trxBound.delete(k);
    const forgetBefore = Math.min(prev ?? nowUs, nowUs - REMEMBER_US);
    for (const [key, s] of [...this.seen]) {
      // a statement no longer seen is forgotten once a transaction it left open had time to show (and
      // be given a bound that includes it, above); later statements of a known transaction start after its first
      if (s.lastSeenUs < forgetBefore) this.seen.delete(key);
      else oldest = Math.min(oldest, s.startUs);
    }
    let bound = nowUs - this.delayMs * 1000;
    bound = Math.min(bound, prev ?? nowUs - FIRST_CALL_US, oldest);
    this.prevUs = nowUs;
    return { bound: formatUs(bound - SKEW_US), oldestOpen: Number.isFinite(oldest) ? formatUs(oldest) : null };
  }
}
