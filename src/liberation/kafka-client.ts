// The Kafka client (@platformatic/kafka), loaded with its option validators compiled on first use.
//
// When its modules are evaluated the package compiles about forty ajv validators for the options of
// its admin, consumer and producer clients (and ajv's JSON Schema meta-schema on the way): about 0.6 s
// of CPU on every `publish` start here, a tenth of a short run. It only calls them for a client built
// with `strict: true`, which schemactl never sets. So before the package is evaluated, the ajv
// instance it shares between its modules (its utils module's `ajv`) gets a `compile` that returns a
// validator compiling its schema the first time it is called, with the same result and `errors`.
// Should the package's layout change (no such module or instance), it loads exactly as before.
import type * as KafkaModule from '@platformatic/kafka';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

interface Validator {
  (data: unknown): boolean;
  errors?: unknown;
}
interface AjvLike {
  compile(schema: unknown): Validator;
}

/** Make `compile` defer each schema's compilation to the validator's first call. */
export function deferCompilation(ajv: AjvLike): void {
  const eager = ajv.compile.bind(ajv);
  ajv.compile = (schema) => {
    let compiled: Validator | undefined;
    const lazy: Validator = (data) => {
      compiled ??= eager(schema);
      const ok = compiled(data);
      lazy.errors = compiled.errors;
      return ok;
    };
    lazy.errors = null;
    return lazy;
  };
}

async function load(): Promise<typeof KafkaModule> {
  try {
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('@platformatic/kafka'));
    const utils = (await import(new URL('./utils.js', entry).href)) as { ajv?: Partial<AjvLike> };
    if (utils.ajv && typeof utils.ajv.compile === 'function') deferCompilation(utils.ajv as AjvLike);
  } catch {
    // another layout: the validators compile at import, as the package does by itself
  }
  return import('@platformatic/kafka');
}

export const kafka = await load();
