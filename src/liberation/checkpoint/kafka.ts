// Checkpoints in a compacted Kafka topic (Kafka Connect keeps its source offsets the same way): one
// record per save, keyed by stream, so compaction keeps the latest offset of every stream. Useful when
// the publisher runs where local disk is not durable (containers): the position lives beside the data.
// `save` resolves only after the broker acknowledged the record (idempotent producer, acks=all).
import type { Producer } from '@platformatic/kafka';
import { kafka } from '../kafka-client.js';
import { redact, UnreachableError } from '../../errors.js';
import type { CheckpointStore, SourceOffset } from '../types.js';
import { parseOffset } from './file.js';

export interface KafkaCheckpointConfig {
  brokers: string[];
  topic: string;
  clientId?: string;
  /** how long `load` may take to read the topic to its end */
  timeoutMs?: number;
  /**
   * the topic is written in Kafka transactions (exactly-once publishing): read only committed
   * records, so a checkpoint of an aborted transaction never moves the stream past unpublished rows
   */
  transactional?: boolean;
}

export class KafkaCheckpointStore implements CheckpointStore {
  private producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;
  private latest: Map<string, SourceOffset> | undefined;

  constructor(private readonly cfg: KafkaCheckpointConfig) {}

  /** Create the topic (compacted, one partition so a stream's records stay in order) if missing. */
  async open(): Promise<void> {
    const admin = new kafka.Admin({ clientId: this.cfg.clientId ?? 'schemactl-checkpoints', bootstrapBrokers: this.cfg.brokers });
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(this.cfg.topic)) {
        await admin.createTopics({
          topics: [this.cfg.topic],
          partitions: 1,
          replicas: -1,
          configs: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: '60000' }],
        }).catch(async (e: Error) => {
          // another publisher (of the same group) created it at the same moment
          if (!(await admin.listTopics()).includes(this.cfg.topic)) throw e;
        });
      }
    } catch (e) {
      throw new UnreachableError(`cannot open the checkpoint topic ${this.cfg.topic} on ${this.cfg.brokers.map((b) => redact(b)).join(',')}: ${redact((e as Error).message)}`, e);
    } finally {
      await admin.close();
    }
    this.producer = new kafka.Producer({
      clientId: this.cfg.clientId ?? 'schemactl-checkpoints',
      bootstrapBrokers: this.cfg.brokers,
      idempotent: true,
      acks: kafka.ProduceAcks.ALL,
      serializers: { key: (k?: Buffer) => k, value: (v?: Buffer) => v, headerKey: (k?: Buffer) => k, headerValue: (v?: Buffer) => v },
    });
  }

  /** Read the topic once, to its end offset at the time of the call; the last record per stream wins. */
  private async readAll(): Promise<Map<string, SourceOffset>> {
    const out = new Map<string, SourceOffset>();
    if (this.cfg.transactional) {
      const { readCommitted } = await import('../sinks/kafka-tx.js');
      for (const m of await readCommitted(this.cfg.brokers, this.cfg.topic, this.cfg.timeoutMs ?? 30_000)) {
        if (!m.key) continue;
        const stream = m.key.toString('utf8');
        if (!m.value) out.delete(stream);
        else out.set(stream, parseOffset(JSON.parse(m.value.toString('utf8')), `${this.cfg.topic}@${m.offset}`));
      }
      return out;
    }
    const consumer = new kafka.Consumer<Buffer, Buffer, Buffer, Buffer>({
      groupId: `schemactl-checkpoints-${process.pid}-${Date.now()}`,
      clientId: this.cfg.clientId ?? 'schemactl-checkpoints',
      bootstrapBrokers: this.cfg.brokers,
    });
    try {
      const end = (await consumer.listOffsets({ topics: [this.cfg.topic] })).get(this.cfg.topic)?.[0] ?? 0n;
      if (end === 0n) return out;
      const stream = await consumer.consume({ topics: [this.cfg.topic], mode: kafka.MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200 });
      const timer = setTimeout(() => void stream.close(), this.cfg.timeoutMs ?? 30_000);
      let reached = false;
      try {
        for await (const m of stream) {
          if (m.key) {
            const stream = m.key.toString('utf8');
            if (!m.value || m.value.length === 0) out.delete(stream);
            else out.set(stream, parseOffset(JSON.parse(m.value.toString('utf8')), `${this.cfg.topic}@${m.offset}`));
          }
          if (m.offset + 1n >= end) {
            reached = true;
            break;
          }
        }
      } finally {
        clearTimeout(timer);
        await stream.close();
      }
      if (!reached) throw new UnreachableError(`reading the checkpoint topic ${this.cfg.topic} to its end timed out`);
      return out;
    } finally {
      await consumer.close(true);
    }
  }

  async load(stream: string): Promise<SourceOffset | null> {
    if (!this.producer) await this.open();
    this.latest ??= await this.readAll();
    return this.latest.get(stream) ?? null;
  }

  async save(stream: string, offset: SourceOffset): Promise<void> {
    if (!this.producer) await this.open();
    await this.producer!.send({
      messages: [{ topic: this.cfg.topic, key: Buffer.from(stream), value: Buffer.from(JSON.stringify(offset)), headers: new Map() }],
    });
    this.latest?.set(stream, offset);
  }

  async close(): Promise<void> {
    await this.producer?.close();
    this.producer = undefined;
  }
}
