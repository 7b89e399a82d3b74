import type { EnumType, Field, ParseResult, RecordType, SchemaDocument, SourceRange } from '../../../src/model/types.js';
import { parseProto } from '../../../src/formats/protobuf/index.js';
import { corpus } from './corpus.js';

/**
 * Range of the «marked» part of `snippet`, where the unmarked snippet occurs in `text`
 * (the `nth` occurrence, 0-based). Computed from the text alone, independently of the parser.
 */
export function rangeOf(text: string, snippet: string, nth = 0): SourceRange {
  const plain = snippet.replace(/[«»]/g, '');
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(plain, at + 1);
    if (at < 0) throw new Error(`snippet not found: ${plain}`);
  }
  const open = snippet.indexOf('«');
  const close = snippet.indexOf('»');
  const start = open < 0 ? at : at + open;
  const end = open < 0 ? at + plain.length : at + close - 1;
  return { ...pos(text, start, 'line', 'column'), ...pos(text, end, 'endLine', 'endColumn') } as SourceRange;
}

function pos<L extends string, C extends string>(text: string, offset: number, l: L, c: C): Record<L | C, number> {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { [l]: line, [c]: column } as Record<L | C, number>;
}

export const loadFromCorpus = (p: string): string | undefined => corpus[p];

export function parseOk(text: string, file = 'test.proto', loadImport: (p: string) => string | undefined = loadFromCorpus): { doc: SchemaDocument; result: ParseResult & { ok: true } } {
  const result = parseProto(text, file, { loadImport });
  if (!result.ok) throw new Error(`expected a document, got ${JSON.stringify(result.problems)}`);
  return { doc: result.document, result };
}

export function message(doc: SchemaDocument, fullName: string): RecordType {
  const t = doc.types.find((x) => x.fullName === fullName);
  if (!t || t.kind !== 'record') throw new Error(`no message ${fullName}`);
  return t;
}

export function enumType(doc: SchemaDocument, fullName: string): EnumType {
  const t = doc.types.find((x) => x.fullName === fullName) ?? doc.importedTypes.get(fullName);
  if (!t || t.kind !== 'enum') throw new Error(`no enum ${fullName}`);
  return t;
}

export function field(rec: RecordType, name: string): Field {
  const f = rec.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field ${name} in ${rec.fullName}`);
  return f;
}
