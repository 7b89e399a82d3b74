// The shared relation comparison, judged by the real mappers: which table changes a registered schema
// can take (a gone column's default, a new type whose values map, a nullable field) and which stop.
import { describe, expect, it } from 'vitest';
import { compareRelation, type ColumnShape } from '../../src/liberation/drift/relation.js';
import { samplesFor } from '../../src/liberation/drift/samples.js';
import { parseOffset } from '../../src/liberation/checkpoint/file.js';
import { AvroRowMapper } from '../../src/liberation/mapping.js';
import { ProtoRowMapper } from '../../src/liberation/proto-mapping.js';

const avro = (fields: unknown[]) => new AvroRowMapper({ type: 'record', name: 'Item', fields: [{ name: 'id', type: 'long' }, ...fields] });
const shape = (cols: Record<string, string>): ColumnShape[] =>
  Object.entries(cols).map(([name, t]) => ({ name, type: t.replace(/ NULL$/, ''), nullable: t.endsWith(' NULL') }));

const BASE = shape({ id: 'bigint', qty: 'bigint', label: 'text' });

describe('compareRelation with an Avro schema', () => {
  it.each([
    // name, fields besides id, now, breaking DDL (empty: accepted), accepted read changes
    ['dropped read column without default', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'bigint' }), ['label: text → (dropped)'], []],
    ['dropped read column with a default', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string', default: '(none)' }], shape({ id: 'bigint', qty: 'bigint' }), [], ['label: text → (dropped)']],
    ['dropped field no longer read', [{ name: 'qty', type: 'long' }], shape({ id: 'bigint', qty: 'bigint' }), [], []],
    ['retype into a long: numeric(20,2)', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'numeric(20,2)', label: 'text' }), ['qty: bigint → numeric(20,2)'], []],
    ['retype integer → bigint into a long', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'integer', label: 'text' }), [], ['qty: bigint → integer']],
    ['retype text → bigint into a string field', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'bigint', label: 'text' }).map((c) => (c.name === 'label' ? { ...c, type: 'bigint' } : c)), [], ['label: text → bigint']],
    ['numeric(20,2) into a decimal(20,2) field', [{ name: 'qty', type: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 2 } }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'numeric(20,2)', label: 'text' }), [], ['qty: bigint → numeric(20,2)']],
    ['numeric(20,4) into a decimal(20,2) field', [{ name: 'qty', type: { type: 'bytes', logicalType: 'decimal', precision: 20, scale: 2 } }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'numeric(20,4)', label: 'text' }), ['qty: bigint → numeric(20,4)'], []],
    ['unconstrained numeric into a string field', [{ name: 'qty', type: 'string' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'numeric', label: 'text' }), [], ['qty: bigint → numeric']],
    ['unconstrained numeric into a long', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'numeric', label: 'text' }), ['qty: bigint → numeric'], []],
    ['became nullable, field not nullable', [{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'bigint NULL', label: 'text' }), ['qty: bigint NOT NULL → bigint NULL'], []],
    ['became nullable, field nullable', [{ name: 'qty', type: ['null', 'long'], default: null }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'bigint NULL', label: 'text' }), [], ['qty: bigint NOT NULL → bigint NULL']],
    ['nullable retype needs the field to take NULL too', [{ name: 'qty', type: 'string' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'numeric(20,2) NULL', label: 'text' }), ['qty: bigint → numeric(20,2)'], []],
    ['type without samples', [{ name: 'qty', type: 'string' }, { name: 'label', type: 'string' }], shape({ id: 'bigint', qty: 'point', label: 'text' }), ['qty: bigint → point'], []],
  ])('%s', (_name, fields, now, breaking, accepted) => {
    const v = compareRelation(BASE, now, avro(fields));
    expect(v.breaking.map((c) => c.ddl)).toEqual(breaking);
    expect(v.changes.filter((c) => c.read && c.accepted).map((c) => c.ddl)).toEqual(accepted);
  });

  it('names the remedies that resume', () => {
    const v = compareRelation(BASE, shape({ id: 'bigint', qty: 'numeric(20,2)' }), avro([{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }]));
    expect(v.breaking.map((c) => c.reason)).toEqual([
      "a numeric(20,2) value '999999999999999999.99' does not map into the field ('999999999999999999.99' is not an integer). To resume: register a schema version whose field takes numeric(20,2) values or that drops the field, or restore the column's type",
      'the field has no default. To resume: register a schema version that drops the field or gives it a default, or restore the column',
    ]);
  });

  it.each([
    ['yes', ', or restore the column'],
    ['no', ''],
    ['if-no-rows', ', or restore the column before a row is written in the new shape'],
  ] as const)('restoring is a remedy: %s', (restore, tail) => {
    const v = compareRelation(BASE, shape({ id: 'bigint', qty: 'bigint' }), avro([{ name: 'qty', type: 'long' }, { name: 'label', type: 'string' }]), { restore });
    expect(v.breaking.map((c) => c.reason)).toEqual([`the field has no default. To resume: register a schema version that drops the field or gives it a default${tail}`]);
  });

  it('a read column missing with no earlier shape stops unless its field has a default', () => {
    expect(compareRelation(null, shape({ id: 'bigint' }), avro([{ name: 'qty', type: 'long' }])).breaking.map((c) => c.ddl)).toEqual(['qty: ? → (dropped)']);
    expect(compareRelation(null, shape({ id: 'bigint' }), avro([{ name: 'qty', type: 'long', default: 0 }])).breaking).toEqual([]);
  });

  it('unread columns added or dropped are reported, never breaking', () => {
    const v = compareRelation(BASE, shape({ id: 'bigint', qty: 'bigint', extra: 'jsonb' }), avro([{ name: 'qty', type: 'long' }]));
    expect(v.breaking).toEqual([]);
    expect(v.changes.map((c) => c.ddl)).toEqual(['extra: (added) jsonb', 'label: text → (dropped)']);
  });
});

describe('compareRelation with a Protobuf schema: a gone column is filled only for a field with presence', () => {
  const proto = new ProtoRowMapper({ text: 'syntax = "proto3";\nmessage Item {\n  int64 id = 1;\n  int64 qty = 2;\n  optional string label = 3;\n  string note = 4;\n}\n', file: 'item.proto' });
  const before = shape({ id: 'bigint', qty: 'bigint', label: 'text', note: 'text' });
  it.each([
    ['optional field: left unset', shape({ id: 'bigint', qty: 'bigint', note: 'text' }), []],
    ['field without presence: its zero value would be indistinguishable', shape({ id: 'bigint', qty: 'bigint', label: 'text' }), ['note: text → (dropped)']],
    ['int64 retyped to numeric(20,2)', shape({ id: 'bigint', qty: 'numeric(20,2)', label: 'text', note: 'text' }), ['qty: bigint → numeric(20,2)']],
    ['int64 retyped to integer', shape({ id: 'bigint', qty: 'integer', label: 'text', note: 'text' }), []],
  ])('%s', (_n, now, breaking) => {
    expect(compareRelation(before, now, proto).breaking.map((c) => c.ddl)).toEqual(breaking);
  });
  it('the mapper leaves the optional field unset when the column is gone', () => {
    expect(proto.map({ id: '1', qty: '2', note: 'n' })).toEqual({ id: '1', qty: '2', note: 'n' });
    expect(() => proto.map({ id: '1', qty: '2', label: 'l' })).toThrow(/no column 'note'/);
  });
});

describe('samples stand for the type or there are none', () => {
  it.each([
    ['numeric(20,2)', ['999999999999999999.99', '-999999999999999999.99', '0.01']],
    ['decimal(5,0)', ['99999', '-99999', '1']],
    ['bigint(20) unsigned', ['0', '0', '18446744073709551615']],
    ['int(11)', ['-2147483648', '0', '2147483647']],
    ['numeric', ['1.5', '-123456789012345678901234567890.123456789012345', '0.000000000000000000000000000001', 'NaN']],
    ['integer[]', undefined],
    ['geometry', undefined],
  ])('%s', (t, want) => expect(samplesFor(t)).toEqual(want));
});

describe('checkpoint versions', () => {
  it.each([
    ['log v1 (before shapes)', { v: 1, kind: 'log', position: '0/10', snapshotDone: true }, true],
    ['log v2 with shapes', { v: 2, kind: 'log', position: '0/10', snapshotDone: true, relations: { 'public.t': BASE } }, true],
    ['triggers v1', { v: 1, kind: 'triggers', lastId: '5' }, true],
    ['triggers v2', { v: 2, kind: 'triggers', lastId: '5', relation: BASE }, true],
    ['query v2 does not exist', { v: 2, kind: 'query', ts: null, id: null, snapshotDone: false }, false],
    ['log v3 is from a newer engine', { v: 3, kind: 'log', position: null, snapshotDone: true }, false],
    ['malformed shape', { v: 2, kind: 'log', position: null, snapshotDone: true, relations: { t: [{ name: 'x' }] } }, false],
  ])('%s', (_n, raw, ok) => {
    if (ok) expect(parseOffset(raw, 'state.json')).toEqual(raw);
    else expect(() => parseOffset(raw, 'state.json')).toThrow(/state\.json/);
  });
});
