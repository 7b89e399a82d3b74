// The Kafka sink's thread: a KafkaSink (kafka.ts) running in a worker thread of its own, driven by
// ThreadedKafkaSink (kafka-thread.ts) over the worker's message port. It sends each packed batch in
// the order the batches arrive and answers each with its outcome.
import { parentPort, workerData } from 'node:worker_threads';
import { KafkaSink, type KafkaSinkConfig } from './kafka.js';
import { unpackRecords } from './record-pack.js';
import { SchemactlError } from '../../errors.js';

export type ThreadRequest = { op: 'open' | 'close'; id: number } | { op: 'send'; id: number; batch: ArrayBuffer } | { op: 'prepare'; id: number; topics: string[] };
export type ThreadReply =
  | { id: number; ok: true }
  | { id: number; ok: false; error: { message: string; name: string; code?: string; exitCode?: number; retriable?: boolean } };

const port = parentPort;
if (!port) throw new Error('kafka-thread-main.js runs as a worker thread');
const sink = new KafkaSink(workerData as KafkaSinkConfig);

function reply(id: number, work: Promise<void>): void {
  work.then(
    () => port!.postMessage({ id, ok: true } satisfies ThreadReply),
    (e: unknown) => {
      const err = e as Error;
      const known = e instanceof SchemactlError ? { code: e.code, exitCode: e.exitCode, retriable: e.retriable } : {};
      port!.postMessage({ id, ok: false, error: { message: err?.message ?? String(e), name: err?.name ?? 'Error', ...known } } satisfies ThreadReply);
    },
  );
}

port.on('message', (m: ThreadRequest) => {
  // send() is called in arrival order: the sink keeps each topic's batches in that order
  if (m.op === 'send') {
    let sent: Promise<void>;
    try {
      sent = sink.send(unpackRecords(m.batch));
    } catch (e) {
      sent = Promise.reject(e);
    }
    reply(m.id, sent);
  }
  else if (m.op === 'open') reply(m.id, sink.open());
  else if (m.op === 'prepare') reply(m.id, sink.prepare(m.topics));
  else reply(m.id, sink.close());
});
