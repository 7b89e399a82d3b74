// The fault-injection suite: seeded runs of the built `schemactl publish` binary (continuous mode, as
// operators run it) against throwaway database servers and a real broker, while a seeded workload
// writes with slow statements, lock waits and long transactions, and the publisher is SIGKILLed, the
// broker killed and restarted, the database crashed and restarted. After each run the oracle
// (test/support/faults.ts) replays the topic with the kafkajs registry decoder and compares it with the
// table. A failing run prints its seed; SCHEMACTL_FAULT_SEED=<n> replays it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { oracle, planFaults, runFaults, seeded, sleep, Supervisor, type Truth } from '../support/faults.js';
import { startKafka, type KafkaBroker } from '../support/kafka.js';
import { mariadbAvailable, startMariadb, type MariadbInstance } from '../support/mariadb-instance.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { BIN, buildPublisherCli, tempDir, writeFiles } from '../support/publisher.js';

const WORKLOAD_MS = Number(process.env.SCHEMACTL_FAULT_MS ?? 2500);
/** rows written before the publisher starts: a backlog it is busy with when the first faults fire */
const BACKLOG = 3000;
const BASE_SEED = Number(process.env.SCHEMACTL_FAULT_SEED ?? 4242);
const RUNS_PER_PATTERN = Number(process.env.SCHEMACTL_FAULT_RUNS ?? 5);
// the soak (bench/soak/run.mjs) writes for longer
const RUN_TIMEOUT_MS = Number(process.env.SCHEMACTL_FAULT_TIMEOUT_MS ?? 120_000);

let broker: KafkaBroker;
let registry: ServedRegistry;
let pgc: PgCluster;
let maria: MariadbInstance | undefined;
const totals = { runs: 0, kills: 0, brokerRestarts: 0, databaseRestarts: 0, events: 0, lost: 0, duplicates: 0 };

beforeAll(async () => {
  const work = tempDir('fault-suite');
  [broker, registry, pgc, maria] = await Promise.all([
    startKafka({ workDir: path.join(work, 'kafka') }),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    startPgCluster({ settings: { max_connections: '200' } }),
    mariadbAvailable() ? startMariadb() : Promise.resolve(undefined),
    buildPublisherCli(),
  ]);
}, 240_000);

afterAll(async () => {
  console.log(`fault suite: ${totals.runs} runs, ${totals.kills} publisher kills, ${totals.brokerRestarts} broker restarts, ${totals.databaseRestarts} database restarts, ${totals.events} events, ${totals.lost} lost, ${totals.duplicates} duplicates`);
  await Promise.all([registry?.close(), broker?.stop(), pgc?.stop(), maria?.stop()]);
});

const SCHEMA = (name: string) => JSON.stringify({
  type: 'record', name, namespace: 'test.faults.v1', doc: 'A versioned item.',
  fields: [
    { name: 'id', type: 'long', doc: 'The key.' },
    { name: 'v', type: 'long', doc: 'Version: 1 on insert, +1 on every change.' },
    { name: 'note', type: 'string', doc: 'Free text.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When this version was written.' },
  ],
});

/** The database side of a workload, the same for both dialects. */
interface Db {
  dialect: 'postgres' | 'mysql';
  url: string;
  /** run one statement on a pooled connection */
  exec(sql: string): Promise<Array<Record<string, unknown>>>;
  /** run statements on a dedicated connection (a transaction with pauses), then close it */
  session(fn: (q: (sql: string) => Promise<unknown>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
  restart?(): Promise<void>;
  sleepSql(seconds: number): string;
  now: string;
}

function pgDb(url: string, restart?: () => Promise<void>): Db {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  return {
    dialect: 'postgres', url, now: 'now()',
    exec: async (sql) => (await pool.query(sql)).rows as Array<Record<string, unknown>>,
    session: async (fn) => {
      const c = new pg.Client({ connectionString: url });
      c.on('error', () => {});
      await c.connect();
      try { await fn((sql) => c.query(sql)); } finally { await c.end().catch(() => {}); }
    },
    close: () => pool.end(),
    ...(restart ? { restart } : {}),
    sleepSql: (s) => `pg_sleep(${s})`,
  };
}

function myDb(url: string, restart?: () => Promise<void>): Db {
  const pool = mysql.createPool({ uri: url, connectionLimit: 4 });
  return {
    dialect: 'mysql', url, now: 'NOW(6)',
    exec: async (sql) => (await pool.query(sql))[0] as Array<Record<string, unknown>>,
    session: async (fn) => {
      const c = await mysql.createConnection({ uri: url });
      c.on('error', () => {});
      try { await fn((sql) => c.query(sql)); } finally { await c.end().catch(() => {}); }
    },
    close: () => pool.end(),
    ...(restart ? { restart } : {}),
    sleepSql: (s) => `SLEEP(${s})`,
  };
}

interface RunResult { dir: string; topic: string; seed: number; restarts: number; kills: number; brokerRestarts: number; databaseRestarts: number; events: number; lost: string[]; duplicates: number }

/**
 * One seeded run: the workload writes for WORKLOAD_MS while the faults fire, the publisher drains,
 * SIGTERM, one `publish --once` after the horizon passed the last write, then the oracle.
 */
async function faultRun(o: {
  seed: number;
  name: string;
  db: Db;
  catalog(topic: string): string;
  /** create the tables; returns the changes it committed (a backlog the publisher is busy with when the faults start) */
  setup(dir: string): Promise<Array<{ key: string; version: string }> | void>;
  /** one workload step; returns the committed changes it knows of */
  step(rand: () => number, background: Array<Promise<unknown>>, committed: Array<{ key: string; version: string }>): Promise<void>;
  truth(): Promise<Truth>;
  /** the table's rows of the given keys, printed when the oracle reports them lost */
  detail?(keys: string[]): Promise<unknown>;
  everyChange: boolean;
  topicOf?(topic: string): string;
  faults: { kills: number; broker: number; database: number };
}): Promise<RunResult> {
  const rand = seeded(o.seed);
  const topic = `faults-${o.name}-${o.seed}-${process.pid % 10000}`;
  const dir = tempDir(`fault-${o.name}-${o.seed}`);
  writeFiles(dir, { 'item.avsc': SCHEMA('Item'), 'schemactl.yaml': o.catalog(topic) });
  const committed: Array<{ key: string; version: string }> = [...((await o.setup(dir)) ?? [])];
  const args = ['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'];
  const sup = new Supervisor(args, dir);
  sup.start();
  // the faults start once the first batch of the backlog is acknowledged: the next ones are in flight
  expect(await sup.progressed(1), `seed ${o.seed}: the publisher never acknowledged a batch\n${sup.lastOutput().slice(-3000)}`).toBe(true);
  const plan = planFaults(rand, WORKLOAD_MS, o.faults);
  const background: Array<Promise<unknown>> = [];
  const faultRand = seeded(o.seed ^ 0x5eed);
  const faults = runFaults(plan, {
    sup, broker, rand: faultRand,
    ...(o.db.restart ? { database: o.db.restart } : {}),
  });
  // observed after the workload; a publisher that died on its own must not go unnoticed meanwhile
  faults.catch(() => {});
  const until = Date.now() + WORKLOAD_MS;
  while (Date.now() < until) {
    // a statement cut off by a database restart did not commit (or its outcome is unknown): the table decides
    await o.step(rand, background, committed).catch(() => {});
    await sleep(5 + Math.floor(rand() * 15));
  }
  const done = await faults;
  await Promise.allSettled(background);
  // the publisher catches up in continuous mode (given up to 30 s), then stops cleanly
  const truth = await o.truth();
  const check = () => oracle({ bootstrap: broker.bootstrap, registryUrl: registry.url, topic: o.topicOf ? o.topicOf(topic) : topic, versionField: 'v', truth, ...(o.everyChange ? { committed } : {}) });
  const caughtUp = Date.now() + 30_000;
  let report = await check();
  while (report.lost.length && Date.now() < caughtUp) {
    await sleep(500);
    report = await check();
  }
  await sup.stop();
  report = await check();
  const r = { dir, topic, seed: o.seed, ...done, restarts: sup.restarts, events: report.events, lost: report.lost, duplicates: report.duplicates };
  totals.runs++;
  totals.kills += done.kills;
  totals.brokerRestarts += done.brokerRestarts;
  totals.databaseRestarts += done.databaseRestarts;
  totals.events += report.events;
  totals.lost += report.lost.length;
  totals.duplicates += report.duplicates;
  console.log(`${o.name} seed ${o.seed}: ${done.kills} kills, ${done.brokerRestarts} broker, ${done.databaseRestarts} database restarts, ${sup.restarts} exits on an unreachable dependency, ${report.events} events, ${report.lost.length} lost, ${report.duplicates} duplicates`);
  if (report.lost.length) {
    console.log(`${o.name} seed ${o.seed} lost:\n${report.lost.join('\n')}`);
    const keys = report.lost.map((l) => l.split(/[:@]/)[0]!);
    if (o.detail) console.log(`${o.name} seed ${o.seed} table rows of the lost keys: ${JSON.stringify(await o.detail(keys).catch((e: Error) => e.message))}`);
    console.log(sup.lastOutput().slice(-6000));
  }
  return r;
}

/** Faults for run i of a pattern: always kills; the broker in the second run; the database every other run. */
const faultsFor = (i: number, rand: () => number) => ({ kills: 1 + Math.floor(rand() * 3), broker: i === 1 ? 1 : 0, database: i % 2 === 0 ? 1 : 0 });

function queryScenario(dbOf: () => Db, name: string) {
  const table = `fq_${name.replace(/\W/g, '_')}_${process.pid % 10000}`;
  let next = 1;
  return (seed: number, i: number) => {
    const db = dbOf();
    const t = `${table}_${seed}`;
    next = 1;
    const ts = db.dialect === 'postgres' ? 'timestamptz' : 'DATETIME(6)';
    return faultRun({
      seed, name, db, everyChange: false,
      faults: faultsFor(i, seeded(seed + 1)),
      catalog: (topic) => `streams:
  - topic: ${topic}
    kind: store
    schema: item.avsc
    key: id
    source:
      connection: ${db.url}
      table: ${t}
      soft_delete: deleted_at
      poll_interval_ms: 200
`,
      setup: async () => {
        await db.exec(`CREATE TABLE ${t} (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, note VARCHAR(64) NOT NULL, updated_at ${ts} NOT NULL, deleted_at ${ts} NULL)`);
        await db.exec(`CREATE INDEX ${t}_ts ON ${t} (updated_at, id)`);
        await db.exec(db.dialect === 'postgres'
          ? `INSERT INTO ${t} SELECT g, 1, 'backlog', now() - interval '1 hour' + g * interval '1 millisecond', NULL FROM generate_series(1, ${BACKLOG}) g`
          : `INSERT INTO ${t} SELECT seq, 1, 'backlog', NOW(6) - INTERVAL 1 HOUR + INTERVAL seq * 1000 MICROSECOND, NULL FROM seq_1_to_${BACKLOG}`);
        next = BACKLOG + 1;
      },
      step: async (rand, bg) => {
        const x = rand();
        const existing = () => 1 + Math.floor(rand() * Math.max(1, next - 1));
        if (x < 0.55) {
          const id = next++;
          await db.exec(`INSERT INTO ${t} VALUES (${id}, 1, 'fast', ${db.now}, NULL)`);
        } else if (x < 0.8) {
          await db.exec(`UPDATE ${t} SET v = v + 1, note = 'update', updated_at = ${db.now} WHERE id = ${existing()} AND deleted_at IS NULL`);
        } else if (x < 0.85) {
          await db.exec(`UPDATE ${t} SET v = v + 1, deleted_at = ${db.now}, updated_at = ${db.now} WHERE id = ${existing()} AND deleted_at IS NULL`);
        } else if (x < 0.9 && bg.length < 40) {
          // a statement that waits before it touches the table: its timestamp is its start
          const id = next++;
          const secs = (0.3 + rand() * 1.5).toFixed(2);
          bg.push(db.exec(`INSERT INTO ${t} SELECT ${id}, 1, 'slow', ${db.now}, NULL FROM (SELECT ${db.sleepSql(Number(secs))} AS z) s`).catch(() => {}));
        } else if (x < 0.95 && bg.length < 40) {
          // a lock wait: one session holds the row, another updates it meanwhile and waits
          const id = existing();
          const hold = Math.floor(200 + rand() * 1000);
          bg.push(db.session(async (q) => {
            await q('BEGIN');
            await q(`UPDATE ${t} SET v = v + 1, note = 'holder', updated_at = ${db.now} WHERE id = ${id}`);
            await sleep(hold);
            await q('COMMIT');
          }).catch(() => {}));
          await sleep(20);
          bg.push(db.exec(`UPDATE ${t} SET v = v + 1, note = 'waiter', updated_at = ${db.now} WHERE id = ${id} AND deleted_at IS NULL`).catch(() => {}));
        } else if (bg.length < 40) {
          // a long transaction whose first statement waited before writing
          const a = next++;
          const b = next++;
          const pause = Math.floor(300 + rand() * 1200);
          bg.push(db.session(async (q) => {
            await q('BEGIN');
            await q(`INSERT INTO ${t} SELECT ${a}, 1, 'long', ${db.now}, NULL FROM (SELECT ${db.sleepSql(0.3)} AS z) s`);
            await sleep(pause);
            await q(`INSERT INTO ${t} VALUES (${b}, 1, 'long', ${db.now}, NULL)`);
            await q('COMMIT');
          }).catch(() => {}));
        }
      },
      truth: async () => {
        const rows = await db.exec(`SELECT id, v, deleted_at FROM ${t}`);
        return new Map(rows.map((r) => [String(r.id), r.deleted_at === null ? String(r.v) : null]));
      },
      detail: (keys) => db.exec(`SELECT id, v, note, ${db.dialect === 'postgres' ? 'updated_at::text AS updated_at, deleted_at::text AS deleted_at' : "DATE_FORMAT(updated_at, '%Y-%m-%d %H:%i:%s.%f') AS updated_at, DATE_FORMAT(deleted_at, '%Y-%m-%d %H:%i:%s.%f') AS deleted_at"} FROM ${t} WHERE id IN (${keys.map((k) => Number(k)).join(', ')})`),
    });
  };
}

function outboxScenario(dbOf: () => Db) {
  return (seed: number, i: number) => {
    const db = dbOf();
    const t = `fo_${process.pid % 10000}_${seed}`;
    let next = 1;
    const versions = new Map<number, number>();
    /** keys whose write has not committed yet (a long transaction's new key) */
    const writing = new Set<number>();
    return faultRun({
      seed, name: 'outbox', db, everyChange: true,
      faults: faultsFor(i, seeded(seed + 1)),
      topicOf: (topic) => `${topic}.item`,
      catalog: (topic) => `streams:
  - topic: ${topic}.item
    kind: store
    schema: item.avsc
    key: id
    source:
      connection: ${db.url}
      pattern: outbox
      table: ${t}_outbox
      route: ${topic}.$\${routedByValue}
      poll_interval_ms: 200
`,
      setup: async () => {
        await db.exec(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v bigint NOT NULL)`);
        await db.exec(`CREATE TABLE ${t}_outbox (id bigserial PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload text, timestamp timestamptz NOT NULL DEFAULT now())`);
        await db.exec(`INSERT INTO ${t} SELECT g, 1 FROM generate_series(1, ${BACKLOG}) g`);
        await db.exec(`INSERT INTO ${t}_outbox (aggregatetype, aggregateid, type, payload)
          SELECT 'item', g::text, 'ItemChanged', json_build_object('id', g, 'v', 1, 'note', 'backlog', 'updated_at', '2026-01-01 00:00:00+00')::text FROM generate_series(1, ${BACKLOG}) g`);
        for (let id = 1; id <= BACKLOG; id++) versions.set(id, 1);
        next = BACKLOG + 1;
        return Array.from({ length: BACKLOG }, (_, i) => ({ key: String(i + 1), version: '1' }));
      },
      step: async (rand, bg, committed) => {
        const x = rand();
        const live = [...versions.keys()];
        const write = async (q: (sql: string) => Promise<unknown>, id: number, del: boolean, pauseMs: number) => {
          const v = (versions.get(id) ?? 0) + 1;
          versions.set(id, v);
          writing.add(id);
          await q('BEGIN');
          if (del) await q(`DELETE FROM ${t} WHERE id = ${id}`);
          else await q(`INSERT INTO ${t} VALUES (${id}, ${v}) ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v`);
          if (pauseMs) await sleep(pauseMs);
          const payload = del ? 'NULL' : `'${JSON.stringify({ id, v, note: 'outbox', updated_at: '2026-01-01 00:00:00+00' })}'`;
          await q(`INSERT INTO ${t}_outbox (aggregatetype, aggregateid, type, payload) VALUES ('item', '${id}', 'ItemChanged', ${payload})`);
          await q('COMMIT');
          writing.delete(id);
          if (del) versions.delete(id);
          committed.push({ key: String(id), version: del ? 'tombstone' : String(v) });
        };
        if (x < 0.6 || live.length === 0) {
          const id = next++;
          await db.session((q) => write(q, id, false, 0));
        } else if (x < 0.85) {
          const id = live[Math.floor(rand() * live.length)]!;
          await db.session((q) => write(q, id, false, 0));
        } else if (x < 0.92) {
          // an application deletes a row it can see: not one whose insert has not committed yet (the
          // DELETE would find nothing and wait for nothing, yet its event would be later in timestamp
          // order than the insert that commits after it)
          const visible = live.filter((k) => !writing.has(k));
          if (!visible.length) return;
          const id = visible[Math.floor(rand() * visible.length)]!;
          await db.session((q) => write(q, id, true, 0));
        } else if (bg.length < 30) {
          // a long transaction on a new key, committing after later ones
          const id = next++;
          bg.push(db.session((q) => write(q, id, false, Math.floor(300 + rand() * 1200))).catch(() => {}));
        }
      },
      truth: async () => {
        const rows = await db.exec(`SELECT id, v FROM ${t}`);
        const truth: Truth = new Map(rows.map((r) => [String(r.id), String(r.v)]));
        for (let id = 1; id < next; id++) if (!truth.has(String(id))) truth.set(String(id), null);
        return truth;
      },
    });
  };
}

function triggersScenario(dbOf: () => Db) {
  return (seed: number, i: number) => {
    const db = dbOf();
    const t = `ft_${process.pid % 10000}_${seed}`;
    let next = 1;
    const versions = new Map<number, number>();
    return faultRun({
      seed, name: 'triggers', db, everyChange: true,
      faults: faultsFor(i, seeded(seed + 1)),
      catalog: (topic) => `streams:
  - topic: ${topic}
    kind: store
    schema: item.avsc
    key: id
    source:
      connection: ${db.url}
      pattern: triggers
      table: public.${t}
      poll_interval_ms: 200
`,
      setup: async (dir) => {
        await db.exec(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v bigint NOT NULL, note text NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
        // the capture triggers and change table, installed by the CLI from the same catalog
        const r = spawnSync(process.execPath, [BIN, 'capture', 'install'], { cwd: dir, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`capture install failed: ${r.stderr}${r.stdout}`);
        await db.exec(`INSERT INTO ${t} SELECT g, 1, 'backlog' FROM generate_series(1, ${BACKLOG}) g`);
        for (let id = 1; id <= BACKLOG; id++) versions.set(id, 1);
        next = BACKLOG + 1;
        return Array.from({ length: BACKLOG }, (_, i) => ({ key: String(i + 1), version: '1' }));
      },
      step: async (rand, bg, committed) => {
        const x = rand();
        const live = [...versions.keys()];
        const write = async (q: (sql: string) => Promise<unknown>, id: number, op: 'insert' | 'update' | 'delete', pauseMs: number) => {
          const v = (versions.get(id) ?? 0) + 1;
          await q('BEGIN');
          if (op === 'insert') await q(`INSERT INTO ${t} VALUES (${id}, ${v}, 'trig')`);
          else if (op === 'update') await q(`UPDATE ${t} SET v = ${v} WHERE id = ${id}`);
          else await q(`DELETE FROM ${t} WHERE id = ${id}`);
          if (pauseMs) await sleep(pauseMs);
          await q('COMMIT');
          if (op === 'delete') versions.delete(id);
          else versions.set(id, v);
          committed.push({ key: String(id), version: op === 'delete' ? 'tombstone' : String(v) });
        };
        if (x < 0.6 || live.length === 0) await db.session((q) => write(q, next++, 'insert', 0));
        else if (x < 0.85) await db.session((q) => write(q, live[Math.floor(rand() * live.length)]!, 'update', 0));
        else if (x < 0.92) await db.session((q) => write(q, live[Math.floor(rand() * live.length)]!, 'delete', 0));
        else if (bg.length < 30) {
          const id = next++;
          bg.push(db.session((q) => write(q, id, 'insert', Math.floor(300 + rand() * 1200))).catch(() => {}));
        }
      },
      truth: async () => {
        const rows = await db.exec(`SELECT id, v FROM ${t}`);
        const truth: Truth = new Map(rows.map((r) => [String(r.id), String(r.v)]));
        for (let id = 1; id < next; id++) if (!truth.has(String(id))) truth.set(String(id), null);
        return truth;
      },
    });
  };
}

const seeds = (offset: number) => Array.from({ length: RUNS_PER_PATTERN }, (_, i) => ({ i, seed: BASE_SEED + offset + i }));

describe('fault-injection suite', () => {
  let pgDbi: Db;
  let myDbi: Db | undefined;
  beforeAll(() => {
    pgDbi = pgDb(pgc.url, () => pgc.restart());
    if (maria) myDbi = myDb(maria.url, async () => { await maria!.kill(); await maria!.start(); });
  });
  afterAll(async () => {
    await pgDbi?.close();
    await myDbi?.close();
  });

  const queryPg = queryScenario(() => pgDbi, 'query-pg');
  it.each(seeds(0))('query pattern, PostgreSQL, seed $seed', async ({ seed, i }) => {
    const r = await queryPg(seed, i);
    expect(r.lost, `seed ${seed}`).toEqual([]);
  }, RUN_TIMEOUT_MS);

  const queryMy = queryScenario(() => myDbi!, 'query-mariadb');
  it.each(seeds(100))('query pattern, MariaDB, seed $seed', async ({ seed, i }) => {
    if (!myDbi) {
      console.log('SKIP: no mariadb-install-db/mariadbd on this machine');
      return;
    }
    const r = await queryMy(seed, i);
    expect(r.lost, `seed ${seed}`).toEqual([]);
  }, RUN_TIMEOUT_MS);

  const outbox = outboxScenario(() => pgDbi);
  it.each(seeds(200))('outbox pattern, PostgreSQL, seed $seed', async ({ seed, i }) => {
    const r = await outbox(seed, i);
    expect(r.lost, `seed ${seed}`).toEqual([]);
  }, RUN_TIMEOUT_MS);

  const triggers = triggersScenario(() => pgDbi);
  it.each(seeds(300))('triggers pattern, PostgreSQL, seed $seed', async ({ seed, i }) => {
    const r = await triggers(seed, i);
    expect(r.lost, `seed ${seed}`).toEqual([]);
    // the checkpoint names its pattern
    const state = JSON.parse(readFileSync(path.join(r.dir, '.schemactl/state', `${r.topic}.offset.json`), 'utf8')) as { offset: { kind: string } };
    expect(state.offset.kind).toBe('triggers');
  }, RUN_TIMEOUT_MS);
});
