// Idempotent produce requests with several in flight per partition, as Kafka's own producer sends them
// (max.in.flight.requests.per.connection up to 5 with idempotence).
//
// Why not the client's producer: @platformatic/kafka 1.x reads a partition's next sequence number when
// it builds a request and advances it only when the response arrives, so two requests to a partition
// at once carry the same sequence numbers and the broker takes the second for a retry of the first
// (acknowledged, not appended). With one request at a time the broker and this side took turns: the
// next batch's records were built and compressed only once the previous batch was acknowledged, and
// publishing ran at about half of what the broker takes from Java's producer. Here the sequence numbers
// are assigned when a request is built, so the next request goes out while the broker appends the one
// before it. The record batches and the request around them are written here too (record-batch.ts); the
// client still does the rest: the connection, metadata (and creating topics), the producer id, the
// compression codecs and reading the response.
//
// Ordering and loss: requests are written in call order, and a broker handles one connection's requests
// in order. A request the broker refuses (leader moved, timeout, connection lost) fails, and every
// request after it to the same partition is refused by the broker too (its sequence no longer follows:
// OUT_OF_ORDER_SEQUENCE_NUMBER), so nothing lands after a gap. After the first failure this pipeline
// sends nothing more; the sink replaces it (new producer id, sequences from 0) and the engine resends
// from its last checkpoint.
import type { ClusterMetadata, Connection, Producer } from '@platformatic/kafka';
import { kafka } from '../kafka-client.js';
import { producerOptions, type KafkaSinkConfig } from './kafka-options.js';
import { encodeRecordBatch, partitionOf, produceRequestV9 } from './record-batch.js';

/** What a produce request needs of a record. */
export interface ProduceRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string> | undefined;
}

/** Requests in flight on one connection; more wait in the client's queue, still in order. */
const MAX_IN_FLIGHT = 5;

/**
 * How long a topic's partitions and leaders are used before they are looked up again (Kafka's
 * metadata.max.age.ms): partitions added to a topic are used from then on, as by Java's producer.
 */
const METADATA_MAX_AGE_MS = 5 * 60_000;

/** Kafka's sequence numbers are int32 and wrap to 0 after 2^31 - 1 (as the Java producer does). */
const SEQUENCE_END = 2 ** 31;

/** One partition's records in a request, in the order they were given. */
export interface PartitionRecords {
  topic: string;
  partition: number;
  records: ProduceRecord[];
}

export interface Topic {
  partitions: number;
  /** leader node id of each partition */
  leaders: number[];
  /** when it was looked up (performance.now()) */
  at: number;
}

/** What a request carries besides its records: the sequence numbers are this request's own. */
export interface ProduceOptions {
  compression: NonNullable<KafkaSinkConfig['compression']>;
  producerId: bigint;
  producerEpoch: number;
  /** `topic:partition` → the sequence number of the request's first record there */
  sequences: Map<string, number>;
}

export class RefusedAfterFailure extends Error {}

export class ProducePipeline {
  /** metadata, topic creation and the producer id; it never produces itself */
  private readonly client: Producer<Buffer, Buffer, string, string>;
  private readonly connections = new Map<number, Promise<Connection>>();
  protected readonly topics = new Map<string, Topic>();
  private brokers: ClusterMetadata['brokers'] | undefined;
  private readonly sequences = new Map<string, number>();
  private producer: Promise<{ producerId: bigint; producerEpoch: number }> | undefined;
  /** requests are built and written strictly in call order */
  private tail: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private closed = false;

  constructor(private readonly cfg: KafkaSinkConfig) {
    this.client = new kafka.Producer<Buffer, Buffer, string, string>(producerOptions(cfg));
  }

  /** The first failure, after which this pipeline sends nothing. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Reach the brokers (metadata of no topic). */
  async metadata(): Promise<void> {
    await this.client.metadata({ topics: [] });
  }

  /** Look the topics up (creating them where the brokers do that on first use) and ask for the producer id. */
  async prepare(topics: readonly string[]): Promise<void> {
    await Promise.all([this.producerId(), ...topics.filter((t) => !this.topics.has(t)).map((t) => this.topic(t))]);
  }

  /**
   * Produce `records` and resolve when the broker acknowledged all of them. The request is written
   * behind every request of earlier calls (without waiting for their acknowledgements).
   */
  send(records: readonly ProduceRecord[]): Promise<void> {
    if (this.failure) return Promise.reject(this.refused());
    // written: once this call's requests are on their connections, with their acknowledgement
    const written = this.tail.then(() => this.write(records));
    this.tail = written.then(() => {}, () => {});
    return written.then((w) => w.acked);
  }

  async close(): Promise<void> {
    this.closed = true;
    const conns = [...this.connections.values()];
    this.connections.clear();
    await Promise.allSettled(conns.map(async (c) => (await c).close()));
    await new Promise<void>((resolve) => this.client.close(true, () => resolve()));
  }

  private fail(e: Error): void {
    this.failure ??= e;
  }

  private refused(): Error {
    return new RefusedAfterFailure(`not sent, a batch sent before it failed: ${this.failure?.message ?? 'the producer is closed'}`);
  }

  /** Nothing more is written after a failure or once closed (checked again after every wait). */
  private usable(): void {
    if (this.failure || this.closed) throw this.refused();
  }

  /**
   * Build and write this call's requests (one per leader broker). Everything that waits (the producer
   * id, topic metadata, connections) comes first; then every request is built and written in one
   * synchronous step, so a call never leaves part of its requests written and part not.
   */
  private async write(records: readonly ProduceRecord[]): Promise<{ acked: Promise<void> }> {
    try {
      this.usable();
      const { producerId, producerEpoch } = await this.producerId();
      this.usable();
      for (const name of new Set(records.map((r) => r.topic))) {
        const t = this.topics.get(name);
        if (!t || performance.now() - t.at > METADATA_MAX_AGE_MS) await this.topic(name);
        this.usable();
      }
      // leader → its partitions' records (`topic:partition` → records), in order of first mention
      const byLeader = new Map<number, Map<string, PartitionRecords>>();
      for (const r of records) {
        const topic = this.topics.get(r.topic)!;
        // Java's partitioner for keyed records (a topic of one partition needs no hash)
        const partition = topic.partitions === 1 || !r.key ? 0 : partitionOf(r.key, topic.partitions);
        const leader = topic.leaders[partition]!;
        let parts = byLeader.get(leader);
        if (!parts) byLeader.set(leader, (parts = new Map()));
        const k = `${r.topic}:${partition}`;
        let part = parts.get(k);
        if (!part) parts.set(k, (part = { topic: r.topic, partition, records: [] }));
        part.records.push(r);
      }
      const conns = new Map<number, Connection>();
      for (const leader of byLeader.keys()) {
        conns.set(leader, await this.connection(leader));
        this.usable();
      }
      const acks: Array<Promise<void>> = [];
      for (const [leader, parts] of byLeader) {
        // the sequence numbers this request carries, taken now: the next request continues after them
        const first = new Map<string, number>();
        for (const [k, part] of parts) {
          const seq = this.sequences.get(k) ?? 0;
          first.set(k, seq);
          this.sequences.set(k, (seq + part.records.length) % SEQUENCE_END);
        }
        const options = { compression: this.cfg.compression ?? 'lz4', producerId, producerEpoch, sequences: first };
        acks.push(new Promise<void>((resolve, reject) => {
          this.produce(conns.get(leader)!, [...parts.values()], options, (error) => {
            if (error) {
              // at once, before anything else runs: no later call writes behind a refused request
              this.fail(error);
              reject(error);
            } else {
              resolve();
            }
          });
        }));
      }
      // the call fails only once every one of its requests has ended (none still on its way)
      const acked = Promise.allSettled(acks).then((ended) => {
        const failed = ended.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) throw failed.reason;
      });
      return { acked };
    } catch (e) {
      this.fail(e as Error);
      throw e;
    }
  }

  /**
   * Write one produce request (acks=all) on `conn` now, in this call; `done` gets its outcome. Protected,
   * like the three below: a unit test answers requests on cue (test/liberation/produce-pipeline.test.ts).
   */
  protected produce(conn: Connection, partitions: PartitionRecords[], options: ProduceOptions, done: (error: Error | null) => void): void {
    let payload: Buffer;
    try {
      const timestamp = Date.now();
      const codec = kafka.compressionsAlgorithms[options.compression];
      const compress = (b: Buffer) => codec.compressSync(b) as Buffer;
      const crc32c = (b: Buffer) => kafka.crc32c(b) as number;
      payload = produceRequestV9(kafka.ProduceAcks.ALL, this.cfg.timeoutMs ?? 30_000, partitions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        batch: encodeRecordBatch(p.records, {
          compression: options.compression, compress, crc32c, producerId: options.producerId, producerEpoch: options.producerEpoch,
          baseSequence: options.sequences.get(`${p.topic}:${p.partition}`) ?? 0, timestamp,
        }),
      })));
    } catch (e) {
      done(e as Error);
      return;
    }
    const api = kafka.produceV9.api;
    conn.send(api.key, api.version, () => kafka.Writer.create().append(payload), kafka.produceV9.parseResponse as never, true, true, (error: Error | null) => done(error ?? null));
  }

  /** The producer id every request carries, asked for once (InitProducerId; asked again if that failed). */
  protected producerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    this.producer ??= this.client.initIdempotentProducer({}).then(() => {
      const producerId = this.client.producerId;
      const producerEpoch = this.client.producerEpoch;
      if (producerId === undefined || producerEpoch === undefined) throw new Error('the broker gave no producer id');
      return { producerId, producerEpoch };
    });
    this.producer.catch(() => { this.producer = undefined; });
    return this.producer;
  }

  /** A topic's partitions and their leaders (created on first use where the brokers allow it). */
  protected async topic(name: string): Promise<Topic> {
    const md = await this.client.metadata({ topics: [name], autocreateTopics: true });
    this.brokers = md.brokers;
    const t = md.topics.get(name);
    if (!t) throw new Error(`the brokers know no topic ${name}`);
    const topic = { partitions: t.partitionsCount, leaders: t.partitions.map((p) => p.leader), at: performance.now() };
    if (topic.leaders.some((l) => l === undefined || l < 0)) throw new Error(`topic ${name} has a partition without a leader`);
    this.topics.set(name, topic);
    return topic;
  }

  protected connection(nodeId: number): Promise<Connection> {
    const c = this.connections.get(nodeId);
    if (!c) {
      if (this.closed) return Promise.reject(this.refused());
      const broker = this.brokers?.get(nodeId);
      if (!broker) return Promise.reject(new Error(`no address for broker ${nodeId}`));
      const conn = new kafka.Connection(this.cfg.clientId ?? 'schemactl-publish', { requestTimeout: this.cfg.timeoutMs ?? 30_000, maxInflights: MAX_IN_FLIGHT });
      // a connection lost mid-request fails its requests (the client calls them back); this only keeps
      // the error from being thrown as an unhandled 'error' event, and stops further sends
      conn.on('error', (e: Error) => this.fail(e));
      conn.on('close', () => this.fail(new Error('the connection to the broker closed')));
      const opened = new Promise<Connection>((resolve, reject) => {
        conn.connect(broker.host, broker.port, (error) => (error ? reject(error) : resolve(conn)));
      });
      this.connections.set(nodeId, opened);
      return opened;
    }
    return c;
  }
}
