// Autofix: a finding may carry one edit of the original text (ESLint's `fix: { range, text }`), and
// this module applies the edits of one file. Edits never touch what they do not replace, so the
// file's indentation, key order and comments survive. Pure: text in, text out.
import type { Diagnostic } from '../diagnostics/types.js';
import type { SourceRange } from '../model/types.js';

/** Replace `text.slice(range[0], range[1])` (UTF-16 offsets, end exclusive) with `text`. */
export interface Fix {
  range: [number, number];
  text: string;
}

/** The most passes `lint --fix` makes over a file set (as ESLint): a fix may enable another one. */
export const MAX_FIX_PASSES = 10;

/** Offsets of line starts, for turning 1-based line:column positions into text offsets. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    // the parsers count columns of the first line from after a byte-order mark
    if (text.charCodeAt(0) === 0xfeff) this.starts[0] = 1;
  }

  offset(line: number, column: number): number {
    return (this.starts[line - 1] ?? this.text.length) + column - 1;
  }

  start(r: SourceRange): number {
    return this.offset(r.line, r.column);
  }

  end(r: SourceRange): number {
    return this.offset(r.endLine, r.endColumn);
  }

  /** offset of the start of the line holding `offset` */
  lineStartOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return this.starts[lo] as number;
  }

  /** the whitespace that starts the line holding `offset` */
  indentAt(offset: number): string {
    const s = this.lineStartOf(offset);
    return /^[ \t]*/.exec(this.text.slice(s))?.[0] ?? '';
  }
}

/** Several edits of one text as one fix spanning them all (what lies between is kept as it is). */
export function mergeEdits(text: string, edits: readonly Fix[]): Fix {
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  const first = sorted[0];
  if (first === undefined) throw new Error('mergeEdits needs at least one edit');
  let out = '';
  let pos = first.range[0];
  for (const e of sorted) {
    if (e.range[0] < pos) throw new Error('mergeEdits: edits overlap');
    out += text.slice(pos, e.range[0]) + e.text;
    pos = e.range[1];
  }
  return { range: [first.range[0], pos], text: out };
}

/** The fix with its new lines written as the file writes them (`\r\n` in a CRLF file). */
export function withLineEndings(text: string, fix: Fix | undefined): Fix | undefined {
  if (fix === undefined || !text.includes('\r\n')) return fix;
  return { range: fix.range, text: fix.text.replace(/\r?\n/g, '\r\n') };
}

export interface AppliedFixes {
  output: string;
  /** findings whose fix was applied */
  fixed: Diagnostic[];
  /** findings without a fix, or whose fix overlapped an earlier one (tried again on the next pass) */
  remaining: Diagnostic[];
}

/**
 * Applies the fixes of one file's findings in text order. A fix that overlaps (or touches) one
 * already taken waits for the next pass, which re-lints the edited text first, as ESLint does.
 */
export function applyFixes(text: string, diagnostics: readonly Diagnostic[]): AppliedFixes {
  const withFix = diagnostics.filter((d) => d.fix !== undefined)
    .sort((a, b) => a.fix!.range[0] - b.fix!.range[0] || a.fix!.range[1] - b.fix!.range[1]);
  const fixed: Diagnostic[] = [];
  const remaining = diagnostics.filter((d) => d.fix === undefined);
  let output = '';
  let last = -1;
  for (const d of withFix) {
    const [start, end] = d.fix!.range;
    if (start <= last || start < 0 || end > text.length || end < start) {
      remaining.push(d);
      continue;
    }
    output += text.slice(Math.max(last, 0), start) + d.fix!.text;
    last = end;
    fixed.push(d);
  }
  output += text.slice(Math.max(last, 0));
  return { output: fixed.length > 0 ? output : text, fixed, remaining };
}
