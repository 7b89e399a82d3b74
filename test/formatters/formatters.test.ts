import { describe, expect, it } from 'vitest';
import { github, escapeData, escapeProperty } from '../../src/formatters/github.js';
import { json } from '../../src/formatters/json.js';
import { junit } from '../../src/formatters/junit.js';
import { stylish } from '../../src/formatters/stylish.js';
import { codeFrame } from '../../src/formatters/code-frame.js';
import { CWD, results, ruleMetas } from './fixtures.js';

const opts = { cwd: CWD, color: false, rules: ruleMetas, version: '1.2.3' };

describe('stylish', () => {
  it('groups by file with code frames, related locations, help and a summary', () => {
    expect(stylish(results, opts)).toMatchSnapshot();
  });

  it('prints nothing for clean results', () => {
    expect(stylish([{ file: 'a.avsc', diagnostics: [], source: '{}' }], opts)).toBe('');
  });

  it('uses ANSI colour only when asked', () => {
    expect(stylish(results, opts)).not.toMatch(/\u001b\[/);
    expect(stylish(results, { ...opts, color: true })).toMatch(/\u001b\[31m/);
  });

  it('counts problems in the summary line', () => {
    const last = stylish(results, opts).trimEnd().split('\n').at(-1);
    expect(last).toBe('✖ 5 problems (3 errors, 2 warnings), 1 file could not be read');
    const one = stylish([results[2]!], opts).trimEnd().split('\n').at(-1);
    expect(one).toBe('⚠ 1 problem (0 errors, 1 warning)');
  });

  it('mentions findings hidden by a baseline', () => {
    expect(stylish([{ file: 'a.avsc', diagnostics: [], suppressedCount: 2 }], opts)).toContain('2 suppressed');
  });
});

describe('code frame', () => {
  const lines = ['one', '\ttwo = 2;', 'three', 'four'];
  it('underlines the span under tab-expanded text', () => {
    expect(codeFrame(lines, { line: 2, column: 2, endLine: 2, endColumn: 5 })).toBe(
      [
        '  1 │ one',
        '> 2 │   two = 2;',
        '    │   ^^^',
        '  3 │ three',
      ].join('\n'),
    );
  });
  it('survives a range past the end of the file', () => {
    expect(() => codeFrame(lines, { line: 40, column: 1, endLine: 41, endColumn: 3 })).not.toThrow();
  });
});

describe('json (ESLint shape)', () => {
  const parsed = JSON.parse(json(results, opts)) as Array<Record<string, unknown>>;
  it('has one entry per file with absolute paths and counts', () => {
    expect(parsed.map((r) => r.filePath)).toEqual([
      '/repo/schemas/orders/order-placed.avsc', '/repo/schemas/bad/broken.proto', '/repo/schemas/ok, fine: yes.avsc', '/repo/schemas/clean.avsc',
    ]);
    expect(parsed[0]).toMatchObject({ errorCount: 2, warningCount: 1, fatalErrorCount: 0, fixableErrorCount: 0, fixableWarningCount: 0 });
    expect(parsed[1]).toMatchObject({ errorCount: 1, fatalErrorCount: 1 });
    expect(parsed[3]).not.toHaveProperty('source');
    expect(parsed[0]!.source).toBe(results[0]!.source);
  });
  it('maps severities to 1|2 and marks fatal messages like ESLint', () => {
    const msgs = parsed[0]!.messages as Array<Record<string, unknown>>;
    expect(msgs.map((m) => [m.ruleId, m.severity, m.line, m.column, m.endLine, m.endColumn])).toEqual([
      ['require-updated-at', 2, 1, 1, 10, 2],
      ['prefer-enum', 2, 7, 14, 7, 22],
      ['prefer-logical-type', 1, 8, 12, 8, 19],
    ]);
    expect((parsed[1]!.messages as Array<Record<string, unknown>>)[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2, line: 4, column: 1 });
  });
  it('is pinned', () => {
    expect(parsed).toMatchSnapshot();
  });
});

describe('junit', () => {
  const xml = junit(results, opts);
  it('escapes markup and counts testcases', () => {
    expect(xml).toContain('&lt;here&gt; &amp; &quot;there&quot;');
    expect(xml).not.toMatch(/<here>/);
    expect(xml).toMatch(/<testsuites name="schemactl" tests="6" failures="5"/);
    expect(xml).toContain('<testsuite name="schemas/clean.avsc" tests="1" failures="0"');
  });
  it('is well-formed enough to balance its tags', () => {
    const open = (xml.match(/<(testsuites|testsuite|testcase|failure)[\s>]/g) ?? []).length;
    const selfClosing = (xml.match(/\/>/g) ?? []).length;
    const close = (xml.match(/<\/(testsuites|testsuite|testcase|failure)>/g) ?? []).length;
    expect(open).toBe(close + selfClosing);
  });
  it('drops characters XML cannot carry', () => {
    const x = junit([{ file: 'a.avsc', diagnostics: [{ ruleId: 'r', severity: 'error', message: 'bad\u0001byte', location: { file: 'a.avsc' } }] }], opts);
    expect(x).toContain('badbyte');
  });
  it('is pinned', () => {
    expect(xml).toMatchSnapshot();
  });
});

describe('github', () => {
  it('escapes data and properties per the workflow command rules', () => {
    expect(escapeData('50%\r\nx')).toBe('50%25%0D%0Ax');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
  it('emits one annotation per finding', () => {
    const out = github(results, opts);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('::error file=schemas/orders/order-placed.avsc,line=1,col=1,endLine=10,endColumn=2,title=schemactl require-updated-at::Event root `OrderPlaced` has no `updated_at`, so consumers cannot order versions of "the same" entity.');
    expect(lines[2]).toMatch(/^::warning file=schemas\/orders\/order-placed.avsc,line=8,col=12,endLine=8,endColumn=19,title=schemactl prefer-logical-type::.*%0AUse /);
    expect(lines[4]).toBe('::warning file=schemas/ok%2C fine%3A yes.avsc,title=schemactl explicit-schema-format::50%25 of this file%0Ais not a schema, really: check it');
  });
});
