import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { canonicalFormOfText, crc64Avro, fingerprint64, fingerprint64Hex, toCanonicalForm } from '../../../src/formats/avro/index.js';

// Published CRC-64-AVRO vectors from the Avro specification's test data (share/test/data/schema-tests.txt),
// as signed 64-bit values the way Java prints them.
const specVectors: Array<[string, string, bigint]> = [
  ['"null"', '"null"', 7195948357588979594n],
  ['{"type":"null"}', '"null"', 7195948357588979594n],
  ['"boolean"', '"boolean"', -6970731678124411036n],
  ['"int"', '"int"', 8247732601305521295n],
  ['"long"', '"long"', -3434872931120570953n],
  ['"float"', '"float"', 5583340709985441680n],
  ['"double"', '"double"', -8181574048448539266n],
  ['"string"', '"string"', -8142146995180207161n],
  ['{"type":"fixed","name":"foo","size":15}', '{"name":"foo","type":"fixed","size":15}', 1756455273707447556n],
  ['["int","boolean"]', '["int","boolean"]', 5392556393470105090n],
  ['{"type":"record","name":"foo","fields":[]}', '{"name":"foo","type":"record","fields":[]}', -4824392279771201922n],
  ['{"type":"record","name":"foo","fields":[{"name":"f1","type":"boolean"}]}', '{"name":"foo","type":"record","fields":[{"name":"f1","type":"boolean"}]}', 7843277075252814651n],
  [
    '{"type":"record","name":"PigValue","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    '{"name":"PigValue","type":"record","fields":[{"name":"value","type":["null","int","long","PigValue"]}]}',
    -1759257747318642341n,
  ],
];

describe('Parsing Canonical Form and fingerprint: the specification vectors', () => {
  it.each(specVectors)('%s', (input, canonical, fingerprint) => {
    expect(canonicalFormOfText(input)).toBe(canonical);
    expect(BigInt.asIntN(64, fingerprint64(JSON.parse(input)))).toBe(fingerprint);
    expect(fingerprint64Hex(JSON.parse(input))).toBe(BigInt.asUintN(64, fingerprint).toString(16).padStart(16, '0'));
  });

  it('CRC-64-AVRO of raw bytes equals that of the same UTF-8 string', () => {
    expect(crc64Avro(new TextEncoder().encode('"null"'))).toBe(crc64Avro('"null"'));
    expect(crc64Avro('')).toBe(0xc15d213aa4d7a795n);
  });
});

// avsc's Type#schema() returns the canonical form: an independent oracle for the transformations.
const oracleSchemas: unknown[] = [
  { type: 'record', name: 'Order', namespace: 'com.acme', doc: 'x', aliases: ['Old'], fields: [
    { name: 'id', type: { type: 'string', logicalType: 'uuid' }, doc: 'id', default: 'a', order: 'descending', aliases: ['x'] },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['A', 'B'], default: 'A', doc: 'd' } },
    { name: 'money', type: { type: 'fixed', name: 'org.money.Money', size: 16, logicalType: 'decimal', precision: 20 } },
    { name: 'geo', type: { type: 'record', name: 'Geo', namespace: 'com.acme.geo', fields: [
      { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['X'] } },
      { name: 'again', type: 'Kind' },
      { name: 'm', type: 'org.money.Money' },
    ] } },
    { name: 'st2', type: 'Status' },
    { name: 'items', type: { type: 'array', items: { type: 'map', values: ['null', { type: 'long', logicalType: 'timestamp-millis' }] } } },
    { name: 'next', type: ['null', 'Order'], default: null },
  ] },
  { type: 'map', values: { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 2 } },
  ['null', { type: 'record', name: 'a.A', fields: [] }, { type: 'enum', name: 'B', namespace: 'b', symbols: ['Z'] }],
  { type: 'record', name: 'R', fields: [{ name: 'f', type: { type: 'int', 'connect.name': 'x' } }, { name: 'g', type: { type: 'fixed', name: 'F', size: 0x10 } }] },
];

describe('Parsing Canonical Form: avsc oracle', () => {
  it.each(oracleSchemas.map((s) => [JSON.stringify(s).slice(0, 60), s]))('%s', (_label, schema) => {
    const expected = JSON.stringify(avro.Type.forSchema(schema as avro.Schema).schema());
    expect(toCanonicalForm(schema)).toBe(expected);
  });

  it('schemas differing only in docs, defaults, aliases, order and logical types share a fingerprint', () => {
    const a = { type: 'record', name: 'R', namespace: 'n', fields: [{ name: 'f', type: 'long' }] };
    const b = { namespace: 'n', name: 'R', type: 'record', doc: 'x', fields: [{ type: { type: 'long', logicalType: 'timestamp-millis' }, name: 'f', default: 0, order: 'ignore' }] };
    const c = { type: 'record', name: 'n.R', fields: [{ name: 'g', type: 'long' }] };
    expect(fingerprint64(a)).toBe(fingerprint64(b));
    expect(fingerprint64(a)).not.toBe(fingerprint64(c));
  });
});
