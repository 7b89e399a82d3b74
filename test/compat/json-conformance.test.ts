// The JSON Schema cases of the shared corpus (all Confluent-derived, so only with ../shared/conformance)
// are run and counted honestly: schemactl does not check JSON Schema compatibility yet, and says so
// clearly instead of guessing a verdict.
import { describe, expect, it } from 'vitest';
import { checkCompatibility, UnsupportedFormatError } from '../../src/compat/index.js';
import { SchemactlError } from '../../src/errors.js';
import { CONFLUENT_CASE_COUNTS, conformanceCases, requireShared } from '../support/conformance.js';

const cases = conformanceCases('JSON');

if (requireShared('conformance', `the ${CONFLUENT_CASE_COUNTS.JSON} Confluent-derived JSON Schema cases`)) describe('JSON Schema conformance corpus (unsupported)', () => {
  it('holds the 263 JSON cases (171 compatible, 92 incompatible)', () => {
    expect(cases).toHaveLength(263);
    expect(cases.filter((c) => c.compatible)).toHaveLength(171);
  });

  for (const c of cases) {
    it(`${c.id}: rejected as unsupported`, async () => {
      const attempt = checkCompatibility({ format: 'JSON', level: c.level, previous: c.previous, candidate: c.candidate });
      await expect(attempt).rejects.toBeInstanceOf(UnsupportedFormatError);
      await expect(attempt).rejects.toBeInstanceOf(SchemactlError);
      await expect(attempt).rejects.toThrow(/^JSON Schema compatibility is not supported yet/);
    });
  }
});
