import { describe, expect, it } from 'vitest';
import { parseProto } from '../../../src/formats/protobuf/index.js';
import { rangeOf } from './helpers.js';

interface Case {
  name: string;
  source: string;
  code: string;
  /** «marked» snippet of the source where the problem must point */
  at: string;
  nth?: number;
  fatal?: boolean;
  /** whether a document is still built (default: when the problem is not fatal) */
  ok?: boolean;
  message?: string | RegExp;
  files?: Record<string, string>;
}

const P3 = 'syntax = "proto3";\n';
const P2 = 'syntax = "proto2";\n';
const ED = 'edition = "2023";\n';

const cases: Case[] = [
  // syntax errors: fatal, with the token found and what was expected
  { name: 'missing = after a field name', source: `${P3}message OrderPlaced {\n  string status 3;\n}`, code: 'proto-syntax', at: 'status «3»', fatal: true, message: "expected '=' after field name 'status', found '3'" },
  { name: 'missing ; after a field', source: `${P3}message A {\n  int32 a = 1\n  int32 b = 2;\n}`, code: 'proto-syntax', at: '«int32» b', fatal: true, message: "expected ';' after field 'a' declaration, found 'int32'" },
  { name: 'unclosed message', source: `${P3}message A {\n  int32 a = 1;\n`, code: 'proto-syntax', at: '1;\n«»', fatal: true, message: "expected '}' to close message 'A', found end of file" },
  { name: 'missing field number', source: `${P3}message A { int32 a = ; }`, code: 'proto-syntax', at: 'a = «;»', fatal: true, message: "expected a field number after 'a =', found ';'" },
  { name: 'garbage at top level', source: `${P3}messgae A {}`, code: 'proto-syntax', at: '«messgae»', fatal: true, message: "expected a top-level declaration (message, enum, service, extend, import, package or option), found 'messgae'" },
  { name: 'unexpected character', source: `${P3}message A { int32 a = 1; } @`, code: 'proto-syntax', at: '«@»', fatal: true, message: "unexpected character '@'" },
  { name: 'unterminated string', source: `${P3}option java_package = "com.acme;\n`, code: 'proto-syntax', at: '«"com.acme;»', fatal: true, message: /unterminated string/ },
  { name: 'unterminated block comment', source: `${P3}/* never closed\nmessage A {}`, code: 'proto-syntax', at: '«/*» never closed', fatal: true },
  { name: 'bad number', source: `${P3}message A { int32 a = 12abc; }`, code: 'proto-syntax', at: '«12abc»', fatal: true, message: "invalid number '12abc'" },
  { name: 'syntax not first', source: `package p;\nsyntax = "proto3";`, code: 'proto-syntax', at: '«syntax»', fatal: true },
  { name: 'unknown edition', source: 'edition = "2099";\nmessage A {}', code: 'proto-unknown-edition', at: '«"2099"»', fatal: true, message: 'unrecognized edition "2099": use "2023", "2024" or "2026"' },
  { name: 'map key that is a message', source: `${P3}message A { map<A, string> m = 1; }`, code: 'proto-invalid-map-key', at: 'map<«A»', fatal: true },
  { name: 'unknown syntax', source: 'syntax = "proto4";', code: 'proto-unknown-syntax', at: '«"proto4"»', fatal: true },
  { name: 'binary garbage', source: 'syntax = "proto3";\nmessage A {}\n\u0000\u0001\u0002PK\u0003', code: 'proto-binary', at: 'A {}\n«\u0000»', fatal: true },
  { name: 'bytes that are not UTF-8', source: `${P3}message Caf\uFFFD {}`, code: 'proto-invalid-utf8', at: 'Caf«\uFFFD»', fatal: true },
  { name: 'bytes that are not UTF-8 in a string', source: `${P3}option x = "a\uFFFDb";`, code: 'proto-invalid-utf8', at: '"a«\uFFFD»', fatal: true },
  { name: 'nesting deeper than the limit', source: `${P3}${'message M {'.repeat(70)}${'}'.repeat(70)}`, code: 'proto-nesting-too-deep', at: '«{»', nth: 64, fatal: true },
  { name: 'aggregate nesting deeper than the limit', source: `${P3}option (x) = ${'{ a '.repeat(70)}${'}'.repeat(70)};`, code: 'proto-nesting-too-deep', at: '«{»', nth: 64, fatal: true },

  // non-fatal problems: a document is still built
  { name: 'missing import', source: `${P3}import "acme/missing.proto";\nmessage A {}`, code: 'proto-missing-import', at: '«import "acme/missing.proto";»', fatal: true, ok: true },
  { name: 'unparseable import', source: `${P3}import "bad.proto";\nmessage A {}`, code: 'proto-import-error', at: '«import "bad.proto";»', files: { 'bad.proto': 'message {' }, message: /imported file "bad.proto" has errors: expected a message name .* \(bad.proto:1:9\)/, fatal: true, ok: true },
  { name: 'import loader failure', source: `${P3}import "locked.proto";\nmessage A {}`, code: 'proto-import-error', at: '«import "locked.proto";»', files: { 'locked.proto': '\u0000throw' }, message: 'import "locked.proto" could not be read: EACCES: permission denied', fatal: true, ok: true },
  { name: 'import cycle', source: `${P3}import "b.proto";\nmessage A {}`, code: 'proto-import-cycle', at: '«import "b.proto";»', files: { 'b.proto': `${P3}import "a.proto";` }, message: 'imports form a cycle (a.proto → b.proto → a.proto); files cannot import each other, so move the shared types into a third file' },
  { name: 'import of the file itself', source: `${P3}import "a.proto";`, code: 'proto-import-cycle', at: '«import "a.proto";»', message: /\(a.proto → a.proto\)/ },
  { name: 'duplicate import', source: `${P3}import "google/protobuf/timestamp.proto";\nimport "google/protobuf/timestamp.proto";`, code: 'proto-duplicate-import', at: '«import "google/protobuf/timestamp.proto";»', nth: 1 },
  { name: 'duplicate package', source: `${P3}package a;\npackage b;`, code: 'proto-duplicate-package', at: '«package b;»' },
  { name: 'unresolved type', source: `${P3}message A {\n  Money price = 1;\n}`, code: 'proto-unresolved-type', at: '«Money» price', message: "unknown type 'Money' in field 'price' of message 'A'; declare it or import the file that defines it", fatal: true, ok: true },
  { name: 'unresolved map value type', source: `${P3}message A { map<string, Nope> m = 1; }`, code: 'proto-unresolved-type', at: '«Nope»', fatal: true, ok: true },
  { name: 'unresolved rpc type', source: `${P3}message A {}\nservice S { rpc Get (A) returns (Nope); }`, code: 'proto-unresolved-type', at: '(«Nope»)', fatal: true, ok: true },
  { name: 'unresolved extendee', source: `${P2}extend google.protobuf.FieldOptions { optional bool pii = 50001; }`, code: 'proto-unresolved-type', at: '«google.protobuf.FieldOptions»', fatal: true, ok: true },
  { name: 'duplicate field number', source: `${P3}message A {\n  int32 a = 1;\n  int32 b = 1;\n}`, code: 'proto-duplicate-field-number', at: 'b = «1»', message: "field number 1 of 'b' is already used by field 'a' (line 3) in message 'A'; give each field its own number" },
  { name: 'duplicate field number across a oneof', source: `${P3}message A { int32 a = 1; oneof o { int32 b = 1; } }`, code: 'proto-duplicate-field-number', at: 'b = «1»' },
  { name: 'duplicate field name', source: `${P3}message A { int32 a = 1; string a = 2; }`, code: 'proto-duplicate-name', at: 'string «a»' },
  { name: 'duplicate message name', source: `${P3}message A {}\nmessage A {}`, code: 'proto-duplicate-name', at: 'message «A»', nth: 1 },
  { name: 'field clashing with a nested type', source: `${P3}message A { message B {} int32 B = 1; }`, code: 'proto-duplicate-name', at: 'int32 «B»' },
  { name: 'duplicate enum value name', source: `${P3}enum E { E_UNSPECIFIED = 0; E_A = 1; E_A = 2; }`, code: 'proto-duplicate-name', at: '«E_A» = 2' },
  { name: 'enum value names clash across sibling enums', source: `${P3}enum E { UNKNOWN = 0; }\nenum F { UNKNOWN = 0; }`, code: 'proto-duplicate-name', at: '«UNKNOWN»', nth: 1 },
  { name: 'duplicate enum number', source: `${P3}enum E { E_UNSPECIFIED = 0; E_A = 1; E_B = 1; }`, code: 'proto-duplicate-enum-number', at: 'E_B = «1»' },
  { name: 'field number 0', source: `${P3}message A { int32 a = 0; }`, code: 'proto-invalid-field-number', at: 'a = «0»', message: "field 'a' has number 0; field numbers must be between 1 and 536870911" },
  { name: 'negative field number', source: `${P3}message A { int32 a = -3; }`, code: 'proto-invalid-field-number', at: 'a = «-3»' },
  { name: 'field number too large', source: `${P3}message A { int32 a = 536870912; }`, code: 'proto-invalid-field-number', at: '«536870912»' },
  { name: 'implementation-reserved field number', source: `${P3}message A { int32 a = 19500; }`, code: 'proto-implementation-reserved-number', at: '«19500»' },
  { name: 'reserved number used', source: `${P3}message A {\n  reserved 2, 5 to 9;\n  int32 a = 7;\n}`, code: 'proto-reserved-number-used', at: 'a = «7»' },
  { name: 'reserved max used', source: `${P3}message A { reserved 100 to max; int32 a = 4000; }`, code: 'proto-reserved-number-used', at: '«4000»' },
  { name: 'reserved name used', source: `${P3}message A {\n  int32 total = 1;\n  reserved "total";\n}`, code: 'proto-reserved-name-used', at: 'int32 «total»' },
  { name: 'reserved enum number used', source: `${P3}enum E { E_UNSPECIFIED = 0; reserved 3; E_X = 3; }`, code: 'proto-reserved-number-used', at: 'E_X = «3»' },
  { name: 'reserved enum name used', source: `${P3}enum E { E_UNSPECIFIED = 0; reserved "E_X"; E_X = 3; }`, code: 'proto-reserved-name-used', at: '«E_X» = 3' },
  { name: 'proto3 enum not starting at zero', source: `${P3}enum OrderStatus {\n  PLACED = 1;\n  PAID = 0;\n}`, code: 'proto3-enum-zero', at: 'PLACED = «1»', message: "the first value of proto3 enum 'OrderStatus' must be 0 (it is the default); add 'ORDER_STATUS_UNSPECIFIED = 0;' first" },
  { name: 'empty enum', source: `${P3}enum E {}`, code: 'proto-empty-enum', at: 'enum «E»' },
  { name: 'enum value out of 32-bit range', source: `${P2}enum E { A = 2147483648; }`, code: 'proto-invalid-enum-number', at: '«2147483648»' },
  { name: 'proto3 required', source: `${P3}message A { required string id = 1; }`, code: 'proto3-required', at: '«required»' },
  { name: 'default in proto3', source: `${P3}message A { int32 a = 1 [default = 5]; }`, code: 'proto3-default', at: '[«default»' },
  { name: 'default on a repeated field', source: `${P2}message A { repeated int32 a = 1 [default = 5]; }`, code: 'proto-repeated-default', at: 'int32 «a»' },
  { name: 'map in a oneof', source: `${P3}message A { oneof o { map<string, int32> m = 1; } }`, code: 'proto-map-in-oneof', at: '«map<string, int32> m»' },
  { name: 'repeated map', source: `${P3}message A { repeated map<string, int32> m = 1; }`, code: 'proto-repeated-map', at: '«repeated»' },
  { name: 'optional map', source: `${P2}message A { optional map<string, int32> m = 1; }`, code: 'proto-map-label', at: '«optional»' },
  { name: 'float map key', source: `${P3}message A { map<double, int32> m = 1; }`, code: 'proto-invalid-map-key', at: 'map<«double»', fatal: true },
  { name: 'proto2 field without label', source: `${P2}message A { int32 a = 1; }`, code: 'proto-missing-label', at: '«int32 a»' },
  { name: 'label inside a oneof', source: `${P3}message A { oneof o { optional int32 a = 1; } }`, code: 'proto-oneof-label', at: '«optional»' },
  { name: 'empty oneof', source: `${P3}message A { oneof o {} }`, code: 'proto-empty-oneof', at: 'oneof «o»' },
  { name: 'optional label in editions', source: `${ED}message A { optional int32 a = 1; }`, code: 'proto-editions-label', at: '«optional»' },
  { name: 'group outside proto2', source: `${P3}message A { repeated group G = 1 { int32 x = 2; } }`, code: 'proto-group-not-proto2', at: '«group»' },
  { name: 'lower-case group name', source: `${P2}message A { optional group g = 1 { optional int32 x = 2; } }`, code: 'proto-group-name', at: 'group «g»' },
  { name: 'field inside an extension range', source: `${P2}message A { extensions 100 to 199; optional int32 a = 150; }`, code: 'proto-field-in-extension-range', at: '«150»' },
  { name: 'extension range in proto3', source: `${P3}message A { extensions 100 to 199; }`, code: 'proto3-extensions', at: '«extensions 100 to 199;»' },
  { name: 'inverted reserved range', source: `${P3}message A { reserved 9 to 2; }`, code: 'proto-invalid-range', at: '«9 to 2»' },
  { name: 'import option before edition 2024', source: `${ED}import option "google/protobuf/descriptor.proto";`, code: 'proto-import-option-edition', at: 'import «option»' },
  { name: 'export before edition 2024', source: `${P3}export message A {}`, code: 'proto-visibility-edition', at: '«export»' },
  { name: 'reserved range inside an extension range', source: `${P2}message A { extensions 10 to 20; reserved 15; }`, code: 'proto-overlapping-ranges', at: 'reserved «15»' },
  { name: 'fields with one JSON name', source: `${P3}message A { int32 foo_bar = 1; int32 fooBar = 2; }`, code: 'proto-json-name-conflict', at: 'int32 «fooBar»' },
  { name: 'enum values equal without the prefix', source: `${P3}enum FooBar { FOO_BAR_A = 0; A = 1; }`, code: 'proto-enum-value-conflict', at: '«A = 1;»' },
  { name: 'open enum not starting at zero in editions', source: `${ED}enum E { A = 1; }`, code: 'proto-open-enum-zero', at: 'A = «1»' },
  { name: 'required extension', source: `${P2}message A { extensions 10 to 20; }\nextend A { required int32 x = 11; }`, code: 'proto-required-extension', at: '«required int32 x = 11;»' },
  { name: 'extension outside the extendee ranges', source: `${P2}message A { extensions 10 to 20; }\nextend A { optional int32 x = 5; }`, code: 'proto-extension-out-of-range', at: 'x = «5»' },
  { name: 'extension number used twice', source: `${P2}message A { extensions 10 to 20; }\nextend A { optional int32 x = 11; }\nextend A { optional int32 y = 11; }`, code: 'proto-duplicate-extension-number', at: 'y = «11»' },
  {
    name: 'message-set extension in an option value',
    source: `${P2}import "google/protobuf/descriptor.proto";\nmessage S { option message_set_wire_format = true; extensions 4 to max; }\nmessage E { extend S { optional E e = 100; } optional int32 i = 1; }\nextend google.protobuf.FileOptions { optional S fo = 50000; }\noption (fo) = { [E.e] { i: 1 } };`,
    code: 'proto-message-set-option',
    at: '«[E.e]»',
  },
];

describe('problems', () => {
  it.each(cases)('$name → $code', (c) => {
    const loadImport = (p: string): string | undefined => {
      const t = c.files?.[p];
      if (t === '\u0000throw') throw new Error('EACCES: permission denied');
      return t;
    };
    const r = parseProto(c.source, 'a.proto', { loadImport });
    const found = r.problems.filter((p) => p.code === c.code);
    expect(found, JSON.stringify(r.problems)).toHaveLength(1);
    const p = found[0];
    expect(p?.loc).toEqual(rangeOf(c.source, c.at, c.nth ?? 0));
    expect(p?.fatal).toBe(c.fatal === true);
    expect(r.ok).toBe(c.ok ?? c.fatal !== true);
    if (c.message instanceof RegExp) expect(p?.message).toMatch(c.message);
    else if (c.message !== undefined) expect(p?.message).toBe(c.message);
    // the problem is the only one: each case exercises exactly one kind
    expect(r.problems.map((x) => x.code)).toEqual([c.code]);
  });

  it('covers every problem code the parser can emit', async () => {
    const { readFile } = await import('node:fs/promises');
    const src = ['parser.ts', 'index.ts', 'lexer.ts'].map((f) => readFile(new URL(`../../../src/formats/protobuf/${f}`, import.meta.url), 'utf8'));
    const text = (await Promise.all(src)).join('\n');
    const codes = new Set([...text.matchAll(/'(proto[0-9]?-[a-z0-9-]+)'/g)].map((m) => m[1]));
    codes.delete('proto-internal-error');
    const tested = new Set(cases.map((c) => c.code));
    expect([...codes].filter((c) => !tested.has(c as string))).toEqual([]);
  });
});
