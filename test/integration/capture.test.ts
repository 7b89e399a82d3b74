// Trigger-based capture against the machine's real PostgreSQL and MariaDB and a real Kafka broker:
// install/uninstall leave the catalog exactly as it was, changes arrive on the topic with exact values,
// deletes and key moves become tombstones, same-key changes from concurrent writers arrive in commit
// order, and an incompatible schema change stops the stream.
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installCapture, uninstallCapture, captureStatus, CaptureError } from '../../src/liberation/capture/install.js';
import { FileCheckpointStore } from '../../src/liberation/checkpoint/file.js';
import { FileDeadLetter } from '../../src/liberation/dead-letter.js';
import { runStream } from '../../src/liberation/engine.js';
import { AvroRowMapper } from '../../src/liberation/mapping.js';
import { KafkaSink } from '../../src/liberation/sinks/kafka.js';
import { ChangeTableSource, type ChangeTableConfig } from '../../src/liberation/sources/change-table.js';
import type { OutRecord, SourceRow } from '../../src/liberation/types.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';

const PG_BASE = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const MY_BASE = process.env.SCHEMACTL_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';
const run = `cap_${process.pid}_${Date.now() % 1_000_000}`;
const work = mkdtempSync(join(process.cwd(), 'test/.work-capture-'));

const ORDER_SCHEMA: ConstructorParameters<typeof AvroRowMapper>[0] = {
  type: 'record',
  name: 'Order',
  namespace: 'test.capture',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
  ],
};

let broker: SharedKafka;
beforeAll(async () => {
  broker = await sharedKafka();
}, 120_000);
afterAll(async () => {
  await broker?.stop();
});

interface Msg { key: string | null; value: Record<string, unknown> | null; headers: Record<string, string> }

async function readTopic(topic: string, expected: number, mapper: AvroRowMapper, timeoutMs = 30_000): Promise<Msg[]> {
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({ groupId: `verify-${topic}-${Date.now()}`, clientId: 'verify', bootstrapBrokers: [broker.bootstrap] });
  const out: Msg[] = [];
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200 });
  const deadline = setTimeout(() => void stream.close(), timeoutMs);
  for await (const m of stream) {
    const headers: Record<string, string> = {};
    for (const [k, v] of m.headers ?? new Map()) headers[String(k)] = String(v);
    out.push({ key: m.key?.length ? m.key.toString() : null, value: m.value?.length ? (mapper.type.fromBuffer(m.value) as Record<string, unknown>) : null, headers });
    if (out.length >= expected) break;
  }
  clearTimeout(deadline);
  await stream.close();
  await consumer.close(true);
  return out;
}

async function publish(cfg: ChangeTableConfig, mapper: AvroRowMapper, topic: string) {
  const serialize = (row: SourceRow): OutRecord => ({
    topic,
    key: row.key === null || row.key === undefined ? null : Buffer.from(row.key),
    value: row.tombstone ? null : mapper.encode(mapper.map(row.columns)),
    headers: row.headers,
    position: row.position,
  });
  const sink = new KafkaSink({ brokers: [broker.bootstrap] });
  const source = new ChangeTableSource(cfg);
  await sink.open();
  await source.open();
  try {
    return await runStream({
      stream: topic, source, sink, serialize, batchSize: 50, pollIntervalMs: 50, once: true, maxAttempts: 3, retryBaseMs: 10,
      checkpoints: new FileCheckpointStore(join(work, 'state')), deadLetter: new FileDeadLetter(join(work, `${topic}.dead.ndjson`)),
    });
  } finally {
    await source.close();
    await sink.close();
  }
}

const decimal = (b: unknown) => {
  const buf = b as Buffer;
  let v = 0n;
  for (const x of buf) v = (v << 8n) | BigInt(x);
  if (buf.length && buf[0]! & 0x80) v -= 1n << BigInt(buf.length * 8);
  return v;
};

describe('capture on PostgreSQL', () => {
  const schema = run;
  const table = 'orders';
  const admin = new pg.Client({ connectionString: PG_BASE });
  const mapper = new AvroRowMapper(ORDER_SCHEMA);
  const cfg: ChangeTableConfig = { connection: PG_BASE, table: `${schema}.${table}`, name: `${run}.orders.pg`, requiredColumns: mapper.columns(), fields: mapper };

  /** Every object in the schema and every trigger on its tables, with comments and definitions. */
  async function snapshot(): Promise<string> {
    const rel = await admin.query(
      `SELECT c.relname, c.relkind, obj_description(c.oid, 'pg_class') AS d FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [schema]);
    const procs = await admin.query(`SELECT p.proname, pg_get_functiondef(p.oid) AS def FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 ORDER BY 1`, [schema]);
    const trg = await admin.query(
      `SELECT g.tgname, g.tgenabled, c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [schema]);
    const cols = await admin.query(`SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = $1 ORDER BY 1, 2`, [schema]);
    const deps = await admin.query(`SELECT count(*)::int AS n FROM pg_depend d JOIN pg_class c ON c.oid = d.objid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`, [schema]);
    return JSON.stringify({ rel: rel.rows, procs: procs.rows, trg: trg.rows, cols: cols.rows, deps: deps.rows });
  }

  let before = '';
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.${table} (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL, note text, updated_at timestamptz NOT NULL DEFAULT now(), extra int)`);
    before = await snapshot();
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('shows the DDL with --dry-run and changes nothing', async () => {
    const r = await installCapture(cfg, { dryRun: true });
    expect(r.action).toBe('installed');
    expect(r.statements.join('\n')).toMatch(/AFTER INSERT OR UPDATE OR DELETE ON "[^"]+"\."orders" FOR EACH ROW/);
    expect(r.statements.join('\n')).toContain('pg_current_xact_id()');
    expect(await snapshot()).toBe(before);
  });

  it('installs once, then is up to date; status shows the triggers and an empty backlog', async () => {
    expect((await installCapture(cfg)).action).toBe('installed');
    expect((await installCapture(cfg)).action).toBe('up-to-date');
    const st = await captureStatus(cfg);
    expect(st).toMatchObject({ installed: true, version: 2, current: true, backlog: { rows: 0, oldestAgeSeconds: null }, problems: [] });
    // the row trigger and the statement trigger that notifies the publisher
    expect(st.triggers).toEqual([expect.objectContaining({ present: true, enabled: true, version: 2 }), expect.objectContaining({ present: true, enabled: true, version: 2 })]);
    await admin.query(`ALTER TABLE ${schema}.${table} DISABLE TRIGGER ALL`);
    const off = await captureStatus(cfg);
    expect(off.triggers[0]!.enabled).toBe(false);
    expect(off.problems.join('\n')).toMatch(/disabled/);
    await admin.query(`ALTER TABLE ${schema}.${table} ENABLE TRIGGER ALL`);
  });

  it('captures the writes of a role that has no privilege on the change table', async () => {
    const role = `${run}_app`;
    await admin.query(`CREATE ROLE ${role} NOLOGIN`);
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await admin.query(`GRANT INSERT ON ${schema}.${table} TO ${role}`);
    try {
      await admin.query(`SET ROLE ${role}`);
      await admin.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (-1, 1)`);
    } finally {
      await admin.query('RESET ROLE');
      await admin.query(`DROP OWNED BY ${role}`);
      await admin.query(`DROP ROLE ${role}`);
    }
    const src = new ChangeTableSource(cfg);
    await src.open();
    const b = await src.read(null, 10);
    expect(b.rows.map((r) => [r.key, r.headers?.['schemactl.op']])).toEqual([['-1', 'c']]);
    await src.acknowledge(b.rows[0]!.offset);
    await src.close();
    await admin.query(`DELETE FROM ${schema}.${table} WHERE id = -1`);
    const again = new ChangeTableSource(cfg);
    await again.open();
    const d = await again.read(null, 10);
    expect(d.rows.map((r) => [r.key, r.tombstone])).toEqual([['-1', true]]);
    await again.acknowledge(d.rows[0]!.offset);
    await again.close();
    expect((await captureStatus(cfg)).backlog?.rows).toBe(0);
  });

  it('refuses to take over an object of the same name it did not create', async () => {
    await admin.query(`CREATE TABLE ${schema}.other (id int PRIMARY KEY)`);
    await admin.query(`CREATE TABLE ${schema}.schemactl_ct_other (x int)`);
    const snap = await snapshot();
    await expect(installCapture({ ...cfg, table: `${schema}.other`, name: 'other' })).rejects.toThrow(/table .*schemactl_ct_other already exists and was not created by schemactl/);
    expect(await snapshot()).toBe(snap);
    await admin.query(`DROP TABLE ${schema}.other, ${schema}.schemactl_ct_other`);
  });

  it('publishes inserts, updates, deletes and key moves with exact values; removes rows only once acknowledged', async () => {
    const topic = `${run}-pg-crud`;
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount, note, updated_at) VALUES (9007199254740993, 12.30, 'a', '2024-01-02 03:04:05.123456+00'), (2, -0.05, NULL, '2024-01-02 03:04:05+00')`);
    await admin.query(`UPDATE ${schema}.${table} SET note = 'b', amount = 99.99 WHERE id = 2`);
    await admin.query(`DELETE FROM ${schema}.${table} WHERE id = 9007199254740993`);
    await admin.query(`UPDATE ${schema}.${table} SET id = 3 WHERE id = 2`);
    expect((await captureStatus(cfg)).backlog?.rows).toBe(5);
    const stats = await publish(cfg, mapper, topic);
    expect(stats).toMatchObject({ published: 4, tombstones: 2, deadLettered: 0 });
    const got = await readTopic(topic, 6, mapper);
    expect(got.map((m) => [m.key, m.value === null ? null : m.headers['schemactl.op']])).toEqual([
      ['9007199254740993', 'c'], ['2', 'c'], ['2', 'u'], ['9007199254740993', null], ['2', null], ['3', 'u'],
    ]);
    expect(got[0]!.value).toMatchObject({ id: 9007199254740993n, note: { string: 'a' }, updated_at: 1704164645123456n });
    expect(decimal(got[0]!.value!.amount)).toBe(1230n);
    expect(decimal(got[1]!.value!.amount)).toBe(-5n);
    expect(got[2]!.value).toMatchObject({ id: 2n, note: { string: 'b' } });
    expect(got[5]!.value).toMatchObject({ id: 3n, note: { string: 'b' } });
    expect((await captureStatus(cfg)).backlog?.rows).toBe(0);
  });

  it('holds back changes while an older transaction is open, and keeps same-key changes from concurrent writers in commit order', async () => {
    const topic = `${run}-pg-concurrent`;
    const old = new pg.Client({ connectionString: PG_BASE });
    await old.connect();
    await old.query('BEGIN');
    await old.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (100, 1)`);
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (101, 1)`); // commits first
    const src = new ChangeTableSource(cfg);
    await src.open();
    const held = await src.read(null, 100);
    expect(held.rows).toEqual([]); // 101 committed, but an older transaction is still open
    await old.query('COMMIT');
    const now = await src.read(null, 100);
    expect(now.rows.map((r) => r.key)).toEqual(['100', '101']);
    src.rewind();
    await src.close();

    // writers increment counters on shared keys in overlapping transactions; row locks serialise
    // them, so each key's amounts must arrive as 2, 3, 4, … with nothing missing or reordered
    const keys = [200, 201, 202];
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount) SELECT unnest($1::bigint[]), 1`, [keys]);
    const writers = await Promise.all(Array.from({ length: 4 }, async () => {
      const c = new pg.Client({ connectionString: PG_BASE });
      await c.connect();
      return c;
    }));
    const rounds = 15;
    await Promise.all(writers.map(async (c, w) => {
      for (let i = 0; i < rounds; i++) {
        await c.query('BEGIN');
        for (const k of keys) {
          await c.query(`UPDATE ${schema}.${table} SET amount = amount + 1 WHERE id = $1`, [k]);
        }
        await c.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES ($1, 0)`, [1000 + w * 100 + i]);
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        await c.query('COMMIT');
      }
    }));
    await Promise.all(writers.map((c) => c.end()));
    const expected = 2 + 3 + rounds * 4 * 4;
    const stats = await publish(cfg, mapper, topic);
    expect(stats.published).toBe(expected);
    const got = await readTopic(topic, expected, mapper);
    for (const k of keys) {
      const amounts = got.filter((m) => m.key === String(k)).map((m) => decimal(m.value!.amount));
      expect(amounts).toEqual(Array.from({ length: rounds * 4 + 1 }, (_, i) => BigInt((i + 1) * 100)));
    }
  });

  it('takes a column change the schema can take, stops on one it cannot (nothing dead-lettered), and resumes once the column is restored', async () => {
    const topic = `${run}-pg-drift`;
    await admin.query(`ALTER TABLE ${schema}.${table} ADD COLUMN added text`); // unused by the schema: fine
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (300, 1)`);
    expect((await publish(cfg, mapper, topic)).published).toBe(1);
    // the string field takes every varchar(10) value
    await admin.query(`ALTER TABLE ${schema}.${table} ALTER COLUMN note TYPE varchar(10)`);
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount, note) VALUES (301, 1, 'x')`);
    expect((await publish(cfg, mapper, topic)).published).toBe(1);
    // the decimal(12,2) field cannot take text
    await admin.query(`ALTER TABLE ${schema}.${table} ALTER COLUMN amount TYPE text`);
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (302, '2.50')`);
    const err = await publish(cfg, mapper, topic).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as CaptureError).retriable).toBe(false);
    expect((err as CaptureError).message).toMatch(/changed \(amount: numeric\(12,2\) → text\); publishing stopped\. Nothing past change seq \d+ of schemactl_ct_orders was published.*amount: a text value '' does not map into the field .*or restore the column's type before a row is written in the new shape; then publish again$/);
    expect(existsSync(join(work, `${topic}.dead.ndjson`))).toBe(false);
    // restored: the change written meanwhile arrives
    await admin.query(`ALTER TABLE ${schema}.${table} ALTER COLUMN amount TYPE numeric(12,2) USING amount::numeric(12,2)`);
    expect((await publish(cfg, mapper, topic)).published).toBe(1);
    const got = await readTopic(topic, 3, mapper);
    expect(got.map((m) => [m.key, decimal(m.value!.amount)])).toEqual([['300', 100n], ['301', 100n], ['302', 250n]]);
    expect(existsSync(join(work, `${topic}.dead.ndjson`))).toBe(false);
    expect((await captureStatus(cfg)).problems.join('\n')).toMatch(/note/);
    expect((await installCapture(cfg)).action).toBe('updated');
    await admin.query(`ALTER TABLE ${schema}.${table} DROP COLUMN added`);
  });

  it('a dropped read column stops a schema whose field has no default; the version with a default resumes and fills it', async () => {
    const topic = `${run}-pg-default`;
    const strict = new AvroRowMapper({
      type: 'record', name: 'Order', namespace: 'test.capture',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
        { name: 'note', type: ['null', 'string'] },
        { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      ],
    });
    const strictCfg: ChangeTableConfig = { ...cfg, requiredColumns: strict.columns(), fields: strict };
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount, note) VALUES (500, 1, 'n')`);
    expect((await publish(strictCfg, strict, topic)).published).toBe(1);
    await admin.query(`ALTER TABLE ${schema}.${table} DROP COLUMN note`);
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (501, 2)`);
    const err = await publish(strictCfg, strict, topic).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureError);
    expect((err as Error).message).toMatch(/changed \(note: character varying\(10\) → \(dropped\)\); publishing stopped.*note: the field has no default\. To resume: register a schema version that drops the field or gives it a default/);
    expect(existsSync(join(work, `${topic}.dead.ndjson`))).toBe(false);
    // the field with a default (null): the row written meanwhile arrives with it
    expect((await publish(cfg, mapper, topic)).published).toBe(1);
    const got = await readTopic(topic, 2, mapper);
    const text = (v: unknown) => (v !== null && typeof v === 'object' ? Object.values(v)[0] : v);
    expect(got.map((m) => [m.key, text(m.value!.note)])).toEqual([['500', 'n'], ['501', null]]);
    await admin.query(`ALTER TABLE ${schema}.${table} ADD COLUMN note text`);
  });

  it('uninstall removes exactly what install created', async () => {
    await admin.query(`INSERT INTO ${schema}.${table} (id, amount) VALUES (400, 1)`);
    await expect(uninstallCapture(cfg)).rejects.toThrow(/1 unpublished change/);
    const r = await uninstallCapture(cfg, { force: true });
    expect(r).toMatchObject({ action: 'removed', backlogDropped: 1 });
    await admin.query(`ALTER TABLE ${schema}.${table} ALTER COLUMN note TYPE text`);
    expect(await snapshot()).toBe(before);
    expect((await uninstallCapture(cfg)).action).toBe('not-installed');
  });
});

describe('capture on MariaDB', () => {
  const db = run;
  const table = 'orders';
  const url = MY_BASE.replace(/\/[^/]*$/, `/${db}`);
  let admin: mysql.Connection;
  const cfg: ChangeTableConfig = { connection: url, table, name: `${run}.orders.my`, requiredColumns: new AvroRowMapper(ORDER_SCHEMA).columns() };
  const mapper = new AvroRowMapper(ORDER_SCHEMA);

  async function snapshot(): Promise<string> {
    const [t] = await admin.query('SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db]);
    const [g] = await admin.query('SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY 1', [db]);
    const [c] = await admin.query('SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY 1, 2', [db]);
    const [r] = await admin.query('SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 1', [db]);
    return JSON.stringify({ t, g, c, r });
  }

  let before = '';
  beforeAll(async () => {
    const root = await mysql.createConnection({ uri: MY_BASE });
    await root.query(`CREATE DATABASE ${db}`);
    await root.end();
    admin = await mysql.createConnection({ uri: url });
    // the writer's session zone differs from UTC on purpose: TIMESTAMP values must still come out in UTC
    await admin.query("SET time_zone = '+02:00'");
    await admin.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, note TEXT, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), extra INT) ENGINE=InnoDB`);
    before = await snapshot();
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${db}`);
    await admin.end();
  });

  it('installs three row triggers idempotently; dry run changes nothing', async () => {
    const dry = await installCapture(cfg, { dryRun: true });
    expect(dry.statements.filter((s) => /CREATE OR REPLACE TRIGGER/.test(s))).toHaveLength(3);
    expect(await snapshot()).toBe(before);
    expect((await installCapture(cfg)).action).toBe('installed');
    expect((await installCapture(cfg)).action).toBe('up-to-date');
    const st = await captureStatus(cfg);
    expect(st.triggers.map((t) => [t.present, t.enabled, t.version])).toEqual([[true, true, 1], [true, true, 1], [true, true, 1]]);
  });

  it('publishes inserts, updates, deletes and key moves with exact values', async () => {
    const topic = `${run}-my-crud`;
    await admin.query(`INSERT INTO ${table} (id, amount, note, updated_at) VALUES (9007199254740993, 12.30, 'a', '2024-01-02 05:04:05.123456'), (2, -0.05, NULL, '2024-01-02 05:04:05')`);
    await admin.query(`UPDATE ${table} SET note = 'b', amount = 99.99 WHERE id = 2`);
    await admin.query(`DELETE FROM ${table} WHERE id = 9007199254740993`);
    await admin.query(`UPDATE ${table} SET id = 3 WHERE id = 2`);
    // the reader stays behind the oldest open transaction and at least a second behind the clock
    await new Promise((r) => setTimeout(r, 1200));
    const stats = await publish(cfg, mapper, topic);
    expect(stats).toMatchObject({ published: 4, tombstones: 2, deadLettered: 0 });
    const got = await readTopic(topic, 6, mapper);
    expect(got.map((m) => [m.key, m.value === null ? null : m.headers['schemactl.op']])).toEqual([
      ['9007199254740993', 'c'], ['2', 'c'], ['2', 'u'], ['9007199254740993', null], ['2', null], ['3', 'u'],
    ]);
    // written as 05:04:05.123456 in a +02:00 session
    expect(got[0]!.value).toMatchObject({ id: 9007199254740993n, note: { string: 'a' }, updated_at: 1704164645123456n });
    expect(decimal(got[0]!.value!.amount)).toBe(1230n);
    expect(decimal(got[1]!.value!.amount)).toBe(-5n);
    expect((await captureStatus(cfg)).backlog?.rows).toBe(0);
  });

  it('keeps same-key changes from concurrent writers in commit order', async () => {
    const topic = `${run}-my-concurrent`;
    const keys = [200, 201];
    await admin.query(`INSERT INTO ${table} (id, amount) VALUES (200, 1), (201, 1)`);
    const rounds = 10;
    await Promise.all(Array.from({ length: 3 }, async () => {
      const c = await mysql.createConnection({ uri: url });
      for (let i = 0; i < rounds; i++) {
        await c.query('START TRANSACTION');
        for (const k of keys) await c.query(`UPDATE ${table} SET amount = amount + 1 WHERE id = ?`, [k]);
        await new Promise((r) => setTimeout(r, Math.random() * 5));
        await c.query('COMMIT');
      }
      await c.end();
    }));
    await new Promise((r) => setTimeout(r, 1200));
    const expected = 2 + rounds * 3 * 2;
    expect((await publish(cfg, mapper, topic)).published).toBe(expected);
    const got = await readTopic(topic, expected, mapper);
    for (const k of keys) {
      expect(got.filter((m) => m.key === String(k)).map((m) => decimal(m.value!.amount))).toEqual(Array.from({ length: rounds * 3 + 1 }, (_, i) => BigInt((i + 1) * 100)));
    }
  });

  it('reports a dropped column as breaking (the triggers name it) and uninstalls exactly', async () => {
    await admin.query(`ALTER TABLE ${table} DROP COLUMN extra`);
    const st = await captureStatus(cfg);
    expect(st.problems.join('\n')).toMatch(/column 'extra' was dropped; the installed triggers still name it/);
    const src = new ChangeTableSource(cfg);
    await expect(src.open()).rejects.toMatchObject({ retriable: false });
    await src.close();
    expect((await installCapture(cfg)).action).toBe('updated');
    await admin.query(`INSERT INTO ${table} (id, amount) VALUES (500, 1)`); // the new triggers fire without error
    await uninstallCapture(cfg, { force: true });
    await admin.query(`ALTER TABLE ${table} ADD COLUMN extra INT`);
    expect(await snapshot()).toBe(before);
  });
});
