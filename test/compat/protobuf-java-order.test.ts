// The registry lists differences in java.util.HashSet order. Expected orders below were produced by
// running the same set operations on OpenJDK 17 and 25 (identical output).
import { describe, expect, it } from 'vitest';
import { javaIntHash, javaStringHash, javaUnionOrder } from '../../src/compat/protobuf/java-order.js';

describe('Java HashSet iteration order', () => {
  it('hashes strings like String#hashCode', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('TestMessage')).toBe(-2064772363);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('orders a union of string keys across a resize', () => {
    const orig = Array.from({ length: 20 }, (_, i) => `Msg${(i * 7) % 20}Event`);
    const upd = Array.from({ length: 15 }, (_, i) => `Msg${i + 10}Event`);
    expect(javaUnionOrder(javaStringHash, orig, upd).join(',')).toBe(
      'Msg22Event,Msg14Event,Msg17Event,Msg10Event,Msg8Event,Msg24Event,Msg5Event,Msg19Event,Msg16Event,' +
        'Msg21Event,Msg2Event,Msg13Event,Msg18Event,Msg0Event,Msg3Event,Msg6Event,Msg9Event,Msg15Event,' +
        'Msg23Event,Msg20Event,Msg12Event,Msg1Event,Msg7Event,Msg11Event,Msg4Event',
    );
  });

  it('orders integer keys, negative and large ones included', () => {
    const o = [0, 1, 2, 17, 33, -1, 100, 65536, 65537, 3, 4, 5, 6, 7];
    const u = [0, 1, 18, 34, 99, -5, 2147483647, 8, 9, 10, 11, 12, 13];
    expect(javaUnionOrder(javaIntHash, o, u).join(',')).toBe(
      '0,-1,65537,2147483647,1,65536,2,3,4,-5,5,6,7,8,9,10,11,12,13,17,18,33,34,99,100',
    );
  });

  it('orders a set copied from exactly twelve keys and then grown', () => {
    const t = Array.from({ length: 12 }, (_, i) => `T${i}`);
    expect(javaUnionOrder(javaStringHash, t, ['Extra', 'Zeta']).join(',')).toBe(
      'T4,T5,T6,T7,T8,T9,T10,Zeta,Extra,T11,T0,T1,T2,T3',
    );
  });
});
