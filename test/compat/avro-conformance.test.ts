// Every AVRO conformance case through checkCompatibility, with avsc's resolver run beside it as a second
// (non-reference) oracle: the Apache Avro and Karapace cases kept in test/compat/cases/, plus the
// Confluent-derived ones of ../shared/conformance when it is present.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../src/compat/index.js';
import type { CompatResult } from '../../src/compat/index.js';
import { CONFLUENT_CASE_COUNTS, conformanceCases, confluentCases, loadBundledCases, loadSharedCases, isConfluentDerived, multiset, requireShared } from '../support/conformance.js';
import type { ConformanceCase } from '../support/conformance.js';

const cases = conformanceCases('AVRO');

/**
 * Cases whose recorded expectation we believe is wrong in its source. They stay in the run, expected
 * to fail, with the reason. Empty: every case reproduces.
 */
const WRONG_IN_SOURCE: Record<string, string> = {};

/**
 * Where avsc's resolver and the registry's engine (Apache Avro Java SchemaCompatibility) part ways.
 * avsc is not the reference (SEMANTICS.md §2.4); each entry says why it differs.
 */
const AVSC_DISAGREES: Record<string, string> = {
  'avro-apache-TestSchemaCompatibility-compatible-19':
    'avsc matches named types by full name; Java compares unqualified names, so Enum1 in namespace1 reads Enum1 without namespace',
  'avro-apache-TestSchemaCompatibility-compatible-20':
    'avsc matches named types by full name; Java compares unqualified names (namespace added)',
  'avro-apache-TestSchemaCompatibility-compatible-21':
    'avsc matches named types by full name; Java compares unqualified names (namespace1 vs namespace2)',
  'avro-apache-TestSchemaCompatibility-compatible-24':
    'avsc refuses to parse an empty union; Java parses it and an empty writer union is readable by anything',
  'avro-apache-TestSchemaCompatibility-compatible-25': 'avsc refuses to parse an empty union (see -24)',
  'avro-apache-TestSchemaCompatibility-compatible-31': 'avsc refuses to parse an empty union (see -24)',
  'avro-apache-TestSchemaCompatibility-compatible-32': 'avsc refuses to parse an empty union (see -24)',
  'avro-apache-TestSchemaCompatibility-compatible-37': 'avsc refuses to parse an empty union (see -24)',
  'avro-apache-TestSchemaCompatibility-compatible-39': 'avsc refuses to parse an empty union (see -24)',
  'avro-apache-TestSchemaCompatibility-compatible-69':
    'nested records in different namespaces (ns1.InnerRecord1 vs ns2.InnerRecord1): avsc needs equal full names, Java compares unqualified names',
  'avro-apache-TestSchemaCompatibility-compatible-70':
    'avsc resolves named types by full name or writer-side aliases; Java compares the unqualified names, so a namespace move needs no alias',
};

function run(c: ConformanceCase): Promise<CompatResult> {
  return checkCompatibility({ format: 'AVRO', level: c.level, previous: c.previous, candidate: c.candidate });
}

function assertCase(c: ConformanceCase, result: CompatResult): void {
  expect(result.compatible, 'verdict').toBe(c.compatible);
  if (c.compatible) {
    expect(result.messages).toEqual([]);
    return;
  }
  expect(result.messages.length, 'an incompatible verdict carries messages').toBeGreaterThan(0);
  if (c.messages_exact) {
    expect(multiset(result.messages.map((m) => m.type)), 'message types').toEqual(multiset(c.messages));
    if (c.paths) {
      expect(multiset(result.messages.map((m) => [m.type, m.path])), 'paths').toEqual(
        multiset(c.messages.map((t, i) => [t, c.paths![i]])),
      );
    }
    if (c.details && c.details.length > 0) {
      expect(multiset(result.messages.map((m) => [m.type, m.path, m.message])), 'details').toEqual(
        multiset(c.messages.map((t, i) => [t, c.paths?.[i], c.details![i]])),
      );
    }
    return;
  }
  // The source asserts only the verdict (and maybe the first location); the Java engine's full answer
  // is recorded beside it and we reproduce that too.
  if (c.engine_messages) {
    expect(multiset(result.messages.map((m) => [m.type, m.path])), 'engine messages').toEqual(
      multiset(c.engine_messages.map((t, i) => [t, c.engine_paths?.[i]])),
    );
  }
  if (c.paths && c.paths.length > 0) expect(result.messages[0]!.path, 'first location').toBe(c.paths[0]);
  if (c.details && c.details.length > 0) expect(result.messages[0]!.message, 'first message').toBe(c.details[0]);
}

describe('AVRO conformance corpus', () => {
  it('holds the 225 Apache Avro and Karapace cases of the repository', () => {
    const bundled = loadBundledCases().filter((c) => c.format === 'AVRO');
    expect(bundled).toHaveLength(225);
    expect(bundled.filter((c) => c.compatible)).toHaveLength(128);
    expect(bundled.filter((c) => !/^(apache\/avro|Aiven-Open\/karapace)@/.test(c.source))).toEqual([]);
  });

  if (requireShared('conformance', `the ${CONFLUENT_CASE_COUNTS.AVRO} Confluent-derived AVRO cases`)) {
    it(`holds the ${CONFLUENT_CASE_COUNTS.AVRO} Confluent-derived cases of ../shared/conformance, 258 in all`, () => {
      expect(confluentCases('AVRO')).toHaveLength(CONFLUENT_CASE_COUNTS.AVRO);
      expect(cases).toHaveLength(258);
      expect(cases.filter((c) => c.compatible)).toHaveLength(153);
    });

    it('the repository copy equals the Apache Avro and Karapace cases of ../shared/conformance', () => {
      const shared = loadSharedCases().filter((c) => c.format === 'AVRO' && !isConfluentDerived(c));
      const byId = (a: ConformanceCase, b: ConformanceCase) => a.id.localeCompare(b.id);
      expect([...loadBundledCases()].sort(byId)).toEqual([...shared].sort(byId));
    });
  }

  for (const c of cases) {
    const reason = WRONG_IN_SOURCE[c.id];
    if (reason) {
      it.fails(`${c.id} (expected to fail: ${reason})`, async () => assertCase(c, await run(c)));
    } else {
      it(`${c.id}: ${c.level} ${c.compatible ? 'compatible' : 'incompatible'}`, async () => assertCase(c, await run(c)));
    }
  }
});

function avscCanRead(reader: string, writer: string): boolean {
  try {
    const r = avro.Type.forSchema(JSON.parse(reader) as avro.Schema);
    const w = avro.Type.forSchema(JSON.parse(writer) as avro.Schema);
    r.createResolver(w);
    return true;
  } catch {
    return false;
  }
}

/** The same level composition, with avsc deciding each pair. */
function avscVerdict(c: ConformanceCase): boolean {
  const level = c.level.toUpperCase();
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const last = c.previous.length - 1;
  const indexes = level.endsWith('_TRANSITIVE') ? c.previous.map((_, i) => last - i) : last >= 0 ? [last] : [];
  return indexes.every(
    (i) => (!forward || avscCanRead(c.previous[i]!, c.candidate)) && (!backward || avscCanRead(c.candidate, c.previous[i]!)),
  );
}

describe('avsc resolver as a second oracle', () => {
  it('every listed disagreement names a corpus case', () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const id of Object.keys(AVSC_DISAGREES)) expect(ids.has(id), id).toBe(true);
  });

  for (const c of cases) {
    const reason = AVSC_DISAGREES[c.id];
    it(`${c.id}: avsc ${reason ? 'disagrees (known)' : 'agrees'}`, async () => {
      const ours = (await run(c)).compatible;
      const theirs = avscVerdict(c);
      if (reason) expect(theirs, reason).toBe(!ours);
      else expect(theirs).toBe(ours);
    });
  }
});
