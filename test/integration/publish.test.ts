// `schemactl publish` end to end against the machine's real PostgreSQL and MariaDB, a real Kafka 4.1
// broker and a schema registry served over HTTP. A consumer reads every message back and decodes it
// with a stock Confluent wire-format client: the events must equal the rows, value for value.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { MY_URL, PG_URL, readTopic, registryDecoder, tempDir, unscaled, writeFiles } from '../support/publisher.js';

let broker: SharedKafka;
let registry: ServedRegistry;
let pgc: pg.Client;
let my: mysql.Connection;
const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
const dropPg: string[] = [];
const dropMy: string[] = [];

beforeAll(async () => {
  const work = tempDir('publish-it');
  [broker, registry] = await Promise.all([sharedKafka(), serveRegistry({ port: 0, dataDir: path.join(work, 'registry') })]);
  pgc = new pg.Client({ connectionString: PG_URL });
  await pgc.connect();
  my = await mysql.createConnection({ uri: MY_URL });
}, 180_000);

afterAll(async () => {
  for (const t of dropPg) await pgc?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
  for (const t of dropMy) await my?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
  await pgc?.end();
  await my?.end();
  await registry?.close();
  await broker?.stop();
});

async function cli(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['publish', ...argv], {
    cwd, env: { ...process.env }, stdoutIsTTY: false,
    stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; },
    waitForShutdown: () => new Promise<string>(() => {}),
  });
  return { code, stdout, stderr };
}

const logLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

const doc = (s: string) => `"doc": "${s}"`;
const ts = (name: string, logical = 'timestamp-micros') => `{ "name": "${name}", "type": { "type": "long", "logicalType": "${logical}" }, ${doc(`When (${name}).`)} }`;

/** A record schema with the trap types: int8, decimal, µs instants, local timestamps, uuid, json text, bytes, enum, NULLs. */
function entrySchema(name: string): string {
  return `{
  "type": "record", "name": "${name}", "namespace": "com.acme.ledger.v1", ${doc('A ledger entry was written.')},
  "fields": [
    { "name": "id", "type": "long", ${doc('Entry number (int8).')} },
    { "name": "account_id", "type": { "type": "string", "logicalType": "uuid" }, ${doc('The account.')} },
    { "name": "amount", "type": { "type": "bytes", "logicalType": "decimal", "precision": 14, "scale": 2 }, ${doc('Signed amount.')} },
    ${ts('occurred_at')},
    ${ts('booked_local', 'local-timestamp-micros')},
    { "name": "status", "type": { "type": "enum", "name": "EntryStatus", "symbols": ["UNKNOWN", "PENDING", "BOOKED", "REVERSED"], "default": "UNKNOWN", ${doc('State.')} }, "default": "UNKNOWN", ${doc('State of the entry.')} },
    { "name": "attributes", "type": ["null", "string"], "default": null, ${doc('Free-form attributes as JSON text.')} },
    { "name": "signature", "type": ["null", "bytes"], "default": null, ${doc('Detached signature bytes.')} },
    { "name": "note", "type": ["null", "string"], "default": null, ${doc('A note.')} },
    ${ts('updated_at')}
  ]
}`;
}

function catalog(streams: string): string {
  return `streams:\n${streams}`;
}

function queryStream(topic: string, schema: string, connection: string, table: string, extra = ''): string {
  return `  - topic: ${topic}
    kind: store
    schema: ${schema}
    key: id
    source:
      connection: ${connection}
      pattern: query
      table: ${table}
      soft_delete: deleted_at
      batch_size: 2
${extra}`;
}

// exact expectations from the literal values written below, not from the database's own output
const micros = (iso: string, frac: string) => BigInt(Date.parse(iso)) * 1000n + BigInt(frac.padEnd(6, '0'));

async function decodeAll(topic: string) {
  const decode = registryDecoder(registry.url);
  const msgs = await readTopic(broker.bootstrap, topic);
  return Promise.all(msgs.map(async (m) => ({ key: m.key?.toString() ?? null, headers: m.headers, value: m.value ? await decode(m.value) : null })));
}

describe('publish: query pattern, trap types, real broker and registry', () => {
  it('PostgreSQL rows arrive exactly: int8 beyond 2^53, numeric(14,2), µs timestamptz, timestamp, uuid, jsonb, bytea, enum as text, NULLs, soft delete', async () => {
    const table = `pub_pg_${sfx}`;
    dropPg.push(table);
    await pgc.query(`CREATE TABLE ${table} (
      id bigint PRIMARY KEY, account_id uuid NOT NULL, amount numeric(14,2) NOT NULL, occurred_at timestamptz NOT NULL,
      booked_local timestamp NOT NULL, status text NOT NULL, attributes jsonb, signature bytea, note text,
      updated_at timestamptz NOT NULL, deleted_at timestamptz)`);
    await pgc.query(`INSERT INTO ${table} VALUES
      (9007199254740993, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 123456789012.34, '2024-03-10 12:34:56.123456+00', '2024-03-10 13:34:56.654321', 'BOOKED',
       '{"big": 12345678901234567890, "name": "ü"}', '\\xdeadbeef00', 'first', '2024-03-10 12:35:00.000001+00', NULL),
      (2, '00000000-0000-0000-0000-000000000001', -0.01, '2024-03-10 18:04:56.5+05:30', '1999-12-31 23:59:59.999999', 'PENDING',
       NULL, NULL, NULL, '2024-03-10 12:35:00.000001+00', NULL),
      (-9223372036854775807, 'ffffffff-ffff-ffff-ffff-ffffffffffff', 0, '1970-01-01 00:00:00+00', '1970-01-01 00:00:00', 'REVERSED',
       '[1, 2.50, "x"]', '\\x', '', '2024-03-11 00:00:00+00', NULL),
      (3, '11111111-2222-3333-4444-555555555555', 5, '2024-03-12 00:00:00+00', '2024-03-12 00:00:00', 'BOOKED',
       NULL, NULL, 'deleted later', '2024-03-12 00:00:00.5+00', '2024-03-12 00:00:00.5+00')`);
    const dir = tempDir('publish-pg');
    const topic = `ledger-pg-${sfx}`;
    writeFiles(dir, { 'entry.avsc': entrySchema('LedgerEntryWritten'), 'schemactl.yaml': catalog(queryStream(topic, 'entry.avsc', PG_URL, table)) });
    const r = await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    // a four-row table needs no index: no advice
    expect(logLines(r.stdout).filter((l) => l.level === 'warn')).toEqual([]);
    const got = await decodeAll(topic);
    expect(got).toHaveLength(4);
    // ordered by (updated_at, id): the two equal timestamps tie-break on id
    expect(got.map((m) => m.key)).toEqual(['2', '9007199254740993', '-9223372036854775807', '3']);
    const jsonText = (await pgc.query(`SELECT attributes::text AS a FROM ${table} WHERE id = 9007199254740993`)).rows[0].a as string;
    expect(jsonText).toContain('12345678901234567890');
    const [two, big, min, gone] = got;
    expect(big!.value).toMatchObject({
      id: 9007199254740993n, account_id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      occurred_at: micros('2024-03-10T12:34:56Z', '123456'), booked_local: micros('2024-03-10T13:34:56Z', '654321'),
      status: 'BOOKED', attributes: jsonText, note: 'first', updated_at: micros('2024-03-10T12:35:00Z', '000001'),
    });
    expect(unscaled(big!.value!.amount as Buffer)).toBe(12345678901234n);
    expect((big!.value!.signature as Buffer).toString('hex')).toBe('deadbeef00');
    expect(two!.value).toMatchObject({ id: 2n, occurred_at: micros('2024-03-10T12:34:56Z', '5'), booked_local: micros('1999-12-31T23:59:59Z', '999999'), status: 'PENDING', attributes: null, signature: null, note: null });
    expect(unscaled(two!.value!.amount as Buffer)).toBe(-1n);
    expect(min!.value).toMatchObject({ id: -9223372036854775807n, occurred_at: 0n, booked_local: 0n, status: 'REVERSED', attributes: '[1, 2.50, "x"]', note: '' });
    expect((min!.value!.signature as Buffer).length).toBe(0);
    expect(unscaled(min!.value!.amount as Buffer)).toBe(0n);
    // soft delete → tombstone with the row's key
    expect(gone).toEqual({ key: '3', headers: {}, value: null });

    // a second run publishes nothing new: the checkpoint sits after the last acknowledged row
    const again = await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir);
    expect(again.code).toBe(0);
    expect(await readTopic(broker.bootstrap, topic)).toHaveLength(4);
    // a change moves updated_at forward: only that row is published again
    await pgc.query(`UPDATE ${table} SET note = 'changed', updated_at = '2024-04-01 00:00:00+00' WHERE id = 2`);
    expect((await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir)).code).toBe(0);
    const after = await decodeAll(topic);
    expect(after).toHaveLength(5);
    expect(after[4]!.value).toMatchObject({ id: 2n, note: 'changed' });
  }, 60_000);

  it('MariaDB rows arrive exactly: BIGINT, DECIMAL(14,2), DATETIME(6), UUID, JSON, BLOB, ENUM, NULLs, soft delete', async () => {
    const table = `pub_my_${sfx}`;
    dropMy.push(table);
    await my.query(`CREATE TABLE ${table} (
      id BIGINT PRIMARY KEY, account_id UUID NOT NULL, amount DECIMAL(14,2) NOT NULL, occurred_at DATETIME(6) NOT NULL,
      booked_local DATETIME(6) NOT NULL, status ENUM('PENDING','BOOKED','REVERSED') NOT NULL, attributes JSON, signature BLOB, note TEXT,
      updated_at TIMESTAMP(6) NOT NULL, deleted_at DATETIME(6) NULL)`);
    await my.query("SET time_zone = '+00:00'");
    await my.query(`INSERT INTO ${table} VALUES
      (9007199254740993, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 123456789012.34, '2024-03-10 12:34:56.123456', '2024-03-10 13:34:56.654321', 'BOOKED',
       '{"big": 12345678901234567890, "name": "ü"}', X'DEADBEEF00', 'first', '2024-03-10 12:35:00.000001', NULL),
      (2, '00000000-0000-0000-0000-000000000001', -0.01, '2024-03-10 12:34:56.5', '1999-12-31 23:59:59.999999', 'PENDING',
       NULL, NULL, NULL, '2024-03-10 12:35:00.000001', NULL),
      (3, '11111111-2222-3333-4444-555555555555', 5, '2024-03-12 00:00:00', '2024-03-12 00:00:00', 'BOOKED',
       NULL, NULL, 'deleted later', '2024-03-12 00:00:00.5', '2024-03-12 00:00:00.5')`);
    const dir = tempDir('publish-my');
    const topic = `ledger-my-${sfx}`;
    writeFiles(dir, { 'entry.avsc': entrySchema('LedgerEntryWritten'), 'schemactl.yaml': catalog(queryStream(topic, 'entry.avsc', MY_URL, table)) });
    const r = await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const got = await decodeAll(topic);
    expect(got.map((m) => m.key)).toEqual(['2', '9007199254740993', '3']);
    const [two, big, gone] = got;
    expect(big!.value).toMatchObject({
      id: 9007199254740993n, account_id: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      occurred_at: micros('2024-03-10T12:34:56Z', '123456'), booked_local: micros('2024-03-10T13:34:56Z', '654321'),
      status: 'BOOKED', note: 'first', updated_at: micros('2024-03-10T12:35:00Z', '000001'),
    });
    // the JSON text as written: integers beyond 2^53 survive
    expect(big!.value!.attributes).toBe('{"big": 12345678901234567890, "name": "ü"}');
    expect(unscaled(big!.value!.amount as Buffer)).toBe(12345678901234n);
    expect((big!.value!.signature as Buffer).toString('hex')).toBe('deadbeef00');
    expect(two!.value).toMatchObject({ id: 2n, occurred_at: micros('2024-03-10T12:34:56Z', '5'), booked_local: micros('1999-12-31T23:59:59Z', '999999'), status: 'PENDING', attributes: null, signature: null, note: null });
    expect(unscaled(two!.value!.amount as Buffer)).toBe(-1n);
    expect(gone).toEqual({ key: '3', headers: {}, value: null });
  }, 60_000);
});

const paymentSchema = `{
  "type": "record", "name": "PaymentCaptured", "namespace": "com.acme.payments.v1", ${doc('A payment was captured.')},
  "fields": [
    { "name": "payment_id", "type": { "type": "string", "logicalType": "uuid" }, ${doc('The payment.')} },
    { "name": "amount", "type": { "type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2 }, ${doc('Captured amount.')} },
    ${ts('updated_at')}
  ]
}`;
const refundSchema = `{
  "type": "record", "name": "RefundIssued", "namespace": "com.acme.payments.v1", ${doc('A refund was issued.')},
  "fields": [
    { "name": "payment_id", "type": { "type": "string", "logicalType": "uuid" }, ${doc('The refunded payment.')} },
    { "name": "reason_code", "type": { "type": "enum", "name": "RefundReason", "symbols": ["UNKNOWN", "DAMAGED", "LATE"], "default": "UNKNOWN", ${doc('Why.')} }, "default": "UNKNOWN", ${doc('Why it was refunded.')} },
    ${ts('updated_at')}
  ]
}`;

function outboxCatalog(prefix: string, connection: string, table: string): string {
  return catalog(`  - topic: ${prefix}.payment-captured
    kind: store
    schema: payment.avsc
    key: payment_id
    source:
      connection: ${connection}
      pattern: outbox
      table: ${table}
      route: ${prefix}.$\${routedByValue}
      dead_letter: dead/outbox.ndjson
  - topic: ${prefix}.refund-issued
    kind: store
    schema: refund.avsc
    key: payment_id
`);
}

const P1 = 'aaaaaaaa-0000-4000-8000-000000000001';
const P2 = 'aaaaaaaa-0000-4000-8000-000000000002';
const outboxRows: Array<[string, string, string, string, string | null, string]> = [
  ['1', 'payment-captured', P1, 'PaymentCaptured', `{"payment_id": "${P1}", "amount": "12.50", "updated_at": "2024-05-01 10:00:00.000001+00"}`, '2024-05-01 10:00:00.000001'],
  ['2', 'refund-issued', P1, 'RefundIssued', `{"payment_id": "${P1}", "reason_code": "DAMAGED", "updated_at": "2024-05-01 10:00:01+00"}`, '2024-05-01 10:00:01'],
  // invalid: an amount with more decimals than the schema's scale would be rounded
  ['3', 'payment-captured', P2, 'PaymentCaptured', `{"payment_id": "${P2}", "amount": "1.005", "updated_at": "2024-05-01 10:00:02+00"}`, '2024-05-01 10:00:02'],
  ['4', 'payment-captured', P2, 'PaymentCaptured', `{"payment_id": "${P2}", "amount": 99999999.99, "updated_at": "2024-05-01 10:00:03+00"}`, '2024-05-01 10:00:03'],
  // routed to a topic that is not in the catalog
  ['5', 'chargeback', P2, 'Chargeback', `{"payment_id": "${P2}"}`, '2024-05-01 10:00:04'],
  // a delete event: null payload → tombstone for the aggregate
  ['6', 'refund-issued', P2, 'RefundDeleted', null, '2024-05-01 10:00:05'],
];

async function checkOutbox(prefix: string, dir: string, countLeft: () => Promise<number>): Promise<void> {
  const r = await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir);
  // dead letters make the run exit 1 (findings), the rest is published
  expect(r.code, r.stdout + r.stderr).toBe(1);
  const pay = await decodeAll(`${prefix}.payment-captured`);
  expect(pay.map((m) => [m.key, m.headers.id, m.headers.type])).toEqual([[P1, '1', 'PaymentCaptured'], [P2, '4', 'PaymentCaptured']]);
  expect(unscaled(pay[0]!.value!.amount as Buffer)).toBe(1250n);
  expect(pay[0]!.value!.updated_at).toBe(micros('2024-05-01T10:00:00Z', '000001'));
  expect(unscaled(pay[1]!.value!.amount as Buffer)).toBe(9999999999n);
  const refunds = await decodeAll(`${prefix}.refund-issued`);
  expect(refunds.map((m) => [m.key, m.headers.id])).toEqual([[P1, '2'], [P2, '6']]);
  expect(refunds[0]!.value).toMatchObject({ payment_id: P1, reason_code: 'DAMAGED' });
  expect(refunds[1]!.value).toBeNull();
  expect(await readTopic(broker.bootstrap, `${prefix}.chargeback`)).toEqual([]);
  const dead = readFileSync(path.join(dir, 'dead/outbox.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { position: string; reason: string; field?: string });
  expect(dead).toHaveLength(2);
  expect(dead[0]!.position).toMatch(/\(id=3\)/);
  expect(dead[0]!.field).toBe('amount');
  expect(dead[0]!.reason).toMatch(/1\.005.*rounded/);
  expect(dead[1]!.position).toMatch(/\(id=5\)/);
  expect(dead[1]!.reason).toMatch(/chargeback.*not a catalog stream/);
  // every handled row (published or dead-lettered) was deleted after the broker's ack
  expect(await countLeft()).toBe(0);
}

describe('publish: outbox pattern', () => {
  it('PostgreSQL: routes by aggregate type, keys by aggregate id, carries the id header, validates payloads, deletes after ack', async () => {
    const table = `pub_ob_${sfx}`;
    dropPg.push(table);
    await pgc.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload jsonb, timestamp timestamptz NOT NULL)`);
    for (const [id, at, aid, type, payload, t] of outboxRows) {
      await pgc.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4, $5, ($6 || '+00')::timestamptz)`, [id, at, aid, type, payload, t]);
    }
    const dir = tempDir('publish-ob-pg');
    const prefix = `obpg${sfx}`;
    writeFiles(dir, { 'payment.avsc': paymentSchema, 'refund.avsc': refundSchema, 'schemactl.yaml': outboxCatalog(prefix, PG_URL, table) });
    await checkOutbox(prefix, dir, async () => Number((await pgc.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n));
  }, 60_000);

  it('MariaDB: the same outbox contract', async () => {
    const table = `pub_ob_${sfx}`;
    dropMy.push(table);
    await my.query(`CREATE TABLE ${table} (id BIGINT PRIMARY KEY, aggregatetype VARCHAR(64) NOT NULL, aggregateid VARCHAR(64) NOT NULL, type VARCHAR(64) NOT NULL, payload JSON, timestamp DATETIME(6) NOT NULL)`);
    for (const row of outboxRows) await my.query(`INSERT INTO ${table} VALUES (?, ?, ?, ?, ?, ?)`, row);
    const dir = tempDir('publish-ob-my');
    const prefix = `obmy${sfx}`;
    writeFiles(dir, { 'payment.avsc': paymentSchema, 'refund.avsc': refundSchema, 'schemactl.yaml': outboxCatalog(prefix, MY_URL, table) });
    await checkOutbox(prefix, dir, async () => Number(((await my.query(`SELECT COUNT(*) AS n FROM ${table}`))[0] as Array<{ n: number }>)[0]!.n));
  }, 60_000);
});

describe('publish: the gate', () => {
  let table: string;
  beforeAll(async () => {
    table = `pub_gate_${sfx}`;
    dropPg.push(table);
    await pgc.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, note text, updated_at timestamptz NOT NULL)`);
    await pgc.query(`INSERT INTO ${table} SELECT g, 'n' || g, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second' FROM generate_series(1, 5) g`);
    await pgc.query(`CREATE INDEX ON ${table} (updated_at, id)`);
  });
  const noteSchema = (name: string, withUpdatedAt = true, extra = '') => `{
  "type": "record", "name": "${name}", "namespace": "com.acme.notes.v1", ${doc('A note changed.')},
  "fields": [
    { "name": "id", "type": "long", ${doc('Note id.')} },
    { "name": "note", "type": ["null", "string"], "default": null, ${doc('Text.')} }${withUpdatedAt ? `,\n    ${ts('updated_at')}` : ''}${extra}
  ]
}`;
  const stream = (topic: string, schema: string) => `  - topic: ${topic}
    kind: store
    schema: ${schema}
    key: id
    source:
      connection: ${PG_URL}
      table: ${table}
`;

  it('a lint error refuses the stream: exit 1, the findings printed, nothing on any topic; --keep-going publishes the others', async () => {
    const dir = tempDir('publish-gate');
    const good = `gate-good-${sfx}`;
    const bad = `gate-bad-${sfx}`;
    writeFiles(dir, { 'good.avsc': noteSchema('NoteChanged'), 'bad.avsc': noteSchema('NoteTouched', false), 'schemactl.yaml': catalog(stream(good, 'good.avsc') + stream(bad, 'bad.avsc')) });
    const r = await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'text'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`✖ ${bad}: refused by the gate`);
    expect(r.stderr).toMatch(/bad\.avsc:\d+:\d+\s+require-updated-at/);
    expect(r.stdout).toMatch(new RegExp(`skipped\\s+${good}.*--keep-going`));
    expect(await readTopic(broker.bootstrap, good)).toEqual([]);
    expect(await readTopic(broker.bootstrap, bad)).toEqual([]);
    expect(existsSync(path.join(dir, '.schemactl/state')) ? readdirSync(path.join(dir, '.schemactl/state')) : []).toEqual([]);

    const k = await cli(['--once', '--keep-going', '--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'text'], dir);
    expect(k.code).toBe(1);
    expect(k.stdout).toMatch(new RegExp(`published\\s+${good}.*5 read, 5 published`));
    expect(k.stdout).toMatch(new RegExp(`refused\\s+${bad}`));
    expect(await readTopic(broker.bootstrap, good)).toHaveLength(5);
    expect(await readTopic(broker.bootstrap, bad)).toEqual([]);
  }, 60_000);

  it('an incompatible change against the registered version refuses the stream and publishes nothing', async () => {
    const dir = tempDir('publish-compat');
    const topic = `gate-compat-${sfx}`;
    writeFiles(dir, { 'note.avsc': noteSchema('NoteChanged'), 'schemactl.yaml': catalog(stream(topic, 'note.avsc')) });
    expect((await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir)).code).toBe(0);
    expect(await readTopic(broker.bootstrap, topic)).toHaveLength(5);
    // a new required field without a default cannot read old data: BACKWARD-incompatible
    writeFiles(dir, { 'note.avsc': noteSchema('NoteChanged', true, `,\n    { "name": "author_id", "type": "long", ${doc('Who.')} }`) });
    await pgc.query(`UPDATE ${table} SET updated_at = '2024-02-01 00:00:00+00' WHERE id = 1`);
    const r = await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'text'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused by the gate/);
    expect(r.stderr).toMatch(/author_id/);
    expect(r.stderr).toMatch(/BACKWARD/);
    expect(await readTopic(broker.bootstrap, topic)).toHaveLength(5);
    const versions = (await (await fetch(`${registry.url}/subjects/${topic}-value/versions`)).json()) as number[];
    expect(versions).toEqual([1]);
  }, 60_000);

  it('a large table without an index leading with the timestamp gets one warning with the CREATE INDEX to run', async () => {
    const big = `pub_noidx_${sfx}`;
    dropPg.push(big);
    await pgc.query(`CREATE TABLE ${big} (id bigint PRIMARY KEY, note text, updated_at timestamptz NOT NULL)`);
    await pgc.query(`INSERT INTO ${big} SELECT g, NULL, '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 millisecond' FROM generate_series(1, 10000) g`);
    const dir = tempDir('publish-noidx');
    const topic = `gate-noidx-${sfx}`;
    writeFiles(dir, { 'note.avsc': noteSchema('NoteChanged'), 'schemactl.yaml': catalog(stream(topic, 'note.avsc').replace(table, big)) });
    const r = await cli(['--once', '--dry-run', '--brokers', broker.bootstrap, '--registry', registry.url], dir);
    expect(r.code, r.stderr).toBe(0);
    const advice = logLines(r.stdout).filter((l) => l.level === 'warn');
    expect(advice.map((l) => l.msg)).toEqual([
      `${big} has no index leading with updated_at: every page scans and sorts the whole table. Create one: CREATE INDEX ON "${big}" ("updated_at", "id")`,
    ]);
    await pgc.query(`CREATE INDEX ON ${big} (updated_at, id)`);
    const again = await cli(['--once', '--dry-run', '--brokers', broker.bootstrap, '--registry', registry.url], dir);
    expect(logLines(again.stdout).filter((l) => l.level === 'warn')).toEqual([]);
  }, 60_000);

  it('--dry-run maps and validates every row but produces nothing and moves no checkpoint', async () => {
    const dir = tempDir('publish-dry');
    const topic = `gate-dry-${sfx}`;
    writeFiles(dir, { 'note.avsc': noteSchema('NoteChanged'), 'schemactl.yaml': catalog(stream(topic, 'note.avsc')) });
    const r = await cli(['--once', '--dry-run', '--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'text'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Dry run \(nothing produced\)/);
    expect(r.stdout).toMatch(/5 read, 0 published/);
    expect(await readTopic(broker.bootstrap, topic)).toEqual([]);
    expect(existsSync(path.join(dir, '.schemactl/state'))).toBe(false);
    // nothing registered either
    expect((await fetch(`${registry.url}/subjects/${topic}-value/versions`)).status).toBe(404);
    // the real run afterwards starts from the beginning
    expect((await cli(['--once', '--brokers', broker.bootstrap, '--registry', registry.url], dir)).code).toBe(0);
    expect(await readTopic(broker.bootstrap, topic)).toHaveLength(5);
  }, 60_000);
});
