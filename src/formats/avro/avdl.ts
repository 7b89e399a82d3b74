// Avro IDL (.avdl) → model. The IDL is translated into the equivalent protocol JSON (the document
// `avro-tools idl` would print), with a pointer → range map into the IDL text; the shared model
// builder then applies the Avro rules, so paths are pointers into that JSON (`/types/0/fields/1`).

import type { DisableDirective, ParseProblem, ParseResult, SchemaDocument, SourceRange, TypeNode } from '../../model/types.js';
import type { JsonLocation, LocNode } from './json-positions.js';
import { PositionalJsonParser, childLoc, escapePointerToken, flattenLocTree, treeFromPointers } from './json-positions.js';
import { AvroModelBuilder } from './model-builder.js';
import { registerIdlLocator } from './locate.js';

const MAX_DEPTH = 256;

type TokenKind = 'ident' | 'string' | 'number' | 'punct' | 'annotation' | 'eof';

interface Token {
  kind: TokenKind;
  /** identifier (without backquotes), punctuation, annotation name (without '@'), raw number or decoded string */
  text: string;
  start: number;
  end: number;
  /** the doc comment (`/** … *\/`) right before this token, if any */
  doc?: string;
}

class IdlSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
  }
}

/** Locations collected relative to a value, to be re-rooted under the pointer where it lands. */
type LocList = Array<[string, JsonLocation & { raw?: string }]>;

interface ParsedType {
  value: unknown;
  locs: LocList;
  start: number;
  end: number;
  /** `T?`: becomes a union with null, whose order depends on the field default */
  nullable?: { start: number; end: number };
  /** annotations that could not be placed on the type (it is a reference) and go to the field */
  fieldProps?: Array<{ name: string; value: unknown; locs: LocList; nameStart: number; nameEnd: number }>;
}

interface Annotation {
  name: string;
  value: unknown;
  locs: LocList;
  nameStart: number;
  nameEnd: number;
}

const PRIMITIVE_KEYWORDS = new Set(['boolean', 'bytes', 'int', 'string', 'float', 'double', 'long', 'null']);
const LOGICAL_KEYWORDS: Record<string, [string, string]> = {
  date: ['int', 'date'],
  time_ms: ['int', 'time-millis'],
  timestamp_ms: ['long', 'timestamp-millis'],
  local_timestamp_ms: ['long', 'local-timestamp-millis'],
  uuid: ['string', 'uuid'],
};

// The IDL grammar takes Java's identifier characters, so `Пример` is an identifier. Built on first use:
// a Unicode property class costs V8 a noticeable part of a ms to set up, which a lint run of ASCII
// schemas (nearly all) would otherwise pay at load.
let unicodeStart: RegExp | undefined;
let unicodePart: RegExp | undefined;

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36
    || (c > 127 && (unicodeStart ??= /[\p{L}\p{Nl}\p{Sc}\p{Pc}]/u).test(String.fromCharCode(c)));
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57)
    || (c > 127 && (unicodePart ??= /[\p{L}\p{Nl}\p{Sc}\p{Pc}\p{Nd}\p{Mn}\p{Mc}]/u).test(String.fromCharCode(c)));
}

function cleanDoc(raw: string): string {
  const body = raw.slice(3, -2);
  const lines = body.split(/\r\n|\r|\n/).map((line) => line.replace(/^\s*\*(?!\/)\s?/, '').trimEnd());
  while (lines.length > 0 && lines[0]?.trim() === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  return lines.map((l, i) => (i === 0 ? l.trim() : l)).join('\n').trim();
}

const DIRECTIVE_RE = /^\s*schemactl-disable-next-line(?:\s+([\s\S]*?))?\s*$/;

class IdlParser {
  private readonly lineStarts: number[] = [0];
  private pos = 0;
  private tok!: Token;
  private pendingDoc: string | undefined;
  private depth = 0;
  readonly directives: DisableDirective[] = [];
  readonly locations = new Map<string, JsonLocation & { raw?: string }>();
  readonly imports: Array<{ path: string; kind: string; loc: SourceRange }> = [];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.lineStarts.push(i + 1);
    }
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  // ---- positions ---------------------------------------------------------------------------

  private lineIndexOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  range(start: number, end: number): SourceRange {
    const l1 = this.lineIndexOf(start);
    const l2 = end === start ? l1 : this.lineIndexOf(end);
    // The BOM is not shown by editors: columns on line 1 count from after it.
    const bom = this.text.charCodeAt(0) === 0xfeff ? 1 : 0;
    const base1 = l1 === 0 ? bom : (this.lineStarts[l1] ?? 0);
    const base2 = l2 === 0 ? bom : (this.lineStarts[l2] ?? 0);
    return { line: l1 + 1, column: start - base1 + 1, endLine: l2 + 1, endColumn: end - base2 + 1 };
  }

  private fail(message: string, token: Token = this.tok): never {
    throw new IdlSyntaxError(message, token.start, Math.max(token.end, token.start + 1));
  }

  // ---- lexer -------------------------------------------------------------------------------

  private skipTrivia(): void {
    const text = this.text;
    for (;;) {
      const c = text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12) {
        this.pos++;
      } else if (c === 47 && text.charCodeAt(this.pos + 1) === 47) {
        let end = text.indexOf('\n', this.pos);
        if (end === -1) end = text.length;
        const commentEnd = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        this.directive(this.pos, commentEnd, text.slice(this.pos + 2, commentEnd));
        this.pos = end;
      } else if (c === 47 && text.charCodeAt(this.pos + 1) === 42) {
        const end = text.indexOf('*/', this.pos + 2);
        if (end === -1) {
          throw new IdlSyntaxError('Unterminated comment: add the closing */.', this.pos, this.pos + 2);
        }
        if (text.charCodeAt(this.pos + 2) === 42 && end > this.pos + 2) {
          this.pendingDoc = cleanDoc(text.slice(this.pos, end + 2));
        } else {
          this.directive(this.pos, end + 2, text.slice(this.pos + 2, end));
        }
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  /** `body` is the comment's text without its delimiters; the directive covers the line after the comment. */
  private directive(start: number, end: number, body: string): void {
    const match = DIRECTIVE_RE.exec(body);
    if (!match) return;
    const rest = match[1] ?? '';
    const sep = rest.indexOf('--');
    const ids = (sep === -1 ? rest : rest.slice(0, sep)).split(/[\s,]+/).filter((s) => s !== '');
    const reason = sep === -1 ? undefined : rest.slice(sep + 2).trim();
    const loc = this.range(start, end);
    const directive: DisableDirective = { line: loc.endLine + 1, ruleIds: ids, loc };
    if (reason) directive.reason = reason;
    this.directives.push(directive);
  }

  private next(): Token {
    this.pendingDoc = undefined;
    this.skipTrivia();
    const doc = this.pendingDoc;
    const text = this.text;
    const start = this.pos;
    const make = (kind: TokenKind, value: string, end: number): Token => {
      this.pos = end;
      const token: Token = { kind, text: value, start, end };
      if (doc !== undefined) token.doc = doc;
      return token;
    };
    if (start >= text.length) return make('eof', '', start);
    const c = text.charCodeAt(start);
    if (isIdentStart(c) || c === 96) {
      const [value, end] = this.identifier(start, false);
      return make('ident', value, end);
    }
    if (c === 64) {
      if (!isIdentStart(text.charCodeAt(start + 1)) && text.charCodeAt(start + 1) !== 96) {
        throw new IdlSyntaxError("Expected an annotation name after '@'.", start, start + 1);
      }
      const [value, end] = this.identifier(start + 1, true);
      return make('annotation', value, end);
    }
    if (c === 34) {
      let end = start + 1;
      for (;;) {
        const d = text.charCodeAt(end);
        if (Number.isNaN(d) || d === 10) throw new IdlSyntaxError('Unterminated string: add the closing ".', start, start + 1);
        if (d === 92) end += 2;
        else if (d === 34) break;
        else end++;
      }
      let value: string;
      try {
        value = JSON.parse(text.slice(start, end + 1)) as string;
      } catch {
        throw new IdlSyntaxError('Invalid escape sequence in string.', start, end + 1);
      }
      return make('string', value, end + 1);
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      let end = start + 1;
      while (isIdentPart(text.charCodeAt(end)) || text.charCodeAt(end) === 46) end++;
      return make('number', text.slice(start, end), end);
    }
    return make('punct', text[start] ?? '', start + 1);
  }

  /**
   * An identifier from `start`: segments joined by '.' (and '-' in annotation names), each plain or
   * in backquotes (`` `string` `` quotes a keyword); the backquotes are not part of the name.
   */
  private identifier(start: number, annotation: boolean): [string, number] {
    const text = this.text;
    let value = '';
    let end = start;
    for (;;) {
      if (text.charCodeAt(end) === 96) {
        const close = text.indexOf('`', end + 1);
        if (close === -1 || text.slice(end + 1, close).includes('\n')) {
          throw new IdlSyntaxError('Unterminated quoted identifier: add the closing `.', end, end + 1);
        }
        value += text.slice(end + 1, close);
        end = close + 1;
      } else {
        const from = end;
        end++;
        while (isIdentPart(text.charCodeAt(end)) || (annotation && text.charCodeAt(end) === 58)) end++;
        value += text.slice(from, end);
      }
      const d = text.charCodeAt(end);
      const after = text.charCodeAt(end + 1);
      if ((d === 46 || (annotation && d === 45)) && (isIdentStart(after) || after === 96)) {
        value += text[end];
        end++;
        continue;
      }
      if (annotation && d === 45 && after >= 48 && after <= 57) {
        // `@my-1`: a dash followed by digits stays in an annotation name
        value += text[end];
        end++;
        while (isIdentPart(text.charCodeAt(end))) value += text[end++];
        continue;
      }
      return [value, end];
    }
  }

  private advance(): Token {
    const token = this.tok;
    this.tok = this.next();
    return token;
  }

  private describe(token: Token): string {
    switch (token.kind) {
      case 'eof':
        return 'the end of the file';
      case 'string':
        return `string ${JSON.stringify(token.text)}`;
      case 'annotation':
        return `annotation @${token.text}`;
      default: {
        const code = token.text.codePointAt(0) ?? 0;
        if (token.kind === 'punct' && (code < 0x20 || code > 0x7e)) return `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
        return `'${token.text}'`;
      }
    }
  }

  private isPunct(p: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === p;
  }

  private isWord(word: string): boolean {
    return this.tok.kind === 'ident' && this.tok.text === word;
  }

  private expectPunct(p: string, context: string): Token {
    if (!this.isPunct(p)) this.fail(`Expected '${p}' ${context}, found ${this.describe(this.tok)}.`);
    return this.advance();
  }

  private expectIdent(context: string): Token {
    if (this.tok.kind !== 'ident') this.fail(`Expected ${context}, found ${this.describe(this.tok)}.`);
    return this.advance();
  }

  /** Parses the JSON value starting at the current token; its locations are relative to the value. */
  private parseJson(context: string): { value: unknown; locs: LocList; start: number; end: number } {
    const start = this.tok.start;
    const li = this.lineIndexOf(start);
    const parser = new PositionalJsonParser(this.text, MAX_DEPTH, false, true);
    parser.seek(start, li + 1, li === 0 && this.text.charCodeAt(0) === 0xfeff ? 1 : (this.lineStarts[li] ?? 0));
    const result = parser.guard(() => parser.parseValue());
    if (!result.ok) {
      const p = result.problem;
      throw new IdlSyntaxError(`Invalid JSON ${context}: ${p.message}`, this.offsetOf(p.loc.line, p.loc.column), this.offsetOf(p.loc.endLine, p.loc.endColumn));
    }
    const end = parser.pos;
    this.pos = end;
    this.tok = this.next();
    const flat: Array<[string, LocNode]> = [];
    flattenLocTree(parser.node, '', flat);
    return { value: result.value, locs: flat, start, end };
  }

  private offsetOf(line: number, column: number): number {
    const base = line === 1 && this.text.charCodeAt(0) === 0xfeff ? 1 : (this.lineStarts[line - 1] ?? 0);
    return base + column - 1;
  }

  private emit(prefix: string, locs: LocList): void {
    for (const [rel, loc] of locs) this.locations.set(prefix + rel, loc);
  }

  private emitRange(pointer: string, start: number, end: number, keyStart?: number, keyEnd?: number): void {
    const loc: JsonLocation = { value: this.range(start, end) };
    if (keyStart !== undefined && keyEnd !== undefined) loc.key = this.range(keyStart, keyEnd);
    this.locations.set(pointer, loc);
  }

  // ---- grammar -----------------------------------------------------------------------------

  private annotations(): Annotation[] {
    const result: Annotation[] = [];
    while (this.tok.kind === 'annotation') {
      const nameTok = this.advance();
      this.expectPunct('(', `after @${nameTok.text}`);
      const json = this.parseJson(`in @${nameTok.text}(…)`);
      this.expectPunct(')', `to close @${nameTok.text}(…`);
      result.push({ name: nameTok.text, value: json.value, locs: json.locs, nameStart: nameTok.start, nameEnd: nameTok.end });
    }
    return result;
  }

  private putAnnotation(target: Record<string, unknown>, pointer: string, a: Annotation): void {
    target[a.name] = a.value;
    const key = `${pointer}/${escapePointerToken(a.name)}`;
    for (const [rel, loc] of a.locs) {
      this.locations.set(key + rel, rel === '' ? { value: loc.value, key: this.range(a.nameStart, a.nameEnd) } : loc);
    }
  }

  parseFile(): { protocol?: { name: string; namespace: string; start: number; end: number }; types: unknown[]; namespace: string; schemaType?: ParsedType } {
    this.tok = this.next();
    const types: unknown[] = [];
    const leading = this.annotations();
    if (this.isWord('protocol')) {
      this.advance();
      const nameTok = this.expectIdent('the protocol name');
      let namespace = '';
      for (const a of leading) {
        if (a.name === 'namespace') {
          if (typeof a.value !== 'string') this.fail('@namespace takes a string, e.g. @namespace("com.acme").');
          namespace = a.value;
        }
      }
      this.expectPunct('{', `after protocol ${nameTok.text}`);
      while (!this.isPunct('}')) {
        if (this.tok.kind === 'eof') this.fail(`Expected '}' to close protocol ${nameTok.text}, found the end of the file.`);
        this.declaration(types, true);
      }
      this.advance();
      if (this.tok.kind !== 'eof') this.fail(`Unexpected ${this.describe(this.tok)} after the end of the protocol.`);
      return { protocol: { name: nameTok.text, namespace, start: nameTok.start, end: nameTok.end }, types, namespace };
    }
    // Schema syntax (Avro 1.12): `namespace a.b;`, `schema T;`, then named type declarations.
    if (leading.length > 0) this.fail(`Expected 'protocol' after the annotations, found ${this.describe(this.tok)}.`);
    let namespace = '';
    let schemaType: ParsedType | undefined;
    if (this.isWord('namespace')) {
      this.advance();
      namespace = this.expectIdent('a namespace name').text;
      this.expectPunct(';', 'after the namespace');
    }
    if (this.isWord('schema')) {
      this.advance();
      schemaType = this.type();
      this.expectPunct(';', 'after the schema type');
    }
    while (this.tok.kind !== 'eof') this.declaration(types, false);
    const result: { types: unknown[]; namespace: string; schemaType?: ParsedType } = { types, namespace };
    if (schemaType) result.schemaType = schemaType;
    return result;
  }

  private declaration(types: unknown[], inProtocol: boolean): void {
    const first = this.tok;
    if (this.isWord('import')) {
      this.advance();
      const kindTok = this.expectIdent("the import kind ('idl', 'protocol' or 'schema')");
      if (!['idl', 'protocol', 'schema'].includes(kindTok.text)) {
        this.fail(`Unknown import kind '${kindTok.text}': use idl, protocol or schema.`, kindTok);
      }
      if (this.tok.kind !== 'string') this.fail(`Expected the imported file name as a string, found ${this.describe(this.tok)}.`);
      const pathTok = this.advance();
      const semi = this.expectPunct(';', 'after the import');
      this.imports.push({ path: pathTok.text, kind: kindTok.text, loc: this.range(first.start, semi.end) });
      return;
    }
    const annotations = this.annotations();
    const keyword = this.tok;
    if (this.isWord('record') || this.isWord('error') || this.isWord('enum') || this.isWord('fixed')) {
      const doc = first.doc ?? keyword.doc;
      this.namedType(types, first.start, annotations, doc);
      return;
    }
    if (!inProtocol) this.fail(`Expected a record, enum, fixed or error declaration, found ${this.describe(this.tok)}.`);
    this.message();
  }

  private namedType(types: unknown[], start: number, annotations: Annotation[], doc: string | undefined): void {
    const keyword = this.advance();
    const nameTok = this.expectIdent(`the ${keyword.text} name`);
    const pointer = `/types/${types.length}`;
    const obj: Record<string, unknown> = { type: keyword.text, name: nameTok.text };
    this.emitRange(`${pointer}/type`, keyword.start, keyword.end);
    this.emitRange(`${pointer}/name`, nameTok.start, nameTok.end);
    if (doc !== undefined) obj.doc = doc;
    for (const a of annotations) this.putAnnotation(obj, pointer, a);
    let end: number;
    if (keyword.text === 'fixed') {
      this.expectPunct('(', `after fixed ${nameTok.text}`);
      if (this.tok.kind !== 'number') this.fail(`Expected the size of fixed ${nameTok.text} in bytes, found ${this.describe(this.tok)}.`);
      const sizeTok = this.advance();
      obj.size = Number(sizeTok.text);
      this.emitRange(`${pointer}/size`, sizeTok.start, sizeTok.end);
      this.expectPunct(')', 'after the fixed size');
      end = this.expectPunct(';', `after fixed ${nameTok.text}(…)`).end;
    } else if (keyword.text === 'enum') {
      this.expectPunct('{', `after enum ${nameTok.text}`);
      const symbols: string[] = [];
      while (!this.isPunct('}')) {
        const sym = this.expectIdent(`an enum symbol or '}'`);
        this.emitRange(`${pointer}/symbols/${symbols.length}`, sym.start, sym.end);
        symbols.push(sym.text);
        if (!this.isPunct(',')) break;
        this.advance();
      }
      end = this.expectPunct('}', `to close enum ${nameTok.text}`).end;
      obj.symbols = symbols;
      if (this.isPunct('=')) {
        const eq = this.advance();
        const def = this.expectIdent('the default symbol after =');
        obj.default = def.text;
        this.emitRange(`${pointer}/default`, def.start, def.end, eq.start, eq.end);
        end = this.expectPunct(';', 'after the enum default').end;
      } else if (this.isPunct(';')) {
        end = this.advance().end;
      }
    } else {
      this.expectPunct('{', `after ${keyword.text} ${nameTok.text}`);
      const fields: unknown[] = [];
      obj.fields = fields;
      while (!this.isPunct('}')) {
        if (this.tok.kind === 'eof') this.fail(`Expected '}' to close ${keyword.text} ${nameTok.text}, found the end of the file.`);
        this.field(fields, `${pointer}/fields`);
      }
      end = this.advance().end;
    }
    this.emitRange(pointer, start, end);
    types.push(obj);
  }

  private field(fields: unknown[], fieldsPointer: string): void {
    const first = this.tok;
    const type = this.type();
    for (;;) {
      const varAnnotations = this.annotations();
      const nameTok = this.expectIdent('a field name');
      const pointer = `${fieldsPointer}/${fields.length}`;
      const obj: Record<string, unknown> = { name: nameTok.text };
      const doc = nameTok.doc ?? first.doc;
      let end = nameTok.end;
      let defaultValue: { value: unknown; locs: LocList; start: number; end: number; eq: Token } | undefined;
      if (this.isPunct('=')) {
        const eq = this.advance();
        defaultValue = { ...this.parseJson(`as the default of field ${nameTok.text}`), eq };
        end = defaultValue.end;
      }
      const placed = this.resolveNullable(type, defaultValue?.value);
      obj.type = placed.value;
      this.emit(`${pointer}/type`, placed.locs);
      if (doc !== undefined) obj.doc = doc;
      if (defaultValue !== undefined) {
        obj.default = defaultValue.value;
        for (const [rel, loc] of defaultValue.locs) {
          this.locations.set(`${pointer}/default${rel}`, rel === '' ? { ...loc, key: this.range(defaultValue.eq.start, defaultValue.eq.end) } : loc);
        }
      }
      for (const p of type.fieldProps ?? []) this.putAnnotation(obj, pointer, p);
      for (const a of varAnnotations) this.putAnnotation(obj, pointer, a);
      this.emitRange(`${pointer}/name`, nameTok.start, nameTok.end);
      this.emitRange(pointer, first.start, end);
      fields.push(obj);
      if (this.isPunct(',')) {
        this.advance();
        continue;
      }
      this.expectPunct(';', `after field ${nameTok.text}`);
      return;
    }
  }

  /** The JSON of a parsed type and its relative locations, expanding `T?` by the default's kind. */
  resolveNullable(type: ParsedType, defaultValue: unknown): { value: unknown; locs: LocList } {
    if (!type.nullable) return { value: type.value, locs: type.locs };
    // Avro 1.12: `T?` is a union of null and T; null comes second when the default is not null,
    // since a union's default must match its first branch.
    const nullFirst = defaultValue === undefined || defaultValue === null;
    const locs: LocList = [
      ['', { value: this.range(type.start, type.nullable.end) }],
      [`/${nullFirst ? 0 : 1}`, { value: this.range(type.nullable.start, type.nullable.end) }],
    ];
    const at = `/${nullFirst ? 1 : 0}`;
    for (const [rel, loc] of type.locs) locs.push([at + rel, loc]);
    return { value: nullFirst ? ['null', type.value] : [type.value, 'null'], locs };
  }

  private type(): ParsedType {
    if (++this.depth > MAX_DEPTH) this.fail(`Types are nested deeper than ${MAX_DEPTH} levels.`);
    const annotations = this.annotations();
    const start = this.tok.start;
    const parsed = this.baseType();
    if (annotations.length > 0) this.applyTypeAnnotations(parsed, annotations);
    parsed.start = start < parsed.start ? start : parsed.start;
    if (annotations.length > 0) {
      const own = parsed.locs.find(([rel]) => rel === '');
      if (own) own[1] = { value: this.range(annotations[0]?.nameStart ?? parsed.start, parsed.end) };
    }
    if (this.isPunct('?')) {
      const kind = typeof parsed.value === 'object' && parsed.value !== null ? (parsed.value as { type?: unknown }).type : undefined;
      if (Array.isArray(parsed.value) || kind === 'array' || kind === 'map') {
        // Avro Java's grammar: only primitive and named types take `?`
        this.fail("'?' makes a primitive or named type nullable; for an array, map or union write union { null, … } instead.");
      }
      const q = this.advance();
      parsed.nullable = { start: q.start, end: q.end };
    }
    this.depth--;
    return parsed;
  }

  private applyTypeAnnotations(parsed: ParsedType, annotations: Annotation[]): void {
    const toField: Annotation[] = [];
    if (typeof parsed.value === 'string' && !PRIMITIVE_KEYWORDS.has(parsed.value)) {
      // Avro Java: a reference names a type declared elsewhere and cannot carry properties
      const first = annotations[0]!;
      throw new IdlSyntaxError(
        `Type references may not be annotated: @${first.name} is on a reference to ${parsed.value}. Put it after the type to annotate the field, or on the declaration of ${parsed.value}.`,
        first.nameStart - 1,
        first.nameEnd,
      );
    }
    for (const a of annotations) {
      // `order` and `aliases` only mean something on a field
      if (a.name === 'order' || a.name === 'aliases' || Array.isArray(parsed.value)) {
        toField.push(a);
        continue;
      }
      if (typeof parsed.value === 'string') parsed.value = { type: parsed.value };
      const target = parsed.value as Record<string, unknown>;
      target[a.name] = a.value;
      for (const [rel, loc] of a.locs) {
        parsed.locs.push([`/${escapePointerToken(a.name)}${rel}`, rel === '' ? { value: loc.value, key: this.range(a.nameStart, a.nameEnd) } : loc]);
      }
    }
    if (toField.length > 0) parsed.fieldProps = toField;
  }

  private baseType(): ParsedType {
    const tok = this.tok;
    if (tok.kind !== 'ident') this.fail(`Expected a type, found ${this.describe(tok)}.`);
    const word = tok.text;
    const single = (value: unknown, extra: LocList = []): ParsedType => {
      this.advance();
      return { value, locs: [['', { value: this.range(tok.start, tok.end) }], ...extra], start: tok.start, end: tok.end };
    };
    if (PRIMITIVE_KEYWORDS.has(word)) return single(word);
    const logical = LOGICAL_KEYWORDS[word];
    if (logical) return single({ type: logical[0], logicalType: logical[1] }, [['/logicalType', { value: this.range(tok.start, tok.end) }]]);
    if (word === 'array' || word === 'map') {
      this.advance();
      this.expectPunct('<', `after ${word}`);
      const inner = this.type();
      const close = this.expectPunct('>', `to close ${word}<…`);
      const key = word === 'array' ? 'items' : 'values';
      const value: Record<string, unknown> = { type: word };
      const locs: LocList = [['', { value: this.range(tok.start, close.end) }]];
      const placed = this.resolveNullable(inner, undefined);
      value[key] = placed.value;
      for (const [rel, loc] of placed.locs) locs.push([`/${key}${rel}`, loc]);
      return { value, locs, start: tok.start, end: close.end };
    }
    if (word === 'union') {
      this.advance();
      this.expectPunct('{', 'after union');
      const branches: unknown[] = [];
      const locs: LocList = [];
      while (!this.isPunct('}')) {
        const branch = this.type();
        if (branch.nullable) {
          throw new IdlSyntaxError("'?' is not allowed inside a union: list null as a branch instead.", branch.nullable.start, branch.nullable.end);
        }
        for (const [rel, loc] of branch.locs) locs.push([`/${branches.length}${rel}`, loc]);
        branches.push(branch.value);
        if (!this.isPunct(',')) break;
        this.advance();
      }
      const close = this.expectPunct('}', 'to close union {…');
      locs.unshift(['', { value: this.range(tok.start, close.end) }]);
      return { value: branches, locs, start: tok.start, end: close.end };
    }
    if (word === 'decimal') {
      this.advance();
      this.expectPunct('(', 'after decimal');
      if (this.tok.kind !== 'number') this.fail(`Expected the decimal precision, found ${this.describe(this.tok)}.`);
      const p = this.advance();
      const value: Record<string, unknown> = { type: 'bytes', logicalType: 'decimal', precision: Number(p.text) };
      const locs: LocList = [
        ['/logicalType', { value: this.range(tok.start, tok.end) }],
        ['/precision', { value: this.range(p.start, p.end) }],
      ];
      if (this.isPunct(',')) {
        this.advance();
        if (this.tok.kind !== 'number') this.fail(`Expected the decimal scale, found ${this.describe(this.tok)}.`);
        const s = this.advance();
        value.scale = Number(s.text);
        locs.push(['/scale', { value: this.range(s.start, s.end) }]);
      }
      const close = this.expectPunct(')', 'to close decimal(…');
      locs.unshift(['', { value: this.range(tok.start, close.end) }]);
      return { value, locs, start: tok.start, end: close.end };
    }
    if (word === 'void') this.fail("'void' is only allowed as a message return type.");
    return single(word);
  }

  /** Messages are parsed for syntax only: the model has no place for them and lint does not read them. */
  private message(): void {
    if (this.isWord('void')) this.advance();
    else this.type();
    this.expectIdent('a message name or a record, enum, fixed or error declaration');
    this.expectPunct('(', 'after the message name');
    while (!this.isPunct(')')) {
      this.annotations();
      this.type();
      this.expectIdent('a parameter name');
      if (this.isPunct('=')) {
        this.advance();
        this.parseJson('as a parameter default');
      }
      if (!this.isPunct(',')) break;
      this.advance();
    }
    this.expectPunct(')', 'to close the parameter list');
    if (this.isWord('throws')) {
      this.advance();
      do this.expectIdent('an error type name');
      while (this.isPunct(',') && this.advance());
    } else if (this.isWord('oneway')) {
      this.advance();
    }
    this.expectPunct(';', 'after the message declaration');
  }

  syntaxProblem(err: IdlSyntaxError): ParseProblem {
    return { code: 'avdl-syntax', message: err.message, loc: this.range(err.start, Math.min(err.end, this.text.length + 1)), fatal: true };
  }

  static isSyntaxError(err: unknown): err is IdlSyntaxError {
    return err instanceof IdlSyntaxError;
  }
}

/**
 * Reads an imported file: `importPath` as written, relative to `fromFile` (the importing file, a path
 * as the caller gave it). Returns the text and a path to report and to resolve nested imports from,
 * or undefined when no such file exists.
 */
export type AvroImportLoader = (importPath: string, fromFile: string) => { text: string; file: string } | undefined;

export interface AvdlOptions {
  /** resolves `import idl|protocol|schema "…";` (without it, every import is unresolved) */
  loadImport?: AvroImportLoader;
}

/** A named type (or, for `import schema`, any schema) an import brings in, as JSON in its own namespace. */
interface ImportedJson {
  json: unknown;
  namespace: string;
  /** index of the importing statement in this file */
  importIndex: number;
}

function namespaceOfProtocol(v: Record<string, unknown>): string {
  if (typeof v.namespace === 'string') return v.namespace;
  const name = typeof v.protocol === 'string' ? v.protocol : '';
  return name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : '';
}

/**
 * The types every import of a file brings in, transitively (nested imports resolve relative to the
 * imported file), as Avro Java's IdlReader adds them; `failures` lists imports that cannot be read or
 * parsed, with the reason.
 */
function resolveImports(
  imports: ReadonlyArray<{ path: string; kind: string }>,
  file: string,
  opts: AvdlOptions,
  seen: Set<string>,
): { types: ImportedJson[]; failures: Array<{ index: number; reason: string }> } {
  const types: ImportedJson[] = [];
  const failures: Array<{ index: number; reason: string }> = [];
  imports.forEach((imp, index) => {
    const loaded = opts.loadImport?.(imp.path, file);
    if (loaded === undefined) {
      failures.push({ index, reason: `the file "${imp.path}" does not exist relative to ${file} or on the include paths` });
      return;
    }
    if (seen.has(loaded.file)) return;
    seen.add(loaded.file);
    if (imp.kind === 'idl') {
      const nested = new IdlParser(loaded.text);
      let parsed: ReturnType<IdlParser['parseFile']>;
      try {
        parsed = nested.parseFile();
      } catch (err) {
        if (!IdlParser.isSyntaxError(err)) throw err;
        const p = nested.syntaxProblem(err);
        failures.push({ index, reason: `${loaded.file}:${p.loc.line}:${p.loc.column}: ${p.message}` });
        return;
      }
      const inner = resolveImports(nested.imports, loaded.file, opts, seen);
      for (const f of inner.failures) failures.push({ index, reason: f.reason });
      for (const t of inner.types) types.push({ ...t, importIndex: index });
      for (const t of parsed.types) types.push({ json: t, namespace: parsed.namespace, importIndex: index });
      if (parsed.schemaType) types.push({ json: nested.resolveNullable(parsed.schemaType, undefined).value, namespace: parsed.namespace, importIndex: index });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(loaded.text) as unknown;
    } catch (err) {
      failures.push({ index, reason: `${loaded.file} is not JSON (${(err as Error).message})` });
      return;
    }
    if (imp.kind === 'protocol') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        failures.push({ index, reason: `${loaded.file} is not an Avro protocol (a JSON object with "protocol" and "types")` });
        return;
      }
      const protocol = value as Record<string, unknown>;
      const ns = namespaceOfProtocol(protocol);
      for (const t of Array.isArray(protocol.types) ? protocol.types : []) types.push({ json: t, namespace: ns, importIndex: index });
      return;
    }
    types.push({ json: value, namespace: '', importIndex: index });
  });
  return { types, failures };
}

/** Imported named types as standalone JSON: the namespace they were declared in made explicit. */
function explicitNamespace(t: ImportedJson): unknown {
  const v = t.json;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name.includes('.') || typeof o.namespace === 'string' || t.namespace === '') return v;
  return { ...o, namespace: t.namespace };
}

/**
 * The protocol JSON equivalent to an .avdl text (`{protocol, namespace, types}`; messages are not
 * translated), e.g. to compute canonical forms of IDL types. With `loadImport`, the types of imported
 * files come first, each with its namespace explicit. Null on a syntax error.
 */
export function avdlToJson(text: string, file = 'input.avdl', opts: AvdlOptions = {}): { protocol?: string; namespace?: string; types: unknown[]; schema?: unknown } | null {
  const parser = new IdlParser(text);
  try {
    const parsed = parser.parseFile();
    const imported = opts.loadImport ? resolveImports(parser.imports, file, opts, new Set([file])).types.map(explicitNamespace) : [];
    const json: { protocol?: string; namespace?: string; types: unknown[]; schema?: unknown } = { types: [...imported, ...parsed.types] };
    if (parsed.protocol) json.protocol = parsed.protocol.name;
    if (parsed.namespace !== '') json.namespace = parsed.namespace;
    if (parsed.schemaType) json.schema = parser.resolveNullable(parsed.schemaType, undefined).value;
    return json;
  } catch (err) {
    if (IdlParser.isSyntaxError(err)) return null;
    throw err;
  }
}

function locationTree(parser: IdlParser, parsed: ReturnType<IdlParser['parseFile']>, text: string): LocNode {
  if (parsed.schemaType) {
    for (const [rel, loc] of parser.resolveNullable(parsed.schemaType, undefined).locs) parser.locations.set(`/schema${rel}`, loc);
  }
  const endOfText = parser.range(text.length, text.length);
  return treeFromPointers(parser.locations, { line: 1, column: 1, endLine: endOfText.line, endColumn: endOfText.column });
}

registerIdlLocator((text) => {
  const parser = new IdlParser(text);
  try {
    return locationTree(parser, parser.parseFile(), text);
  } catch (err) {
    if (IdlParser.isSyntaxError(err)) return undefined;
    throw err;
  }
});

function childLocOr(node: LocNode, key: string): LocNode {
  return childLoc(node, key);
}

export function parseAvdl(text: string, file: string, opts: AvdlOptions = {}): ParseResult {
  const parser = new IdlParser(text);
  let parsed: ReturnType<IdlParser['parseFile']>;
  try {
    parsed = parser.parseFile();
  } catch (err) {
    if (IdlParser.isSyntaxError(err)) return { ok: false, problems: [parser.syntaxProblem(err)] };
    throw err;
  }
  if (parsed.protocol === undefined && parsed.types.length === 0 && parsed.schemaType === undefined) {
    const empty = /^[\s\uFEFF]*$/.test(text);
    return {
      ok: false,
      problems: [{
        code: empty ? 'empty-file' : 'avdl-syntax',
        message: empty
          ? 'The file is empty; an .avdl file holds `protocol Name { … }` or `namespace …; schema …;` declarations.'
          : 'The file declares nothing: expected `protocol Name { … }` or record, enum, fixed declarations.',
        loc: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        fatal: true,
      }],
    };
  }
  const builder = new AvroModelBuilder({ syntax: 'avdl' });
  const root = locationTree(parser, parsed, text);
  // imported types are read first, located at their import statement
  const resolved = resolveImports(parser.imports, file, opts, new Set([file]));
  const importLocs = parser.imports.map((imp) => ({ value: imp.loc }));
  resolved.types.forEach((t, i) => builder.parseType(t.json, `/imports/${i}`, importLocs[t.importIndex]!, t.namespace));
  const importedCount = builder.types.length;
  const typesLn = childLocOr(root, 'types');
  parsed.types.forEach((type, i) => builder.parseType(type, `/types/${i}`, childLocOr(typesLn, String(i)), parsed.namespace));
  let topLevelType: TypeNode | undefined;
  if (parsed.schemaType) {
    const placed = parser.resolveNullable(parsed.schemaType, undefined);
    topLevelType = builder.parseType(placed.value, '/schema', childLocOr(root, 'schema'), parsed.namespace);
  }
  builder.finish();
  const problems: ParseProblem[] = [];
  for (const f of resolved.failures) {
    const imp = parser.imports[f.index]!;
    problems.push({
      code: 'avdl-unresolved-import',
      message: `Import "${imp.path}" cannot be resolved: ${f.reason}. Fix the path (it is relative to this file, or to an include path).`,
      loc: imp.loc,
      fatal: false,
    });
  }
  const importStatements = new Set(importLocs.map((l) => l.value));
  for (const p of builder.problems) {
    const imp = parser.imports.find((i) => i.loc === p.loc);
    problems.push(importStatements.has(p.loc) && imp ? { ...p, message: `In a type imported from "${imp.path}": ${p.message}` } : p);
  }
  const imported = builder.types.slice(0, importedCount);
  const document: SchemaDocument = {
    file,
    format: 'avro',
    syntax: 'avdl',
    text,
    namespace: parsed.namespace,
    types: builder.types.slice(importedCount),
    topLevel: builder.types.slice(importedCount).map((t) => t.fullName),
    imports: parser.imports.map((imp, i) => ({ path: imp.path, loc: imp.loc, resolved: !resolved.failures.some((f) => f.index === i) })),
    importedTypes: new Map(imported.map((t) => [t.fullName, t])),
    disableDirectives: parser.directives,
  };
  if (parsed.protocol) {
    const { name, namespace, start, end } = parsed.protocol;
    document.protocol = { name, fullName: namespace === '' ? name : `${namespace}.${name}`, loc: parser.range(start, end) };
  }
  if (topLevelType) document.topLevelType = topLevelType;
  return { ok: true, document, problems };
}
