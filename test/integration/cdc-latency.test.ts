// Push latency as users run it: the built `schemactl publish` binary at default settings streams a
// table (pattern: log, and pattern: triggers after `schemactl capture install`) while 1,000 changes/s
// are committed; commit → acknowledged-and-checkpointed is read from its progress lines
// (bench/cdc/cli-latency.mjs, the same measurement as `node bench/cdc/run.mjs --mode cli`, which
// states the real figures). The bounds are generous for a loaded 2-core machine: they catch a publisher
// that sleeps between changes (poll_interval_ms is 1 s), not the last tens of milliseconds.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureCliLatency } from '../../bench/cdc/cli-latency.mjs';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { buildPublisherCli, tempDir } from '../support/publisher.js';

let cluster: PgCluster;
let broker: SharedKafka;
let bin: string;
let work: string;

beforeAll(async () => {
  work = tempDir('cdc-latency');
  [cluster, broker, bin] = await Promise.all([startPgCluster(), sharedKafka(), buildPublisherCli()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), broker?.stop()]);
});

it.each([['log'], ['triggers']] as const)('pattern %s: commit → ack p99 stays far below poll_interval_ms at 1,000 changes/s', async (pattern) => {
  const r = await measureCliLatency({ url: cluster.url, bootstrap: broker.bootstrap, bin, workDir: path.join(work, `project-${pattern}`), pattern, rate: 1000, seconds: 4, table: `lat_${pattern}`, topic: `lat-${pattern}` });
  console.log(`schemactl publish (${pattern}, defaults) at 1,000 changes/s: offered ${r.offered}/s, delivered ${r.delivered}/${r.written}, commit→ack p50 ${r.p50ms} ms, p95 ${r.p95ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms; load average ${r.load.before} → ${r.load.after}`);
  // every change once: the read count of the last progress line is exactly what was written
  expect(r.delivered).toBe(r.written);
  // A publisher that sleeps poll_interval_ms (1 s) after catching up has a median near half of it and
  // a p99 near all of it at any load; this one stayed at p99 607 ms (log) / 419 ms (triggers) even at
  // a load average of 33 on 2 cores, and the bench states the real figure.
  expect(r.p50ms).toBeLessThan(400);
  expect(r.p99ms).toBeLessThan(900);
}, 120_000);
