// Exactly-once publishing (kafka.exactly_once) against a real Kafka 4.1 broker and the machine's
// PostgreSQL: every batch and its checkpoint go in one transaction, so a read_committed reader sees each
// row once, through an aborted transaction, a broker killed mid-run and a restarted publisher.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Consumer, FetchIsolationLevels } from '@platformatic/kafka';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { KafkaCheckpointStore } from '../../src/liberation/checkpoint/kafka.js';
import { KafkaTxSink, readCommitted } from '../../src/liberation/sinks/kafka-tx.js';
import type { OutRecord, SourceOffset } from '../../src/liberation/types.js';
import { startKafka, type KafkaBroker } from '../support/kafka.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const THING = JSON.stringify({
  type: 'record', name: 'Thing', namespace: 'test.eo.v1', doc: 'A thing.',
  fields: [
    { name: 'id', type: 'long', doc: 'Id.' },
    { name: 'name', type: 'string', doc: 'Name.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'Write time.' },
  ],
}, null, 2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let broker: KafkaBroker;

beforeAll(async () => {
  broker = await startKafka({ workDir: mkdtempSync(join(process.cwd(), 'test/.work-exactly-once-')) });
}, 120_000);
afterAll(async () => {
  await broker?.stop();
});

const rec = (topic: string, key: string): OutRecord => ({ topic, key: Buffer.from(key), value: Buffer.from(`v${key}`), position: key });
const off = (lastId: string): SourceOffset => ({ v: 1, kind: 'outbox', lastId });

describe('KafkaTxSink', () => {
  it('an aborted batch leaves neither its records nor its checkpoint visible to read_committed readers', async () => {
    const store = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'eo-offsets-a', transactional: true });
    expect(await store.load('s')).toBeNull(); // creates the compacted topic
    await store.close();
    const sink = new KafkaTxSink({ brokers: [broker.bootstrap], transactionalId: 'schemactl-test-a', checkpointTopic: 'eo-offsets-a', chunk: 2, retries: 0, timeoutMs: 5000 });
    await sink.open();
    await sink.sendWithCheckpoint([rec('eo-a', '1'), rec('eo-a', '2')], 's', off('2'));
    // two aborted transactions in a row from the same transactional.id: the first chunk of each is
    // written to the log before an invalid topic name fails the rest of the batch
    for (const k of ['3', '5']) {
      await expect(sink.sendWithCheckpoint([rec('eo-a', k), rec('eo-a', `${k}b`), rec('not a valid topic!', 'x')], 's', off(k))).rejects.toThrow(/rolled back/);
    }
    await sink.sendWithCheckpoint([rec('eo-a', '7')], 's', off('7'));
    await sink.close();

    const seen = await readCommitted([broker.bootstrap], 'eo-a');
    expect(seen.map((m) => m.key?.toString())).toEqual(['1', '2', '7']);
    // the aborted records are in the log: the high watermark is past them and their markers
    const c = new Consumer({ groupId: `eo-${Date.now()}`, clientId: 'eo', bootstrapBrokers: [broker.bootstrap] });
    const hw = (await c.listOffsets({ topics: ['eo-a'], isolationLevel: FetchIsolationLevels.READ_UNCOMMITTED })).get('eo-a')![0]!;
    await c.close(true);
    // 3 committed records + 2 commit markers + 2 × (1 aborted record + 1 abort marker)
    expect(hw).toBeGreaterThanOrEqual(9n);
    const again = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'eo-offsets-a', transactional: true });
    expect(await again.load('s')).toEqual(off('7'));
    await again.close();
  }, 120_000);

  it('a restarted publisher with the same transactional.id fences the one it replaces', async () => {
    const mk = () => new KafkaTxSink({ brokers: [broker.bootstrap], transactionalId: 'schemactl-test-b', checkpointTopic: 'eo-offsets-b', retries: 0, timeoutMs: 5000, settleTimeoutMs: 20_000 });
    const zombie = mk();
    await zombie.open();
    await zombie.sendWithCheckpoint([rec('eo-b', '1')], 's', off('1'));
    const successor = mk();
    await successor.open();
    await successor.sendWithCheckpoint([rec('eo-b', '2')], 's', off('2'));
    // the zombie's next transaction is rejected (its epoch is older), not interleaved with the successor's
    await expect(zombie.sendWithCheckpoint([rec('eo-b', 'zombie')], 's', off('99'))).rejects.toThrow();
    await successor.close();
    await zombie.close().catch(() => {});
    expect((await readCommitted([broker.bootstrap], 'eo-b')).map((m) => m.key?.toString())).toEqual(['1', '2']);
  }, 120_000);
});

describe('publish with kafka.exactly_once', () => {
  it('refuses exactly_once without a checkpoint topic with a clear error', async () => {
    const dir = mkdtempSync(join(process.cwd(), 'test/.work-exactly-once-cfg-'));
    writeFileSync(join(dir, 'thing.avsc'), THING);
    writeFileSync(join(dir, 'schemactl.yaml'), [
      'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  exactly_once: true',
      'streams:', '  - topic: test.eo.cfg', '    schema: thing.avsc', '    source:', `      connection: ${PG_URL}`, '      table: nowhere', '',
    ].join('\n'));
    let out = '';
    const code = await main(['publish', '--once', '--log-format', 'json'], { cwd: dir, env: {}, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
    expect(code, out).toBe(2);
    expect(out).toMatch(/kafka\.exactly_once needs kafka\.checkpoint_topic/);
  }, 60_000);

  it('every row exactly once for read_committed readers, through a broker kill mid-run and a second run', async () => {
    const dir = mkdtempSync(join(process.cwd(), 'test/.work-exactly-once-pub-'));
    const table = `eo_${process.pid}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, name text NOT NULL, updated_at timestamptz NOT NULL)`);
      await admin.query(`INSERT INTO ${table} SELECT g, 'n' || g, '2026-01-01'::timestamptz + g * interval '1 second' FROM generate_series(1, 3000) g`);
      writeFileSync(join(dir, 'thing.avsc'), THING);
      writeFileSync(join(dir, 'schemactl.yaml'), [
        'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  checkpoint_topic: eo-offsets', '  exactly_once: true',
        'streams:', '  - topic: test.eo.things', '    schema: thing.avsc', '    key: id',
        '    source:', `      connection: ${PG_URL}`, `      table: ${table}`, '      batch_size: 25', '',
      ].join('\n'));
      const run = async (onLine?: (l: Record<string, unknown>) => void) => {
        let out = '';
        const code = await main(['publish', '--once', '--log-format', 'json'], {
          cwd: dir, env: {},
          stdout: (t) => {
            out += t;
            for (const l of t.split('\n')) if (l.startsWith('{')) onLine?.(JSON.parse(l) as Record<string, unknown>);
          },
          stderr: (t) => { out += t; },
        });
        return { code, out };
      };
      // kill the broker once a few batches are committed, start it again a little later
      let killed: Promise<void> | undefined;
      const first = await run((l) => {
        if (!killed && l.msg === 'progress' && Number(l.published) >= 300) {
          killed = (async () => {
            await broker.kill();
            await sleep(3000);
            await broker.start();
          })();
        }
      });
      await killed;
      expect(first.code, first.out).toBe(0);
      expect(killed, 'the broker was killed mid-run').toBeDefined();
      expect(first.out).toContain('delivery: exactly-once (Kafka transactions)');
      expect(first.out).toMatch(/batch failed; rewinding/);
      expect(first.out).toMatch(/"msg":"summary","sink":"kafka [^"]*\(exactly-once: Kafka transactions\)"/);

      await admin.query(`INSERT INTO ${table} SELECT g, 'late' || g, '2026-03-01'::timestamptz + g * interval '1 second' FROM generate_series(3001, 3040) g`);
      const second = await run();
      expect(second.code, second.out).toBe(0);

      const keys = (await readCommitted([broker.bootstrap], 'test.eo.things')).map((m) => m.key?.toString());
      expect(keys.length).toBe(3040);
      expect(new Set(keys).size).toBe(3040);
      expect(keys).toEqual(Array.from({ length: 3040 }, (_, i) => String(i + 1)));
      const store = new KafkaCheckpointStore({ brokers: [broker.bootstrap], topic: 'eo-offsets', transactional: true });
      expect(await store.load('test.eo.things')).toMatchObject({ kind: 'query', id: '3040' });
      await store.close();
    } finally {
      await admin.query(`DROP TABLE IF EXISTS ${table}`);
      await admin.end();
    }
  }, 300_000);
});
