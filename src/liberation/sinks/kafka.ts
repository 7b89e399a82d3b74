// Kafka sink: idempotent produce requests with acks=all (produce-pipeline.ts), so a retried batch is not
// duplicated by the broker and an acknowledged record is on every in-sync replica. `send` resolves only
// when the broker acknowledged every record of the batch.
import { redact, UnreachableError } from '../../errors.js';
import type { OutRecord, Sink } from '../types.js';
import type { KafkaSinkConfig } from './kafka-options.js';
import { ProducePipeline, type ProduceRecord } from './produce-pipeline.js';

export { producerOptions, type KafkaSinkConfig } from './kafka-options.js';

/** What a produce request needs of a record (the thread's records carry no source position). */
export type SendableRecord = Pick<OutRecord, 'topic' | 'key' | 'value' | 'headers'> & { position?: string };

/** What the sink needs of a producer (a test drives the sink with one that fails on cue). */
export interface PipelineProducer {
  /** the first failure, after which the producer sends nothing */
  readonly failed: Error | undefined;
  metadata(): Promise<void>;
  /** look the topics up ahead of the first send (best effort) */
  prepare?(topics: readonly string[]): Promise<void>;
  /** written behind every earlier call's request at once; resolves when acknowledged */
  send(records: readonly ProduceRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Records per produce request, and uncompressed bytes: the broker refuses a record batch larger than its
 * message.max.bytes (1 MiB by default) after compression, and compression never grows a batch by more
 * than a fraction of a percent, so chunks of at most 900,000 bytes always fit.
 */
const CHUNK_RECORDS = 2000;
const CHUNK_BYTES = 900_000;
/** what a record costs a batch beyond its key and value: length, attributes, deltas, header count */
const RECORD_OVERHEAD = 24;

function withDeadline<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement from the broker within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** `records` cut into produce requests of at most `maxRecords` records and about `maxBytes` bytes each. */
export function chunks<T extends SendableRecord>(records: readonly T[], maxRecords: number, maxBytes: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let bytes = 0;
  for (const r of records) {
    let size = RECORD_OVERHEAD + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    if (r.headers) for (const [k, v] of Object.entries(r.headers)) size += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
    // a record larger than a chunk goes alone (the broker says whether it takes it)
    if (cur.length && (cur.length >= maxRecords || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(r);
    bytes += size;
  }
  if (cur.length) out.push(cur);
  return out;
}

export class KafkaSink implements Sink {
  private producer: PipelineProducer | undefined;
  /** sends of the current producer not yet ended */
  private outstanding = 0;

  constructor(private readonly cfg: KafkaSinkConfig) {}

  describe(): string {
    return `kafka ${this.cfg.brokers.map((b) => redact(b)).join(',')}`;
  }

  async open(): Promise<void> {
    this.producer = this.newProducer();
    try {
      await this.producer.metadata();
    } catch (e) {
      await this.producer.close().catch(() => {});
      this.producer = undefined;
      throw new UnreachableError(`cannot reach the Kafka brokers ${this.cfg.brokers.map((b) => redact(b)).join(',')}: ${redact((e as Error).message)}`, e);
    }
  }

  /** A new producer (protected: a test drives the sink's ordering with a producer that fails on cue). */
  protected newProducer(): PipelineProducer {
    return new ProducePipeline(this.cfg);
  }

  /**
   * The batch's produce requests go out at once, behind every earlier batch's (the broker appends the
   * next batch while this side builds the one after it); the promise settles once all of them ended.
   *
   * After a failure nothing more is produced on that producer: a send made behind a failed one fails too
   * (produced after the failed batch, it would land before the engine's resend of that batch, and for a
   * table of events an older event could end up last on the topic), and the next send after the engine
   * has seen the failure goes out on a fresh producer (a new producer id, sequence numbers from 0).
   */
  send(records: readonly SendableRecord[]): Promise<void> {
    let producer = this.producer;
    if (!producer) return Promise.reject(new Error('sink not opened'));
    // a producer that failed with nothing of ours in flight (a connection closed while idle) lost no
    // batch: replace it now rather than fail a batch for it
    if (producer.failed && this.outstanding === 0) producer = this.replace(producer);
    if (producer.failed) {
      return Promise.reject(new UnreachableError('producing to Kafka failed: not sent, a batch sent before it failed (it is sent again after that one)'));
    }
    // The engine must get a failure in bounded time so it can rewind, back off and say what is going on.
    const deadlineMs = (this.cfg.timeoutMs ?? 30_000) * ((this.cfg.retries ?? 3) + 1) + 1000;
    const acks = chunks(records, this.cfg.chunk ?? CHUNK_RECORDS, CHUNK_BYTES).map((c) => producer.send(c));
    this.outstanding++;
    // every request of the batch ends before the batch fails: nothing of it is still on its way to the
    // broker when the engine resends it
    return withDeadline(deadlineMs, Promise.allSettled(acks)).then(
      (ended) => {
        const failed = ended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      },
    ).catch((e: unknown) => {
      if (this.producer === producer) this.replace(producer);
      const msg = (e as Error).message ?? String(e);
      throw new UnreachableError(/^not sent, a batch sent before it failed/.test(msg)
        ? 'producing to Kafka failed: not sent, a batch sent before it failed (it is sent again after that one)'
        : `producing to Kafka failed: ${redact(msg)}`, e);
    }).finally(() => {
      if (this.producer === producer) this.outstanding--;
    });
  }

  async prepare(topics: string[]): Promise<void> {
    await this.producer?.prepare?.(topics).catch(() => {});
  }

  /** A fresh producer in place of `old`, which is closed without waiting (it may hang on a dead connection). */
  private replace(old: PipelineProducer): PipelineProducer {
    const fresh = this.newProducer();
    this.producer = fresh;
    this.outstanding = 0;
    void old.close().catch(() => {});
    return fresh;
  }

  async close(): Promise<void> {
    await this.producer?.close();
    this.producer = undefined;
  }
}
