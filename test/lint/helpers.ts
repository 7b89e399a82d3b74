import { parseSchemaText } from '../../src/formats/index.js';
import { runLint, type EngineOutput } from '../../src/lint/engine.js';
import type { Rule } from '../../src/lint/rule.js';
import type { LintSettings, LintTarget } from '../../src/lint/types.js';
import { fixtureRules } from './fixtures/rules.js';

/** Parse in-memory files with the real parsers and run the engine on them. */
export function lintTexts(
  files: Record<string, string>, settings: Partial<LintSettings> = {}, rules: readonly Rule[] = fixtureRules,
): EngineOutput & { byFile: (f: string) => EngineOutput['files'][number] | undefined } {
  const targets: LintTarget[] = Object.entries(files).map(([file, text]) => {
    const f = parseSchemaText(file, text);
    return { file, configRelative: file, document: f.document, problems: f.problems, nonExplicit: f.nonExplicit };
  });
  const out = runLint({ targets, rules, settings: { rules: {}, overrides: [], streams: [], ...settings } });
  return { ...out, byFile: (f) => out.files.find((r) => r.file === f) };
}

export const avroRecord = (name: string, fields: string, extra = ''): string =>
  `{"type":"record","name":"${name}","namespace":"com.acme"${extra},"fields":[${fields}]}`;
