import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avdlToJson, locateAvroPointer, parseAvdl } from '../../../src/formats/avro/index.js';
import type { RecordType } from '../../../src/model/types.js';
import { documentOf, rangeOf } from './helpers.js';

/** Sorted keys, so the comparison ignores attribute order. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

// The IDL subset avsc's readProtocol understands (it lacks decimal(p,s), `T?` and multi-variable fields,
// and maps time_ms to long where the spec says int), used as an oracle for the translation.
const oracleIdl = `/** Orders. */
@namespace("com.acme.orders")
protocol OrderEvents {
  /** Money in minor units. */
  @aliases(["OldMoney"])
  fixed Money(16);
  enum Status { PENDING, PAID, SHIPPED } = PENDING;
  @namespace("com.acme.other")
  record Address { string street; union { null, string } zip = null; }
  error Oops { string message; }
  /** An order was placed. */
  record OrderPlaced {
    /** The id. */
    string id;
    string @order("ignore") @aliases(["cust"]) customer_id;
    string \`other\` = "x";
    date day;
    timestamp_ms ts0;
    @logicalType("timestamp-micros") long ts;
    @java-class("java.util.ArrayList") array<string> tags = [];
    map<array<long>> m = {};
    com.acme.other.Address addr;
    Status status = "PAID";
    Money money;
    bytes b = "\\u00ff";
    @logicalType("decimal") @precision(10) @scale(2) bytes amount;
  }
  void ping(int x = 1) oneway;
  string hello(string greeting) throws Oops;
}`;

describe('avdlToJson matches avsc readProtocol', () => {
  it('translates records, enums, fixed, errors, annotations, docs and defaults like avsc', () => {
    const mine = avdlToJson(oracleIdl);
    const theirs = avro.readProtocol(oracleIdl) as { protocol: string; namespace?: string; types: unknown[] };
    expect(mine?.protocol).toBe(theirs.protocol);
    expect(mine?.namespace).toBe(theirs.namespace);
    expect(normalize(mine?.types)).toEqual(normalize(theirs.types));
  });
});

const orders = `// schemactl-disable-next-line prefer-enum, require-updated-at -- legacy naming
@namespace("com.acme.orders")
protocol Orders {
  import idl "common.avdl";
  record Line { string sku; int qty = 1; }
  // schemactl-disable-next-line
  record OrderPlaced {
    /** When it changed. */
    timestamp_ms updated_at;
    time_ms at_time;
    decimal(12, 2) amount;
    uuid id;
    local_timestamp_ms local;
    string? note = null;
    int? count = 3;
    array<Line?> lines = [];
    string a, b = "x";
    @schemactl:disable({"prefer-enum": "ok"}) string status;
  }
}`;

describe('parseAvdl: model', () => {
  const result = parseAvdl(orders, 'orders.avdl');
  const doc = documentOf(result);
  const placed = doc.types.find((t) => t.name === 'OrderPlaced') as RecordType;

  it('builds the protocol, namespace, types and top level', () => {
    expect(doc.syntax).toBe('avdl');
    expect(doc.namespace).toBe('com.acme.orders');
    expect(doc.protocol).toEqual({ name: 'Orders', fullName: 'com.acme.orders.Orders', loc: rangeOf(orders, 'Orders') });
    expect(doc.topLevel).toEqual(['com.acme.orders.Line', 'com.acme.orders.OrderPlaced']);
    expect(doc.topLevelType).toBeUndefined();
    expect(placed.path).toBe('/types/1');
    expect(placed.nameLoc).toEqual(rangeOf(orders, 'OrderPlaced'));
  });

  it('maps IDL type keywords to logical types (time_ms is an int, as in the spec)', () => {
    const byName = Object.fromEntries(placed.fields.map((f) => [f.name, f]));
    expect(byName.updated_at?.type).toMatchObject({ kind: 'primitive', name: 'long', logicalType: 'timestamp-millis', path: '/types/1/fields/0/type' });
    expect(byName.updated_at?.doc).toBe('When it changed.');
    expect(byName.at_time?.type).toMatchObject({ name: 'int', logicalType: 'time-millis' });
    expect(byName.amount?.type).toMatchObject({ name: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 });
    expect(byName.id?.type).toMatchObject({ name: 'string', logicalType: 'uuid' });
    expect(byName.local?.type).toMatchObject({ name: 'long', logicalType: 'local-timestamp-millis' });
    expect(byName.updated_at?.nameLoc).toEqual(rangeOf(orders, 'updated_at'));
    expect(byName.updated_at?.type.loc).toEqual(rangeOf(orders, 'timestamp_ms'));
  });

  it('`T?` puts null first unless the default is not null', () => {
    const byName = Object.fromEntries(placed.fields.map((f) => [f.name, f]));
    expect(byName.note?.type).toMatchObject({ kind: 'union', branches: [{ name: 'null' }, { name: 'string' }], loc: rangeOf(orders, 'string?') });
    expect(byName.count?.type).toMatchObject({ kind: 'union', branches: [{ name: 'int' }, { name: 'null' }] });
    expect(byName.lines?.type).toMatchObject({ kind: 'array', items: { kind: 'union', branches: [{ name: 'null' }, { kind: 'ref', fullName: 'com.acme.orders.Line', resolved: true }] } });
    expect(result.problems.filter((p) => p.code === 'avro-invalid-default')).toEqual([]);
  });

  it('several variables share one declared type; annotations become attributes', () => {
    const byName = Object.fromEntries(placed.fields.map((f) => [f.name, f]));
    expect(byName.a).toMatchObject({ hasDefault: false, type: { name: 'string' } });
    expect(byName.b).toMatchObject({ hasDefault: true, default: 'x', type: { name: 'string' } });
    expect(byName.status?.type).toMatchObject({ kind: 'primitive', name: 'string', attributes: { 'schemactl:disable': { 'prefer-enum': 'ok' } } });
  });

  it('records imports and reports them as unresolved, non-fatally', () => {
    expect(doc.imports).toEqual([{ path: 'common.avdl', loc: rangeOf(orders, 'import idl "common.avdl";'), resolved: false }]);
    expect(result.problems.map((p) => [p.code, p.fatal])).toEqual([['avdl-unresolved-import', false]]);
  });

  it('parses disable directives for the next line', () => {
    expect(doc.disableDirectives).toEqual([
      { line: 2, ruleIds: ['prefer-enum', 'require-updated-at'], reason: 'legacy naming', loc: rangeOf(orders, '// schemactl-disable-next-line prefer-enum, require-updated-at -- legacy naming') },
      { line: 7, ruleIds: [], loc: rangeOf(orders, '// schemactl-disable-next-line', 2) },
    ]);
  });

  it('resolves pointers into the IDL text', () => {
    expect(locateAvroPointer(doc, '/types/1/fields/5/default')).toEqual(rangeOf(orders, 'null', 1));
    expect(locateAvroPointer(doc, '/types/1/fields/6/default')).toEqual(rangeOf(orders, '3'));
    expect(locateAvroPointer(doc, '/types/0/fields/1/name')).toEqual(rangeOf(orders, 'qty'));
    expect(locateAvroPointer(doc, '/types/1/fields/2/type/precision')).toEqual(rangeOf(orders, '12'));
  });
});

describe('parseAvdl: disable directives', () => {
  it.each([
    ['// schemactl-disable-next-line a -- why', ['a'], 'why'],
    ['//schemactl-disable-next-line a,b', ['a', 'b'], undefined],
    ['/* schemactl-disable-next-line prefer-enum -- legacy */', ['prefer-enum'], 'legacy'],
  ])('%s', (comment, ruleIds, reason) => {
    const text = `protocol P {\n  record R {\n    ${comment}\n    string status;\n  }\n}`;
    const doc = documentOf(parseAvdl(text, 'd.avdl'));
    expect(doc.disableDirectives).toEqual([{ line: 4, ruleIds, ...(reason ? { reason } : {}), loc: rangeOf(text, comment) }]);
  });

  it('ignores ordinary comments and doc comments', () => {
    const text = '// a comment\n/** schemactl-disable-next-line x */\nprotocol P { }';
    expect(documentOf(parseAvdl(text, 'd.avdl')).disableDirectives).toEqual([]);
  });
});

describe('parseAvdl: schema syntax', () => {
  it('`namespace` and `schema` declare the root type', () => {
    const text = 'namespace com.acme;\nschema Order;\nrecord Order { string id; Status status; }\nenum Status { A, B } = A;\n';
    const result = parseAvdl(text, 's.avdl');
    expect(result.problems).toEqual([]);
    const doc = documentOf(result);
    expect(doc.namespace).toBe('com.acme');
    expect(doc.topLevelType).toMatchObject({ kind: 'ref', fullName: 'com.acme.Order', resolved: true, path: '/schema' });
    expect(doc.types.map((t) => t.fullName)).toEqual(['com.acme.Order', 'com.acme.Status']);
  });
});

describe('parseAvdl: problems with exact locations', () => {
  const cases: Array<{ name: string; text: string; code: string; at: string; nth?: number }> = [
    { name: 'duplicate field', text: 'protocol P {\n  record R {\n    int id;\n    long id;\n  }\n}', code: 'avro-duplicate-field', at: 'id', nth: 2 },
    { name: 'unknown type', text: 'protocol P { record R { Strng name; } }', code: 'avro-undefined-name', at: 'Strng' },
    { name: 'enum default not a symbol', text: 'protocol P { enum E { A, B } = C; }', code: 'avro-enum-default', at: 'C' },
    { name: 'duplicate symbol', text: 'protocol P { enum E { A, B, A } }', code: 'avro-duplicate-symbol', at: 'A', nth: 2 },
    { name: 'wrong default type', text: 'protocol P { record R { int n = "x"; } }', code: 'avro-invalid-default', at: '"x"' },
    { name: 'union default on a later branch (advice: Java accepts it)', text: 'protocol P { record R { union { null, int } n = 1; } }', code: 'avro-default-spec', at: '1' },
    { name: 'no branch matches the union default', text: 'protocol P { record R { union { null, int } n = "x"; } }', code: 'avro-invalid-default', at: '"x"' },
    { name: 'invalid decimal', text: 'protocol P { record R { decimal(4, 6) d; } }', code: 'avro-invalid-decimal', at: '6' },
    { name: 'redefinition', text: 'protocol P { record R { int a; } enum R { X } }', code: 'avro-duplicate-name', at: 'R', nth: 2 },
    { name: 'invalid order', text: 'protocol P { record R { int @order("up") a; } }', code: 'avro-invalid-order', at: '"up"' },
  ];
  it.each(cases)('$name → $code', ({ text, code, at, nth }) => {
    const result = parseAvdl(text, 'p.avdl');
    expect(result.ok).toBe(true);
    const found = result.problems.filter((p) => p.code === code);
    expect(found, JSON.stringify(result.problems)).toHaveLength(1);
    expect(found[0]?.loc).toEqual(rangeOf(text, at, nth));
  });

  it('forward references are fine in IDL', () => {
    const result = parseAvdl('protocol P { record A { B b; } record B { int x; } }', 'f.avdl');
    expect(result.problems).toEqual([]);
  });
});

describe('parseAvdl: syntax errors are fatal with line:column', () => {
  const cases: Array<{ name: string; text: string; line: number; column: number; message?: RegExp }> = [
    { name: 'missing semicolon', text: 'protocol P {\n  record R {\n    int a\n  }\n}', line: 4, column: 3, message: /Expected ';' after field a/ },
    { name: 'missing closing brace', text: 'protocol P {\n  record R { int a; }\n', line: 3, column: 1, message: /Expected '}' to close protocol P/ },
    { name: 'unterminated comment', text: 'protocol P {\n  /* never closed\n}', line: 2, column: 3, message: /Unterminated comment/ },
    { name: 'bad annotation JSON', text: '@namespace(com.acme)\nprotocol P {}', line: 1, column: 12, message: /Invalid JSON/ },
    { name: 'bad default JSON', text: 'protocol P { record R { int a = 01; } }', line: 1, column: 34 },
    { name: 'missing protocol name', text: 'protocol {\n}', line: 1, column: 10, message: /Expected the protocol name/ },
    { name: 'garbage token', text: 'protocol P { record R { int a; } # }', line: 1, column: 34 },
    { name: 'trailing text after the protocol', text: 'protocol P { }\nrecord X {}', line: 2, column: 1 },
    { name: 'unknown import kind', text: 'protocol P { import foo "x"; }', line: 1, column: 21 },
    { name: 'optional inside a union', text: 'protocol P { record R { union { null, int? } a; } }', line: 1, column: 42 },
  ];
  it.each(cases)('$name', ({ text, line, column, message }) => {
    const result = parseAvdl(text, 'e.avdl');
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'avdl-syntax', fatal: true, loc: { line, column } });
    if (message) expect(result.problems[0]?.message).toMatch(message);
  });

  it('an empty file is a fatal empty-file problem', () => {
    expect(parseAvdl('  \n', 'e.avdl').problems).toMatchObject([{ code: 'empty-file', fatal: true }]);
  });
});

describe('parseAvdl: hostile input never throws', () => {
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const corpus: Array<[string, string]> = [
    ['binary garbage', Array.from({ length: 2000 }, () => String.fromCharCode(Math.floor(random() * 256))).join('')],
    ['10,000-deep arrays', `protocol P { record R { ${'array<'.repeat(10000)}int${'>'.repeat(10000)} a; } }`],
    ['10,000-deep JSON default', `protocol P { record R { int a = ${'['.repeat(10000)}; } }`],
    ['unterminated string', 'protocol P { import idl "x'],
    ['unterminated quoted identifier', 'protocol P { record `R'],
    ['lone at sign', 'protocol P { @ record R {} }'],
    ['only a doc comment', '/** doc */'],
    ['only comments', '// a\n/* b */'],
    ['truncated everywhere', 'protocol P { record R { union { null,'],
    ['message with junk', 'protocol P { string f(int a = ) ; }'],
  ];
  it.each(corpus)('%s', (_name, text) => {
    let result: ReturnType<typeof parseAvdl> | undefined;
    expect(() => {
      result = parseAvdl(text, 'h.avdl');
    }).not.toThrow();
    if (result && !result.ok) expect(result.problems.every((p) => p.fatal && p.loc.line >= 1 && p.loc.column >= 1)).toBe(true);
  });
});
