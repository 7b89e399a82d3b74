// Confluent-framed values (magic byte, 4-byte schema id, body) written into shared slabs.
//
// Encoding each row into a buffer of its own, then a 5-byte header, then both joined into a third
// (avsc's toBuffer and encodeFrame) made three allocations and two copies per event, most of the
// garbage the publisher's collector cleaned up. Here the encoder writes the body straight after the
// header into a slab of 64 KiB that many records share, and each record is a view of its bytes: one
// small object per record, no copy. A slab lives as long as any of its records (until their batch is
// acknowledged and dropped); a record larger than a slab gets a buffer of its exact size.
import { MAGIC_BYTE, WireFormatError } from '../registry/wire.js';
import { DECLINE } from './avro-direct.js';

const HEADER = 5;
const SLAB = 64 * 1024;

/** Writes `value` at `pos` and returns the end, or minus the bytes it lacked (avsc's `Type.encode`). */
export interface BodyEncoder {
  encode(value: unknown, buf: Buffer, pos: number): number;
}

function checkId(schemaId: number): void {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) {
    throw new WireFormatError(`schema id ${schemaId} does not fit the wire format (0..2^31-1)`);
  }
}

export class FrameSlab {
  private slab = Buffer.allocUnsafe(0);
  private used = 0;

  /**
   * A body written by `write` (avro-direct.ts: the end, negative when the slab is too short, DECLINE for
   * a row it leaves to the general path); undefined when declined or larger than a slab.
   */
  frameWith(schemaId: number, write: (buf: Buffer, pos: number) => number): Buffer | undefined {
    checkId(schemaId);
    let start = this.used;
    let end = this.slab.length - start > HEADER ? write(this.slab, start + HEADER) : -1;
    if (end === DECLINE) return undefined;
    if (end < 0) {
      this.slab = Buffer.allocUnsafe(SLAB);
      this.used = 0;
      start = 0;
      end = write(this.slab, HEADER);
      // declined, or a row larger than a slab: the general path sizes its own buffer
      if (end < 0) return undefined;
    }
    this.slab[start] = MAGIC_BYTE;
    this.slab.writeInt32BE(schemaId, start + 1);
    this.used = end;
    return this.slab.subarray(start, end);
  }

  frame(schemaId: number, encoder: BodyEncoder, value: unknown): Buffer {
    checkId(schemaId);
    let start = this.used;
    let end = this.slab.length - start > HEADER ? encoder.encode(value, this.slab, start + HEADER) : -1;
    if (end < 0) {
      // the rest of this slab is too short: a fresh one, or a buffer of the record's own size
      this.slab = Buffer.allocUnsafe(SLAB);
      start = 0;
      end = encoder.encode(value, this.slab, HEADER);
      if (end < 0) {
        const own = Buffer.allocUnsafe(SLAB - end);
        const ownEnd = encoder.encode(value, own, HEADER);
        if (ownEnd < 0) throw new Error('the encoder asked for more room than it said it lacked');
        own[0] = MAGIC_BYTE;
        own.writeInt32BE(schemaId, 1);
        this.used = 0; // the fresh slab holds no record: the next one starts at its beginning
        return own.subarray(0, ownEnd);
      }
    }
    this.slab[start] = MAGIC_BYTE;
    this.slab.writeInt32BE(schemaId, start + 1);
    this.used = end;
    return this.slab.subarray(start, end);
  }
}
