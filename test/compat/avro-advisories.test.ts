// Advisories: evolutions the registry accepts that still change what consumers read.
import { describe, expect, it } from 'vitest';
import { avroAdvisories, checkAvroDocuments } from '../../src/compat/index.js';
import { parseAvsc } from '../../src/formats/avro/index.js';
import type { SchemaDocument } from '../../src/model/types.js';

function doc(schema: unknown): SchemaDocument {
  const parsed = parseAvsc(JSON.stringify(schema, null, 2), 'x.avsc');
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.document;
}
const rec = (fields: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'record', name: 'R', fields, ...extra });

/** Advisories never change the verdict: every pair below is compatible for the registry. */
function advise(reader: unknown, writer: unknown) {
  const r = doc(reader);
  const w = doc(writer);
  expect(checkAvroDocuments(r, w).compatible).toBe(true);
  return avroAdvisories(r, w).map((a) => [a.code, a.path]);
}

describe('avroAdvisories', () => {
  it('says nothing about an unchanged schema', () => {
    const s = rec([{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }]);
    expect(advise(s, s)).toEqual([]);
  });

  it('flags a timestamp unit change', () => {
    expect(advise(
      rec([{ name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } }]),
      rec([{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }]),
    )).toEqual([['timestamp-unit-changed', '/fields/0/type']]);
  });

  it('flags adding or removing a logical type', () => {
    expect(advise(
      rec([{ name: 'id', type: 'string' }]),
      rec([{ name: 'id', type: { type: 'string', logicalType: 'uuid' } }]),
    )).toEqual([['logical-type-changed', '/fields/0/type']]);
  });

  it('flags decimal scale changes and precision shrinking, inside unions too', () => {
    const dec = (precision: number, scale: number) => ['null', { type: 'bytes', logicalType: 'decimal', precision, scale }];
    expect(advise(rec([{ name: 'p', type: dec(10, 3) }]), rec([{ name: 'p', type: dec(10, 2) }])))
      .toEqual([['decimal-scale-changed', '/fields/0/type/1']]);
    expect(advise(rec([{ name: 'p', type: dec(6, 2) }]), rec([{ name: 'p', type: dec(10, 2) }])))
      .toEqual([['decimal-precision-changed', '/fields/0/type/1']]);
    expect(advise(rec([{ name: 'p', type: dec(12, 2) }]), rec([{ name: 'p', type: dec(10, 2) }]))).toEqual([]);
  });

  it('flags a namespace move without an alias, not with one', () => {
    const w = rec([{ name: 'a', type: 'int' }], { namespace: 'com.old' });
    expect(advise(rec([{ name: 'a', type: 'int' }], { namespace: 'com.new' }), w))
      .toEqual([['namespace-changed-without-alias', '/']]);
    expect(advise(rec([{ name: 'a', type: 'int' }], { namespace: 'com.new', aliases: ['com.old.R'] }), w)).toEqual([]);
  });

  it('flags a likely rename that has no alias', () => {
    const w = rec([{ name: 'id', type: 'long' }, { name: 'customer', type: 'string' }]);
    const renamed = rec([{ name: 'id', type: 'long' }, { name: 'client', type: 'string', default: '' }]);
    const advisories = avroAdvisories(doc(renamed), doc(w));
    expect(advisories.map((a) => [a.code, a.path])).toEqual([['likely-rename-without-alias', '/fields/1']]);
    expect(advisories[0]!.message).toContain('Add "aliases": ["customer"] to field "client"');
    expect(advise(rec([{ name: 'id', type: 'long' }, { name: 'client', aliases: ['customer'], type: 'string' }]), w)).toEqual([]);
  });
});
