// Output discipline, through the built binary as users run it: for every command the report in the
// chosen --format is all that goes to stdout (or --output FILE), and it parses as that format;
// progress, summaries and messages go to stderr. Also: lint and check run on a catalog whose publish
// source names an unset variable, and publish still refuses it at file:line:column.
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, buildCli } from './support/build.js';
import { CATALOG, ORDER_BREAKING, ORDER_V1, scratchDir, write } from '../check/helpers.js';

interface Run { code: number | null; stdout: string; stderr: string }

function bin(args: string[], cwd: string, env: Record<string, string> = {}): Run {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !['ACCOUNTS_DB_URL', 'FORCE_COLOR'].includes(k)));
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...clean, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Throws unless `text` is a complete document of `format`. */
function parses(format: string, text: string): void {
  switch (format) {
    case 'json': JSON.parse(text); return;
    case 'sarif': expect((JSON.parse(text) as { version: string }).version).toBe('2.1.0'); return;
    case 'junit': expect(text).toMatch(/^<\?xml[^>]*>\s*<testsuites[\s\S]*<\/testsuites>\s*$/); return;
    case 'github': for (const l of text.split('\n').filter(Boolean)) expect(l).toMatch(/^::(error|warning|notice) /); return;
    default: throw new Error(format);
  }
}

// valid Avro (Java accepts both), with a naming-case warning and a require-updated-at error (a bare long)
const BAD_NAME = ORDER_V1.replace('"name": "OrderPlaced"', '"name": "order_placed"')
  .replace('{ "type": "long", "logicalType": "timestamp-millis" }', '"long"');
const SOURCE_CATALOG = `${CATALOG}    source:\n      connection: \${ACCOUNTS_DB_URL}\n      pattern: query\n      table: orders\n`;

beforeAll(() => {
  buildCli();
}, 300_000);

describe('every command: the report alone on stdout', () => {
  const formats = ['json', 'sarif', 'junit', 'github'] as const;

  it.each(formats)('lint --format %s', (format) => {
    const dir = scratchDir('out-lint');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': BAD_NAME });
    const r = bin(['lint', '--format', format], dir);
    expect(r.code).toBe(1);
    parses(format, r.stdout);
    expect(r.stdout).toContain('naming-case');
  });

  it.each(formats)('check --format %s (subject summary on stderr)', (format) => {
    const dir = scratchDir('out-check');
    write(dir, { 'old.avsc': ORDER_V1, 'new.avsc': ORDER_BREAKING });
    const r = bin(['check', '--old', 'old.avsc', '--new', 'new.avsc', '--format', format], dir);
    expect(r.code).toBe(1);
    parses(format, r.stdout);
    expect(r.stderr).toContain('NOT compatible (BACKWARD)');
    expect(r.stdout).not.toContain('NOT compatible (BACKWARD)');
  });

  it('check --output FILE: nothing on stdout, the report in the file', () => {
    const dir = scratchDir('out-check-file');
    write(dir, { 'old.avsc': ORDER_V1, 'new.avsc': ORDER_BREAKING });
    const r = bin(['check', '--old', 'old.avsc', '--new', 'new.avsc', '--format', 'sarif', '--output', 'reports/check.sarif'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    parses('sarif', readFileSync(path.join(dir, 'reports/check.sarif'), 'utf8'));
    expect(r.stderr).toContain('NOT compatible (BACKWARD)');
  });

  it.each(formats)('register --format %s (the table on stderr unless the format is json)', (format) => {
    const dir = scratchDir('out-register');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': BAD_NAME });
    const r = bin(['register', '--format', format], dir);
    expect(r.code).toBe(1);
    parses(format, r.stdout);
    expect(r.stdout).not.toContain('Registry: ');
    if (format === 'json') expect(r.stderr).toBe('');
    else expect(r.stderr).toMatch(/orders\.order-placed-value\s+-\s+-\s+REFUSED: lint found 2 errors in schemas\/order-placed\.avsc/);
  });

  it('register --format json reports each subject: registered, already registered, refused with reasons', () => {
    const dir = scratchDir('out-register-json');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const subjectsOf = (r: Run): unknown => (JSON.parse(r.stdout) as { subjects: unknown }).subjects;
    const first = bin(['register', '--format', 'json'], dir);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const [s] = subjectsOf(first) as Array<{ id: number }>;
    expect(s).toEqual({ topic: 'orders.order-placed', subject: 'orders.order-placed-value', file: 'schemas/order-placed.avsc', status: 'registered', version: 1, id: expect.any(Number), references: [] });
    const again = bin(['register', '--format', 'json'], dir);
    expect(subjectsOf(again)).toEqual([{ ...s, status: 'already registered' }]);
    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    const refused = bin(['register', '--format', 'json', '--output', 'out/register.json'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('schemactl: wrote the registration report to out/register.json\n');
    const report = JSON.parse(readFileSync(path.join(dir, 'out/register.json'), 'utf8')) as { registry: string; refused: number; subjects: unknown[]; findings: Array<{ messages: Array<{ ruleId: string }> }> };
    expect(report.refused).toBe(1);
    expect(report.subjects).toEqual([{
      topic: 'orders.order-placed', subject: 'orders.order-placed-value', file: 'schemas/order-placed.avsc', status: 'refused', version: null, id: null,
      reasons: [expect.stringMatching(/^not compatible with the registered versions \(.+\)$/)], references: [],
    }]);
    expect(report.findings[0]!.messages.length).toBeGreaterThan(0);
  });

  it('rules --format json and init --print: the report on stdout, nothing on stderr', () => {
    const dir = scratchDir('out-rules');
    write(dir, { 'schemas/order-placed.avsc': ORDER_V1 });
    const rules = bin(['rules', '--format', 'json'], dir);
    expect(rules.code).toBe(0);
    const kinds = (JSON.parse(rules.stdout) as Array<{ kind: string }>).map((m) => m.kind);
    expect(new Set(kinds)).toEqual(new Set(['lint', 'compatibility']));
    expect(rules.stderr).toBe('');
    const printed = bin(['init', '--print'], dir);
    expect(printed.stdout).toContain('streams:');
    expect(printed.stderr).toBe('');
    const wrote = bin(['init'], dir);
    expect(wrote.code).toBe(0);
    expect(wrote.stdout).toBe('');
    expect(wrote.stderr).toContain('Wrote schemactl.yaml with 1 stream.');
  });
});

describe('publish: JSON log lines alone on stdout', () => {
  it('--log-format json on the bundled catalog (in-process PGlite, dry run)', () => {
    const dir = scratchDir('out-publish');
    cpSync(path.join(ROOT, 'schemas'), dir, { recursive: true });
    const r = bin(['publish', '--once', '--dry-run', '--log-format', 'json', 'orders.order-shipped'], dir);
    const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toContain('gate passed');
    expect(lines.at(-1)!.msg).toBe('summary');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 180_000);
});

describe('lazy ${ENV}: only the sections a command uses', () => {
  it.each([
    ['lint', ['lint'], 0],
    ['check against the embedded store', ['check'], 0],
  ] as const)('%s runs with ACCOUNTS_DB_URL unset', (_label, args, code) => {
    const dir = scratchDir('out-env');
    write(dir, { 'schemactl.yaml': SOURCE_CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = bin([...args], dir);
    expect(r.stderr).not.toContain('ACCOUNTS_DB_URL');
    expect(r.code).toBe(code);
  });

  it('publish still fails at file:line:column naming the variable', () => {
    const dir = scratchDir('out-env-publish');
    write(dir, { 'schemactl.yaml': SOURCE_CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = bin(['publish', '--once', '--dry-run'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('schemactl.yaml:7:19: environment variable ACCOUNTS_DB_URL is not set');
    expect(r.stdout).toBe('');
  });
});
