// A batch of records as one transferable buffer, for the Kafka sink's thread (kafka-thread.ts).
//
// Handing a worker thread an array of records would structured-clone every key and value; here the
// batch is copied once into a single ArrayBuffer whose ownership moves to the thread with the message
// (no second copy), and the thread reads each key and value as a view of it.
//
// Layout: u32 count, u32 length of the topics' JSON, that JSON (the distinct topics, in order of first
// use); then per record: u16 topic index, i32 key length, i32 value length, i32 headers' JSON length
// (-1: null / absent), and the key, value and headers bytes.
import type { OutRecord } from '../types.js';

const FIXED = 2 + 4 + 4 + 4;

/** What the thread sends: the record as the sink takes it, without its source position. */
export interface PackedRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

export function packRecords(records: readonly OutRecord[]): ArrayBuffer {
  const topics: string[] = [];
  const topicIndex = new Map<string, number>();
  const headerJson: Array<Buffer | undefined> = new Array(records.length);
  let size = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (!topicIndex.has(r.topic)) {
      topicIndex.set(r.topic, topics.length);
      topics.push(r.topic);
    }
    size += FIXED + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) {
      const h = Buffer.from(JSON.stringify(r.headers), 'utf8');
      headerJson[i] = h;
      size += h.length;
    }
  }
  if (topics.length > 0xffff) throw new Error('a batch for more than 65,535 topics');
  const topicsJson = Buffer.from(JSON.stringify(topics), 'utf8');
  const ab = new ArrayBuffer(8 + topicsJson.length + size);
  const buf = Buffer.from(ab);
  buf.writeUInt32LE(records.length, 0);
  buf.writeUInt32LE(topicsJson.length, 4);
  topicsJson.copy(buf, 8);
  let pos = 8 + topicsJson.length;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    const h = headerJson[i];
    buf.writeUInt16LE(topicIndex.get(r.topic)!, pos);
    buf.writeInt32LE(r.key ? r.key.length : -1, pos + 2);
    buf.writeInt32LE(r.value ? r.value.length : -1, pos + 6);
    buf.writeInt32LE(h ? h.length : -1, pos + 10);
    pos += FIXED;
    if (r.key) pos += r.key.copy(buf, pos);
    if (r.value) pos += r.value.copy(buf, pos);
    if (h) pos += h.copy(buf, pos);
  }
  return ab;
}

export function unpackRecords(ab: ArrayBuffer): PackedRecord[] {
  const buf = Buffer.from(ab);
  const count = buf.readUInt32LE(0);
  const topicsLen = buf.readUInt32LE(4);
  const topics = JSON.parse(buf.toString('utf8', 8, 8 + topicsLen)) as string[];
  const out: PackedRecord[] = new Array(count);
  let pos = 8 + topicsLen;
  for (let i = 0; i < count; i++) {
    const topic = topics[buf.readUInt16LE(pos)]!;
    const keyLen = buf.readInt32LE(pos + 2);
    const valueLen = buf.readInt32LE(pos + 6);
    const headersLen = buf.readInt32LE(pos + 10);
    pos += FIXED;
    const key = keyLen < 0 ? null : buf.subarray(pos, (pos += keyLen));
    const value = valueLen < 0 ? null : buf.subarray(pos, (pos += valueLen));
    if (headersLen < 0) {
      out[i] = { topic, key, value };
    } else {
      out[i] = { topic, key, value, headers: JSON.parse(buf.toString('utf8', pos, (pos += headersLen))) as Record<string, string> };
    }
  }
  if (pos !== buf.length) throw new Error(`a packed batch of ${buf.length} bytes held ${pos}`);
  return out;
}
