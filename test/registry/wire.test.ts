import { describe, expect, it } from 'vitest';
import avro from 'avsc';
import { encode as kafkajsEncode } from '@kafkajs/confluent-schema-registry/dist/wireEncoder.js';
import kafkajsDecode from '@kafkajs/confluent-schema-registry/dist/wireDecoder.js';
import { SchemaId } from '@confluentinc/schemaregistry';
import { decodeFrame, decodeMessageIndexes, encodeFrame, encodeMessageIndexes, WireFormatError } from '../../src/registry/wire.js';

const type = avro.Type.forSchema({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'long' }, { name: 's', type: 'string' }] });
const decodeKafkajs = ((kafkajsDecode as unknown as { default?: unknown }).default ?? kafkajsDecode) as (b: Buffer) => {
  magicByte: Buffer;
  registryId: number;
  payload: Buffer;
};

describe('wire format', () => {
  it('frames Avro payloads byte-for-byte like @kafkajs/confluent-schema-registry', () => {
    for (const id of [0, 1, 255, 256, 65_537, 2 ** 31 - 1]) {
      const payload = type.toBuffer({ a: id, s: `x${id}` });
      const ours = encodeFrame(id, payload);
      expect(ours.equals(kafkajsEncode(id, payload))).toBe(true);
      const theirs = decodeKafkajs(ours);
      expect(theirs.registryId).toBe(id);
      expect(type.fromBuffer(theirs.payload)).toEqual({ a: id, s: `x${id}` });
      const back = decodeFrame(kafkajsEncode(id, payload));
      expect(back.schemaId).toBe(id);
      expect(back.payload.equals(payload)).toBe(true);
    }
  });

  it('writes Protobuf message indexes like @confluentinc/schemaregistry, including the [0] shortcut', () => {
    const cases = [[0], [1], [0, 0], [2, 5], [0, 1, 2, 3], [63], [64], [1000], [2 ** 20, 3]];
    for (const idx of cases) {
      const theirs = new SchemaId('PROTOBUF', 42, undefined, idx).idToBytes();
      const ours = encodeFrame(42, Buffer.alloc(0), idx);
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      const parsed = new SchemaId('PROTOBUF');
      const consumed = parsed.fromBytes(Buffer.concat([ours, Buffer.from([8, 1])]));
      expect(parsed.messageIndexes).toEqual(idx);
      const mine = decodeFrame(Buffer.concat([theirs, Buffer.from([8, 1])]), { protobuf: true });
      expect(mine.messageIndexes).toEqual(idx);
      expect(mine.payload.equals(Buffer.from([8, 1]))).toBe(true);
      expect(consumed).toBe(ours.length);
    }
    expect(encodeMessageIndexes([0]).equals(Buffer.from([0]))).toBe(true);
    expect(decodeMessageIndexes(Buffer.from([0]))).toEqual([[0], 1]);
  });

  it('rejects malformed frames with a clear error', () => {
    expect(() => decodeFrame(Buffer.from([0, 0, 0]))).toThrow(WireFormatError);
    expect(() => decodeFrame(Buffer.from([1, 0, 0, 0, 1]))).toThrow(/magic byte 1/);
    expect(() => decodeFrame(Buffer.from([0, 0, 0, 0, 1, 4, 2]), { protobuf: true })).toThrow(/truncated|count/);
    expect(() => encodeFrame(-1, Buffer.alloc(0))).toThrow(/does not fit/);
  });
});
