// A removed Protobuf field must leave its number *and* name reserved, or a later field can reuse the
// number with another type (silent corruption) or the name (broken JSON). Lint sees one version only,
// so it checks what it can: gaps in the numbering and reservations that cover only half.
import { defineRule } from '../src/lint/rule.js';
import type { RecordType, SchemaDocument } from '../src/model/types.js';

type Options = {
  /** report gaps in field numbers that no `reserved` covers */
  gaps: boolean;
  /** a run of more unreserved numbers than this between two fields is deliberate numbering, not a removal */
  maxGap: number;
};

/** 19000-19999 is reserved for the Protobuf implementation and never a gap. */
const IMPL_RESERVED: [number, number] = [19000, 19999];
const DEFAULT_MAX_GAP = 8;

/** Reserved and extension ranges plus the implementation range, sorted and merged: numbers a gap may skip. */
function coveredRanges(record: RecordType): Array<[number, number]> {
  const ranges = [...(record.reserved?.ranges ?? []), ...(record.extensionRanges ?? []), IMPL_RESERVED]
    .sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [a, b] of ranges) {
    const last = merged[merged.length - 1];
    if (last !== undefined && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/**
 * Unreserved runs of numbers between consecutive fields (and before the first), computed from the
 * range ends: the cost is the sort of the field numbers and reservations, never the size of a gap,
 * so `b = 536870911` costs what `b = 2` does. A run longer than `maxGap` is not reported: removals
 * leave a few holes, while longer runs are blocks (`= 100`, `= 1000`) or hashed numbers.
 */
export function gapsOf(record: RecordType, maxGap: number, group?: GroupNumbering): Array<[number, number]> {
  const numbers = record.fields.map((f) => f.number);
  // a proto2 group's fields take the numbers after the group's own, in the enclosing message's sequence
  if (group !== undefined) numbers.push(...(group.inner.get(record.fullName) ?? []));
  const used = [...new Set(numbers.filter((n): n is number => n !== undefined && n >= 1))].sort((a, b) => a - b);
  const covered = coveredRanges(record);
  const gaps: Array<[number, number]> = [];
  let c = 0;
  let expect = (group?.numberOf.get(record.fullName) ?? 0) + 1;
  for (const n of used) {
    // the unreserved pieces of [expect, n - 1]
    const pieces: Array<[number, number]> = [];
    let count = 0;
    let at = expect;
    while (at < n) {
      while (c < covered.length && (covered[c] as [number, number])[1] < at) c++;
      const cov = covered[c];
      if (cov === undefined || cov[0] >= n) {
        pieces.push([at, n - 1]);
        count += n - at;
        break;
      }
      if (cov[0] > at) {
        pieces.push([at, cov[0] - 1]);
        count += cov[0] - at;
      }
      at = cov[1] + 1;
    }
    if (count > 0 && count <= maxGap) gaps.push(...pieces);
    expect = n + 1;
  }
  return gaps;
}

/** proto2 groups of a document: a group's field number, and the numbers its fields take in its parent. */
export interface GroupNumbering {
  /** group message → number of the group field */
  numberOf: Map<string, number>;
  /** enclosing message → field numbers used inside its groups */
  inner: Map<string, number[]>;
}

function groupNumbering(doc: SchemaDocument): GroupNumbering {
  const numberOf = new Map<string, number>();
  const inner = new Map<string, number[]>();
  const byName = new Map<string, RecordType>();
  for (const t of doc.types) if (t.kind === 'record') byName.set(t.fullName, t);
  for (const rec of byName.values()) {
    for (const f of rec.fields) {
      // `optional group Data = 201 { … }` declares message `Data` inside and field `data` of that type
      if (f.group !== true || f.type.kind !== 'ref' || f.number === undefined) continue;
      const target = byName.get(f.type.fullName);
      if (target === undefined) continue;
      numberOf.set(target.fullName, f.number);
      let list = inner.get(rec.fullName);
      if (list === undefined) inner.set(rec.fullName, (list = []));
      for (const g of target.fields) if (g.number !== undefined) list.push(g.number);
    }
  }
  return { numberOf, inner };
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
      'reports short gaps in the numbering that no `reserved` covers (a likely removal) and reservations that list ' +
      'numbers without names or names without numbers. A run of more than `maxGap` (default 8) unused numbers ' +
      'between two fields is taken for deliberate numbering — blocks starting at 100 or 1000, hashed or generated ' +
      'numbers — and not reported. The compatibility checker catches actual removals.',
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
      properties: {
        gaps: { type: 'boolean', description: 'report unreserved gaps in field numbers' },
        maxGap: {
          type: 'integer', minimum: 1,
          description: 'longest run of unused numbers between two fields still taken for a removal; longer runs are deliberate numbering',
        },
      },
    },
    defaultOptions: { gaps: true, maxGap: DEFAULT_MAX_GAP },
    examples: {
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  reserved 2;\n  reserved "coupon";\n  string order_id = 1;\n  string currency_code = 3;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n  string currency_code = 3;\n}\n',
      },
    },
  },
  create(ctx) {
    const checkGaps = ctx.options.gaps ?? true;
    const maxGap = ctx.options.maxGap ?? DEFAULT_MAX_GAP;
    let groups: GroupNumbering | undefined;
    return {
      record(record) {
        const reserved = record.reserved;
        // `reserved 1000 to max;` or `1 to max` closes a block of numbers by policy; only ranges the size of
        // a removal stand for removed fields, whose names should be reserved too
        const nums = (reserved?.ranges ?? []).filter(([a, b]) => b - a < maxGap);
        const names = reserved?.names ?? [];
        const rangeText = (r: [number, number]): string => (r[0] === r[1] ? `${r[0]}` : `${r[0]} to ${r[1]}`);
        if (nums.length > 0 && names.length === 0) {
          ctx.report({
            messageId: 'numbersWithoutNames',
            node: record,
            data: { record: record.name, numbers: nums.map(rangeText).join(', ') },
          });
        } else if (names.length > 0 && (reserved?.ranges.length ?? 0) === 0) {
          ctx.report({
            messageId: 'namesWithoutNumbers',
            node: record,
            data: { record: record.name, names: names.map((n) => `"${n}"`).join(', ') },
          });
        }
        if (!checkGaps) return;
        groups ??= groupNumbering(ctx.document);
        const gaps = gapsOf(record, maxGap, groups);
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
