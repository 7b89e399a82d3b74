// Checkpoints in a compacted Kafka topic, against the real broker: the latest offset of each stream
// survives a new store (a restarted publisher), and `schemactl publish` with `kafka.checkpoint_topic`
// resumes from it instead of a local state file.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { KafkaCheckpointStore } from '../../src/liberation/checkpoint/kafka.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { readTopic } from '../support/publisher.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
let broker: SharedKafka;

beforeAll(async () => {
  broker = await sharedKafka();
}, 120_000);
afterAll(async () => {
  await broker?.stop();
});

describe('KafkaCheckpointStore', () => {
  it('keeps the latest offset per stream across store instances', async () => {
    const a = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'offsets-a' });
    expect(await a.load('orders')).toBeNull();
    await a.save('orders', { v: 1, kind: 'query', ts: '2026-01-01 00:00:00+00', id: '1', snapshotDone: false });
    await a.save('stock', { v: 1, kind: 'outbox', lastId: '17' });
    await a.save('orders', { v: 1, kind: 'query', ts: '2026-01-02 00:00:00.000001+00', id: '9007199254740993', snapshotDone: false });
    await a.close();
    const b = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'offsets-a' });
    expect(await b.load('orders')).toEqual({ v: 1, kind: 'query', ts: '2026-01-02 00:00:00.000001+00', id: '9007199254740993', snapshotDone: false });
    expect(await b.load('stock')).toEqual({ v: 1, kind: 'outbox', lastId: '17' });
    expect(await b.load('other')).toBeNull();
    await b.close();
  }, 60_000);

  it('publish resumes from the topic: a second run publishes only the new rows and writes no state file', async () => {
    const dir = mkdtempSync(join(process.cwd(), 'test/.work-kafka-checkpoint-pub-'));
    const table = `kc_${process.pid}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL)`);
      await admin.query(`INSERT INTO ${table} SELECT g, 'n' || g, '2026-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, 30) g`);
      writeFileSync(join(dir, 'thing.avsc'), JSON.stringify({
        type: 'record', name: 'Thing', namespace: 'test.kc.v1', doc: 'A thing.',
        fields: [
          { name: 'id', type: 'long', doc: 'Id.' },
          { name: 'name', type: 'string', doc: 'Name.' },
          { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'Write time.' },
        ],
      }, null, 2));
      writeFileSync(join(dir, 'schemactl.yaml'), [
        'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  checkpoint_topic: schemactl-offsets',
        'streams:', '  - topic: test.things', '    schema: thing.avsc', '    key: id',
        '    source:', `      connection: ${PG_URL}`, `      table: ${table}`, '      batch_size: 7', '',
      ].join('\n'));
      const run = async () => {
        let out = '';
        const code = await main(['publish', '--once', '--log-format', 'json'], { cwd: dir, env: {}, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
        return { code, out };
      };
      const first = await run();
      expect(first.code, first.out).toBe(0);
      await admin.query(`INSERT INTO ${table} VALUES (31, 'late', '2026-02-01')`);
      const second = await run();
      expect(second.code, second.out).toBe(0);
      expect(existsSync(join(dir, '.schemactl/state'))).toBe(false);
      const onTopic = await readTopic(broker.bootstrap, 'test.things');
      expect(onTopic.map((m) => m.key?.toString())).toEqual([...Array.from({ length: 31 }, (_, i) => String(i + 1))]);
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    }
  }, 120_000);
});
