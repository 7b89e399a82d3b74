// Every PROTOBUF case of the shared conformance corpus (Confluent's own diff fixtures), run through the
// pair checker and through the level dispatcher. The corpus lists every difference the registry's diff
// reports, compatible ones included, so the full difference list is compared, not just the verdict.
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../src/compat/index.js';
import { checkProtobufPair } from '../../src/compat/protobuf/index.js';
import type { ProtobufReference } from '../../src/compat/protobuf/index.js';
import { CONFLUENT_CASE_COUNTS, conformanceCases, multiset, requireShared } from '../support/conformance.js';
import type { ConformanceCase, ConformanceReference } from '../support/conformance.js';

const cases = conformanceCases('PROTOBUF');

/**
 * Cases we believe wrong at their source, with the reason. They still run: the test asserts the
 * documented deviation so a change in either side is noticed.
 */
const EXCEPTIONS: ReadonlyMap<string, string> = new Map();

function refs(list: ConformanceReference[] | undefined): ProtobufReference[] | undefined {
  if (!list) return undefined;
  return list.map((r) => {
    const ref: ProtobufReference = { name: r.name, schema: r.schema };
    if (r.subject !== undefined) ref.subject = r.subject;
    if (r.version !== undefined) ref.version = r.version;
    return ref;
  });
}

function pair(c: ConformanceCase) {
  const last = c.previous.length - 1;
  const writerRefs = refs(c.previous_references?.[last]);
  const readerRefs = refs(c.candidate_references);
  return checkProtobufPair(
    readerRefs ? { text: c.candidate, references: readerRefs, file: 'candidate.proto' } : { text: c.candidate, file: 'candidate.proto' },
    writerRefs ? { text: c.previous[last]!, references: writerRefs, file: 'previous.proto' } : { text: c.previous[last]!, file: 'previous.proto' },
  );
}

function expected(c: ConformanceCase): Array<{ type: string; path: string }> {
  return c.messages.map((type, i) => ({ type, path: c.paths?.[i] ?? '' }));
}

// Without ../shared the project's own cases still cover every difference type (protobuf-pair.test.ts).
const run = requireShared('conformance', `the ${CONFLUENT_CASE_COUNTS.PROTOBUF} Confluent-derived PROTOBUF cases`);

describe.runIf(run)('Protobuf conformance corpus: checkProtobufPair', () => {
  it('has the 55 cases of the corpus', () => {
    expect(cases).toHaveLength(55);
    expect(cases.every((c) => c.level === 'BACKWARD' && c.messages_kind === 'differences' && c.messages_exact)).toBe(true);
  });

  for (const c of cases) {
    const note = EXCEPTIONS.get(c.id);
    it(`${c.id}: ${c.description ?? ''}${note ? ' (documented exception)' : ''}`, () => {
      const result = pair(c);
      expect(result.problems).toBeUndefined();
      const got = result.differences.map((d) => ({ type: d.type, path: d.path }));
      expect(result.compatible).toBe(c.compatible);
      expect(multiset(got)).toEqual(multiset(expected(c)));
      // Only incompatible differences become registry messages.
      expect(result.messages.map((m) => m.type)).toEqual(
        result.differences.filter((d) => !d.compatible).map((d) => d.type),
      );
      for (const m of result.messages) expect(m.message).toMatch(/^\{errorType:"[A-Z_]+", description:".*"\}$/);
    });
  }

  it('reproduces the registry order of differences, not only the multiset', () => {
    const outOfOrder = cases
      .filter((c) => !EXCEPTIONS.has(c.id))
      .filter((c) => JSON.stringify(pair(c).differences.map((d) => ({ type: d.type, path: d.path }))) !== JSON.stringify(expected(c)))
      .map((c) => c.id);
    expect(outOfOrder).toEqual([]);
  });
});

describe.runIf(run)('Protobuf conformance corpus: checkCompatibility', () => {
  for (const c of cases) {
    it(`${c.id}`, async () => {
      const req: Parameters<typeof checkCompatibility>[0] = {
        format: 'PROTOBUF',
        level: c.level,
        previous: c.previous,
        candidate: c.candidate,
      };
      const readerRefs = c.candidate_references?.filter((r) => r.schema !== null);
      if (readerRefs) req.references = readerRefs.map((r) => ({ name: r.name, schema: r.schema as string }));
      if (c.previous_references) {
        req.previousReferences = c.previous_references.map((list) =>
          list.filter((r) => r.schema !== null).map((r) => ({ name: r.name, schema: r.schema as string })),
        );
      }
      const result = await checkCompatibility(req);
      expect(result.compatible).toBe(c.compatible);
      const incompatible = expected(c).filter((_, i) => !PROTOBUF_COMPATIBLE.has(c.messages[i]!));
      expect(multiset(result.messages.map((m) => ({ type: m.type, path: m.path })))).toEqual(multiset(incompatible));
    });
  }
});

const PROTOBUF_COMPATIBLE: ReadonlySet<string> = new Set([
  'MESSAGE_ADDED', 'MESSAGE_MOVED', 'ENUM_ADDED', 'ENUM_REMOVED', 'ENUM_CONST_ADDED', 'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED', 'FIELD_ADDED', 'FIELD_REMOVED', 'FIELD_NAME_CHANGED', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED', 'ONEOF_REMOVED', 'ONEOF_FIELD_ADDED', 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL',
]);
