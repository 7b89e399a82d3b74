import { describe, expect, it } from 'vitest';
import { parseAvsc, locateAvroPointer } from '../../../src/formats/avro/index.js';
import type { EnumType, FixedType, RecordType, SchemaDocument } from '../../../src/model/types.js';
import { codes, documentOf, rangeAt, rangeOf } from './helpers.js';

function record(doc: SchemaDocument, fullName: string): RecordType {
  const t = doc.types.find((x) => x.fullName === fullName);
  if (t?.kind !== 'record') throw new Error(`no record ${fullName}`);
  return t;
}

describe('parseAvsc: valid schemas', () => {
  const order = `{
  "type": "record",
  "name": "Order",
  "namespace": "com.acme",
  "doc": "An order.",
  "aliases": ["OldOrder", "legacy.Order"],
  "fields": [
    {"name": "id", "type": "string", "aliases": ["order_id"], "doc": "the id", "order": "descending"},
    {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [{"name": "id", "type": "string"}]}},
    {"name": "address", "type": {"type": "record", "name": "Address", "namespace": "com.acme.geo", "fields": [
      {"name": "country", "type": {"type": "enum", "name": "Country", "symbols": ["DE", "FR"], "default": "DE"}}
    ]}},
    {"name": "billing", "type": "com.acme.geo.Address"},
    {"name": "money", "type": {"type": "fixed", "name": "org.money.Money", "size": 16, "logicalType": "decimal", "precision": 20, "scale": 4}},
    {"name": "c2", "type": "Customer"},
    {"name": "next", "type": ["null", "Order"], "default": null},
    {"name": "x", "type": {"type": "string", "avro.java.string": "String"}, "schemactl:disable": {"prefer-enum": "legacy"}}
  ]
}`;

  it('builds named types with full names, namespaces inherited and overridden, aliases and attributes', () => {
    const result = parseAvsc(order, 'order.avsc');
    const doc = documentOf(result);
    expect(result.problems).toEqual([]);
    expect(doc.types.map((t) => t.fullName)).toEqual([
      'com.acme.Order',
      'com.acme.Customer',
      'com.acme.geo.Address',
      'com.acme.geo.Country',
      'org.money.Money',
    ]);
    expect(doc.namespace).toBe('com.acme');
    expect(doc.topLevel).toEqual(['com.acme.Order']);
    expect(doc.topLevelType).toMatchObject({ kind: 'inline', fullName: 'com.acme.Order', path: '' });
    const o = record(doc, 'com.acme.Order');
    expect(o.aliases).toEqual(['com.acme.OldOrder', 'legacy.Order']);
    expect(o.doc).toBe('An order.');
    expect(o.nameLoc).toEqual(rangeOf(order, '"Order"'));
    expect(o.fields.map((f) => f.name)).toEqual(['id', 'customer', 'address', 'billing', 'money', 'c2', 'next', 'x']);
    const [id, customer, , billing, money, c2, next, x] = o.fields;
    expect(id).toMatchObject({ aliases: ['order_id'], doc: 'the id', attributes: { order: 'descending' }, path: '/fields/0', hasDefault: false });
    expect(id?.nameLoc).toEqual(rangeOf(order, '"id"'));
    expect(id?.type).toMatchObject({ kind: 'primitive', name: 'string', path: '/fields/0/type', loc: rangeOf(order, '"string"') });
    expect(customer?.type).toMatchObject({ kind: 'inline', fullName: 'com.acme.Customer', path: '/fields/1/type' });
    expect(billing?.type).toMatchObject({ kind: 'ref', fullName: 'com.acme.geo.Address', resolved: true });
    expect(c2?.type).toMatchObject({ kind: 'ref', fullName: 'com.acme.Customer', written: 'Customer', resolved: true });
    expect(next?.type).toMatchObject({ kind: 'union', branches: [{ kind: 'primitive', name: 'null' }, { kind: 'ref', fullName: 'com.acme.Order', resolved: true }] });
    expect(next).toMatchObject({ hasDefault: true, default: null });
    expect(money?.type).toMatchObject({ kind: 'inline', fullName: 'org.money.Money' });
    expect(x?.attributes).toEqual({ 'schemactl:disable': { 'prefer-enum': 'legacy' } });
    expect(x?.type).toMatchObject({ kind: 'primitive', name: 'string', attributes: { 'avro.java.string': 'String' } });
    const country = doc.types.find((t) => t.fullName === 'com.acme.geo.Country') as EnumType;
    expect(country).toMatchObject({ namespace: 'com.acme.geo', default: 'DE', path: '/fields/2/type/fields/0/type' });
    expect(country.symbols.map((s) => [s.name, s.path])).toEqual([
      ['DE', '/fields/2/type/fields/0/type/symbols/0'],
      ['FR', '/fields/2/type/fields/0/type/symbols/1'],
    ]);
    const m = doc.types.find((t) => t.fullName === 'org.money.Money') as FixedType;
    expect(m).toMatchObject({ name: 'Money', namespace: 'org.money', size: 16, logicalType: 'decimal', precision: 20, scale: 4 });
    expect(m.attributes).toBeUndefined();
  });

  it('resolves pointers to ranges for rendering', () => {
    const doc = documentOf(parseAvsc(order, 'order.avsc'));
    expect(locateAvroPointer(doc, '/fields/2/type/fields/0/type/symbols/1')).toEqual(rangeOf(order, '"FR"'));
    expect(locateAvroPointer(doc, '/fields/0/name')).toEqual(rangeOf(order, '"id"'));
    expect(locateAvroPointer(doc, '/fields/0/name', { key: true })).toEqual(rangeOf(order, '"name"', 2));
    // a pointer below a leaf falls back to the nearest ancestor
    expect(locateAvroPointer(doc, '/fields/0/type/nothing')).toEqual(rangeOf(order, '"string"'));
  });

  it('falls back to the null namespace for a short name (as Java does)', () => {
    const text = '{"type":"record","name":"Outer","namespace":"a","fields":[{"name":"f","type":{"type":"record","name":"Foo","namespace":"","fields":[]}},{"name":"g","type":"Foo"}]}';
    const result = parseAvsc(text, 'x.avsc');
    expect(result.problems).toEqual([]);
    const outer = record(documentOf(result), 'a.Outer');
    expect(outer.fields[1]?.type).toMatchObject({ kind: 'ref', fullName: 'Foo', resolved: true });
  });

  it('a dotted name ignores the namespace attribute; nested types inherit the dotted namespace', () => {
    const text = '{"type":"record","name":"x.y.R","namespace":"ignored","fields":[{"name":"e","type":{"type":"enum","name":"E","symbols":["A"]}}]}';
    const doc = documentOf(parseAvsc(text, 'x.avsc'));
    expect(doc.types.map((t) => [t.fullName, t.namespace, t.name])).toEqual([
      ['x.y.R', 'x.y', 'R'],
      ['x.y.E', 'x.y', 'E'],
    ]);
  });

  it('top-level union: topLevel lists the named branches and topLevelUnion is set', () => {
    const text = '["null", {"type":"record","name":"A","fields":[]}, {"type":"record","name":"B","fields":[{"name":"a","type":"A"}]}]';
    const doc = documentOf(parseAvsc(text, 'u.avsc'));
    expect(doc.topLevel).toEqual(['A', 'B']);
    expect(doc.topLevelUnion?.branches).toHaveLength(3);
    expect(doc.topLevelType).toBe(doc.topLevelUnion);
  });

  it.each([
    ['"string"', 'primitive'],
    ['{"type":"long","logicalType":"timestamp-millis"}', 'primitive'],
    ['{"type":"array","items":"long"}', 'array'],
    ['{"type":"map","values":{"type":"array","items":"int"}}', 'map'],
  ])('top level %s is a %s root', (text, kind) => {
    const result = parseAvsc(text, 't.avsc');
    expect(result.problems).toEqual([]);
    const doc = documentOf(result);
    expect(doc.topLevelType?.kind).toBe(kind);
    expect(doc.topLevel).toEqual([]);
    expect(doc.types).toEqual([]);
  });

  it('supports mutual recursion through forward-free references', () => {
    const text = '{"type":"record","name":"Node","fields":[{"name":"children","type":{"type":"array","items":"Node"}},{"name":"meta","type":{"type":"map","values":["null","Node"]}}]}';
    const result = parseAvsc(text, 'n.avsc');
    expect(result.problems).toEqual([]);
    const node = record(documentOf(result), 'Node');
    expect(node.fields[0]?.type).toMatchObject({ kind: 'array', items: { kind: 'ref', fullName: 'Node', resolved: true } });
  });

  it('strips a UTF-8 BOM and counts columns after it', () => {
    const text = '\uFEFF{"type":"record","name":"A","fields":[]}';
    const doc = documentOf(parseAvsc(text, 'b.avsc'));
    expect(doc.types[0]?.nameLoc).toEqual({ line: 1, column: 25, endLine: 1, endColumn: 28 });
  });
});

describe('parseAvsc: logical types', () => {
  const valid: Array<[string, string, Record<string, unknown>?]> = [
    ['{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}', 'decimal', { precision: 10, scale: 2 }],
    ['{"type":"bytes","logicalType":"decimal","precision":10}', 'decimal', { precision: 10 }],
    ['{"type":"string","logicalType":"uuid"}', 'uuid'],
    ['{"type":"int","logicalType":"date"}', 'date'],
    ['{"type":"int","logicalType":"time-millis"}', 'time-millis'],
    ['{"type":"long","logicalType":"time-micros"}', 'time-micros'],
    ['{"type":"long","logicalType":"timestamp-millis"}', 'timestamp-millis'],
    ['{"type":"long","logicalType":"timestamp-micros"}', 'timestamp-micros'],
    ['{"type":"long","logicalType":"timestamp-nanos"}', 'timestamp-nanos'],
    ['{"type":"long","logicalType":"local-timestamp-millis"}', 'local-timestamp-millis'],
    ['{"type":"long","logicalType":"local-timestamp-micros"}', 'local-timestamp-micros'],
  ];
  it.each(valid)('%s is %s', (text, logicalType, extra) => {
    const result = parseAvsc(text, 'l.avsc');
    expect(result.problems).toEqual([]);
    const root = documentOf(result).topLevelType;
    expect(root).toMatchObject({ kind: 'primitive', logicalType, ...(extra ?? {}) });
    expect(root?.kind === 'primitive' && root.attributes).toBeFalsy();
  });

  it('duration on fixed(12) and decimal on fixed are kept on the fixed type', () => {
    const doc = documentOf(parseAvsc('["null",{"type":"fixed","name":"D","size":12,"logicalType":"duration"},{"type":"fixed","name":"M","size":8,"logicalType":"decimal","precision":18}]', 'f.avsc'));
    expect(doc.types).toMatchObject([{ fullName: 'D', logicalType: 'duration' }, { fullName: 'M', logicalType: 'decimal', precision: 18 }]);
  });

  it('an unknown logical type is ignored without a problem but kept in attributes', () => {
    const result = parseAvsc('{"type":"long","logicalType":"event-time"}', 'l.avsc');
    expect(result.problems).toEqual([]);
    const root = documentOf(result).topLevelType;
    expect(root).toMatchObject({ kind: 'primitive', name: 'long', attributes: { logicalType: 'event-time' } });
    expect(root?.kind === 'primitive' && root.logicalType).toBeUndefined();
  });

  const invalid: Array<[string, string, string]> = [
    ['{"type":"string","logicalType":"timestamp-millis"}', 'avro-invalid-logical-type', '"timestamp-millis"'],
    ['{"type":"long","logicalType":"date"}', 'avro-invalid-logical-type', '"date"'],
    ['{"type":"int","logicalType":"decimal","precision":4}', 'avro-invalid-logical-type', '"decimal"'],
    ['{"type":"fixed","name":"D","size":16,"logicalType":"duration"}', 'avro-invalid-logical-type', '"duration"'],
    ['{"type":"bytes","logicalType":"decimal","precision":0}', 'avro-invalid-decimal', '0'],
    ['{"type":"bytes","logicalType":"decimal","precision":"ten"}', 'avro-invalid-decimal', '"ten"'],
    ['{"type":"bytes","logicalType":"decimal","precision":10,"scale":12}', 'avro-invalid-decimal', '12'],
    ['{"type":"bytes","logicalType":"decimal","precision":10,"scale":-1}', 'avro-invalid-decimal', '-1'],
    ['{"type":"bytes","logicalType":"decimal"}', 'avro-invalid-decimal', '{"type":"bytes","logicalType":"decimal"}'],
    // a fixed of 2 bytes holds at most 4 decimal digits
    ['{"type":"fixed","name":"F","size":2,"logicalType":"decimal","precision":5}', 'avro-invalid-decimal', '5'],
  ];
  it.each(invalid)('%s → %s at %s; the logical type stays visible in attributes', (text, code, at) => {
    const result = parseAvsc(text, 'l.avsc');
    expect(result.problems.map((p) => [p.code, p.loc, p.fatal])).toEqual([[code, rangeOf(text, at), false]]);
    const doc = documentOf(result);
    const node = doc.types[0] ?? doc.topLevelType;
    expect(node && 'logicalType' in node ? node.logicalType : undefined).toBeUndefined();
    expect(node && 'attributes' in node ? node.attributes?.logicalType : undefined).toBeDefined();
  });
});

interface ProblemCase {
  name: string;
  text: string;
  code: string;
  /** the text the problem must point at, and which occurrence */
  at: string;
  nth?: number;
}

const problemCases: ProblemCase[] = [
  { name: 'invalid record name', text: '{"type":"record","name":"1Bad","fields":[]}', code: 'avro-invalid-name', at: '"1Bad"' },
  { name: 'invalid field name', text: '{"type":"record","name":"R","fields":[{"name":"my-field","type":"int"}]}', code: 'avro-invalid-name', at: '"my-field"' },
  { name: 'invalid enum symbol', text: '{"type":"enum","name":"E","symbols":["A","b c"]}', code: 'avro-invalid-name', at: '"b c"' },
  { name: 'record named after a primitive', text: '{"type":"record","name":"int","fields":[]}', code: 'avro-invalid-name', at: '"int"' },
  { name: 'invalid namespace', text: '{"type":"record","name":"R","namespace":"com.1acme","fields":[]}', code: 'avro-invalid-namespace', at: '"com.1acme"' },
  { name: 'missing name', text: '{"type":"enum","symbols":["A"]}', code: 'avro-invalid-name', at: '{"type":"enum","symbols":["A"]}' },
  {
    name: 'duplicate field name',
    text: '{"type":"record","name":"R","fields":[\n  {"name":"id","type":"int"},\n  {"name":"id","type":"long"}\n]}',
    code: 'avro-duplicate-field',
    at: '"id"',
    nth: 2,
  },
  { name: 'duplicate enum symbol', text: '{"type":"enum","name":"E","symbols":["A","B","A"]}', code: 'avro-duplicate-symbol', at: '"A"', nth: 2 },
  { name: 'enum default not a symbol', text: '{"type":"enum","name":"E","symbols":["A","B"],"default":"C"}', code: 'avro-enum-default', at: '"C"' },
  { name: 'unknown type name', text: '{"type":"record","name":"R","fields":[{"name":"a","type":"strng"}]}', code: 'avro-undefined-name', at: '"strng"' },
  { name: 'unknown type keyword in a type object', text: '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"strng"}}]}', code: 'avro-undefined-name', at: '"strng"' },
  {
    name: 'redefinition of a name',
    text: '{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"enum","name":"R","symbols":["X"]}}]}',
    code: 'avro-duplicate-name',
    at: '"R"',
    nth: 2,
  },
  {
    name: 'reference before definition',
    text: '{"type":"record","name":"R","fields":[{"name":"a","type":"B"},{"name":"b","type":{"type":"fixed","name":"B","size":4}}]}',
    code: 'avro-forward-reference',
    at: '"B"',
  },
  { name: 'fixed without size', text: '{"type":"fixed","name":"F"}', code: 'avro-fixed-size', at: '{"type":"fixed","name":"F"}' },
  { name: 'fixed with a negative size', text: '{"type":"fixed","name":"F","size":-4}', code: 'avro-fixed-size', at: '-4' },
  { name: 'union inside a union', text: '["null",["int","long"]]', code: 'avro-union-nested', at: '["int","long"]' },
  { name: 'union with a repeated type', text: '["string","int","string"]', code: 'avro-union-duplicate', at: '"string"', nth: 2 },
  {
    name: 'union with a repeated logical base type',
    text: '["int",{"type":"int","logicalType":"date"}]',
    code: 'avro-union-duplicate',
    at: '{"type":"int","logicalType":"date"}',
  },
  { name: 'field without type', text: '{"type":"record","name":"R","fields":[{"name":"f"}]}', code: 'avro-missing-type', at: '"f"' },
  { name: 'type object without type', text: '{"type":"record","name":"R","fields":[{"name":"f","type":{"items":"int"}}]}', code: 'avro-missing-type', at: '{"items":"int"}' },
  { name: 'record without fields', text: '{"type":"record","name":"R"}', code: 'avro-missing-attribute', at: '{"type":"record","name":"R"}' },
  { name: 'array without items', text: '{"type":"array"}', code: 'avro-missing-attribute', at: '{"type":"array"}' },
  { name: 'invalid field order', text: '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"up"}]}', code: 'avro-invalid-order', at: '"up"' },
  { name: 'aliases not an array', text: '{"type":"record","name":"R","aliases":"Old","fields":[]}', code: 'avro-invalid-aliases', at: '"Old"' },
  { name: 'duplicate JSON key', text: '{"type":"record","name":"R","name":"S","fields":[]}', code: 'json-duplicate-key', at: '"name"', nth: 2 },
  { name: 'wrapped type object', text: '{"type":{"type":"int"}}', code: 'avro-invalid-type', at: '{"type":"int"}' },
  { name: 'a number as a field type', text: '{"type":"record","name":"R","fields":[{"name":"f","type":5}]}', code: 'avro-invalid-type', at: '5' },
];

// ok: Avro Java's verdict; 'spec': Java (and so the registry) accepts it, the specification does not —
// an advisory problem (avro-default-spec), never an invalid schema
const defaultCases: Array<{ type: string; def: string; ok: boolean | 'spec'; at?: string }> = [
  { type: '"null"', def: 'null', ok: true },
  { type: '"null"', def: '0', ok: false },
  { type: '"boolean"', def: 'true', ok: true },
  { type: '"boolean"', def: '"true"', ok: false },
  { type: '"int"', def: '2147483647', ok: true },
  { type: '"int"', def: '2147483648', ok: false },
  { type: '"int"', def: '1.5', ok: false },
  { type: '"int"', def: '"1"', ok: false },
  { type: '"int"', def: '1.0', ok: false },
  { type: '"long"', def: '1e3', ok: false },
  { type: '"double"', def: '"abc"', ok: false },
  { type: '"double"', def: '1', ok: true },
  { type: '["null","string"]', def: '5', ok: false },
  { type: '["null",{"type":"array","items":"int"}]', def: '["x"]', ok: false, at: '["x"]' },
  { type: '{"type":"record","name":"P","fields":[]}', def: 'null', ok: false },
  { type: '"long"', def: '9223372036854775807', ok: true },
  { type: '"long"', def: '-9223372036854775808', ok: true },
  { type: '"long"', def: '9223372036854775808', ok: false },
  { type: '"float"', def: '1.5e3', ok: true },
  { type: '"double"', def: '"NaN"', ok: true },
  { type: '"double"', def: '"1.0"', ok: 'spec' },
  { type: '"bytes"', def: '"\\u00ff\\u0000"', ok: true },
  { type: '"bytes"', def: '"\\u0100"', ok: 'spec' },
  { type: '"string"', def: '""', ok: true },
  { type: '"string"', def: 'null', ok: false },
  { type: '["null","string"]', def: 'null', ok: true },
  { type: '["null","string"]', def: '"x"', ok: 'spec' },
  { type: '["string","null"]', def: '"x"', ok: true },
  { type: '{"type":"array","items":"int"}', def: '[1,2]', ok: true },
  { type: '{"type":"array","items":"int"}', def: '[1,"x"]', ok: false, at: '"x"' },
  { type: '{"type":"map","values":"long"}', def: '{"a":1}', ok: true },
  { type: '{"type":"map","values":"long"}', def: '{"a":true}', ok: false, at: 'true' },
  { type: '{"type":"enum","name":"E","symbols":["A","B"]}', def: '"B"', ok: true },
  { type: '{"type":"enum","name":"E","symbols":["A","B"]}', def: '"C"', ok: 'spec' },
  { type: '{"type":"fixed","name":"F","size":2}', def: '"ab"', ok: true },
  { type: '{"type":"fixed","name":"F","size":2}', def: '"abc"', ok: 'spec' },
  { type: '{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":0}]}', def: '{"x":1}', ok: true },
  { type: '{"type":"record","name":"P","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":0}]}', def: '{"y":1}', ok: false },
  { type: '{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}', def: '{"x":"s"}', ok: false, at: '"s"' },
  { type: '{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}', def: '[]', ok: false },
  { type: '{"type":"long","logicalType":"timestamp-millis"}', def: '0', ok: true },
];

describe('parseAvsc: problems with exact locations', () => {
  it.each(problemCases)('$name → $code', ({ text, code, at, nth }) => {
    const result = parseAvsc(text, 'p.avsc');
    expect(result.ok).toBe(true);
    const found = result.problems.filter((p) => p.code === code);
    expect(found, JSON.stringify(result.problems)).toHaveLength(1);
    expect(found[0]?.loc).toEqual(rangeOf(text, at, nth));
    expect(found[0]?.fatal).toBe(false);
    expect(found[0]?.message.length).toBeGreaterThan(20);
  });

  it.each(defaultCases)('default $def for $type: ok=$ok', ({ type, def, ok, at }) => {
    const text = `{"type":"record","name":"R","fields":[\n  {"name":"f","type":${type},"default":${def}}\n]}`;
    const result = parseAvsc(text, 'd.avsc');
    const problems = result.problems.filter((p) => p.code === (ok === 'spec' ? 'avro-default-spec' : 'avro-invalid-default'));
    if (ok === true) {
      expect(result.problems).toEqual([]);
    } else {
      expect(problems[0]?.advisory).toBe(ok === 'spec' ? true : undefined);
      expect(problems).toHaveLength(1);
      // located at the offending value: the whole default, or the element inside it
      const defStart = text.indexOf(`"default":${def}`) + '"default":'.length;
      const expected = at === undefined ? rangeAt(text, defStart, defStart + def.length) : rangeAt(text, text.indexOf(at, defStart), text.indexOf(at, defStart) + at.length);
      expect(problems[0]?.loc).toEqual(expected);
    }
  });

  it('explains the first-branch rule for unions', () => {
    const result = parseAvsc('{"type":"record","name":"R","fields":[{"name":"f","type":["null","string"],"default":"x"}]}', 'd.avsc');
    expect(result.problems[0]?.message).toMatch(/accepted by Avro Java.*first branch \(null\).*move the matching branch first/);
    expect(result.problems[0]?.advisory).toBe(true);
  });

  it.each([
    ['"String"', 'string'],
    ['"strng"', 'string'],
    ['"Adress"', 'com.acme.Address'],
    ['"acme.Address"', 'com.acme.Address'],
  ])('suggests the likely type for %s', (written, suggestion) => {
    const text = `{"type":"record","name":"R","namespace":"com.acme","fields":[{"name":"x","type":{"type":"record","name":"Address","fields":[]}},{"name":"a","type":${written}}]}`;
    const result = parseAvsc(text, 'x.avsc');
    expect(result.problems.map((p) => p.code)).toEqual(['avro-undefined-name']);
    expect(result.problems[0]?.message).toContain(`did you mean "${suggestion}"`);
  });

  it('does not suggest anything for an unrelated name', () => {
    const result = parseAvsc('{"type":"record","name":"R","fields":[{"name":"a","type":"Zebra"}]}', 'x.avsc');
    expect(result.problems[0]?.message).not.toContain('did you mean');
  });
});

describe('parseAvsc: fatal input errors', () => {
  const cases: Array<{ name: string; text: string; code: string; line: number; column: number }> = [
    { name: 'empty file', text: '', code: 'empty-file', line: 1, column: 1 },
    { name: 'only whitespace', text: '  \n\t\n', code: 'empty-file', line: 1, column: 1 },
    { name: 'missing comma', text: '{"type": "record",\n  "name": "A"\n  "fields": []}', code: 'json-syntax', line: 3, column: 3 },
    { name: 'truncated JSON', text: '{"type": "record", "name": "A",\n "fields": [', code: 'json-syntax', line: 2, column: 13 },
    { name: 'trailing garbage', text: '{"type":"int"} x', code: 'json-syntax', line: 1, column: 16 },
    { name: 'two values', text: '"int"\n"long"', code: 'json-syntax', line: 2, column: 1 },
    { name: 'bad escape', text: '{"type":\n "a\\qb"}', code: 'json-syntax', line: 2, column: 4 },
    { name: 'bad unicode escape', text: '"\\u12G4"', code: 'json-syntax', line: 1, column: 2 },
    { name: 'raw newline in string', text: '{"doc": "a\nb"}', code: 'json-syntax', line: 1, column: 11 },
    { name: 'unterminated string', text: '{"doc": "abc', code: 'json-syntax', line: 1, column: 13 },
    { name: 'leading zero', text: '{"size": 012}', code: 'json-syntax', line: 1, column: 11 },
    { name: 'single quotes', text: "{'type': 'int'}", code: 'json-syntax', line: 1, column: 2 },
    { name: 'a # comment (Java reads only // and /* */)', text: '# c\n"int"', code: 'json-syntax', line: 1, column: 1 },
    { name: 'trailing comma', text: '["int",]', code: 'json-syntax', line: 1, column: 8 },
    { name: 'BOM then truncated', text: '\uFEFF{"type":"int"', code: 'json-syntax', line: 1, column: 14 },
    { name: 'CRLF line endings', text: '{\r\n"type":\r\n  x}', code: 'json-syntax', line: 3, column: 3 },
    { name: 'too deep', text: '['.repeat(300), code: 'json-too-deep', line: 1, column: 257 },
    { name: 'number at top level', text: '42', code: 'avro-invalid-schema', line: 1, column: 1 },
    { name: 'null at top level', text: ' null', code: 'avro-invalid-schema', line: 1, column: 2 },
  ];
  it.each(cases)('$name → $code at $line:$column', ({ text, code, line, column }) => {
    const result = parseAvsc(text, 'bad.avsc');
    expect(result.ok).toBe(false);
    const fatal = result.problems.filter((p) => p.fatal);
    expect(fatal).toHaveLength(1);
    expect(fatal[0]).toMatchObject({ code, loc: { line, column } });
  });
});

describe('parseAvsc: hostile input never throws', () => {
  let seed = 7;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const garbage = Array.from({ length: 2000 }, () => String.fromCharCode(Math.floor(random() * 256))).join('');
  const corpus: Array<[string, string]> = [
    ['binary garbage', garbage],
    ['NUL bytes', '\u0000\u0000'],
    ['BOM only', '\uFEFF'],
    ['10,000-deep arrays', '['.repeat(10000) + ']'.repeat(10000)],
    ['10,000-deep objects', '{"a":'.repeat(10000) + '1' + '}'.repeat(10000)],
    ['10,000-deep type objects', '{"type":"array","items":'.repeat(10000) + '"int"' + '}'.repeat(10000)],
    ['deep but allowed nesting', '{"type":"array","items":'.repeat(120) + '"int"' + '}'.repeat(120)],
    ['record with object fields', '{"type":"record","name":"A","fields":{}}'],
    ['record with junk fields', '{"type":"record","name":"A","fields":[1,null,"x",[]]}'],
    ['enum with string symbols', '{"type":"enum","name":"E","symbols":"A"}'],
    ['enum with junk symbols', '{"type":"enum","name":"E","symbols":[1,null],"default":2}'],
    ['map without values', '{"type":"map"}'],
    ['null type', '{"type":null}'],
    ['empty union', '[]'],
    ['empty union field with default', '{"type":"record","name":"R","fields":[{"name":"f","type":[],"default":null}]}'],
    ['recursive default', '{"type":"record","name":"A","fields":[{"name":"a","type":["null","A"],"default":null},{"name":"b","type":"A","default":{"b":{"b":{}}}}]}'],
    ['names of every kind of junk', '{"type":"record","name":{},"namespace":[],"doc":5,"aliases":[1],"fields":[{"name":1,"type":"int","aliases":"x","order":3}]}'],
    ['__proto__ key', '{"type":"record","name":"R","__proto__":{"x":1},"fields":[{"name":"__proto__","type":"int"}]}'],
    ['huge name', `{"type":"record","name":"${'A'.repeat(100000)}","fields":[]}`],
    ['lone surrogate', '{"type":"record","name":"\\ud800","fields":[]}'],
    ['unresolved top-level ref', '"com.acme.Missing"'],
  ];
  it.each(corpus)('%s', (_name, text) => {
    let result: ReturnType<typeof parseAvsc> | undefined;
    expect(() => {
      result = parseAvsc(text, 'hostile.avsc');
    }).not.toThrow();
    expect(result).toBeDefined();
    if (result && !result.ok) expect(result.problems.some((p) => p.fatal)).toBe(true);
    for (const p of result?.problems ?? []) {
      expect(p.loc.line).toBeGreaterThanOrEqual(1);
      expect(p.loc.column).toBeGreaterThanOrEqual(1);
      expect(typeof p.code).toBe('string');
    }
  });

  it('reports the unresolved ref and still builds a document', () => {
    const result = parseAvsc('"com.acme.Missing"', 'r.avsc');
    expect(codes(result)).toEqual(['avro-undefined-name']);
    expect(documentOf(result).topLevelType).toMatchObject({ kind: 'ref', resolved: false, fullName: 'com.acme.Missing' });
  });
});
