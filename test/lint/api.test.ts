import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/api/lint.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { fixtureRules } from './fixtures/rules.js';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'schemactl-api-'));
  for (const [name, text] of Object.entries(files)) {
    const p = path.join(root, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
  }
  return root;
}

const rec = (name: string, fields: string): string =>
  `{\n  "type": "record",\n  "name": "${name}",\n  "namespace": "com.acme",\n  "fields": [\n${fields}\n  ]\n}\n`;
const field = (name: string, type = 'string'): string => `    {"name": "${name}", "type": "${type}"}`;

const catalog = `streams:
  - topic: orders
    schema: schemas/order.avsc
  - topic: payments
    kind: store
    schemas:
      - schemas/payment.avsc
      - schemas/gone.avsc
  - topic: docs
    schema: schemas/notes.txt
rules:
  event-root-probe: off
`;

const base = {
  'schemactl.yaml': catalog,
  'schemas/order.avsc': rec('Order', [field('order_status'), field('n', 'int')].join(',\n')),
  'schemas/payment.avsc': rec('Payment', field('payment_status')),
  'schemas/notes.txt': 'free text',
  'other/stray.avsc': rec('Stray', field('stray_status')),
};

describe('lint()', () => {
  it('lints the catalog: per-file findings, stream checks, missing files on the catalog entry', async () => {
    const cwd = project(base);
    const out = await lint({ cwd, rules: fixtureRules });
    expect(out.results.map((r) => r.file)).toEqual(['schemactl.yaml', 'schemas/notes.txt', 'schemas/order.avsc', 'schemas/payment.avsc']);
    const byFile = (f: string) => out.results.find((r) => r.file === f);
    expect(byFile('schemactl.yaml')?.diagnostics).toEqual([expect.objectContaining({
      ruleId: 'catalog-reference', severity: 'error', fatal: true,
      location: { file: 'schemactl.yaml', range: { line: 8, column: 9, endLine: 8, endColumn: 26 } },
      message: expect.stringContaining('Stream "payments" names schemas/gone.avsc, but schemas/gone.avsc does not exist.'),
    })]);
    expect(byFile('schemactl.yaml')?.source).toBe(catalog);
    expect(byFile('schemas/order.avsc')?.diagnostics.map((d) => [d.ruleId, d.symbol, d.location.range?.line])).toEqual([
      ['no-string-status', 'com.acme.Order.order_status', 6],
    ]);
    expect(byFile('schemas/order.avsc')?.source).toContain('"Order"');
    expect(byFile('schemas/payment.avsc')?.diagnostics.map((d) => d.ruleId).sort()).toEqual(['no-string-status', 'one-file']);
    expect(out.errorCount).toBe(4);
    expect(out.warningCount).toBe(0);
    expect(out.config.streams).toHaveLength(3);
  });

  it('lints given paths (files, dirs, globs), including files in no stream', async () => {
    const cwd = project(base);
    const one = await lint({ cwd, paths: ['other/stray.avsc'], rules: fixtureRules });
    expect(one.results.map((r) => [r.file, r.diagnostics.map((d) => d.ruleId)])).toEqual([['other/stray.avsc', ['no-string-status']]]);
    const glob = await lint({ cwd, patterns: ['**/*.avsc'], rules: fixtureRules });
    // payment.avsc's stream names a missing file: the catalog finding comes along
    expect(glob.results.map((r) => r.file)).toEqual(['other/stray.avsc', 'schemactl.yaml', 'schemas/order.avsc', 'schemas/payment.avsc']);
    const dir = await lint({ cwd, paths: ['schemas'], rules: fixtureRules });
    expect(dir.results.map((r) => r.file)).toEqual(['schemactl.yaml', 'schemas/order.avsc', 'schemas/payment.avsc']);
    await expect(lint({ cwd, paths: ['**/*.proto'], rules: fixtureRules })).rejects.toBeInstanceOf(UsageError);
    const missing = await lint({ cwd, paths: ['nope.avsc'], rules: fixtureRules });
    expect(missing.results[0]?.diagnostics).toEqual([expect.objectContaining({ ruleId: 'parse-error', fatal: true, message: 'The file does not exist.' })]);
  });

  it('a stream check sees the stream\'s other files when only one is given', async () => {
    const cwd = project({ ...base, 'schemas/gone.avsc': rec('Gone', field('n', 'int')) });
    const out = await lint({ cwd, paths: ['schemas/payment.avsc'], rules: fixtureRules });
    expect(out.results.map((r) => [r.file, r.diagnostics.map((d) => d.ruleId).sort()])).toEqual([
      ['schemas/payment.avsc', ['no-string-status', 'one-file']],
    ]);
  });

  it('applies ruleOverrides over the config and its overrides, and validates them', async () => {
    const cwd = project({ ...base, 'schemactl.yaml': catalog + 'overrides:\n  - files: ["schemas/order.avsc"]\n    rules: { no-string-status: error }\n' });
    const out = await lint({ cwd, rules: fixtureRules, ruleOverrides: { 'no-string-status': 'warn' } });
    expect(out.results.find((r) => r.file === 'schemas/order.avsc')?.diagnostics.map((d) => d.severity)).toEqual(['warn']);
    await expect(lint({ cwd, rules: fixtureRules, ruleOverrides: { 'no-string-stat': 'off' } })).rejects.toThrow(/unknown rule "no-string-stat". Did you mean "no-string-status"\?/);
  });

  it('reports config errors as ConfigError, and needs a catalog or paths', async () => {
    const bad = project({ 'schemactl.yaml': 'streams:\n  - topic: a\n    schema: a.avsc\n    kind: stroe\n' });
    await expect(lint({ cwd: bad, rules: fixtureRules })).rejects.toThrow(ConfigError);
    await expect(lint({ cwd: bad, rules: fixtureRules })).rejects.toThrow(/schemactl\.yaml:4:11: "stroe" is not a valid value/);
    const none = project({ 'x/a.avsc': rec('A', field('n', 'int')) });
    // only meaningful when no schemactl.yaml exists above the temp directory
    const explicit = await lint({ cwd: none, paths: ['x'], configPath: undefined, rules: fixtureRules }).catch((e: unknown) => e);
    expect(explicit).not.toBeInstanceOf(Error);
  });

  it('baseline round trip: record, hide, survive line moves, resurface on content change', async () => {
    const cwd = project(base);
    const first = await lint({ cwd, rules: fixtureRules, baseline: 'baseline.json', updateBaseline: true });
    expect(first.errorCount).toBe(1); // the fatal catalog finding is never baselined
    const recorded = JSON.parse(readFileSync(path.join(cwd, 'baseline.json'), 'utf8')) as { version: number; entries: Array<Record<string, unknown>> };
    expect(recorded.version).toBe(1);
    expect(recorded.entries.map((e) => [e.rule, e.file, e.symbol])).toEqual([
      ['no-string-status', 'schemas/order.avsc', 'com.acme.Order.order_status'],
      ['no-string-status', 'schemas/payment.avsc', 'com.acme.Payment.payment_status'],
      ['one-file', 'schemas/payment.avsc', undefined],
    ]);
    expect(JSON.stringify(recorded)).not.toMatch(/"line"/);

    const again = await lint({ cwd, rules: fixtureRules, baseline: 'baseline.json' });
    expect(again.errorCount).toBe(1);
    expect(again.suppressedCount).toBe(3);

    // moving the field down (new field above it) keeps it baselined
    writeFileSync(path.join(cwd, 'schemas/order.avsc'), rec('Order', [field('m', 'int'), field('order_status'), field('n', 'int')].join(',\n')));
    expect((await lint({ cwd, rules: fixtureRules, baseline: 'baseline.json' })).errorCount).toBe(1);
    // a new finding is reported
    writeFileSync(path.join(cwd, 'schemas/order.avsc'), rec('Order', [field('order_status'), field('sub_status')].join(',\n')));
    const newer = await lint({ cwd, rules: fixtureRules, baseline: 'baseline.json' });
    expect(newer.results.find((r) => r.file === 'schemas/order.avsc')?.diagnostics.map((d) => d.symbol)).toEqual(['com.acme.Order.sub_status']);
    // changing the offending node's text resurfaces it
    writeFileSync(path.join(cwd, 'schemas/order.avsc'), rec('Order', `    {"name": "order_status", "type": "string", "doc": "now documented"}`));
    const changed = await lint({ cwd, rules: fixtureRules, baseline: 'baseline.json' });
    expect(changed.results.find((r) => r.file === 'schemas/order.avsc')?.diagnostics.map((d) => d.symbol)).toEqual(['com.acme.Order.order_status']);

    writeFileSync(path.join(cwd, 'broken.json'), '{"version": 1, "entries": [{"rule": 1}]}');
    await expect(lint({ cwd, rules: fixtureRules, baseline: 'broken.json' })).rejects.toThrow(/broken\.json: entry 0 needs/);
    await expect(lint({ cwd, rules: fixtureRules, baseline: 'absent.json' })).rejects.toThrow(/Cannot read the baseline absent\.json/);
  });

  it('reportUnusedDisables flows through', async () => {
    const cwd = project({
      'schemactl.yaml': 'streams:\n  - topic: t\n    schema: a.avsc\n',
      'a.avsc': rec('A', `    {"name": "n", "type": "int", "schemactl:disable": {"no-string-status": "was a string once"}}`),
    });
    expect((await lint({ cwd, rules: fixtureRules })).warningCount).toBe(1); // event-root-probe
    const loud = await lint({ cwd, rules: fixtureRules, reportUnusedDisables: true });
    expect(loud.results[0]?.diagnostics.map((d) => d.ruleId).sort()).toEqual(['event-root-probe', 'unused-disable']);
  });
});

describe('lint() with the bundled rules', () => {
  it('runs over the bundled example catalog', async () => {
    const cwd = path.resolve(import.meta.dirname, '../../schemas');
    const out = await lint({ cwd });
    expect(out.results.length).toBeGreaterThan(0);
    expect(out.results.flatMap((r) => r.diagnostics).filter((d) => d.ruleId === 'catalog-reference')).toEqual([]);
  });
});
