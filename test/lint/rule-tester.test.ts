import { describe, expect, it } from 'vitest';
import { RuleTester, type RuleTests } from '../../src/lint/rule-tester.js';
import type { Rule } from '../../src/lint/rule.js';
import { noStringStatus, oneFile } from './fixtures/rules.js';

class Outcomes {
  readonly list: Array<[string, string | undefined]> = [];
  get size(): number {
    return this.list.length;
  }
  get(name: string): string | undefined {
    return this.list.find(([k]) => k === name)?.[1];
  }
  keys(): string[] {
    return this.list.map(([k]) => k);
  }
  entries(): Array<[string, string | undefined]> {
    return this.list;
  }
}

/** Runs a RuleTester table with a collecting describe/it and returns each generated test's outcome. */
function collect(rule: Rule, tests: RuleTests): Outcomes {
  const outcomes = new Outcomes();
  const stack: string[] = [];
  const tester = new RuleTester({
    describe: (name, fn) => {
      stack.push(name);
      fn();
      stack.pop();
    },
    it: (name, fn) => {
      let error: string | undefined;
      try {
        fn();
      } catch (e) {
        error = (e as Error).message;
      }
      outcomes.list.push([[...stack, name].join(' > '), error]);
    },
  });
  tester.run(rule, tests);
  return outcomes;
}

const rule = noStringStatus as unknown as Rule;
const rec = (fields: string): string => `{"type":"record","name":"A","namespace":"x","fields":[${fields}]}`;

describe('RuleTester', () => {
  it('passes correct tables and checks the meta examples', () => {
    const out = collect(rule, {
      avro: {
        valid: [rec('{"name":"n","type":"int"}'), { schema: rec('{"name":"status","type":"int"}'), name: 'int status' }],
        invalid: [
          { schema: rec('{"name":"status","type":"string"}'), errors: [{ messageId: 'stringStatus', line: 1, symbol: 'x.A.status', data: { name: 'status' } }] },
          { schema: rec('{"name":"st","type":"string"}'), options: { suffix: 'st' }, errors: [{ messageId: 'stringStatus' }] },
        ],
      },
      protobuf: {
        valid: ['syntax = "proto3";\nmessage A { int32 status = 1; }\n'],
        invalid: [{ schema: 'syntax = "proto3";\nmessage A {\n  string status = 1;\n}\n', errors: [{ messageId: 'stringStatus', line: 3, column: 10, endColumn: 16 }] }],
      },
    });
    expect([...out.entries()].filter(([, e]) => e !== undefined)).toEqual([]);
    expect([...out.keys()]).toContain('no-string-status > meta examples > avro: the invalid example has a finding');
    expect(out.size).toBe(6 + 6);
  });

  it('rejects duplicates, invalid cases without errors, valid cases with errors, unknown message ids, wrong positions', () => {
    const dupe = rec('{"name":"n","type":"int"}');
    const out = collect(rule, {
      avro: {
        valid: [dupe, dupe, { schema: rec('{"name":"status","type":"string"}'), name: 'really invalid' }],
        invalid: [
          { schema: rec('{"name":"a_status","type":"string"}'), name: 'no errors', errors: [] },
          { schema: rec('{"name":"b_status","type":"string"}'), name: 'unknown id', errors: [{ messageId: 'nope' }] },
          { schema: rec('{"name":"c_status","type":"string"}'), name: 'wrong line', errors: [{ messageId: 'stringStatus', line: 7 }] },
          { schema: rec('{"name":"d_status","type":"string"}'), name: 'too many', errors: [{ messageId: 'stringStatus' }, { messageId: 'stringStatus' }] },
          { schema: '{"type":', name: 'broken fixture', errors: [{ messageId: 'stringStatus' }] },
        ],
      },
    });
    const err = (suffix: string): string | undefined => [...out.entries()].find(([k]) => k.endsWith(suffix))?.[1];
    expect([...out.entries()].filter(([k]) => k.includes('valid > {"type"')).map(([, e]) => e)).toEqual([undefined, 'duplicate test case (already listed as valid)']);
    expect(err('really invalid')).toMatch(/expected no findings, got 1/);
    expect(err('no errors')).toMatch(/at least one expected error/);
    expect(err('unknown id')).toMatch(/unknown messageId "nope"/);
    expect(err('wrong line')).toMatch(/line 1, expected 7/);
    expect(err('too many')).toMatch(/expected 2 finding\(s\), got 1/);
    expect(err('broken fixture')).toMatch(/does not parse/);
  });

  it('fails when a meta example does not behave as documented', () => {
    const lying = { ...rule, meta: { ...rule.meta, examples: { ...rule.meta.examples, avro: { valid: rec('{"name":"status","type":"string"}'), invalid: rec('{"name":"n","type":"int"}') } } } } as Rule;
    const out = collect(lying, {});
    expect(out.get('no-string-status > meta examples > avro: the valid example has no finding')).toMatch(/has findings/);
    expect(out.get('no-string-status > meta examples > avro: the invalid example has a finding')).toMatch(/no finding/);
  });

  it('gives stream-check rules a stream, and supports extra files and explicit streams', () => {
    const out = collect(oneFile as unknown as Rule, {
      avro: {
        valid: [{ schema: rec(''), streams: [{ topic: 't', kind: 'stage', schemas: ['input.avsc', 'b.avsc'] }], files: { 'b.avsc': rec('').replace('"A"', '"B"') } }],
        invalid: [{
          schema: rec(''),
          files: { 'b.avsc': rec('').replace('"A"', '"B"') },
          streams: [{ topic: 't', schemas: ['input.avsc', 'b.avsc'] }],
          errors: [{ messageId: 'many', file: 'b.avsc', data: { count: 2 } }, { messageId: 'many', data: { topic: 't' } }],
        }],
      },
    });
    // the fixture's meta examples are not meant to trigger; only the tables matter here
    expect([...out.entries()].filter(([k, e]) => !k.includes('meta examples') && e !== undefined)).toEqual([]);
  });
});
