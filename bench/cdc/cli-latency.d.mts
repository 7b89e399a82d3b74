export interface CliLatency {
  target: number;
  offered: number;
  written: number;
  delivered: number;
  p50ms: number;
  p99ms: number;
  maxms: number;
}
/** Commit → ack latency of the built `schemactl publish` binary (pattern: log, default settings). */
export declare function measureCliLatency(o: {
  url: string; bootstrap: string; bin: string; workDir: string; rate?: number; seconds?: number; warmupSeconds?: number; table?: string; topic?: string; tickMs?: number;
}): Promise<CliLatency>;
