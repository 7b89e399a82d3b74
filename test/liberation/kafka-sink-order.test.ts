// The Kafka sink's produce requests, with a producer that answers on cue (a real broker cannot fail one
// chosen request; test/integration/kafka-sink.test.ts covers the real one): a batch's requests go out
// at once behind every earlier batch's; after a failure nothing more goes out on that producer, and a
// send made behind the failed one fails without being produced (it would land before the resend of the
// failed batch); the engine's resend goes out on a fresh producer.
import { describe, expect, it } from 'vitest';
import { chunks, KafkaSink, type PipelineProducer, type SendableRecord } from '../../src/liberation/sinks/kafka.js';
import type { OutRecord } from '../../src/liberation/types.js';

/** A producer whose requests resolve or fail when the test says, recording what was produced. */
class CuedProducer implements PipelineProducer {
  produced: string[] = [];
  /** requests written, in order, until answered */
  waiting: Array<{ batch: string; resolve(): void; reject(e: Error): void }> = [];
  failed: Error | undefined;
  closed = false;
  constructor(readonly name: string) {}
  metadata() { return Promise.resolve(); }
  send(records: readonly SendableRecord[]): Promise<void> {
    // as the pipeline does: after its first failure it writes nothing more
    if (this.failed) return Promise.reject(new Error(`not sent, a batch sent before it failed: ${this.failed.message}`));
    const batch = records.map((m) => m.value?.toString()).join(',');
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({
        batch,
        resolve: () => { this.produced.push(batch); resolve(); },
        reject: (e) => { this.failed ??= e; reject(e); },
      });
    });
  }
  close() { this.closed = true; return Promise.resolve(); }
  /** The broker answers the oldest request. */
  answer(ok: boolean, why = 'connection reset'): void {
    const w = this.waiting.shift()!;
    if (ok) w.resolve();
    else w.reject(new Error(why));
  }
}

class CuedSink extends KafkaSink {
  producers: CuedProducer[] = [];
  protected override newProducer() {
    const p = new CuedProducer(`p${this.producers.length}`);
    this.producers.push(p);
    return p;
  }
}

const rec = (topic: string, v: string): OutRecord => ({ topic, key: Buffer.from('k'), value: Buffer.from(v), position: v });
const tick = () => new Promise((r) => setTimeout(r, 5));

/** An opened sink and the producer it opened with. */
async function opened(chunk?: number): Promise<{ sink: CuedSink; first: CuedProducer }> {
  const sink = new CuedSink({ brokers: ['127.0.0.1:1'], ...(chunk ? { chunk } : {}) });
  await sink.open();
  return { sink, first: sink.producers[0]! };
}

describe('Kafka sink request order', () => {
  it('batches go out at once, in call order, without waiting for the acknowledgements before them', async () => {
    const { sink, first: p } = await opened();
    const sends = Array.from({ length: 6 }, (_, i) => sink.send([rec(i % 2 ? 'u' : 't', String(i))]));
    await tick();
    expect(p.waiting.map((w) => w.batch)).toEqual(['0', '1', '2', '3', '4', '5']);
    for (let i = 0; i < 6; i++) p.answer(true);
    await Promise.all(sends);
    expect(p.produced).toEqual(['0', '1', '2', '3', '4', '5']);
  });

  it('after a failure a send made behind it is not produced; the resend goes out on a fresh producer', async () => {
    const { sink, first } = await opened();
    const n = sink.send([rec('t', 'n')]);
    const n1 = sink.send([rec('t', 'n+1')]);
    await tick();
    first.answer(false);
    await expect(n).rejects.toThrow(/producing to Kafka failed: connection reset/);
    // n+1 was on the wire behind n: the broker refuses it too (its sequence no longer follows)
    first.answer(false, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    await expect(n1).rejects.toThrow(/producing to Kafka failed/);
    expect(first.produced).toEqual([]);
    expect(first.closed).toBe(true);
    // the engine's resend, in order, on the replacement
    const again = [sink.send([rec('t', 'n')]), sink.send([rec('t', 'n+1')])];
    const second = sink.producers[1]!;
    await tick();
    second.answer(true);
    second.answer(true);
    await Promise.all(again);
    expect(second.produced).toEqual(['n', 'n+1']);
    expect(sink.producers).toHaveLength(2);
  });

  it('a batch to another topic already on the wire ends as the broker says; a send made while a batch is failing is refused', async () => {
    const { sink, first } = await opened(1);
    const a = sink.send([rec('t', 'a1'), rec('t', 'a2')]);
    const b = sink.send([rec('u', 'b')]);
    a.catch(() => {});
    await tick();
    expect(first.waiting.map((w) => w.batch)).toEqual(['a1', 'a2', 'b']);
    first.answer(false);
    // a2 and b are still on their way; a send now is refused, not produced behind the failure
    await expect(sink.send([rec('t', 'c')])).rejects.toThrow(/not sent, a batch sent before it failed/);
    first.answer(false, 'OUT_OF_ORDER_SEQUENCE_NUMBER');
    await expect(a).rejects.toThrow(/connection reset/);
    first.answer(true);
    await b;
    expect(first.produced).toEqual(['b']);
    // once the engine has seen the failure, its resend goes out on the replacement
    const second = sink.producers[1]!;
    const again = sink.send([rec('t', 'a1'), rec('t', 'a2')]);
    await tick();
    second.answer(true);
    second.answer(true);
    await again;
    expect(second.produced).toEqual(['a1', 'a2']);
  });

  it('a batch in several requests settles only when all of them ended, and fails when one did', async () => {
    const { sink, first } = await opened(2);
    let settled = false;
    const batch = sink.send(['1', '2', '3', '4', '5'].map((v) => rec('t', v))).finally(() => { settled = true; });
    batch.catch(() => {});
    await tick();
    expect(first.waiting.map((w) => w.batch)).toEqual(['1,2', '3,4', '5']);
    first.answer(false);
    await tick();
    // the other two requests are still on their way: the batch has not failed yet
    expect(settled).toBe(false);
    first.waiting.shift()!.reject(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    first.waiting.shift()!.reject(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    await expect(batch).rejects.toThrow(/connection reset/);
  });

  it('a producer that failed while nothing was in flight (a connection closed while idle) is replaced without failing a batch', async () => {
    const { sink, first } = await opened();
    first.failed = new Error('the connection to the broker closed');
    const s = sink.send([rec('t', 'x')]);
    await tick();
    const second = sink.producers[1]!;
    second.answer(true);
    await s;
    expect(second.produced).toEqual(['x']);
    expect(first.closed).toBe(true);
  });
});

describe('produce request chunks', () => {
  const sized = (n: number, bytes: number) => Array.from({ length: n }, (_, i) => ({ topic: 't', key: Buffer.from(String(i)), value: Buffer.alloc(bytes) }));
  it.each([
    { name: 'small records: by count', records: sized(5000, 100), max: 2000, want: [2000, 2000, 1000] },
    { name: 'large records: by bytes (900 kB)', records: sized(100, 100_000), max: 2000, want: [8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 4] },
    { name: 'a record larger than a chunk goes alone', records: [...sized(2, 10), ...sized(1, 2_000_000), ...sized(2, 10)], max: 2000, want: [2, 1, 2] },
    { name: 'nothing', records: [], max: 2000, want: [] },
  ])('$name', ({ records, max, want }) => {
    const out = chunks(records, max, 900_000);
    expect(out.map((c) => c.length)).toEqual(want);
    expect(out.flat()).toEqual(records);
  });
});
