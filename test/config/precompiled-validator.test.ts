// The build precompiles schemactl.schema.json into a standalone validator (scripts/
// build-config-validator.mjs); the loader uses it instead of compiling the schema on every run. It
// must judge every config exactly as a run-time compile does: same verdicts, same error objects
// (the loader's messages are built from them, parentSchema included).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
const dist = mkdtempSync(path.join(ROOT, 'test/.work/validator-'));
execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-config-validator.mjs'), dist]);
const precompiled = createRequire(import.meta.url)(path.join(dist, 'src/config/config-schema-validator.cjs')) as ValidateFunction;
const runtime = new Ajv2020({ allErrors: true, verbose: true, strict: false })
  .compile(JSON.parse(readFileSync(path.join(ROOT, 'schemactl.schema.json'), 'utf8')) as object);

const stream = { topic: 'orders.order-placed', kind: 'store', schema: 'orders/order-placed.avsc' };
const CONFIGS: Array<[string, unknown]> = [
  ['a valid catalog', { streams: [stream], include_paths: ['protos/'], rules: { 'prefer-enum': 'warn' } }],
  ['an unknown top-level key', { streams: [stream], stream: [] }],
  ['a stream kind that does not exist', { streams: [{ ...stream, kind: 'stor' }] }],
  ['a stream without a topic', { streams: [{ kind: 'store', schema: 'a.avsc' }] }],
  ['a list where a mapping belongs', { streams: [stream], rules: ['prefer-enum'] }],
  ['an empty topic and a number as schema', { streams: [{ ...stream, topic: '', schema: 3 }] }],
  ['overrides with unknown keys', { streams: [stream], overrides: [{ file: ['a'], rules: {} }] }],
  ['not a mapping at all', ['streams']],
];

describe('precompiled config validator', () => {
  for (const [name, config] of CONFIGS) {
    it(`agrees with a run-time compile on ${name}`, () => {
      const a = precompiled(config);
      const b = runtime(config);
      expect(a).toBe(b);
      expect(precompiled.errors ?? null).toEqual(runtime.errors ?? null);
    });
  }

  it('the invalid samples are invalid (the comparison is not between two empty lists)', () => {
    expect(CONFIGS.slice(1).every(([, c]) => !runtime(c))).toBe(true);
  });
});
