// A removed Protobuf field must leave its number *and* name reserved, or a later field can reuse the
// number with another type (silent corruption) or the name (broken JSON). Lint sees one version only,
// so it checks what it can: gaps in the numbering and reservations that cover only half.
import { defineRule } from '../src/lint/rule.js';
import type { RecordType } from '../src/model/types.js';

type Options = {
  /** report gaps in field numbers that no `reserved` covers */
  gaps: boolean;
};

/** 19000-19999 is reserved for the Protobuf implementation and never a gap. */
const IMPL_RESERVED: [number, number] = [19000, 19999];

function covered(n: number, record: RecordType): boolean {
  if (n >= IMPL_RESERVED[0] && n <= IMPL_RESERVED[1]) return true;
  return (record.reserved?.ranges ?? []).some(([a, b]) => n >= a && n <= b);
}

function gapsOf(record: RecordType): Array<[number, number]> {
  const used = [...new Set(record.fields.map((f) => f.number).filter((n): n is number => n !== undefined))].sort((a, b) => a - b);
  const gaps: Array<[number, number]> = [];
  let expect = 1;
  for (const n of used) {
    let start = -1;
    for (let k = expect; k < n; k++) {
      if (covered(k, record)) {
        if (start >= 0) gaps.push([start, k - 1]);
        start = -1;
      } else if (start < 0) {
        start = k;
      }
    }
    if (start >= 0) gaps.push([start, n - 1]);
    expect = n + 1;
  }
  return gaps;
}

export default defineRule<'gap' | 'numbersWithoutNames' | 'namesWithoutNumbers', Options>({
  meta: {
    id: 'proto-reserve-removed',
    description: 'Removed Protobuf fields leave both their number and their name reserved',
    defaultSeverity: 'warn',
    category: 'evolution',
    formats: ['protobuf'],
    rationale:
      'Protobuf identifies a field on the wire by number and in JSON by name. Deleting a field without reserving ' +
      'both lets a later change reuse the number with another type — old data then decodes into the wrong field — ' +
      'or reuse the name, which breaks JSON readers. A single version cannot show what was removed, so this rule ' +
      'reports gaps in the numbering that no `reserved` covers (a likely removal) and reservations that list ' +
      'numbers without names or names without numbers. The compatibility checker catches actual removals.',
    messages: {
      gap:
        'Message `{{record}}` skips field number{{plural}} {{numbers}} without reserving {{them}}; if a field was ' +
        'removed there, a later field can reuse the number and misread old data. Add `reserved {{numbers}};` and ' +
        'reserve the removed field\'s name too.',
      numbersWithoutNames:
        'Message `{{record}}` reserves numbers ({{numbers}}) but no names, so a removed field\'s name can come back ' +
        'with another meaning and break JSON readers. Add `reserved "<old_name>";` for each removed field.',
      namesWithoutNumbers:
        'Message `{{record}}` reserves names ({{names}}) but no numbers, so a removed field\'s number can be reused ' +
        'and old data misread. Add `reserved <old number>;` for each removed field.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { gaps: { type: 'boolean', description: 'report unreserved gaps in field numbers' } },
    },
    defaultOptions: { gaps: true },
    examples: {
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  reserved 2;\n  reserved "coupon";\n  string order_id = 1;\n  string currency_code = 3;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n  string currency_code = 3;\n}\n',
      },
    },
  },
  create(ctx) {
    const checkGaps = ctx.options.gaps ?? true;
    return {
      record(record) {
        const reserved = record.reserved;
        const nums = reserved?.ranges ?? [];
        const names = reserved?.names ?? [];
        const rangeText = (r: [number, number]): string => (r[0] === r[1] ? `${r[0]}` : `${r[0]} to ${r[1]}`);
        if (nums.length > 0 && names.length === 0) {
          ctx.report({
            messageId: 'numbersWithoutNames',
            node: record,
            data: { record: record.name, numbers: nums.map(rangeText).join(', ') },
          });
        } else if (names.length > 0 && nums.length === 0) {
          ctx.report({
            messageId: 'namesWithoutNumbers',
            node: record,
            data: { record: record.name, names: names.map((n) => `"${n}"`).join(', ') },
          });
        }
        if (!checkGaps) return;
        const gaps = gapsOf(record);
        if (gaps.length === 0) return;
        const count = gaps.reduce((s, [a, b]) => s + b - a + 1, 0);
        ctx.report({
          messageId: 'gap',
          node: record,
          data: {
            record: record.name,
            numbers: gaps.map(rangeText).join(', '),
            plural: count > 1 ? 's' : '',
            them: count > 1 ? 'them' : 'it',
          },
        });
      },
    };
  },
});
