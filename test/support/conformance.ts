// Conformance cases for the compatibility checker. The Avro cases from Apache Avro's and Karapace's test
// suites (Apache-2.0) live in the repository (test/compat/cases/, with their attribution); the cases
// derived from the Confluent Schema Registry's suites stay outside it, under the Confluent Community
// License, in ../shared/conformance beside the clone. Tests that need them skip, with a visible line,
// when that folder is absent: a fresh clone passes its own tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';

export interface ConformanceReference {
  name: string;
  subject?: string;
  version?: number;
  schema: string | null;
  note?: string;
}

export interface ConformanceCase {
  id: string;
  source: string;
  format: 'AVRO' | 'PROTOBUF' | 'JSON';
  level: string;
  previous: string[];
  candidate: string;
  compatible: boolean;
  messages: string[];
  messages_kind?: 'differences' | 'incompatibilities';
  messages_exact?: boolean;
  paths?: string[];
  details?: string[];
  engine_messages?: string[];
  engine_paths?: string[];
  compatible_lenient?: boolean;
  description?: string;
  source_index?: number;
  previous_references?: ConformanceReference[][];
  candidate_references?: ConformanceReference[];
  notes?: string;
  verified?: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Material kept beside the repository: `<repo root>/../shared`, wherever the repository is cloned.
 * SCHEMACTL_TEST_SHARED_DIR points elsewhere; CI sets it to a missing folder to prove the fresh-clone path.
 */
export const sharedDir = process.env.SCHEMACTL_TEST_SHARED_DIR
  ? path.resolve(process.env.SCHEMACTL_TEST_SHARED_DIR)
  : path.resolve(repoRoot, '../shared');
export const conformanceDir = path.join(sharedDir, 'conformance');
/** Real-world schema trees (googleapis, protobuf, apache/avro) for parity tests. */
export const corporaDir = path.join(sharedDir, 'corpora');

export const hasSharedConformance = existsSync(path.join(conformanceDir, 'cases.jsonl'));
export const hasSharedCorpora = existsSync(corporaDir);

/** The cases in the repository: test/compat/cases/*.jsonl. */
export const bundledCasesDir = path.join(repoRoot, 'test/compat/cases');

/** Cases derived from the Confluent Schema Registry's suites, per format (counts of ../shared/conformance/cases.jsonl). */
export const CONFLUENT_CASE_COUNTS = { AVRO: 33, PROTOBUF: 55, JSON: 263 } as const;

function readJsonl(file: string): ConformanceCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as ConformanceCase;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not valid JSON (${(e as Error).message})`);
      }
    });
}

let sharedCache: ConformanceCase[] | undefined;
let bundledCache: ConformanceCase[] | undefined;

/** Every case of ../shared/conformance/cases.jsonl; empty when the folder is absent. */
export function loadSharedCases(): ConformanceCase[] {
  if (!hasSharedConformance) return [];
  sharedCache ??= readJsonl(path.join(conformanceDir, 'cases.jsonl'));
  return sharedCache;
}

/** The Apache-2.0 Avro cases kept in the repository. */
export function loadBundledCases(): ConformanceCase[] {
  bundledCache ??= readdirSync(bundledCasesDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readJsonl(path.join(bundledCasesDir, f)));
  return bundledCache;
}

export const isConfluentDerived = (c: ConformanceCase): boolean => c.source.startsWith('confluentinc/');

/** The Confluent-derived cases of a format from ../shared/conformance; empty when it is absent. */
export function confluentCases(format: ConformanceCase['format']): ConformanceCase[] {
  return loadSharedCases().filter((c) => c.format === format && isConfluentDerived(c));
}

/** Every case of a format this checkout can run: the bundled ones, plus the Confluent-derived ones when present. */
export function conformanceCases(format: ConformanceCase['format']): ConformanceCase[] {
  return [...loadBundledCases().filter((c) => c.format === format), ...confluentCases(format)];
}

/**
 * For tests that need ../shared: when it is absent, prints a line saying what is skipped and registers a
 * skipped test of that name, so the skip shows in the run and in its report. Returns whether to run.
 */
export function requireShared(what: 'conformance' | 'corpora', skipped: string): boolean {
  const present = what === 'conformance' ? hasSharedConformance : hasSharedCorpora;
  if (present) return true;
  const line = `../shared/${what} absent (${path.join(sharedDir, what)}): ${skipped} skipped`;
  console.warn(`SKIP ${line}`);
  it.skip(line, () => {});
  return false;
}

/** Sorted copy, for comparing lists whose upstream order follows Java hash iteration. */
export function multiset<T>(items: readonly T[]): T[] {
  return [...items].map((x) => JSON.stringify(x)).sort().map((s) => JSON.parse(s) as T);
}
