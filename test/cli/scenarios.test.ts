// Golden CLI scenarios: input files + command line → exit status and output (paths normalised).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, run, tempProject } from './support/run.js';

const read = (p: string): string => readFileSync(path.join(ROOT, p), 'utf8');
const GOOD = read('schemas/orders/order-placed.avsc');
const SHIPMENT = read('schemas/bad/shipment-updated.avsc'); // prefer-enum
const REFUND = read('schemas/bad/refund-requested.avsc'); // require-updated-at
const BROKEN = '{ "type": "record", "name": "Broken", "fields": [ }\n';

const dirs: string[] = [];
function project(files: Record<string, string>): string {
  const d = tempProject(files);
  dirs.push(d);
  return d;
}
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('schemactl lint: exit status', () => {
  it('a clean schema: exit 0, no output', async () => {
    const cwd = project({ 'good.avsc': GOOD });
    expect(await run(['lint', 'good.avsc'], cwd)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('errors: exit 1 with a stylish report', async () => {
    const cwd = project({ 'refund.avsc': REFUND });
    const r = await run(['lint', 'refund.avsc'], cwd);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('require-updated-at');
    expect(r.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?, \d+ warnings?\)/);
    expect(r.stdout).toMatchSnapshot();
  });

  it('warnings only: exit 0, but 1 once --max-warnings is exceeded', async () => {
    const cwd = project({ 'shipment.avsc': SHIPMENT });
    const loose = await run(['lint', 'shipment.avsc'], cwd);
    expect(loose.stdout).toContain('prefer-enum');
    expect(loose.code).toBe(0);
    const strict = await run(['lint', 'shipment.avsc', '--max-warnings', '0'], cwd);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toBe('schemactl found too many warnings (maximum: 0).\n');
  });

  it('--quiet reports errors only', async () => {
    const cwd = project({ 'shipment.avsc': SHIPMENT });
    const r = await run(['lint', 'shipment.avsc', '--quiet', '--max-warnings', '0'], cwd);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('an unparseable file: exit 2 even next to files with errors, and the others are still linted', async () => {
    const cwd = project({ 'broken.avsc': BROKEN, 'refund.avsc': REFUND });
    const r = await run(['lint', 'broken.avsc', 'refund.avsc', '--format', 'json'], cwd);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as Array<{ filePath: string; fatalErrorCount: number; messages: Array<{ ruleId: string | null }> }>;
    const broken = report.find((f) => f.filePath.endsWith('broken.avsc'))!;
    expect(broken.fatalErrorCount).toBeGreaterThan(0);
    expect(broken.messages[0]!.ruleId).toBeNull();
    expect(report.find((f) => f.filePath.endsWith('refund.avsc'))!.messages.map((m) => m.ruleId)).toContain('require-updated-at');
  });

  it('a missing config file: exit 2 with one line, no stack trace', async () => {
    const cwd = project({ 'good.avsc': GOOD });
    const r = await run(['lint', '--config', 'nope.yaml'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^schemactl: .*nope\.yaml/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('redacts credentials in anything it prints', async () => {
    const leaky = '{"type": "record", "name": "Leak", "namespace": "https://bob:hunter2@example.com/x", "fields": []}\n';
    const cwd = project({ 'leak.avsc': leaky });
    const r = await run(['lint', 'leak.avsc', '--format', 'json'], cwd);
    expect(r.stdout).toContain('https://***@example.com');
    expect(r.stdout + r.stderr).not.toContain('hunter2');
  });
});

describe('schemactl lint: formats and output', () => {
  const files = { 'refund.avsc': REFUND, 'shipment.avsc': SHIPMENT, 'broken.avsc': BROKEN };

  for (const format of ['json', 'sarif', 'junit', 'github'] as const) {
    it(`--format ${format} is pinned`, async () => {
      const cwd = project(files);
      const r = await run(['lint', 'refund.avsc', 'shipment.avsc', 'broken.avsc', '--format', format], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('');
      expect(format === 'json' || format === 'sarif' ? JSON.parse(r.stdout) : r.stdout).toMatchSnapshot();
    });
  }

  it('--output writes the report to a file and nothing to stdout', async () => {
    const cwd = project({ 'refund.avsc': REFUND });
    const r = await run(['lint', 'refund.avsc', '-f', 'sarif', '-o', 'reports/lint.sarif'], cwd);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    const log = JSON.parse(readFileSync(path.join(cwd, 'reports/lint.sarif'), 'utf8')) as { version: string; runs: Array<{ results: unknown[] }> };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.results.length).toBeGreaterThan(0);
  });

  it('colour follows FORCE_COLOR, NO_COLOR, --no-color and the terminal', async () => {
    const cwd = project({ 'refund.avsc': REFUND });
    const ansi = /\u001b\[/;
    expect((await run(['lint', 'refund.avsc'], cwd, {}, true)).stdout).toMatch(ansi);
    expect((await run(['lint', 'refund.avsc'], cwd, {}, false)).stdout).not.toMatch(ansi);
    expect((await run(['lint', 'refund.avsc'], cwd, { NO_COLOR: '1' }, true)).stdout).not.toMatch(ansi);
    expect((await run(['lint', 'refund.avsc'], cwd, { FORCE_COLOR: '1' }, false)).stdout).toMatch(ansi);
    expect((await run(['lint', 'refund.avsc', '--no-color'], cwd, { FORCE_COLOR: '1' }, true)).stdout).not.toMatch(ansi);
  });
});

describe('schemactl lint: baseline', () => {
  it('records findings, hides them on the next run, and reports them again when the node changes', async () => {
    const cwd = project({ 'refund.avsc': REFUND });
    const first = await run(['lint', 'refund.avsc', '--update-baseline'], cwd);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('schemactl: recorded the current findings in .schemactl-baseline.json; they are hidden from now on\n');
    expect(readFileSync(path.join(cwd, '.schemactl-baseline.json'), 'utf8')).toContain('require-updated-at');

    // moving lines does not resurrect the finding
    writeFileSync(path.join(cwd, 'refund.avsc'), `\n\n${REFUND}`);
    const again = await run(['lint', 'refund.avsc', '--baseline', '.schemactl-baseline.json'], cwd);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/\d+ suppressed/);

    // a new problem is reported even with the baseline
    const withNew = await run(['lint', 'refund.avsc', 'extra.avsc', '--baseline', '.schemactl-baseline.json'], project({}));
    expect(withNew.code).toBe(2); // the baseline file is missing in that fresh project
    expect(withNew.stderr).toMatch(/^schemactl: Cannot read the baseline/);
  });

  it('rejects a file that is not a baseline', async () => {
    const cwd = project({ 'refund.avsc': REFUND, 'b.json': '[1, 2]' });
    const r = await run(['lint', 'refund.avsc', '--baseline', 'b.json'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^schemactl: .*b\.json/);
  });
});

describe('schemactl lint: catalog', () => {
  it('lints the streams of schemactl.yaml, also when the catalog is passed as a path', async () => {
    const cwd = project({
      'schemactl.yaml': 'streams:\n  - topic: orders.placed\n    kind: store\n    schema: orders/order-placed.avsc\n  - topic: refunds\n    kind: store\n    schema: refunds/refund.avsc\n',
      'orders/order-placed.avsc': GOOD,
      'refunds/refund.avsc': REFUND,
    });
    const byDefault = await run(['lint', '--format', 'json'], cwd);
    const asPath = await run(['lint', 'schemactl.yaml', '--format', 'json'], cwd);
    expect(byDefault.code).toBe(1);
    expect(asPath.code).toBe(1);
    const files = (out: string): string[] => (JSON.parse(out) as Array<{ filePath: string; errorCount: number }>).filter((f) => f.errorCount > 0).map((f) => f.filePath);
    expect(files(byDefault.stdout)).toEqual(['<cwd>/refunds/refund.avsc']);
    expect(files(asPath.stdout)).toEqual(files(byDefault.stdout));
  });
});

describe('schemactl init', () => {
  it('proposes one store stream per schema file, skipping node_modules and .git', async () => {
    const cwd = project({
      'schemas/orders/order-placed.avsc': GOOD,
      'schemas/orders/order-shipped.avdl': read('schemas/orders/order-shipped.avdl'),
      'schemas/payments/payment-captured.proto': read('schemas/payments/payment-captured.proto'),
      'node_modules/dep/x.avsc': GOOD,
      '.git/y.proto': 'syntax = "proto3";',
      'README.md': '#',
    });
    const r = await run(['init'], cwd);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'Wrote schemactl.yaml with 3 streams.\nNext: review the topics, then run `schemactl lint`.\n' });
    const yaml = readFileSync(path.join(cwd, 'schemactl.yaml'), 'utf8');
    expect(yaml).toMatchSnapshot();
    expect(yaml).not.toContain('dep/x.avsc');
    expect(yaml).not.toContain('y.proto');

    const again = await run(['init'], cwd);
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('schemactl: schemactl.yaml already exists; use --force to overwrite it or --print to see the proposal\n');
    writeFileSync(path.join(cwd, 'schemactl.yaml'), '# mine\n');
    expect((await run(['init', '--force'], cwd)).code).toBe(0);
    expect(readFileSync(path.join(cwd, 'schemactl.yaml'), 'utf8')).toBe(yaml);

    // the proposal is a working catalog
    const lint = await run(['lint', '--format', 'json'], cwd);
    expect(lint.code).toBeLessThan(2);
    expect((JSON.parse(lint.stdout) as unknown[]).length).toBeGreaterThanOrEqual(3);
  });

  it('--print shows the proposal without writing', async () => {
    const cwd = project({ 'a/b.proto': read('schemas/customers/customer-registered.proto') });
    const r = await run(['init', '--print'], cwd);
    expect(r.stdout).toContain('  - topic: b\n    kind: store\n    schema: a/b.proto\n    compatibility: BACKWARD\n');
    expect(existsSync(path.join(cwd, 'schemactl.yaml'))).toBe(false);
  });
});

describe('schemactl rules', () => {
  it('lists every rule, lint and compatibility, with kind, severity, formats, whether --fix fixes it, and description', async () => {
    const { loadRules } = await import('../../src/config/rules.js');
    const { COMPAT_RULES } = await import('../../src/compat/rules.js');
    const rules = [...(await loadRules()).map((r) => ({ ...r.meta, kind: 'lint' })), ...COMPAT_RULES];
    const r = await run(['rules'], ROOT);
    expect(r.code).toBe(0);
    for (const rule of rules) {
      const fix = 'fixable' in rule && rule.fixable !== undefined ? 'yes\\s+' : '';
      expect(r.stdout).toMatch(new RegExp(`^${rule.id}\\s+${rule.kind}/${rule.category}\\s+(error|warning|off|error \\(fixed\\))\\s+\\S+\\s+${fix}${rule.description.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    }
  });

  it('shows one rule\'s docs with rationale and examples', async () => {
    const r = await run(['rules', 'prefer-enum'], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^prefer-enum — /);
    expect(r.stdout).toContain('Avro, invalid:');
    expect(r.stdout).toContain('Protobuf, valid:');
  });

  it('suggests a rule for a typo', async () => {
    const r = await run(['rules', 'prefer-enm'], ROOT);
    expect(r).toMatchObject({ code: 2, stderr: 'schemactl: no rule named "prefer-enm"; did you mean prefer-enum? (`schemactl rules` lists them)\n' });
  });

  it('renders the Markdown reference', async () => {
    const r = await run(['rules', '--format', 'markdown'], ROOT);
    expect(r.stdout).toMatch(/^\| Rule \| Kind \| Default \| Formats \| Fix \| Description \|/);
    expect(r.stdout).toContain('**Fix** (`schemactl lint --fix`):');
    expect(r.stdout).toContain('### require-updated-at');
    expect(r.stdout).toContain('```json');
  });
});

describe('usage errors', () => {
  it.each([
    [['lint', '--format', 'xml'], /Invalid values/],
    [['lint', '--max-warnings', 'x'], /max-warnings/],
    [['lint', '--quiet', '--update-baseline'], /do not combine it with --quiet/],
    [['frobnicate'], /unknown command "frobnicate"|Unknown argument/],
    [['registry', 'serve', '--port', '70000'], /--port expects 0\.\.65535/],
  ])('%j exits 2', async (argv, message) => {
    const r = await run(argv, ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^schemactl: /);
    expect(r.stderr).toMatch(message);
  });

  it('--help prints usage on stdout and exits 0', async () => {
    const r = await run(['lint', '--help'], ROOT);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--max-warnings');
    expect(r.stdout).toContain('--report-unused-disables');
  });
});
