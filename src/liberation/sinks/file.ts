// The embedded default sink: NDJSON, one line per record with the decoded value and the exact wire
// bytes in base64, appended and fsynced before the batch counts as acknowledged.
import { appendDurable, jsonLine } from '../fsutil.js';
import type { OutRecord, Sink } from '../types.js';

export class FileSink implements Sink {
  readonly usesDecoded = true;

  constructor(private readonly path: string) {}

  describe(): string {
    return `file ${this.path}`;
  }

  async open(): Promise<void> {}

  async send(records: OutRecord[]): Promise<void> {
    if (records.length === 0) return;
    const lines = records.map((r) =>
      jsonLine({
        topic: r.topic,
        key: r.key ? r.key.toString('base64') : null,
        value: r.value ? r.value.toString('base64') : null,
        headers: r.headers ?? {},
        decoded: r.value === null ? null : r.decoded,
        position: r.position,
      }),
    );
    appendDurable(this.path, lines.join('\n') + '\n');
  }

  async close(): Promise<void> {}
}
