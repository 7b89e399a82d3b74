// `schemactl publish` for Protobuf streams, end to end: rows of the machine's PostgreSQL → the gate
// (lint, compatibility, registration with imports as references) on a served registry → a real Kafka
// broker. Every message read back is decoded by a third party from what the registry serves for the
// message's schema id, and compared with the rows.
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publish } from '../../src/liberation/publish.js';
import { protobufCanonicalString } from '../../src/registry/canonical/protobuf.js';
import { decodeFrame } from '../../src/registry/wire.js';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `pp_${process.pid}_${Date.now() % 100000}`;

const ADDRESS = `syntax = "proto3";
package acme.common.v1;

// A postal address.
message Address {
  // City name.
  string city = 1;
  // Postal code.
  string postal_code = 2;
}
`;

// The first top-level message, so that the [0] shortcut is on the wire (all @kafkajs/confluent-schema-registry
// reads). No well-known imports here: that library parses only the schema and its registered references.
const ORDER = `syntax = "proto3";
package acme.shop.v1;

import "acme/common/v1/address.proto";

// An order was placed.
message OrderPlaced {
  // Order id.
  int64 id = 1;
  // Loyalty points, unsigned 64-bit.
  uint64 points = 2;
  // Whether it is paid.
  bool paid = 3;
  // Opaque signature.
  bytes signature = 4;
  // Where the order is.
  OrderStatus status = 5;
  // Free labels.
  repeated string labels = 6;
  // Where to ship.
  acme.common.v1.Address ship_to = 7;
  // Counters by name.
  map<string, int64> counters = 8;
  // Coupon code, when one was used.
  optional string coupon = 9;
  // Discount ratio.
  double discount_ratio = 10;
}

// Status of an order.
enum OrderStatus {
  // Unknown.
  ORDER_STATUS_UNSPECIFIED = 0;
  // Paid.
  ORDER_STATUS_PAID = 1;
  // Shipped.
  ORDER_STATUS_SHIPPED = 2;
}
`;

// The event is the second top-level message: message indexes [1] on the wire.
const PAYMENT = `syntax = "proto3";
package acme.pay.v1;

import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/type/date.proto";
import "google/type/money.proto";

// A card used for a payment.
message Card {
  // Last four digits.
  string last4 = 1;
}

// A payment was captured.
message PaymentCaptured {
  // Payment id.
  int64 payment_id = 1;
  // Amount captured.
  google.type.Money amount = 2;
  // Booking day.
  google.type.Date booked_on = 3;
  // Note by the clerk, when there is one.
  google.protobuf.StringValue note = 4;
  // How it was paid.
  PaymentMethod method = 5;
  // The card, for card payments.
  Card card = 6;
  // Last change.
  google.protobuf.Timestamp updated_at = 7;
}

// Payment method.
enum PaymentMethod {
  // Unknown.
  PAYMENT_METHOD_UNSPECIFIED = 0;
  // Card.
  PAYMENT_METHOD_CARD = 1;
  // SEPA transfer.
  PAYMENT_METHOD_SEPA = 2;
}
`;

let broker: SharedKafka;
let served: ServedRegistry;
let dir: string;
const admin = new pg.Client({ connectionString: PG_URL });

beforeAll(async () => {
  dir = mkdtempSync(join(process.cwd(), 'test/.work-publish-protobuf-'));
  [broker, served] = await Promise.all([
    sharedKafka(),
    serveRegistry({ port: 0, host: '127.0.0.1', dataDir: join(dir, 'registry') }),
  ]);
  await admin.connect();
  await admin.query(`CREATE TABLE ${run}_orders (
    id bigint PRIMARY KEY, points numeric(20,0) NOT NULL, paid boolean NOT NULL, signature bytea NOT NULL, status text NOT NULL,
    labels text[] NOT NULL, ship_to jsonb, counters jsonb NOT NULL, coupon text, discount_ratio double precision NOT NULL,
    updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${run}_orders VALUES
    (9007199254740993, 18446744073709551615, true, '\\x00ff', 'ORDER_STATUS_PAID', '{a,"b c"}', '{"city":"Oslo","postal_code":"0150"}',
     '{"n": "9223372036854775807"}', NULL, 0.1, '2024-01-01 00:00:00.000001+00'),
    (2, 0, false, '', 'ORDER_STATUS_SHIPPED', '{}', NULL, '{}', 'WELCOME', -2.5, '2024-01-01 00:00:00.000002+00')`);
  await admin.query(`CREATE TABLE ${run}_payments (
    id bigint PRIMARY KEY, amount numeric(30,9) NOT NULL, currency char(3) NOT NULL, booked_on date NOT NULL, note text,
    method text NOT NULL, card jsonb, updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${run}_payments VALUES
    (1, -12.340000000, 'EUR', '2024-02-29', NULL, 'PAYMENT_METHOD_CARD', '{"last4":"4242"}', '1969-12-31 23:59:59.999999+00'),
    (2, 92233720368547758.070000000, 'USD', '0001-01-01', '', 'PAYMENT_METHOD_SEPA', NULL, '2024-02-29 12:34:56.123456+00'),
    (3, 1, 'USD', '2024-03-01', 'x', 'CASH', NULL, '2024-03-01 00:00:00+00')`);
  // Money needs its currency: the view hands the amount over the way the mapper reads google.type.Money
  await admin.query(`CREATE VIEW ${run}_payments_v AS SELECT id, amount::text || ' ' || currency AS amount, booked_on, note, method, card, updated_at FROM ${run}_payments`);

  mkdirSync(join(dir, 'protos/acme/common/v1'), { recursive: true });
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  writeFileSync(join(dir, 'protos/acme/common/v1/address.proto'), ADDRESS);
  writeFileSync(join(dir, 'schemas/order_placed.proto'), ORDER);
  writeFileSync(join(dir, 'schemas/payment_captured.proto'), PAYMENT);
  writeFileSync(join(dir, 'schemactl.yaml'), `streams:
  - topic: ${run}.orders
    kind: store
    schema: schemas/order_placed.proto
    key: id
    source:
      connection: ${PG_URL}
      pattern: query
      table: ${run}_orders
      timestamp: updated_at
      id: id
  - topic: ${run}.payments
    kind: store
    schema: schemas/payment_captured.proto#acme.pay.v1.PaymentCaptured
    key: payment_id
    source:
      connection: ${PG_URL}
      pattern: query
      table: ${run}_payments_v
      timestamp: updated_at
      id: id
      mapping: { id: payment_id }
      dead_letter: dead/payments.ndjson
include_paths: [protos/]
overrides:
  # the kafkajs-decoded stream cannot import google/protobuf/timestamp.proto (see ORDER above)
  - files: ["schemas/order_placed.proto"]
    rules: { require-updated-at: off }
`);
}, 180_000);

afterAll(async () => {
  await admin.query(`DROP VIEW IF EXISTS ${run}_payments_v; DROP TABLE IF EXISTS ${run}_payments; DROP TABLE IF EXISTS ${run}_orders`).catch(() => {});
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

// Public shapes of the two Google common types, written independently of the ones schemactl embeds.
const GOOGLE_TYPE: Record<string, string> = {
  'google/type/date.proto': 'syntax = "proto3"; package google.type; message Date { int32 year = 1; int32 month = 2; int32 day = 3; }',
  'google/type/money.proto': 'syntax = "proto3"; package google.type; message Money { string currency_code = 1; int64 units = 2; int32 nanos = 3; }',
};

describe('publish a Protobuf stream', () => {
  let outcome: Awaited<ReturnType<typeof publish>>;

  beforeAll(async () => {
    outcome = await publish({ cwd: dir, once: true, brokers: [broker.bootstrap], registryUrl: served.url, stateDir: join(dir, 'state') });
  }, 120_000);

  it('passes the gate, registers the import as its own subject and the event with a reference to it', async () => {
    expect(outcome.streams.map((s) => [s.topic, s.status, s.error])).toEqual([[`${run}.orders`, 'published', undefined], [`${run}.payments`, 'published', undefined]]);
    const orders = await getJson<{ id: number; schemaType: string; references: unknown[] }>(`/subjects/${run}.orders-value/versions/latest`);
    expect(orders.schemaType).toBe('PROTOBUF');
    expect(orders.references).toEqual([{ name: 'acme/common/v1/address.proto', subject: 'acme/common/v1/address.proto', version: 1 }]);
    const address = await getJson<{ schema: string }>(`/subjects/${encodeURIComponent('acme/common/v1/address.proto')}/versions/1`);
    // the registry keeps the canonical text of the parsed file (as Confluent's registry does): comments go
    expect(address.schema).toBe(protobufCanonicalString(ADDRESS));
    // well-known imports are not references
    expect((await getJson<{ references?: unknown[] }>(`/subjects/${run}.payments-value/versions/latest`)).references ?? []).toEqual([]);
  });

  it('publishes order rows that @kafkajs/confluent-schema-registry decodes to exactly the row values', async () => {
    const got = await readAll(`${run}.orders`, 2);
    expect(got).toHaveLength(2);
    const registry = new SchemaRegistry({ host: served.url });
    const decoded = await Promise.all(got.map(async (m) => JSON.parse(JSON.stringify(await registry.decode(m.value))) as unknown));
    expect(got.map((m) => m.key)).toEqual(['9007199254740993', '2']);
    expect(got.map((m) => decodeFrame(m.value, { protobuf: true }).messageIndexes)).toEqual([[0], [0]]);
    expect(decoded).toEqual([
      {
        id: '9007199254740993', points: '18446744073709551615', paid: true, signature: Buffer.from([0, 255]).toString('base64'),
        status: 'ORDER_STATUS_PAID', labels: ['a', 'b c'], shipTo: { city: 'Oslo', postalCode: '0150' }, counters: { n: '9223372036854775807' },
        discountRatio: 0.1,
      },
      { id: '2', status: 'ORDER_STATUS_SHIPPED', coupon: 'WELCOME', discountRatio: -2.5 },
    ]);
  });

  it('publishes payments with Money, Date, Timestamp and wrappers at message index [1], and dead-letters the unknown enum symbol', async () => {
    const got = await readAll(`${run}.payments`, 2);
    expect(got).toHaveLength(2);
    const frames = got.map((m) => decodeFrame(m.value, { protobuf: true }));
    expect(frames.map((f) => f.messageIndexes)).toEqual([[1], [1]]);
    // decode with the schema text the registry serves for the id in the frame
    const byId = await getJson<{ schema: string; references?: unknown[] }>(`/schemas/ids/${frames[0]!.schemaId}`);
    expect(byId.schema).toBe(protobufCanonicalString(PAYMENT));
    const root = new protobuf.Root();
    protobuf.parse(byId.schema, root, { keepCase: true });
    for (const [file, text] of Object.entries(GOOGLE_TYPE)) if (byId.schema.includes(`"${file}"`)) protobuf.parse(text, root, { keepCase: true });
    for (const file of ['google/protobuf/timestamp.proto', 'google/protobuf/wrappers.proto']) root.addJSON(protobuf.common.get(file)!.nested!);
    root.resolveAll();
    const top = root.lookup('acme.pay.v1') as protobuf.Namespace;
    const type = top.nestedArray.filter((n) => n instanceof protobuf.Type)[frames[0]!.messageIndexes![0]!] as protobuf.Type;
    expect(type.fullName).toBe('.acme.pay.v1.PaymentCaptured');
    const decoded = frames.map((f) => type.toObject(type.decode(f.payload), { longs: String, enums: String }));
    expect(got.map((m) => m.key)).toEqual(['1', '2']);
    expect(decoded).toEqual([
      {
        payment_id: '1', amount: { currency_code: 'EUR', units: '-12', nanos: -340000000 }, booked_on: { year: 2024, month: 2, day: 29 },
        method: 'PAYMENT_METHOD_CARD', card: { last4: '4242' }, updated_at: { seconds: '-1', nanos: 999999000 },
      },
      {
        payment_id: '2', amount: { currency_code: 'USD', units: '92233720368547758', nanos: 70000000 }, booked_on: { year: 1, month: 1, day: 1 },
        note: {}, method: 'PAYMENT_METHOD_SEPA', updated_at: { seconds: '1709210096', nanos: 123456000 },
      },
    ]);
    const dead = readFileSync(join(dir, 'dead/payments.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { field?: string; reason: string });
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ field: 'method' });
    expect(dead[0]!.reason).toMatch(/'CASH' is not a symbol of enum acme\.pay\.v1\.PaymentMethod/);
    expect(outcome.exitCode).toBe(1);
  });

  it('refuses an incompatible change before reading a row, and finds the registered schema again on a re-run', async () => {
    const again = await publish({ cwd: dir, once: true, brokers: [broker.bootstrap], registryUrl: served.url, stateDir: join(dir, 'state') });
    expect(again.streams.map((s) => s.status)).toEqual(['published', 'published']);
    expect(again.streams.map((s) => s.schemaId)).toEqual(outcome.streams.map((s) => s.schemaId));
    expect(await getJson<number[]>(`/subjects/${run}.orders-value/versions`)).toEqual([1]);

    await fetch(`${served.url}/config/${run}.orders-value`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ compatibility: 'BACKWARD' }) });
    writeFileSync(join(dir, 'schemas/order_placed.proto'), ORDER.replace('  uint64 points = 2;', '  string points = 2;'));
    const refused = await publish({ cwd: dir, once: true, topics: [`${run}.orders`], brokers: [broker.bootstrap], registryUrl: served.url, stateDir: join(dir, 'state') });
    expect(refused.streams[0]).toMatchObject({ status: 'refused' });
    expect(refused.streams[0]!.findings.map((f) => f.ruleId)).toEqual(expect.arrayContaining([expect.stringMatching(/^proto-field-.*kind-changed$/)]));
    expect(await getJson<number[]>(`/subjects/${run}.orders-value/versions`)).toEqual([1]);
    writeFileSync(join(dir, 'schemas/order_placed.proto'), ORDER);
  });
});
