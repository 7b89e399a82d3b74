// Recursive-descent parser for proto2, proto3 and editions files. It builds the format-neutral model
// directly (one pass, positions from the tokens) and leaves type references to be resolved by the
// caller once imports are known.
import type {
  EnumSymbol,
  EnumType,
  Field,
  NamedRef,
  NamedType,
  Oneof,
  ParseProblem,
  PrimitiveType,
  ProtoScalar,
  RecordType,
  Reserved,
  SchemaDocument,
  SourceRange,
  TypeNode,
} from '../../model/types.js';
import { LexError, T, tokenize } from './lexer.js';
import type { Token } from './lexer.js';

export const MAX_FIELD_NUMBER = 536870911;
const MAX_ENUM_NUMBER = 2147483647;
const MIN_ENUM_NUMBER = -2147483648;
/** Nesting of messages, groups and aggregate option values; deeper input is rejected, not recursed. */
export const MAX_NESTING = 64;

const SCALARS = new Set<string>([
  'double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64',
  'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes',
]);
const MAP_KEY_SCALARS = new Set<string>([
  'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string',
]);

/** A type reference waiting for imports: resolved against `scope` (full name of the enclosing message or the package). */
export interface PendingRef {
  ref: NamedRef;
  scope: string;
  /** where the reference is used, for messages: "field 'status' of message 'acme.Order'" */
  usage: string;
  /** when true the ref is not part of the model (extend/rpc) but must still resolve */
  detached?: boolean;
}

export interface ImportStmt {
  path: string;
  loc: SourceRange;
  /** `option`: an edition 2024 option-only import, whose types serve options and nothing else */
  kind?: 'public' | 'weak' | 'option';
}

/** An extension field, checked against its extendee once imports are known. */
export interface ExtensionDecl {
  /** full name of the extension (the enclosing scope + the field name) */
  fullName: string;
  extendee: NamedRef;
  number: number;
  numLoc: SourceRange;
}

/** An extension named inside an aggregate option value (`[pkg.ext] { … }`), resolved once imports are known. */
export interface OptionExtensionRef {
  written: string;
  scope: string;
  loc: SourceRange;
}

export interface ParsedFile {
  document: SchemaDocument;
  problems: ParseProblem[];
  refs: PendingRef[];
  importStmts: ImportStmt[];
  extensions: ExtensionDecl[];
  optionExtensionRefs: OptionExtensionRef[];
}

interface MessageCtx {
  rec: RecordType;
  chain: RecordType[];
  reserved: Reserved;
  /** every reserved and extension range with where it is written, for the overlap check */
  rangeLocs: RangeLoc[];
  extRanges: Array<[number, number]>;
  numbers: Map<number, Field>;
  numLocs: Map<Field, SourceRange>;
  detached: boolean;
}

type OptionValue = unknown;

interface RangeLoc {
  lo: number;
  hi: number;
  loc: SourceRange;
  what: 'reserved' | 'extension';
}

/** Editions this parser reads, as protoc and buf 1.75 accept them. */
const EDITIONS = new Set(['2023', '2024', '2026']);

class Parser {
  private readonly toks: Token[];
  private i = 0;
  private depth = 0;
  /** extension fields belong to the extendee's namespace, so they are not declared in the enclosing scope */
  private inExtend = 0;
  readonly problems: ParseProblem[] = [];
  readonly refs: PendingRef[] = [];
  readonly importStmts: ImportStmt[] = [];
  private readonly types: NamedType[] = [];
  private readonly topLevel: string[] = [];
  private readonly symbols = new Map<string, string>();
  private syntax: 'proto2' | 'proto3' | 'editions' = 'proto2';
  private pkg = '';
  private packageLoc: SourceRange | undefined;
  private readonly fileOptions: Record<string, unknown> = {};
  private readonly presenceFixups: Array<{ field: Field; chain: RecordType[] }> = [];
  /** request and response types of the services' methods (resolved with the other refs) */
  private readonly rpcTypes: NamedRef[] = [];
  private readonly longRunningTypes: string[] = [];
  /** checks that depend on options written anywhere in the file (features inherit from file to message to field) */
  private readonly deferred: Array<() => void> = [];
  private edition = '';
  /** the scope option statements are in, for extension names inside aggregate values */
  private optionScope = '';
  readonly extensions: ExtensionDecl[] = [];
  readonly optionExtensionRefs: OptionExtensionRef[] = [];
  private readonly importPaths = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly file: string,
    toks: Token[],
  ) {
    this.toks = toks;
  }

  // ---- token helpers -------------------------------------------------------------------------

  private peek(k = 0): Token {
    const t = this.toks[this.i + k];
    return t ?? (this.toks[this.toks.length - 1] as Token);
  }
  private next(): Token {
    const t = this.peek();
    if (t.t !== T.EOF) this.i++;
    return t;
  }
  private isSym(s: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === T.Symbol && t.v === s;
  }
  private isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t.t === T.Ident && t.v === w;
  }
  private describe(t: Token): string {
    if (t.t === T.EOF) return 'end of file';
    return `'${this.text.slice(t.start, t.end)}'`;
  }
  private fail(expected: string, t: Token = this.peek()): never {
    throw new LexError(`expected ${expected}, found ${this.describe(t)}`, tokLoc(t));
  }
  private expectSym(s: string, after: string): Token {
    const t = this.peek();
    if (t.t === T.Symbol && t.v === s) return this.next();
    return this.fail(`'${s}' ${after}`, t);
  }
  private expectIdent(what: string): Token {
    const t = this.peek();
    if (t.t === T.Ident) return this.next();
    return this.fail(what, t);
  }
  private problem(code: string, message: string, loc: SourceRange): void {
    this.problems.push({ code, message, loc, fatal: false });
  }
  private enter(t: Token): void {
    if (++this.depth > MAX_NESTING) {
      throw new LexError(`nesting deeper than ${MAX_NESTING} levels; flatten the definitions`, tokLoc(t), 'proto-nesting-too-deep');
    }
  }
  private declare(scope: string, name: string, what: string, loc: SourceRange): void {
    if (this.inExtend > 0) return;
    const key = scope === '' ? name : `${scope}.${name}`;
    const prev = this.symbols.get(key);
    if (prev !== undefined) {
      this.problem('proto-duplicate-name', `'${name}' is already defined in ${scope === '' ? 'the file' : `'${scope}'`} as ${prev}; rename one of them`, loc);
      return;
    }
    this.symbols.set(key, what);
  }

  private editionAtLeast(e: string): boolean {
    return this.syntax === 'editions' && this.edition >= e;
  }
  private syntaxName(): string {
    return this.syntax === 'editions' ? `edition ${this.edition}` : `"${this.syntax}"`;
  }

  /** `export message …` / `local enum …`: a symbol visibility modifier (edition 2024), not a type named export. */
  private isVisibility(): boolean {
    const t = this.peek();
    if (t.t !== T.Ident || (t.v !== 'export' && t.v !== 'local')) return false;
    return (this.isWord('message', 1) || this.isWord('enum', 1)) && this.peek(2).t === T.Ident && this.isSym('{', 3);
  }
  private visibility(): void {
    const t = this.next();
    // the declaration's doc comment sits above the modifier
    const kw = this.peek();
    if (t.doc !== undefined && kw.doc === undefined) kw.doc = t.doc;
    if (!this.editionAtLeast('2024')) {
      this.problem('proto-visibility-edition', `'${t.v}' is not supported in ${this.syntaxName()}; symbol visibility needs edition 2024 or later`, tokLoc(t));
    }
  }

  // ---- file ----------------------------------------------------------------------------------

  parseFile(): ParsedFile {
    this.parseSyntax();
    while (this.peek().t !== T.EOF) {
      const t = this.peek();
      if (t.t === T.Symbol && t.v === ';') {
        this.next();
        continue;
      }
      if (t.t !== T.Ident) this.fail('a top-level declaration (message, enum, service, extend, import, package or option)');
      if (this.isVisibility()) {
        this.visibility();
        continue;
      }
      switch (t.v) {
        case 'import': this.parseImport(); break;
        case 'package': this.parsePackage(); break;
        case 'option': this.parseOptionStatement(this.fileOptions); break;
        case 'message': this.parseMessage(this.pkg, '', undefined, []); break;
        case 'enum': this.parseEnum(this.pkg, '', undefined); break;
        case 'service': this.parseService(); break;
        case 'extend': this.parseExtend(this.pkg, []); break;
        case 'syntax':
        case 'edition':
          throw new LexError(`'${t.v}' must be the first statement of the file`, tokLoc(t));
        default: this.fail('a top-level declaration (message, enum, service, extend, import, package or option)');
      }
    }
    for (const check of this.deferred) check();
    for (const { field, chain } of this.presenceFixups) {
      const presence = featurePresence(field.options) ?? chainPresence(chain) ?? featurePresence(this.fileOptions) ?? 'EXPLICIT';
      field.label = presence === 'IMPLICIT' ? 'singular' : presence === 'LEGACY_REQUIRED' ? 'required' : 'optional';
    }
    const document: SchemaDocument = {
      file: this.file,
      format: 'protobuf',
      syntax: this.syntax,
      text: this.text,
      namespace: this.pkg,
      types: this.types,
      topLevel: this.topLevel,
      imports: this.importStmts.map((s) => ({ ...s, resolved: false })),
      importedTypes: new Map(),
      disableDirectives: [],
    };
    if (this.packageLoc) document.packageLoc = this.packageLoc;
    if (Object.keys(this.fileOptions).length > 0) document.options = this.fileOptions;
    if (this.rpcTypes.length > 0) document.rpcTypes = this.rpcTypes;
    if (this.longRunningTypes.length > 0) document.longRunningTypes = this.longRunningTypes;
    return {
      document, problems: this.problems, refs: this.refs, importStmts: this.importStmts, extensions: this.extensions, optionExtensionRefs: this.optionExtensionRefs,
    };
  }

  private parseSyntax(): void {
    const t = this.peek();
    if (t.t !== T.Ident || (t.v !== 'syntax' && t.v !== 'edition') || !this.isSym('=', 1)) return;
    this.next();
    this.next();
    const v = this.peek();
    if (v.t !== T.String) this.fail(`a quoted ${t.v === 'syntax' ? 'syntax ("proto2" or "proto3")' : 'edition ("2023")'} after '${t.v} ='`);
    const value = this.parseStringConcat();
    this.expectSym(';', `after the ${t.v} statement`);
    if (t.v === 'syntax') {
      if (value !== 'proto2' && value !== 'proto3') {
        throw new LexError(`unrecognized syntax "${value}": use "proto2" or "proto3" (or an edition statement)`, tokLoc(v), 'proto-unknown-syntax');
      }
      this.syntax = value;
    } else {
      this.syntax = 'editions';
      if (!EDITIONS.has(value)) {
        throw new LexError(`unrecognized edition "${value}": use "2023", "2024" or "2026"`, tokLoc(v), 'proto-unknown-edition');
      }
      this.edition = value;
    }
  }

  private parseImport(): void {
    const kw = this.next();
    let kind: 'public' | 'weak' | 'option' | undefined;
    if (this.isWord('public') || this.isWord('weak') || this.isWord('option')) {
      const k = this.next();
      kind = k.v as 'public' | 'weak' | 'option';
      if (kind === 'option' && !this.editionAtLeast('2024')) {
        this.problem('proto-import-option-edition', `'import option' is not supported in ${this.syntaxName()}; it needs edition 2024 or later`, tokLoc(k));
      }
    }
    if (this.peek().t !== T.String) this.fail("a quoted file path after 'import'");
    const path = this.parseStringConcat();
    const end = this.expectSym(';', `after import "${path}"`);
    const stmt: ImportStmt = { path, loc: range(kw, end) };
    if (kind) stmt.kind = kind;
    if (this.importPaths.has(path)) {
      this.problem('proto-duplicate-import', `"${path}" is imported more than once; remove the duplicate import`, stmt.loc);
    }
    this.importPaths.add(path);
    this.importStmts.push(stmt);
  }

  private parsePackage(): void {
    const kw = this.next();
    const { name } = this.parseFullIdent("a package name after 'package'");
    const end = this.expectSym(';', `after package name '${name}'`);
    if (this.packageLoc) {
      this.problem('proto-duplicate-package', 'the file declares more than one package; keep a single package statement', range(kw, end));
      return;
    }
    this.pkg = name;
    this.optionScope = name;
    this.packageLoc = range(kw, end);
  }

  private parseFullIdent(what: string): { name: string; first: Token; last: Token } {
    const first = this.expectIdent(what);
    let name = first.v;
    let last = first;
    while (this.isSym('.')) {
      this.next();
      last = this.expectIdent(`an identifier after '${name}.'`);
      name += `.${last.v}`;
    }
    return { name, first, last };
  }

  /** A type name as written, possibly fully qualified with a leading dot. */
  private parseTypeName(what: string): { name: string; first: Token; last: Token } {
    if (this.isSym('.')) {
      const dot = this.next();
      const r = this.parseFullIdent(`a type name after '.'`);
      return { name: `.${r.name}`, first: dot, last: r.last };
    }
    return this.parseFullIdent(what);
  }

  private parseStringConcat(): string {
    let s = this.next().v;
    while (this.peek().t === T.String) s += this.next().v;
    return s;
  }

  // ---- options -------------------------------------------------------------------------------

  private parseOptionName(): { key: string; first: Token } {
    const first = this.peek();
    let key = '';
    for (;;) {
      if (this.isSym('(')) {
        this.next();
        const r = this.parseTypeName("an extension name after '('");
        this.expectSym(')', `after option name '(${r.name}'`);
        key += `(${r.name})`;
      } else {
        key += this.expectIdent(key === '' ? 'an option name' : `an option name after '${key}'`).v;
      }
      if (!this.isSym('.')) break;
      this.next();
      key += '.';
    }
    return { key, first };
  }

  private parseOptionStatement(into: Record<string, unknown>): void {
    this.next();
    const { key } = this.parseOptionName();
    this.expectSym('=', `after option name '${key}'`);
    const value = this.parseValue(`a value for option '${key}'`);
    this.expectSym(';', `after option '${key}'`);
    into[key] = value;
  }

  private parseValue(what: string): OptionValue {
    const t = this.peek();
    if (t.t === T.String) return this.parseStringConcat();
    if (t.t === T.Int || t.t === T.Float) return numberValue(this.next());
    if (t.t === T.Symbol && (t.v === '-' || t.v === '+')) {
      this.next();
      const n = this.peek();
      let v: number;
      if (n.t === T.Int || n.t === T.Float) v = numberValue(this.next());
      else if (n.t === T.Ident && (n.v === 'inf' || n.v === 'infinity')) { this.next(); v = Infinity; }
      else if (n.t === T.Ident && n.v === 'nan') { this.next(); v = NaN; }
      else return this.fail(`a number after '${t.v}'`);
      return t.v === '-' ? -v : v;
    }
    if (t.t === T.Ident) {
      this.next();
      if (t.v === 'true') return true;
      if (t.v === 'false') return false;
      if (t.v === 'inf') return Infinity;
      if (t.v === 'nan') return NaN;
      return t.v;
    }
    if (t.t === T.Symbol && t.v === '{') {
      this.next();
      return this.parseAggregate('}', t);
    }
    return this.fail(what);
  }

  /** Text-format message literal used as an aggregate option value. */
  private parseAggregate(close: string, open: Token): Record<string, unknown> {
    this.enter(open);
    const out: Record<string, unknown> = {};
    while (!this.isSym(close)) {
      let key: string;
      if (this.isSym('[')) {
        const first = this.next();
        let name = '';
        while (!this.isSym(']')) {
          const p = this.next();
          if (p.t === T.EOF) this.fail(`']' to close the extension name`, p);
          name += p.v;
        }
        const close = this.next();
        // a type URL (`[type.googleapis.com/pkg.Msg]`) names an Any's type, not an extension
        if (!name.includes('/')) this.optionExtensionRefs.push({ written: name, scope: this.optionScope, loc: range(first, close) });
        key = `[${name}]`;
      } else {
        key = this.expectIdent(`a field name or '${close}' in the option value`).v;
      }
      let value: unknown;
      const hadColon = this.isSym(':');
      if (hadColon) this.next();
      if (this.isSym('{') || this.isSym('<')) {
        const o = this.next();
        value = this.parseAggregate(o.v === '{' ? '}' : '>', o);
      } else if (this.isSym('[')) {
        this.next();
        const list: unknown[] = [];
        while (!this.isSym(']')) {
          if (this.isSym('{') || this.isSym('<')) {
            const o = this.next();
            list.push(this.parseAggregate(o.v === '{' ? '}' : '>', o));
          } else {
            list.push(this.parseValue(`a value in the list of '${key}'`));
          }
          if (this.isSym(',')) this.next();
          else if (!this.isSym(']')) this.fail(`',' or ']' in the list of '${key}'`);
        }
        this.next();
        value = list;
      } else {
        if (!hadColon) this.fail(`':' after '${key}' in the option value`);
        value = this.parseValue(`a value for '${key}'`);
      }
      const prev = out[key];
      if (prev === undefined) out[key] = value;
      else if (Array.isArray(prev)) prev.push(value);
      else out[key] = [prev, value];
      if (this.isSym(',') || this.isSym(';')) this.next();
      if (this.peek().t === T.EOF) this.fail(`'${close}' to close the option value`);
    }
    this.next();
    this.depth--;
    return out;
  }

  /** `[a = 1, (b).c = 2]` after a field or enum value. Returns undefined when there is no list. */
  private parseBracketOptions(owner: string, onDefault?: (value: unknown, nameTok: Token) => void): Record<string, unknown> | undefined {
    if (!this.isSym('[')) return undefined;
    this.next();
    const opts: Record<string, unknown> = {};
    for (;;) {
      const { key, first } = this.parseOptionName();
      this.expectSym('=', `after option name '${key}' of ${owner}`);
      const value = this.parseValue(`a value for option '${key}' of ${owner}`);
      if (key === 'default' && onDefault) onDefault(value, first);
      else opts[key] = value;
      if (this.isSym(',')) {
        this.next();
        continue;
      }
      this.expectSym(']', `to close the options of ${owner}`);
      return opts;
    }
  }

  // ---- messages ------------------------------------------------------------------------------

  private parseMessage(scope: string, parentPath: string, parent: RecordType | undefined, chain: RecordType[]): void {
    const kw = this.next();
    const nameTok = this.expectIdent("a message name after 'message'");
    const open = this.expectSym('{', `after message name '${nameTok.v}'`);
    this.enter(open);
    const rec = this.newRecord(nameTok, kw, scope, parentPath, parent);
    this.parseMessageBody(kw, rec, [...chain, rec], false);
    this.depth--;
  }

  private newRecord(nameTok: Token, start: Token, scope: string, parentPath: string, parent: RecordType | undefined): RecordType {
    const name = nameTok.v;
    const fullName = scope === '' ? name : `${scope}.${name}`;
    const rec: RecordType = {
      kind: 'record',
      name,
      fullName,
      namespace: this.pkg,
      nameLoc: tokLoc(nameTok),
      aliases: [],
      fields: [],
      oneofs: [],
      path: `${parentPath}/messages/${name}`,
      loc: tokLoc(start),
    };
    this.addType(rec, start, scope, parent, 'a message');
    this.recordsByName.set(fullName, rec);
    return rec;
  }

  /** Makes a new message or enum known: its doc comment, its parent (or the file's top level), its scope. */
  private addType(type: RecordType | EnumType, start: Token, scope: string, parent: RecordType | undefined, what: string): void {
    if (start.doc !== undefined) type.doc = start.doc;
    if (parent) type.parent = parent.fullName;
    else this.topLevel.push(type.fullName);
    this.declare(scope, type.name, what, type.nameLoc);
    this.types.push(type);
  }

  /**
   * Walks the statements of a `{ … }` body, leaving its closing brace for the caller to consume (it is
   * the end of the body's range). Empty statements are skipped; end of input fails naming `closing`.
   */
  private bodyStatements(closing: string, statement: (t: Token) => void): void {
    for (;;) {
      const t = this.peek();
      if (t.t === T.Symbol && t.v === '}') return;
      if (t.t === T.Symbol && t.v === ';') {
        this.next();
        continue;
      }
      if (t.t === T.EOF) this.fail(`'}' to close ${closing}`);
      statement(t);
    }
  }

  private parseMessageBody(startTok: Token, rec: RecordType, chain: RecordType[], detached: boolean): void {
    const ctx: MessageCtx = {
      rec,
      chain,
      reserved: { ranges: [], names: [] },
      rangeLocs: [],
      extRanges: [],
      numbers: new Map(),
      numLocs: new Map(),
      detached,
    };
    const options: Record<string, unknown> = {};
    const outerScope = this.optionScope;
    this.optionScope = rec.fullName;
    this.bodyStatements(`message '${rec.name}'`, (t) => {
      if (this.isVisibility()) {
        this.visibility();
        return;
      }
      if (t.t === T.Ident) {
        // As in protoc, these words always start a statement in a message body.
        switch (t.v) {
          case 'message': this.parseMessage(rec.fullName, rec.path, rec, chain); return;
          case 'enum': this.parseEnum(rec.fullName, rec.path, rec); return;
          case 'oneof': this.parseOneof(ctx); return;
          case 'extend': this.parseExtend(rec.fullName, chain); return;
          case 'option': this.parseOptionStatement(options); return;
          case 'reserved': this.parseReserved(ctx.reserved, ctx.rangeLocs, MAX_FIELD_NUMBER, false); return;
          case 'extensions': this.parseExtensions(ctx); return;
        }
      }
      this.parseField(ctx, undefined);
    });
    this.optionScope = outerScope;
    const close = this.next();
    rec.loc = range(startTok, close);
    if (Object.keys(options).length > 0) rec.attributes = options;
    if (ctx.reserved.ranges.length > 0 || ctx.reserved.names.length > 0) rec.reserved = ctx.reserved;
    if (ctx.extRanges.length > 0) rec.extensionRanges = ctx.extRanges;
    this.checkMessage(ctx);
  }

  private checkMessage(ctx: MessageCtx): void {
    const { rec, reserved } = ctx;
    this.checkOverlaps(ctx.rangeLocs, `message '${rec.name}'`, 'field number');
    const reservedNames = new Set(reserved.names);
    const reservedSorted = sortedRanges(reserved.ranges);
    const extSorted = sortedRanges(ctx.extRanges);
    for (const f of rec.fields) {
      const n = f.number ?? 0;
      const numLoc = ctx.numLocs.get(f) ?? f.loc;
      if (inRanges(reservedSorted, n)) {
        this.problem('proto-reserved-number-used', `field '${f.name}' uses number ${n}, which message '${rec.name}' reserves; pick an unused number (reserved numbers belong to removed fields)`, numLoc);
      }
      const ext = containingRange(extSorted, n);
      if (ext) {
        this.problem('proto-field-in-extension-range', `field '${f.name}' uses number ${n}, which lies in an extension range of message '${rec.name}'; pick a number outside ${ext[0]} to ${ext[1]}`, numLoc);
      }
      if (reservedNames.has(f.name)) {
        this.problem('proto-reserved-name-used', `field name '${f.name}' is reserved in message '${rec.name}'; a removed field used it, so choose another name`, f.nameLoc);
      }
    }
    if (!ctx.detached) {
      const chain = ctx.chain;
      this.deferred.push(() => this.checkJsonNames(rec, chain));
    }
  }

  /** Reserved and extension ranges of one message (or enum) must not overlap, as protoc requires. */
  private checkOverlaps(ranges: RangeLoc[], owner: string, what: string): void {
    if (ranges.length < 2) return;
    const sorted = [...ranges].sort((a, b) => a.lo - b.lo || a.hi - b.hi);
    let widest = sorted[0] as RangeLoc;
    for (let k = 1; k < sorted.length; k++) {
      const r = sorted[k] as RangeLoc;
      if (r.lo <= widest.hi) {
        this.problem('proto-overlapping-ranges', `${r.what} range ${bounds(r)} of ${owner} overlaps the ${widest.what} range ${bounds(widest)}; each ${what} may be reserved or declared an extension only once`, r.loc);
      }
      if (r.hi > widest.hi) widest = r;
    }
  }

  /** The JSON format feature in force for a message or enum: features inherit file → message → nested. */
  private jsonLegacy(own: Record<string, unknown> | undefined, chain: readonly RecordType[]): boolean {
    if (own?.deprecated_legacy_json_field_conflicts === true) return true;
    let fmt = feature(own, 'json_format');
    for (let k = chain.length - 1; fmt === undefined && k >= 0; k--) fmt = feature((chain[k] as RecordType).attributes, 'json_format');
    fmt ??= feature(this.fileOptions, 'json_format');
    if (fmt !== undefined) return fmt === 'LEGACY_BEST_EFFORT';
    return this.syntax === 'proto2';
  }

  /**
   * Fields must keep distinct JSON names (protoc's check, as buf applies it): default names
   * (lowerCamelCase of the field name) must differ unless the JSON format is legacy, and a custom
   * `json_name` may never collide with another field's JSON name.
   */
  private checkJsonNames(rec: RecordType, chain: readonly RecordType[]): void {
    if (rec.fields.length < 2) return;
    const legacy = this.jsonLegacy(rec.attributes, chain.slice(0, -1));
    const reported = new Set<Field>();
    const pass = (useCustom: boolean): void => {
      const seen = new Map<string, { field: Field; custom: boolean }>();
      for (const f of rec.fields) {
        const custom = useCustom && typeof f.options?.json_name === 'string';
        const json = custom ? (f.options?.json_name as string) : toJsonName(f.name);
        const prev = seen.get(json);
        if (prev === undefined) {
          seen.set(json, { field: f, custom });
          continue;
        }
        if (!custom && !prev.custom && (useCustom || legacy)) continue;
        if (prev.field.name === f.name) continue; // a duplicate name, reported as such
        if (reported.has(f)) continue;
        reported.add(f);
        this.problem('proto-json-name-conflict', `field '${f.name}' of message '${rec.name}' has the JSON name "${json}", which field '${prev.field.name}' already has; JSON would not tell them apart, so rename one or set a distinct json_name`, f.nameLoc);
      }
    };
    if (!legacy) pass(false);
    // without any json_name option the second pass could only find default-name clashes, which it skips
    if (rec.fields.some((f) => f.options?.json_name !== undefined)) pass(true);
  }

  private parseExtensions(ctx: MessageCtx): void {
    const kw = this.next();
    const before = ctx.extRanges.length;
    const tmp: Reserved = { ranges: [], names: [] };
    this.parseRangeList(tmp, MAX_FIELD_NUMBER, false, 'extensions', ctx.rangeLocs, 'extension');
    ctx.extRanges.push(...tmp.ranges);
    this.parseBracketOptions('the extension range');
    const end = this.expectSym(';', 'after the extension range');
    if (this.syntax === 'proto3' && ctx.extRanges.length > before) {
      this.problem('proto3-extensions', 'proto3 messages cannot declare extension ranges; remove the extensions statement', range(kw, end));
    }
  }

  private parseReserved(into: Reserved, locs: RangeLoc[], max: number, isEnum: boolean): void {
    const kw = this.next();
    const t = this.peek();
    if (t.t === T.String || (t.t === T.Ident && t.v !== 'max')) {
      for (;;) {
        const n = this.peek();
        if (n.t === T.String) into.names.push(this.parseStringConcat());
        else if (n.t === T.Ident) into.names.push(this.next().v);
        else this.fail("a reserved name after 'reserved'");
        if (!this.isSym(',')) break;
        this.next();
      }
    } else {
      this.parseRangeList(into, max, isEnum, 'reserved', locs, 'reserved');
    }
    const end = this.expectSym(';', 'after the reserved statement');
    if (!into.loc) into.loc = range(kw, end);
  }

  private parseRangeList(into: Reserved, max: number, allowNegative: boolean, what: string, locs: RangeLoc[], kind: RangeLoc['what']): void {
    for (;;) {
      const first = this.peek();
      const lo = this.parseRangeBound(max, allowNegative, what, false);
      let hi = lo;
      if (this.isWord('to')) {
        this.next();
        hi = this.parseRangeBound(max, allowNegative, what, true);
      }
      const loc = range(first, this.peek(-1));
      if (hi < lo) {
        this.problem('proto-invalid-range', `${what} range ${lo} to ${hi} ends before it starts; swap the bounds`, loc);
      } else if (!allowNegative && lo < 1) {
        this.problem('proto-invalid-field-number', `${what} range ${lo} to ${hi} starts below 1; field numbers start at 1`, loc);
      }
      into.ranges.push([lo, hi]);
      locs.push({ lo, hi, loc, what: kind });
      if (!this.isSym(',')) return;
      this.next();
    }
  }

  private parseRangeBound(max: number, allowNegative: boolean, what: string, upper: boolean): number {
    if (upper && this.isWord('max')) {
      this.next();
      return max;
    }
    let neg = false;
    if (allowNegative && this.isSym('-')) {
      this.next();
      neg = true;
    }
    const t = this.peek();
    if (t.t !== T.Int) this.fail(upper ? `a number or 'max' after 'to' in the ${what} statement` : `a field number in the ${what} statement`);
    this.next();
    const v = intValue(t.v);
    return neg ? -v : v;
  }

  private parseOneof(ctx: MessageCtx): void {
    const kw = this.next();
    const nameTok = this.expectIdent("a oneof name after 'oneof'");
    this.expectSym('{', `after oneof name '${nameTok.v}'`);
    const oneof: Oneof = { name: nameTok.v, fields: [], path: `${ctx.rec.path}/oneofs/${nameTok.v}`, loc: tokLoc(kw) };
    this.declare(ctx.rec.fullName, nameTok.v, 'a oneof', tokLoc(nameTok));
    const options: Record<string, unknown> = {};
    this.bodyStatements(`oneof '${oneof.name}'`, (t) => {
      if (t.t === T.Ident && t.v === 'option') this.parseOptionStatement(options);
      else this.parseField(ctx, oneof);
    });
    const close = this.next();
    oneof.loc = range(kw, close);
    if (oneof.fields.length === 0) {
      this.problem('proto-empty-oneof', `oneof '${oneof.name}' has no fields; add a field or remove it`, tokLoc(nameTok));
    }
    if (!ctx.detached) ctx.rec.oneofs.push(oneof);
  }

  private parseField(ctx: MessageCtx, oneof: Oneof | undefined): void {
    const start = this.peek();
    let labelTok: Token | undefined;
    if (start.t === T.Ident && (start.v === 'optional' || start.v === 'required' || start.v === 'repeated') && (this.peek(1).t === T.Ident || this.isSym('.', 1))) {
      // `optional foo = 1;` is a field named foo of message type `optional`; only a following type makes it a label
      if (!this.isSym('=', 2) || this.peek(1).v === 'group') labelTok = this.next();
    }
    if (this.isWord('map') && this.isSym('<', 1)) {
      this.parseMapField(ctx, oneof, start, labelTok);
      return;
    }
    if (this.isWord('group') && this.peek(1).t === T.Ident && this.isSym('=', 2)) {
      this.parseGroup(ctx, oneof, start, labelTok);
      return;
    }
    const typeName = this.parseTypeName(labelTok ? `a field type after '${labelTok.v}'` : `a field, message, enum, oneof, option, reserved or '}' in message '${ctx.rec.name}'`);
    const nameTok = this.expectIdent(`a field name after type '${typeName.name}'`);
    const field = this.finishField(ctx, oneof, start, labelTok, nameTok, (path) => this.typeNode(typeName, path, ctx, nameTok.v));
    if (field) this.applyLabel(ctx, field, labelTok, oneof);
  }

  private finishField(
    ctx: MessageCtx,
    oneof: Oneof | undefined,
    start: Token,
    labelTok: Token | undefined,
    nameTok: Token,
    mkType: (path: string) => TypeNode,
  ): Field | undefined {
    const name = nameTok.v;
    this.expectSym('=', `after field name '${name}'`);
    let neg = false;
    if (this.isSym('-')) {
      this.next();
      neg = true;
    }
    const numTok = this.peek();
    if (numTok.t !== T.Int) this.fail(`a field number after '${name} ='`);
    this.next();
    const number = neg ? -intValue(numTok.v) : intValue(numTok.v);
    const numLoc = neg ? range(this.toks[this.i - 2] as Token, numTok) : tokLoc(numTok);
    const path = `${ctx.rec.path}/fields/${number}`;
    const field: Field = {
      name,
      nameLoc: tokLoc(nameTok),
      type: mkType(`${path}/type`),
      aliases: [],
      hasDefault: false,
      number,
      path,
      loc: tokLoc(start),
    };
    if (start.doc !== undefined) field.doc = start.doc;
    const owner = `field '${name}'`;
    const opts = this.parseBracketOptions(owner, (value, nameTok2) => {
      field.hasDefault = true;
      field.default = value;
      // editions allow a default wherever presence is explicit, as proto2 does
      if (this.syntax === 'proto3') {
        this.problem('proto3-default', `proto3 fields cannot declare a default value; remove 'default' from field '${name}' (the zero value is always the default)`, tokLoc(nameTok2));
      }
    });
    if (opts && Object.keys(opts).length > 0) field.options = opts;
    if (labelTok?.v === 'repeated' && field.hasDefault) {
      this.problem('proto-repeated-default', `repeated field '${name}' cannot have a default value; remove it`, field.nameLoc);
    }
    return this.addField(ctx, oneof, field, numLoc, this.expectSym(';', `after field '${name}' declaration`));
  }

  private addField(ctx: MessageCtx, oneof: Oneof | undefined, field: Field, numLoc: SourceRange, end: Token): Field {
    field.loc = { ...field.loc, endLine: end.endLine, endColumn: end.endCol };
    if (field.doc === undefined && end.trailing !== undefined) field.doc = end.trailing;
    const n = field.number as number;
    if (n <= 0 || n > MAX_FIELD_NUMBER) {
      this.problem('proto-invalid-field-number', `field '${field.name}' has number ${n}; field numbers must be between 1 and ${MAX_FIELD_NUMBER}`, numLoc);
    } else if (n >= 19000 && n <= 19999) {
      this.problem('proto-implementation-reserved-number', `field '${field.name}' has number ${n}; numbers 19000 to 19999 are reserved for the Protocol Buffers implementation, so pick another`, numLoc);
    }
    const prev = ctx.numbers.get(n);
    if (prev) {
      this.problem('proto-duplicate-field-number', `field number ${n} of '${field.name}' is already used by field '${prev.name}' (line ${prev.loc.line}) in message '${ctx.rec.name}'; give each field its own number`, numLoc);
    } else {
      ctx.numbers.set(n, field);
    }
    const groupNamedAsField = field.type.kind === 'ref' && field.type.fullName === `${ctx.rec.fullName}.${field.name}`;
    if (!groupNamedAsField) this.declare(ctx.rec.fullName, field.name, `field '${field.name}'`, field.nameLoc);
    ctx.numLocs.set(field, numLoc);
    if (oneof) {
      field.oneof = oneof.name;
      oneof.fields.push(n);
    }
    ctx.rec.fields.push(field);
    return field;
  }

  private applyLabel(ctx: MessageCtx, field: Field, labelTok: Token | undefined, oneof: Oneof | undefined): void {
    const label = labelTok?.v as 'optional' | 'required' | 'repeated' | undefined;
    if (oneof) {
      field.label = 'optional';
      if (labelTok) this.problem('proto-oneof-label', `fields in oneof '${oneof.name}' cannot have a label; remove '${labelTok.v}' from field '${field.name}'`, tokLoc(labelTok));
      return;
    }
    if (this.syntax === 'proto3') {
      field.label = label ?? 'singular';
      if (label === 'required') {
        this.problem('proto3-required', `proto3 does not support required fields; remove 'required' from field '${field.name}' (validate presence in application code)`, tokLoc(labelTok as Token));
      }
      return;
    }
    if (this.syntax === 'editions') {
      if (label === 'repeated') {
        field.label = 'repeated';
        return;
      }
      if (label) {
        field.label = label;
        this.problem('proto-editions-label', `editions do not allow the '${label}' label; use the option 'features.field_presence' on field '${field.name}' instead`, tokLoc(labelTok as Token));
        return;
      }
      this.presenceFixups.push({ field, chain: ctx.chain });
      return;
    }
    if (label) {
      field.label = label;
      return;
    }
    field.label = 'optional';
    this.problem('proto-missing-label', `proto2 field '${field.name}' needs a label: write 'optional', 'required' or 'repeated'`, field.loc.line === field.nameLoc.line ? { ...field.loc, endLine: field.nameLoc.endLine, endColumn: field.nameLoc.endColumn } : field.nameLoc);
  }

  private typeNode(tn: { name: string; first: Token; last: Token }, path: string, ctx: MessageCtx, fieldName: string): TypeNode {
    const loc = range(tn.first, tn.last);
    if (SCALARS.has(tn.name)) {
      const p: PrimitiveType = { kind: 'primitive', name: tn.name as ProtoScalar, path, loc };
      return p;
    }
    const ref: NamedRef = { kind: 'ref', fullName: tn.name.startsWith('.') ? tn.name.slice(1) : tn.name, written: tn.name, resolved: false, path, loc };
    const pending: PendingRef = { ref, scope: ctx.rec.fullName, usage: `field '${fieldName}' of message '${ctx.rec.fullName}'` };
    if (ctx.detached) pending.detached = true;
    this.refs.push(pending);
    return ref;
  }

  private parseMapField(ctx: MessageCtx, oneof: Oneof | undefined, start: Token, labelTok: Token | undefined): void {
    const mapTok = this.next();
    this.next();
    const keyTok = this.expectIdent("a key type after 'map<'");
    if (this.isSym('.')) this.fail(`',' after map key type '${keyTok.v}'`);
    this.expectSym(',', `after map key type '${keyTok.v}'`);
    const valueName = this.parseTypeName('a value type in map<…>');
    const close = this.expectSym('>', `after map value type '${valueName.name}'`);
    const nameTok = this.expectIdent('a field name after the map type');
    if (!MAP_KEY_SCALARS.has(keyTok.v)) {
      throw new LexError(
        `map key type '${keyTok.v}' is not allowed; map keys must be an integer type, bool or string`,
        tokLoc(keyTok),
        'proto-invalid-map-key',
      );
    }
    const field = this.finishField(ctx, oneof, start, labelTok, nameTok, (path) => ({
      kind: 'map',
      keys: { kind: 'primitive', name: keyTok.v as ProtoScalar, path: `${path}/keys`, loc: tokLoc(keyTok) },
      values: this.typeNode(valueName, `${path}/values`, ctx, nameTok.v),
      path,
      loc: range(mapTok, close),
    }));
    if (!field) return;
    field.label = 'repeated';
    if (oneof) {
      this.problem('proto-map-in-oneof', `map field '${field.name}' cannot be part of oneof '${oneof.name}'; move it out of the oneof or wrap it in a message`, range(mapTok, nameTok));
    }
    if (labelTok) {
      if (labelTok.v === 'repeated') {
        this.problem('proto-repeated-map', `map field '${field.name}' cannot be 'repeated' (a map is already repeated); remove the label or use a repeated message`, tokLoc(labelTok));
      } else {
        this.problem('proto-map-label', `map field '${field.name}' cannot have the label '${labelTok.v}'; remove it`, tokLoc(labelTok));
      }
    }
  }

  private parseGroup(ctx: MessageCtx, oneof: Oneof | undefined, start: Token, labelTok: Token | undefined): void {
    const kw = this.next();
    const nameTok = this.next();
    const groupName = nameTok.v;
    const first = groupName.charCodeAt(0);
    if (!(first >= 65 && first <= 90)) {
      this.problem('proto-group-name', `group name '${groupName}' must start with a capital letter`, tokLoc(nameTok));
    }
    if (this.syntax !== 'proto2') {
      this.problem('proto-group-not-proto2', `groups are only allowed in proto2; declare a message '${groupName}' and a field of that type instead`, tokLoc(kw));
    }
    // The group's field is named after the type in lower case, as protoc does.
    const fieldName = groupName.toLowerCase();
    const rec = this.newRecordForGroup(nameTok, start, ctx);
    const fieldTok: Token = { ...nameTok, v: fieldName };
    this.expectSym('=', `after group name '${groupName}'`);
    const numTok = this.peek();
    if (numTok.t !== T.Int) this.fail(`a field number after '${groupName} ='`);
    this.next();
    const number = intValue(numTok.v);
    const path = `${ctx.rec.path}/fields/${number}`;
    const field: Field = {
      name: fieldName,
      nameLoc: tokLoc(fieldTok),
      type: { kind: 'ref', fullName: rec.fullName, written: groupName, resolved: true, path: `${path}/type`, loc: tokLoc(nameTok) },
      aliases: [],
      hasDefault: false,
      number,
      path,
      loc: tokLoc(start),
      group: true,
    };
    if (start.doc !== undefined) field.doc = start.doc;
    const opts = this.parseBracketOptions(`group '${groupName}'`);
    if (opts && Object.keys(opts).length > 0) field.options = opts;
    const open = this.expectSym('{', `after group '${groupName}' declaration`);
    this.enter(open);
    this.parseMessageBody(start, rec, [...ctx.chain, rec], ctx.detached);
    this.depth--;
    const close = this.toks[this.i - 1] as Token;
    rec.loc = range(start, close);
    this.addField(ctx, oneof, field, tokLoc(numTok), close);
    this.applyLabel(ctx, field, labelTok, oneof);
  }

  private newRecordForGroup(nameTok: Token, start: Token, ctx: MessageCtx): RecordType {
    return this.newRecord(nameTok, start, ctx.rec.fullName, ctx.rec.path, ctx.rec);
  }

  // ---- enums ---------------------------------------------------------------------------------

  private parseEnum(scope: string, parentPath: string, parent: RecordType | undefined): void {
    const kw = this.next();
    const nameTok = this.expectIdent("an enum name after 'enum'");
    this.expectSym('{', `after enum name '${nameTok.v}'`);
    const name = nameTok.v;
    const fullName = scope === '' ? name : `${scope}.${name}`;
    const en: EnumType = {
      kind: 'enum',
      name,
      fullName,
      namespace: this.pkg,
      nameLoc: tokLoc(nameTok),
      aliases: [],
      symbols: [],
      path: `${parentPath}/enums/${name}`,
      loc: tokLoc(kw),
    };
    this.addType(en, kw, scope, parent, 'an enum');
    const options: Record<string, unknown> = {};
    const reserved: Reserved = { ranges: [], names: [] };
    const numbers = new Map<number, EnumSymbol>();
    const numLocs = new Map<EnumSymbol, SourceRange>();
    const nameLocs = new Map<EnumSymbol, SourceRange>();
    const duplicates: Array<{ sym: EnumSymbol; prev: EnumSymbol }> = [];
    const rangeLocs: RangeLoc[] = [];
    this.bodyStatements(`enum '${name}'`, (t) => {
      if (t.t === T.Ident && t.v === 'option') {
        this.parseOptionStatement(options);
        return;
      }
      if (t.t === T.Ident && t.v === 'reserved') {
        this.parseReserved(reserved, rangeLocs, MAX_ENUM_NUMBER, true);
        return;
      }
      const vTok = this.expectIdent(`an enum value name, option, reserved or '}' in enum '${name}'`);
      this.expectSym('=', `after enum value name '${vTok.v}'`);
      let neg = false;
      const signTok = this.peek();
      if (this.isSym('-')) {
        this.next();
        neg = true;
      }
      const numTok = this.peek();
      if (numTok.t !== T.Int) this.fail(`a number after '${vTok.v} ='`);
      this.next();
      const number = neg ? -intValue(numTok.v) : intValue(numTok.v);
      this.parseBracketOptions(`enum value '${vTok.v}'`);
      const end = this.expectSym(';', `after enum value '${vTok.v}'`);
      const sym: EnumSymbol = { name: vTok.v, number, path: `${en.path}/values/${vTok.v}`, loc: range(vTok, end) };
      if (vTok.doc !== undefined) sym.doc = vTok.doc;
      else if (end.trailing !== undefined) sym.doc = end.trailing;
      const numLoc = neg ? range(signTok, numTok) : tokLoc(numTok);
      if (number < MIN_ENUM_NUMBER || number > MAX_ENUM_NUMBER) {
        this.problem('proto-invalid-enum-number', `enum value '${sym.name}' has number ${number}, outside the 32-bit range`, numLoc);
      }
      if (this.syntax === 'proto3' && en.symbols.length === 0 && number !== 0) {
        this.problem('proto3-enum-zero', `the first value of proto3 enum '${name}' must be 0 (it is the default); add '${upperSnake(name)}_UNSPECIFIED = 0;' first`, numLoc);
      }
      const prev = numbers.get(number);
      if (prev) duplicates.push({ sym, prev });
      else numbers.set(number, sym);
      numLocs.set(sym, numLoc);
      nameLocs.set(sym, tokLoc(vTok));
      // Enum values are scoped like C++: siblings of the enum, so two enums in one scope cannot share a value name.
      this.declare(scope, vTok.v, `a value of enum '${name}'`, tokLoc(vTok));
      en.symbols.push(sym);
    });
    const close = this.next();
    en.loc = range(kw, close);
    if (Object.keys(options).length > 0) en.attributes = options;
    const chain = this.enumChain(parent);
    this.deferred.push(() => this.checkEnumLater(en, chain, numLocs));
    if (reserved.ranges.length > 0 || reserved.names.length > 0) en.reserved = reserved;
    if (en.symbols.length === 0) {
      this.problem('proto-empty-enum', `enum '${name}' has no values; add at least one (a zero value first)`, en.nameLoc);
    }
    if (options.allow_alias !== true) {
      for (const { sym, prev } of duplicates) {
        this.problem('proto-duplicate-enum-number', `enum value '${sym.name}' reuses number ${sym.number} of '${prev.name}' in enum '${name}'; use a new number, or set 'option allow_alias = true;' if it is an alias`, numLocs.get(sym) as SourceRange);
      }
    }
    this.checkOverlaps(rangeLocs, `enum '${name}'`, 'value number');
    const rnames = new Set(reserved.names);
    const reservedSorted = sortedRanges(reserved.ranges);
    for (const sym of en.symbols) {
      const n = sym.number as number;
      if (inRanges(reservedSorted, n)) {
        this.problem('proto-reserved-number-used', `enum value '${sym.name}' uses number ${n}, which enum '${name}' reserves; pick an unused number`, numLocs.get(sym) as SourceRange);
      }
      if (rnames.has(sym.name)) {
        this.problem('proto-reserved-name-used', `enum value name '${sym.name}' is reserved in enum '${name}'; choose another name`, nameLocs.get(sym) as SourceRange);
      }
    }
  }

  private readonly recordsByName = new Map<string, RecordType>();

  /** The messages enclosing an enum, outermost first (features inherit along them). */
  private enumChain(parent: RecordType | undefined): RecordType[] {
    const chain: RecordType[] = [];
    for (let r = parent; r !== undefined; r = r.parent === undefined ? undefined : this.recordsByName.get(r.parent)) chain.unshift(r);
    return chain;
  }

  private checkEnumLater(en: EnumType, chain: readonly RecordType[], numLocs: ReadonlyMap<EnumSymbol, SourceRange>): void {
    const first = en.symbols[0];
    if (this.syntax === 'editions' && first !== undefined && first.number !== 0) {
      let kind = feature(en.attributes, 'enum_type');
      for (let k = chain.length - 1; kind === undefined && k >= 0; k--) kind = feature((chain[k] as RecordType).attributes, 'enum_type');
      kind ??= feature(this.fileOptions, 'enum_type');
      if (kind !== 'CLOSED') {
        this.problem('proto-open-enum-zero', `the first value of open enum '${en.name}' must be 0 (it is the default); add '${upperSnake(en.name)}_UNSPECIFIED = 0;' first or make the enum closed`, numLocs.get(first) as SourceRange);
      }
    }
    if (en.symbols.length < 2 || this.jsonLegacy(en.attributes, chain)) return;
    // protoc: values must stay distinct once the enum's name is stripped as a prefix and the rest is
    // PascalCased, unless they are aliases of one number
    const prefix = en.name.replace(/_/g, '').toLowerCase();
    const seen = new Map<string, EnumSymbol>();
    for (const sym of en.symbols) {
      const key = enumValuePascal(stripEnumPrefix(sym.name, prefix));
      const prev = seen.get(key);
      if (prev === undefined) {
        seen.set(key, sym);
      } else if (prev.name !== sym.name && prev.number !== sym.number) {
        this.problem('proto-enum-value-conflict', `enum value '${sym.name}' of enum '${en.name}' clashes with '${prev.name}' once the prefix '${en.name}' is removed (both become '${key}'); rename one, or give both the same number if it is an alias`, sym.loc);
      }
    }
  }

  // ---- services and extensions (checked for references, not modelled) -----------------------

  private parseService(): void {
    this.next();
    const nameTok = this.expectIdent("a service name after 'service'");
    this.declare(this.pkg, nameTok.v, 'a service', tokLoc(nameTok));
    this.expectSym('{', `after service name '${nameTok.v}'`);
    const scope = this.pkg;
    for (;;) {
      const t = this.peek();
      if (t.t === T.Symbol && t.v === '}') break;
      if (t.t === T.Symbol && t.v === ';') {
        this.next();
        continue;
      }
      if (this.isWord('option')) {
        this.parseOptionStatement({});
        continue;
      }
      if (!this.isWord('rpc')) this.fail(`'rpc', 'option' or '}' in service '${nameTok.v}'`);
      this.next();
      const rpc = this.expectIdent("a method name after 'rpc'");
      for (const which of ['request', 'response']) {
        if (which === 'response') {
          if (!this.isWord('returns')) this.fail(`'returns' after the request type of method '${rpc.v}'`);
          this.next();
        }
        this.expectSym('(', which === 'request' ? `after method name '${rpc.v}'` : `after 'returns' in method '${rpc.v}'`);
        if (this.isWord('stream') && (this.peek(1).t === T.Ident || this.isSym('.', 1))) this.next();
        const tn = this.parseTypeName(`a message type for the ${which} of method '${rpc.v}'`);
        this.expectSym(')', `after the ${which} type of method '${rpc.v}'`);
        const ref = this.detachedRef(tn, scope, `the ${which} of method '${nameTok.v}.${rpc.v}'`);
        this.rpcTypes.push(ref);
      }
      if (this.isSym('{')) {
        this.next();
        while (!this.isSym('}')) {
          if (this.isSym(';')) {
            this.next();
            continue;
          }
          if (!this.isWord('option')) this.fail(`'option' or '}' in method '${rpc.v}'`);
          const methodOptions: Record<string, unknown> = {};
          this.parseOptionStatement(methodOptions);
          this.noteLongRunning(methodOptions);
        }
        this.next();
      } else {
        this.expectSym(';', `after method '${rpc.v}'`);
      }
    }
    this.next();
  }

  /**
   * A long-running method returns `google.longrunning.Operation` and names its real response and
   * metadata types in `operation_info` (package-relative unless qualified).
   */
  private noteLongRunning(options: Record<string, unknown>): void {
    const info = options['(google.longrunning.operation_info)'];
    if (typeof info !== 'object' || info === null) return;
    for (const key of ['response_type', 'metadata_type']) {
      const name = (info as Record<string, unknown>)[key];
      if (typeof name !== 'string' || name === '') continue;
      const bare = name.replace(/^\./, '');
      this.longRunningTypes.push(bare.includes('.') || this.pkg === '' ? bare : `${this.pkg}.${bare}`);
    }
  }

  private detachedRef(tn: { name: string; first: Token; last: Token }, scope: string, usage: string): NamedRef {
    const ref: NamedRef = { kind: 'ref', fullName: tn.name.replace(/^\./, ''), written: tn.name, resolved: false, path: '', loc: range(tn.first, tn.last) };
    this.refs.push({ ref, scope, usage, detached: true });
    return ref;
  }

  private parseExtend(scope: string, chain: RecordType[]): void {
    const kw = this.next();
    const tn = this.parseTypeName("a message name after 'extend'");
    const extendeeAt = this.refs.length;
    this.detachedRef(tn, scope, `the extend block`);
    const open = this.expectSym('{', `after 'extend ${tn.name}'`);
    this.enter(open);
    // Extension fields live in the extendee; they are parsed (and their types checked) but not
    // modelled, so they get a throwaway record.
    const holder: RecordType = {
      kind: 'record',
      name: tn.name,
      fullName: scope,
      namespace: this.pkg,
      nameLoc: range(tn.first, tn.last),
      aliases: [],
      fields: [],
      oneofs: [],
      path: `/extend/${tn.name}`,
      loc: tokLoc(kw),
    };
    const ctx: MessageCtx = { rec: holder, chain, reserved: { ranges: [], names: [] }, rangeLocs: [], extRanges: [], numbers: new Map(), numLocs: new Map(), detached: true };
    this.inExtend++;
    this.bodyStatements(`'extend ${tn.name}'`, () => this.parseField(ctx, undefined));
    this.inExtend--;
    const extendee = this.refs[extendeeAt]?.ref as NamedRef;
    for (const f of holder.fields) {
      const numLoc = ctx.numLocs.get(f) ?? f.loc;
      this.extensions.push({ fullName: scope === '' ? f.name : `${scope}.${f.name}`, extendee, number: f.number ?? 0, numLoc });
      if (f.label === 'required') {
        this.problem('proto-required-extension', `extension '${f.name}' cannot be required; make it optional`, f.loc);
      }
    }
    this.next();
    this.depth--;
  }
}

function featurePresence(opts: Record<string, unknown> | undefined): string | undefined {
  if (!opts) return undefined;
  const direct = opts['features.field_presence'];
  if (typeof direct === 'string') return direct;
  const f = opts.features;
  if (f && typeof f === 'object' && !Array.isArray(f)) {
    const v = (f as Record<string, unknown>).field_presence;
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function chainPresence(chain: RecordType[]): string | undefined {
  for (let k = chain.length - 1; k >= 0; k--) {
    const p = featurePresence((chain[k] as RecordType).attributes);
    if (p !== undefined) return p;
  }
  return undefined;
}

function upperSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

export function tokLoc(t: Token): SourceRange {
  return { line: t.line, column: t.col, endLine: t.endLine, endColumn: t.endCol };
}

function range(a: Token, b: Token): SourceRange {
  return { line: a.line, column: a.col, endLine: b.endLine, endColumn: b.endCol };
}

function intValue(s: string): number {
  if (s.length > 1 && s.charCodeAt(0) === 48) {
    const x = s.charCodeAt(1);
    if (x === 120 || x === 88) return parseInt(s.slice(2), 16);
    return parseInt(s.slice(1), 8);
  }
  return Number(s);
}

function numberValue(t: Token): number {
  return t.t === T.Int ? intValue(t.v) : Number(t.v);
}

/** Parses one file into an unresolved document; throws nothing — syntax errors become a fatal problem. */
export function parseSyntaxTree(text: string, file: string): ParsedFile | { fatal: ParseProblem; problems: ParseProblem[] } {
  let lexed;
  try {
    lexed = tokenize(text);
  } catch (e) {
    if (e instanceof LexError) return { fatal: { code: e.code, message: e.message, loc: e.loc, fatal: true }, problems: [] };
    throw e;
  }
  const parser = new Parser(text, file, lexed.tokens);
  try {
    const parsed = parser.parseFile();
    parsed.document.disableDirectives = lexed.directives;
    return parsed;
  } catch (e) {
    if (e instanceof LexError) {
      return { fatal: { code: e.code, message: e.message, loc: e.loc, fatal: true }, problems: parser.problems };
    }
    throw e;
  }
}

/** Inclusive ranges sorted by start, with starts merged so a look-up is one binary search. */
function sortedRanges(ranges: ReadonlyArray<[number, number]>): Array<[number, number]> {
  if (ranges.length < 2) return [...ranges];
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** The range of `sorted` (from sortedRanges) containing n, found by binary search. */
function containingRange(sorted: ReadonlyArray<[number, number]>, n: number): [number, number] | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = sorted[mid] as [number, number];
    if (n < r[0]) hi = mid - 1;
    else if (n > r[1]) lo = mid + 1;
    else return r;
  }
  return undefined;
}

export function inRanges(sorted: ReadonlyArray<[number, number]>, n: number): boolean {
  return containingRange(sorted, n) !== undefined;
}

export { sortedRanges };

function bounds(r: { lo: number; hi: number }): string {
  return r.lo === r.hi ? `${r.lo}` : `${r.lo} to ${r.hi === MAX_FIELD_NUMBER ? 'max' : r.hi}`;
}

/** A feature set in options, written either as `features.x = V` or `features = { x: V }`. */
function feature(opts: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!opts) return undefined;
  const direct = opts[`features.${name}`];
  if (typeof direct === 'string') return direct;
  const f = opts.features;
  if (f && typeof f === 'object' && !Array.isArray(f)) {
    const v = (f as Record<string, unknown>)[name];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** protoc's default JSON name: underscores dropped, the letter after each one upper-cased (ASCII, as protoc). */
export function toJsonName(name: string): string {
  let at = name.indexOf('_');
  if (at < 0) return name;
  let out = name.slice(0, at);
  while (at < name.length) {
    let c = name.charCodeAt(at);
    if (c === 95) {
      at++;
      c = name.charCodeAt(at);
      if (Number.isNaN(c)) break;
      if (c === 95) continue;
      out += String.fromCharCode(c >= 97 && c <= 122 ? c - 32 : c);
      at++;
      continue;
    }
    const next = name.indexOf('_', at);
    const end = next < 0 ? name.length : next;
    out += name.slice(at, end);
    at = end;
  }
  return out;
}

/** protoc's enum prefix removal: the enum name, compared without underscores and case, then any underscores. */
function stripEnumPrefix(value: string, prefix: string): string {
  let i = 0;
  let j = 0;
  for (; i < value.length && j < prefix.length; i++) {
    const c = value[i] as string;
    if (c === '_') continue;
    if (c.toLowerCase() !== prefix[j++]) return value;
  }
  if (j < prefix.length) return value;
  while (i < value.length && value[i] === '_') i++;
  return i === value.length ? value : value.slice(i);
}

/** protoc's EnumValueToPascalCase: underscores dropped, each word capitalised, the rest lower case (ASCII). */
function enumValuePascal(s: string): string {
  let out = '';
  let upper = true;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 95) {
      upper = true;
      continue;
    }
    if (upper) out += String.fromCharCode(c >= 97 && c <= 122 ? c - 32 : c);
    else out += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c);
    upper = false;
  }
  return out;
}
