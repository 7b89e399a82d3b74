// `schemactl publish --group NAME`: the gated streams shared by every publisher of the group.
//
// membership.ts decides which streams this process owns; runner.ts starts and stops their engine
// loops; this file says how one owned stream runs, in the order that makes a handover safe:
//
//  1. fence: a transactional producer with the stream's own transactional.id
//     (`schemactl-<group>-<stream>`) initialises, which bumps the id's epoch: a previous owner's open
//     transaction is aborted (or, if it was already committing, completed) and its later writes are
//     rejected. A zombie that lost its lease cannot publish a record nor move the checkpoint.
//  2. read the checkpoint (read_committed, after the fence, so it is final)
//  3. open the source (a PostgreSQL slot allows one reader: the old owner's walsender is gone or is
//     ended after a grace period, see claimSlot)
//  4. run the engine loop with that sink: every batch and its checkpoint in one transaction.
//
// A failed transaction ends the loop (failFast): it is started again from step 1, never continued from
// in-memory state. Each record carries the `schemactl.instance` header, the instance that published it.
import { redact } from '../../errors.js';
import type { Registry } from '../../registry/types.js';
import { runStream, type StreamStats } from '../engine.js';
import { FileDeadLetter, TopicDeadLetter, type DeadLetterTarget } from '../dead-letter.js';
import type { PublishMetrics } from '../metrics/registry.js';
import { exitCodeOf, probeLag, type PublishEvent, type PublishOutcome, type StreamOutcome } from '../publish.js';
import type { SourceSpec } from '../source-config.js';
import type { CheckpointStore, OutRecord, Source, SourceOffset, SourceRow } from '../types.js';
import { definitionFingerprint } from './assign.js';
import { GroupMembership } from './membership.js';
import { OwnedStreams } from './runner.js';

/** Header naming the publisher instance on every record of group mode (lineage; the handover test reads it). */
export const INSTANCE_HEADER = 'schemactl.instance';

type Log = (e: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

export interface GroupStream {
  topic: string;
  schemaId: number;
  spec: SourceSpec;
  serialize(row: SourceRow): OutRecord;
  keyOf(row: SourceRow): string | null;
  makeSource(checkpoints: CheckpointStore, onLog: Log): Promise<Source>;
}

export interface GroupPublishOptions {
  group: string;
  brokers: string[];
  checkpointTopic: string;
  instanceId: string;
  clientId?: string;
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  sessionTimeoutMs?: number;
  streams: GroupStream[];
  registry: Registry;
  metrics: PublishMetrics;
  setReady(f: () => { ok: boolean; why?: string }): void;
  emit(e: PublishEvent): void;
  /** outcomes so far (refused streams), completed here */
  outcomes: StreamOutcome[];
  /** the selected topics, for the order of the summary */
  selected: string[];
  signal?: AbortSignal;
}

/** how long a stop waits for the loops before leaving the group anyway */
const STOP_GRACE_MS = 30_000;

export function transactionalIdOf(group: string, stream: string): string {
  return `schemactl-${group}-${stream}`;
}

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | undefined> => {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => { t = setTimeout(() => r(undefined), ms); })]).finally(() => clearTimeout(t));
};

export async function publishAsGroup(o: GroupPublishOptions): Promise<PublishOutcome> {
  const byTopic = new Map(o.streams.map((s) => [s.topic, s]));
  const log: Log = (e) => o.emit({ type: 'log', ...e });
  const { KafkaTxSink } = await import('../sinks/kafka-tx.js');
  const { KafkaCheckpointStore } = await import('../checkpoint/kafka.js');
  const live = new Map<string, { source: Source; committed: SourceOffset | null }>();
  /** the first start of each stream in this process, for the summary's rate */
  const startedAt = new Map<string, number>();
  const lastCommitted = new Map<string, SourceOffset | null>();
  const membership = new GroupMembership({
    brokers: o.brokers, group: o.group, instanceId: o.instanceId,
    streams: Object.fromEntries(o.streams.map((s) => [s.topic, definitionFingerprint(s.topic, s.schemaId, s.spec)])),
    ...(o.clientId ? { clientId: o.clientId } : {}), ...(o.sessionTimeoutMs ? { sessionTimeoutMs: o.sessionTimeoutMs } : {}), onLog: log,
  });
  o.metrics.attach({ lag: () => probeLag(live), leaseValid: () => membership.leaseValid() });

  const runOne = async (topic: string, signal: AbortSignal): Promise<void> => {
    const g = byTopic.get(topic)!;
    const sink = new KafkaTxSink({
      brokers: o.brokers, checkpointTopic: o.checkpointTopic, transactionalId: transactionalIdOf(o.group, topic), failFast: true,
      ...(o.clientId ? { clientId: o.clientId } : {}), ...(o.compression ? { compression: o.compression } : {}),
    });
    const checkpoints = new KafkaCheckpointStore({ brokers: o.brokers, topic: o.checkpointTopic, transactional: true });
    let source: Source | undefined;
    try {
      await sink.open();
      await sink.fence();
      if (signal.aborted) return;
      source = await g.makeSource(checkpoints, (e) => log({ ...e, topic }));
      await source.open();
      const deadLetter: DeadLetterTarget = g.spec.deadLetter.startsWith('topic:') ? new TopicDeadLetter(g.spec.deadLetter.slice(6), sink, o.registry) : new FileDeadLetter(g.spec.deadLetter);
      await deadLetter.open?.();
      if (signal.aborted) return;
      startedAt.set(topic, startedAt.get(topic) ?? Date.now());
      live.set(topic, { source, committed: null });
      o.metrics.owned(topic, true);
      log({ level: 'info', msg: 'stream started', topic, instance: o.instanceId, transactionalId: transactionalIdOf(o.group, topic) });
      const serialize = (row: SourceRow): OutRecord => {
        const r = g.serialize(row);
        return { ...r, headers: { ...r.headers, [INSTANCE_HEADER]: o.instanceId } };
      };
      await runStream({
        stream: topic, source, sink, checkpoints, deadLetter, serialize, keyOf: g.keyOf,
        batchSize: g.spec.batchSize, pollIntervalMs: g.spec.pollIntervalMs, once: false, signal,
        onBatch: (b) => o.metrics.batch(topic, b),
        onProgress: (st) => {
          live.set(topic, { source: source!, committed: st.committed });
          lastCommitted.set(topic, st.committed);
          o.emit({ type: 'progress', topic, stats: statsOf(topic) });
        },
        onLog: (e) => log({ ...e, topic }),
      });
    } catch (e) {
      if (!signal.aborted) o.metrics.restarted(topic);
      throw e;
    } finally {
      live.delete(topic);
      o.metrics.owned(topic, false);
      await withTimeout(source?.close().catch(() => {}) ?? Promise.resolve(), 15_000);
      await withTimeout(sink.close().catch(() => {}), 5_000);
      await checkpoints.close().catch(() => {});
    }
  };

  const statsOf = (topic: string): StreamStats => ({
    stream: topic, ...o.metrics.totals(topic), retries: 0, startedAt: startedAt.get(topic) ?? Date.now(), committed: lastCommitted.get(topic) ?? null,
  });

  const runner = new OwnedStreams({
    run: runOne,
    owns: (s) => membership.leaseValid() && membership.ownedStreams().includes(s),
    onLog: (e) => log({ ...e, ...(e.error ? { error: redact(String(e.error)) } : {}) }),
  });
  let joined = false;
  o.setReady(() => (!joined ? { ok: false, why: `joining group ${o.group}` } : membership.leaseValid() ? { ok: true } : { ok: false, why: `group ${o.group}: lease lost, rejoining` }));
  log({ level: 'info', msg: 'delivery: exactly-once (Kafka transactions)', delivery: 'exactly-once (Kafka transactions)', group: o.group, instance: o.instanceId });

  const stopped = new Promise<void>((resolve) => {
    if (!o.signal || o.signal.aborted) return resolve();
    o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    if (!o.signal?.aborted) {
      await membership.join((owned) => { void runner.set(owned); });
      joined = true;
    }
    await stopped;
  } finally {
    // stop the loops first (in-flight batches finish or abandon), then leave: the others take over at once.
    // Bounded: a loop stuck on an unreachable dependency must not hold the process; leaving with it still
    // running is safe, since the next owner fences its transactional id before reading the checkpoint.
    const all = runner.stopAll();
    if (!(await withTimeout(all.then(() => true), STOP_GRACE_MS))) log({ level: 'warn', msg: `streams did not stop within ${STOP_GRACE_MS / 1000} s; leaving the group anyway (the next owner fences them)`, streams: runner.running() });
    await withTimeout(membership.leave(), 10_000);
  }

  let failed = 0;
  for (const s of o.streams) {
    const failure = runner.failures.get(s.topic);
    const ran = startedAt.has(s.topic);
    if (failure) failed = Math.max(failed, exitCodeOf(Object.assign(new Error(failure), { retriable: false })));
    o.outcomes.push({
      topic: s.topic, status: failure ? 'failed' : ran ? 'published' : 'standby', findings: [], schemaId: s.schemaId,
      ...(ran ? { stats: statsOf(s.topic) } : {}), ...(failure ? { error: redact(failure) } : ran ? {} : { error: `run by another instance of group ${o.group}` }),
    });
  }
  const idx = new Map(o.selected.map((t, i) => [t, i]));
  const streams = [...o.outcomes].sort((a, b) => (idx.get(a.topic) ?? 0) - (idx.get(b.topic) ?? 0));
  const refused = streams.some((x) => x.status === 'refused');
  const dead = streams.some((x) => (x.stats?.deadLettered ?? 0) > 0);
  return {
    streams, sink: `kafka ${o.brokers.map((b) => redact(b)).join(',')} (exactly-once: Kafka transactions; group ${o.group}, instance ${o.instanceId})`,
    delivery: 'exactly-once (Kafka transactions)', exitCode: failed ? failed : refused || dead ? 1 : 0,
  };
}
