// The Kafka sink's order of produce requests, with a producer that fails on cue (a real broker cannot
// fail one chosen request; test/integration/kafka-sink.test.ts covers the real one): a send that waits
// behind a failing one to the same topic is never produced, since it would land before the resend of
// the failed batch; sends to a topic never overlap (the client's sequence numbers would collide).
import { describe, expect, it } from 'vitest';
import { KafkaSink } from '../../src/liberation/sinks/kafka.js';
import type { OutRecord } from '../../src/liberation/types.js';

type Sent = { messages: Array<{ topic: string; value?: Buffer }> };

/** A producer whose sends resolve or fail when the test says, recording what was produced. */
class CuedProducer {
  produced: string[] = [];
  waiting: Array<{ batch: string; resolve(): void; reject(e: Error): void }> = [];
  concurrent = 0;
  maxConcurrent = 0;
  closed = false;
  constructor(readonly name: string) {}
  metadata() { return Promise.resolve({}); }
  send(req: Sent): Promise<void> {
    const batch = req.messages.map((m) => m.value?.toString()).join(',');
    this.concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.concurrent);
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({
        batch,
        resolve: () => { this.concurrent--; this.produced.push(batch); resolve(); },
        reject: (e) => { this.concurrent--; reject(e); },
      });
    });
  }
  close(_force?: boolean, cb?: () => void) { this.closed = true; cb?.(); return Promise.resolve(); }
}

class CuedSink extends KafkaSink {
  producers: CuedProducer[] = [];
  protected override newProducer() {
    const p = new CuedProducer(`p${this.producers.length}`);
    this.producers.push(p);
    return p as unknown as ReturnType<KafkaSink['newProducer']>;
  }
}

const rec = (topic: string, v: string): OutRecord => ({ topic, key: Buffer.from('k'), value: Buffer.from(v), position: v });
const tick = () => new Promise((r) => setTimeout(r, 5));

/** An opened sink and the producer it opened with. */
async function opened(): Promise<{ sink: CuedSink; first: CuedProducer }> {
  const sink = new CuedSink({ brokers: ['127.0.0.1:1'] });
  await sink.open();
  return { sink, first: sink.producers[0]! };
}

/** The broker acknowledges `count` requests of `producer`, each once it has been made (one at a time). */
async function acknowledgeInTurn(producer: CuedProducer, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await tick();
    expect(producer.waiting).toHaveLength(1);
    producer.waiting.shift()!.resolve();
  }
}

describe('Kafka sink request order', () => {
  it('a send waiting behind a failed one to its topic fails without being produced; later sends go out on a fresh producer', async () => {
    const { sink, first } = await opened();
    const n = sink.send([rec('t', 'n')]);
    const n1 = sink.send([rec('t', 'n+1')]);
    const other = sink.send([rec('u', 'u1')]);
    await tick();
    // one request per topic at a time: n+1 waits for n; the other topic goes out beside it
    expect(first.waiting.map((w) => w.batch)).toEqual(['n', 'u1']);
    first.waiting[1]!.resolve();
    first.waiting[0]!.reject(new Error('connection reset'));
    await expect(n).rejects.toThrow(/producing to Kafka failed: connection reset/);
    await expect(n1).rejects.toThrow(/not sent, a batch sent before it failed/);
    await other;
    expect(first.produced).toEqual(['u1']);
    expect(first.closed).toBe(true);
    // the engine's resend, in order, on the replacement
    const again = [sink.send([rec('t', 'n')]), sink.send([rec('t', 'n+1')])];
    const second = sink.producers[1]!;
    await acknowledgeInTurn(second, 2);
    await Promise.all(again);
    expect(second.produced).toEqual(['n', 'n+1']);
    expect(sink.producers).toHaveLength(2);
  });

  it('a failure on one topic also refuses a send to another topic still waiting on the old producer (the engine resends it: duplicates, not loss)', async () => {
    const { sink, first } = await opened();
    const t1 = sink.send([rec('t', 't1')]);
    const u1 = sink.send([rec('u', 'u1')]);
    const u2 = sink.send([rec('u', 'u2')]);
    await tick();
    first.waiting[0]!.reject(new Error('connection reset'));
    await expect(t1).rejects.toThrow(/connection reset/);
    first.waiting[1]!.resolve();
    await u1;
    await expect(u2).rejects.toThrow(/not sent, a batch sent before it failed/);
    expect(first.produced).toEqual(['u1']);
    // the stream of u sends again from its checkpoint, on the replacement
    const again = sink.send([rec('u', 'u2')]);
    await acknowledgeInTurn(sink.producers[1]!, 1);
    await again;
    expect(sink.producers[1]!.produced).toEqual(['u2']);
  });

  it('sends to one topic never overlap, and keep their call order', async () => {
    const { sink, first: p } = await opened();
    const sends = Array.from({ length: 6 }, (_, i) => sink.send([rec('t', String(i))]));
    await acknowledgeInTurn(p, 6);
    await Promise.all(sends);
    expect(p.produced).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(p.maxConcurrent).toBe(1);
  });
});
