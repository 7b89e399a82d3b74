// The Avro checker beyond the corpus: everything reported, locations, Avro's quirks, registry strings,
// invalid input, references, and the lower-level API the CLI anchors findings with.
import { describe, expect, it } from 'vitest';
import { checkAvroDocuments, checkCompatibility, InvalidSchemaError, registryAvroMessage } from '../../src/compat/index.js';
import { parseAvsc } from '../../src/formats/avro/index.js';
import type { SchemaDocument } from '../../src/model/types.js';

function doc(schema: unknown, file = 'x.avsc'): SchemaDocument {
  const parsed = parseAvsc(typeof schema === 'string' ? schema : JSON.stringify(schema, null, 2), file);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.document;
}

function backward(previous: unknown, candidate: unknown, level = 'BACKWARD') {
  return checkCompatibility({ format: 'AVRO', level, previous: [JSON.stringify(previous)], candidate: JSON.stringify(candidate) });
}

const rec = (name: string, fields: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'record', name, fields, ...extra });

describe('checkAvroDocuments', () => {
  it('reports every incompatibility in reader walk order, with Avro paths and texts', () => {
    const writer = doc(rec('R', [
      { name: 'a', type: 'long' },
      { name: 'b', type: { type: 'fixed', name: 'F', size: 4 } },
      { name: 'c', type: { type: 'enum', name: 'E', symbols: ['X', 'Y', 'Z'] } },
    ]));
    const reader = doc(rec('R', [
      { name: 'a', type: 'int' },
      { name: 'b', type: { type: 'fixed', name: 'G', size: 8 } },
      { name: 'c', type: { type: 'enum', name: 'E', symbols: ['X'] } },
      { name: 'd', type: 'string' },
    ]));
    const result = checkAvroDocuments(reader, writer);
    expect(result.compatible).toBe(false);
    expect(result.incompatibilities.map((i) => [i.type, i.path, i.message])).toEqual([
      ['TYPE_MISMATCH', '/fields/0/type', 'reader type: INT not compatible with writer type: LONG'],
      ['NAME_MISMATCH', '/fields/1/type/name', 'expected: F'],
      ['FIXED_SIZE_MISMATCH', '/fields/1/type/size', 'expected: 4, found: 8'],
      ['MISSING_ENUM_SYMBOLS', '/fields/2/type/symbols', '[Y, Z]'],
      ['READER_FIELD_MISSING_DEFAULT_VALUE', '/fields/3', 'd'],
    ]);
    // A missing field is anchored on the surviving reader record, with the field itself attached.
    const missing = result.incompatibilities[4]!;
    expect(missing.reader).toBe(reader.types[0]);
    expect(missing.readerField?.name).toBe('d');
    expect(missing.readerField?.loc.line).toBeGreaterThan(1);
  });

  it('applies the promotions and nothing else', () => {
    const pairs: Array<[string, string, boolean]> = [
      ['int', 'long', true], ['int', 'float', true], ['int', 'double', true], ['long', 'float', true],
      ['long', 'double', true], ['float', 'double', true], ['string', 'bytes', true], ['bytes', 'string', true],
      ['long', 'int', false], ['double', 'float', false], ['int', 'string', false], ['boolean', 'int', false],
      ['null', 'string', false],
    ];
    for (const [w, r, ok] of pairs) {
      expect(checkAvroDocuments(doc(JSON.stringify(r)), doc(JSON.stringify(w))).compatible, `${r} reads ${w}`).toBe(ok);
    }
  });

  it('compares unqualified names, and reader aliases against the writer full name', () => {
    const w = doc({ type: 'enum', name: 'Old', namespace: 'a.b', symbols: ['A'] });
    expect(checkAvroDocuments(doc({ type: 'enum', name: 'Old', namespace: 'c', symbols: ['A'] }), w).compatible).toBe(true);
    expect(checkAvroDocuments(doc({ type: 'enum', name: 'New', namespace: 'a.b', aliases: ['Old'], symbols: ['A'] }), w).compatible).toBe(true);
    const wrongSpace = checkAvroDocuments(doc({ type: 'enum', name: 'New', namespace: 'c', aliases: ['Old'], symbols: ['A'] }), w);
    expect(wrongSpace.incompatibilities.map((i) => [i.type, i.path, i.message])).toEqual([['NAME_MISMATCH', '/name', 'expected: a.b.Old']]);
  });

  it('matches reader fields by name then reader aliases; writer aliases never count', () => {
    const w = doc(rec('R', [{ name: 'old', type: 'int' }]));
    expect(checkAvroDocuments(doc(rec('R', [{ name: 'new', aliases: ['old'], type: 'int' }])), w).compatible).toBe(true);
    const writerAlias = checkAvroDocuments(doc(rec('R', [{ name: 'old', type: 'int' }])), doc(rec('R', [{ name: 'new', aliases: ['old'], type: 'int' }])));
    expect(writerAlias.incompatibilities.map((i) => i.type)).toEqual(['READER_FIELD_MISSING_DEFAULT_VALUE']);
  });

  it('reports an exception where Avro throws: a reader field matching two writer fields', () => {
    const w = doc(rec('R', [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }]));
    const r = doc(rec('R', [{ name: 'a', aliases: ['b'], type: 'int' }]));
    const result = checkAvroDocuments(r, w);
    expect(result.compatible).toBe(false);
    expect(result.exception).toMatch(/Reader record field a matches multiple fields in writer record schema R/);
  });

  it('enum defaults rescue unknown symbols; a field default does not', () => {
    const w = doc({ type: 'enum', name: 'E', symbols: ['A', 'B'] });
    expect(checkAvroDocuments(doc({ type: 'enum', name: 'E', symbols: ['A'], default: 'A' }), w).compatible).toBe(true);
    const fieldDefault = checkAvroDocuments(
      doc(rec('R', [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'] }, default: 'A' }])),
      doc(rec('R', [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } }])),
    );
    expect(fieldDefault.incompatibilities.map((i) => [i.type, i.path, i.message])).toEqual([
      ['MISSING_ENUM_SYMBOLS', '/fields/0/type/symbols', '[B]'],
    ]);
  });

  it('a missing reader field of an enum type with an enum default is a TYPE_MISMATCH against the record', () => {
    const result = checkAvroDocuments(
      doc(rec('R', [{ name: 'e', type: { type: 'enum', name: 'E', symbols: ['A'], default: 'A' } }])),
      doc(rec('R', [])),
    );
    expect(result.incompatibilities.map((i) => [i.type, i.path, i.message])).toEqual([
      ['TYPE_MISMATCH', '/fields/0/type', 'reader type: ENUM not compatible with writer type: RECORD'],
    ]);
    expect(result.incompatibilities[0]!.readerField?.name).toBe('e');
  });

  it('handles unions on either side with per-branch locations', () => {
    const numbers = doc(['int', 'long', 'float', 'double']);
    expect(checkAvroDocuments(doc('"float"'), numbers).incompatibilities.map((i) => [i.type, i.path, i.message])).toEqual([
      ['TYPE_MISMATCH', '/3', 'reader type: FLOAT not compatible with writer type: DOUBLE'],
    ]);
    expect(checkAvroDocuments(doc(['int', 'string']), doc(['int', 'string', 'long'])).incompatibilities.map((i) => [i.type, i.path, i.message]))
      .toEqual([['MISSING_UNION_BRANCH', '/2', 'reader union lacking writer type: LONG']]);
    expect(checkAvroDocuments(doc(['null', 'string']), doc('"int"')).incompatibilities.map((i) => [i.type, i.path]))
      .toEqual([['MISSING_UNION_BRANCH', '/']]);
    expect(checkAvroDocuments(doc(['null', 'long']), doc('"int"')).compatible).toBe(true);
    expect(checkAvroDocuments(doc('"int"'), doc([])).compatible).toBe(true);
  });

  it('terminates on recursive types and still finds nested problems', () => {
    const list = (valueType: string) => rec('Node', [
      { name: 'value', type: valueType },
      { name: 'next', type: ['null', 'Node'], default: null },
    ]);
    expect(checkAvroDocuments(doc(list('long')), doc(list('int'))).compatible).toBe(true);
    const narrowed = checkAvroDocuments(doc(list('int')), doc(list('long')));
    expect(narrowed.incompatibilities.map((i) => [i.type, i.path])).toEqual([['TYPE_MISMATCH', '/fields/0/type']]);
  });

  it('memoises pairs like Avro: a pair met again repeats the first result and its location', () => {
    const inner = { type: 'record', name: 'P', fields: [{ name: 'x', type: 'long' }] };
    const w = doc(rec('R', [{ name: 'a', type: inner }, { name: 'b', type: 'P' }]));
    const r = doc(rec('R', [{ name: 'a', type: { ...inner, fields: [{ name: 'x', type: 'int' }] } }, { name: 'b', type: 'P' }]));
    expect(checkAvroDocuments(r, w).incompatibilities.map((i) => i.path)).toEqual(['/fields/0/type/fields/0/type', '/fields/0/type/fields/0/type']);
  });

  it('ignores logical types, defaults values, doc and order', () => {
    const w = doc({ type: 'long', logicalType: 'timestamp-millis' });
    expect(checkAvroDocuments(doc({ type: 'long', logicalType: 'timestamp-micros' }), w).compatible).toBe(true);
    expect(checkAvroDocuments(
      doc({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }),
      doc({ type: 'bytes', logicalType: 'decimal', precision: 4, scale: 1 }),
    ).compatible).toBe(true);
  });
});

describe('checkCompatibility (AVRO)', () => {
  const v1 = rec('R', [{ name: 'a', type: 'int' }]);
  const v2 = rec('R', [{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]);

  it('formats messages the way the registry does, new/old by direction', async () => {
    const back = await backward(v1, v2);
    expect(back.messages).toEqual([{
      type: 'READER_FIELD_MISSING_DEFAULT_VALUE',
      path: '/fields/1',
      message: 'b',
      version: 1,
      direction: 'backward',
      registryMessage: "{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The field 'b' at path '/fields/1' in the new schema has no default value and is missing in the old schema', additionalInfo:'b'}",
    }]);
    const forward = await backward(v2, v1, 'FORWARD');
    expect(forward.messages[0]!.registryMessage).toContain("in the old schema has no default value and is missing in the new schema");
  });

  it('FULL lists the forward direction first', async () => {
    const a = rec('R', [{ name: 'x', type: 'long' }, { name: 'y', type: 'int' }]);
    const b = rec('R', [{ name: 'x', type: 'int' }, { name: 'z', type: 'int' }]);
    const result = await backward(a, b, 'full');
    expect(result.messages.map((m) => [m.direction, m.type])).toEqual([
      ['forward', 'READER_FIELD_MISSING_DEFAULT_VALUE'],
      ['backward', 'TYPE_MISMATCH'],
      ['backward', 'READER_FIELD_MISSING_DEFAULT_VALUE'],
    ]);
  });

  it('turns Avro exceptions into the registry\'s single "Unexpected exception" message', async () => {
    const result = await backward(
      rec('R', [{ name: 'a', type: 'int' }, { name: 'b', type: 'int' }]),
      rec('R', [{ name: 'a', aliases: ['b'], type: 'int' }]),
    );
    expect(result.compatible).toBe(false);
    expect(result.messages).toHaveLength(1);
    expect(result.messages[0]!.type).toBe('EXCEPTION');
    expect(result.messages[0]!.registryMessage).toMatch(/^Unexpected exception during compatibility check: Reader record field a/);
  });

  it('rejects an unparseable candidate with file:line:column, even under NONE', async () => {
    const bad = '{\n  "type": "record",\n  "name": "R",\n  "fields": [{"name": "a", "type": "nope"}]\n}';
    for (const level of ['BACKWARD', 'NONE']) {
      const attempt = checkCompatibility({ format: 'AVRO', level, previous: [JSON.stringify(v1)], candidate: bad });
      await expect(attempt).rejects.toBeInstanceOf(InvalidSchemaError);
      await expect(attempt).rejects.toThrow(/candidate\.avsc:4:\d+: Unknown type "nope"/);
    }
    await expect(checkCompatibility({ format: 'AVRO', level: 'BACKWARD', previous: [], candidate: '{"type": ' }))
      .rejects.toBeInstanceOf(InvalidSchemaError);
  });

  it('validates defaults strictly for the candidate but leniently for stored versions', async () => {
    const badDefault = rec('R', [{ name: 'a', type: 'int', default: 'zero' }]);
    await expect(backward(v1, badDefault)).rejects.toThrow(/does not match its type/);
    expect((await backward(badDefault, v1)).compatible).toBe(true);
  });

  it('resolves named types from references as if inlined', async () => {
    const money = (scale: string) => JSON.stringify({ type: 'record', name: 'Money', namespace: 'com.acme', fields: [{ name: 'units', type: scale }] });
    const order = JSON.stringify(rec('Order', [{ name: 'total', type: 'com.acme.Money' }], { namespace: 'com.acme' }));
    const ok = await checkCompatibility({
      format: 'AVRO', level: 'BACKWARD', previous: [order], candidate: order,
      references: [{ name: 'com.acme.Money', schema: money('long') }],
      previousReferences: [[{ name: 'com.acme.Money', schema: money('int') }]],
    });
    expect(ok.compatible).toBe(true);
    const narrowed = await checkCompatibility({
      format: 'AVRO', level: 'BACKWARD', previous: [order], candidate: order,
      references: [{ name: 'com.acme.Money', schema: money('int') }],
      previousReferences: [[{ name: 'com.acme.Money', schema: money('long') }]],
    });
    expect(narrowed.messages.map((m) => [m.type, m.path])).toEqual([['TYPE_MISMATCH', '/fields/0/type/fields/0/type']]);
    await expect(checkCompatibility({ format: 'AVRO', level: 'BACKWARD', previous: [], candidate: order }))
      .rejects.toBeInstanceOf(InvalidSchemaError);
  });

  it('rejects an unknown level clearly', async () => {
    await expect(backward(v1, v1, 'SIDEWAYS')).rejects.toThrow(/Invalid compatibility level "SIDEWAYS"/);
  });

  it('checks a 100-version FULL_TRANSITIVE history quickly', async () => {
    const versions: string[] = [];
    for (let i = 0; i < 100; i++) {
      const fields = [{ name: 'id', type: 'long' }];
      for (let j = 0; j < i; j++) fields.push({ name: `f${j}`, type: ['null', 'string'], default: null } as never);
      versions.push(JSON.stringify(rec('R', fields)));
    }
    const started = performance.now();
    const result = await checkCompatibility({ format: 'AVRO', level: 'FULL_TRANSITIVE', previous: versions.slice(0, 99), candidate: versions[99]! });
    expect(result.compatible).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('registryAvroMessage', () => {
  it('fills both slots by direction', () => {
    const item = { type: 'MISSING_ENUM_SYMBOLS' as const, path: '/symbols', message: '[C]' };
    expect(registryAvroMessage(item, 'backward')).toBe(
      "{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is missing enum symbols '[C]' at path '/symbols' in the old schema', additionalInfo:'[C]'}",
    );
    expect(registryAvroMessage(item, 'forward')).toContain('The old schema is missing enum symbols');
  });
});
