// No rule may cost more than linear in the schema's size: every bundled rule lints a generated schema
// of N and of 4N types, and the larger must take less than 10× the smaller (a quadratic rule takes
// 16×). Each time is the process's CPU time (other processes on a busy machine do not count), the best
// of several runs (a garbage collection in one run does not count either).
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/config/rules.js';
import { parseSchemaText } from '../../src/formats/index.js';
import { runLint } from '../../src/lint/engine.js';
import type { Rule } from '../../src/lint/rule.js';
import type { LintTarget, StreamSetting } from '../../src/lint/types.js';

const rules = await loadRules();

/** N event messages with the features the rules look at: times, money, enums, oneofs, gaps, services. */
function protoSchema(n: number): string {
  const out = ['syntax = "proto3";', 'package acme.gen.v1;', 'import "google/protobuf/timestamp.proto";', ''];
  for (let i = 0; i < n; i++) {
    out.push(
      `// Event ${i}.`,
      `message Thing${i}Changed {`,
      '  reserved 7;',
      `  string thing_id = 1;`,
      `  string status = 2; // One of PENDING, DONE.`,
      `  double amount = 3;`,
      `  string created_at = 4;`,
      `  bytes blob = 5;`,
      `  map<string, string> payload = 6;`,
      `  google.protobuf.Timestamp updated_at = 9;`,
      `  int64 hashed_${i} = ${100000 + i * 997};`,
      `  oneof change { Thing${i}Placed placed = 10; Thing${i}Removed removed = 11; }`,
      `  message Thing${i}Placed { string sku = 1; }`,
      `  message Thing${i}Removed { string reason = 1; }`,
      `  enum Kind${i} { KIND${i}_ZERO = 0; KIND${i}_ONE = 1; }`,
      '}',
      `message Get${i}Request { string name = 1; }`,
    );
  }
  out.push('service Things {');
  for (let i = 0; i < n; i++) out.push(`  rpc Get${i}(Get${i}Request) returns (Thing${i}Changed);`);
  out.push('}', '');
  return out.join('\n');
}

/** One Avro record of N fields, each a small nested record, union or primitive. */
function avroSchema(n: number): string {
  const fields: unknown[] = [];
  for (let i = 0; i < n; i++) {
    fields.push(
      { name: `status_${i}`, type: 'string', doc: 'One of PENDING, DONE.' },
      { name: `amount_${i}`, type: 'double' },
      { name: `created_at_${i}`, type: ['null', 'long'], default: null },
      { name: `item_${i}`, type: { type: 'record', name: `Item${i}`, fields: [{ name: 'sku', type: 'string' }, { name: 'blob', type: 'bytes' }] } },
      { name: `change_${i}`, type: [{ type: 'record', name: `Placed${i}ed`, fields: [] }, { type: 'record', name: `Removed${i}ed`, fields: [] }] },
      { name: `kind_${i}`, type: { type: 'enum', name: `Kind${i}`, symbols: ['A', 'B'] } },
    );
  }
  return JSON.stringify({ type: 'record', name: 'ThingChanged', namespace: 'com.acme.gen.v1', fields });
}

/** An Avro IDL protocol of N top-level records, enums and fixeds (rules that look types up by name). */
function avdlSchema(n: number): string {
  const out = ['@namespace("com.acme.gen")', 'protocol Things {'];
  for (let i = 0; i < n; i++) {
    out.push(
      `  enum Kind${i} { A, B }`,
      `  fixed Hash${i}(16);`,
      `  record Thing${i}Changed { string status; double amount; union { null, long } created_at; Kind${i} kind; Hash${i} hash; bytes blob; }`,
    );
  }
  out.push('}', '');
  return out.join('\n');
}

function targetFor(file: string, text: string): LintTarget {
  const parsed = parseSchemaText(file, text, {});
  if (parsed.document === undefined) throw new Error(`generated ${file} does not parse: ${parsed.problems[0]?.message ?? ''}`);
  return { file, configRelative: file, document: parsed.document, problems: [] };
}

/** Best of `runs` CPU times (ms) of linting the target with only `rule` on (as an error), in a store stream. */
function lintTime(rule: Rule, target: LintTarget, runs: number): number {
  const streams: StreamSetting[] = [{ topic: 'things', kind: 'store', schemas: [{ ref: target.file, file: target.file }] }];
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const t0 = process.cpuUsage();
    runLint({ targets: [target], rules: [rule], settings: { rules: { [rule.meta.id]: { severity: 'error' } }, overrides: [], streams } });
    const used = process.cpuUsage(t0);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const N = 150;
const inputs = [
  { format: 'protobuf', small: targetFor('gen.proto', protoSchema(N)), large: targetFor('gen.proto', protoSchema(4 * N)) },
  { format: 'avro', small: targetFor('gen.avsc', avroSchema(N)), large: targetFor('gen.avsc', avroSchema(4 * N)) },
  { format: 'avro', small: targetFor('gen.avdl', avdlSchema(4 * N)), large: targetFor('gen.avdl', avdlSchema(16 * N)) },
] as const;

describe('every rule costs linear time in the schema size', () => {
  for (const input of inputs) {
    const applicable = rules.filter((r) => r.meta.formats.includes(input.format));
    it.each(applicable.map((r) => [r.meta.id, r] as const))(`%s on ${input.small.file}: 4N types take < 10x N`, (_id, rule) => {
      lintTime(rule, input.small, 2); // warm-up: JIT and lazy indexes
      const small = lintTime(rule, input.small, 5);
      const large = lintTime(rule, input.large, 5);
      // below 5 ms the timer and a GC pause dominate (seen failing at a 3 ms floor on a busy 2-core machine);
      // a quadratic rule is 16x at 4N, far above the bound once it costs anything measurable
      expect(large, `N: ${small.toFixed(2)} ms, 4N: ${large.toFixed(2)} ms`).toBeLessThan(10 * Math.max(small, 5));
    });
  }

  it('proto-reserve-removed does not walk the numbers between fields (`b = 536870911` under 50 ms)', () => {
    const rule = rules.find((r) => r.meta.id === 'proto-reserve-removed') as Rule;
    const text = 'syntax = "proto3";\npackage acme.gen.v1;\nmessage Sparse {\n  string a = 1;\n  string b = 536870911;\n  string c = 3373707;\n}\n';
    const target = targetFor('sparse.proto', text);
    lintTime(rule, target, 1);
    expect(lintTime(rule, target, 3)).toBeLessThan(50);
  });
});
