import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSchemaBytes, dispatchOf, parseSchemaText, readSchemaFile } from '../../src/formats/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'schemactl-dispatch-'));
function put(name: string, content: string | Uint8Array): string {
  const p = path.join(dir, name);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

describe('readSchemaFile on bad bytes', () => {
  it('binary content: the position of the first NUL byte', async () => {
    put('bin.avsc', Buffer.from([0x7b, 0x0a, 0x20, 0x20, 0x00, 0x01]));
    const r = await readSchemaFile('bin.avsc', { cwd: dir });
    expect(r.document).toBeUndefined();
    expect(r.text).toBeUndefined();
    expect(r.problems).toEqual([expect.objectContaining({ code: 'binary-file', fatal: true, loc: { line: 2, column: 3, endLine: 2, endColumn: 4 } })]);
  });

  it('invalid UTF-8: the position of the offending byte', async () => {
    // "é" in Latin-1 (0xe9) after a valid multi-byte "ü" on line 2
    put('latin1.proto', Buffer.concat([Buffer.from('syntax = "proto3";\n// ü '), Buffer.from([0xe9]), Buffer.from('\n')]));
    const r = await readSchemaFile('latin1.proto', { cwd: dir });
    expect(r.problems).toEqual([expect.objectContaining({ code: 'invalid-utf8', loc: { line: 2, column: 6, endLine: 2, endColumn: 7 } })]);
    expect(r.problems[0]?.message).toContain('byte 0xe9 at offset 25');
  });

  it('empty and whitespace-only files', async () => {
    put('empty.avsc', '');
    put('blank.avdl', '  \n\t\n');
    for (const f of ['empty.avsc', 'blank.avdl']) {
      const r = await readSchemaFile(f, { cwd: dir });
      expect(r.problems.map((p) => p.code)).toEqual(['empty-file']);
    }
  });

  it('a missing file and a directory', async () => {
    mkdirSync(path.join(dir, 'adir.avsc'), { recursive: true });
    expect((await readSchemaFile('nope.avsc', { cwd: dir })).problems.map((p) => p.code)).toEqual(['file-not-found']);
    expect((await readSchemaFile('adir.avsc', { cwd: dir })).problems.map((p) => p.code)).toEqual(['unreadable-file']);
  });

  it('reads files larger than the read buffer completely', async () => {
    const fields = Array.from({ length: 3000 }, (_v, i) => `{"name":"field_${i}","type":"string","doc":"${'é'.repeat(20)}"}`).join(',');
    const text = `{"type":"record","name":"Big","fields":[${fields}]}`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 64 * 1024);
    put('big.avsc', text);
    const r = await readSchemaFile('big.avsc', { cwd: dir });
    expect(r.text).toBe(text);
    expect(r.document?.types[0]?.kind === 'record' && r.document.types[0].fields.length).toBe(3000);
  });

  it('a UTF-8 BOM is not part of the text', () => {
    const d = decodeSchemaBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{}')]));
    expect(d).toEqual({ text: '{}' });
  });
});

describe('dispatch by extension', () => {
  it('maps extensions', () => {
    expect(['a.avsc', 'a.AVDL', 'a.proto', 'a.json', 'a.jsonschema', 'a.yml', 'a.txt', 'a.xsd', 'Makefile'].map(dispatchOf))
      .toEqual(['avsc', 'avdl', 'proto', 'json', 'json', 'yaml', 'text', 'unknown', 'unknown']);
  });

  it('parses Avro and Protobuf into documents', () => {
    expect(parseSchemaText('a.avsc', '{"type":"record","name":"A","fields":[]}').document?.types[0]?.fullName).toBe('A');
    expect(parseSchemaText('a.proto', 'syntax = "proto3";\npackage p;\nmessage M {}\n').document?.types[0]?.fullName).toBe('p.M');
  });

  it('classifies non-explicit formats instead of failing to parse them', () => {
    const schema = parseSchemaText('o.json', '{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{}}');
    expect(schema).toMatchObject({ problems: [], nonExplicit: { kind: 'json-schema' } });
    expect(schema.document).toBeUndefined();
    expect(parseSchemaText('o.jsonschema', '{"type":"object","properties":{"a":{}}}').nonExplicit?.kind).toBe('json-schema');
    expect(parseSchemaText('sample.json', '{"order_id":"1","status":"PAID"}').nonExplicit?.kind).toBe('json-sample');
    expect(parseSchemaText('o.yaml', '$schema: https://json-schema.org/draft-07/schema\ntype: object\n').nonExplicit?.kind).toBe('json-schema');
    expect(parseSchemaText('o.yaml', 'order_id: 1\n').nonExplicit?.kind).toBe('json-sample');
    expect(parseSchemaText('o.txt', 'An order was placed.').nonExplicit).toEqual({ kind: 'text', evidence: 'extension .txt' });
    expect(parseSchemaText('o.xsd', '<xs:schema/>').nonExplicit).toEqual({ kind: 'unknown', evidence: 'extension .xsd' });
  });

  it('reads an Avro schema saved as .json as Avro', () => {
    const r = parseSchemaText('order.json', '{"type":"record","name":"Order","fields":[{"name":"id","type":"string"}]}');
    expect(r.nonExplicit).toBeUndefined();
    expect(r.document?.format).toBe('avro');
  });

  it('resolves Protobuf imports against the include paths only, as protoc does, reading each once', async () => {
    put('protos/common/money.proto', 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; }\n');
    put('svc/local.proto', 'syntax = "proto3";\npackage svc;\nmessage Local {}\n');
    put('svc/order.proto', 'syntax = "proto3";\npackage svc;\nimport "common/money.proto";\nimport "svc/local.proto";\nmessage Order { common.Money total = 1; Local l = 2; }\n');
    const importCache = new Map<string, string | null>();
    const r = await readSchemaFile('svc/order.proto', { cwd: dir, includePaths: [path.join(dir, 'protos'), dir], importCache });
    expect(r.problems.filter((p) => p.fatal)).toEqual([]);
    expect(r.document?.imports.map((i) => [i.path, i.resolved])).toEqual([['common/money.proto', true], ['svc/local.proto', true]]);
    expect(importCache.get(path.join(dir, 'protos/common/money.proto'))).toContain('message Money');
    // an import is not looked up beside the importing file: "local.proto" from svc/ is not svc/local.proto
    put('svc/sibling.proto', 'syntax = "proto3";\npackage svc;\nimport "local.proto";\nmessage S { Local l = 1; }\n');
    const sibling = await readSchemaFile('svc/sibling.proto', { cwd: dir, includePaths: [dir] });
    expect(sibling.problems.map((p) => [p.code, p.fatal])).toEqual([['proto-missing-import', true], ['proto-unresolved-type', true]]);
    const missing = await readSchemaFile('svc/order.proto', { cwd: dir });
    expect(missing.document?.imports.find((i) => i.path === 'common/money.proto')?.resolved ?? false).toBe(false);
  });
});
