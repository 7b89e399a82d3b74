// Precision check: the heuristic rules must stay silent on realistic, well-designed schemas.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLint } from '../../src/lint/engine.js';
import { parseAvdl, parseAvsc } from '../../src/formats/avro/index.js';
import { parseProto } from '../../src/formats/protobuf/index.js';
import type { Rule } from '../../src/lint/rule.js';
import preferEnum from '../../rules/prefer-enum.js';
import preferLogicalType from '../../rules/prefer-logical-type.js';
import singlePurposeEvent from '../../rules/single-purpose-event.js';

const CORPUS = join(import.meta.dirname, 'corpus');

function schemaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return schemaFiles(p);
    return /\.(avsc|avdl|proto)$/.test(e.name) ? [p] : [];
  });
}

function parse(file: string) {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.proto')) return parseProto(text, file);
  if (file.endsWith('.avdl')) return parseAvdl(text, file);
  return parseAvsc(text, file);
}

const heuristics: Rule[] = [preferEnum, preferLogicalType, singlePurposeEvent] as unknown as Rule[];
const files = schemaFiles(CORPUS);

describe('precision corpus', () => {
  it('has schemas of every syntax', () => {
    expect(files.filter((f) => f.endsWith('.avsc')).length).toBeGreaterThanOrEqual(5);
    expect(files.filter((f) => f.endsWith('.proto')).length).toBeGreaterThanOrEqual(3);
    expect(files.filter((f) => f.endsWith('.avdl')).length).toBeGreaterThanOrEqual(1);
  });

  it.each(files.map((f) => [relative(CORPUS, f), f]))('%s parses cleanly', (_name, file) => {
    const r = parse(file);
    expect(r.ok ? r.problems : r.problems).toEqual([]);
  });

  for (const rule of heuristics) {
    it(`${rule.meta.id} raises nothing on the corpus`, () => {
      const targets = files.map((file) => {
        const r = parse(file);
        return { file: relative(CORPUS, file), document: r.ok ? r.document : undefined, problems: r.problems };
      });
      const out = runLint({
        targets,
        rules: [rule],
        settings: {
          rules: { [rule.meta.id]: { severity: 'error' } },
          overrides: [],
          streams: targets.map((t) => ({ topic: t.file, kind: 'store' as const, schemas: [{ ref: t.file, file: t.file }] })),
        },
      });
      const falsePositives = out.files.flatMap((f) =>
        f.diagnostics.map((d) => `${f.file}:${d.location.range?.line}:${d.location.range?.column} ${d.message}`));
      expect(falsePositives).toEqual([]);
    });
  }
});
