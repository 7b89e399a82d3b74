// The Confluent wire format: magic byte 0, the schema id as a 4-byte big-endian int, then (Protobuf only)
// the message indexes that locate the message type in the .proto file, then the encoded payload.
// Message indexes are a count followed by the indexes, all zig-zag varints; the common case [0] (the
// first top-level message) is written as the single byte 0.

export const MAGIC_BYTE = 0;
const HEADER = 5;

export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

export interface Framed {
  schemaId: number;
  /** Protobuf only */
  messageIndexes?: number[];
  payload: Buffer;
}

function zigzagVarintLength(n: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let len = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    len++;
  }
  return len;
}

function writeZigzagVarint(buf: Buffer, pos: number, n: number): number {
  // float arithmetic keeps indexes above 2^30 exact, where int32 shifts would overflow
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

function readZigzagVarint(buf: Buffer, pos: number): [value: number, next: number] {
  let z = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw new WireFormatError('truncated varint in message indexes');
    const b = buf[pos++] as number;
    z += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return [z % 2 === 0 ? z / 2 : -(z + 1) / 2, pos];
    mul *= 128;
  }
  throw new WireFormatError('varint longer than 10 bytes in message indexes');
}

export function encodeMessageIndexes(indexes: readonly number[]): Buffer {
  if (indexes.length === 0 || (indexes.length === 1 && indexes[0] === 0)) return Buffer.from([0]);
  let size = zigzagVarintLength(indexes.length);
  for (const i of indexes) {
    if (!Number.isInteger(i) || i < 0) throw new WireFormatError(`invalid message index ${i}`);
    size += zigzagVarintLength(i);
  }
  const buf = Buffer.alloc(size);
  let pos = writeZigzagVarint(buf, 0, indexes.length);
  for (const i of indexes) pos = writeZigzagVarint(buf, pos, i);
  return buf;
}

export function decodeMessageIndexes(buf: Buffer, offset = 0): [indexes: number[], next: number] {
  const [count, afterCount] = readZigzagVarint(buf, offset);
  if (count === 0) return [[0], afterCount];
  if (count < 0 || count > buf.length - afterCount) throw new WireFormatError(`invalid message index count ${count}`);
  const out: number[] = [];
  let pos = afterCount;
  for (let k = 0; k < count; k++) {
    const [v, next] = readZigzagVarint(buf, pos);
    if (v < 0) throw new WireFormatError(`negative message index ${v}`);
    out.push(v);
    pos = next;
  }
  return [out, pos];
}

/** Frame an already-encoded payload. Pass `messageIndexes` for Protobuf (use [0] for the first message). */
export function encodeFrame(schemaId: number, payload: Uint8Array, messageIndexes?: readonly number[]): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new WireFormatError(`schema id ${schemaId} does not fit the wire format (0..2^31-1)`);
  }
  const header = Buffer.alloc(HEADER);
  header[0] = MAGIC_BYTE;
  header.writeInt32BE(schemaId, 1);
  const parts: Uint8Array[] = [header];
  if (messageIndexes) parts.push(encodeMessageIndexes(messageIndexes));
  parts.push(payload);
  return Buffer.concat(parts);
}

/** Split a framed message; set `protobuf` to read the message indexes. */
export function decodeFrame(data: Uint8Array, opts: { protobuf?: boolean } = {}): Framed {
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < HEADER) throw new WireFormatError(`message of ${buf.length} bytes is shorter than the 5-byte header`);
  if (buf[0] !== MAGIC_BYTE) throw new WireFormatError(`unknown magic byte ${buf[0]}; expected ${MAGIC_BYTE}`);
  const schemaId = buf.readInt32BE(1);
  if (!opts.protobuf) return { schemaId, payload: buf.subarray(HEADER) };
  const [messageIndexes, next] = decodeMessageIndexes(buf, HEADER);
  return { schemaId, messageIndexes, payload: buf.subarray(next) };
}
