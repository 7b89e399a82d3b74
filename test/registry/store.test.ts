import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, stat, truncate, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRegistry } from '../../src/registry/embedded/store.js';
import { decodeFrames, encodeFrame } from '../../src/registry/embedded/log.js';
import { RegistryError } from '../../src/registry/types.js';

const avro = (fields: object[], name = 'Order') => JSON.stringify({ type: 'record', name, namespace: 'com.acme', fields });
const V1 = avro([{ name: 'id', type: 'string' }]);
const V2 = avro([{ name: 'id', type: 'string' }, { name: 'total', type: 'long', default: 0 }]);
const BAD_V2 = avro([{ name: 'id', type: 'string' }, { name: 'total', type: 'long' }]);

let dir: string;
let reg: EmbeddedRegistry | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schemactl-store-'));
});
afterEach(async () => {
  await reg?.close();
  reg = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function expectCode(p: Promise<unknown>, status: number, code: number): Promise<RegistryError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RegistryError);
  expect((e as RegistryError).status).toBe(status);
  expect((e as RegistryError).errorCode).toBe(code);
  return e as RegistryError;
}

describe('embedded registry', () => {
  it('gives one global id per schema, per-subject versions, and returns the existing id for an identical schema', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(await reg.register('a-value', { schema: V1 })).toEqual({ id: 1, version: 1 });
    // whitespace does not change identity
    expect(await reg.register('a-value', { schema: JSON.stringify(JSON.parse(V1), null, 2) })).toEqual({ id: 1, version: 1 });
    expect(await reg.register('b-value', { schema: V1 })).toEqual({ id: 1, version: 1 });
    expect(await reg.register('a-value', { schema: V2 })).toEqual({ id: 2, version: 2 });
    expect(await reg.getVersions('a-value')).toEqual([1, 2]);
    expect((await reg.getLatest('a-value')).id).toBe(2);
    expect(await reg.getSubjectsById(1)).toEqual(['a-value', 'b-value']);
    expect(await reg.listSubjects()).toEqual(['a-value', 'b-value']);
    expect((await reg.lookup('a-value', { schema: V1 })).version).toBe(1);
    await expectCode(reg.lookup('a-value', { schema: avro([], 'Other') }), 404, 40403);
    await expectCode(reg.lookup('nope', { schema: V1 }), 404, 40401);
    await expectCode(reg.getVersion('a-value', 9), 404, 40402);
    await expectCode(reg.getById(99), 404, 40403);
  });

  it('rejects an incompatible schema with 409 and the registry message, and invalid schemas with 42201', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.register('s', { schema: V1 });
    const e = await expectCode(reg.register('s', { schema: BAD_V2 }), 409, 409);
    expect(e.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "s", details: \[/);
    expect(e.message).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    expect(e.message).toContain("{validateFields: 'false', compatibility: 'BACKWARD'}");
    await expectCode(reg.register('s', { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' }), 422, 42201);
    await expectCode(reg.register('s', { schema: '{not json' }), 422, 42201);
    await expectCode(reg.register('j', { schema: '{"type":"object"}', schemaType: 'JSON' }), 422, 42201);
    // NONE lets it through
    await reg.setConfig('s', { compatibility: 'NONE' });
    expect((await reg.register('s', { schema: BAD_V2 })).version).toBe(2);
  });

  it('checks compatibility against one named version, or the history for the level', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.register('s', { schema: V1 });
    expect((await reg.testCompatibility('s', 'latest', { schema: V2 }, { verbose: true })).isCompatible).toBe(true);
    const bad = await reg.testCompatibility('s', 1, { schema: BAD_V2 }, { verbose: true });
    expect(bad.isCompatible).toBe(false);
    expect(bad.messages[bad.messages.length - 1]).toBe("{validateFields: 'false', compatibility: 'BACKWARD'}");
    expect(bad.messages).toContain('{oldSchemaVersion: 1}');
    expect((await reg.testCompatibility('s', 1, { schema: BAD_V2 })).messages).toEqual([]);
    // unknown subject with latest: empty history, compatible
    expect((await reg.testCompatibility('new', 'latest', { schema: BAD_V2 })).isCompatible).toBe(true);
    await expectCode(reg.testCompatibility('s', 7, { schema: V2 }), 404, 40402);
    // verbose turns a parse failure into a message instead of a 422
    const unparsable = await reg.testCompatibility('s', 'latest', { schema: '{' }, { verbose: true });
    expect(unparsable.isCompatible).toBe(false);
    expect(unparsable.messages).toHaveLength(1);
  });

  it('implements soft and permanent deletes with the registry error codes', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.register('s', { schema: V1 });
    await reg.register('s', { schema: V2 });
    await expectCode(reg.deleteVersion('s', 1, { permanent: true }), 404, 40407);
    expect(await reg.deleteVersion('s', 1)).toBe(1);
    await expectCode(reg.deleteVersion('s', 1), 404, 40406);
    expect(await reg.getVersions('s')).toEqual([2]);
    expect(await reg.getVersions('s', { deleted: true })).toEqual([1, 2]);
    // still reachable by id after a soft delete
    expect((await reg.getById(1)).schema).toBe(V1);
    await expectCode(reg.deleteSubject('s', { permanent: true }), 404, 40405);
    expect(await reg.deleteSubject('s')).toEqual([2]);
    await expectCode(reg.deleteSubject('s'), 404, 40404);
    await expectCode(reg.getVersions('s'), 404, 40401);
    expect(await reg.listSubjects({ deleted: true })).toEqual(['s']);
    expect(await reg.deleteSubject('s', { permanent: true })).toEqual([1, 2]);
    await expectCode(reg.getById(1), 404, 40403);
    // versions restart and the identical schema gets its old id back
    expect(await reg.register('s', { schema: V1 })).toEqual({ id: 1, version: 1 });
  });

  it('re-registering a soft-deleted schema makes a new version with the same id', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.register('s', { schema: V1 });
    await reg.deleteVersion('s', 1);
    expect(await reg.register('s', { schema: V1 })).toEqual({ id: 1, version: 2 });
  });

  it('keeps config and mode globally and per subject', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(await reg.getConfig()).toEqual({ compatibilityLevel: 'BACKWARD' });
    await expectCode(reg.getConfig('s'), 404, 40408);
    expect(await reg.getConfig('s', { defaultToGlobal: true })).toEqual({ compatibilityLevel: 'BACKWARD' });
    await reg.setConfig(undefined, { compatibility: 'FULL' });
    await reg.setConfig('s', { compatibility: 'forward_transitive' as never });
    expect(await reg.getConfig('s')).toEqual({ compatibilityLevel: 'FORWARD_TRANSITIVE' });
    await expectCode(reg.setConfig('s', { compatibility: 'SIDEWAYS' as never }), 422, 42203);
    await reg.setMode('s', 'READONLY');
    await expectCode(reg.register('s', { schema: V1 }), 422, 42205);
    await expectCode(reg.setMode(undefined, 'BOGUS' as never), 422, 42204);
    expect(await reg.getMode()).toBe('READWRITE');
    await reg.deleteMode('s');
    await reg.register('s', { schema: V1 });
    expect(await reg.deleteConfig('s')).toEqual({ compatibilityLevel: 'FORWARD_TRANSITIVE' });
    expect(await reg.getConfig('s', { defaultToGlobal: true })).toEqual({ compatibilityLevel: 'FULL' });
  });

  it('resolves references and refuses to delete a referenced version', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    const money = JSON.stringify({ type: 'record', name: 'Money', namespace: 'com.acme', fields: [{ name: 'cents', type: 'long' }] });
    await reg.register('money', { schema: money });
    const order = avro([{ name: 'total', type: 'com.acme.Money' }]);
    await expectCode(reg.register('order', { schema: order }), 422, 42201);
    const refs = [{ name: 'com.acme.Money', subject: 'money', version: 1 }];
    const r = await reg.register('order', { schema: order, references: refs });
    expect(r.id).toBe(2);
    expect((await reg.getById(2)).references).toEqual(refs);
    expect(await reg.getReferencedBy('money', 1)).toEqual([2]);
    await expectCode(reg.deleteVersion('money', 1), 422, 42206);
  });

  it('normalize gives equivalent Avro spellings one id', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    const a = '{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":{"type":"string"}}]}';
    const b = '{"namespace":"n","fields":[{"type":"string","name":"f"}],"name":"n.R","type":"record"}';
    const ra = await reg.register('s', { schema: a }, { normalize: true });
    const rb = await reg.register('s', { schema: b }, { normalize: true });
    expect(rb).toEqual(ra);
    // stored as Confluent stores it: the canonical string (Avro Java's Schema.toString) of the normalized schema
    expect((await reg.getById(ra.id)).schema).toBe('{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":"string"}]}');
  });

  it('compares schemas by canonical form without normalize: another key order or layout is the same schema', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    const a = '{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":"string","doc":"d"}]}';
    const b = '{\n  "fields": [ { "doc": "d", "type": "string", "name": "f" } ], // a comment\n  "name": "R", "namespace": "n", "type": "record"\n}';
    const ra = await reg.register('s', { schema: a });
    expect(await reg.register('s', { schema: b })).toEqual(ra);
    expect((await reg.lookup('s', { schema: b })).version).toBe(1);
    expect(await reg.register('other', { schema: b })).toEqual({ id: ra.id, version: 1 });
    expect(await reg.getVersions('s')).toEqual([1]);
    expect((await reg.getById(ra.id)).schema).toBe('{"type":"record","name":"R","namespace":"n","fields":[{"name":"f","type":"string","doc":"d"}]}');

    const p1 = 'syntax = "proto3";\npackage acme;\nmessage Order { string id = 1; int64 at = 2; }\n';
    const p2 = '// the same file, reformatted\nsyntax="proto3"; package acme;\n\nmessage Order {\n  string id = 1;\n\n  int64 at = 2;   // when\n}';
    const rp = await reg.register('p', { schema: p1, schemaType: 'PROTOBUF' });
    expect(await reg.register('p', { schema: p2, schemaType: 'PROTOBUF' })).toEqual(rp);
    expect((await reg.lookup('p', { schema: p2, schemaType: 'PROTOBUF' })).id).toBe(rp.id);
    expect((await reg.getById(rp.id)).schema).toBe('syntax = "proto3";\npackage acme;\n\nmessage Order {\n  string id = 1;\n  int64 at = 2;\n}\n');
    // field order is part of a Protobuf schema's text; normalize sorts by number
    const p3 = 'syntax = "proto3";\npackage acme;\nmessage Order { int64 at = 2; string id = 1; }\n';
    await expectCode(reg.lookup('p', { schema: p3, schemaType: 'PROTOBUF' }), 404, 40403);
    const n1 = await reg.register('pn', { schema: p1, schemaType: 'PROTOBUF' }, { normalize: true });
    expect((await reg.lookup('pn', { schema: p3, schemaType: 'PROTOBUF' }, { normalize: true })).id).toBe(n1.id);
  });

  it('re-keys schemas stored by an older version, so lookups of any spelling find them', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    const a = '{"type":"record","name":"R","fields":[{"name":"f","type":"int"}]}';
    const { id } = await reg.register('s', { schema: a });
    await reg.close();
    // rewrite the log as an older version wrote it: the identity of the compact text, no identity version
    const file = join(dir, 'registry.log');
    const { records } = decodeFrames(await readFile(file));
    const old = records.map((r) => {
      const rec = { ...(r as Record<string, unknown>) };
      if (rec.op === 'schema') {
        delete rec.iv;
        rec.identity = 'legacy-identity';
        rec.schema = '{"fields":[{"type":"int","name":"f"}],"type":"record","name":"R"}';
      }
      return rec;
    });
    await writeFile(file, Buffer.concat(old.map(encodeFrame)));
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect((await reg.lookup('s', { schema: a })).id).toBe(id);
    expect(await reg.register('s', { schema: a })).toEqual({ id, version: 1 });
  });

  it('accepts valid Protobuf and rejects broken Protobuf with the parser message', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    const proto = 'syntax = "proto3";\npackage acme;\nimport "google/protobuf/timestamp.proto";\nmessage Order { string id = 1; google.protobuf.Timestamp at = 2; }\n';
    expect((await reg.register('p', { schema: proto, schemaType: 'PROTOBUF' })).id).toBe(1);
    expect((await reg.getById(1)).schemaType).toBe('PROTOBUF');
    const e = await expectCode(reg.register('p2', { schema: 'syntax = "proto3"; message A { int32 b = 1 }', schemaType: 'PROTOBUF' }), 422, 42201);
    expect(e.message).toMatch(/illegal token|expected/);
    await expectCode(reg.register('p3', { schema: 'syntax = "proto3"; message A { Missing b = 1; }', schemaType: 'PROTOBUF' }), 422, 42201);
  });

  it('survives reopen with the same state, and allows one writer per directory', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.register('s', { schema: V1 });
    await reg.register('t', { schema: V2 });
    await reg.setConfig('t', { compatibility: 'NONE' });
    await reg.deleteVersion('s', 1);
    await expect(EmbeddedRegistry.open({ dataDir: dir })).rejects.toThrow(/in use by process|already open in this process/);
    await reg.close();
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(reg.recovery).toEqual({ records: 6, truncatedBytes: 0 });
    expect(await reg.getVersions('s', { deleted: true })).toEqual([1]);
    await expectCode(reg.getVersions('s'), 404, 40401);
    expect(await reg.getConfig('t')).toEqual({ compatibilityLevel: 'NONE' });
    expect(await reg.register('u', { schema: avro([], 'Fresh') })).toEqual({ id: 3, version: 1 });
  });

  it('truncates a torn tail record on open and keeps everything before it', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    for (let i = 0; i < 5; i++) await reg.register(`s${i}`, { schema: avro([], `R${i}`) });
    await reg.close();
    reg = undefined;
    const file = join(dir, 'registry.log');
    const full = (await stat(file)).size;
    // a crash mid-write leaves part of the last record: cut 7 bytes off the end
    await truncate(file, full - 7);
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(reg.recovery.records).toBe(9);
    expect(reg.recovery.truncatedBytes).toBeGreaterThan(0);
    expect(await reg.listSubjects()).toEqual(['s0', 's1', 's2', 's3']);
    expect((await reg.getById(5).catch((e: RegistryError) => e.errorCode))).toBe(40403);
    // the log was cut back to a clean frame boundary, so new writes land after it and replay
    expect(await reg.register('s4', { schema: avro([], 'R4') })).toEqual({ id: 5, version: 1 });
    await reg.close();
    const { records, validLength } = decodeFrames(await readFile(file));
    expect(validLength).toBe((await stat(file)).size);
    // the schema record of id 5 survived the tear, so only a version record was added
    expect(records).toHaveLength(10);
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(reg.recovery.truncatedBytes).toBe(0);
  });

  it('drops a tail whose CRC does not match', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.register('s', { schema: V1 });
    await reg.close();
    reg = undefined;
    const file = join(dir, 'registry.log');
    const frame = encodeFrame({ op: 'version', subject: 'ghost', version: 1, id: 1 });
    frame.writeUInt8((frame.at(-2) as number) ^ 0xff, frame.length - 2);
    await appendFile(file, frame);
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(reg.recovery.truncatedBytes).toBe(frame.length);
    expect(await reg.listSubjects()).toEqual(['s']);
  });

  it('takes over a stale lock left by a dead process', async () => {
    await writeFile(join(dir, 'LOCK'), '999999999\n');
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(await reg.listSubjects()).toEqual([]);
  });

  it('takes over a lock naming this very process (a restart that got the same pid, as PID 1 in a container)', async () => {
    await writeFile(join(dir, 'LOCK'), `${process.pid}\nstart=1\n`);
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    expect(await reg.listSubjects()).toEqual([]);
    // while this process holds it, a second open in the same process is still refused
    await expect(EmbeddedRegistry.open({ dataDir: dir })).rejects.toThrow(/already open in this process/);
  });

  it('refuses a lock held by a live process, and takes it over when that pid now belongs to another process', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
      const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
      await writeFile(join(dir, 'LOCK'), `${pid}\nstart=${start}\nboot=${boot}\n`);
      await expect(EmbeddedRegistry.open({ dataDir: dir })).rejects.toThrow(new RegExp(`in use by process ${pid}`));
      // the same pid with another start time: the holder died and the pid was reused
      await writeFile(join(dir, 'LOCK'), `${pid}\nstart=${Number(start) - 1}\nboot=${boot}\n`);
      reg = await EmbeddedRegistry.open({ dataDir: dir });
      expect(await reg.listSubjects()).toEqual([]);
      await reg.close();
      // a lock from another boot is stale whatever its pid
      await writeFile(join(dir, 'LOCK'), `${pid}\nstart=${start}\nboot=00000000-0000-0000-0000-000000000000\n`);
      reg = await EmbeddedRegistry.open({ dataDir: dir });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('serializes concurrent registrations: unique ids, dense versions', async () => {
    reg = await EmbeddedRegistry.open({ dataDir: dir });
    await reg.setConfig(undefined, { compatibility: 'NONE' });
    const r = reg;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => r.register(`s${i % 4}`, { schema: avro([], `R${i}`) })));
    expect(new Set(results.map((x) => x.id)).size).toBe(200);
    for (let s = 0; s < 4; s++) expect(await reg.getVersions(`s${s}`)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
