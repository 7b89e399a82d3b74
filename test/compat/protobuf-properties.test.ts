// Properties over every schema text of the conformance corpus: a schema never differs from itself,
// any two schemas can be diffed without throwing, the verdict always follows the compatible-change
// set, and FORWARD is exactly BACKWARD with the arguments swapped.
import { describe, expect, it } from 'vitest';
import { PROTOBUF_COMPATIBLE_CHANGES, checkProtobufPair } from '../../src/compat/protobuf/index.js';
import type { ProtobufDifferenceType, ProtobufSchemaInput } from '../../src/compat/protobuf/index.js';
import { CONFLUENT_CASE_COUNTS, conformanceCases, requireShared } from '../support/conformance.js';

const inputs: ProtobufSchemaInput[] = [];
for (const c of conformanceCases('PROTOBUF')) {
  const last = c.previous.length - 1;
  inputs.push({ text: c.previous[last]!, references: c.previous_references?.[last] ?? [] });
  inputs.push({ text: c.candidate, references: c.candidate_references ?? [] });
}

describe.runIf(requireShared('conformance', `diff properties over the schemas of the ${CONFLUENT_CASE_COUNTS.PROTOBUF} Confluent-derived PROTOBUF cases`))('Protobuf diff properties over the corpus schemas', () => {
  it('finds no difference between a schema and itself', () => {
    const withDiffs = inputs
      .map((s, i) => ({ i, d: checkProtobufPair(s, s).differences }))
      .filter((x) => x.d.length > 0);
    expect(withDiffs).toEqual([]);
  });

  it('diffs every pair without throwing, with verdicts that follow the compatible-change set', () => {
    let pairs = 0;
    for (const a of inputs) {
      for (const b of inputs) {
        const r = checkProtobufPair(a, b);
        expect(r.problems).toBeUndefined();
        for (const d of r.differences) {
          expect(d.compatible).toBe(PROTOBUF_COMPATIBLE_CHANGES.has(d.type as ProtobufDifferenceType));
          expect(d.path.startsWith('#/')).toBe(true);
        }
        expect(r.compatible).toBe(r.differences.every((d) => d.compatible));
        expect(r.messages.length).toBe(r.differences.filter((d) => !d.compatible).length);
        pairs++;
      }
    }
    expect(pairs).toBe(inputs.length ** 2);
  });

  it('words FORWARD like BACKWARD with new/old swapped and nothing else', () => {
    for (const a of inputs.slice(0, 30)) {
      for (const b of inputs.slice(0, 30)) {
        const back = checkProtobufPair(a, b);
        const fwd = checkProtobufPair(a, b, { direction: 'forward' });
        expect(fwd.differences).toEqual(back.differences);
        const swap = (s: string) => s.replace(/\b(new|old) schema\b/g, (_m, w: string) => `${w === 'new' ? 'old' : 'new'} schema`);
        expect(fwd.messages.map((m) => m.message)).toEqual(back.messages.map((m) => swap(m.message)));
      }
    }
  });
});
