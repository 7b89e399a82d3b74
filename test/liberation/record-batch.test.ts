// The hand-written record batch and produce request against the Kafka client's own encoder and decoder
// (byte for byte where both are deterministic), and murmur2 against Kafka's published test values.
// test/integration/kafka-sink.test.ts sends them to a real broker, which checks the CRC and sequences.
import { describe, expect, it } from 'vitest';
import { kafka } from '../../src/liberation/kafka-client.js';
import { encodeRecordBatch, murmur2, partitionOf, produceRequestV9, type BatchRecord, type Compression } from '../../src/liberation/sinks/record-batch.js';

const crc32c = (b: Buffer) => kafka.crc32c(b) as number;
const compress = (c: Compression) => (b: Buffer) => kafka.compressionsAlgorithms[c].compressSync(b) as Buffer;
const TS = 1_765_000_000_123;

function opts(compression: Compression, baseSequence = 0) {
  return { compression, compress: compress(compression), crc32c, producerId: 4242n, producerEpoch: 3, baseSequence, timestamp: TS };
}

/** the records as the client's encoder takes them */
function messages(records: BatchRecord[]) {
  return records.map((r) => ({
    topic: 't', partition: 0, key: r.key ?? undefined, value: r.value ?? undefined, timestamp: BigInt(TS),
    headers: r.headers ? new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) : undefined,
  }));
}

function decode(batch: Buffer) {
  const b = kafka.readRecordsBatch(kafka.Reader.from(batch)) as unknown as {
    length: number; magic: number; attributes: number; lastOffsetDelta: number; firstTimestamp: bigint; maxTimestamp: bigint;
    producerId: bigint; producerEpoch: number; firstSequence: number; crc: number;
    records: Array<{ offsetDelta: number; timestampDelta: bigint; key: Buffer | null; value: Buffer | null; headers: Array<[Buffer, Buffer]> }>;
  };
  return b;
}

const text = (b: Buffer | null | undefined) => (b === null || b === undefined ? null : b.toString('utf8'));
const big = Buffer.alloc(70_000, 'x');

const cases: Array<{ name: string; records: BatchRecord[] }> = [
  { name: 'one keyed record', records: [{ key: Buffer.from('k1'), value: Buffer.from('v1') }] },
  { name: 'null key and a tombstone', records: [{ key: null, value: Buffer.from('a') }, { key: Buffer.from('gone'), value: null }] },
  { name: 'empty key and value', records: [{ key: Buffer.alloc(0), value: Buffer.alloc(0) }] },
  { name: 'headers (utf-8)', records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: { 'schemactl.instance': 'host-1', 'ünïcode': 'värde', empty: '' } }] },
  { name: 'a value longer than 2^14 bytes (three-byte varints)', records: [{ key: Buffer.from('big'), value: big }] },
  {
    name: '300 records (offset deltas past one varint byte)',
    records: Array.from({ length: 300 }, (_, i) => ({ key: Buffer.from(`key-${i}`), value: Buffer.from(`{"id":${i},"payload":"${'p'.repeat(i % 50)}"}`) })),
  },
];

describe('record batch (message format v2)', () => {
  for (const c of cases) {
    it(`uncompressed, byte for byte as the client encodes it: ${c.name}`, () => {
      const ours = encodeRecordBatch(c.records, opts('none', 17));
      const theirs = kafka.createRecordsBatch(messages(c.records) as never, {
        compression: 'none', producerId: 4242n, producerEpoch: 3, sequences: new kafka.NumericMap([['t:0', 17]]),
      } as never).buffer as Buffer;
      // the one difference: partitionLeaderEpoch, which the broker sets (Java's producer sends -1, as we do)
      expect(ours.readInt32BE(12)).toBe(-1);
      const copy = Buffer.from(ours);
      copy.writeInt32BE(theirs.readInt32BE(12), 12);
      expect(copy.equals(theirs)).toBe(true);
    });
  }

  for (const compression of ['lz4', 'gzip', 'snappy', 'zstd'] as const) {
    // zstd needs Node.js 22.15 or later (zlib's zstd)
    it.skipIf(!kafka.compressionsAlgorithms[compression].available)(`${compression}: the client's decoder reads every record, header and field back`, () => {
      const records = [...cases.flatMap((c) => c.records)];
      const batch = encodeRecordBatch(records, opts(compression, 2 ** 31 - 5));
      const b = decode(batch);
      expect(b.length).toBe(batch.length - 12);
      expect(b.magic).toBe(2);
      expect(b.attributes & 7).toBe({ lz4: 3, gzip: 1, snappy: 2, zstd: 4 }[compression]);
      expect(b.crc).toBe(crc32c(batch.subarray(21)));
      expect([b.lastOffsetDelta, b.firstTimestamp, b.maxTimestamp, b.producerId, b.producerEpoch, b.firstSequence]).toEqual([records.length - 1, BigInt(TS), BigInt(TS), 4242n, 3, 2 ** 31 - 5]);
      expect(b.records.map((r) => [r.offsetDelta, r.timestampDelta, text(r.key), text(r.value), r.headers.map(([k, v]) => [text(k), text(v)])])).toEqual(
        records.map((r, i) => [i, 0n, text(r.key), text(r.value), Object.entries(r.headers ?? {})]),
      );
    });
  }

  it('refuses an empty batch', () => {
    expect(() => encodeRecordBatch([], opts('none'))).toThrow(/at least one record/);
  });
});

describe('produce request v9', () => {
  it('is byte for byte the client\'s request for the same batches', () => {
    const rs = (p: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`${p}${i}`), value: Buffer.from(`v${i}`) }));
    const parts = [
      { topic: 'orders', partition: 0, records: rs('a', 3) },
      { topic: 'orders', partition: 2, records: rs('b', 2) },
      { topic: 'dlq.ünï', partition: 1, records: rs('c', 1) },
    ];
    const ours = produceRequestV9(-1, 30_000, parts.map((p) => ({ topic: p.topic, partition: p.partition, batch: encodeRecordBatch(p.records, opts('none')) })));
    const theirs = kafka.produceV9.createRequest(-1, 30_000, parts.flatMap((p) => messages(p.records).map((m) => ({ ...m, topic: p.topic, partition: p.partition }))) as never, {
      compression: 'none', producerId: 4242n, producerEpoch: 3, sequences: new kafka.NumericMap(),
    } as never).buffer as Buffer;
    // partitionLeaderEpoch again, in each of the three batches
    const fixed = Buffer.from(ours);
    for (let at = fixed.indexOf(Buffer.from([0xff, 0xff, 0xff, 0xff, 2])); at >= 0; at = fixed.indexOf(Buffer.from([0xff, 0xff, 0xff, 0xff, 2]), at + 1)) fixed.writeInt32BE(0, at);
    expect(fixed.equals(theirs)).toBe(true);
  });
});

describe('murmur2 (Java\'s partitioner)', () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2
  const known: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  it.each(known)('murmur2(%s) = %i', (key, hash) => {
    expect(murmur2(Buffer.from(key))).toBe(hash);
  });

  it('puts 2,000 random keys where the client\'s partitioner does', () => {
    let seed = 7;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 2000; i++) {
      const key = Buffer.from(Array.from({ length: Math.floor(rnd() * 40) }, () => Math.floor(rnd() * 256)));
      const theirs = kafka.compatibilityPartitioner({} as never, key as never) as number;
      expect(partitionOf(key, 7)).toBe(theirs % 7);
      expect(partitionOf(key, 1000)).toBe(theirs % 1000);
    }
  });
});
