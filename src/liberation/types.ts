// Contracts of the data-liberation engine: read → map/validate → serialize → send → ack → checkpoint.
// Sources and sinks are plugged into one loop (engine.ts); offsets are versioned value objects.

import type { ColumnShape } from './drift/relation.js';

/**
 * Where a source is in its table or log. Versioned so a newer engine can load an older state file.
 * Version 2 (log and triggers) adds the table shape the stream last accepted, so drift that happens
 * while the publisher is stopped is judged on the next start exactly as while streaming.
 */
export type SourceOffset =
  /** query pattern: the last acknowledged keyset position, kept exactly as the database printed it */
  | { v: 1; kind: 'query'; ts: string | null; id: string | null; snapshotDone: boolean }
  /** outbox: the last acknowledged row id (as text: bigints) */
  | { v: 1; kind: 'outbox'; lastId: string | null }
  /** trigger-fed change tables: the last acknowledged sequence (as text: bigints) */
  | {
    v: 1 | 2; kind: 'triggers'; lastId: string | null;
    /** v2: the source table's columns as last accepted by the drift check */
    relation?: ColumnShape[];
  }
  /** log-based: the LSN (PostgreSQL, `X/Y`) or binlog position confirmed as fully acknowledged */
  | {
    v: 1 | 2; kind: 'log'; position: string | null; snapshotDone: boolean;
    /** v2: each captured table's columns (schema.table → shape) as last accepted by the drift check */
    relations?: Record<string, ColumnShape[]>;
    /** a snapshot in progress: tables still to read, the first one after this key (its columns' text) */
    snapshot?: { tables: string[]; after: string[] | null; until?: string[] | null };
  };

/** One row (or change) read from the database, before mapping. */
export interface SourceRow {
  /** column name → value as the driver returned it (with exact text for int8/numeric/timestamps) */
  columns: Record<string, unknown>;
  /** offset to commit once this row (and every row before it) is acknowledged */
  offset: SourceOffset;
  /** human-readable position for logs and the dead-letter file: `orders (ts=…, id=42)` */
  position: string;
  /** delete (soft-delete column set, outbox delete, CDC delete): publish a tombstone */
  tombstone?: boolean;
  /** outbox: routed topic and headers to carry */
  topic?: string;
  headers?: Record<string, string>;
  /** outbox: the payload text to validate and publish as the value */
  payload?: string | Buffer | null;
  /** outbox: the message key as written in the row */
  key?: string | null;
}

/** Where readEach() hands its rows, in order. */
export interface RowConsumer {
  row(row: SourceRow): void;
  /** forget every row handed over by this read so far (the source reads its page again) */
  restart(): void;
}

export interface SourceBatch {
  rows: SourceRow[];
  /** true when the source has caught up with what is safe to read now (bounded by the late-commit horizon) */
  caughtUp: boolean;
  /** diagnostics for metrics/logs: the upper bound used for this read, the oldest open transaction … */
  info?: Record<string, string | number | null>;
}

export interface Source {
  /** human-readable, secrets redacted */
  describe(): string;
  open(): Promise<void>;
  /**
   * read() itself waits (briefly) for the next change when there is none, woken by the database
   * pushing it (a replication stream, a notification): the engine reads again at once instead of
   * sleeping poll_interval_ms after catching up
   */
  readonly waitsForData?: boolean;
  /** read the next batch after `offset`; never returns rows at or before it */
  read(offset: SourceOffset | null, max: number): Promise<SourceBatch>;
  /**
   * read(), handing each row to `to` as the database delivers it instead of collecting the batch: the
   * engine maps it at once, so a row's column values die young instead of waiting in memory for the
   * rest of their batch (on a fast catch-up they outlived two young-generation collections and were
   * promoted to the old one: 300 MB per 1,000,000 rows). The batch handed over is the same as read()'s.
   */
  readEach?(offset: SourceOffset | null, max: number, to: RowConsumer): Promise<Omit<SourceBatch, 'rows'>>;
  /** outbox/change tables: remove or mark rows up to and including this offset (after the sink acknowledged) */
  acknowledge?(offset: SourceOffset): Promise<void>;
  /** forget rows handed out since the last acknowledgement (the engine rewinds after a failed send) */
  rewind?(): void;
  /**
   * How far the database is ahead of the committed offset, for metrics (`schemactl_source_lag_*`):
   * replication slot bytes, outbox rows waiting, or seconds between the newest row and the committed one.
   * Asked on a scrape, beside the loop; null when it cannot say.
   */
  lag?(committed: SourceOffset | null): Promise<SourceLag | null>;
  close(): Promise<void>;
}

export interface SourceLag {
  kind: 'slot_bytes' | 'backlog_rows' | 'seconds';
  value: number;
}

/** A serialized record ready for a sink. */
export interface OutRecord {
  topic: string;
  key: Buffer | null;
  /** null = tombstone */
  value: Buffer | null;
  headers?: Record<string, string>;
  /** the decoded value, for the file sink's NDJSON and for logs */
  decoded?: unknown;
  /**
   * the source position, for the file sink's lines; absent on records built straight from a row's
   * columns (publish.ts), which only go to Kafka sinks: they never write it, and a record that kept it
   * (or its row, to spell it out later) would keep the row's columns alive until the batch is sent
   */
  position?: string;
}

export interface Sink {
  describe(): string;
  /**
   * The sink writes `OutRecord.decoded` (the file sink's NDJSON). Only then does the serializer keep
   * each row's mapped value beside its bytes: otherwise it would be held, unread, until the batch is
   * acknowledged (and outlive enough young-generation collections to be promoted to the old one).
   */
  readonly usesDecoded?: boolean;
  open(): Promise<void>;
  /**
   * Send the records in order and resolve only when every one of them is durably acknowledged
   * (Kafka: acks=all from the idempotent producer; file: written and fsynced). Rejects if any failed;
   * the engine then rewinds to the committed offset and retries, so a sink must tolerate re-sends.
   */
  send(records: OutRecord[]): Promise<void>;
  /**
   * Exactly-once sinks: send the records and the stream's checkpoint atomically (one Kafka transaction)
   * and resolve once committed. When present the engine uses it instead of `send` + `CheckpointStore.save`.
   */
  sendWithCheckpoint?(records: OutRecord[], stream: string, offset: SourceOffset): Promise<void>;
  /**
   * Look these topics up now (and create them where the brokers create topics on first use), so that
   * the first batch does not wait for it; best effort: the first send does the same if this failed.
   */
  prepare?(topics: string[]): Promise<void>;
  close(): Promise<void>;
}

/** A row that could not be mapped or did not validate: goes to the dead-letter target, never to the topic. */
export interface DeadLetter {
  stream: string;
  position: string;
  reason: string;
  /** the failing field, when one is to blame */
  field?: string;
  /** the row's key as text (the stream's key column, or the outbox aggregate id), when it has one */
  key?: string | null;
  /** the key exactly as the row's event would carry it (a dead-letter topic record is keyed with these bytes) */
  keyBytes?: Buffer | null;
  row: Record<string, unknown>;
  at: string;
}

export interface CheckpointStore {
  load(stream: string): Promise<SourceOffset | null>;
  /** durably store (fsync / compacted topic) before resolving */
  save(stream: string, offset: SourceOffset): Promise<void>;
  close(): Promise<void>;
}
