import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, findConfigFile, loadConfig, parseConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { fixtureRules } from '../lint/fixtures/rules.js';

function issuesOf(text: string, env: NodeJS.ProcessEnv = {}): Array<{ line: number; column: number; message: string }> {
  try {
    parseConfig(text, '/proj/schemactl.yaml', { cwd: '/proj', rules: fixtureRules, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigValidationError);
    return (err as ConfigValidationError).issues.map(({ line, column, message }) => ({ line, column, message }));
  }
  throw new Error('expected a config error');
}

const valid = `streams:
  - topic: orders.order-placed
    kind: store
    schema: schemas/orders/order-placed.avsc
    key: order_id
    compatibility: BACKWARD
  - topic: payments
    kind: stage
    schemas: [a.avsc, "p.proto#acme.pay.v1.Paid"]
include_paths: [protos/]
rules:
  no-string-status: [warn, { suffix: state }]
  event-root-probe: off
overrides:
  - files: ["schemas/legacy/**"]
    symbols: ["com.acme.Legacy.*", "legacy.avsc#/fields/3"]
    rules: { no-string-status: off }
`;

describe('parseConfig', () => {
  it('resolves the catalog relative to the config directory', () => {
    const c = parseConfig(valid, '/proj/cfg/schemactl.yaml', { cwd: '/proj', rules: fixtureRules, env: {} });
    expect(c.dir).toBe('/proj/cfg');
    expect(c.streams).toHaveLength(2);
    const [a, b] = c.streams;
    expect(a?.schemas[0]).toMatchObject({ path: '/proj/cfg/schemas/orders/order-placed.avsc', ref: 'schemas/orders/order-placed.avsc' });
    expect(a?.schemas[0]?.loc).toMatchObject({ line: 4, column: 13 });
    expect(a).toMatchObject({ kind: 'store', key: 'order_id', compatibility: 'BACKWARD' });
    expect(a?.loc.line).toBe(2);
    expect(b?.schemas.map((s) => [s.path, s.selector])).toEqual([
      ['/proj/cfg/a.avsc', undefined], ['/proj/cfg/p.proto', 'acme.pay.v1.Paid'],
    ]);
    expect(c.includePaths).toEqual(['/proj/cfg/protos']);
    expect(c.rules).toEqual({ 'no-string-status': { severity: 'warn', options: { suffix: 'state' } }, 'event-root-probe': { severity: 'off' } });
    expect(c.overrides[0]).toMatchObject({ files: ['schemas/legacy/**'], rules: { 'no-string-status': { severity: 'off' } } });
  });

  it('defaults kind to store and include_paths to the config directory', () => {
    const c = parseConfig('streams:\n  - topic: t\n    schema: a.avsc\n', '/p/schemactl.yaml', { rules: fixtureRules, env: {} });
    expect(c.streams[0]?.kind).toBe('store');
    expect(c.includePaths).toEqual(['/p']);
  });

  it('reports an unknown key at its position with a suggestion', () => {
    expect(issuesOf('streams:\n  - topic: t\n    scheam: a.avsc\n')).toEqual([
      { line: 2, column: 5, message: expect.stringContaining('needs "schema"') },
      { line: 3, column: 5, message: expect.stringMatching(/unknown key "scheam" in streams\[0\]\. Did you mean "schema"\?/) },
    ]);
    expect(issuesOf('stream:\n  - topic: t\n')[0]).toMatchObject({ line: 1, column: 1, message: expect.stringContaining('Did you mean "streams"?') });
  });

  it('reports a wrong type at the value', () => {
    expect(issuesOf('streams:\n  topic: t\n')).toEqual([
      { line: 2, column: 3, message: 'streams must be a list, but it is a mapping.' },
    ]);
  });

  it('lists allowed values for a bad enum and suggests the closest', () => {
    const [i] = issuesOf('streams:\n  - topic: t\n    kind: stor\n    schema: a.avsc\n');
    expect(i).toEqual({ line: 3, column: 11, message: expect.stringContaining('"stor" is not a valid value for streams[0].kind; use one of store, stage. Did you mean "store"?') });
  });

  it('reports a bad severity and an unknown rule with suggestions', () => {
    const issues = issuesOf('rules:\n  no-string-status: warning\n  event-root-prob: off\n');
    expect(issues).toEqual([
      { line: 2, column: 21, message: expect.stringContaining('"warning" is not a severity for rule no-string-status; use one of error, warn, off. Did you mean "warn"?') },
      { line: 3, column: 3, message: expect.stringContaining('unknown rule "event-root-prob". Did you mean "event-root-probe"?') },
    ]);
  });

  it('validates rule options against the rule options schema', () => {
    const issues = issuesOf('rules:\n  no-string-status: [error, { suffix: 3, other: 1 }]\n');
    expect(issues).toEqual([
      { line: 2, column: 39, message: 'rules.no-string-status[1].suffix must be a string, but it is a number.' },
      { line: 2, column: 42, message: expect.stringContaining('unknown key "other" in rules.no-string-status[1]. Allowed keys: suffix.') },
    ]);
    expect(issuesOf('rules:\n  event-root-probe: [warn, { x: 1 }]\n')[0]?.message).toContain('takes no options');
  });

  it('reports bad overrides', () => {
    const issues = issuesOf(`overrides:
  - rules: { no-string-status: off }
  - files: ["a/**"]
    symbols: ["legacy.avsc#fields/3"]
    rules:
      nope: off
  - files: "a/**"
    rules: {}
`);
    expect(issues).toEqual([
      { line: 2, column: 5, message: expect.stringContaining('applies everywhere') },
      { line: 4, column: 15, message: expect.stringContaining('is not a path selector') },
      { line: 6, column: 7, message: expect.stringContaining('unknown rule "nope"') },
      { line: 7, column: 12, message: 'overrides[2].files must be a list, but it is a string.' },
    ]);
  });

  it('reports schema and schemas together, a bad schema reference and a duplicate topic', () => {
    const issues = issuesOf(`streams:
  - topic: a
    schema: x.avsc
    schemas: [y.avsc]
  - topic: a
    schema: "x.proto#A#B"
`);
    expect(issues).toEqual([
      { line: 4, column: 5, message: expect.stringContaining('both "schema" and "schemas"') },
      { line: 5, column: 12, message: expect.stringContaining('topic "a" is already in the catalog (line 2)') },
      { line: 6, column: 13, message: expect.stringContaining('is not a schema reference') },
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const [i] = issuesOf('streams:\n  - topic: a\n   bad: [\n');
    expect(i?.message).toMatch(/^YAML: /);
    expect(i?.line).toBeGreaterThanOrEqual(2);
  });

  it('reports recursive aliases and alias bombs at the alias instead of crashing', () => {
    expect(issuesOf('streams: &a\n  - *a\n')).toEqual([expect.objectContaining({ line: 2, column: 5, message: expect.stringMatching(/alias refers to a node that contains it/) })]);
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((n, i) => `${n}: &${n} [${Array(9).fill('*' + 'abcdefgh'[i]).join(',')}]`), 'streams: []'].join('\n');
    expect(issuesOf(bomb)[0]?.message).toMatch(/aliases cannot be expanded/);
  });

  it('interpolates ${ENV} without echoing values in errors', () => {
    const c = parseConfig('registry:\n  url: "https://u:${PW}@reg:8081"\n  auth: { token: "${TOKEN:-none}" }\n', '/p/schemactl.yaml', {
      rules: fixtureRules, env: { PW: 's3cret' },
    });
    expect(c.registry).toEqual({ url: 'https://u:s3cret@reg:8081', auth: { token: 'none' } });
    const issues = issuesOf('registry:\n  url: "${MISSING_URL}"\nstreams:\n  - topic: t\n    kind: "${KIND}"\n    schema: a.avsc\n', { KIND: 'secretvalue' });
    expect(issues).toEqual([
      { line: 2, column: 8, message: expect.stringContaining('environment variable MISSING_URL is not set') },
      { line: 5, column: 11, message: '"${KIND}" is not a valid value for streams[0].kind; use one of store, stage.' },
    ]);
    expect(JSON.stringify(issues)).not.toContain('secretvalue');
  });

  it('puts every issue in the error message as file:line:column', () => {
    try {
      parseConfig('bogus: 1\n', '/proj/sub/schemactl.yaml', { cwd: '/proj', rules: fixtureRules, env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toContain('sub/schemactl.yaml:1:1: unknown key "bogus"');
    }
  });
});

describe('findConfigFile / loadConfig', () => {
  it('walks up from cwd, and honours an explicit path', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'schemactl-cfg-'));
    mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(root, 'schemactl.yml'), 'streams: []\n');
    writeFileSync(path.join(root, 'a', 'other.yaml'), 'streams:\n  - topic: x\n    schema: s.avsc\n');
    expect(await findConfigFile(path.join(root, 'a', 'b'))).toBe(path.join(root, 'schemactl.yml'));
    const c = await loadConfig({ cwd: path.join(root, 'a', 'b'), rules: fixtureRules });
    expect(c.file).toBe(path.join(root, 'schemactl.yml'));
    const e = await loadConfig({ cwd: root, configPath: 'a/other.yaml', rules: fixtureRules });
    expect(e.streams[0]?.schemas[0]?.path).toBe(path.join(root, 'a', 's.avsc'));
    await expect(loadConfig({ cwd: root, configPath: 'nope.yaml', rules: fixtureRules })).rejects.toThrow(/nope\.yaml: cannot read the config file \(no such file\)/);
  });

  it('falls back to defaults when there is no config', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'schemactl-nocfg-'));
    const c = await loadConfig({ cwd: root, rules: fixtureRules });
    // a parent directory of the temp dir could in principle hold one; only assert when none was found
    if (c.file === undefined) expect(c.streams).toEqual([]);
  });
});
