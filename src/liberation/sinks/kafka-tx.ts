// Exactly-once delivery to Kafka: a transactional producer writes a batch's records AND the stream's
// checkpoint record (same key/value as KafkaCheckpointStore) in one transaction. A read_committed
// consumer sees either the whole batch with its checkpoint or neither, and the engine acknowledges the
// source (confirms the PostgreSQL slot LSN, deletes outbox rows) only after the commit.
//
// The transactional.id is stable for a catalog's stream set, so a restarted publisher fences the one it
// replaces: the broker aborts the zombie's open transaction and rejects its later writes.
//
// A commit that failed in flight has an unknown outcome. The sink settles it before answering: a fresh
// producer with the same transactional.id can only initialise once the coordinator has finished (or
// aborted) the old transaction, and the checkpoint record carries a token that tells whether it landed.
import { randomUUID } from 'node:crypto';
import type { Producer } from '@platformatic/kafka';
import { kafka } from '../kafka-client.js';
import { redact, UnreachableError } from '../../errors.js';
import type { OutRecord, Sink, SourceOffset } from '../types.js';
import { producerOptions, type KafkaSinkConfig } from './kafka.js';

export interface KafkaTxSinkConfig extends KafkaSinkConfig {
  /** stable per catalog and stream set, so a restart fences the previous instance */
  transactionalId: string;
  /** the compacted topic KafkaCheckpointStore reads */
  checkpointTopic: string;
  /** how long to keep trying to learn the outcome of a commit that failed in flight, ms */
  settleTimeoutMs?: number;
  /**
   * Group mode: one sink per stream, and a failed transaction is final for this sink. It neither
   * settles nor starts a new producer, because initialising the transactional.id again would fence a
   * new owner of the stream if the group moved it meanwhile; the error (code `tx-restart`) ends the
   * stream's loop and the group decides whether this instance starts it again (fence, then checkpoint).
   */
  failFast?: boolean;
}

/** The stream's loop must restart from the committed checkpoint (group mode). */
export class TxRestartError extends UnreachableError {
  override readonly retriable = false;
  constructor(message: string, cause?: unknown) {
    super(message, cause);
    (this as { code: string }).code = 'tx-restart';
  }
}

/** Header on the checkpoint record naming the transaction that wrote it. */
export const TXN_TOKEN_HEADER = 'schemactl.txn';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function withDeadline<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer from the broker within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

type TxProducer = Producer<Buffer, Buffer, string, string>;

export class KafkaTxSink implements Sink {
  private producer: TxProducer | undefined;
  /** one transaction at a time per producer: streams running concurrently take turns */
  private turn: Promise<unknown> = Promise.resolve();
  /** failFast: a transaction failed; nothing more goes through this sink */
  private failed = false;

  constructor(private readonly cfg: KafkaTxSinkConfig) {}

  describe(): string {
    return `kafka ${this.cfg.brokers.map((b) => redact(b)).join(',')} (exactly-once: Kafka transactions)`;
  }

  async open(): Promise<void> {
    this.producer = this.newProducer();
    try {
      await this.producer.metadata({ topics: [] });
    } catch (e) {
      this.discard();
      throw new UnreachableError(`cannot reach the Kafka brokers ${this.cfg.brokers.map((b) => redact(b)).join(',')}: ${redact((e as Error).message)}`, e);
    }
  }

  /**
   * Initialise the transactional.id now: the coordinator bumps its epoch, which aborts (or completes) a
   * previous holder's open transaction and rejects that holder's later writes. A new owner of a stream
   * calls this before reading the checkpoint, so what it reads is final.
   */
  async fence(): Promise<void> {
    this.producer ??= this.newProducer();
    try {
      const tx = await withDeadline(this.deadlineMs, 'initialising the transactional producer', this.producer.beginTransaction());
      // nothing was sent: the coordinator has no transaction to end (EndTxn would be refused), so the
      // client's local one is just dropped
      await tx.cancel();
    } catch (e) {
      this.discard();
      throw new UnreachableError(`cannot initialise the transactional producer ${this.cfg.transactionalId}: ${redact((e as Error).message)}`, e);
    }
  }

  private newProducer(): TxProducer {
    return new kafka.Producer<Buffer, Buffer, string, string>({
      ...producerOptions(this.cfg),
      transactionalId: this.cfg.transactionalId,
      // "no producer yet": otherwise the client asks InitProducerId to bump producer 0 epoch 0, which the
      // coordinator refuses as fenced once the transactional.id has any history (every restart)
      producerId: -1n,
      producerEpoch: -1,
    });
  }

  /** Drop the producer without waiting: its successor's initialisation fences it and aborts its open transaction. */
  private discard(): void {
    const old = this.producer;
    this.producer = undefined;
    old?.close(true, () => {});
  }

  private get deadlineMs(): number {
    return (this.cfg.timeoutMs ?? 30_000) * ((this.cfg.retries ?? 3) + 1) + 1000;
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => {});
    return run;
  }

  /** Records without a checkpoint (dead letters to a topic) still go in a transaction of their own. */
  send(records: OutRecord[]): Promise<void> {
    return this.serialized(() => this.transact(records, undefined));
  }

  sendWithCheckpoint(records: OutRecord[], stream: string, offset: SourceOffset): Promise<void> {
    return this.serialized(() => this.transact(records, { stream, offset, token: randomUUID() }));
  }

  private async transact(records: OutRecord[], checkpoint: { stream: string; offset: SourceOffset; token: string } | undefined): Promise<void> {
    if (this.failed) throw new TxRestartError('this stream\'s transactional producer failed earlier; the stream restarts from its checkpoint');
    this.producer ??= this.newProducer();
    const producer = this.producer;
    const size = this.cfg.chunk ?? 2000;
    let committing = false;
    try {
      const tx = await withDeadline(this.deadlineMs, 'beginning a transaction', producer.beginTransaction());
      try {
        for (let i = 0; i < records.length; i += size) {
          await withDeadline(this.deadlineMs, 'producing', tx.send({
            messages: records.slice(i, i + size).map((r) => ({ topic: r.topic, key: r.key ?? undefined, value: r.value ?? undefined, headers: r.headers })),
          }));
        }
        if (checkpoint) {
          await withDeadline(this.deadlineMs, 'producing the checkpoint', tx.send({
            messages: [{
              topic: this.cfg.checkpointTopic,
              key: Buffer.from(checkpoint.stream),
              value: Buffer.from(JSON.stringify(checkpoint.offset)),
              headers: { [TXN_TOKEN_HEADER]: checkpoint.token },
            }],
          }));
        }
        committing = true;
        await withDeadline(this.deadlineMs, 'committing the transaction', tx.commit());
      } catch (e) {
        if (!committing) await withDeadline(5000, 'aborting', tx.abort()).catch(() => {});
        throw e;
      }
    } catch (e) {
      // whatever state the producer is in (stale sequences, half-open transaction), its successor starts clean
      this.discard();
      if (this.cfg.failFast) {
        this.failed = true;
        throw new TxRestartError(`producing to Kafka in a transaction failed (${committing ? 'outcome settled by the next owner\'s fence' : 'rolled back'}): ${redact((e as Error).message)}`, e);
      }
      if (committing && checkpoint && (await this.settle(checkpoint))) return;
      throw new UnreachableError(`producing to Kafka in a transaction failed (rolled back): ${redact((e as Error).message)}`, e);
    }
  }

  /**
   * Learn whether a transaction whose commit failed in flight was committed. Initialising a producer
   * with the same transactional.id waits for the coordinator to complete or abort it; then the stream's
   * latest committed checkpoint record either carries this transaction's token or not.
   */
  private async settle(cp: { stream: string; token: string }): Promise<boolean> {
    const until = Date.now() + (this.cfg.settleTimeoutMs ?? 300_000);
    let last: Error | undefined;
    while (Date.now() < until) {
      const producer = this.newProducer();
      try {
        const tx = await withDeadline(this.deadlineMs, 'fencing the previous transaction', producer.beginTransaction());
        await tx.abort().catch(() => {});
        const latest = (await readCommitted(this.cfg.brokers, this.cfg.checkpointTopic, this.cfg.timeoutMs ?? 30_000)).filter((m) => m.key?.toString('utf8') === cp.stream).at(-1);
        this.producer = producer;
        return latest?.headers[TXN_TOKEN_HEADER] === cp.token;
      } catch (e) {
        last = e as Error;
        producer.close(true, () => {});
        await sleep(1000);
      }
    }
    // the checkpoint topic stays the truth: a restarted publisher resumes from whatever was committed
    const err = new UnreachableError(
      `the outcome of a Kafka transaction is unknown (the broker did not answer for ${Math.round((this.cfg.settleTimeoutMs ?? 300_000) / 1000)} s: ${redact(last?.message ?? 'timeout')}); restart the publisher, it resumes from the committed checkpoint`,
    );
    (err as Error & { retriable?: boolean }).retriable = false;
    throw err;
  }

  async close(): Promise<void> {
    await this.turn;
    await this.producer?.close();
    this.producer = undefined;
  }
}

export interface CommittedMessage {
  offset: bigint;
  /** the record's create time (ms since the epoch), as its producer stamped it */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

const IS_TRANSACTIONAL = 1 << 4;
const IS_CONTROL = 1 << 5;

/**
 * Every committed record of partition 0 of `topic`, in offset order, as a read_committed consumer
 * sees it. The records are fetched uncommitted and resolved by the transaction markers themselves
 * (a producer's pending transactional records are kept on its commit marker and dropped on its
 * abort marker); records of transactions still open at the end are left out. This does not depend on
 * the client's own aborted-transaction filter, which keeps one aborted range per producer id per fetch
 * and so lets earlier aborted transactions of a stable transactional.id through.
 */
export async function readCommitted(brokers: string[], topic: string, timeoutMs = 30_000): Promise<CommittedMessage[]> {
  const consumer = new kafka.Consumer<Buffer, Buffer, Buffer, Buffer>({
    groupId: `schemactl-read-${process.pid}-${Date.now()}`,
    clientId: 'schemactl-read',
    bootstrapBrokers: brokers,
  });
  try {
    const end = (await consumer.listOffsets({ topics: [topic], isolationLevel: kafka.FetchIsolationLevels.READ_UNCOMMITTED })).get(topic)?.[0] ?? 0n;
    // retention may have removed the head of the log
    const start = (await consumer.listOffsets({ topics: [topic], timestamp: -2n, isolationLevel: kafka.FetchIsolationLevels.READ_UNCOMMITTED })).get(topic)?.[0] ?? 0n;
    const out: CommittedMessage[] = [];
    if (end === 0n) return out;
    const md = await consumer.metadata({ topics: [topic] });
    const t = md.topics.get(topic);
    if (!t) return out;
    const leader = t.partitions[0]!.leader;
    const pending = new Map<bigint, CommittedMessage[]>();
    let next = start;
    const until = Date.now() + timeoutMs;
    while (next < end) {
      if (Date.now() > until) throw new UnreachableError(`reading ${topic} to its end timed out`);
      const res = await consumer.fetch({
        node: leader,
        topics: [{ topicId: t.id, partitions: [{ partition: 0, fetchOffset: next, partitionMaxBytes: 8 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1 }] }],
        isolationLevel: kafka.FetchIsolationLevels.READ_UNCOMMITTED,
        maxWaitTime: 200,
      });
      const part = res.responses[0]?.partitions[0];
      for (const batch of part?.records ?? []) {
        next = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
        if (batch.attributes & IS_CONTROL) {
          // control record key: version int16, type int16 (0 abort, 1 commit)
          const commit = batch.records[0]?.key?.readInt16BE(2) === 1;
          const held = pending.get(batch.producerId) ?? [];
          pending.delete(batch.producerId);
          if (commit) out.push(...held);
          continue;
        }
        for (const r of batch.records) {
          const offset = batch.firstOffset + BigInt(r.offsetDelta);
          if (offset >= end || offset < start) continue;
          const headers: Record<string, string> = {};
          for (const [k, v] of r.headers) if (k) headers[k.toString('utf8')] = v ? v.toString('utf8') : '';
          const m = { offset, timestamp: batch.firstTimestamp + r.timestampDelta, key: r.key && r.key.length ? r.key : null, value: r.value && r.value.length ? r.value : null, headers };
          if (batch.attributes & IS_TRANSACTIONAL) {
            const held = pending.get(batch.producerId) ?? [];
            held.push(m);
            pending.set(batch.producerId, held);
          } else {
            out.push(m);
          }
        }
      }
    }
    return out.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
  } finally {
    await consumer.close(true);
  }
}
