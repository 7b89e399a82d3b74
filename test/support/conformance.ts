// Loads the shared conformance corpus (../shared/conformance/cases.jsonl beside the repository). The
// cases stay outside the repository because parts are under the Confluent Community License.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Where the corpus lives: `<repo root>/../shared/conformance`, wherever the repository is cloned. */
export const conformanceDir = path.resolve(repoRoot, '../shared/conformance');

let cache: ConformanceCase[] | undefined;

export function loadConformanceCases(): ConformanceCase[] {
  if (!cache) {
    const file = path.join(conformanceDir, 'cases.jsonl');
    const text = readFileSync(file, 'utf8');
    cache = text
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
  return cache;
}

export function conformanceCases(format: ConformanceCase['format']): ConformanceCase[] {
  return loadConformanceCases().filter((c) => c.format === format);
}

/** Sorted copy, for comparing lists whose upstream order follows Java hash iteration. */
export function multiset<T>(items: readonly T[]): T[] {
  return [...items].map((x) => JSON.stringify(x)).sort().map((s) => JSON.parse(s) as T);
}
