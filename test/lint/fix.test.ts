// `lint --fix` per rule and format: input text → the exact fixed text, through the library entry the
// CLI uses (fix passes until stable), with only the rule under test enabled. Each fixed text is then
// linted again: the rule is quiet on it and the file still parses.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import avroFieldDefault from '../../rules/avro-field-default.js';
import avroUnionNullFirst from '../../rules/avro-union-null-first.js';
import protoEnumZero from '../../rules/proto-enum-zero-unspecified.js';
import requireUpdatedAt from '../../rules/require-updated-at.js';
import { lint } from '../../src/api/lint.js';
import { applyFixes, mergeEdits } from '../../src/lint/fix.js';
import { defineRule, type Rule } from '../../src/lint/rule.js';
import type { Diagnostic } from '../../src/diagnostics/types.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
const tmp = mkdtempSync(path.join(ROOT, 'test/.work/fix-'));

interface Case {
  name: string;
  rule: Rule;
  file: string;
  input: string;
  /** undefined: the finding has no fix and the text stays as it is */
  output?: string;
}

const avsc = (fields: string[], indent = '    '): string =>
  `{\n  "type": "record",\n  "name": "OrderPlaced",\n  "namespace": "com.acme.orders.v1",\n  "fields": [\n${fields.map((f) => `${indent}${f}`).join(',\n')}\n  ]\n}\n`;

const CASES: Case[] = [
  {
    name: 'null moves first and a null default follows the type',
    rule: avroUnionNullFirst,
    file: 'a.avsc',
    input: avsc(['{"name": "order_id", "type": "string"}', '{"name": "coupon", "type": ["string", "null"], "doc": "code"}']),
    output: avsc(['{"name": "order_id", "type": "string"}', '{"name": "coupon", "type": ["null", "string"], "default": null, "doc": "code"}']),
  },
  {
    name: 'three branches keep the order of the others; compact JSON stays compact',
    rule: avroUnionNullFirst,
    file: 'a.avsc',
    input: '{"type":"record","name":"A","namespace":"x.v1","fields":[{"name":"v","type":["string","int","null"]}]}',
    output: '{"type":"record","name":"A","namespace":"x.v1","fields":[{"name":"v","type":["null","string","int"],"default":null}]}',
  },
  {
    name: 'a null default written for a string-first union becomes valid',
    rule: avroUnionNullFirst,
    file: 'a.avsc',
    input: avsc(['{"name": "coupon", "type": ["string", "null"], "default": null}']),
    output: avsc(['{"name": "coupon", "type": ["null", "string"], "default": null}']),
  },
  {
    name: 'a non-null default is the author\'s choice: no fix',
    rule: avroUnionNullFirst,
    file: 'a.avsc',
    input: avsc(['{"name": "coupon", "type": ["string", "null"], "default": ""}']),
  },
  {
    name: 'a field written one member per line gets the default on its own line',
    rule: avroFieldDefault,
    file: 'a.avsc',
    input: avsc(['{\n      "name": "coupon",\n      "type": [\n        "null",\n        "string"\n      ],\n      "doc": "the code"\n    }']),
    output: avsc(['{\n      "name": "coupon",\n      "type": [\n        "null",\n        "string"\n      ],\n      "default": null,\n      "doc": "the code"\n    }']),
  },
  {
    name: 'a field of a nested record, union in the wrong order',
    rule: avroFieldDefault,
    file: 'a.avsc',
    input: avsc(['{"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "line2", "type": ["string", "null"]}]}}']),
    output: avsc(['{"name": "address", "type": {"type": "record", "name": "Address", "fields": [{"name": "line2", "type": ["null", "string"], "default": null}]}}']),
  },
  {
    name: 'Avro updated_at: one-line fields get a one-line field',
    rule: requireUpdatedAt,
    file: 'a.avsc',
    input: avsc(['{"name": "order_id", "type": "string"}', '{"name": "total", "type": "long"}']),
    output: avsc(['{"name": "order_id", "type": "string"}', '{"name": "total", "type": "long"}', '{"name": "updated_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}']),
  },
  {
    name: 'Avro updated_at: spaces inside braces are copied',
    rule: requireUpdatedAt,
    file: 'a.avsc',
    input: avsc(['{ "name": "order_id", "type": { "type": "string", "logicalType": "uuid" } }']),
    output: avsc(['{ "name": "order_id", "type": { "type": "string", "logicalType": "uuid" } }', '{ "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-millis" } }']),
  },
  {
    name: 'Avro updated_at: JSON.stringify(…, null, 4) layout is copied',
    rule: requireUpdatedAt,
    file: 'a.avsc',
    input: `${JSON.stringify({ type: 'record', name: 'A', namespace: 'x.v1', fields: [{ name: 'id', type: 'string' }] }, null, 4)}\n`,
    output: `${JSON.stringify({ type: 'record', name: 'A', namespace: 'x.v1', fields: [{ name: 'id', type: 'string' }, { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-millis' } }] }, null, 4)}\n`,
  },
  {
    name: 'Protobuf zero value: the new value goes above it and its comment, the old one takes the next free number',
    rule: protoEnumZero,
    file: 'a.proto',
    input: 'syntax = "proto3";\npackage acme.v1;\n\nenum Status {\n  // placed\n  STATUS_PLACED = 0;\n  STATUS_SHIPPED = 1;\n  reserved 2, 3;\n}\n',
    output: 'syntax = "proto3";\npackage acme.v1;\n\nenum Status {\n  STATUS_UNSPECIFIED = 0;\n  // placed\n  STATUS_PLACED = 4;\n  STATUS_SHIPPED = 1;\n  reserved 2, 3;\n}\n',
  },
  {
    name: 'Protobuf zero value of a nested enum, with options and a tab indent',
    rule: protoEnumZero,
    file: 'a.proto',
    input: 'syntax = "proto3";\npackage acme.v1;\n\nmessage Order {\n\tenum Kind {\n\t\tKIND_RETAIL = 0 [deprecated = true];\n\t\tKIND_B2B = 7;\n\t}\n\tKind kind = 1;\n}\n',
    output: 'syntax = "proto3";\npackage acme.v1;\n\nmessage Order {\n\tenum Kind {\n\t\tKIND_UNSPECIFIED = 0;\n\t\tKIND_RETAIL = 8 [deprecated = true];\n\t\tKIND_B2B = 7;\n\t}\n\tKind kind = 1;\n}\n',
  },
  {
    name: 'Protobuf zero value whose _UNSPECIFIED name is taken: no fix',
    rule: protoEnumZero,
    file: 'a.proto',
    input: 'syntax = "proto3";\npackage acme.v1;\n\nenum Status {\n  STATUS_PLACED = 0;\n  STATUS_UNSPECIFIED = 1;\n}\n',
  },
  {
    name: 'Protobuf updated_at: field and import after the package',
    rule: requireUpdatedAt,
    file: 'a.proto',
    input: 'syntax = "proto3";\npackage acme.v1;\n\n// An order.\nmessage OrderPlaced {\n  string order_id = 1; // id\n  int64 total = 4;\n  reserved 5 to 9;\n}\n',
    output: 'syntax = "proto3";\npackage acme.v1;\n\nimport "google/protobuf/timestamp.proto";\n\n// An order.\nmessage OrderPlaced {\n  string order_id = 1; // id\n  int64 total = 4;\n  reserved 5 to 9;\n  google.protobuf.Timestamp updated_at = 10;\n}\n',
  },
  {
    name: 'Protobuf updated_at: import after the last import; an existing one is not repeated',
    rule: requireUpdatedAt,
    file: 'a.proto',
    input: 'syntax = "proto3";\npackage acme.v1;\n\nimport "google/protobuf/duration.proto";\n\nmessage OrderPlaced {\n    google.protobuf.Duration ttl = 1;\n}\n',
    output: 'syntax = "proto3";\npackage acme.v1;\n\nimport "google/protobuf/duration.proto";\nimport "google/protobuf/timestamp.proto";\n\nmessage OrderPlaced {\n    google.protobuf.Duration ttl = 1;\n    google.protobuf.Timestamp updated_at = 2;\n}\n',
  },
  {
    name: 'Protobuf updated_at: two events in one file, one import',
    rule: requireUpdatedAt,
    file: 'a.proto',
    input: 'syntax = "proto3";\npackage acme.v1;\n\nmessage A {\n  string id = 1;\n}\n\nmessage B {\n  string id = 1;\n}\n',
    output: 'syntax = "proto3";\npackage acme.v1;\n\nimport "google/protobuf/timestamp.proto";\n\nmessage A {\n  string id = 1;\n  google.protobuf.Timestamp updated_at = 2;\n}\n\nmessage B {\n  string id = 1;\n  google.protobuf.Timestamp updated_at = 2;\n}\n',
  },
  {
    name: 'Protobuf updated_at in a CRLF file: new lines end in CRLF too',
    rule: requireUpdatedAt,
    file: 'a.proto',
    input: 'syntax = "proto3";\r\npackage acme.v1;\r\n\r\nmessage A {\r\n  string id = 1;\r\n}\r\n',
    output: 'syntax = "proto3";\r\npackage acme.v1;\r\n\r\nimport "google/protobuf/timestamp.proto";\r\n\r\nmessage A {\r\n  string id = 1;\r\n  google.protobuf.Timestamp updated_at = 2;\r\n}\r\n',
  },
  {
    name: 'proto2 has no always-present field that the rules accept: no fix',
    rule: requireUpdatedAt,
    file: 'a.proto',
    input: 'syntax = "proto2";\npackage acme.v1;\n\nmessage A {\n  optional string id = 1;\n}\n',
  },
];

async function fixOnce(c: Case, dir: string): Promise<{ output: string; diagnostics: Diagnostic[] }> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, c.file), c.input);
  const outcome = await lint({ cwd: dir, paths: [c.file], rules: [c.rule], fix: true });
  const r = outcome.results.find((x) => x.file === c.file)!;
  return { output: r.output ?? c.input, diagnostics: r.diagnostics };
}

describe('lint --fix', () => {
  CASES.forEach((c, i) => {
    it(`${c.rule.meta.id} (${path.extname(c.file).slice(1)}): ${c.name}`, async () => {
      const { output, diagnostics } = await fixOnce(c, path.join(tmp, `case-${i}`));
      if (c.output === undefined) {
        expect(output).toBe(c.input);
        expect(diagnostics.map((d) => d.ruleId)).toContain(c.rule.meta.id);
        return;
      }
      expect(output).toBe(c.output);
      // fixed findings are not reported, and the fixed text parses
      expect(diagnostics).toEqual([]);
      writeFileSync(path.join(tmp, `case-${i}`, c.file), output);
      const onDisk = await lint({ cwd: path.join(tmp, `case-${i}`), paths: [c.file], rules: [c.rule] });
      expect(onDisk.results[0]!.diagnostics).toEqual([]);
    });
  });

  it('both Avro rules on one field: one pass applies one of their identical fixes, the next finds nothing', async () => {
    const c: Case = { name: '', rule: avroFieldDefault, file: 'a.avsc', input: avsc(['{"name": "c", "type": ["string", "null"]}']) };
    const dir = path.join(tmp, 'both');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, c.file), c.input);
    const outcome = await lint({ cwd: dir, paths: [c.file], rules: [avroFieldDefault, avroUnionNullFirst], fix: true });
    expect(outcome.results[0]!.output).toBe(avsc(['{"name": "c", "type": ["null", "string"], "default": null}']));
    expect(outcome.results[0]!.diagnostics).toEqual([]);
  });
});

describe('a fix that breaks parsing', () => {
  // a rule whose fix writes text the parser rejects: the file keeps its text from before that pass
  const breaking = defineRule<'m', Record<string, never>>({
    meta: {
      id: 'breaks', description: 'd', defaultSeverity: 'error', category: 'hygiene', formats: ['protobuf'], rationale: 'r',
      messages: { m: 'm' }, examples: {}, fixable: 'never safely',
    },
    create: (ctx) => ({
      record(record) {
        const at = ctx.document.text.indexOf('{');
        ctx.report({ messageId: 'm', node: record, fix: { range: [at, at + 1], text: '{ =' } });
      },
    }),
  });

  it('is undone and the finding stays reported', async () => {
    const dir = path.join(tmp, 'breaking');
    mkdirSync(dir, { recursive: true });
    const text = 'syntax = "proto3";\npackage acme.v1;\n\nmessage A {\n  string id = 1;\n}\n';
    writeFileSync(path.join(dir, 'a.proto'), text);
    const outcome = await lint({ cwd: dir, paths: ['a.proto'], rules: [breaking as unknown as Rule], fix: true });
    expect(outcome.results[0]!.output).toBeUndefined();
    expect(outcome.results[0]!.diagnostics.map((d) => d.ruleId)).toEqual(['breaks']);
  });
});

describe('applyFixes', () => {
  const d = (range: [number, number], text: string): Diagnostic => ({
    ruleId: 'r', severity: 'error', message: 'm', location: { file: 'f' }, fix: { range, text },
  });

  it('applies fixes in text order and defers one that overlaps or touches an earlier one', () => {
    const r = applyFixes('abcdef', [d([4, 5], 'E'), d([0, 1], 'A'), d([1, 2], 'X'), d([3, 3], '+')]);
    expect(r.output).toBe('Abc+dEf');
    expect(r.fixed.map((x) => x.fix!.text)).toEqual(['A', '+', 'E']);
    expect(r.remaining.map((x) => x.fix!.text)).toEqual(['X']);
  });

  it('mergeEdits keeps the text between edits', () => {
    expect(mergeEdits('0123456789', [{ range: [7, 8], text: 'S' }, { range: [2, 2], text: '>' }])).toEqual({ range: [2, 8], text: '>23456S' });
  });
});
