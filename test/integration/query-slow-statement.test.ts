// The query pattern's late-commit bound, as users run it: `schemactl publish` (the built binary, default
// settings) on a table of the machine's MariaDB and PostgreSQL while one statement waits before it
// writes (`INSERT … SELECT …, NOW(6) … FROM (SELECT SLEEP(4)) s`), an explicit transaction's first
// statement waits and the transaction stays open, an UPDATE waits for a row lock, and quicker inserts
// commit all along. Every change must reach the topic. Then the lookback window: a timestamp assigned
// by the application that commits after the checkpoint passed it is published only with lookback_ms.
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { oracle, sleep, Supervisor } from '../support/faults.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { buildPublisherCli, MY_URL, PG_URL, runPublisher, tempDir, writeFiles } from '../support/publisher.js';

const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
let broker: SharedKafka;
let registry: ServedRegistry;

beforeAll(async () => {
  const work = tempDir('slow-statement');
  [broker, registry] = await Promise.all([
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]);
}, 240_000);

afterAll(async () => {
  await registry?.close();
  await broker?.stop();
});

const SCHEMA = JSON.stringify({
  type: 'record', name: 'Row', namespace: 'test.slow.v1', doc: 'A row.',
  fields: [
    { name: 'id', type: 'long', doc: 'The key.' },
    { name: 'v', type: 'long', doc: 'Version.' },
    { name: 'note', type: 'string', doc: 'What wrote it.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' },
  ],
});

interface Dialect {
  name: string;
  url: string;
  ts: string;
  now: string;
  sleep(s: number): string;
  exec(sql: string): Promise<Array<Record<string, unknown>>>;
  session(): Promise<{ q(sql: string): Promise<unknown>; end(): Promise<void> }>;
  end(): Promise<void>;
}

async function mariadb(): Promise<Dialect> {
  const pool = mysql.createPool({ uri: MY_URL, connectionLimit: 4 });
  return {
    name: 'mariadb', url: MY_URL, ts: 'DATETIME(6)', now: 'NOW(6)', sleep: (s) => `SLEEP(${s})`,
    exec: async (sql) => (await pool.query(sql))[0] as Array<Record<string, unknown>>,
    session: async () => {
      const c = await mysql.createConnection({ uri: MY_URL });
      return { q: (sql) => c.query(sql), end: () => c.end() };
    },
    end: () => pool.end(),
  };
}

async function postgres(): Promise<Dialect> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  return {
    name: 'postgres', url: PG_URL, ts: 'timestamptz', now: 'now()', sleep: (s) => `pg_sleep(${s})`,
    exec: async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>,
    session: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      return { q: (sql) => c.query(sql), end: () => c.end() };
    },
    end: () => pool.end(),
  };
}

function catalog(dir: string, topic: string, url: string, table: string, extra = ''): void {
  writeFiles(dir, {
    'row.avsc': SCHEMA,
    'schemactl.yaml': `streams:
  - topic: ${topic}
    kind: store
    schema: row.avsc
    key: id
    source:
      connection: ${url}
      table: ${table}
${extra}`,
  });
}

const args = () => ['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'];

async function truth(d: Dialect, table: string): Promise<Map<string, string | null>> {
  const rows = await d.exec(`SELECT id, v FROM ${table}`);
  return new Map(rows.map((r) => [String(r.id), String(r.v)]));
}

describe.each([
  { name: 'MariaDB', make: mariadb },
  { name: 'PostgreSQL', make: postgres },
])('query pattern on $name: statements that wait', ({ make }) => {
  let d: Dialect;
  const tables: string[] = [];
  beforeAll(async () => { d = await make(); });
  afterAll(async () => {
    for (const t of tables) await d.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
    await d.end();
  });

  it('a slow INSERT … SELECT, a waiting first statement of an open transaction and a lock wait: every change delivered', async () => {
    const table = `slow_${d.name}_${sfx}`;
    tables.push(table);
    await d.exec(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(32) NOT NULL, updated_at ${d.ts} NOT NULL)`);
    await d.exec(`CREATE INDEX ${table}_ts ON ${table} (updated_at, id)`);
    await d.exec(`INSERT INTO ${table} VALUES (1, 1, 'seed', ${d.now})`);
    const dir = tempDir(`slow-${d.name}`);
    const topic = `slow-${d.name}-${sfx}`;
    // default settings: no batch_size, poll_interval_ms or delay_ms
    catalog(dir, topic, d.url, table);
    const sup = new Supervisor(args(), dir);
    sup.start();
    await sleep(1500);
    // 1. the statement: its NOW(6) is taken 4 s before it writes
    const slow = d.exec(`INSERT INTO ${table} SELECT 1000, 1, 'slow', ${d.now} FROM (SELECT ${d.sleep(4)} AS z) s`);
    // 2. an explicit transaction whose first statement waits 2 s, then stays open 2 s more
    const trx = (async () => {
      const s = await d.session();
      await s.q('BEGIN');
      await s.q(`INSERT INTO ${table} SELECT 2000, 1, 'trx', ${d.now} FROM (SELECT ${d.sleep(2)} AS z) s`);
      await sleep(2000);
      await s.q('COMMIT');
      await s.end();
    })();
    // 3. a row lock held 3 s; the UPDATE waiting for it takes its timestamp when it starts
    const holder = await d.session();
    await holder.q('BEGIN');
    await holder.q(`UPDATE ${table} SET note = 'held' WHERE id = 1`);
    const waiter = d.exec(`UPDATE ${table} SET v = v + 1, note = 'waited', updated_at = ${d.now} WHERE id = 1`);
    // quicker inserts commit all along, so the keyset walk moves past the slow rows' timestamps
    for (let i = 0; i < 60; i++) {
      await d.exec(`INSERT INTO ${table} VALUES (${10 + i}, 1, 'fast', ${d.now})`);
      if (i === 30) {
        await holder.q('COMMIT');
        await holder.end();
      }
      await sleep(100);
    }
    await Promise.all([slow, trx, waiter]);
    // the running publisher delivers them on its own: the topic is watched until it holds the table
    // (up to 60 s: a loaded machine), never stopped early and finished by a restart
    const expected = await truth(d, table);
    const check = () => oracle({ bootstrap: broker.bootstrap, registryUrl: registry.url, topic, versionField: 'v', truth: expected });
    const until = Date.now() + 60_000;
    let report = await check();
    while ((report.lost.length || report.keys < 63) && Date.now() < until) {
      await sleep(1000);
      report = await check();
    }
    await sup.stop();
    console.log(`${d.name} slow statements: ${report.events} events, ${report.lost.length} lost, ${report.duplicates} duplicates`);
    expect(report.lost).toEqual([]);
    expect(report.keys).toBe(63);
  }, 120_000);

  it('a timestamp the application assigned commits late: skipped without lookback_ms, published with it', async () => {
    for (const lookback of [0, 10_000]) {
      const table = `late_${d.name}_${lookback}_${sfx}`;
      tables.push(table);
      await d.exec(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(32) NOT NULL, updated_at ${d.ts} NOT NULL)`);
      const dir = tempDir(`late-${d.name}`);
      const topic = `late-${d.name}-${lookback}-${sfx}`;
      catalog(dir, topic, d.url, table, lookback ? `      lookback_ms: ${lookback}\n      poll_interval_ms: 200\n` : '      poll_interval_ms: 200\n');
      const sup = new Supervisor(args(), dir);
      sup.start();
      // the application reads its clock, works 3 s, then writes that value in a short transaction
      const t = (await d.exec(`SELECT ${d.now} AS t`))[0]!.t;
      const stamp = t instanceof Date ? t.toISOString() : String(t);
      for (let i = 0; i < 30; i++) {
        await d.exec(`INSERT INTO ${table} VALUES (${10 + i}, 1, 'fast', ${d.now})`);
        await sleep(100);
      }
      // the publisher (started meanwhile) has published rows written after the stamp
      expect(await sup.progressed(1)).toBe(true);
      await sleep(1500);
      await d.exec(`INSERT INTO ${table} VALUES (1, 1, 'late', '${d.name === 'mariadb' ? stamp.replace('T', ' ').replace('Z', '') : stamp}')`);
      await sleep(2500);
      await sup.stop();
      // and a restart re-reads the window: duplicates at most, nothing lost
      const again = await runPublisher([...args(), '--once'], { cwd: dir });
      expect(again.code, again.stderr).toBe(0);
      const report = await oracle({ bootstrap: broker.bootstrap, registryUrl: registry.url, topic, versionField: 'v', truth: await truth(d, table) });
      console.log(`${d.name} late application timestamp, lookback_ms ${lookback}: ${report.events} events, ${report.lost.length} lost, ${report.duplicates} duplicates`);
      if (lookback) expect(report.lost).toEqual([]);
      else expect(report.lost).toEqual(['1: never published (table has version 1)']);
    }
  }, 120_000);
});

describe('query pattern on MariaDB without the PROCESS privilege', () => {
  it('refuses the stream with the exact GRANT instead of running blind', async () => {
    const user = `schemactl_noproc_${sfx}`;
    const table = `noproc_${sfx}`;
    const admin = await mysql.createConnection({ uri: MY_URL });
    try {
      await admin.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(32) NOT NULL, updated_at DATETIME(6) NOT NULL)`);
      await admin.query(`CREATE USER '${user}'@'%'`);
      await admin.query(`GRANT SELECT ON test.* TO '${user}'@'%'`);
      const dir = tempDir('noproc');
      const url = MY_URL.replace('root@', `${user}@`);
      catalog(dir, `noproc-${sfx}`, url, table);
      // the file sink: no broker needed to reach the source
      const r = await runPublisher(['--once'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stdout + r.stderr).toContain(`GRANT PROCESS ON *.* TO '${user}'@'%';`);
    } finally {
      await admin.query(`DROP USER IF EXISTS '${user}'@'%'`).catch(() => {});
      await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
      await admin.end();
    }
  }, 60_000);
});
