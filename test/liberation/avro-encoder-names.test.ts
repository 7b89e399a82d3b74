// The publisher's Avro encoder accepts every schema Avro accepts: names outside ASCII (types,
// namespaces, fields, enum symbols), a named type used before its definition, recursive records and
// unions of named types. Each row is mapped and encoded as `publish` does, and the bytes are read by
// readers that owe nothing to the encoder: Apache Avro Java with the ORIGINAL schema text, and avsc
// with an equivalent ASCII schema written by hand here (the same positions, indexes and types).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, describe, expect, it } from 'vitest';
import { gateSchema } from '../../src/liberation/gate.js';
import { AvroRowMapper } from '../../src/liberation/mapping.js';
import { encodeFrame } from '../../src/registry/index.js';
import { avroCanonicalString } from '../../src/registry/canonical/avro.js';
import { openEmbeddedRegistry } from '../../src/registry/index.js';
import { javaDecode } from '../support/avro-java.js';

interface Case {
  /** the user's schema: what the registry gets and Avro Java reads */
  schema: unknown;
  /** the same encoding with ASCII names, written by hand */
  ascii: unknown;
  row: Record<string, unknown>;
  /** the value as the ASCII reader decodes it */
  asciiValue: unknown;
  /** the value as Avro Java renders it with the original schema */
  javaValue: unknown;
}

const CASES: Record<string, Case> = {
  'names outside ASCII (record, namespace, fields)': {
    schema: { type: 'record', name: 'Größe', namespace: 'com.acmé', fields: [{ name: '名前', type: 'string' }, { name: 'größe', type: 'int' }, { name: 'id', type: 'long' }] },
    ascii: { type: 'record', name: 'G', fields: [{ name: 'a', type: 'string' }, { name: 'b', type: 'int' }, { name: 'id', type: 'long' }] },
    row: { 名前: 'Ωmega', größe: '42', id: '4503599627370497' },
    asciiValue: { a: 'Ωmega', b: 42, id: 4503599627370497 },
    javaValue: { 名前: 'Ωmega', größe: 42, id: 4503599627370497 },
  },
  'enum symbols outside ASCII, and a default symbol': {
    schema: { type: 'record', name: 'R', fields: [
      { name: 'farbe', type: { type: 'enum', name: 'Farbe', symbols: ['ROT', 'GRÜN', 'BLAU'] } },
      { name: 'zweite', type: 'Farbe', default: 'BLAU' },
    ] },
    ascii: { type: 'record', name: 'R', fields: [{ name: 'f', type: { type: 'enum', name: 'E', symbols: ['R', 'G', 'B'] } }, { name: 'z', type: 'E' }] },
    row: { farbe: 'GRÜN' },
    asciiValue: { f: 'G', z: 'B' },
    javaValue: { farbe: 'GRÜN', zweite: 'BLAU' },
  },
  'a forward reference': {
    schema: { type: 'record', name: 'R', namespace: 'com.acme', fields: [
      { name: 'a', type: ['null', 'S'], default: null },
      { name: 'b', type: { type: 'record', name: 'S', fields: [{ name: 'x', type: 'int' }] } },
      { name: 'c', type: 'com.acme.S' },
    ] },
    ascii: { type: 'record', name: 'R', fields: [
      { name: 'a', type: ['null', { type: 'record', name: 'S', fields: [{ name: 'x', type: 'int' }] }] },
      { name: 'b', type: 'S' },
      { name: 'c', type: 'S' },
    ] },
    row: { a: '{"x":1}', b: '{"x":2}', c: { x: 3 } },
    asciiValue: { a: { x: 1 }, b: { x: 2 }, c: { x: 3 } },
    javaValue: { a: { x: 1 }, b: { x: 2 }, c: { x: 3 } },
  },
  'a recursive record with names outside ASCII': {
    schema: { type: 'record', name: 'Knoten', fields: [{ name: 'wert', type: 'int' }, { name: 'nächster', type: ['null', 'Knoten'], default: null }] },
    ascii: { type: 'record', name: 'K', fields: [{ name: 'w', type: 'int' }, { name: 'n', type: ['null', 'K'] }] },
    row: { wert: '1', nächster: '{"wert":2,"nächster":{"wert":3,"nächster":null}}' },
    asciiValue: { w: 1, n: { w: 2, n: { w: 3, n: null } } },
    javaValue: { wert: 1, nächster: { wert: 2, nächster: { wert: 3, nächster: null } } },
  },
  'a union of named types, the same short name in two namespaces': {
    schema: { type: 'record', name: 'R', namespace: 'a', fields: [
      { name: 'u', type: ['null', { type: 'record', name: 'X', fields: [{ name: 'ä', type: 'int' }] }, { type: 'enum', name: 'X', namespace: 'b', symbols: ['EINS', 'ZWÖLF'] }] },
      { name: 'v', type: ['null', 'X', 'b.X'] },
    ] },
    ascii: { type: 'record', name: 'R', fields: [
      { name: 'u', type: ['null', { type: 'record', name: 'P', fields: [{ name: 'a', type: 'int' }] }, { type: 'enum', name: 'Q', symbols: ['ONE', 'TWELVE'] }] },
      { name: 'v', type: ['null', 'P', 'Q'] },
    ] },
    row: { u: '{"ä":3}', v: 'ZWÖLF' },
    asciiValue: { u: { a: 3 }, v: 'TWELVE' },
    javaValue: { u: { ä: 3 }, v: 'ZWÖLF' },
  },
  'logical types and a record default behind a forward reference': {
    schema: { type: 'record', name: 'Zahlung', fields: [
      { name: 'betrag', type: 'Geld' },
      { name: 'zeit', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'tag', type: { type: 'int', logicalType: 'date' } },
      { name: 'kennung', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'summe', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
      { name: 'ort', type: { type: 'record', name: 'Ort', fields: [{ name: 'straße', type: 'string' }, { name: 'größe', type: 'int', default: 1 }] }, default: { straße: 'Hauptstraße' } },
      { name: 'geld2', type: { type: 'fixed', name: 'Geld', size: 4, logicalType: 'decimal', precision: 8, scale: 2 } },
    ] },
    ascii: { type: 'record', name: 'Z', fields: [
      { name: 'b', type: { type: 'fixed', name: 'G', size: 4 } },
      { name: 'z', type: 'long' },
      { name: 't', type: 'int' },
      { name: 'k', type: 'string' },
      { name: 's', type: 'bytes' },
      { name: 'o', type: { type: 'record', name: 'O', fields: [{ name: 's', type: 'string' }, { name: 'g', type: 'int' }] } },
      { name: 'g2', type: 'G' },
    ] },
    row: { betrag: '-1.50', zeit: '2024-01-02 03:04:05.123456+00', tag: '2024-01-02', kennung: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', summe: '12345678.90', geld2: '0.01' },
    asciiValue: {
      b: Buffer.from('ffffff6a', 'hex'), z: 1704164645123456, t: 19724, k: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
      s: Buffer.from('499602d2', 'hex'), o: { s: 'Hauptstraße', g: 1 }, g2: Buffer.from('00000001', 'hex'),
    },
    // GenericData without conversions renders fixed and bytes as their byte values
    javaValue: undefined,
  },
};

const dir = mkdtempSync(join(tmpdir(), 'avro-encoder-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the publisher encodes what Avro accepts, read back by independent readers', () => {
  const encoded = Object.entries(CASES).map(([name, c], i) => {
    const file = join(dir, `case-${i}.avsc`);
    writeFileSync(file, JSON.stringify(c.schema));
    const mapper = new AvroRowMapper(c.schema);
    return { name, c, file, bytes: mapper.encode(mapper.map(c.row)) };
  });

  it.each(encoded.map((e) => [e.name, e] as const))('%s: avsc with a hand-written ASCII schema reads the same value', (_n, e) => {
    // longs as JS numbers: the hand-written reader is plain avsc, with no bigint long type
    const reader = avro.Type.forSchema(e.c.ascii as avro.Schema);
    const { value, offset } = reader.decode(e.bytes, 0);
    expect(offset).toBe(e.bytes.length);
    expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(JSON.stringify(e.c.asciiValue)));
  });

  it('Apache Avro Java reads every value with the original schema text', () => {
    const java = javaDecode(encoded.map((e) => ({ schemaFile: e.file, bytes: e.bytes })));
    expect(java).toHaveLength(encoded.length);
    for (const [i, e] of encoded.entries()) {
      const r = java[i]!;
      expect(r, e.name).toMatchObject({ ok: true });
      if (r.ok && e.c.javaValue !== undefined) expect(JSON.parse(r.json), e.name).toEqual(e.c.javaValue);
    }
  }, 300_000);
});

describe('the publish gate accepts such schemas and registers their canonical form (names as written)', () => {
  it.each(Object.entries(CASES))('%s', async (name, c) => {
    const sub = mkdtempSync(join(dir, 'gate-'));
    const file = join(sub, 'event.avsc');
    const text = JSON.stringify(c.schema, null, 2);
    writeFileSync(file, text);
    const registry = await openEmbeddedRegistry({ dataDir: join(sub, 'registry') });
    try {
      const r = await gateSchema({ topic: 'names', file, label: `${name}.avsc`, includePaths: [], registry, level: 'BACKWARD', dryRun: false });
      if (!r.ok) throw new Error(`${name}: refused: ${r.reason}`);
      const stored = await registry.getById(r.schemaId);
      // the registry stores Avro Java's canonical string (a named type defined at its first use), with
      // every name as written: not the encoder's ASCII stand-ins
      expect(stored.schema).toBe(avroCanonicalString(text, [], false));
      const frame = encodeFrame(r.schemaId, r.mapper.encode(r.mapper.map(c.row) as never));
      expect(frame[0]).toBe(0);
      expect(frame.readUInt32BE(1)).toBe(r.schemaId);
      const { value } = avro.Type.forSchema(c.ascii as avro.Schema).decode(frame, 5);
      expect(JSON.parse(JSON.stringify(value))).toEqual(JSON.parse(JSON.stringify(c.asciiValue)));
    } finally {
      await registry.close();
    }
  });
});

describe('names the user knows, not the encoder stand-ins', () => {
  const schema = { type: 'record', name: 'R', fields: [{ name: 'farbe', type: { type: 'enum', name: 'Farbe', symbols: ['ROT', 'GRÜN'] } }, { name: 'größe', type: 'int' }] };

  it('a message key from an enum field is the symbol as written', () => {
    expect(new AvroRowMapper(schema).mapField('farbe', 'GRÜN')).toBe('GRÜN');
  });

  it('an event key read from the mapped value is the field and symbol as written, the same as the tombstone key', () => {
    const mapper = new AvroRowMapper(schema);
    const value = mapper.map({ farbe: 'GRÜN', größe: '7' });
    expect(mapper.fieldOf(value, 'größe')).toBe(7);
    expect(mapper.fieldOf(value, 'farbe')).toBe('GRÜN');
    expect(mapper.fieldOf(value, 'farbe')).toBe(mapper.mapField('farbe', 'GRÜN'));
  });

  it('names avsc accepts stay as written in the mapped value (union branches by full name)', () => {
    const nested = { type: 'record', name: 'Order', namespace: 'com.acme', fields: [
      { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] }], default: null },
    ] };
    expect(new AvroRowMapper(nested).map({ address: { city: 'Köln' } })).toEqual({ address: { 'com.acme.Address': { city: 'Köln' } } });
  });

  it('a row that does not fit names the field as written, and the schema text may carry comments', () => {
    const mapper = AvroRowMapper.fromText(`// an event\n${JSON.stringify(schema)}`);
    expect(() => mapper.map({ farbe: 'BLAU', größe: '1' })).toThrow(/'BLAU' is not a symbol of enum Farbe \(ROT, GRÜN\)/);
    try {
      mapper.map({ farbe: 'ROT', größe: '99999999999' });
      expect.unreachable();
    } catch (e) {
      expect((e as { field?: string }).field).toBe('größe');
    }
  });
});
