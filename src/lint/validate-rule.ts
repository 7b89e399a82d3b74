// Load-time checks of a rule module: a rule with an incomplete meta would render badly in
// `schemactl rules`, the README and SARIF, so it is refused with every problem listed at once.
import type { Rule, RuleCategory, RuleSeverity } from './rule.js';
import type { SchemaFormat } from '../model/types.js';

const SEVERITIES: readonly RuleSeverity[] = ['error', 'warn', 'off'];
const CATEGORIES: readonly RuleCategory[] = ['event-design', 'evolution', 'hygiene', 'naming'];
const FORMATS: readonly SchemaFormat[] = ['avro', 'protobuf'];
export const RULE_ID_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export class RuleDefinitionError extends Error {
  readonly ruleId: string;
  readonly problems: string[];
  constructor(ruleId: string, source: string, problems: string[]) {
    super(`rule ${ruleId} (${source}) is not a valid rule:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RuleDefinitionError';
    this.ruleId = ruleId;
    this.problems = problems;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v.trim().length > 0;
}

/** Every problem with a rule candidate; empty when it is a complete rule whose id is `expectedId`. */
export function ruleProblems(candidate: unknown, expectedId: string): string[] {
  const problems: string[] = [];
  if (!isRecord(candidate)) return ['the default export is not a rule object (use defineRule({ meta, create }))'];
  if (typeof candidate.create !== 'function') problems.push('create(ctx) is missing');
  if (candidate.checkStream !== undefined && typeof candidate.checkStream !== 'function') {
    problems.push('checkStream must be a function when present');
  }
  const meta = candidate.meta;
  if (!isRecord(meta)) return [...problems, 'meta is missing'];
  if (meta.id !== expectedId) problems.push(`meta.id is ${JSON.stringify(meta.id)} but the file name says "${expectedId}"`);
  if (!RULE_ID_PATTERN.test(expectedId)) problems.push(`the id "${expectedId}" is not kebab-case`);
  if (!nonEmptyString(meta.description)) problems.push('meta.description is missing');
  else if (/\.\s*$/.test(meta.description) || meta.description.includes('\n')) {
    problems.push('meta.description must be one line without a trailing period');
  }
  if (!SEVERITIES.includes(meta.defaultSeverity as RuleSeverity)) {
    problems.push(`meta.defaultSeverity must be one of ${SEVERITIES.join(', ')}`);
  }
  if (!CATEGORIES.includes(meta.category as RuleCategory)) problems.push(`meta.category must be one of ${CATEGORIES.join(', ')}`);
  if (!nonEmptyString(meta.rationale)) problems.push('meta.rationale is missing');
  const formats = meta.formats;
  if (!Array.isArray(formats) || formats.length === 0 || !formats.every((f) => FORMATS.includes(f as SchemaFormat))) {
    problems.push(`meta.formats must be a non-empty list of ${FORMATS.join(', ')}`);
  }
  if (!isRecord(meta.messages) || Object.keys(meta.messages).length === 0) {
    problems.push('meta.messages must map at least one message id to a template');
  } else {
    for (const [id, text] of Object.entries(meta.messages)) {
      if (!nonEmptyString(text)) problems.push(`meta.messages.${id} is empty`);
    }
  }
  if (meta.optionsSchema !== undefined && !isRecord(meta.optionsSchema)) problems.push('meta.optionsSchema must be a JSON Schema object');
  if (meta.defaultOptions !== undefined && !isRecord(meta.defaultOptions)) problems.push('meta.defaultOptions must be an object');
  if (!isRecord(meta.examples)) {
    problems.push('meta.examples is missing');
  } else if (Array.isArray(formats)) {
    for (const f of formats) {
      const ex = meta.examples[f as string];
      if (!isRecord(ex) || !nonEmptyString(ex.valid) || !nonEmptyString(ex.invalid)) {
        problems.push(`meta.examples.${String(f)} needs a valid and an invalid schema text`);
      }
    }
  }
  return problems;
}

/** The rule, or a RuleDefinitionError listing what is wrong with it. */
export function assertRule(candidate: unknown, expectedId: string, source: string): Rule {
  const problems = ruleProblems(candidate, expectedId);
  if (problems.length > 0) throw new RuleDefinitionError(expectedId, source, problems);
  return candidate as Rule;
}
