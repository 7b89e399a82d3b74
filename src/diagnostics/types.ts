// The one result type. Lint rules, parse problems and compatibility findings all end up here and
// are rendered by the same formatters.
import type { SourceRange } from '../model/types.js';

export type Severity = 'error' | 'warn';

export interface DiagnosticLocation {
  file: string;
  /** undefined only when a problem concerns a file as a whole and no position is meaningful */
  range?: SourceRange;
  /** structural JSON pointer of the node (see model/types.ts) */
  path?: string;
}

export interface RelatedLocation extends DiagnosticLocation {
  /** label shown next to the related span, e.g. "old schema here" */
  message: string;
}

export interface Diagnostic {
  /** rule id, or a built-in id: 'parse-error' for unreadable input, a compat difference type for check */
  ruleId: string;
  severity: Severity;
  /** what is wrong, why it matters, what to do — full sentences */
  message: string;
  location: DiagnosticLocation;
  related?: RelatedLocation[];
  /** the concrete fix, when it can be said separately from the message */
  help?: string;
  /** symbol path of the offending node, e.g. `com.acme.OrderPlaced.status` */
  symbol?: string;
  /** true for unreadable input: the file could not be linted at all */
  fatal?: boolean;
  /** an edit of the file's text that resolves the finding (`lint --fix` applies it) */
  fix?: { range: [number, number]; text: string };
}

export function countBySeverity(diags: readonly Diagnostic[]): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const d of diags) {
    if (d.severity === 'error') errors++;
    else warnings++;
  }
  return { errors, warnings };
}

/** Every finding about one file, as the formatters receive them. */
export interface FileResult {
  /** path as shown to the user (relative to the working directory when inside it) */
  file: string;
  diagnostics: Diagnostic[];
  /** the file's text, for code frames; absent for binary or unreadable input */
  source?: string;
  /** diagnostics hidden by the baseline or suppressions, counted for the summary */
  suppressedCount?: number;
  /** `lint --fix`: the file's text with the fixes applied, when that differs from the file on disk */
  output?: string;
}
