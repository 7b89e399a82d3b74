// The publish gate on the embedded registry: compatibility against every registered version, the
// same file:line findings as `schemactl check`, idempotent registration (Protobuf imports first, as
// their own subjects), and nothing registered on a dry run or when the schema cannot be mapped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gateSchema } from '../../src/liberation/gate.js';
import { openEmbeddedRegistry } from '../../src/registry/index.js';
import type { Registry } from '../../src/registry/types.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(files: Record<string, string>): Promise<{ dir: string; registry: Registry }> {
  const dir = mkdtempSync(join(tmpdir(), 'gate-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  const registry = await openEmbeddedRegistry({ dataDir: join(dir, 'registry') });
  cleanups.push(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, registry };
}

describe('gateSchema, Protobuf', () => {
  const COMMON = `syntax = "proto3";\npackage acme.common;\nmessage Address { string city = 1; }\n`;
  const MAIN = `syntax = "proto3";\npackage acme.v1;\nimport "acme/common/address.proto";\nmessage Customer { string name = 1; acme.common.Address address = 2; }\n`;
  const files = (main = MAIN) => ({ 'protos/acme/common/address.proto': COMMON, 'customer.proto': main });

  it('registers nothing on a dry run and answers schema id 0', async () => {
    const { dir, registry } = await setup(files());
    const r = await gateSchema({ topic: 'c', file: join(dir, 'customer.proto'), includePaths: [join(dir, 'protos')], registry, level: 'BACKWARD', dryRun: true });
    expect(r).toMatchObject({ ok: true, schemaId: 0, subject: 'c-value' });
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('registers the import under its path first, then the event with the reference; idempotent; refuses an incompatible change', async () => {
    const { dir, registry } = await setup(files());
    const input = { topic: 'c', file: join(dir, 'customer.proto'), includePaths: [join(dir, 'protos')], registry, level: 'BACKWARD' as const };
    const r = await gateSchema(input);
    if (!r.ok) throw new Error(r.reason);
    expect(r.references).toEqual([{ name: 'acme/common/address.proto', subject: 'acme/common/address.proto', version: 1 }]);
    expect((await registry.getLatest('c-value')).references).toEqual(r.references);
    const again = await gateSchema(input);
    expect(again).toMatchObject({ ok: true, schemaId: r.schemaId });
    expect(await registry.getVersions('c-value')).toEqual([1]);
    writeFileSync(input.file, MAIN.replace('string name = 1;', 'int64 name = 1;'));
    const refused = await gateSchema(input);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.findings[0]).toMatchObject({ ruleId: 'proto-field-scalar-kind-changed', location: { range: { line: 4 } } });
      expect(refused.findings[0]!.message).toMatch(/c-value/);
    }
    expect(await registry.getVersions('c-value')).toEqual([1]);
  });

  it('refuses a file whose event message cannot be chosen, before registering anything', async () => {
    const { dir, registry } = await setup(files(MAIN + 'message Other { int32 x = 1; }\n'));
    const r = await gateSchema({ topic: 'c', file: join(dir, 'customer.proto'), includePaths: [join(dir, 'protos')], registry, level: 'BACKWARD' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/several candidate event messages/);
    expect(await registry.listSubjects()).toEqual([]);
  });

  it('refuses an import that cannot be found, with its position', async () => {
    const { dir, registry } = await setup(files());
    const r = await gateSchema({ topic: 'c', file: join(dir, 'customer.proto'), includePaths: [], registry, level: 'BACKWARD' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.findings[0]).toMatchObject({ ruleId: 'proto-missing-import', location: { range: { line: 3 } } });
  });
});

describe('gateSchema, Avro', () => {
  const V1 = JSON.stringify({ type: 'record', name: 'Order', namespace: 'acme.v1', fields: [{ name: 'id', type: 'long' }] }, null, 2);
  const V2_BAD = JSON.stringify({ type: 'record', name: 'Order', namespace: 'acme.v1', fields: [{ name: 'id', type: 'long' }, { name: 'total', type: 'int' }] }, null, 2);
  const V2_OK = JSON.stringify({ type: 'record', name: 'Order', namespace: 'acme.v1', fields: [{ name: 'id', type: 'long' }, { name: 'total', type: 'int', default: 0 }] }, null, 2);
  const IDL = `@namespace("acme.v1")\nprotocol Shop {\n  enum Kind { A, B } = A;\n  record Placed { long id; Kind kind = "A"; }\n}\n`;

  it('refuses a change the level forbids with the new file:line and the fix; accepts a compatible one as version 2', async () => {
    const { dir, registry } = await setup({ 'order.avsc': V1 });
    const file = join(dir, 'order.avsc');
    const first = await gateSchema({ topic: 'o', file, includePaths: [], registry, level: 'BACKWARD' });
    expect(first).toMatchObject({ ok: true, subject: 'o-value' });
    writeFileSync(file, V2_BAD);
    const refused = await gateSchema({ topic: 'o', file, label: 'order.avsc', includePaths: [], registry, level: 'BACKWARD' });
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.findings[0]).toMatchObject({ ruleId: 'avro-reader-field-missing-default-value', location: { file: 'order.avsc', range: { line: 10 } } });
      expect(refused.findings[0]!.help).toMatch(/default/);
    }
    writeFileSync(file, V2_OK);
    const ok = await gateSchema({ topic: 'o', file, includePaths: [], registry, level: 'BACKWARD' });
    expect(ok.ok).toBe(true);
    expect(await registry.getVersions('o-value')).toEqual([1, 2]);
  });

  it('registers the standalone Avro JSON of an .avdl record and maps rows against it', async () => {
    const { dir, registry } = await setup({ 'shop.avdl': IDL });
    const r = await gateSchema({ topic: 's', file: join(dir, 'shop.avdl'), includePaths: [], registry });
    if (!r.ok) throw new Error(r.reason);
    const stored = JSON.parse((await registry.getLatest('s-value')).schema) as { name: string; fields: Array<{ type: unknown }> };
    expect(stored.name).toBe('Placed');
    expect(stored.fields[1]!.type).toMatchObject({ type: 'enum', name: 'Kind' });
    expect(r.mapper.map({ id: '7', kind: 'B' })).toEqual({ id: 7n, kind: 'B' });
  });

  it('refuses a schema rows cannot be mapped to before registering it', async () => {
    const { dir, registry } = await setup({ 'list.avsc': JSON.stringify({ type: 'array', items: 'long' }) });
    const r = await gateSchema({ topic: 'l', file: join(dir, 'list.avsc'), includePaths: [], registry });
    expect(r.ok).toBe(false);
    expect(await registry.listSubjects()).toEqual([]);
  });
});
