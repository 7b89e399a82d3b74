// Compatibility findings as first-class rules: ids for every registry type, docs sections that exist,
// SARIF descriptors with real names, severities set in schemactl.yaml, and the verdict kept: a
// registry rule turned down to warn or off still fails `check` (exit 1) and `register` refuses, unless
// `--fail-on findings` says otherwise.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPAT_RULES, compatRule, compatRuleId } from '../../src/compat/rules.js';
import { PROTOBUF_COMPATIBLE_CHANGES, PROTOBUF_DIFFERENCE_TYPES } from '../../src/compat/protobuf/types.js';
import type { AvroIncompatibilityType } from '../../src/compat/types.js';
import { loadRules } from '../../src/config/rules.js';
import { ruleDocsUrl } from '../../src/formatters/types.js';
import { CATALOG, ORDER_BREAKING, ORDER_V1, cli, scratchDir, write } from './helpers.js';

const AVRO_TYPES: AvroIncompatibilityType[] = ['NAME_MISMATCH', 'FIXED_SIZE_MISMATCH', 'MISSING_ENUM_SYMBOLS', 'READER_FIELD_MISSING_DEFAULT_VALUE', 'TYPE_MISMATCH', 'MISSING_UNION_BRANCH'];

/** GitHub's heading anchor: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
function githubSlug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

describe('compatibility rule ids', () => {
  it.each([
    ['AVRO', 'READER_FIELD_MISSING_DEFAULT_VALUE', 'avro-reader-field-missing-default-value'],
    ['AVRO', 'TYPE_MISMATCH', 'avro-type-mismatch'],
    ['PROTOBUF', 'FIELD_SCALAR_KIND_CHANGED', 'proto-field-scalar-kind-changed'],
    ['PROTOBUF', 'MESSAGE_REMOVED', 'proto-message-removed'],
  ] as const)('%s %s → %s', (format, type, id) => {
    expect(compatRuleId(format, type)).toBe(id);
    expect(compatRule(id)).toMatchObject({ registryType: type, category: 'registry', configurable: true, defaultSeverity: 'error' });
  });

  it('covers every Avro incompatibility type and every Protobuf difference the registry refuses', () => {
    const refused = PROTOBUF_DIFFERENCE_TYPES.filter((t) => !PROTOBUF_COMPATIBLE_CHANGES.has(t));
    for (const t of AVRO_TYPES) expect(compatRule(compatRuleId('AVRO', t)), t).toBeDefined();
    for (const t of refused) expect(compatRule(compatRuleId('PROTOBUF', t)), t).toBeDefined();
  });

  it('never collides with a lint rule id', async () => {
    const lint = new Set((await loadRules()).map((r) => r.meta.id));
    for (const r of COMPAT_RULES) expect(lint.has(r.id), r.id).toBe(false);
  });
});

describe('every rule\'s docs URL resolves to its own section', () => {
  const doc = readFileSync('docs/rules.md', 'utf8');
  const anchors = new Set([...doc.matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubSlug(m[1]!)));

  it('docs/rules.md has a section per lint and compatibility rule, and the help URL names it', async () => {
    const ids = [...(await loadRules()).map((r) => r.meta.id), ...COMPAT_RULES.map((r) => r.id)];
    for (const id of ids) {
      const url = ruleDocsUrl(id);
      expect(url).toBe(`https://github.com/schemactl/schemactl/blob/main/docs/rules.md#${id}`);
      expect(anchors.has(decodeURIComponent(url.slice(url.indexOf('#') + 1))), id).toBe(true);
    }
  });

  it.each([
    ['docs/rules.md', /\]\(#([a-z0-9-]+)\)/g],
    ['rules/README.md', /\]\(\.\.\/docs\/rules\.md#([a-z0-9-]+)\)/g],
    ['README.md', /\]\(docs\/rules\.md#([a-z0-9-]+)\)/g],
  ] as const)('every link into docs/rules.md from %s has its anchor', (file, pattern) => {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) expect(anchors.has(m[1]!), `${file} → #${m[1]!}`).toBe(true);
  });
});

/** A project registered at v1 in the embedded store, then changed to v2 (a field without a default). */
async function brokenProject(rules: string): Promise<string> {
  const dir = scratchDir('compat-rules');
  write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
  expect((await cli(['register'], dir)).code).toBe(0);
  write(dir, { 'schemactl.yaml': `${CATALOG}${rules}`, 'schemas/order-placed.avsc': ORDER_BREAKING });
  return dir;
}

interface Finding { ruleId: string; severity: number }
const findingsOf = (stdout: string): Finding[] => (JSON.parse(stdout || '[]') as Array<{ messages: Finding[] }>).flatMap((f) => f.messages);
const ID = 'avro-reader-field-missing-default-value';

describe('severity in schemactl.yaml and the verdict', () => {
  it.each([
    ['default', '', [], 1, [[ID, 2]]],
    ['set to warn: reported as a warning, still exit 1 (verdict)', `rules:\n  ${ID}: warn\n`, [], 1, [[ID, 1]]],
    ['set to warn with --fail-on findings: exit 0', `rules:\n  ${ID}: warn\n`, ['--fail-on', 'findings'], 0, [[ID, 1]]],
    ['set to off: not reported, still exit 1 (verdict)', `rules:\n  ${ID}: off\n`, [], 1, []],
    ['set to off with --fail-on findings: exit 0', `rules:\n  ${ID}: off\n`, ['--fail-on', 'findings'], 0, []],
  ] as const)('%s', async (_label, rules, flags, code, expected) => {
    const dir = await brokenProject(rules);
    const r = await cli(['check', '--format', 'json', ...flags], dir);
    expect(findingsOf(r.stdout).map((f) => [f.ruleId, f.severity])).toEqual(expected);
    expect(r.stderr).toContain('NOT compatible (BACKWARD)');
    expect(r.code).toBe(code);
    // register follows the registry whatever is configured
    const reg = await cli(['register', '--format', 'json'], dir);
    expect(reg.code).toBe(1);
    expect((JSON.parse(reg.stdout) as { subjects: Array<{ status: string }> }).subjects[0]!.status).toBe('refused');
  });

  it.each([
    ['default: an advisory is a warning', '', [], 0, 1],
    ['raised to error in the config, it fails the run', 'rules:\n  logical-type-changed: error\n', [], 1, 2],
    ['--advisories off wins over the config', 'rules:\n  logical-type-changed: error\n', ['--advisories', 'off'], 0, undefined],
    ['--advisories error wins over off in the config', 'rules:\n  logical-type-changed: off\n', ['--advisories', 'error'], 1, 2],
    ['off in the config', 'rules:\n  logical-type-changed: off\n', [], 0, undefined],
  ] as const)('%s', async (_label, rules, flags, code, severity) => {
    const dir = scratchDir('compat-advisory');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    expect((await cli(['register'], dir)).code).toBe(0);
    // amount: long → timestamp-millis is compatible for the registry, an advisory for schemactl
    write(dir, { 'schemactl.yaml': `${CATALOG}${rules}`, 'schemas/order-placed.avsc': ORDER_V1.replace('{ "name": "amount", "type": "long"', '{ "name": "amount", "type": { "type": "long", "logicalType": "timestamp-millis" }') });
    const r = await cli(['check', '--format', 'json', ...flags], dir);
    expect(findingsOf(r.stdout).find((f) => f.ruleId === 'logical-type-changed')?.severity).toBe(severity);
    expect(r.code).toBe(code);
  });
});

describe('config validation of compatibility rules', () => {
  it.each([
    ['a bad severity', `rules:\n  ${ID}: fatal\n`, /schemactl\.yaml:7:\d+: "fatal" is not a severity for compatibility rule avro-reader-field-missing-default-value/],
    ['options', `rules:\n  ${ID}: [warn, { x: 1 }]\n`, /schemactl\.yaml:7:\d+: .* is not a severity for compatibility rule/],
    ['an input rule', 'rules:\n  parse-error: warn\n', /schemactl\.yaml:7:3: parse-error reports input that cannot be checked at all/],
    ['in an override', `overrides:\n  - files: ["schemas/**"]\n    rules:\n      ${ID}: warn\n`, /schemactl\.yaml:9:7: compatibility rule avro-reader-field-missing-default-value is set in the top-level "rules:"/],
    ['a typo', 'rules:\n  avro-type-missmatch: warn\n', /unknown rule "avro-type-missmatch"\. Did you mean "avro-type-mismatch"\?/],
  ])('%s → exit 2 with the location', async (_label, rules, message) => {
    const dir = scratchDir('compat-config');
    write(dir, { 'schemactl.yaml': `${CATALOG}${rules}`, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = await cli(['check'], dir);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(2);
  });
});

describe('schemactl rules <compatibility id>', () => {
  it.each([
    ['avro-type-mismatch', ['Kind: compatibility/registry', 'The registry reports it as TYPE_MISMATCH.', 'rules: { avro-type-mismatch: error | warn | off }']],
    ['field-reused', ['Default severity: warning   Kind: compatibility/advisory', 'rules: { field-reused: error | warn | off }']],
    ['parse-error', ['Kind: compatibility/input', 'It is always an error and makes the run exit 2; it has no severity to set.']],
  ])('%s', async (id, lines) => {
    const r = await cli(['rules', id], process.cwd());
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`${id} — `)).toBe(true);
    for (const l of lines) expect(r.stdout).toContain(l);
  });
});

describe('SARIF descriptors of check findings', () => {
  it('have real names, descriptions and help URLs', async () => {
    const dir = await brokenProject('');
    const r = await cli(['check', '--format', 'sarif'], dir);
    const driver = (JSON.parse(r.stdout) as { runs: Array<{ tool: { driver: { rules: Array<Record<string, unknown>> } } }> }).runs[0]!.tool.driver;
    const d = driver.rules.find((x) => x.id === ID)!;
    expect(d).toMatchObject({
      name: 'AvroReaderFieldMissingDefaultValue',
      shortDescription: { text: compatRule(ID)!.description },
      helpUri: `https://github.com/schemactl/schemactl/blob/main/docs/rules.md#${ID}`,
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['compatibility', 'registry', 'avro'] },
    });
    for (const x of driver.rules) expect((x.shortDescription as { text: string }).text).not.toMatch(/^Finding /);
  });
});
