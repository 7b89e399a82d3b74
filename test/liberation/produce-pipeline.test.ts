// The produce pipeline's own rules, with requests answered on cue (the broker cannot be told to fail
// one chosen request; test/integration/kafka-sink.test.ts runs the real thing): requests go out without
// waiting for the acknowledgements before them, carry consecutive sequence numbers per partition, and
// after the first failure nothing more is written.
import { describe, expect, it } from 'vitest';
import { kafka } from '../../src/liberation/kafka-client.js';
import { ProducePipeline, RefusedAfterFailure, type PartitionRecords, type ProduceOptions, type ProduceRecord, type Topic } from '../../src/liberation/sinks/produce-pipeline.js';
import type { Connection } from '@platformatic/kafka';

interface Written { leader: number; values: string[]; partitions: number[]; sequences: Record<string, number>; done(error: Error | null): void }

/** Two leaders: partitions 0 and 2 on broker 1, partition 1 on broker 2 (topic `t`); topic `one` has one partition on broker 1. */
class CuedPipeline extends ProducePipeline {
  written: Written[] = [];
  connectFails = new Set<number>();
  holdProducerId: Promise<void> | undefined;
  /** Calls wait for the producer id until the returned function is called. */
  hold(): () => void {
    let release!: () => void;
    this.holdProducerId = new Promise((r) => { release = r; });
    return release;
  }
  constructor() {
    super({ brokers: ['127.0.0.1:1'] });
  }
  protected override async producerId() {
    await this.holdProducerId;
    return { producerId: 7n, producerEpoch: 0 };
  }
  protected override async topic(name: string): Promise<Topic> {
    const t = name === 't' ? { partitions: 3, leaders: [1, 2, 1], at: performance.now() } : { partitions: 1, leaders: [1], at: performance.now() };
    this.topics.set(name, t);
    return t;
  }
  protected override async connection(nodeId: number) {
    if (this.connectFails.has(nodeId)) throw new Error(`cannot connect to broker ${nodeId}`);
    return { nodeId } as unknown as Connection;
  }
  protected override produce(conn: Connection, parts: PartitionRecords[], options: ProduceOptions, done: (error: Error | null) => void) {
    this.written.push({
      leader: (conn as unknown as { nodeId: number }).nodeId, values: parts.flatMap((p) => p.records.map((r) => r.value!.toString())), partitions: parts.flatMap((p) => p.records.map(() => p.partition)),
      sequences: Object.fromEntries(options.sequences), done,
    });
  }
}

const rec = (topic: string, v: string, key = 'k'): ProduceRecord => ({ topic, key: Buffer.from(key), value: Buffer.from(v) });
const tick = () => new Promise((r) => setTimeout(r, 5));
/** a key of topic `t` that lands on each partition (by Java's partitioner) */
function keyFor(partition: number): string {
  for (let i = 0; ; i++) {
    const k = `key${i}`;
    if ((kafka.compatibilityPartitioner({} as never, Buffer.from(k) as never) as number) % 3 === partition) return k;
  }
}

describe('produce pipeline', () => {
  it('writes each request without waiting for the acknowledgements before it, with consecutive sequence numbers per partition', async () => {
    const p = new CuedPipeline();
    const sends = [p.send([rec('one', 'a'), rec('one', 'b')]), p.send([rec('one', 'c')]), p.send([rec('one', 'd'), rec('one', 'e'), rec('one', 'f')])];
    await tick();
    // all three on the wire, none acknowledged
    expect(p.written.map((w) => w.values)).toEqual([['a', 'b'], ['c'], ['d', 'e', 'f']]);
    expect(p.written.map((w) => w.sequences['one:0'])).toEqual([0, 2, 3]);
    for (const w of p.written) w.done(null);
    await Promise.all(sends);
    await p.close();
  });

  it('puts keyed records in the partition Java\'s producer picks and sends one request per leader', async () => {
    const p = new CuedPipeline();
    const [k0, k1, k2] = [keyFor(0), keyFor(1), keyFor(2)];
    const sent = p.send([rec('t', 'x', k0), rec('t', 'y', k1), rec('t', 'z', k2), rec('t', 'w', k1)]);
    await tick();
    expect(p.written.map((w) => ({ leader: w.leader, values: w.values, partitions: w.partitions, sequences: w.sequences }))).toEqual([
      { leader: 1, values: ['x', 'z'], partitions: [0, 2], sequences: { 't:0': 0, 't:2': 0 } },
      { leader: 2, values: ['y', 'w'], partitions: [1, 1], sequences: { 't:1': 0 } },
    ]);
    for (const w of p.written) w.done(null);
    await sent;
    await p.close();
  });

  it('after a refused request nothing more is written; requests already written end as the broker answers them', async () => {
    const p = new CuedPipeline();
    const a = p.send([rec('one', 'a')]);
    const b = p.send([rec('one', 'b')]);
    await tick();
    p.written[0]!.done(new Error('NOT_LEADER_OR_FOLLOWER'));
    await expect(a).rejects.toThrow(/NOT_LEADER/);
    expect(p.failed?.message).toMatch(/NOT_LEADER/);
    await expect(p.send([rec('one', 'c')])).rejects.toBeInstanceOf(RefusedAfterFailure);
    p.written[1]!.done(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    await expect(b).rejects.toThrow(/OUT_OF_ORDER/);
    expect(p.written.map((w) => w.values)).toEqual([['a'], ['b']]);
    await p.close();
  });

  it('a call waiting behind a failing one is not written', async () => {
    const p = new CuedPipeline();
    const release = p.hold();
    const a = p.send([rec('one', 'a')]);
    const b = p.send([rec('one', 'b')]);
    release();
    await tick();
    p.written[0]!.done(new Error('boom'));
    p.written[1]!.done(new Error('OUT_OF_ORDER_SEQUENCE_NUMBER'));
    await expect(a).rejects.toThrow(/boom/);
    await expect(b).rejects.toThrow();
    await expect(p.send([rec('one', 'c')])).rejects.toBeInstanceOf(RefusedAfterFailure);
    expect(p.written).toHaveLength(2);
    await p.close();
  });

  it('a call whose second leader cannot be reached writes nothing at all', async () => {
    const p = new CuedPipeline();
    p.connectFails.add(2);
    await expect(p.send([rec('t', 'x', keyFor(0)), rec('t', 'y', keyFor(1))])).rejects.toThrow(/cannot connect to broker 2/);
    expect(p.written).toHaveLength(0);
    await expect(p.send([rec('t', 'z', keyFor(0))])).rejects.toBeInstanceOf(RefusedAfterFailure);
    await p.close();
  });

  it('a call with requests to two leaders fails only once both ended', async () => {
    const p = new CuedPipeline();
    let settled = false;
    const sent = p.send([rec('t', 'x', keyFor(0)), rec('t', 'y', keyFor(1))]).finally(() => { settled = true; });
    sent.catch(() => {});
    await tick();
    p.written[0]!.done(new Error('NOT_LEADER_OR_FOLLOWER'));
    await tick();
    expect(settled).toBe(false);
    p.written[1]!.done(null);
    await expect(sent).rejects.toThrow(/NOT_LEADER/);
    await p.close();
  });

  it('writes nothing once closed, even for a call that was waiting', async () => {
    const p = new CuedPipeline();
    const release = p.hold();
    const waiting = p.send([rec('one', 'a')]);
    const closed = p.close();
    release();
    await closed;
    await expect(waiting).rejects.toBeInstanceOf(RefusedAfterFailure);
    expect(p.written).toHaveLength(0);
  });

  it('sequence numbers wrap to 0 after 2^31 - 1, as Kafka\'s do', async () => {
    const p = new CuedPipeline();
    (p as unknown as { sequences: Map<string, number> }).sequences.set('one:0', 2 ** 31 - 2);
    const sends = [p.send([rec('one', 'a'), rec('one', 'b')]), p.send([rec('one', 'c')])];
    await tick();
    expect(p.written.map((w) => w.sequences['one:0'])).toEqual([2 ** 31 - 2, 0]);
    for (const w of p.written) w.done(null);
    await Promise.all(sends);
    await p.close();
  });
});
