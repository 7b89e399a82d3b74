// Push latency as users run it: the built `schemactl publish` binary at default settings streams a
// table (pattern: log) while 1,000 changes/s are committed; commit → acknowledged-and-checkpointed is
// read from its progress lines (bench/cdc/cli-latency.mjs, the same measurement as `node
// bench/cdc/run.mjs --mode cli`). The bound is generous for a loaded 2-core machine; before the
// engine woke on data it slept poll_interval_ms (1 s) after catching up, so p99 was over a second.
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { measureCliLatency } from '../../bench/cdc/cli-latency.mjs';
import { startKafka, type KafkaBroker } from '../support/kafka.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { buildPublisherCli, tempDir } from '../support/publisher.js';

let cluster: PgCluster;
let broker: KafkaBroker;
let bin: string;
let work: string;

beforeAll(async () => {
  work = tempDir('cdc-latency');
  [cluster, broker, bin] = await Promise.all([startPgCluster(), startKafka({ workDir: path.join(work, 'kafka') }), buildPublisherCli()]);
}, 240_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), broker?.stop()]);
});

it('commit → ack p99 stays far below poll_interval_ms at 1,000 changes/s', async () => {
  const r = await measureCliLatency({ url: cluster.url, bootstrap: broker.bootstrap, bin, workDir: path.join(work, 'project'), rate: 1000, seconds: 4 });
  console.log(`schemactl publish (log, defaults) at 1,000 changes/s: offered ${r.offered}/s, delivered ${r.delivered}/${r.written}, commit→ack p50 ${r.p50ms} ms, p99 ${r.p99ms} ms, max ${r.maxms} ms`);
  expect(r.delivered).toBe(r.written);
  expect(r.p99ms).toBeLessThan(500);
}, 120_000);
