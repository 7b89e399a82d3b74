// `${ENV}` references are read only for the config sections the command uses: lint needs none of
// registry/kafka/sources, check against git none, check against a registry and register the registry,
// publish all of them. An unset variable in a used section is still an error at its file:line:column.
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, parseConfig } from '../../src/config/load.js';
import type { EnvSection } from '../../src/config/load.js';
import { fixtureRules } from '../lint/fixtures/rules.js';
import { CATALOG as CHECK_CATALOG, ORDER_V1, cli, commitAll, git, scratchDir, write } from '../check/helpers.js';

const CATALOG_CLI = `${CHECK_CATALOG}    source:\n      connection: \${ACCOUNTS_DB_URL}\n      table: orders\n`;

const CATALOG = [
  'registry:',
  '  url: ${REGISTRY_URL}',
  'kafka:',
  '  brokers: ["${BROKER}"]',
  'streams:',
  '  - topic: accounts.account-opened',
  '    schema: account-opened.avsc',
  '    source:',
  '      connection: ${ACCOUNTS_DB_URL}',
  '      slot: ${SLOT}',
  '      table: accounts',
  '',
].join('\n');

/** The variables an unset-env parse complains about, as `line:column NAME`. */
function missing(sections: readonly EnvSection[] | undefined): string[] {
  try {
    parseConfig(CATALOG, '/proj/schemactl.yaml', { cwd: '/proj', rules: fixtureRules, env: {}, ...(sections ? { sections } : {}) });
    return [];
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    return err.issues.map((i) => `${i.line}:${i.column} ${/variable (\w+)/.exec(i.message)?.[1] ?? i.message}`);
  }
}

describe('lazy ${ENV} interpolation by section', () => {
  it.each<[string, readonly EnvSection[] | undefined, string[]]>([
    ['lint (no section)', [], []],
    ['check against git (no section)', [], []],
    ['check against a registry / register', ['registry'], ['2:8 REGISTRY_URL']],
    ['capture (sources)', ['sources'], ['9:19 ACCOUNTS_DB_URL', '10:13 SLOT']],
    ['publish (default: every section)', undefined, ['2:8 REGISTRY_URL', '4:13 BROKER', '9:19 ACCOUNTS_DB_URL', '10:13 SLOT']],
  ])('%s', (_label, sections, expected) => {
    expect(missing(sections)).toEqual(expected);
  });

  it('keeps an unused section as written and expands the used ones', () => {
    const env = { REGISTRY_URL: 'http://reg:8081', ACCOUNTS_DB_URL: 'postgres://db/accounts' };
    const c = parseConfig(CATALOG, '/proj/schemactl.yaml', { cwd: '/proj', rules: fixtureRules, env, sections: ['registry'] });
    expect(c.registry).toEqual({ url: 'http://reg:8081' });
    expect(c.streams[0]!.source).toEqual({ connection: '${ACCOUNTS_DB_URL}', slot: '${SLOT}', table: 'accounts' });
    expect(c.kafka).toEqual({ brokers: ['${BROKER}'] });
  });

  it('still validates what an unused section holds literally', () => {
    const text = 'streams:\n  - topic: t\n    schema: a.avsc\n    source:\n      connection: ${DB}\n      slot: Not-A-Slot\n';
    expect(() => parseConfig(text, '/proj/schemactl.yaml', { cwd: '/proj', rules: fixtureRules, env: {}, sections: [] })).toThrow(/6:13: "Not-A-Slot"|streams\[0\]\.source\.slot/);
  });
});

describe('through the CLI: check reads the registry section only when it uses the registry', () => {
  it.each([
    ['check --against git:main', ['check', '--against', 'git:main'], 0, undefined],
    ['check (the registry)', ['check'], 2, /schemactl\.yaml:10:8: environment variable REGISTRY_URL is not set/],
    ['lint', ['lint'], 0, undefined],
  ])('%s', async (_label, args, code, message) => {
    const dir = scratchDir('sections-cli');
    write(dir, {
      'schemactl.yaml': `${CATALOG_CLI}registry:\n  url: \${REGISTRY_URL}\n`,
      'schemas/order-placed.avsc': ORDER_V1,
    });
    git(dir, 'init', '-q');
    commitAll(dir, 'v1');
    const r = await cli(args, dir, { REGISTRY_URL: undefined, ACCOUNTS_DB_URL: undefined });
    if (message) expect(r.stderr).toMatch(message);
    else expect(r.stderr).not.toContain('REGISTRY_URL');
    expect(r.code).toBe(code);
  });
});
