// Dead letters on a topic, as a consumer sees them: `schemactl publish` (the built binary) sends a row
// that does not fit the schema to `dead_letter: topic:…`, keyed by the row's key, as an Avro record of
// the registered dead-letter schema; kafkajs' registry client decodes it with nothing but the registry.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { DEAD_LETTER_SCHEMA } from '../../src/liberation/dead-letter.js';
import { startKafka, type KafkaBroker } from '../support/kafka.js';
import { buildPublisherCli, PG_URL, readTopic, registryDecoder, runPublisher, tempDir, writeFiles } from '../support/publisher.js';

const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
const table = `dlq_rows_${sfx}`;
let broker: KafkaBroker;
let registry: ServedRegistry;
const admin = new pg.Client({ connectionString: PG_URL });

beforeAll(async () => {
  const work = tempDir('dead-letter-topic');
  await admin.connect();
  [broker, registry] = await Promise.all([
    startKafka({ workDir: path.join(work, 'kafka') }),
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
