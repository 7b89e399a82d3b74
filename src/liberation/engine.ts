// The one loop: read → map/validate → serialize → send → ack → checkpoint.
//
// Delivery is at-least-once with no gaps. The running offset only becomes the committed offset after
// the sink acknowledged every record before it (and dead letters were durably written); a failed
// send rewinds to the committed offset and reads again, so duplicates are limited to the batch that
// was not acknowledged. A dead-lettered row still advances the checkpoint: it was handled.
import type { CheckpointStore, DeadLetter, OutRecord, Sink, Source, SourceBatch, SourceOffset, SourceRow } from './types.js';
import type { DeadLetterTarget } from './dead-letter.js';
import { MappingError } from './mapping.js';
import { redact } from '../errors.js';

export interface StreamStats {
  stream: string;
  read: number;
  published: number;
  tombstones: number;
  deadLettered: number;
  batches: number;
  retries: number;
  startedAt: number;
  /** the source's last read bound (late-commit horizon), for operators */
  bound?: string | number | null;
  committed: SourceOffset | null;
}

export interface BatchReport {
  read: number;
  published: number;
  tombstones: number;
  deadLettered: number;
  /** ms from the loop taking the batch (reading it, or awaiting its read-ahead) to its checkpoint */
  ms: number;
}

export interface EngineOptions {
  stream: string;
  source: Source;
  sink: Sink;
  checkpoints: CheckpointStore;
  deadLetter: DeadLetterTarget;
  /** row → record; throws MappingError for a row that does not fit the schema */
  serialize(row: SourceRow): OutRecord;
  /** the row's key as text, for the dead-letter entry of a row that could not be serialized */
  keyOf?(row: SourceRow): string | null;
  /** the key bytes the row's event would carry, so its dead-letter record is keyed exactly the same */
  keyBytesOf?(row: SourceRow): Buffer | null | undefined;
  batchSize: number;
  pollIntervalMs: number;
  /** catch up, then return */
  once: boolean;
  /** stop after the current batch when aborted (SIGINT/SIGTERM) */
  signal?: AbortSignal;
  /** give up after this many consecutive failed attempts (continuous mode retries forever by default) */
  maxAttempts?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** dry run: map and validate, never send nor checkpoint */
  dryRun?: boolean;
  onProgress?(stats: StreamStats): void;
  /** after each checkpointed batch: its counts and how long it took from being taken to its checkpoint (metrics) */
  onBatch?(batch: BatchReport): void;
  onLog?(event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => { clearTimeout(t); resolve(); };
    // remove the listener when the timer fires: a long-running stream polls thousands of times
    const t = setTimeout(() => { signal?.removeEventListener('abort', onAbort); resolve(); }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export async function runStream(o: EngineOptions): Promise<StreamStats> {
  const stats: StreamStats = {
    stream: o.stream, read: 0, published: 0, tombstones: 0, deadLettered: 0, batches: 0, retries: 0, startedAt: Date.now(), committed: null,
  };
  const log = o.onLog ?? (() => {});
  let committed = await o.checkpoints.load(o.stream);
  stats.committed = committed;
  let attempts = 0;
  const maxAttempts = o.maxAttempts ?? (o.once ? 8 : Number.POSITIVE_INFINITY);
  const base = o.retryBaseMs ?? 200;
  const cap = o.retryMaxMs ?? 10_000;

  // A source without acknowledge/rewind (the query source) reads as a pure function of the offset, so
  // the next batch can be read while the current one is being sent and checkpointed: the database and
  // the broker round trips overlap instead of adding up. At most two batches are held at once; after a
  // failure the read-ahead is dropped and reading restarts from the committed offset.
  const readAhead = !o.source.acknowledge && !o.source.rewind;
  let ahead: Promise<SourceBatch> | undefined;
  const warned = new Set<string>();

  while (!o.signal?.aborted) {
    const taken = performance.now();
    try {
      const pending = ahead;
      ahead = undefined;
      let batch: SourceBatch | undefined = pending ? await pending : await o.source.read(committed, o.batchSize);
      stats.bound = batch.info?.bound ?? null;
      // a source's advice (e.g. a missing index) is said once, not per batch
      const advice = batch.info?.warning;
      if (typeof advice === 'string' && !warned.has(advice)) {
        warned.add(advice);
        log({ level: 'warn', msg: advice, stream: o.stream });
      }
      if (batch.rows.length === 0) {
        attempts = 0;
        if (o.once) break;
        // a pushing source has already waited for data inside read()
        if (!o.source.waitsForData) await sleep(o.pollIntervalMs, o.signal);
        continue;
      }
      const records: OutRecord[] = [];
      const dead: DeadLetter[] = [];
      for (const row of batch.rows) {
        try {
          const rec = o.serialize(row);
          records.push(rec);
        } catch (e) {
          // Whatever one row's mapping throws is that row's problem: it goes to the dead-letter target
          // with the reason instead of failing (and endlessly retrying) the whole batch.
          const field = e instanceof MappingError ? e.field : undefined;
          const reason = e instanceof MappingError ? e.message : `unexpected error while mapping the row: ${redact((e as Error).message ?? String(e))}`;
          const key = o.keyOf?.(row);
          const keyBytes = o.keyBytesOf?.(row);
          dead.push({ stream: o.stream, position: row.position, reason, ...(field !== undefined ? { field } : {}), ...(key !== undefined ? { key } : {}), ...(keyBytes !== undefined ? { keyBytes } : {}), row: row.columns, at: new Date().toISOString() });
        }
      }
      const last = batch.rows[batch.rows.length - 1]!.offset;
      const read = batch.rows.length;
      const caughtUp = batch.caughtUp;
      // The rows are mapped: nothing after this needs them, so they are not held through the send and
      // the checkpoint (what a batch keeps alive across its waits is what the old generation collects;
      // see heap-growth.ts).
      batch = undefined;
      const published = records.filter((r) => r.value !== null).length;
      const tombstones = records.length - published;
      if (readAhead && !caughtUp && !o.signal?.aborted) {
        ahead = o.source.read(last, o.batchSize);
        // observed when awaited; a failure here must not surface as an unhandled rejection meanwhile
        ahead.catch(() => {});
      }
      if (!o.dryRun) {
        // dead letters first: once the checkpoint passes a row, it must be somewhere durable
        if (dead.length) await o.deadLetter.write(dead);
        if (o.sink.sendWithCheckpoint) {
          // one transaction: the records are visible to read_committed consumers together with the checkpoint
          await o.sink.sendWithCheckpoint(records, o.stream, last);
        } else {
          if (records.length) await o.sink.send(records);
          await o.checkpoints.save(o.stream, last);
        }
        if (o.source.acknowledge) await o.source.acknowledge(last);
      }
      committed = last;
      stats.committed = last;
      stats.read += read;
      stats.published += o.dryRun ? 0 : published;
      stats.tombstones += o.dryRun ? 0 : tombstones;
      stats.deadLettered += dead.length;
      stats.batches++;
      if (!o.dryRun) {
        o.onBatch?.({ read, published, tombstones, deadLettered: dead.length, ms: performance.now() - taken });
      }
      for (const d of dead) log({ level: 'warn', msg: 'row dead-lettered', stream: o.stream, position: d.position, field: d.field, reason: d.reason, target: o.deadLetter.describe() });
      o.onProgress?.(stats);
      attempts = 0;
      if (caughtUp && o.once) break;
      if (caughtUp && !o.source.waitsForData) await sleep(o.pollIntervalMs, o.signal);
    } catch (e) {
      ahead = undefined;
      attempts++;
      stats.retries++;
      o.source.rewind?.();
      const err = e as Error & { retriable?: boolean };
      log({ level: 'warn', msg: 'batch failed; rewinding to the committed offset', stream: o.stream, attempt: attempts, error: redact(err.message) });
      if (attempts >= maxAttempts || err.retriable === false) throw e;
      const delay = Math.min(cap, base * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
      await sleep(delay, o.signal);
    }
  }
  return stats;
}
