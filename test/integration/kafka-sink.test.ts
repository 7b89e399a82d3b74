// The Kafka sink against a real Apache Kafka 4.1 broker: acknowledged records are readable by a
// consumer, in order per key, and a broker killed mid-stream loses nothing once it is back. Both ways
// it runs: on the caller's thread (KafkaSink) and, as `publish` uses it, in a thread of its own
// (ThreadedKafkaSink, loaded from the built CLI since the thread runs compiled JavaScript).
import { Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { KafkaSink, type KafkaSinkConfig } from '../../src/liberation/sinks/kafka.js';
import type { ThreadedKafkaSink } from '../../src/liberation/sinks/kafka-thread.js';
import type { OutRecord, Sink } from '../../src/liberation/types.js';
import { startKafka, type KafkaBroker } from '../support/kafka.js';
import { BUILD_DIR, buildCliAsync } from '../cli/support/build.js';

let broker: KafkaBroker;
let Threaded: typeof ThreadedKafkaSink;

beforeAll(async () => {
  const [b] = await Promise.all([
    startKafka({ workDir: mkdtempSync(join(process.cwd(), 'test/.work-kafka-sink-')) }),
    buildCliAsync().then(async () => {
      ({ ThreadedKafkaSink: Threaded } = (await import(pathToFileURL(join(BUILD_DIR, 'dist/src/liberation/sinks/kafka-thread.js')).href)) as { ThreadedKafkaSink: typeof ThreadedKafkaSink });
    }),
  ]);
  broker = b;
}, 600_000);
afterAll(async () => {
  await broker?.stop();
});

async function readAll(topic: string, expected: number, timeoutMs = 30_000): Promise<Array<{ key: string; value: string | null; headers: Record<string, string> }>> {
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
    groupId: `verify-${topic}-${Date.now()}`,
    clientId: 'verify',
    bootstrapBrokers: [broker.bootstrap],
  });
  const out: Array<{ key: string; value: string | null; headers: Record<string, string> }> = [];
  const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200 });
  const deadline = setTimeout(() => stream.close(), timeoutMs);
  for await (const m of stream) {
    const headers: Record<string, string> = {};
    for (const [k, v] of m.headers ?? new Map()) headers[String(k)] = String(v);
    out.push({ key: m.key ? m.key.toString() : '', value: m.value && m.value.length ? m.value.toString() : null, headers });
    if (out.length >= expected) break;
  }
  clearTimeout(deadline);
  await stream.close();
  await consumer.close(true);
  return out;
}

/** The engine's retry of a failed batch while the broker comes back: true once a send was acknowledged. */
async function retrySend(sink: Sink, records: OutRecord[], attempts: number): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      await sink.send(records);
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return false;
}

const rec = (topic: string, i: number): OutRecord => ({
  topic, key: Buffer.from(`k${i % 5}`), value: Buffer.from(`v${i}`), headers: { id: String(i) }, position: `row ${i}`,
});

const sinks: Array<[string, (cfg: KafkaSinkConfig) => Sink & { send(r: OutRecord[]): Promise<void> }]> = [
  ['on the caller\'s thread', (cfg) => new KafkaSink(cfg)],
  ['in a thread of its own', (cfg) => new Threaded(cfg)],
];

describe.each(sinks)('the Kafka sink %s', (how, makeSink) => {
  const t = (name: string) => `${name}-${how.includes('own') ? 'thread' : 'caller'}`;
  it('resolves only after the broker has every record, readable by a consumer', async () => {
    const sink = makeSink({ brokers: [broker.bootstrap] });
    await sink.open();
    const topic = t('sink-basic');
    await sink.send(Array.from({ length: 500 }, (_, i) => rec(topic, i)));
    await sink.send([{ topic, key: Buffer.from('k1'), value: null, position: 'tombstone' }]);
    await sink.close();
    const got = await readAll(topic, 501);
    expect(got).toHaveLength(501);
    // per-key order is kept
    const k1 = got.filter((m) => m.key === 'k1').map((m) => m.value);
    expect(k1.slice(0, -1)).toEqual(Array.from({ length: 100 }, (_, j) => `v${j * 5 + 1}`));
    expect(k1.at(-1)).toBeNull();
    expect(got[0]!.headers.id).toBe('0');
  });

  it('sends started before the previous one was acknowledged all land, in call order (same topic and across topics)', async () => {
    // The engine sends a batch while the one before is being acknowledged, and streams sharing a
    // dead-letter topic send to it at the same time. Same-sized batches at once to one partition would
    // carry the same sequence numbers: the broker would take the later ones for retries and drop them.
    const sink = makeSink({ brokers: [broker.bootstrap] });
    await sink.open();
    const batches = 12;
    const size = 200;
    const sends: Promise<void>[] = [];
    for (let b = 0; b < batches; b++) {
      sends.push(sink.send(Array.from({ length: size }, (_, i) => rec(t('sink-concurrent'), b * size + i))));
      sends.push(sink.send(Array.from({ length: size }, (_, i) => rec(t('sink-concurrent-other'), b * size + i))));
    }
    await Promise.all(sends);
    await sink.close();
    for (const topic of [t('sink-concurrent'), t('sink-concurrent-other')]) {
      const got = await readAll(topic, batches * size);
      expect(got.map((m) => Number(m.headers.id))).toEqual(Array.from({ length: batches * size }, (_, i) => i));
    }
  });

  it('fails a send while the broker is down and succeeds on retry after a restart, losing nothing', async () => {
    const sink = makeSink({ brokers: [broker.bootstrap], timeoutMs: 3000, retries: 1 });
    await sink.open();
    const topic = t('sink-restart');
    await sink.send(Array.from({ length: 100 }, (_, i) => rec(topic, i)));
    await broker.kill();
    const failed = sink.send(Array.from({ length: 100 }, (_, i) => rec(topic, 100 + i)));
    await expect(failed).rejects.toThrow(/producing to Kafka failed/);
    // exit code 3 and a retry by the engine, from either thread (the built module has its own class)
    await expect(failed).rejects.toMatchObject({ name: 'UnreachableError', exitCode: 3, retriable: true });
    await broker.start();
    // the engine's retry: the same batch again
    expect(await retrySend(sink, Array.from({ length: 100 }, (_, i) => rec(topic, 100 + i)), 20)).toBe(true);
    await sink.close();
    const got = await readAll(topic, 200);
    const ids = new Set(got.map((m) => Number(m.headers.id)));
    for (let i = 0; i < 200; i++) expect(ids.has(i)).toBe(true);
  }, 180_000);
});

describe('the Kafka sink in a thread of its own', () => {
  it('a thread that dies fails the send it was holding, and the next send runs on a fresh thread', async () => {
    const sink = new Threaded({ brokers: [broker.bootstrap], timeoutMs: 20_000, retries: 1 });
    await sink.open();
    const topic = 'sink-thread-dies';
    await sink.send(Array.from({ length: 50 }, (_, i) => rec(topic, i)));
    // with the broker gone the send stays in the thread (the client retries for up to 40 s)
    await broker.kill();
    const held = sink.send(Array.from({ length: 50 }, (_, i) => rec(topic, 50 + i)));
    held.catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
    await (sink as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await expect(held).rejects.toThrow(/thread stopped/);
    await expect(held).rejects.toMatchObject({ name: 'UnreachableError', exitCode: 3, retriable: true });
    await broker.start();
    // the engine's retry of the batch, on a fresh thread
    expect(await retrySend(sink, Array.from({ length: 50 }, (_, i) => rec(topic, 50 + i)), 30)).toBe(true);
    await sink.close();
    const ids = new Set((await readAll(topic, 100)).map((m) => Number(m.headers.id)));
    for (let i = 0; i < 100; i++) expect(ids.has(i)).toBe(true);
  }, 180_000);

  // node's flags reach the thread: inherited as they are, or filtered (--input-type would stop it), and
  // process-wide ones such as --trace-gc must not stop it either way
  it.each([
    { how: 'from -e with --input-type', flags: [] as string[], file: false },
    { how: 'from -e with --input-type and V8 flags', flags: ['--trace-gc', '--max-old-space-size=512'], file: false },
    { how: 'from a script file with V8 flags', flags: ['--trace-gc', '--max-semi-space-size=16'], file: true },
  ])('a process that closed its sink exits on its own (the thread does not hold it), and a closed sink refuses sends: $how', ({ flags, file }) => {
    const entry = pathToFileURL(join(BUILD_DIR, 'dist/src/liberation/sinks/kafka-thread.js')).href;
    const script = `
      const { ThreadedKafkaSink } = await import(${JSON.stringify(entry)});
      const sink = new ThreadedKafkaSink({ brokers: [${JSON.stringify(broker.bootstrap)}] });
      await sink.open();
      await sink.send([{ topic: 'sink-thread-exit', key: Buffer.from('k'), value: Buffer.from('v'), position: 'p' }]);
      await sink.close();
      await sink.send([]).then(() => console.log('sent after close'), (e) => console.log('refused: ' + e.message));
    `;
    const args = file
      ? [...flags, (() => { const f = join(mkdtempSync(join(process.cwd(), 'test/.work-kafka-sink-')), 'exit.mjs'); writeFileSync(f, script); return f; })()]
      : [...flags, '--input-type=module', '-e', script];
    const started = Date.now();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('refused: sink not opened');
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 90_000);
});
