// A publisher process: the pgoutput source + engine + Kafka sink, as `schemactl publish` runs them, for
// crash tests and benchmarks. Configuration comes as JSON in CDC_CONFIG; CDC_LIB points at the compiled
// src/liberation folder (see build.mjs). Prints one JSON line per committed batch. SIGTERM stops cleanly.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const cfg = JSON.parse(process.env.CDC_CONFIG ?? '{}');
const lib = process.env.CDC_LIB;
if (!lib) throw new Error('CDC_LIB is not set');
const load = (p) => import(pathToFileURL(join(lib, p)).href);
const { PgLogicalSource } = await load('sources/pg-logical.js');
const { runStream } = await load('engine.js');
const { AvroRowMapper } = await load('mapping.js');
const { KafkaSink } = await load('sinks/kafka.js');
const { FileCheckpointStore } = await load('checkpoint/file.js');
const { FileDeadLetter } = await load('dead-letter.js');

const mapper = new AvroRowMapper(cfg.schema);
const checkpoints = new FileCheckpointStore(cfg.stateDir);
const source = new PgLogicalSource({
  connection: cfg.url, tables: [cfg.table], slot: cfg.slot, publication: cfg.publication, name: cfg.topic, snapshot: cfg.snapshot ?? true,
  columns: mapper.columns(), checkpoints, waitMs: cfg.waitMs ?? 100, staleGraceMs: cfg.staleGraceMs ?? 2000,
  onLog: (e) => process.stderr.write(JSON.stringify(e) + '\n'),
});
const sink = new KafkaSink({ brokers: [cfg.bootstrap], timeoutMs: 5000, retries: 1, chunk: cfg.chunk ?? 2000 });
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
await source.open();
await sink.open();
try {
  await runStream({
    stream: cfg.topic, source, sink, checkpoints, deadLetter: new FileDeadLetter(join(cfg.stateDir, 'dead.ndjson')),
    serialize: (row) => ({
      topic: cfg.topic,
      key: Buffer.from(String(row.columns[cfg.key ?? 'id'])),
      value: row.tombstone ? null : mapper.encode(mapper.map(row.columns)),
      headers: row.headers,
      position: row.position,
    }),
    batchSize: cfg.batchSize ?? 500, pollIntervalMs: cfg.pollIntervalMs ?? 10, once: false, signal: abort.signal, retryBaseMs: 200, retryMaxMs: 2000,
    onProgress: (s) => process.stdout.write(JSON.stringify({ published: s.published, committed: s.committed }) + '\n'),
  });
} finally {
  await source.close();
  await sink.close();
}
