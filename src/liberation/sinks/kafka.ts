// Kafka sink on @platformatic/kafka (pure JS, maintained, speaks Kafka 4.x): an idempotent producer with
// acks=all, so a retried batch is not duplicated by the broker and an acknowledged record is on every
// in-sync replica. `send` resolves only when the broker acknowledged every record of the batch.
import type { Producer } from '@platformatic/kafka';
import { kafka } from '../kafka-client.js';
import { redact, UnreachableError } from '../../errors.js';
import type { OutRecord, Sink } from '../types.js';

/** What a produce request needs of a record (the thread's records carry no source position). */
export type SendableRecord = Pick<OutRecord, 'topic' | 'key' | 'value' | 'headers'> & { position?: string };

export interface KafkaSinkConfig {
  brokers: string[];
  clientId?: string;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  /** request timeout per produce call, ms */
  timeoutMs?: number;
  /** records per produce request; a batch from the engine is split into chunks of this size */
  chunk?: number;
  /** number of client-level retries for one produce request before the engine's own retry takes over */
  retries?: number;
}

function withDeadline<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no acknowledgement from the broker within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** The producer settings every schemactl Kafka sink shares (the transactional one adds its id). */
export function producerOptions(cfg: KafkaSinkConfig) {
  return {
    clientId: cfg.clientId ?? 'schemactl-publish',
    bootstrapBrokers: cfg.brokers,
    idempotent: true,
    acks: kafka.ProduceAcks.ALL,
    compression: cfg.compression ?? 'lz4',
    // Java's partitioner (murmur2 & 0x7fffffff): keys land where a Java producer would put them
    partitioner: kafka.compatibilityPartitioner,
    autocreateTopics: true,
    timeout: cfg.timeoutMs ?? 30_000,
    retries: cfg.retries ?? 3,
    retryDelay: 250,
    serializers: {
      key: (k?: Buffer) => k,
      value: (v?: Buffer) => v,
      headerKey: (k?: string) => (k === undefined ? undefined : Buffer.from(k)),
      headerValue: (v?: string) => (v === undefined ? undefined : Buffer.from(v)),
    },
  } as const;
}

export class KafkaSink implements Sink {
  private producer: Producer<Buffer, Buffer, string, string> | undefined;

  constructor(private readonly cfg: KafkaSinkConfig) {}

  describe(): string {
    return `kafka ${this.cfg.brokers.map((b) => redact(b)).join(',')}`;
  }

  async open(): Promise<void> {
    this.producer = this.newProducer();
    try {
      await this.producer.metadata({ topics: [] });
    } catch (e) {
      await this.producer.close().catch(() => {});
      this.producer = undefined;
      throw new UnreachableError(`cannot reach the Kafka brokers ${this.cfg.brokers.map((b) => redact(b)).join(',')}: ${redact((e as Error).message)}`, e);
    }
  }

  /** A new producer (protected: a test drives the sink's ordering with a producer that fails on cue). */
  protected newProducer(): Producer<Buffer, Buffer, string, string> {
    return new kafka.Producer<Buffer, Buffer, string, string>(producerOptions(this.cfg));
  }

  /**
   * Sends to one topic go out one after another: a send starts when the one before it to any of its
   * topics has been acknowledged (or failed). The client reads a partition's next sequence number when
   * it builds a request and advances it only when the response arrives, so two requests to the same
   * partition at once would carry the same sequence numbers, and the broker takes the second for a
   * retry of the first: it acknowledges it without appending it (records lost) or refuses it as out of
   * order. Sends come concurrently from the engine's pipeline and from streams that share a
   * dead-letter topic; different topics still go out side by side.
   *
   * A send waiting behind one that fails is not produced at all: it fails too. Produced after the failed
   * batch, it would land before the engine's resend of that batch, and for a table of events (an outbox)
   * an older event could end up last on the topic.
   */
  send(records: readonly SendableRecord[]): Promise<void> {
    const producer = this.producer;
    const topics = [...new Set(records.map((r) => r.topic))];
    const before = topics.map((t) => this.tails.get(t)).filter((p): p is Promise<void> => p !== undefined);
    const sent = (before.length ? Promise.all(before).then(() => this.sendNow(records, producer)) : this.sendNow(records, producer));
    const settled = sent.then(() => {}, () => {});
    for (const t of topics) this.tails.set(t, settled);
    void settled.then(() => {
      for (const t of topics) if (this.tails.get(t) === settled) this.tails.delete(t);
    });
    return sent;
  }

  private readonly tails = new Map<string, Promise<void>>();

  private async sendNow(records: readonly SendableRecord[], producer: Producer<Buffer, Buffer, string, string> | undefined): Promise<void> {
    if (!producer) throw new Error('sink not opened');
    // A failure replaces the producer (below): a send made before it, still waiting, is not produced
    if (producer !== this.producer) {
      throw new UnreachableError('producing to Kafka failed: not sent, a batch sent before it failed (it is sent again after that one)');
    }
    const size = this.cfg.chunk ?? 2000;
    // The client retries connections on its own and can wait a long time on a dead broker; the engine
    // must get a failure in bounded time so it can rewind, back off and say what is going on.
    const deadlineMs = (this.cfg.timeoutMs ?? 30_000) * ((this.cfg.retries ?? 3) + 1) + 1000;
    try {
      for (let i = 0; i < records.length; i += size) {
        const chunk = records.slice(i, i + size);
        await withDeadline(deadlineMs, producer.send({
          messages: chunk.map((r) => ({
            topic: r.topic,
            key: r.key ?? undefined,
            value: r.value ?? undefined,
            headers: r.headers,
          })),
        }));
      }
    } catch (e) {
      // A producer whose request failed midway may hold stale sequence state; start a fresh one (a new
      // producer id) so the engine's retry of this batch is not rejected as out of sequence. A send in
      // flight on the same producer at the same time fails with it and must not replace the replacement
      // (nor leak a second one); sends made before this failure and still waiting are refused above.
      if (this.producer === producer) {
        this.producer = this.newProducer();
        // don't wait for a close that may itself hang on the dead connection
        producer.close(true, () => {});
      }
      const err = new UnreachableError(`producing to Kafka failed: ${redact((e as Error).message)}`, e);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.producer?.close();
    this.producer = undefined;
  }
}
