// An append-only log of JSON records. Frame: payload length (u32 BE), CRC-32 of the payload (u32 BE),
// payload (UTF-8 JSON). Appends are group-committed: records queued while a write+fsync is in flight go
// out together in the next one, and an append resolves only after the fsync that covers it. A crash can
// only tear the last write, so opening truncates the log at the first frame that is short, fails its
// CRC or does not parse; everything before it was acknowledged and is kept.
import { open, mkdir } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';

const HEADER = 8;
const MAX_RECORD = 64 * 1024 * 1024;

export interface Recovery {
  records: number;
  /** bytes cut off a torn or corrupt tail (0 after a clean shutdown) */
  truncatedBytes: number;
}

interface Pending {
  frames: Buffer[];
  resolve: () => void;
  reject: (e: Error) => void;
}

export function encodeFrame(record: unknown): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  return Buffer.concat([header, payload]);
}

/** Parse frames from the start of `buf`; returns the records and the length of the valid prefix. */
export function decodeFrames(buf: Buffer): { records: unknown[]; validLength: number } {
  const records: unknown[] = [];
  let pos = 0;
  while (pos + HEADER <= buf.length) {
    const len = buf.readUInt32BE(pos);
    const crc = buf.readUInt32BE(pos + 4);
    if (len > MAX_RECORD || pos + HEADER + len > buf.length) break;
    const payload = buf.subarray(pos + HEADER, pos + HEADER + len);
    if (crc32(payload) !== crc) break;
    let rec: unknown;
    try {
      rec = JSON.parse(payload.toString('utf8'));
    } catch {
      break;
    }
    records.push(rec);
    pos += HEADER + len;
  }
  return { records, validLength: pos };
}

export class RecordLog {
  private queue: Pending[] = [];
  private flushing = false;
  private failed: Error | undefined;
  private closed = false;

  private constructor(
    private readonly fh: FileHandle,
    private size: number,
    readonly file: string,
  ) {}

  static async open(file: string): Promise<{ log: RecordLog; records: unknown[]; recovery: Recovery }> {
    await mkdir(dirname(file), { recursive: true });
    let fh: FileHandle;
    let created = false;
    try {
      fh = await open(file, 'r+');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      fh = await open(file, 'wx+');
      created = true;
    }
    try {
      const buf = await fh.readFile();
      const { records, validLength } = decodeFrames(buf);
      const truncatedBytes = buf.length - validLength;
      if (truncatedBytes > 0) {
        await fh.truncate(validLength);
        await fh.sync();
      }
      if (created) await syncDir(dirname(file));
      return { log: new RecordLog(fh, validLength, file), records, recovery: { records: records.length, truncatedBytes } };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Resolves once the records are on disk (fsynced). */
  append(records: unknown[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new Error('the registry log is closed'));
    const frames = records.map(encodeFrame);
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frames, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const data = Buffer.concat(batch.flatMap((p) => p.frames));
      try {
        let off = 0;
        while (off < data.length) {
          const { bytesWritten } = await this.fh.write(data, off, data.length - off, this.size + off);
          off += bytesWritten;
        }
        await this.fh.datasync();
        this.size += data.length;
        for (const p of batch) p.resolve();
      } catch (e) {
        // memory and disk may now disagree: refuse further writes until the log is reopened (and recovered)
        this.failed = new Error(`writing the registry log ${this.file} failed: ${(e as Error).message}`, { cause: e });
        for (const p of [...batch, ...this.queue]) p.reject(this.failed);
        this.queue = [];
      }
    }
    this.flushing = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.queue.length > 0) await new Promise((r) => setImmediate(r));
    await this.fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // the new file's directory entry must be durable too; some platforms can't fsync a directory
  try {
    const d = await open(dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    /* best effort */
  }
}
