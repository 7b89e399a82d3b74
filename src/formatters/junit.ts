// JUnit XML for CI systems that only render test reports: a testsuite per file, a failing testcase
// per finding, one passing testcase for a clean file so it still counts as checked.
import type { FileResult } from '../diagnostics/types.js';
import { relativePosix } from './paths.js';
import { sortDiagnostics } from './stylish.js';
import type { Formatter } from './types.js';

/** Escape for XML text and attribute values; characters XML 1.0 cannot carry at all are dropped. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function suite(result: FileResult, cwd: string): { xml: string; tests: number; failures: number } {
  const file = relativePosix(result.file, cwd);
  const cases: string[] = [];
  const diags = sortDiagnostics(result.diagnostics);
  for (const d of diags) {
    const r = d.location.range;
    const where = r ? `${file}:${r.line}:${r.column}` : file;
    const name = `${d.ruleId} ${r ? `${r.line}:${r.column}` : ''}`.trim();
    const body = [`${d.severity === 'error' ? 'Error' : 'Warning'}: ${d.message}`, `at ${where}`];
    if (d.help) body.push(`help: ${d.help}`);
    for (const rel of d.related ?? []) body.push(`${rel.message} (${relativePosix(rel.file, cwd)}${rel.range ? `:${rel.range.line}:${rel.range.column}` : ''})`);
    cases.push(
      `    <testcase classname="${escapeXml(file)}" name="${escapeXml(name)}" time="0">\n` +
      `      <failure type="${escapeXml(d.ruleId)}" message="${escapeXml(d.message)}">${escapeXml(body.join('\n'))}</failure>\n` +
      '    </testcase>',
    );
  }
  if (cases.length === 0) cases.push(`    <testcase classname="${escapeXml(file)}" name="schemactl lint" time="0"/>`);
  const tests = cases.length;
  const failures = diags.length;
  const xml = `  <testsuite name="${escapeXml(file)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="0">\n${cases.join('\n')}\n  </testsuite>`;
  return { xml, tests, failures };
}

export const junit: Formatter = (results, opts) => {
  const suites = results.map((r) => suite(r, opts.cwd));
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="schemactl" tests="${tests}" failures="${failures}" errors="0" time="0">\n` +
    (suites.length > 0 ? `${suites.map((s) => s.xml).join('\n')}\n` : '') +
    '</testsuites>\n';
};
