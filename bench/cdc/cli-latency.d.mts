export interface StagePercentiles { p50: number; p99: number; max: number }
export interface CliLatency {
  pattern: 'log' | 'triggers';
  target: number;
  offered: number;
  written: number;
  delivered: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
  maxms: number;
  batches: number;
  rowsPerBatch: number | null;
  /** where each batch's time went inside the publisher (from its progress lines) */
  stages: Partial<Record<'sendMs' | 'checkpointMs' | 'acknowledgeMs', StagePercentiles>>;
  /** 1-minute load average before and after the run */
  load: { before: number; after: number };
}
/** The 1-minute load average. */
export declare function load1(): number;
/** Commit → ack latency of the built `schemactl publish` binary (pattern log or triggers, default settings). */
export declare function measureCliLatency(o: {
  url: string; bootstrap: string; bin: string; workDir: string; pattern?: 'log' | 'triggers'; rate?: number; seconds?: number; warmupSeconds?: number; table?: string; topic?: string; tickMs?: number;
}): Promise<CliLatency>;
