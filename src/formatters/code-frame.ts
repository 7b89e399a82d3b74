// A source excerpt with the reported span underlined (the oxlint/Biome style): a line of context
// before, the lines of the span, and carets under the exact columns.
import type { SourceRange } from '../model/types.js';

export interface FrameStyle {
  gutter(text: string): string;
  marker(text: string): string;
}

const plain: FrameStyle = { gutter: (t) => t, marker: (t) => t };
/** a span longer than this is shown by its first and last lines only */
const MAX_SPAN_LINES = 4;
const TAB = '  ';

/** Split on \n, \r\n and \r so line numbers match the parsers' counting. */
export function splitLines(source: string): string[] {
  return source.split(/\r\n|\r|\n/);
}

function expandTabs(text: string): string {
  return text.replace(/\t/g, TAB);
}

/** Display width of the first `chars` characters (tabs expanded like the printed line). */
function displayColumn(line: string, chars: number): number {
  return expandTabs(line.slice(0, Math.max(0, chars))).length;
}

export function codeFrame(lines: readonly string[], range: SourceRange, style: FrameStyle = plain): string {
  const first = Math.max(1, Math.min(range.line, lines.length));
  const last = Math.max(first, Math.min(range.endLine, lines.length));
  const shown: number[] = [];
  if (first > 1) shown.push(first - 1);
  for (let n = first; n <= last; n++) {
    if (last - first + 1 > MAX_SPAN_LINES && n > first && n < last) {
      if (shown[shown.length - 1] !== -1) shown.push(-1);
      continue;
    }
    shown.push(n);
  }
  // the line after a one-line span, unless it is the empty remainder after a final newline
  if (last === first && last < lines.length && !(last + 1 === lines.length && lines[last] === '')) shown.push(last + 1);
  const width = String(Math.max(...shown)).length;
  const out: string[] = [];
  for (const n of shown) {
    if (n === -1) {
      out.push(style.gutter(`${' '.repeat(width)} ⋮`));
      continue;
    }
    const text = expandTabs(lines[n - 1] ?? '');
    const inSpan = n >= first && n <= last;
    const prefix = inSpan ? style.marker('>') : ' ';
    out.push(`${prefix} ${style.gutter(`${String(n).padStart(width)} │`)}${text === '' ? '' : ` ${text}`}`);
    if (!inSpan) continue;
    const raw = lines[n - 1] ?? '';
    const startChar = n === range.line ? range.column - 1 : raw.length - raw.trimStart().length;
    const endChar = n === range.endLine ? range.endColumn - 1 : raw.length;
    const from = displayColumn(raw, startChar);
    const to = Math.max(from + 1, displayColumn(raw, endChar));
    out.push(`  ${style.gutter(`${' '.repeat(width)} │`)} ${' '.repeat(from)}${style.marker('^'.repeat(to - from))}`);
  }
  return out.join('\n');
}
