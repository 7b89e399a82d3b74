// Versioned config and presets: `version: 1` is checked (an unknown version is an error at its
// value), `extends:` names presets applied in order under the file's own `rules:`, and `init` writes both.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigValidationError, parseConfig } from '../../src/config/load.js';
import { loadRules } from '../../src/config/rules.js';
import type { Rule } from '../../src/lint/rule.js';
import { BIN, buildCli } from '../cli/support/build.js';
import { scratchDir, write } from '../check/helpers.js';

let rules: Rule[];
beforeAll(async () => {
  rules = await loadRules();
});

function parse(text: string): ReturnType<typeof parseConfig> {
  return parseConfig(text, '/proj/schemactl.yaml', { cwd: '/proj', rules, env: {} });
}

function issues(text: string): string[] {
  try {
    parse(text);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    return err.issues.map((i) => `${i.line}:${i.column}: ${i.message}`);
  }
}

describe('version', () => {
  it.each([
    ['absent', 'streams: []\n', []],
    ['1', 'version: 1\nstreams: []\n', []],
    ['2', 'version: 2\nstreams: []\n', ['1:10: "2" is not a config version this schemactl reads; write `version: 1`, or upgrade schemactl for a newer config.']],
    ['a string', 'version: "one"\n', ['1:10: "one" is not a config version this schemactl reads; write `version: 1`.']],
    ['0', 'version: 0\n', ['1:10: "0" is not a config version this schemactl reads; write `version: 1`.']],
  ])('%s', (_label, text, expected) => {
    expect(issues(text)).toEqual(expected);
  });
});

describe('extends', () => {
  const severity = (text: string, id: string): string | undefined => parse(text).rules[id]?.severity;
  it.each([
    // [extends, rules:, rule id, expected severity]
    ['schemactl:recommended', '', 'pii-tagged', 'off'],
    ['schemactl:recommended', '', 'prefer-enum', 'warn'],
    ['schemactl:strict', '', 'pii-tagged', 'error'],
    ['schemactl:strict', '', 'naming-case', 'error'],
    ['schemactl:event-design', '', 'prefer-enum', 'error'],
    ['schemactl:event-design', '', 'naming-case', 'off'],
    ['schemactl:event-design', '', 'require-updated-at', 'error'],
    ['[schemactl:strict, schemactl:event-design]', '', 'naming-case', 'off'],
    ['[schemactl:event-design, schemactl:strict]', '', 'naming-case', 'error'],
    ['schemactl:strict', 'rules:\n  naming-case: warn\n', 'naming-case', 'warn'],
  ])('extends: %s %s → %s', (ext, own, id, expected) => {
    expect(severity(`version: 1\nextends: ${ext}\n${own}`, id)).toBe(expected);
  });

  it('strict raises compatibility advisories; rules: still wins', () => {
    expect(parse('extends: schemactl:strict\n').compatRules).toMatchObject({ 'logical-type-changed': 'error', 'field-reused': 'error', 'level-mismatch': 'error' });
    expect(parse('extends: schemactl:strict\nrules:\n  field-reused: warn\n').compatRules['field-reused']).toBe('warn');
    expect(parse('extends: schemactl:recommended\n').compatRules).toEqual({});
  });

  it.each([
    ['an unknown preset', 'extends: schemactl:strictest\n', ['1:10: "schemactl:strictest" is not a preset; use one of schemactl:recommended, schemactl:strict, schemactl:event-design. Did you mean "schemactl:strict"?']],
    ['a name without the prefix', 'extends:\n  - recommended\n', ['2:5: "recommended" is not a preset; use one of schemactl:recommended, schemactl:strict, schemactl:event-design. Did you mean "schemactl:recommended"?']],
    ['an empty list', 'extends: []\n', ['1:10: extends must be a preset name or a list of them (schemactl:recommended, schemactl:strict, schemactl:event-design), but it is an empty list.']],
    ['a mapping', 'extends: { a: 1 }\n', ['1:10: extends must be a preset name or a list of them (schemactl:recommended, schemactl:strict, schemactl:event-design), but it is a mapping.']],
  ])('%s', (_label, text, expected) => {
    expect(issues(text)).toEqual(expected);
  });
});

describe('through the built CLI', () => {
  beforeAll(() => {
    buildCli();
  }, 300_000);

  const run = (args: string[], cwd: string) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

  it('an unknown version exits 2 with file:line:column', () => {
    const dir = scratchDir('preset-version');
    write(dir, { 'schemactl.yaml': 'version: 3\nstreams: []\n' });
    const r = run(['lint'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('schemactl.yaml:1:10: "3" is not a config version this schemactl reads');
  });

  it('init writes version: 1 and extends, and the result lints; the presets change what lint reports', () => {
    const dir = scratchDir('preset-init');
    write(dir, { 'schemas/order.avsc': JSON.stringify({ type: 'record', name: 'Order', namespace: 'com.acme.orders.v1', doc: 'An order.', fields: [{ name: 'id', type: 'string', doc: 'Id.' }, { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-millis' }, doc: 'Write time.' }, { name: 'customerName', type: 'string', doc: 'Name.' }] }, null, 2) });
    expect(run(['init'], dir).status).toBe(0);
    const text = readFileSync(path.join(dir, 'schemactl.yaml'), 'utf8');
    expect(text).toMatch(/^version: 1$/m);
    expect(text).toMatch(/^extends:\n {2}- schemactl:recommended$/m);
    const recommended = run(['lint', '--format', 'json'], dir);
    expect(recommended.status).toBe(0);
    const ids = (out: string) => (JSON.parse(out) as Array<{ messages: Array<{ ruleId: string; severity: number }> }>).flatMap((f) => f.messages.map((m) => `${m.ruleId}:${m.severity}`));
    expect(ids(recommended.stdout)).toContain('naming-case:1');
    write(dir, { 'schemactl.yaml': text.replace('  - schemactl:recommended', '  - schemactl:strict') });
    const strict = run(['lint', '--format', 'json'], dir);
    expect(strict.status).toBe(1);
    expect(ids(strict.stdout)).toContain('naming-case:2');
    write(dir, { 'schemactl.yaml': text.replace('  - schemactl:recommended', '  - schemactl:event-design') });
    const design = run(['lint', '--format', 'json'], dir);
    expect(ids(design.stdout)).not.toContain('naming-case:1');
    expect(design.status).toBe(0);
  });
});
