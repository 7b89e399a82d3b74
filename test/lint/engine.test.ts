import { describe, expect, it } from 'vitest';
import { parseSchemaText } from '../../src/formats/index.js';
import { defaultEventRoots, eventRootsOf } from '../../src/lint/event-roots.js';
import { runLint } from '../../src/lint/engine.js';
import { defineRule, type Rule } from '../../src/lint/rule.js';
import type { SchemaDocument } from '../../src/model/types.js';
import { fixtureRules } from './fixtures/rules.js';
import { avroRecord, lintTexts } from './helpers.js';

function doc(file: string, text: string): SchemaDocument {
  const f = parseSchemaText(file, text);
  if (f.document === undefined) throw new Error(`fixture ${file} did not parse: ${JSON.stringify(f.problems)}`);
  return f.document;
}

const statusAvro = avroRecord('OrderPlaced', '{"name":"order_status","type":"string"},{"name":"n","type":"int"}');

describe('event roots', () => {
  it('.avsc: the single top-level record', () => {
    const d = doc('a.avsc', avroRecord('A', '{"name":"m","type":{"type":"record","name":"Money","fields":[]}}'));
    expect(defaultEventRoots(d)).toEqual(['com.acme.A']);
  });

  it('.avsc: each record branch of a top-level union', () => {
    const d = doc('u.avsc', `[${avroRecord('A', '')}, ${avroRecord('B', '')}, "null"]`);
    expect(defaultEventRoots(d).sort()).toEqual(['com.acme.A', 'com.acme.B']);
  });

  it('.proto: top-level messages no other message uses', () => {
    const d = doc('o.proto', 'syntax = "proto3";\npackage acme.v1;\nmessage Money { int64 units = 1; }\nmessage OrderPlaced { Money total = 1; Line line = 2; message Line { Money m = 1; } }\nmessage Refunded { Money m = 1; }\nenum E { E_UNSPECIFIED = 0; }\n');
    expect(defaultEventRoots(d).sort()).toEqual(['acme.v1.OrderPlaced', 'acme.v1.Refunded']);
  });

  it('a catalog selector picks the root, unresolved selectors are reported', () => {
    const d = doc('o.proto', 'syntax = "proto3";\npackage acme.v1;\nmessage A {}\nmessage B {}\n');
    expect([...eventRootsOf(d, [{ selector: 'acme.v1.B' }]).roots]).toEqual(['acme.v1.B']);
    expect([...eventRootsOf(d, [{ selector: '.acme.v1.A' }]).roots]).toEqual(['acme.v1.A']);
    expect([...eventRootsOf(d, [{ selector: 'B' }]).roots]).toEqual(['acme.v1.B']);
    expect(eventRootsOf(d, [{ selector: 'acme.v1.C' }]).unresolved).toEqual(['acme.v1.C']);
  });

  it('the engine hands the roots to rules and reports a bad selector on the catalog entry', () => {
    const text = 'syntax = "proto3";\npackage acme.v1;\nmessage A {}\nmessage B {}\n';
    const loc = { line: 3, column: 13, endLine: 3, endColumn: 30 };
    const out = lintTexts({ 'o.proto': text }, {
      streams: [
        { topic: 't1', kind: 'store', schemas: [{ ref: 'o.proto#acme.v1.B', file: 'o.proto', selector: 'acme.v1.B' }], catalogFile: 'schemactl.yaml' },
        { topic: 't2', kind: 'store', schemas: [{ ref: 'o.proto#Nope', file: 'o.proto', selector: 'Nope', loc }], catalogFile: 'schemactl.yaml' },
      ],
    });
    expect(out.byFile('o.proto')?.diagnostics.filter((d) => d.ruleId === 'event-root-probe').map((d) => d.message)).toEqual(['Event root acme.v1.B.']);
    expect(out.catalog).toEqual([expect.objectContaining({
      ruleId: 'catalog-reference', location: { file: 'schemactl.yaml', range: loc },
      message: expect.stringContaining('selects type "Nope" in o.proto, but the file declares no such type. Declared records: acme.v1.A, acme.v1.B.'),
    })]);
  });
});

describe('running rules', () => {
  it('reports with templated messages, name ranges, paths and symbols', () => {
    const out = lintTexts({ 'a.avsc': statusAvro });
    const [d] = out.byFile('a.avsc')?.diagnostics.filter((x) => x.ruleId === 'no-string-status') ?? [];
    expect(d).toMatchObject({
      ruleId: 'no-string-status', severity: 'error', message: 'Field `order_status` is a string status.',
      symbol: 'com.acme.OrderPlaced.order_status', location: { file: 'a.avsc', path: '/fields/0' },
    });
    expect(d?.location.range?.line).toBe(1);
    expect(statusAvro.slice((d?.location.range?.column ?? 0) - 1, (d?.location.range?.endColumn ?? 0) - 1)).toContain('order_status');
  });

  it('merges options over defaultOptions', () => {
    const out = lintTexts({ 'a.avsc': avroRecord('A', '{"name":"state","type":"string"},{"name":"status","type":"string"}') },
      { rules: { 'no-string-status': { severity: 'warn', options: { suffix: 'state' } } } });
    expect(out.byFile('a.avsc')?.diagnostics.filter((d) => d.ruleId === 'no-string-status').map((d) => [d.symbol, d.severity]))
      .toEqual([['com.acme.A.state', 'warn']]);
  });

  it('skips rules whose formats exclude the document', () => {
    const avroOnly = defineRule<'x'>({ ...fixtureRules[0]!, meta: { ...fixtureRules[0]!.meta, id: 'avro-only', formats: ['avro'], messages: { x: 'x' } }, create: (ctx) => ({ record: (r) => ctx.report({ messageId: 'x', node: r }) }) });
    const out = lintTexts({ 'a.proto': 'syntax = "proto3"; message A {}', 'a.avsc': avroRecord('A', '') }, {}, [avroOnly as unknown as Rule]);
    expect(out.byFile('a.proto')?.diagnostics).toEqual([]);
    expect(out.byFile('a.avsc')?.diagnostics).toHaveLength(1);
  });

  it('runs stream checks and reports on every file of the stream', () => {
    const out = lintTexts({ 'a.avsc': avroRecord('A', ''), 'b.avsc': avroRecord('B', '') }, {
      streams: [
        { topic: 'orders', kind: 'store', schemas: [{ ref: 'a.avsc', file: 'a.avsc' }, { ref: 'b.avsc', file: 'b.avsc' }] },
        { topic: 'staging', kind: 'stage', schemas: [{ ref: 'a.avsc', file: 'a.avsc' }, { ref: 'b.avsc', file: 'b.avsc' }] },
      ],
    });
    for (const f of ['a.avsc', 'b.avsc']) {
      expect(out.byFile(f)?.diagnostics.filter((d) => d.ruleId === 'one-file').map((d) => d.message)).toEqual(['Stream orders names 2 schema files.']);
    }
  });

  it('turns parse problems into parse-error findings and still lints the other files', () => {
    const out = lintTexts({ 'bad.avsc': '{"type": "record", "name": ', 'good.avsc': statusAvro });
    const bad = out.byFile('bad.avsc')?.diagnostics ?? [];
    expect(bad.length).toBeGreaterThan(0);
    expect(bad.every((d) => d.ruleId === 'parse-error' && d.severity === 'error')).toBe(true);
    expect(bad.some((d) => d.fatal === true && d.location.range !== undefined)).toBe(true);
    expect(out.byFile('good.avsc')?.diagnostics.some((d) => d.ruleId === 'no-string-status')).toBe(true);
  });

  it('a problem that makes the schema invalid is a fatal error carrying its code (exit 2)', () => {
    const out = runLint({
      targets: [{ file: 'x.proto', document: doc('x.proto', 'syntax = "proto3"; message A {}'), problems: [{ code: 'proto-missing-import', message: 'Import "a.proto" was not found.', fatal: false, loc: { line: 1, column: 1, endLine: 1, endColumn: 2 } }] }],
      rules: [], settings: { rules: {}, overrides: [], streams: [] },
    });
    expect(out.files[0]?.diagnostics).toEqual([expect.objectContaining({ ruleId: 'parse-error', severity: 'error', message: 'Import "a.proto" was not found. (proto-missing-import)' })]);
    expect(out.files[0]?.diagnostics[0]?.fatal).toBe(true);
  });

  it('an advisory problem (the reference accepts the file) is a warning, not fatal', () => {
    const out = runLint({
      targets: [{ file: 'x.avsc', document: doc('x.avsc', '"int"'), problems: [{ code: 'avro-default-spec', message: 'Default "x" is accepted by Avro Java.', fatal: false, advisory: true, loc: { line: 1, column: 1, endLine: 1, endColumn: 2 } }] }],
      rules: [], settings: { rules: {}, overrides: [], streams: [] },
    });
    expect(out.files[0]?.diagnostics).toEqual([expect.objectContaining({ ruleId: 'parse-error', severity: 'warn', message: 'Default "x" is accepted by Avro Java. (avro-default-spec)' })]);
    expect(out.files[0]?.diagnostics[0]?.fatal).toBeUndefined();
  });

  it('names the rule when it crashes or reports an unknown messageId', () => {
    const broken = defineRule<'x'>({ meta: { ...fixtureRules[0]!.meta, id: 'broken', messages: { x: 'x' } }, create: (ctx) => ({ record: () => ctx.report({ messageId: 'nope' as 'x' }) }) });
    expect(() => lintTexts({ 'a.avsc': avroRecord('A', '') }, {}, [broken as unknown as Rule])).toThrow(/rule broken failed on a\.avsc: rule broken reported unknown messageId "nope"/);
  });
});

describe('severity precedence', () => {
  const files = {
    'schemas/legacy/old.avsc': avroRecord('Old', '{"name":"status","type":"string"},{"name":"sub_status","type":"string"}'),
    'schemas/new.avsc': avroRecord('New', '{"name":"status","type":"string"}'),
  };
  const sev = (out: ReturnType<typeof lintTexts>, f: string): Array<[string | undefined, string]> =>
    (out.byFile(f)?.diagnostics ?? []).filter((d) => d.ruleId === 'no-string-status').map((d) => [d.symbol, d.severity]);

  it('defaults < config rules < overrides by file, in order', () => {
    expect(sev(lintTexts(files), 'schemas/new.avsc')).toEqual([['com.acme.New.status', 'error']]);
    const cfg = lintTexts(files, { rules: { 'no-string-status': { severity: 'warn' } } });
    expect(sev(cfg, 'schemas/new.avsc')).toEqual([['com.acme.New.status', 'warn']]);
    const ov = lintTexts(files, {
      rules: { 'no-string-status': { severity: 'warn' } },
      overrides: [
        { files: ['schemas/legacy/**'], rules: { 'no-string-status': { severity: 'off' } } },
        { files: ['**/old.avsc'], rules: { 'no-string-status': { severity: 'error' } } },
      ],
    });
    expect(sev(ov, 'schemas/new.avsc')).toEqual([['com.acme.New.status', 'warn']]);
    expect(sev(ov, 'schemas/legacy/old.avsc')).toEqual([['com.acme.Old.status', 'error'], ['com.acme.Old.sub_status', 'error']]);
  });

  it('symbol overrides apply only to matching symbols, by name pattern or by path', () => {
    const out = lintTexts(files, {
      overrides: [
        { symbols: ['com.acme.Old.sub_*'], rules: { 'no-string-status': { severity: 'warn' } } },
        { files: ['schemas/new.avsc'], symbols: ['com.acme.New'], rules: { 'no-string-status': { severity: 'off' } } },
      ],
    });
    expect(sev(out, 'schemas/legacy/old.avsc')).toEqual([['com.acme.Old.status', 'error'], ['com.acme.Old.sub_status', 'warn']]);
    expect(sev(out, 'schemas/new.avsc')).toEqual([]);
    const byPath = lintTexts(files, { overrides: [{ symbols: ['schemas/legacy/*.avsc#/fields/1'], rules: { 'no-string-status': { severity: 'off' } } }] });
    expect(sev(byPath, 'schemas/legacy/old.avsc')).toEqual([['com.acme.Old.status', 'error']]);
  });

  it('a symbol override can enable a rule that is off for the file', () => {
    const out = lintTexts(files, {
      rules: { 'no-string-status': { severity: 'off' } },
      overrides: [{ symbols: ['com.acme.Old.status'], rules: { 'no-string-status': { severity: 'warn' } } }],
    });
    expect(sev(out, 'schemas/legacy/old.avsc')).toEqual([['com.acme.Old.status', 'warn']]);
  });

  it('a rule may cap one finding at warn; it never raises one and off stays off', () => {
    const capped = defineRule<'x'>({
      ...fixtureRules[0]!,
      meta: { ...fixtureRules[0]!.meta, id: 'capped', defaultSeverity: 'error', messages: { x: 'x' } },
      create: (ctx) => ({ record: (r) => ctx.report({ messageId: 'x', node: r, severity: 'warn' }) }),
    });
    const sevOf = (settings: Parameters<typeof lintTexts>[1]) =>
      (lintTexts({ 'a.avsc': avroRecord('A', '{"name":"n","type":"int"}') }, settings, [capped]).byFile('a.avsc')?.diagnostics ?? []).map((d) => d.severity);
    expect(sevOf({})).toEqual(['warn']);
    expect(sevOf({ rules: { capped: { severity: 'off' } } })).toEqual([]);
  });

  it('a later file-wide override beats an earlier symbol override', () => {
    const out = lintTexts(files, {
      overrides: [
        { symbols: ['com.acme.Old.**'], rules: { 'no-string-status': { severity: 'off' } } },
        { files: ['schemas/legacy/**'], rules: { 'no-string-status': { severity: 'warn' } } },
      ],
    });
    expect(sev(out, 'schemas/legacy/old.avsc')).toEqual([['com.acme.Old.status', 'warn'], ['com.acme.Old.sub_status', 'warn']]);
  });
});

describe('suppressions', () => {
  const statuses = (out: ReturnType<typeof lintTexts>, f: string): string[] =>
    (out.byFile(f)?.diagnostics ?? []).filter((d) => d.ruleId === 'no-string-status').map((d) => d.symbol ?? '');

  it('"schemactl:disable" on a field (list form) and on a type (object form, covers children)', () => {
    const out = lintTexts({
      'f.avsc': avroRecord('F', '{"name":"status","type":"string","schemactl:disable":["no-string-status"]},{"name":"other_status","type":"string"}'),
      't.avsc': avroRecord('T', '{"name":"status","type":"string"},{"name":"inner","type":{"type":"record","name":"In","fields":[{"name":"x_status","type":"string"}]}}', ',"schemactl:disable":{"no-string-status":"legacy, owned by billing"}'),
    });
    expect(statuses(out, 'f.avsc')).toEqual(['com.acme.F.other_status']);
    expect(out.byFile('f.avsc')?.suppressedCount).toBe(1);
    expect(statuses(out, 't.avsc')).toEqual([]);
    expect(out.byFile('t.avsc')?.suppressedCount).toBe(2);
  });

  it('an attribute on an inline type covers only that type', () => {
    const out = lintTexts({
      'i.avsc': avroRecord('I', '{"name":"status","type":"string"},{"name":"inner","type":{"type":"record","name":"In","schemactl:disable":["no-string-status"],"fields":[{"name":"x_status","type":"string"}]}}'),
    });
    expect(statuses(out, 'i.avsc')).toEqual(['com.acme.I.status']);
  });

  it('// schemactl-disable-next-line in .proto, with and without rule ids', () => {
    const text = [
      'syntax = "proto3";',
      'package acme.v1;',
      'message M {',
      '  // schemactl-disable-next-line no-string-status -- free text by contract',
      '  string a_status = 1;',
      '  // schemactl-disable-next-line',
      '  string b_status = 2;',
      '  // schemactl-disable-next-line event-root-probe',
      '  string c_status = 3;',
      '}',
    ].join('\n');
    const out = lintTexts({ 'm.proto': text });
    expect(statuses(out, 'm.proto')).toEqual(['acme.v1.M.c_status']);
  });

  it('reportUnusedDisables warns about suppressions that suppressed nothing; unknown ids always warn', () => {
    const text = [
      'syntax = "proto3";',
      'message M {',
      '  // schemactl-disable-next-line no-string-status',
      '  int32 count = 1;',
      '  // schemactl-disable-next-line no-such-rule',
      '  string s_status = 2;',
      '}',
    ].join('\n');
    const quiet = lintTexts({ 'm.proto': text });
    expect(quiet.byFile('m.proto')?.diagnostics.map((d) => [d.ruleId, d.location.range?.line])).toEqual([
      ['event-root-probe', 2], ['invalid-disable', 5], ['no-string-status', 6],
    ]);
    const loud = lintTexts({ 'm.proto': text, 'a.avsc': avroRecord('A', '{"name":"n","type":"int","schemactl:disable":["no-string-status"]}') }, { reportUnusedDisables: true });
    const unused = (f: string) => loud.byFile(f)?.diagnostics.filter((d) => d.ruleId === 'unused-disable');
    expect(unused('m.proto')).toEqual([expect.objectContaining({ severity: 'warn', message: expect.stringContaining('"no-string-status" suppressed nothing'), location: expect.objectContaining({ range: expect.objectContaining({ line: 3 }) }) })]);
    expect(unused('a.avsc')).toHaveLength(1);
  });

  it('a malformed attribute is reported instead of ignored', () => {
    const out = lintTexts({ 'a.avsc': avroRecord('A', '{"name":"status","type":"string","schemactl:disable":42}') });
    expect(out.byFile('a.avsc')?.diagnostics.map((d) => d.ruleId).sort()).toEqual(['event-root-probe', 'invalid-disable', 'no-string-status']);
  });

  it('parse errors are never suppressed', () => {
    const out = lintTexts({ 'x.proto': '// schemactl-disable-next-line\nmessage {' });
    expect(out.byFile('x.proto')?.diagnostics.some((d) => d.ruleId === 'parse-error')).toBe(true);
  });
});

describe('event roots in Avro IDL', () => {
  it('.avdl: the protocol records no other type references', () => {
    const d = doc('p.avdl', [
      '@namespace("com.acme")',
      'protocol Orders {',
      '  record Money { long units; string currency_code; }',
      '  record OrderPlaced { string id; Money total; }',
      '  record OrderCancelled { string id; string reason; }',
      '  enum Status { A, B }',
      '}',
    ].join('\n'));
    expect(defaultEventRoots(d).sort()).toEqual(['com.acme.OrderCancelled', 'com.acme.OrderPlaced']);
  });
});
