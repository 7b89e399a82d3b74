// Edits of .proto text for the fixable Protobuf rules. New lines copy the indentation of their
// neighbours; comments, options and blank lines around them stay as written. Positions come from the
// tokenizer, so braces and numbers inside comments or strings are never mistaken for code.
import { T, tokenize, type Token } from '../../formats/protobuf/lexer.js';
import type { EnumType, RecordType, SchemaDocument } from '../../model/types.js';
import { LineIndex, mergeEdits, withLineEndings, type Fix } from '../fix.js';

/** Field numbers 19000-19999 belong to the Protobuf implementation. */
const IMPL_RESERVED: [number, number] = [19000, 19999];
const MAX_FIELD = 536870911;
const TIMESTAMP_IMPORT = 'google/protobuf/timestamp.proto';

interface ProtoText {
  lines: LineIndex;
  tokens: Token[];
}

const lexed = new WeakMap<SchemaDocument, ProtoText>();

function protoOf(doc: SchemaDocument): ProtoText {
  let p = lexed.get(doc);
  if (p === undefined) {
    p = { lines: new LineIndex(doc.text), tokens: tokenize(doc.text).tokens };
    lexed.set(doc, p);
  }
  return p;
}

function tokenIndexAt(p: ProtoText, offset: number): number {
  return p.tokens.findIndex((t) => t.start === offset);
}

/** Index of the `}` closing the body whose `{` follows token `from`. */
function closingBrace(tokens: readonly Token[], from: number): number {
  let depth = 0;
  for (let i = from; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.t !== T.Symbol) continue;
    if (t.v === '{') depth++;
    else if (t.v === '}' && --depth === 0) return i;
  }
  return -1;
}

function taken(n: number, used: ReadonlySet<number>, reserved: ReadonlyArray<[number, number]>): boolean {
  return used.has(n) || reserved.some(([a, b]) => n >= a && n <= b);
}

/** The lowest number above every used and reserved one that is free, or undefined when none is left. */
function nextNumber(used: readonly number[], reserved: ReadonlyArray<[number, number]>, max: number, skip?: [number, number]): number | undefined {
  let n = 1 + Math.max(0, ...used, ...reserved.filter(([, b]) => b < max).map(([, b]) => b));
  const usedSet = new Set(used);
  const blocked = skip !== undefined ? [...reserved, skip] : reserved;
  while (n <= max && taken(n, usedSet, blocked)) n++;
  return n <= max ? n : undefined;
}

/**
 * The enum's zero value renamed in effect: `<ENUM><suffix> = 0;` goes in above it and the old zero
 * value takes the next free number. Data already written with 0 then reads as unspecified, which is
 * what the rule asks for; on a published enum, `schemactl check` reports the renumbering.
 */
function unspecifiedZeroEdit(doc: SchemaDocument, type: EnumType, zeroName: string, expected: string): Fix | undefined {
  if (type.symbols.some((s) => s.name === expected)) return undefined;
  const zero = type.symbols.find((s) => s.name === zeroName);
  if (zero === undefined) return undefined;
  const p = protoOf(doc);
  const start = p.lines.start(zero.loc);
  const i = tokenIndexAt(p, start);
  const eq = p.tokens[i + 1];
  let num = p.tokens[i + 2];
  let numStart = num?.start;
  if (num !== undefined && num.t === T.Symbol && num.v === '-') {
    numStart = num.start;
    num = p.tokens[i + 3];
  }
  if (i < 0 || eq?.v !== '=' || num === undefined || num.t !== T.Int || numStart === undefined) return undefined;
  const next = nextNumber(type.symbols.map((s) => s.number ?? 0), type.reserved?.ranges ?? [], 2147483647);
  if (next === undefined) return undefined;
  // above the zero value's own `//` comment lines, which document it, not the new value
  let lineStart = p.lines.lineStartOf(start);
  while (lineStart > 0) {
    const prev = p.lines.lineStartOf(lineStart - 1);
    if (!doc.text.slice(prev, lineStart).trimStart().startsWith('//')) break;
    lineStart = prev;
  }
  const indent = p.lines.indentAt(start);
  // a value that shares its line with the enum's brace gets the new value on the same line
  const ownLine = doc.text.slice(p.lines.lineStartOf(start), start).trim() === '';
  const insert = ownLine
    ? { range: [lineStart, lineStart] as [number, number], text: `${indent}${expected} = 0;\n` }
    : { range: [start, start] as [number, number], text: `${expected} = 0; ` };
  return mergeEdits(doc.text, [insert, { range: [numStart, num.end], text: String(next) }]);
}

/** `import "google/protobuf/timestamp.proto";` after the last import, or the package, or the syntax line. */
function timestampImport(doc: SchemaDocument, p: ProtoText): Fix | undefined {
  if (doc.imports.some((im) => im.path === TIMESTAMP_IMPORT)) return undefined;
  const line = `import "${TIMESTAMP_IMPORT}";`;
  const lastImport = doc.imports[doc.imports.length - 1];
  const after = (end: number): number => {
    const nl = doc.text.indexOf('\n', end);
    return nl < 0 ? doc.text.length : nl + 1;
  };
  if (lastImport !== undefined) {
    const at = after(p.lines.end(lastImport.loc));
    return { range: [at, at], text: `${at === doc.text.length && !doc.text.endsWith('\n') ? '\n' : ''}${line}\n` };
  }
  let anchor: number | undefined = doc.packageLoc !== undefined ? p.lines.end(doc.packageLoc) : undefined;
  if (anchor === undefined) {
    const syn = p.tokens.findIndex((t) => t.t === T.Ident && (t.v === 'syntax' || t.v === 'edition'));
    const semi = syn < 0 ? -1 : p.tokens.findIndex((t, k) => k > syn && t.t === T.Symbol && t.v === ';');
    if (semi >= 0) anchor = (p.tokens[semi] as Token).end;
  }
  if (anchor === undefined) return { range: [0, 0], text: `${line}\n\n` };
  const at = after(anchor);
  return { range: [at, at], text: `${at === doc.text.length && !doc.text.endsWith('\n') ? '\n' : ''}\n${line}\n` };
}

/** `google.protobuf.Timestamp <name> = <next free number>;` as the message's last field, plus its import. */
function appendTimestampFieldEdit(doc: SchemaDocument, record: RecordType, name: string): Fix | undefined {
  // proto2 has no field that is always present without `required`, which proto-no-required forbids
  if (doc.syntax === 'proto2') return undefined;
  const p = protoOf(doc);
  const kw = tokenIndexAt(p, p.lines.start(record.loc));
  if (kw < 0) return undefined;
  const close = closingBrace(p.tokens, kw);
  if (close < 0) return undefined;
  const number = nextNumber(
    record.fields.map((f) => f.number ?? 0), record.reserved?.ranges ?? [], MAX_FIELD, IMPL_RESERVED,
  );
  if (number === undefined) return undefined;
  const closeTok = p.tokens[close] as Token;
  const decl = `google.protobuf.Timestamp ${name} = ${number};`;
  const closeLineStart = p.lines.lineStartOf(closeTok.start);
  let edit: Fix;
  if (doc.text.slice(closeLineStart, closeTok.start).trim() === '') {
    const lastField = record.fields[record.fields.length - 1];
    const indent = lastField !== undefined
      ? p.lines.indentAt(p.lines.start(lastField.loc))
      : `${p.lines.indentAt(closeTok.start)}${p.lines.indentAt(closeTok.start).includes('\t') ? '\t' : '  '}`;
    edit = { range: [closeLineStart, closeLineStart], text: `${indent}${decl}\n` };
  } else {
    edit = { range: [closeTok.start, closeTok.start], text: `${decl} ` };
  }
  const imp = timestampImport(doc, p);
  return imp === undefined ? edit : mergeEdits(doc.text, [imp, edit]);
}

// The edits above, with new lines as the file writes them.
export function unspecifiedZero(doc: SchemaDocument, type: EnumType, zeroName: string, expected: string): Fix | undefined {
  return withLineEndings(doc.text, unspecifiedZeroEdit(doc, type, zeroName, expected));
}

export function appendTimestampField(doc: SchemaDocument, record: RecordType, name: string): Fix | undefined {
  return withLineEndings(doc.text, appendTimestampFieldEdit(doc, record, name));
}
