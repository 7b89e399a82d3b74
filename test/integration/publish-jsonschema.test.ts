// `schemactl publish` for a JSON Schema stream, end to end: rows of the machine's PostgreSQL → the gate
// (lint with its JSON Schema warning, compatibility, registration with the `$ref`ed file as a reference)
// on a served registry → a real Kafka broker, in the Confluent wire format (magic byte 0, 4-byte schema
// id, UTF-8 JSON). Every event read back is decoded and validated by an independent consumer, the
// Confluent JSON deserializer with validation on, from what the registry serves for the schema id; a row
// that does not validate goes to the dead-letter file with its field and reason, never to the topic.
import { JsonDeserializer, SchemaRegistryClient, SerdeType } from '@confluentinc/schemaregistry';
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/liberation/publish.js';
import { decodeFrame } from '../../src/registry/wire.js';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `pj_${process.pid}_${Date.now() % 100000}`;

const ADDRESS = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { city: { type: 'string' }, postal_code: { type: 'string', maxLength: 10 } },
  required: ['city'],
  additionalProperties: false,
}, null, 2);

const ORDER = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'OrderPlaced',
  description: 'An order was placed.',
  type: 'object',
  properties: {
    id: { type: 'integer', description: 'Order id.' },
    total: { type: 'number', description: 'Total in euros.' },
    status: { type: 'string', enum: ['PLACED', 'PAID', 'SHIPPED'], description: 'Where the order is.' },
    paid: { type: 'boolean', description: 'Whether it is paid.' },
    coupon: { type: ['string', 'null'], description: 'Coupon, when one was used.' },
    ship_to: { $ref: 'address.json', description: 'Where to ship.' },
    updated_at: { type: 'string', format: 'date-time', description: 'Last change.' },
  },
  required: ['id', 'total', 'status', 'paid', 'updated_at'],
  additionalProperties: false,
}, null, 2);

let broker: SharedKafka;
let served: ServedRegistry;
let dir: string;
const admin = new pg.Client({ connectionString: PG_URL });

beforeAll(async () => {
  dir = mkdtempSync(join(process.cwd(), 'test/.work-publish-json-'));
  [broker, served] = await Promise.all([
    sharedKafka(),
    serveRegistry({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'registry') }),
  ]);
  await admin.connect();
  await admin.query(`CREATE TABLE ${run}_orders (
    id bigint PRIMARY KEY, total numeric(12,2) NOT NULL, status text NOT NULL, paid boolean NOT NULL, coupon text,
    ship_to jsonb, updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${run}_orders VALUES
    (9007199254740993, 12.50, 'PAID', true, NULL, '{"city":"Oslo","postal_code":"0150"}', '2024-01-01 00:00:00.000001+00'),
    (2, 0.10, 'SHIPPED', false, 'WELCOME', NULL, '2024-01-01 00:00:01+00'),
    (3, 1, 'REFUNDED', false, NULL, NULL, '2024-01-01 00:00:02+00'),
    (4, 5, 'PLACED', false, NULL, '{"postal_code":"12345678901"}', '2024-01-01 00:00:03+00')`);
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  writeFileSync(join(dir, 'schemas/order_placed.json'), ORDER);
  writeFileSync(join(dir, 'schemas/address.json'), ADDRESS);
  writeFileSync(join(dir, 'schemactl.yaml'), `streams:
  - topic: ${run}.orders
    kind: store
    schema: schemas/order_placed.json
    schema_type: JSON
    key: id
    source:
      connection: ${PG_URL}
      pattern: query
      table: ${run}_orders
      timestamp: updated_at
      id: id
      dead_letter: dead/orders.ndjson
`);
}, 180_000);

afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${run}_orders`).catch(() => {});
  await admin.end().catch(() => {});
  await served?.close();
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function readAll(topic: string, expected: number, timeoutMs = 30_000): Promise<Array<{ key: string | null; value: Buffer }>> {
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({ groupId: `verify-${topic}-${Date.now()}`, clientId: 'verify', bootstrapBrokers: [broker.bootstrap] });
  const out: Array<{ key: string | null; value: Buffer }> = [];
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200 });
  const deadline = setTimeout(() => void stream.close(), timeoutMs);
  for await (const m of stream) {
    out.push({ key: m.key ? m.key.toString() : null, value: m.value });
    if (out.length >= expected) break;
  }
  clearTimeout(deadline);
  await stream.close();
  await consumer.close(true);
  return out;
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(served.url + path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe('publish a JSON Schema stream', () => {
  let outcome: Awaited<ReturnType<typeof publish>>;

  beforeAll(async () => {
    outcome = await publish({ cwd: dir, once: true, brokers: [broker.bootstrap], registryUrl: served.url, stateDir: join(dir, 'state') });
  }, 120_000);

  it('passes the gate and registers the $ref\'d file as its own subject, referenced by the event', async () => {
    expect(outcome.streams.map((s) => [s.topic, s.status, s.error])).toEqual([[`${run}.orders`, 'published', undefined]]);
    const latest = await getJson<{ schemaType: string; references: unknown[]; schema: string }>(`/subjects/${run}.orders-value/versions/latest`);
    expect(latest.schemaType).toBe('JSON');
    expect(latest.references).toEqual([{ name: 'address.json', subject: 'address.json', version: 1 }]);
    expect(JSON.parse(latest.schema)).toEqual(JSON.parse(ORDER));
  });

  it('publishes the valid rows in the Confluent wire format, which the Confluent JSON deserializer validates and decodes', async () => {
    const got = await readAll(`${run}.orders`, 2);
    expect(got).toHaveLength(2);
    expect(got.map((m) => m.key)).toEqual(['9007199254740993', '2']);
    const frames = got.map((m) => decodeFrame(m.value));
    expect(got.every((m) => m.value[0] === 0)).toBe(true);
    expect(frames.map((f) => f.schemaId)).toEqual([outcome.streams[0]!.schemaId, outcome.streams[0]!.schemaId]);
    // the payload is UTF-8 JSON with the row's exact digits (an int8 beyond 2^53, a numeric as written)
    expect(frames[0]!.payload.toString('utf8')).toBe(
      '{"id":9007199254740993,"total":12.50,"status":"PAID","paid":true,"coupon":null,"ship_to":{"city":"Oslo","postal_code":"0150"},"updated_at":"2024-01-01T00:00:00.000001+00:00"}',
    );
    const client = new SchemaRegistryClient({ baseURLs: [served.url] });
    // formats are annotations here (no format plugin is installed on either side); the types, enums and limits are validated
    const deserializer = new JsonDeserializer(client, SerdeType.VALUE, { validate: true, strict: false });
    const decoded = await Promise.all(got.map((m) => deserializer.deserialize(`${run}.orders`, m.value) as Promise<Record<string, unknown>>));
    expect(decoded[1]).toEqual({ id: 2, total: 0.1, status: 'SHIPPED', paid: false, coupon: 'WELCOME', updated_at: '2024-01-01T00:00:01+00:00' });
    expect(decoded[0]).toMatchObject({ total: 12.5, status: 'PAID', ship_to: { city: 'Oslo', postal_code: '0150' } });
  });

  it('dead-letters the rows that do not validate, with the field and the reason, and exits 1', () => {
    const dead = readFileSync(join(dir, 'dead/orders.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { field?: string; reason: string });
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({ field: 'status' });
    expect(dead[0]!.reason).toMatch(/does not validate against the JSON Schema: \/status must be equal to one of the allowed values/);
    expect(dead[1]).toMatchObject({ field: 'ship_to' });
    expect(dead[1]!.reason).toMatch(/\/ship_to/);
    expect(outcome.exitCode).toBe(1);
  });

  it('refuses an incompatible change before reading a row (a property removed from a closed object)', async () => {
    writeFileSync(join(dir, 'schemas/order_placed.json'), ORDER.replace(/\s*"coupon": \{[^}]*\},/, ''));
    const refused = await publish({ cwd: dir, once: true, brokers: [broker.bootstrap], registryUrl: served.url, stateDir: join(dir, 'state') });
    expect(refused.streams[0]).toMatchObject({ status: 'refused' });
    expect(refused.streams[0]!.findings.map((f) => f.ruleId)).toContain('json-property-removed-from-closed-content-model');
    expect(await getJson<number[]>(`/subjects/${run}.orders-value/versions`)).toEqual([1]);
    writeFileSync(join(dir, 'schemas/order_placed.json'), ORDER);
  });
});
