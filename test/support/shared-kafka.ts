// The run's shared Kafka broker (test/support/services.ts starts it on the first request), for test files
// that only need a broker: a file using it must name its topics, consumer groups, checkpoint topics and
// transactional ids so that no other file uses the same (a per-file prefix), since earlier files' topics
// are still on it and another file may be using it at the same time. Files that kill or restart the
// broker (fault injection) start their own with startKafka(). Outside the vitest configuration (no
// endpoint provided) a private broker is started instead, so the files still run on their own.
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { startKafka, type KafkaBroker } from './kafka.js';

/** A broker that stays up for the whole run: no kill() or start(); stop() only releases it. */
export type SharedKafka = Pick<KafkaBroker, 'bootstrap' | 'port' | 'stop'>;

export async function sharedKafka(): Promise<SharedKafka> {
  const endpoint = inject('schemactlServices') as string | undefined;
  if (!endpoint) {
    const work = mkdtempSync(path.join(path.resolve(import.meta.dirname, '../..'), 'test/.work-kafka-'));
    return startKafka({ workDir: work });
  }
  const res = await fetch(`${endpoint}/kafka`, { signal: AbortSignal.timeout(170_000) });
  const body = (await res.json()) as { bootstrap?: string; error?: string };
  if (!res.ok || !body.bootstrap) throw new Error(`the shared Kafka broker did not start: ${body.error ?? res.status}`);
  const bootstrap = body.bootstrap;
  return { bootstrap, port: Number(bootstrap.split(':').pop()), stop: async () => {} };
}
