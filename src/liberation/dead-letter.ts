// Rows that do not fit their schema go here with the reason and their source position — never to the
// topic, never silently dropped. A file target is NDJSON, fsynced before the checkpoint moves past them.
// A topic target carries Avro records of DEAD_LETTER_SCHEMA, registered under `<topic>-value` like any
// other value, so registry-aware consumers (Confluent deserializers, kafkajs' registry client) read them;
// each record is keyed by the row's key, so a fixed row can be matched with its dead letter.
import avro from 'avsc';
import { appendDurable, jsonLine } from './fsutil.js';
import { encodeFrame } from '../registry/wire.js';
import type { Registry } from '../registry/types.js';
import type { DeadLetter, OutRecord, Sink } from './types.js';

export interface DeadLetterTarget {
  describe(): string;
  /** register what the target needs before the first row is read (a topic's value schema) */
  open?(): Promise<void>;
  write(entries: DeadLetter[]): Promise<void>;
}

export class FileDeadLetter implements DeadLetterTarget {
  constructor(private readonly path: string) {}
  describe(): string {
    return `file ${this.path}`;
  }
  async write(entries: DeadLetter[]): Promise<void> {
    // the key as text is for people; the exact bytes are for topic records
    if (entries.length) appendDurable(this.path, entries.map(({ keyBytes: _bytes, ...e }) => jsonLine(e)).join('\n') + '\n');
  }
}

/** The value schema of dead-letter topics (README: "Dead letters"). Evolve it only compatibly. */
export const DEAD_LETTER_SCHEMA = {
  type: 'record',
  name: 'DeadLetter',
  namespace: 'io.schemactl.publish.v1',
  doc: 'A source row that schemactl publish could not map to its stream\'s schema; the row was not published to the stream.',
  fields: [
    { name: 'stream', type: 'string', doc: 'The stream (topic) the row was meant for.' },
    { name: 'position', type: 'string', doc: 'Where the row is in its source, e.g. `orders (ts=2024-01-01 00:00:00+00, id=42)`.' },
    { name: 'reason', type: 'string', doc: 'Why the row did not fit the schema.' },
    { name: 'field', type: ['null', 'string'], default: null, doc: 'The field to blame, when one is.' },
    { name: 'row', type: { type: 'map', values: ['null', 'string'] }, doc: 'The row\'s columns as text (bytes as \\x-prefixed hex, structures as JSON); NULL as null.' },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'When the row was dead-lettered.' },
  ],
} as const;

const deadLetterType = avro.Type.forSchema(DEAD_LETTER_SCHEMA as unknown as avro.Schema);

function asText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return jsonLine(v);
  return String(v);
}

/** The Avro value of one dead letter (exported for tests and for consumers' documentation). */
export function deadLetterValue(e: DeadLetter): Record<string, unknown> {
  return {
    stream: e.stream,
    position: e.position,
    reason: e.reason,
    field: e.field ?? null,
    row: Object.fromEntries(Object.entries(e.row).map(([k, v]) => [k, asText(v)])),
    at: Date.parse(e.at),
  };
}

/** Dead letters as registered Avro records on a topic, through a sink (acknowledged like any record). */
export class TopicDeadLetter implements DeadLetterTarget {
  private schemaId: number | undefined;

  constructor(private readonly topic: string, private readonly sink: Sink, private readonly registry: Registry) {}

  describe(): string {
    return `topic ${this.topic}`;
  }

  async open(): Promise<void> {
    const r = await this.registry.register(`${this.topic}-value`, { schema: JSON.stringify(DEAD_LETTER_SCHEMA), schemaType: 'AVRO' });
    this.schemaId = r.id;
  }

  async write(entries: DeadLetter[]): Promise<void> {
    if (!entries.length) return;
    if (this.schemaId === undefined) await this.open();
    const records: OutRecord[] = entries.map((e) => ({
      topic: this.topic,
      // the event's own key bytes (a uuid lower-cased, a decimal as the schema encodes it), so the
      // dead letter pairs with the key's events; the text only when no event key could be derived
      key: e.keyBytes !== undefined ? e.keyBytes : e.key === null || e.key === undefined ? null : Buffer.from(e.key, 'utf8'),
      value: encodeFrame(this.schemaId!, deadLetterType.toBuffer(deadLetterValue(e))),
      headers: { 'schemactl.reason': e.reason.slice(0, 200), 'schemactl.position': e.position, 'schemactl.stream': e.stream },
      position: e.position,
    }));
    await this.sink.send(records);
  }
}
