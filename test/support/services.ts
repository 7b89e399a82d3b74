// vitest's global set-up (vitest.config.ts): servers that test files share within one run, started in
// vitest's own process on the first request and stopped when the run ends. Today: one Kafka broker for
// the files that only need "a broker" (test/support/shared-kafka.ts); files that kill or restart their
// broker start their own with startKafka(). The test files reach this process over a local HTTP endpoint
// whose address they get through vitest's provide/inject; a broker started per file costs a JVM start
// and stop each (tens of seconds of CPU on a loaded 2-core machine), one shared broker pays it once.
import { createServer, type Server } from 'node:http';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startKafka, type KafkaBroker } from './kafka.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the shared-services endpoint of this run */
    schemactlServices: string;
  }
}

const ROOT = path.resolve(import.meta.dirname, '../..');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const work = path.join(ROOT, 'test/.work', `shared-kafka-${process.pid}`);
  let kafka: Promise<KafkaBroker> | undefined;
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/kafka') return reply(404, { error: `no such service: ${req.url}` });
    if (!kafka) {
      mkdirSync(work, { recursive: true });
      kafka = startKafka({ workDir: work });
      // a failed start is reported to every file that asks, not retried by each
    }
    kafka.then((b) => reply(200, { bootstrap: b.bootstrap }), (err: unknown) => reply(500, { error: err instanceof Error ? err.message : String(err) }));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('the shared-services endpoint has no TCP address');
  project.provide('schemactlServices', `http://127.0.0.1:${addr.port}`);
  return async () => {
    await new Promise<void>((res) => server.close(() => res()));
    if (kafka) await kafka.then((b) => b.stop(), () => undefined);
    rmSync(work, { recursive: true, force: true });
  };
}
