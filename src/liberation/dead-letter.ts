// Rows that do not fit their schema go here with the reason and their source position — never to the
// topic, never silently dropped. A file target is NDJSON, fsynced before the checkpoint moves past them.
import { appendDurable, jsonLine } from './fsutil.js';
import type { DeadLetter, OutRecord, Sink } from './types.js';

export interface DeadLetterTarget {
  describe(): string;
  write(entries: DeadLetter[]): Promise<void>;
}

export class FileDeadLetter implements DeadLetterTarget {
  constructor(private readonly path: string) {}
  describe(): string {
    return `file ${this.path}`;
  }
  async write(entries: DeadLetter[]): Promise<void> {
    if (entries.length) appendDurable(this.path, entries.map((e) => jsonLine(e)).join('\n') + '\n');
  }
}

/** Dead letters as JSON records on a topic, through a sink (acknowledged like any record). */
export class TopicDeadLetter implements DeadLetterTarget {
  constructor(private readonly topic: string, private readonly sink: Sink) {}
  describe(): string {
    return `topic ${this.topic}`;
  }
  async write(entries: DeadLetter[]): Promise<void> {
    const records: OutRecord[] = entries.map((e) => ({
      topic: this.topic,
      key: Buffer.from(e.stream),
      value: Buffer.from(jsonLine(e)),
      headers: { 'schemactl.reason': e.reason.slice(0, 200), 'schemactl.position': e.position },
      position: e.position,
    }));
    await this.sink.send(records);
  }
}
