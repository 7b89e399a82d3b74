// What protoc and buf refuse, schemactl refuses at the same place; what they accept, it accepts.
// Each expectation below was checked against `buf build` (buf 1.75.0) on the same minimal file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseProto } from '../../../src/formats/protobuf/index.js';
import { ProtoSymbolTable } from '../../../src/formats/protobuf/symbol-table.js';
import { buildCli } from '../../cli/support/build.js';

const P2 = 'syntax = "proto2";\npackage p;\n';
const P3 = 'syntax = "proto3";\npackage p;\n';
const E23 = 'edition = "2023";\npackage p;\n';
const E24 = 'edition = "2024";\npackage p;\n';

interface Invalid {
  name: string;
  source: string;
  /** `line:column` of the problem */
  at: string;
  message: RegExp;
  files?: Record<string, string>;
  /** true when the file cannot be used at all (exit 2) */
  fatal?: boolean;
}

const invalid: Invalid[] = [
  { name: 'duplicate field number', source: `${P3}message M {\n  string a = 1;\n  string b = 1;\n}`, at: '5:14', message: /field number 1 of 'b' is already used by field 'a'/ },
  { name: 'duplicate field name', source: `${P3}message M {\n  string a = 1;\n  string a = 2;\n}`, at: '5:10', message: /'a' is already defined in 'p.M'/ },
  { name: 'reserved number used', source: `${P3}message M {\n  reserved 3 to 5;\n  int32 a = 4;\n}`, at: '5:13', message: /uses number 4, which message 'M' reserves/ },
  { name: 'reserved name used', source: `${P3}message M {\n  reserved "a";\n  int32 a = 1;\n}`, at: '5:9', message: /field name 'a' is reserved/ },
  { name: 'field number 0', source: `${P3}message M { int32 a = 0; }`, at: '3:23', message: /between 1 and 536870911/ },
  { name: 'field number above the maximum', source: `${P3}message M { int32 a = 536870912; }`, at: '3:23', message: /between 1 and 536870911/ },
  { name: 'field number reserved for the implementation', source: `${P3}message M { int32 a = 19000; }`, at: '3:23', message: /19000 to 19999 are reserved/ },
  { name: 'proto3 enum starting above zero', source: `${P3}enum E {\n  A = 1;\n}`, at: '4:7', message: /first value of proto3 enum 'E' must be 0/ },
  { name: 'open enum starting above zero (editions)', source: `${E23}enum E {\n  A = 1;\n}`, at: '4:7', message: /first value of open enum 'E' must be 0/ },
  { name: 'default JSON names equal', source: `${P3}message M {\n  int32 foo_bar = 1;\n  int32 fooBar = 2;\n}`, at: '5:9', message: /JSON name "fooBar", which field 'foo_bar' already has/ },
  { name: 'custom JSON name equal to a default one (proto2 too)', source: `${P2}message M {\n  optional int32 c_d = 1;\n  optional int32 e = 2 [json_name = "cD"];\n}`, at: '5:18', message: /JSON name "cD", which field 'c_d' already has/ },
  { name: 'enum values equal once the prefix is removed', source: `${P3}enum Color {\n  COLOR_RED = 0;\n  RED = 1;\n}`, at: '5:3', message: /'RED' of enum 'Color' clashes with 'COLOR_RED'/ },
  { name: 'map key of a message type', source: `${P3}message M {\n  map<M, int32> m = 1;\n}`, at: '4:7', message: /map key type 'M' is not allowed/, fatal: true },
  { name: 'map key of type float', source: `${P3}message M {\n  map<float, int32> m = 1;\n}`, at: '4:7', message: /map key type 'float' is not allowed/, fatal: true },
  { name: 'field inside an extension range', source: `${P2}message M {\n  extensions 100 to 200;\n  optional int32 a = 150;\n}`, at: '5:22', message: /lies in an extension range/ },
  { name: 'extension outside the extendee\'s ranges', source: `${P2}message M { extensions 10 to 20; }\nextend M {\n  optional int32 x = 5;\n}`, at: '5:22', message: /extension 'p.x' uses number 5, which message 'p.M' does not declare/ },
  { name: 'extension of a message without ranges', source: `${P2}message M {}\nextend M {\n  optional int32 x = 11;\n}`, at: '5:22', message: /does not declare as an extension range/ },
  { name: 'extension number used twice', source: `${P2}message M { extensions 10 to 20; }\nextend M { optional int32 x = 11; }\nextend M { optional int32 y = 11; }`, at: '5:31', message: /extension 'p.x' already uses/ },
  { name: 'required extension', source: `${P2}message M { extensions 10 to 20; }\nextend M {\n  required int32 x = 11;\n}`, at: '5:3', message: /extension 'x' cannot be required/ },
  { name: 'overlapping reserved ranges', source: `${P3}message M {\n  reserved 1 to 5;\n  reserved 3;\n}`, at: '5:12', message: /reserved range 3 of message 'M' overlaps the reserved range 1 to 5/ },
  { name: 'overlapping enum reserved ranges', source: `${P3}enum E {\n  Z = 0;\n  reserved 1 to 5, 5;\n}`, at: '5:20', message: /overlaps the reserved range 1 to 5/ },
  { name: 'unrecognized edition', source: 'edition = "UNSTABLE";\npackage p;\n', at: '1:11', message: /unrecognized edition "UNSTABLE"/, fatal: true },
  { name: 'edition 2025 does not exist', source: 'edition = "2025";\n', at: '1:11', message: /unrecognized edition "2025"/, fatal: true },
  { name: 'import option before edition 2024', source: `${E23}import option "google/protobuf/descriptor.proto";\n`, at: '3:8', message: /'import option' is not supported in edition 2023/ },
  { name: 'export in proto3', source: `${P3}export message M {}\n`, at: '3:1', message: /'export' is not supported in "proto3"/ },
  { name: 'missing import', source: `${P3}import "nowhere/x.proto";\n`, at: '3:1', message: /import "nowhere\/x.proto" was not found/, fatal: true },
  { name: 'unresolved type', source: `${P3}message M {\n  Nope n = 1;\n}`, at: '4:3', message: /unknown type 'Nope'/, fatal: true },
  { name: 'import that has errors', source: `${P3}import "bad.proto";\n`, files: { 'bad.proto': `${P3}message B { int32 a = 1; int32 b = 1; }` }, at: '3:1', message: /imported file "bad.proto" has errors: field number 1 of 'b'/, fatal: true },
  {
    name: 'message-set extension inside an option value',
    source: `${P2}import "google/protobuf/descriptor.proto";\nmessage S { option message_set_wire_format = true; extensions 4 to max; }\nmessage E { extend S { optional E e = 100; } optional int32 i = 1; }\nextend google.protobuf.FileOptions { optional S fo = 50000; }\noption (fo) = { [p.E.e] { i: 1 } };\n`,
    at: '7:17',
    message: /extension 'p.E.e' cannot be used in an option value: it extends 'p.S', which uses the legacy message-set wire format/,
  },
];

const valid: Array<{ name: string; source: string; files?: Record<string, string> }> = [
  { name: 'editions default on a field with explicit presence', source: `${E23}message M {\n  int32 a = 1 [default = 3];\n  string s = 2 [default = "x"];\n}` },
  { name: 'edition 2024 import option, export and local', source: `${E24}import option "google/protobuf/descriptor.proto";\nexport message M { local enum E { X = 0; } int32 a = 1; }\nlocal enum F { Y = 0; }\n` },
  { name: 'edition 2026', source: 'edition = "2026";\npackage p;\nmessage M { int32 a = 1; }\n' },
  { name: 'export and local as type and field names before 2024', source: `${P3}message export { int32 a = 1; }\nmessage local { export local = 1; }\n` },
  { name: 'proto2 fields whose default JSON names are equal (legacy JSON)', source: `${P2}message M {\n  optional int32 foo_bar = 1;\n  optional int32 fooBar = 2;\n}` },
  { name: 'editions with legacy JSON format', source: `${E23}option features.json_format = LEGACY_BEST_EFFORT;\nmessage M { int32 foo_bar = 1; int32 fooBar = 2; }\n` },
  { name: 'JSON names differing in case only', source: `${P3}message M { int32 foo = 1; int32 Foo = 2; }` },
  { name: 'enum alias that adds the prefix', source: `${P3}enum Color {\n  option allow_alias = true;\n  COLOR_RED = 0;\n  RED = 0;\n}` },
  { name: 'proto2 enum values equal without the prefix', source: `${P2}enum E { E_A = 0; A = 1; }` },
  { name: 'closed enum starting above zero (editions)', source: `${E23}enum E { option features.enum_type = CLOSED; A = 1; }` },
  { name: 'extension in range, an Any type URL in an option value', source: `${P2}import "google/protobuf/any.proto";\nimport "google/protobuf/descriptor.proto";\nmessage O { optional google.protobuf.Any any = 1; }\nextend google.protobuf.FileOptions { optional O o = 50001; }\noption (o) = { any { [type.googleapis.com/p.O] { } } };\n` },
  { name: 'editions features from the bundled feature files', source: `${E23}import "google/protobuf/cpp_features.proto";\nimport "google/protobuf/java_features.proto";\nimport "google/protobuf/go_features.proto";\nmessage M { string s = 1 [features.(pb.cpp).string_type = VIEW, features.(pb.java).utf8_validation = VERIFY]; }\n` },
  { name: 'a custom feature extending FeatureSet', source: `${E23}import "google/protobuf/descriptor.proto";\nmessage MyFeatures { int32 x = 1; }\nextend google.protobuf.FeatureSet { MyFeatures mine = 9995; }\n` },
  { name: 'the real descriptor, api, type and plugin files', source: `${P3}import "google/protobuf/api.proto";\nimport "google/protobuf/type.proto";\nimport "google/protobuf/descriptor.proto";\nimport "google/protobuf/compiler/plugin.proto";\nmessage M {\n  google.protobuf.Api api = 1;\n  google.protobuf.DescriptorProto d = 2;\n  google.protobuf.compiler.CodeGeneratorRequest r = 3;\n  google.protobuf.Field.Kind k = 4;\n}\n` },
  { name: 'a tree\'s own google/type file wins over the bundled one', source: `${P3}import "google/type/date.proto";\nmessage M { google.type.Date d = 1; google.type.Extra e = 2; }\n`, files: { 'google/type/date.proto': 'syntax = "proto3";\npackage google.type;\nmessage Date { int32 year = 1; }\nmessage Extra {}\n' } },
];

const parse = (source: string, files: Record<string, string> = {}) => parseProto(source, 'a.proto', { loadImport: (p) => files[p] });

describe('protoc parity: refused inputs', () => {
  it.each(invalid)('$name', (c) => {
    const r = parse(c.source, c.files);
    const hits = r.problems.filter((p) => c.message.test(p.message));
    expect(hits.map((p) => `${p.loc.line}:${p.loc.column}`), JSON.stringify(r.problems)).toEqual([c.at]);
    expect(hits[0]?.fatal).toBe(c.fatal === true);
  });
});

describe('protoc parity: accepted inputs', () => {
  it.each(valid)('$name', (c) => {
    const r = parse(c.source, c.files);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('symbol visibility', () => {
  it('keeps the doc comment written above export/local on the declaration', () => {
    const r = parse(`${E24}// An order was placed.\nexport message OrderPlaced { int32 a = 1; }\n// Its state.\nlocal enum State { STATE_UNSPECIFIED = 0; }\n`);
    if (!r.ok) throw new Error('fixture does not parse');
    expect(r.document.types.map((t) => [t.name, t.doc])).toEqual([['OrderPlaced', 'An order was placed.'], ['State', 'Its state.']]);
  });
});

describe('files linted together share one namespace', () => {
  it('reports a name two files declare on the file whose path sorts first, as buf does', () => {
    const table = new ProtoSymbolTable();
    for (const [file, text] of [['b.proto', `${P3}message Four {}\nenum E { X = 0; }\n`], ['a.proto', `${P3}\nmessage Four {}\n`], ['c.proto', `${P3}enum F { X = 0; }\n`]] as const) {
      const r = parseProto(text, file);
      if (!r.ok) throw new Error('fixture does not parse');
      table.add(r.document);
    }
    const found = table.conflicts().map((c) => `${c.file}:${c.problem.loc.line}:${c.problem.loc.column} ${c.problem.message}`);
    expect(found).toEqual([
      "a.proto:4:9 'p.Four' is declared in this file and in b.proto:3:9; files compiled together share one namespace, so rename one or change its package",
      "b.proto:4:10 'p.X' is declared in this file and in c.proto:3:10; files compiled together share one namespace, so rename one or change its package",
    ]);
  });
});

describe('exit codes of the built CLI', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schemactl-protoc-parity-'));
  let bin = '';
  beforeAll(() => {
    bin = buildCli();
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    // a file protoc refuses is an unusable input, whatever the reason: exit 2, as for an .avsc Avro Java refuses
    { name: 'a missing import', text: `${P3}import "acme/missing.proto";\nmessage M {}\n`, code: 2 },
    { name: 'an unresolved type', text: `${P3}message M { Money m = 1; }\n`, code: 2 },
    { name: 'a syntax error', text: `${P3}message M { int32 a = ; }\n`, code: 2 },
    { name: 'a duplicate field number', text: `${P3}message M {\n  // the order id\n  string a = 1;\n  // the order name\n  string b = 1;\n}\n`, code: 2 },
  ])('$name exits $code', ({ text, code }) => {
    const file = path.join(dir, `f${code}-${Math.random().toString(36).slice(2)}.proto`);
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, [bin, 'lint', path.basename(file), '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(code);
  }, 60_000);
});
