// Every JSON case of the shared conformance corpus (the Schema Registry's own JSON Schema diff fixtures,
// drafts 7 and 2020-12), run through the pair checker and through the level dispatcher. The corpus lists
// every difference the registry's diff reports, compatible ones included, so the full difference list
// (type and path) is compared, and the LENIENT verdict where the source gives one.
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../src/compat/index.js';
import { checkJsonSchemaPair, COMPATIBLE_STRICT } from '../../src/compat/jsonschema/index.js';
import type { JsonDifferenceType } from '../../src/compat/jsonschema/index.js';
import { CONFLUENT_CASE_COUNTS, conformanceCases, multiset, requireShared } from '../support/conformance.js';
import type { ConformanceCase } from '../support/conformance.js';

const cases = conformanceCases('JSON');

function expected(c: ConformanceCase): Array<{ type: string; path: string }> {
  return c.messages.map((type, i) => ({ type, path: c.paths?.[i] ?? '' }));
}

function pair(c: ConformanceCase, policy?: 'STRICT' | 'LENIENT') {
  const previous = c.previous[c.previous.length - 1]!;
  return checkJsonSchemaPair({ text: c.candidate, file: 'candidate.json' }, { text: previous, file: 'previous.json' }, policy ? { policy } : {});
}

// Without ../shared the project's own cases still cover the checker (test/compat/jsonschema.test.ts).
const run = requireShared('conformance', `the ${CONFLUENT_CASE_COUNTS.JSON} Confluent-derived JSON Schema cases`);

describe.runIf(run)('JSON Schema conformance corpus: checkJsonSchemaPair', () => {
  it('holds the 263 JSON cases (171 compatible, 92 incompatible), all BACKWARD with exact difference lists', () => {
    expect(cases).toHaveLength(263);
    expect(cases.filter((c) => c.compatible)).toHaveLength(171);
    expect(cases.every((c) => c.level === 'BACKWARD' && c.messages_kind === 'differences' && c.messages_exact)).toBe(true);
  });

  for (const c of cases) {
    it(`${c.id}: ${c.description ?? ''}`, () => {
      const result = pair(c);
      expect(result.problems).toBeUndefined();
      expect(multiset(result.differences.map((d) => ({ type: d.type, path: d.path })))).toEqual(multiset(expected(c)));
      expect(result.compatible).toBe(c.compatible);
      // only incompatible differences become registry messages, in the registry's shape
      expect(result.messages.map((m) => m.type)).toEqual(result.differences.filter((d) => !COMPATIBLE_STRICT.has(d.type)).map((d) => d.type));
      for (const m of result.messages) expect(m.registryMessage).toMatch(/^\{errorType:"[A-Z_]+", description:".*'\}$/);
      expect(pair(c, 'LENIENT').compatible).toBe(c.compatible_lenient ?? c.compatible);
    });
  }
});

describe.runIf(run)('JSON Schema conformance corpus: checkCompatibility', () => {
  for (const c of cases) {
    it(`${c.id}`, async () => {
      const result = await checkCompatibility({ format: 'JSON', level: c.level, previous: c.previous, candidate: c.candidate });
      expect(result.compatible).toBe(c.compatible);
      const incompatible = expected(c).filter((d) => !COMPATIBLE_STRICT.has(d.type as JsonDifferenceType));
      expect(multiset(result.messages.map((m) => ({ type: m.type, path: m.path })))).toEqual(multiset(incompatible));
    });
  }
});
