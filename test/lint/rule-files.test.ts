import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listRuleFiles, loadRules } from '../../src/config/rules.js';
import { RuleDefinitionError, ruleProblems } from '../../src/lint/validate-rule.js';
import { noStringStatus } from './fixtures/rules.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const ruleFiles = await listRuleFiles();

describe('bundled rules', () => {
  it('are discovered (helpers such as util.ts are skipped)', () => {
    expect(ruleFiles.length).toBeGreaterThan(0);
    expect(ruleFiles.map((r) => r.id)).not.toContain('util');
  });

  it.each(ruleFiles.map((r) => r.id))('%s has a test file test/rules/<id>.test.ts', (id) => {
    expect(existsSync(path.join(repo, 'test', 'rules', `${id}.test.ts`)), `missing test/rules/${id}.test.ts`).toBe(true);
  });

  it('load and pass the meta checks', async () => {
    const rules = await loadRules();
    expect(rules.map((r) => r.meta.id)).toEqual(ruleFiles.map((r) => r.id));
  });
});

describe('rule validation at load', () => {
  it('accepts a complete rule', () => {
    expect(ruleProblems(noStringStatus, 'no-string-status')).toEqual([]);
  });

  it('lists every problem of an incomplete rule', () => {
    const broken = { meta: { id: 'other', description: 'Ends with a period.', defaultSeverity: 'fatal', category: 'x', formats: ['avro'], messages: {}, examples: {} }, create: () => ({}) };
    expect(ruleProblems(broken, 'my-rule')).toEqual([
      'meta.id is "other" but the file name says "my-rule"',
      'meta.description must be one line without a trailing period',
      'meta.defaultSeverity must be one of error, warn, off',
      'meta.category must be one of event-design, evolution, hygiene, naming',
      'meta.rationale is missing',
      'meta.messages must map at least one message id to a template',
      'meta.examples.avro needs a valid and an invalid schema text',
    ]);
    expect(ruleProblems(undefined, 'x')).toEqual(['the default export is not a rule object (use defineRule({ meta, create }))']);
  });

  it('refuses a rules directory holding a broken rule, naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schemactl-rules-'));
    writeFileSync(path.join(dir, 'util.ts'), 'export const x = 1;\n');
    writeFileSync(path.join(dir, 'my-rule.ts'), 'export default { meta: { id: "not-my-rule" }, create() { return {}; } };\n');
    const err = await loadRules(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuleDefinitionError);
    expect((err as Error).message).toMatch(/rule my-rule \(.*my-rule\.ts\) is not a valid rule:\n {2}- meta\.id is "not-my-rule"/);
  });
});
