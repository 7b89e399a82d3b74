// A batch crosses to the Kafka sink's thread as one buffer: every record must come back byte for byte,
// with null keys and tombstones told apart from empty ones, headers, and several topics in one batch.
import { describe, expect, it } from 'vitest';
import { packRecords, unpackRecords } from '../../src/liberation/sinks/record-pack.js';
import type { OutRecord } from '../../src/liberation/types.js';

const rec = (topic: string, key: Buffer | null, value: Buffer | null, headers?: Record<string, string>): OutRecord => ({
  topic, key, value, ...(headers ? { headers } : {}), position: 'p',
});

const cases: Array<[string, OutRecord[]]> = [
  ['an empty batch', []],
  ['an event', [rec('orders', Buffer.from('k1'), Buffer.from([0, 0, 0, 0, 7, 2, 4]))]],
  ['a tombstone (null value) and a keyless event', [rec('orders', Buffer.from('k1'), null), rec('orders', null, Buffer.from('v'))]],
  ['empty key and value are not null', [rec('orders', Buffer.alloc(0), Buffer.alloc(0))]],
  ['headers, non-ASCII text included', [rec('outbox.events', Buffer.from('a'), Buffer.from('b'), { 'schemactl.reason': 'ü≠ “quoted”', id: '42' })]],
  ['several topics, interleaved', [rec('a', Buffer.from('1'), Buffer.from('x')), rec('b', Buffer.from('2'), null), rec('a', null, Buffer.from('y')), rec('ü-topic', Buffer.from('3'), Buffer.from('z'))]],
  ['views into a shared slab', (() => {
    const slab = Buffer.from('0123456789abcdef');
    return [rec('s', slab.subarray(2, 4), slab.subarray(4, 12)), rec('s', slab.subarray(0, 1), slab.subarray(12))];
  })()],
  ['a large value', [rec('big', Buffer.from('k'), Buffer.alloc(3 * 1024 * 1024, 0xab))]],
];

describe('record packing for the sink thread', () => {
  it.each(cases)('%s round-trips exactly', (_name, records) => {
    const ab = packRecords(records);
    expect(ab).toBeInstanceOf(ArrayBuffer);
    const back = unpackRecords(ab);
    expect(back).toHaveLength(records.length);
    back.forEach((b, i) => {
      const r = records[i]!;
      expect(b.topic).toBe(r.topic);
      expect(b.key === null ? null : Buffer.from(b.key)).toEqual(r.key === null ? null : Buffer.from(r.key));
      expect(b.value === null ? null : Buffer.from(b.value)).toEqual(r.value === null ? null : Buffer.from(r.value));
      expect(b.headers).toEqual(r.headers);
    });
  });

  it('the packed bytes are a copy: changing the source buffers afterwards changes nothing sent', () => {
    const value = Buffer.from('before');
    const ab = packRecords([rec('t', null, value)]);
    value.write('AFTER!');
    expect(unpackRecords(ab)[0]!.value!.toString()).toBe('before');
  });

  it('a truncated buffer is refused, not read as fewer records', () => {
    const ab = packRecords([rec('t', Buffer.from('k'), Buffer.from('value'))]);
    expect(() => unpackRecords(ab.slice(0, ab.byteLength - 2))).toThrow();
  });
});
