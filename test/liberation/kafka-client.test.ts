import { Ajv2020 } from 'ajv/dist/2020.js';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deferCompilation, kafka } from '../../src/liberation/kafka-client.js';

describe('deferCompilation', () => {
  it('compiles a schema on the validator\'s first call, with the same verdicts and errors as ajv', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'], additionalProperties: false };
    const eager = ajv.compile(schema);
    let compiled = 0;
    const original = ajv.compile.bind(ajv);
    (ajv as unknown as { compile: typeof original }).compile = ((s: object) => {
      compiled++;
      return original(s);
    }) as typeof original;
    deferCompilation(ajv as unknown as Parameters<typeof deferCompilation>[0]);
    const lazy = ajv.compile(schema) as unknown as ((d: unknown) => boolean) & { errors?: unknown };
    expect(compiled).toBe(0);
    for (const data of [{ n: 1 }, { n: 'x' }, {}, { n: 1, extra: true }]) {
      expect(lazy(data)).toBe(eager(data));
      expect(lazy.errors).toEqual(eager.errors);
    }
    expect(compiled).toBe(1);
  });
});

describe('the Kafka client loaded through kafka-client', () => {
  it('has its shared ajv instance deferring compilation (the package layout it relies on is still there)', async () => {
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('@platformatic/kafka'));
    const utils = (await import(new URL('./utils.js', entry).href)) as { ajv: object };
    expect(Object.prototype.hasOwnProperty.call(utils.ajv, 'compile')).toBe(true);
  });

  it('still validates a strict client\'s options with the library\'s own message', () => {
    expect(() => new kafka.Producer({ clientId: 'x', bootstrapBrokers: ['127.0.0.1:1'], strict: true, acks: 7 as never })).toThrow(/acks/);
  });
});
