import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { FrameSlab } from '../../src/liberation/frames.js';
import { AvroRowMapper } from '../../src/liberation/mapping.js';
import { encodeFrame, WireFormatError } from '../../src/registry/wire.js';

const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'n', type: 'int' }, { name: 's', type: 'string' }] });

describe('FrameSlab', () => {
  it('gives the bytes encodeFrame gives, for records that fill slabs, cross their ends and exceed them, and keeps earlier ones intact', () => {
    const slab = new FrameSlab();
    const sizes = [0, 1, 100, 4000, 65_000, 65_531, 65_536, 70_000, 200_000, 3, 60_000, 60_000, 10];
    const framed: Array<{ buf: Buffer; want: Buffer }> = [];
    for (let round = 0; round < 20; round++) {
      for (const [i, size] of sizes.entries()) {
        const value = { n: round * 100 + i, s: String.fromCharCode(97 + ((round + i) % 26)).repeat(size) };
        framed.push({ buf: slab.frame(round + 7, type, value), want: encodeFrame(round + 7, type.toBuffer(value)) });
      }
    }
    for (const { buf, want } of framed) expect(buf.equals(want)).toBe(true);
  });

  it('refuses a schema id the wire format cannot carry', () => {
    expect(() => new FrameSlab().frame(2 ** 31, type, { n: 1, s: '' })).toThrow(WireFormatError);
    expect(() => new FrameSlab().frame(-1, type, { n: 1, s: '' })).toThrow(WireFormatError);
  });

  it('frames a mapped row exactly as the encoder and encodeFrame did', () => {
    const mapper = new AvroRowMapper({
      type: 'record', name: 'E', fields: [
        { name: 'id', type: 'long' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } }, { name: 'note', type: ['null', 'string'] },
      ],
    });
    for (let i = 0; i < 3000; i++) {
      const v = mapper.map({ id: String(i * 7919), at: `2024-01-01 00:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(6, '0')}+00`, amount: `${i}.${i % 100}`, note: i % 3 ? 'x'.repeat(i) : null });
      expect(mapper.frame(42, v).equals(encodeFrame(42, mapper.encode(v)))).toBe(true);
    }
  });
});
