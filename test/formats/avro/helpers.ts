import type { ParseResult, SourceRange } from '../../../src/model/types.js';

/** The range of the n-th (1-based) occurrence of `needle` in `text`, computed independently of the parser. */
export function rangeOf(text: string, needle: string, nth = 1): SourceRange {
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" occurs fewer than ${nth} times`);
  }
  return rangeAt(text, index, index + needle.length);
}

export function rangeAt(text: string, start: number, end: number): SourceRange {
  const before = text.slice(0, start);
  const line = before.split('\n').length;
  const column = start - (before.lastIndexOf('\n') + 1) + 1;
  const through = text.slice(0, end);
  const endLine = through.split('\n').length;
  const endColumn = end - (through.lastIndexOf('\n') + 1) + 1;
  return { line, column, endLine, endColumn };
}

export function codes(result: ParseResult): string[] {
  return result.problems.map((p) => p.code);
}

export function documentOf(result: ParseResult) {
  if (!result.ok) throw new Error(`expected a document, got ${JSON.stringify(result.problems)}`);
  return result.document;
}
