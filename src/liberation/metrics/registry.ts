// The publisher's metrics, rendered in the Prometheus text exposition format (version 0.0.4). Fed by
// the engine's per-batch reports, so the counters add up to the same numbers as the summary line
// (read, published, tombstones, dead-lettered per stream, summed over every run of the stream in
// this process). Source lag is asked from the running sources at scrape time.
import type { BatchReport } from '../engine.js';
import type { SourceLag } from '../types.js';

/** upper bounds of the batch latency histogram, seconds: a batch is a round trip to the database and one to the broker */
export const BATCH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const COUNTERS = {
  schemactl_rows_read_total: ['read', 'Rows (changes) read from the source and handled (published, tombstoned or dead-lettered).'],
  schemactl_events_published_total: ['published', 'Events published to Kafka (records with a value).'],
  schemactl_tombstones_total: ['tombstones', 'Tombstones published to Kafka (records with a null value, for deletes).'],
  schemactl_dead_letters_total: ['deadLettered', 'Rows sent to the dead-letter target instead of the topic.'],
} as const;

const LAG = {
  slot_bytes: ['schemactl_source_slot_lag_bytes', 'PostgreSQL log pattern: WAL bytes between the server\'s current position and the slot\'s confirmed one.'],
  backlog_rows: ['schemactl_source_outbox_backlog_rows', 'Outbox pattern: rows still in the outbox table (not yet published and removed or marked).'],
  seconds: ['schemactl_source_query_lag_seconds', 'Query pattern: seconds between the newest row\'s timestamp and the last committed one.'],
} as const;

interface StreamSeries {
  read: number;
  published: number;
  tombstones: number;
  deadLettered: number;
  batches: number;
  restarts: number;
  buckets: number[];
  sum: number;
  owned: boolean;
}

export interface MetricsSources {
  /** the lag of every running stream (errors and slow answers leave a stream out) */
  lag(): Promise<Array<{ stream: string; lag: SourceLag }>>;
  /** group mode: the lease is valid (undefined outside group mode) */
  leaseValid?(): boolean;
}

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN');

export class PublishMetrics {
  private readonly streams = new Map<string, StreamSeries>();
  private sources: MetricsSources | undefined;

  constructor(streams: string[] = [], readonly group?: string) {
    for (const s of streams) this.series(s);
  }

  private series(stream: string): StreamSeries {
    let s = this.streams.get(stream);
    if (!s) {
      s = { read: 0, published: 0, tombstones: 0, deadLettered: 0, batches: 0, restarts: 0, buckets: BATCH_BUCKETS.map(() => 0), sum: 0, owned: false };
      this.streams.set(stream, s);
    }
    return s;
  }

  attach(sources: MetricsSources): void {
    this.sources = sources;
  }

  batch(stream: string, b: BatchReport): void {
    const s = this.series(stream);
    s.read += b.read;
    s.published += b.published;
    s.tombstones += b.tombstones;
    s.deadLettered += b.deadLettered;
    s.batches++;
    const secs = b.ms / 1000;
    s.sum += secs;
    BATCH_BUCKETS.forEach((le, i) => { if (secs <= le) s.buckets[i]!++; });
  }

  owned(stream: string, owned: boolean): void {
    this.series(stream).owned = owned;
  }

  restarted(stream: string): void {
    this.series(stream).restarts++;
  }

  /** totals of one stream, as the summary line prints them */
  totals(stream: string): { read: number; published: number; tombstones: number; deadLettered: number; batches: number } {
    const s = this.series(stream);
    return { read: s.read, published: s.published, tombstones: s.tombstones, deadLettered: s.deadLettered, batches: s.batches };
  }

  async render(): Promise<string> {
    const out: string[] = [];
    const names = [...this.streams.keys()].sort();
    const label = (stream: string, extra = '') => `{stream="${esc(stream)}"${extra}}`;
    for (const [metric, [field, help]] of Object.entries(COUNTERS)) {
      out.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} counter`);
      for (const n of names) out.push(`${metric}${label(n)} ${num(this.streams.get(n)![field])}`);
    }
    out.push('# HELP schemactl_batches_total Batches committed (records and checkpoint acknowledged).', '# TYPE schemactl_batches_total counter');
    for (const n of names) out.push(`schemactl_batches_total${label(n)} ${this.streams.get(n)!.batches}`);
    out.push('# HELP schemactl_stream_restarts_total Times a stream\'s loop was started again after it ended with an error.', '# TYPE schemactl_stream_restarts_total counter');
    for (const n of names) out.push(`schemactl_stream_restarts_total${label(n)} ${this.streams.get(n)!.restarts}`);
    out.push('# HELP schemactl_batch_duration_seconds Time from taking a batch to its checkpoint commit.', '# TYPE schemactl_batch_duration_seconds histogram');
    for (const n of names) {
      const s = this.streams.get(n)!;
      BATCH_BUCKETS.forEach((le, i) => out.push(`schemactl_batch_duration_seconds_bucket${label(n, `,le="${le}"`)} ${s.buckets[i]}`));
      out.push(`schemactl_batch_duration_seconds_bucket${label(n, ',le="+Inf"')} ${s.batches}`);
      out.push(`schemactl_batch_duration_seconds_sum${label(n)} ${num(s.sum)}`, `schemactl_batch_duration_seconds_count${label(n)} ${s.batches}`);
    }
    const lags = (await this.sources?.lag().catch(() => [])) ?? [];
    for (const [kind, [metric, help]] of Object.entries(LAG)) {
      const mine = lags.filter((l) => l.lag.kind === kind);
      if (!mine.length) continue;
      out.push(`# HELP ${metric} ${help}`, `# TYPE ${metric} gauge`);
      for (const l of mine.sort((a, b) => (a.stream < b.stream ? -1 : 1))) out.push(`${metric}${label(l.stream)} ${num(l.lag.value)}`);
    }
    out.push('# HELP schemactl_stream_owned 1 while this instance runs the stream (in group mode: owns it).', '# TYPE schemactl_stream_owned gauge');
    for (const n of names) out.push(`schemactl_stream_owned${label(n)} ${this.streams.get(n)!.owned ? 1 : 0}`);
    out.push('# HELP schemactl_owned_streams Streams this instance runs.', '# TYPE schemactl_owned_streams gauge');
    out.push(`schemactl_owned_streams ${names.filter((n) => this.streams.get(n)!.owned).length}`);
    const lease = this.sources?.leaseValid?.();
    if (lease !== undefined) {
      out.push('# HELP schemactl_group_lease_valid 1 while the group coordinator has heard from this instance within the session timeout.', '# TYPE schemactl_group_lease_valid gauge');
      out.push(`schemactl_group_lease_valid{group="${esc(this.group ?? '')}"} ${lease ? 1 : 0}`);
    }
    out.push(...processMemory());
    return out.join('\n') + '\n';
  }
}

/**
 * The process's memory in the names Prometheus' Node.js client uses, so existing dashboards and alerts
 * apply: resident set (what the kernel charges the container), the JS heap, and the memory V8 tracks
 * outside it (Buffers and other ArrayBuffers). RSS rising while the heap stays flat points at native
 * allocations (the Kafka client's record batches, the compression codec, the C library's allocator).
 */
function processMemory(): string[] {
  const m = process.memoryUsage();
  const gauge = (name: string, help: string, v: number) => [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${num(v)}`];
  return [
    ...gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', m.rss),
    ...gauge('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', m.heapTotal),
    ...gauge('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.', m.heapUsed),
    ...gauge('nodejs_external_memory_bytes', 'Node.js external memory size in bytes (Buffers, ArrayBuffers, WebAssembly memories).', m.external),
    ...gauge('nodejs_array_buffers_bytes', 'Memory allocated for ArrayBuffers and Buffers in bytes (part of the external memory).', m.arrayBuffers),
  ];
}
