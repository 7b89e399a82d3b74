// Dead letters on a topic, as a consumer sees them: `schemactl publish` (the built binary) sends a row
// that does not fit the schema to `dead_letter: topic:…`, keyed by the row's key, as an Avro record of
// the registered dead-letter schema; kafkajs' registry client decodes it with nothing but the registry.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { DEAD_LETTER_SCHEMA } from '../../src/liberation/dead-letter.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { buildPublisherCli, PG_URL, readTopic, registryDecoder, runPublisher, tempDir, writeFiles } from '../support/publisher.js';

const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
const table = `dlq_rows_${sfx}`;
let broker: SharedKafka;
let registry: ServedRegistry;
const admin = new pg.Client({ connectionString: PG_URL });

beforeAll(async () => {
  const work = tempDir('dead-letter-topic');
  await admin.connect();
  [broker, registry] = await Promise.all([
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]);
}, 240_000);

afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  await admin.end();
  await registry?.close();
  await broker?.stop();
});

it('a row that does not fit goes to the dead-letter topic keyed by its key, readable through the registry', async () => {
  await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, label text, updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${table} VALUES (1, 'fine', '2026-01-01 00:00:00+00'), (2, NULL, '2026-01-01 00:00:01+00'), (3, 'fine', '2026-01-01 00:00:02+00')`);
  const dir = tempDir('dlq');
  const topic = `dlq-items-${sfx}`;
  writeFiles(dir, {
    'item.avsc': JSON.stringify({
      type: 'record', name: 'Item', namespace: 'test.dlq.v1', doc: 'An item.',
      fields: [
        { name: 'id', type: 'long', doc: 'Key.' },
        { name: 'label', type: 'string', doc: 'Never NULL in the schema.' },
        { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' },
      ],
    }),
    'schemactl.yaml': `streams:
  - topic: ${topic}
    kind: store
    schema: item.avsc
    key: id
    source:
      connection: ${PG_URL}
      table: ${table}
      dead_letter: topic:${topic}.dlq
`,
  });
  const r = await runPublisher(['--brokers', broker.bootstrap, '--registry', registry.url, '--once'], { cwd: dir });
  // a dead-lettered row makes the run exit 1 (findings), having published the rest
  expect(r.code, r.stderr).toBe(1);
  const events = await readTopic(broker.bootstrap, topic);
  expect(events.map((m) => m.key?.toString())).toEqual(['1', '3']);
  const dead = await readTopic(broker.bootstrap, `${topic}.dlq`);
  expect(dead).toHaveLength(1);
  expect(dead[0]!.key?.toString()).toBe('2');
  const value = await registryDecoder(registry.url)(dead[0]!.value!);
  expect(value).toMatchObject({ stream: topic, field: 'label', row: { id: '2', label: null, updated_at: '2026-01-01 00:00:01+00' } });
  expect(value.reason).toBe('the column is NULL but the field is not nullable');
  // the registered schema is the documented one
  const res = await fetch(`${registry.url}/subjects/${topic}.dlq-value/versions/latest`);
  const latest = (await res.json()) as { schema: string };
  expect(JSON.parse(latest.schema)).toEqual(JSON.parse(JSON.stringify(DEAD_LETTER_SCHEMA)));
}, 180_000);

it('a dead-letter record is keyed with exactly the bytes its event would carry (a uuid lower-cased, a decimal key encoded)', async () => {
  const uuids = `dlq_uuid_${sfx}`;
  const decs = `dlq_dec_${sfx}`;
  await admin.query(`CREATE TABLE ${uuids} (id text PRIMARY KEY, label text, updated_at timestamptz NOT NULL)`);
  await admin.query(`CREATE TABLE ${decs} (id numeric(10,2) PRIMARY KEY, label text, updated_at timestamptz NOT NULL)`);
  try {
    await admin.query(`INSERT INTO ${uuids} VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'fine', '2026-01-01 00:00:00+00'), ('B0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A12', NULL, '2026-01-01 00:00:01+00')`);
    await admin.query(`INSERT INTO ${decs} VALUES (1.25, 'fine', '2026-01-01 00:00:00+00'), (1.50, NULL, '2026-01-01 00:00:01+00')`);
    const dir = tempDir('dlq-keys');
    const item = (name: string, id: unknown) => JSON.stringify({
      type: 'record', name, namespace: 'test.dlq.v1', doc: 'An item.',
      fields: [
        { name: 'id', type: id, doc: 'Key.' },
        { name: 'label', type: 'string', doc: 'Never NULL in the schema.' },
        { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' },
      ],
    });
    const stream = (topic: string, file: string, t: string) => `  - topic: ${topic}
    kind: store
    schema: ${file}
    key: id
    source:
      connection: ${PG_URL}
      table: ${t}
      dead_letter: topic:${topic}.dlq
`;
    writeFiles(dir, {
      'u.avsc': item('ByUuid', { type: 'string', logicalType: 'uuid' }),
      'd.avsc': item('ByDecimal', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }),
      'schemactl.yaml': `streams:\n${stream(`dlq-u-${sfx}`, 'u.avsc', uuids)}${stream(`dlq-d-${sfx}`, 'd.avsc', decs)}`,
    });
    const r = await runPublisher(['--brokers', broker.bootstrap, '--registry', registry.url, '--once'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    // uuid: the schema lower-cases it, in the event key and in the dead letter's
    expect((await readTopic(broker.bootstrap, `dlq-u-${sfx}`)).map((m) => m.key?.toString())).toEqual(['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    const deadU = await readTopic(broker.bootstrap, `dlq-u-${sfx}.dlq`);
    expect(deadU.map((m) => m.key?.toString())).toEqual(['b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12']);
    // decimal: the key is the decimal's two's-complement unscaled bytes (125 → 0x7d, 150 → 0x0096), never the text '1.50'
    expect((await readTopic(broker.bootstrap, `dlq-d-${sfx}`)).map((m) => m.key?.toString('hex'))).toEqual(['7d']);
    const deadD = await readTopic(broker.bootstrap, `dlq-d-${sfx}.dlq`);
    expect(deadD.map((m) => m.key?.toString('hex'))).toEqual(['0096']);
    expect(await registryDecoder(registry.url)(deadD[0]!.value!)).toMatchObject({ field: 'label', row: { id: '1.50', label: null } });
  } finally {
    await admin.query(`DROP TABLE IF EXISTS ${uuids}, ${decs}`);
  }
}, 180_000);
