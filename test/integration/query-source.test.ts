// The query source against the machine's real PostgreSQL and MariaDB: keyset paging with equal
// timestamps, exact cursor values, and no loss when a long transaction commits late.
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxSource } from '../../src/liberation/sources/outbox.js';
import { connect, QuerySource, type Conn } from '../../src/liberation/sources/query.js';
import type { SourceOffset, SourceRow } from '../../src/liberation/types.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const MY_URL = process.env.SCHEMACTL_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';
const table = `qs_${process.pid}_${Date.now() % 100000}`;

async function drain(src: QuerySource, from: SourceOffset | null, batch: number): Promise<{ rows: SourceRow[]; offset: SourceOffset | null }> {
  let offset = from;
  const rows: SourceRow[] = [];
  for (;;) {
    const b = await src.read(offset, batch);
    rows.push(...b.rows);
    if (b.rows.length) offset = b.rows[b.rows.length - 1]!.offset;
    if (b.caughtUp) return { rows, offset };
  }
}

describe('query source on PostgreSQL', () => {
  const admin = new pg.Client({ connectionString: PG_URL });
  const cfg = { connection: PG_URL, table, timestamp: 'updated_at', id: 'id', delayMs: 0, name: table, softDelete: 'deleted_at' };
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, note text, updated_at timestamptz NOT NULL DEFAULT now(), deleted_at timestamptz)`);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it('pages through equal timestamps with the (ts, id) keyset and keeps microseconds and int8 exact', async () => {
    await admin.query(`INSERT INTO ${table} (id, note, updated_at) SELECT g, 'n' || g, '2024-01-01 00:00:00.123456+00' FROM generate_series(1, 25) g`);
    await admin.query(`INSERT INTO ${table} (id, note, updated_at) VALUES (9007199254740993, 'big', '2024-01-01 00:00:00.123457+00')`);
    const src = new QuerySource(cfg);
    await src.open();
    const { rows, offset } = await drain(src, null, 7);
    await src.close();
    expect(rows.map((r) => r.columns.id)).toEqual([...Array.from({ length: 25 }, (_, i) => String(i + 1)), '9007199254740993']);
    expect(offset).toMatchObject({ kind: 'query', ts: '2024-01-01 00:00:00.123457+00', id: '9007199254740993' });
  });

  it('loses nothing when a long transaction commits after later rows were published', async () => {
    const src = new QuerySource(cfg);
    await src.open();
    let { offset } = await drain(src, null, 100);
    const slow = new pg.Client({ connectionString: PG_URL });
    await slow.connect();
    await slow.query('BEGIN');
    await slow.query(`INSERT INTO ${table} (id, note) VALUES (100, 'slow')`); // updated_at = transaction start
    await new Promise((r) => setTimeout(r, 50));
    await admin.query(`INSERT INTO ${table} (id, note) VALUES (101, 'fast')`); // later timestamp, committed first
    const mid = await drain(src, offset, 100);
    // the fast row must wait: the slow transaction may still commit an older timestamp
    expect(mid.rows.map((r) => r.columns.id)).not.toContain('101');
    offset = mid.offset ?? offset;
    await slow.query('COMMIT');
    await slow.end();
    const after = await drain(src, offset, 100);
    await src.close();
    expect(after.rows.map((r) => r.columns.id)).toEqual(['100', '101']);
  });

  it('refuses a role that cannot see other sessions\' transaction starts, naming the grant', async () => {
    const role = `qs_reader_${process.pid}`;
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.query(`CREATE ROLE ${role} LOGIN; GRANT SELECT ON ${table} TO ${role}`);
    try {
      const url = PG_URL.replace('postgres://postgres@', `postgres://${role}@`);
      const src = new QuerySource({ ...cfg, connection: url });
      await expect(src.open()).rejects.toThrow(new RegExp(`GRANT pg_read_all_stats TO ${role}`));
      await admin.query(`GRANT pg_read_all_stats TO ${role}`);
      const ok = new QuerySource({ ...cfg, connection: url });
      await ok.open();
      await ok.close();
    } finally {
      await admin.query(`REVOKE ALL ON ${table} FROM ${role}; DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('outbox reads page on while nothing is acknowledged (a dry run sees every row), and restart from the top once acknowledged', async () => {
    const outbox = `${table}_ob`;
    await admin.query(`CREATE TABLE ${outbox} (id bigint PRIMARY KEY, aggregatetype text, aggregateid text, type text, payload text, timestamp timestamptz NOT NULL)`);
    try {
      await admin.query(`INSERT INTO ${outbox} SELECT g, 'order', 'o' || g, 'T', '{}', '2024-01-01'::timestamptz + (g % 2) * interval '1 day' FROM generate_series(1, 4) g`);
      const src = new OutboxSource({
        connection: PG_URL, table: outbox, name: outbox, delayMs: 0, route: 'e.$' + '{routedByValue}', routeBy: 'aggregatetype', onAck: 'delete',
        columns: { id: 'id', aggregateType: 'aggregatetype', aggregateId: 'aggregateid', type: 'type', payload: 'payload', timestamp: 'timestamp' },
      });
      await src.open();
      const seen: string[] = [];
      for (let i = 0; i < 6; i++) seen.push(...(await src.read(null, 1)).rows.map((r) => String(r.columns.id)));
      expect(seen).toEqual(['2', '4', '1', '3']);
      src.rewind();
      const again = await src.read(null, 10);
      expect(again.rows.map((r) => String(r.columns.id))).toEqual(['2', '4', '1', '3']);
      await src.acknowledge(again.rows[3]!.offset);
      expect((await src.read(null, 10)).rows).toEqual([]);
      await src.close();
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${outbox}`);
    }
  });

  it('reads the lookback window in keyset pages: at most a batch of late rows per read, each once, no statement larger than a page', async () => {
    const lt = `${table}_lb`;
    await admin.query(`CREATE TABLE ${lt} (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)`);
    try {
      const src = new QuerySource({ connection: PG_URL, table: lt, timestamp: 'updated_at', id: 'id', delayMs: 0, name: lt, lookbackMs: 3_600_000 });
      await src.open();
      await admin.query(`INSERT INTO ${lt} VALUES (1000, now())`);
      let { offset } = await drain(src, null, 10);
      // 25 rows whose application-assigned timestamps are behind the checkpoint, committed late
      await admin.query(`INSERT INTO ${lt} SELECT g, now() - interval '1 minute' FROM generate_series(1, 25) g`);
      // watch the real connection: the largest result any statement returned
      const conn = (src as unknown as { conn: Conn }).conn;
      const query = conn.query.bind(conn);
      let largest = 0;
      conn.query = async (sql, params) => {
        const r = await query(sql, params);
        largest = Math.max(largest, r.length);
        return r;
      };
      // pages are read through each() (rows handed over as they arrive)
      expect(conn.each).toBeDefined();
      const each = conn.each!.bind(conn);
      conn.each = async (sql, params, row) => {
        const n = await each(sql, params, row);
        largest = Math.max(largest, n);
        return n;
      };
      const got: number[] = [];
      for (let i = 0; i < 5; i++) {
        const b = await src.read(offset, 10);
        expect(b.rows.length).toBeLessThanOrEqual(10);
        got.push(...b.rows.map((r) => Number(r.columns.id)));
        if (b.rows.length) offset = b.rows[b.rows.length - 1]!.offset;
      }
      await src.close();
      expect(largest).toBeLessThanOrEqual(10);
      expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${lt}`);
    }
  });

  it('with a lookback window, late rows come first and the batch ends with the page (its checkpoint moves on)', async () => {
    const lt = `${table}_lbo`;
    await admin.query(`CREATE TABLE ${lt} (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)`);
    try {
      const src = new QuerySource({ connection: PG_URL, table: lt, timestamp: 'updated_at', id: 'id', delayMs: 0, name: lt, lookbackMs: 3_600_000 });
      await src.open();
      try {
        await admin.query(`INSERT INTO ${lt} VALUES (1000, now())`);
        const { offset } = await drain(src, null, 10);
        await admin.query(`INSERT INTO ${lt} SELECT g, now() - interval '1 minute' FROM generate_series(1, 3) g`);
        await admin.query(`INSERT INTO ${lt} VALUES (2000, now()), (2001, now())`);
        const b = await src.read(offset, 10);
        expect(b.rows.map((r) => Number(r.columns.id))).toEqual([1, 2, 3, 2000, 2001]);
        expect(b.rows[b.rows.length - 1]!.offset).toMatchObject({ id: '2001' });
      } finally {
        await src.close();
      }
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${lt}`);
    }
  });

  it('each() hands rows over while the statement still runs, and fails cleanly (a throwing consumer, an error mid-result, query_timeout)', async () => {
    const { conn } = await connect(PG_URL);
    try {
      // three rows large enough to leave the server's output buffer, then a pause before the fourth
      const at: number[] = [];
      const started = performance.now();
      const n = await conn.each!(
        "SELECT g, repeat('x', 200000) AS pad FROM generate_series(1, 3) g UNION ALL SELECT 4, (SELECT '' FROM pg_sleep(0.8))", [],
        () => { at.push(performance.now() - started); },
      );
      expect(n).toBe(4);
      expect(at[3]! - at[0]!).toBeGreaterThan(500);
      // the consumer throws at the second row: the query runs to its end, then fails; the connection is fine
      let seen = 0;
      await expect(conn.each!('SELECT g FROM generate_series(1, 5) g', [], () => { if (++seen === 2) throw new Error('consumer failed'); })).rejects.toThrow(/consumer failed/);
      expect(seen).toBe(2);
      // division by zero at the third row, after two rows were handed over
      const before: unknown[] = [];
      await expect(conn.each!('SELECT 1 / (3 - g) AS x FROM generate_series(1, 5) g', [], (r) => { before.push(r.x); })).rejects.toThrow(/division by zero/);
      expect(await conn.query('SELECT 1 AS one', [])).toEqual([{ one: '1' }]);
    } finally {
      await conn.close();
    }
    // pg reports its query_timeout to a query's callback only: each() must fail, not wait for ever
    const { conn: timed } = await connect(`${PG_URL}${PG_URL.includes('?') ? '&' : '?'}query_timeout=300`);
    try {
      const t0 = performance.now();
      await expect(timed.each!('SELECT g FROM generate_series(1, 3) g, (SELECT pg_sleep(1.5)) s', [], () => {})).rejects.toThrow(/timeout/i);
      expect(performance.now() - t0).toBeLessThan(1400);
    } finally {
      await timed.close();
      // the statement still sleeps on the server (the timeout is the client's): end it, or its open
      // transaction would hold back the late-commit bound of the tests after this one
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(1.5)%' AND pid <> pg_backend_pid()");
    }
  });

  it('a session terminated during each() fails that read (retriable), and the next one runs on a new connection', async () => {
    const { conn } = await connect(PG_URL);
    try {
      const pidOf = async () => String((await conn.query('SELECT pg_backend_pid() AS pid', []))[0]!.pid);
      const pid = await pidOf();
      setTimeout(() => { void admin.query(`SELECT pg_terminate_backend(${pid})`); }, 300);
      const t0 = performance.now();
      const err = await conn.each!("SELECT g, CASE WHEN g = 2 THEN pg_sleep(5)::text ELSE repeat('x', 200000) END AS s FROM generate_series(1, 3) g", [], () => {})
        .then(() => undefined, (e: unknown) => e as Error & { retriable?: boolean });
      expect(err, 'each() settled').toBeInstanceOf(Error);
      expect(err!.retriable).not.toBe(false);
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(await conn.each!('SELECT g FROM generate_series(1, 3) g', [], () => {})).toBe(3);
      expect(await pidOf()).not.toBe(pid);
    } finally {
      await conn.close();
    }
  });

  it('readEach hands rows over as they arrive; a short page under a reused bound is restarted and handed over whole under a fresh one', async () => {
    const own = `${table}_each`;
    // the second read must come within the second a full page's bound is reused for (BOUND_REUSE_MS):
    // on a machine too slow for that, the attempt is made again
    const attempt = async (): Promise<{ events: string[]; first: boolean; second: boolean } | undefined> => {
      await admin.query(`DROP TABLE IF EXISTS ${own}`);
      await admin.query(`CREATE TABLE ${own} (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)`);
      await admin.query(`INSERT INTO ${own} SELECT g, now() - interval '10 seconds' + g * interval '1 millisecond' FROM generate_series(1, 10) g`);
      const [fifth] = (await admin.query(`SELECT updated_at::text AS ts FROM ${own} WHERE id = 5`)).rows as Array<{ ts: string }>;
      const src = new QuerySource({ connection: PG_URL, table: own, timestamp: 'updated_at', id: 'id', delayMs: 0, name: own });
      await src.open();
      try {
        const events: string[] = [];
        const to = { row: (r: SourceRow) => { events.push(String(r.columns.id)); }, restart: () => { events.push('restart'); } };
        // a full page: its bound is reused by the next read
        const t0 = performance.now();
        const first = await src.readEach(null, 5, to);
        // committed after that bound: the reused bound does not reach them, the page comes back short
        await admin.query(`INSERT INTO ${own} VALUES (11, now()), (12, now())`);
        if (performance.now() - t0 > 800) return undefined;
        const second = await src.readEach({ v: 1, kind: 'query', ts: fifth!.ts, id: '5', snapshotDone: false }, 10, to);
        return { events, first: first.caughtUp, second: second.caughtUp };
      } finally {
        await src.close();
      }
    };
    try {
      let got: Awaited<ReturnType<typeof attempt>>;
      for (let i = 0; i < 3 && !got; i++) got = await attempt();
      expect(got, 'three attempts, none with its two reads within 0.8 s').toBeDefined();
      // rows 1–5; then 6–10 under the old bound, forgotten, and the whole page again under a fresh bound
      expect(got!.events).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'restart', '6', '7', '8', '9', '10', '11', '12']);
      expect([got!.first, got!.second]).toEqual([false, true]);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${own}`);
    }
  });

  it('marks soft-deleted rows as tombstones', async () => {
    await admin.query(`UPDATE ${table} SET deleted_at = now(), updated_at = now() WHERE id = 100`);
    const src = new QuerySource(cfg);
    await src.open();
    const { rows } = await drain(src, { v: 1, kind: 'query', ts: '2024-01-02 00:00:00+00', id: '0', snapshotDone: false }, 100);
    await src.close();
    const r = rows.find((x) => x.columns.id === '100');
    expect(r?.tombstone).toBe(true);
  });
});

describe('query source on MariaDB', () => {
  let admin: mysql.Connection;
  const cfg = { connection: MY_URL, table, timestamp: 'updated_at', id: 'id', delayMs: 0, name: table };
  beforeAll(async () => {
    admin = await mysql.createConnection({ uri: MY_URL });
    await admin.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, note TEXT, updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))`);
  });
  afterAll(async () => {
    await admin.query(`DROP TABLE IF EXISTS ${table}`);
    await admin.end();
  });

  it('each() hands rows over while the statement still runs, and fails cleanly (a throwing consumer, an error mid-result)', async () => {
    const { conn } = await connect(MY_URL);
    try {
      // three rows large enough to leave the server's network buffer, then a pause before the fourth
      const at: number[] = [];
      const started = performance.now();
      const n = await conn.each!("SELECT seq, IF(seq = 4, SLEEP(0.8), REPEAT('x', 200000)) AS pad FROM seq_1_to_4", [], () => { at.push(performance.now() - started); });
      expect(n).toBe(4);
      expect(at[3]! - at[0]!).toBeGreaterThan(500);
      let seen = 0;
      await expect(conn.each!('SELECT seq FROM seq_1_to_5', [], () => { if (++seen === 2) throw new Error('consumer failed'); })).rejects.toThrow(/consumer failed/);
      expect(seen).toBe(2);
      // the third row's subquery returns two rows: an error after two rows were handed over
      const before: unknown[] = [];
      await expect(conn.each!('SELECT seq, IF(seq = 3, (SELECT 1 UNION SELECT 2), seq) AS x FROM seq_1_to_5', [], (r) => { before.push(r.x); })).rejects.toThrow(/more than 1 row/);
      expect(await conn.query('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
    } finally {
      await conn.close();
    }
  });

  it('a connection killed during each() or query() fails that read (retriable), and the next one runs on a new connection', async () => {
    const { conn } = await connect(MY_URL);
    try {
      const idOf = async () => String((await conn.query('SELECT CONNECTION_ID() AS id', []))[0]!.id);
      const killSoon = (id: string) => setTimeout(() => { void admin.query(`KILL CONNECTION ${id}`); }, 300);
      // mid-result: one row (large enough to leave the server's buffer) handed over, then the statement
      // sleeps and its connection is killed
      let id = await idOf();
      killSoon(id);
      const t0 = performance.now();
      const rows: unknown[] = [];
      const err = await conn.each!("SELECT seq, IF(seq = 2, SLEEP(5), REPEAT('x', 200000)) AS s FROM seq_1_to_3", [], (r) => { rows.push(r.seq); }).then(() => undefined, (e: unknown) => e as Error & { retriable?: boolean });
      expect(err, 'each() settled').toBeInstanceOf(Error);
      expect(err!.retriable).not.toBe(false);
      expect(performance.now() - t0).toBeLessThan(3000);
      expect(rows).toEqual(['1']);
      // the next read reconnects
      const again: unknown[] = [];
      expect(await conn.each!('SELECT seq FROM seq_1_to_3', [], (r) => { again.push(r.seq); })).toBe(3);
      expect(again).toEqual(['1', '2', '3']);
      // the same for query(): killed while it runs, then a new connection
      const id2 = await idOf();
      expect(id2).not.toBe(id);
      id = id2;
      killSoon(id);
      await expect(conn.query('SELECT SLEEP(5)', [])).rejects.toThrow();
      expect(await idOf()).not.toBe(id);
    } finally {
      await conn.close();
    }
  });

  it('pages through equal timestamps and keeps microseconds', async () => {
    const values = Array.from({ length: 25 }, (_, i) => `(${i + 1}, 'n', '2024-01-01 00:00:00.123456')`).join(',');
    await admin.query(`INSERT INTO ${table} (id, note, updated_at) VALUES ${values}, (9007199254740993, 'big', '2024-01-01 00:00:00.123457')`);
    const src = new QuerySource(cfg);
    await src.open();
    await new Promise((r) => setTimeout(r, 1000));
    const { rows, offset } = await drain(src, null, 7);
    await src.close();
    expect(rows).toHaveLength(26);
    expect(rows.map((r) => String(r.columns.id)).at(-1)).toBe('9007199254740993');
    expect(offset).toMatchObject({ ts: '2024-01-01 00:00:00.123457', id: '9007199254740993' });
  });

  it('holds back rows while an older transaction is open', async () => {
    const src = new QuerySource(cfg);
    await src.open();
    let { offset } = await drain(src, null, 100);
    const slow = await mysql.createConnection({ uri: MY_URL });
    await slow.query('START TRANSACTION');
    await slow.query(`INSERT INTO ${table} (id, note, updated_at) VALUES (100, 'slow', NOW(6) - INTERVAL 1 SECOND)`);
    await new Promise((r) => setTimeout(r, 1100));
    await admin.query(`INSERT INTO ${table} (id, note) VALUES (101, 'fast')`);
    const mid = await drain(src, offset, 100);
    expect(mid.rows.map((r) => String(r.columns.id))).not.toContain('101');
    offset = mid.offset ?? offset;
    await slow.query('COMMIT');
    await slow.end();
    // the server's transaction list is cached for up to 100 ms and we stay 1 s behind its clock
    const seen: string[] = [];
    for (let i = 0; i < 30 && seen.length < 2; i++) {
      const b = await drain(src, offset, 100);
      seen.push(...b.rows.map((r) => String(r.columns.id)));
      offset = b.offset ?? offset;
      if (seen.length < 2) await new Promise((r) => setTimeout(r, 200));
    }
    await src.close();
    expect(seen).toEqual(['100', '101']);
  });

  it('a fresh start holds back a transaction whose first statement waited before it touched InnoDB', async () => {
    // INNODB_TRX.trx_started is when the statement first touched InnoDB, in whole seconds; the row's
    // NOW(6) is the statement's start. Started at .75 s and waiting 0.3 s first, the transaction shows
    // as started at the next whole second, after its own row's timestamp. A publisher started after
    // that statement ended has no earlier sight of it.
    const t = `${table}_fs`;
    await admin.query(`CREATE TABLE ${t} (id BIGINT PRIMARY KEY, updated_at DATETIME(6) NOT NULL)`);
    const slow = await mysql.createConnection({ uri: MY_URL });
    try {
      for (;;) {
        const [[r]] = (await admin.query('SELECT MICROSECOND(NOW(6)) AS us')) as unknown as [[{ us: number }]];
        const us = Number(r.us);
        if (us >= 740_000 && us < 800_000) break;
        await new Promise((res) => setTimeout(res, Math.max(1, Math.floor(((1_745_000 - us) % 1_000_000) / 1000))));
      }
      await slow.query('START TRANSACTION');
      await slow.query(`INSERT INTO ${t} SELECT 1, NOW(6) FROM (SELECT SLEEP(0.3) AS z) s`);
      const [[row]] = (await slow.query(`SELECT DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') AS ts FROM ${t}`)) as unknown as [[{ ts: string }]];
      await new Promise((res) => setTimeout(res, 300));
      const src = new QuerySource({ ...cfg, table: t, name: t });
      await src.open();
      await new Promise((res) => setTimeout(res, 250));
      const b = await src.read(null, 100);
      const bound = String(b.info?.bound);
      await src.close();
      expect(bound <= row.ts, `bound ${bound} passed the open transaction's row at ${row.ts}`).toBe(true);
    } finally {
      await slow.query('ROLLBACK').catch(() => {});
      await slow.end();
      await admin.query(`DROP TABLE IF EXISTS ${t}`);
    }
  });

  it('outbox rows with BINARY(16) ids are acknowledged (deleted) after the send', async () => {
    const outbox = `${table}_ob`;
    await admin.query(`CREATE TABLE ${outbox} (id BINARY(16) PRIMARY KEY, aggregatetype VARCHAR(50), aggregateid VARCHAR(50), type VARCHAR(50), payload TEXT, timestamp DATETIME(6) NOT NULL)`);
    try {
      await admin.query(`INSERT INTO ${outbox} VALUES (UNHEX('00112233445566778899aabbccddeeff'), 'order', 'o1', 'T', '{}', '2024-01-01'), (UNHEX('ff112233445566778899aabbccddee00'), 'order', 'o2', 'T', '{}', '2024-01-02')`);
      const src = new OutboxSource({
        connection: MY_URL, table: outbox, name: outbox, delayMs: 0, route: 'e.$' + '{routedByValue}', routeBy: 'aggregatetype', onAck: 'delete',
        columns: { id: 'id', aggregateType: 'aggregatetype', aggregateId: 'aggregateid', type: 'type', payload: 'payload', timestamp: 'timestamp' },
      });
      await src.open();
      const b = await src.read(null, 10);
      expect(b.rows.map((r) => r.headers?.id)).toEqual(['00112233445566778899aabbccddeeff', 'ff112233445566778899aabbccddee00']);
      await src.acknowledge(b.rows[1]!.offset);
      await src.close();
      const [rows] = await admin.query(`SELECT COUNT(*) AS n FROM ${outbox}`);
      expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(0);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${outbox}`);
    }
  });
});
