// ESLint's JSON formatter shape, so tools that read ESLint reports (editors, dashboards, CI
// annotators) read ours unchanged. Like ESLint, unreadable-input messages carry `ruleId: null` and
// `fatal: true`.
import type { FileResult } from '../diagnostics/types.js';
import { absolutePath } from './paths.js';
import { sortDiagnostics } from './stylish.js';
import type { Formatter } from './types.js';

export interface EslintMessage {
  ruleId: string | null;
  severity: 1 | 2;
  message: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  fatal?: boolean;
}

export interface EslintResult {
  filePath: string;
  messages: EslintMessage[];
  suppressedMessages: EslintMessage[];
  errorCount: number;
  fatalErrorCount: number;
  warningCount: number;
  fixableErrorCount: 0;
  fixableWarningCount: 0;
  source?: string;
  usedDeprecatedRules: never[];
}

export function toEslintResult(result: FileResult, cwd: string): EslintResult {
  const messages: EslintMessage[] = [];
  let errorCount = 0;
  let warningCount = 0;
  let fatalErrorCount = 0;
  for (const d of sortDiagnostics(result.diagnostics)) {
    const r = d.location.range;
    const m: EslintMessage = {
      ruleId: d.fatal ? null : d.ruleId,
      severity: d.severity === 'error' ? 2 : 1,
      message: d.help && !d.message.includes(d.help) ? `${d.message} ${d.help}` : d.message,
      line: r?.line ?? 1,
      column: r?.column ?? 1,
    };
    if (r) {
      m.endLine = r.endLine;
      m.endColumn = r.endColumn;
    }
    if (d.fatal) m.fatal = true;
    messages.push(m);
    if (d.severity === 'error') errorCount++;
    else warningCount++;
    if (d.fatal) fatalErrorCount++;
  }
  const out: EslintResult = {
    filePath: absolutePath(result.file, cwd),
    messages,
    suppressedMessages: [],
    errorCount,
    fatalErrorCount,
    warningCount,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
  // ESLint includes the source only for files with messages; clean files stay small.
  if (messages.length > 0 && result.source !== undefined) out.source = result.source;
  return out;
}

export const json: Formatter = (results, opts) => `${JSON.stringify(results.map((r) => toEslintResult(r, opts.cwd)))}\n`;
