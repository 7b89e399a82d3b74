// The identity the Confluent registry gives a Protobuf schema: the canonical text of the parsed file
// (ProtobufSchema.canonicalString renders the Wire parser's ProtoFileElement with the registry's own
// printer). Comments and whitespace are gone; statements come in a fixed layout: syntax, package, the
// imports, the file options, the messages then the enums (declaration order kept, because message
// indexes in the wire format count declaration order), extends, services; inside a message: reserved,
// options, fields, oneofs, extension ranges, nested messages, nested enums. A field's `default` and
// `json_name` pseudo-options go after its other options. The registry stores this text (GET returns it)
// and compares schemas by it, so a reformatted file is the same schema.
//
// `normalize` (ProtobufSchema.normalize) additionally sorts imports, options (by name, and the keys of
// aggregate option values), fields and enum constants (by number), reserved entries and oneofs, and
// writes every message or enum type a field or rpc names by its full name with a leading dot.
//
// The input is a .proto text the format layer already accepted (src/formats/protobuf); this module only
// re-reads its tokens. Proto2 groups are kept as written (collapsed whitespace), a rare construct.
import { T, tokenize } from '../../formats/protobuf/lexer.js';
import type { Token } from '../../formats/protobuf/lexer.js';

type OptValue =
  | { kind: 'string'; v: string }
  | { kind: 'word'; v: string } // number, bool, enum: printed as written
  | { kind: 'map'; entries: Array<[string, OptValue]> }
  | { kind: 'list'; items: OptValue[] }
  | { kind: 'option'; opt: Opt };

interface Opt {
  name: string;
  paren: boolean;
  value: OptValue;
}

interface FieldEl {
  label: string | undefined;
  type: string;
  name: string;
  tag: number;
  options: Opt[];
  defaultValue: OptValue | undefined;
  jsonName: string | undefined;
}

interface OneOfEl {
  name: string;
  options: Opt[];
  fields: FieldEl[];
}

interface EnumEl {
  kind: 'enum';
  name: string;
  options: Opt[];
  constants: Array<{ name: string; tag: number; options: Opt[] }>;
}

interface MessageEl {
  kind: 'message';
  name: string;
  /** one entry per `reserved` statement, as the parser keeps them */
  reserved: Array<Array<number | [number, number] | string>>;
  options: Opt[];
  fields: FieldEl[];
  oneofs: OneOfEl[];
  extensions: string[];
  groups: string[];
  types: Array<MessageEl | EnumEl>;
  extends: ExtendEl[];
}

interface ExtendEl {
  name: string;
  fields: FieldEl[];
  groups: string[];
}

interface ServiceEl {
  name: string;
  options: Opt[];
  rpcs: Array<{ name: string; req: string; reqStream: boolean; res: string; resStream: boolean; options: Opt[] }>;
}

interface FileEl {
  syntax: string | undefined;
  /** `edition` instead of `syntax` */
  edition: boolean;
  pkg: string | undefined;
  imports: string[];
  publicImports: string[];
  options: Opt[];
  types: Array<MessageEl | EnumEl>;
  extends: ExtendEl[];
  services: ServiceEl[];
}

const MAX_TAG = 536870911;
const SCALARS = new Set(['double', 'float', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'bool', 'string', 'bytes']);

class Reader {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)] as Token;
  }
  next(): Token {
    const t = this.peek();
    if (this.i < this.toks.length - 1) this.i++;
    return t;
  }
  is(v: string): boolean {
    const t = this.peek();
    return (t.t === T.Symbol || t.t === T.Ident) && t.v === v;
  }
  eat(v: string): boolean {
    if (!this.is(v)) return false;
    this.next();
    return true;
  }
  expect(v: string): void {
    if (!this.eat(v)) throw new Error(`expected '${v}' at line ${this.peek().line}`);
  }
  atEnd(): boolean {
    return this.peek().t === T.EOF;
  }
  /** a possibly dotted name, with a leading dot when written */
  dotted(): string {
    let out = '';
    if (this.eat('.')) out = '.';
    out += this.next().v;
    while (this.is('.')) {
      this.next();
      out += `.${this.next().v}`;
    }
    return out;
  }
  str(): string {
    // adjacent string literals concatenate
    let out = this.next().v;
    while (this.peek().t === T.String) out += this.next().v;
    return out;
  }
  int(): number {
    const neg = this.eat('-');
    const raw = this.next().v;
    const n = raw === 'max' ? MAX_TAG : /^0[xX]/.test(raw) ? parseInt(raw, 16) : /^0[0-7]+$/.test(raw) ? parseInt(raw, 8) : Number(raw);
    return neg ? -n : n;
  }
  /** skip a balanced block or statement that is not rendered; returns its tokens joined */
  raw(): string {
    const parts: string[] = [];
    let depth = 0;
    for (;;) {
      const t = this.next();
      if (t.t === T.EOF) break;
      parts.push(t.t === T.String ? JSON.stringify(t.v) : t.v);
      if (t.v === '{' && t.t === T.Symbol) depth++;
      else if (t.v === '}' && t.t === T.Symbol) {
        depth--;
        if (depth <= 0) break;
      } else if (t.v === ';' && t.t === T.Symbol && depth === 0) break;
    }
    return parts.join(' ');
  }
}

function parseOptionName(r: Reader): { name: string; paren: boolean; rest: string[] } {
  let name: string;
  let paren = false;
  if (r.eat('(')) {
    paren = true;
    name = r.dotted();
    r.expect(')');
  } else {
    name = r.next().v;
  }
  const rest: string[] = [];
  while (r.eat('.')) {
    if (r.eat('(')) {
      rest.push(`(${r.dotted()})`);
      r.expect(')');
    } else rest.push(r.next().v);
  }
  return { name, paren, rest };
}

function parseScalarValue(r: Reader): OptValue {
  const t = r.peek();
  if (t.t === T.String) return { kind: 'string', v: r.str() };
  if (r.is('{')) return parseAggregate(r);
  if (r.is('[')) {
    r.next();
    const items: OptValue[] = [];
    while (!r.eat(']') && !r.atEnd()) {
      items.push(parseScalarValue(r));
      r.eat(',');
    }
    return { kind: 'list', items };
  }
  let word = '';
  if (r.is('-') || r.is('+')) word = r.next().v;
  word += r.next().v;
  return { kind: 'word', v: word };
}

function parseAggregate(r: Reader): OptValue {
  r.expect('{');
  const entries: Array<[string, OptValue]> = [];
  while (!r.eat('}') && !r.atEnd()) {
    let key: string;
    if (r.eat('[')) {
      key = `[${r.dotted()}]`;
      r.expect(']');
    } else key = r.next().v;
    r.eat(':');
    const value = parseScalarValue(r);
    if (!r.eat(',')) r.eat(';');
    const at = entries.findIndex(([k]) => k === key);
    // a repeated key collects its values into a list, as Wire's map reader does
    if (at >= 0) {
      const prev = (entries[at] as [string, OptValue])[1];
      entries[at] = [key, prev.kind === 'list' ? { kind: 'list', items: [...prev.items, value] } : { kind: 'list', items: [prev, value] }];
    } else entries.push([key, value]);
  }
  return { kind: 'map', entries };
}

function parseOption(r: Reader): Opt {
  const { name, paren, rest } = parseOptionName(r);
  r.expect('=');
  let value = parseScalarValue(r);
  // `(a).b.c = v` is option a holding option b holding option c = v
  for (let i = rest.length - 1; i >= 0; i--) {
    const part = rest[i] as string;
    const p = part.startsWith('(');
    value = { kind: 'option', opt: { name: p ? part.slice(1, -1) : part, paren: p, value } };
  }
  return { name, paren, value };
}

function parseBracketOptions(r: Reader): Opt[] {
  const out: Opt[] = [];
  if (!r.eat('[')) return out;
  while (!r.eat(']') && !r.atEnd()) {
    out.push(parseOption(r));
    r.eat(',');
  }
  return out;
}

function parseField(r: Reader, label: string | undefined): FieldEl {
  let type: string;
  if (r.is('map') && r.peek(1).v === '<') {
    r.next();
    r.expect('<');
    const k = r.dotted();
    r.expect(',');
    const v = r.dotted();
    r.expect('>');
    type = `map<${k}, ${v}>`;
  } else type = r.dotted();
  const name = r.next().v;
  r.expect('=');
  const tag = r.int();
  const all = parseBracketOptions(r);
  r.expect(';');
  const def = all.find((o) => !o.paren && o.name === 'default');
  const json = all.find((o) => !o.paren && o.name === 'json_name');
  return {
    label,
    type,
    name,
    tag,
    options: all.filter((o) => o !== def && o !== json),
    defaultValue: def?.value,
    jsonName: json?.value.kind === 'string' ? json.value.v : undefined,
  };
}

function parseRanges(r: Reader, strings: boolean): Array<number | [number, number] | string> {
  const out: Array<number | [number, number] | string> = [];
  while (!r.is(';') && !r.atEnd()) {
    if (strings && r.peek().t === T.String) out.push(r.str());
    else if (strings && r.peek().t === T.Ident && r.peek().v !== 'max') out.push(r.next().v); // edition-style reserved names
    else {
      const lo = r.int();
      if (r.eat('to')) out.push([lo, r.int()]);
      else out.push(lo);
    }
    if (!r.eat(',')) break;
  }
  return out;
}

function parseEnum(r: Reader): EnumEl {
  const name = r.next().v;
  r.expect('{');
  const e: EnumEl = { kind: 'enum', name, options: [], constants: [] };
  while (!r.eat('}') && !r.atEnd()) {
    if (r.eat(';')) continue;
    if (r.eat('option')) {
      e.options.push(parseOption(r));
      r.expect(';');
    } else if (r.is('reserved')) r.raw();
    else {
      const cname = r.next().v;
      r.expect('=');
      const tag = r.int();
      const options = parseBracketOptions(r);
      r.expect(';');
      e.constants.push({ name: cname, tag, options });
    }
  }
  return e;
}

function parseMessage(r: Reader): MessageEl {
  const m: MessageEl = { kind: 'message', name: r.next().v, reserved: [], options: [], fields: [], oneofs: [], extensions: [], groups: [], types: [], extends: [] };
  r.expect('{');
  while (!r.eat('}') && !r.atEnd()) {
    if (r.eat(';')) continue;
    const w = r.peek().v;
    if (w === 'message' && r.peek(1).t === T.Ident) {
      r.next();
      m.types.push(parseMessage(r));
    } else if (w === 'enum' && r.peek(1).t === T.Ident) {
      r.next();
      m.types.push(parseEnum(r));
    } else if (w === 'option' && r.peek(1).v !== '=') {
      r.next();
      m.options.push(parseOption(r));
      r.expect(';');
    } else if (w === 'reserved' && r.peek(1).v !== '=') {
      r.next();
      m.reserved.push(parseRanges(r, true));
      r.expect(';');
    } else if (w === 'extensions' && r.peek(1).v !== '=') {
      r.next();
      const ranges = parseRanges(r, false);
      parseBracketOptions(r);
      r.expect(';');
      m.extensions.push(`extensions ${ranges.map((x) => (Array.isArray(x) ? `${x[0]} to ${x[1] === MAX_TAG ? 'max' : x[1]}` : String(x))).join(', ')};\n`);
    } else if (w === 'extend' && r.peek(1).v !== '=') {
      r.next();
      m.extends.push(parseExtend(r));
    } else if (w === 'oneof' && r.peek(2).v === '{') {
      r.next();
      const o: OneOfEl = { name: r.next().v, options: [], fields: [] };
      r.expect('{');
      while (!r.eat('}') && !r.atEnd()) {
        if (r.eat(';')) continue;
        if (r.is('option') && r.peek(1).v !== '=') {
          r.next();
          o.options.push(parseOption(r));
          r.expect(';');
        } else o.fields.push(parseField(r, undefined));
      }
      m.oneofs.push(o);
    } else if ((w === 'optional' || w === 'required' || w === 'repeated') && r.peek(1).v === 'group') {
      m.groups.push(`${r.raw()}\n`);
    } else if ((w === 'optional' || w === 'required' || w === 'repeated') && r.peek(1).v !== '=' && r.peek(2).v !== '=') {
      r.next();
      m.fields.push(parseField(r, w));
    } else m.fields.push(parseField(r, undefined));
  }
  return m;
}

function parseExtend(r: Reader): ExtendEl {
  const name = r.dotted();
  const fields: FieldEl[] = [];
  const groups: string[] = [];
  r.expect('{');
  while (!r.eat('}') && !r.atEnd()) {
    if (r.eat(';')) continue;
    const w = r.peek().v;
    if (r.peek(1).v === 'group') groups.push(`${r.raw()}\n`);
    else if ((w === 'optional' || w === 'required' || w === 'repeated') && r.peek(2).v !== '=') {
      r.next();
      fields.push(parseField(r, w));
    } else fields.push(parseField(r, undefined));
  }
  return { name, fields, groups };
}

function parseService(r: Reader): ServiceEl {
  const s: ServiceEl = { name: r.next().v, options: [], rpcs: [] };
  r.expect('{');
  while (!r.eat('}') && !r.atEnd()) {
    if (r.eat(';')) continue;
    if (r.eat('option')) {
      s.options.push(parseOption(r));
      r.expect(';');
      continue;
    }
    r.expect('rpc');
    const name = r.next().v;
    r.expect('(');
    const reqStream = r.is('stream') && r.peek(1).v !== ')' ? (r.next(), true) : false;
    const req = r.dotted();
    r.expect(')');
    r.expect('returns');
    r.expect('(');
    const resStream = r.is('stream') && r.peek(1).v !== ')' ? (r.next(), true) : false;
    const res = r.dotted();
    r.expect(')');
    const options: Opt[] = [];
    if (r.eat('{')) {
      while (!r.eat('}') && !r.atEnd()) {
        if (r.eat(';')) continue;
        r.expect('option');
        options.push(parseOption(r));
        r.expect(';');
      }
      r.eat(';');
    } else r.expect(';');
    s.rpcs.push({ name, req, reqStream, res, resStream, options });
  }
  return s;
}

function parseFile(text: string): FileEl {
  const lexed = tokenize(text);
  const r = new Reader(lexed.tokens);
  const f: FileEl = { syntax: undefined, edition: false, pkg: undefined, imports: [], publicImports: [], options: [], types: [], extends: [], services: [] };
  while (!r.atEnd()) {
    if (r.eat(';')) continue;
    const w = r.next().v;
    if (w === 'syntax' || w === 'edition') {
      r.expect('=');
      f.edition = w === 'edition';
      f.syntax = r.str();
      r.expect(';');
    } else if (w === 'package') {
      f.pkg = r.dotted();
      r.expect(';');
    } else if (w === 'import') {
      const kind = r.eat('public') ? 'public' : r.eat('weak') ? 'weak' : '';
      const p = r.str();
      r.expect(';');
      (kind === 'public' ? f.publicImports : f.imports).push(p);
    } else if (w === 'option') {
      f.options.push(parseOption(r));
      r.expect(';');
    } else if (w === 'message') f.types.push(parseMessage(r));
    else if (w === 'enum') f.types.push(parseEnum(r));
    else if (w === 'extend') f.extends.push(parseExtend(r));
    else if (w === 'service') f.services.push(parseService(r));
    else r.raw();
  }
  return f;
}

// ---- printing (the registry's layout) -------------------------------------------------------------

function escapeChars(s: string): string {
  const map: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', "'": "\\'", '"': '\\"' };
  let out = '';
  for (const c of s) out += map[c] ?? c;
  return out;
}

/** Each line indented by two spaces; Java's split drops trailing empty lines, keeps inner ones. */
function indented(value: string): string {
  const lines = value.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => `  ${l}\n`).join('');
}

function sortByName<T extends { name: string }>(xs: T[], normalize: boolean): T[] {
  return normalize ? [...xs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : xs;
}

function mapValue(v: OptValue, normalize: boolean): string {
  switch (v.kind) {
    case 'string':
      return `"${escapeChars(v.v)}"`;
    case 'word':
      return v.v;
    case 'map':
      return `{\n${mapEntries(v.entries, normalize)}}`;
    case 'list':
      return `[\n${v.items.map((x, i) => indented(mapValue(x, normalize) + (i < v.items.length - 1 ? ',' : ''))).join('')}]`;
    case 'option':
      return optionText(v.opt, normalize);
  }
}

function mapEntries(entries: Array<[string, OptValue]>, normalize: boolean): string {
  const list = normalize ? [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : entries;
  return list.map(([k, v], i) => indented(`${k}: ${mapValue(v, normalize)}${i < list.length - 1 ? ',' : ''}`)).join('');
}

function optionText(o: Opt, normalize: boolean): string {
  let out = o.paren ? `(${o.name})` : o.name;
  const v = o.value;
  if (v.kind === 'string') out += ` = "${escapeChars(v.v)}"`;
  else if (v.kind === 'word') out += ` = ${v.v}`;
  else if (v.kind === 'option') out += `.${optionText({ ...v.opt, paren: v.opt.paren }, normalize)}`;
  else if (v.kind === 'map') out += ` = {\n${mapEntries(v.entries, normalize)}}`;
  else out += ` = ${mapValue(v, normalize)}`;
  return out;
}

function appendOptions(options: Opt[], normalize: boolean): string {
  if (options.length === 1) return `[${optionText(options[0] as Opt, normalize)}]`;
  return `[\n${options.map((o, i) => indented(optionText(o, normalize) + (i < options.length - 1 ? ',' : ''))).join('')}]`;
}

const optionLine = (o: Opt, normalize: boolean): string => `option ${optionText(o, normalize)};\n`;

/** Resolves type names written in a scope to full names, over the file and its references. */
class Scope {
  readonly full = new Set<string>();
  add(f: FileEl): void {
    const walk = (prefix: string, types: Array<MessageEl | EnumEl>): void => {
      for (const t of types) {
        const n = prefix ? `${prefix}.${t.name}` : t.name;
        this.full.add(n);
        if (t.kind === 'message') walk(n, t.types);
      }
    };
    walk(f.pkg ?? '', f.types);
  }
  resolve(written: string, scope: string): string {
    if (written.startsWith('.')) return written;
    const first = written.split('.')[0] as string;
    for (let s = scope; ; s = s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : '') {
      const cand = s ? `${s}.${first}` : first;
      if (this.full.has(cand)) return `.${s ? `${s}.` : ''}${written}`;
      if (s === '') break;
    }
    return written;
  }
}

interface Ctx {
  normalize: boolean;
  scope: Scope;
}

function fieldText(f: FieldEl, ctx: Ctx, where: string): string {
  let type = f.type;
  let label = f.label;
  if (ctx.normalize) {
    const map = /^map<([^,]+), (.+)>$/.exec(type);
    if (map) {
      const v = map[2] as string;
      type = `map<${map[1] as string}, ${SCALARS.has(v) ? v : ctx.scope.resolve(v, where)}>`;
      label = undefined;
    } else if (!SCALARS.has(type)) type = ctx.scope.resolve(type, where);
  }
  let out = `${label ? `${label} ` : ''}${type} ${f.name} = ${f.tag}`;
  const opts = [...f.options];
  if (f.defaultValue !== undefined) {
    // the registry types the default by the field's type: strings quoted, everything else as written
    const v = f.defaultValue;
    const isString = f.type === 'string' || f.type === 'bytes';
    opts.push({ name: 'default', paren: false, value: isString && v.kind === 'string' ? v : { kind: 'word', v: v.kind === 'string' ? v.v : v.kind === 'word' ? v.v : '' } });
  }
  if (f.jsonName !== undefined) opts.push({ name: 'json_name', paren: false, value: { kind: 'string', v: f.jsonName } });
  if (opts.length > 0) out += ` ${appendOptions(sortByName(opts, ctx.normalize), ctx.normalize)}`;
  return `${out};\n`;
}

function byTag<T extends { tag: number }>(xs: T[], normalize: boolean): T[] {
  return normalize ? [...xs].sort((a, b) => a.tag - b.tag) : xs;
}

function enumText(e: EnumEl, ctx: Ctx): string {
  let out = `enum ${e.name} {`;
  if (e.options.length > 0 || e.constants.length > 0) out += '\n';
  for (const o of sortByName(e.options, ctx.normalize)) out += indented(optionLine(o, ctx.normalize));
  const constants = ctx.normalize ? [...e.constants].sort((a, b) => a.tag - b.tag || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : e.constants;
  for (const c of constants) {
    let line = `${c.name} = ${c.tag}`;
    if (c.options.length > 0) line += ` ${appendOptions(sortByName(c.options, ctx.normalize), ctx.normalize)}`;
    out += indented(`${line};\n`);
  }
  return `${out}}\n`;
}

function reservedKey(x: number | [number, number] | string): number {
  return typeof x === 'number' ? x : Array.isArray(x) ? x[0] : Number.MAX_SAFE_INTEGER;
}

function reservedText(x: number | [number, number] | string): string {
  return typeof x === 'string' ? `"${x}"` : Array.isArray(x) ? (x[0] === x[1] ? String(x[0]) : `${x[0]} to ${x[1]}`) : String(x);
}

function messageText(m: MessageEl, ctx: Ctx, where: string): string {
  const n = ctx.normalize;
  let out = `message ${m.name} {`;
  if (m.reserved.length > 0) {
    out += '\n';
    if (n) {
      const sorted = m.reserved.flat().sort((a, b) => reservedKey(a) - reservedKey(b) || (reservedText(a) < reservedText(b) ? -1 : reservedText(a) > reservedText(b) ? 1 : 0));
      for (const x of sorted) out += indented(`reserved ${reservedText(x)};\n`);
    } else for (const stmt of m.reserved) out += indented(`reserved ${stmt.map(reservedText).join(', ')};\n`);
  }
  if (m.options.length > 0) {
    out += '\n';
    for (const o of sortByName(m.options, n)) out += indented(optionLine(o, n));
  }
  if (m.fields.length > 0) {
    out += '\n';
    for (const f of byTag(m.fields, n)) out += indented(fieldText(f, ctx, where));
  }
  let oneofs = m.oneofs;
  if (n) {
    oneofs = oneofs.filter((o) => o.fields.length > 0).map((o) => ({ ...o, fields: byTag(o.fields, true) }));
    oneofs.sort((a, b) => (a.fields[0] as FieldEl).tag - (b.fields[0] as FieldEl).tag);
  }
  if (oneofs.length > 0) {
    out += '\n';
    for (const o of oneofs) {
      let body = `oneof ${o.name} {`;
      if (o.options.length > 0) {
        body += '\n';
        for (const opt of sortByName(o.options, n)) body += indented(optionLine(opt, n));
      }
      if (o.fields.length > 0) {
        body += '\n';
        for (const f of o.fields) body += indented(fieldText(f, ctx, where));
      }
      out += indented(`${body}}\n`);
    }
  }
  if (m.groups.length > 0) out += `\n${m.groups.map(indented).join('')}`;
  if (m.extensions.length > 0) out += `\n${m.extensions.map(indented).join('')}`;
  if (m.types.length > 0) {
    out += '\n';
    for (const t of m.types) if (t.kind === 'message') out += indented(messageText(t, ctx, `${where}.${t.name}`.replace(/^\./, '')));
    for (const t of m.types) if (t.kind === 'enum') out += indented(enumText(t, ctx));
  }
  return `${out}}\n`;
}

function extendText(e: ExtendEl, ctx: Ctx, where: string): string {
  return `extend ${e.name} {\n${e.fields.map((f) => indented(fieldText(f, ctx, where))).join('')}${e.groups.map(indented).join('')}}\n`;
}

function fileText(f: FileEl, ctx: Ctx): string {
  const n = ctx.normalize;
  const pkg = f.pkg ?? '';
  let out = '';
  if (f.syntax !== undefined) out += `${f.edition ? 'edition' : 'syntax'} = "${f.syntax}";\n`;
  if (f.pkg !== undefined) out += `package ${f.pkg};\n`;
  if (f.imports.length > 0 || f.publicImports.length > 0) {
    out += '\n';
    const uniq = (xs: string[]): string[] => (n ? [...new Set(xs)].sort() : xs);
    for (const p of uniq(f.imports)) out += `import "${p}";\n`;
    for (const p of uniq(f.publicImports)) out += `import public "${p}";\n`;
  }
  if (f.options.length > 0) {
    out += '\n';
    for (const o of sortByName(f.options, n)) out += optionLine(o, n);
  }
  if (f.types.length > 0) {
    out += '\n';
    for (const t of f.types) if (t.kind === 'message') out += messageText(t, ctx, pkg ? `${pkg}.${t.name}` : t.name);
    for (const t of f.types) if (t.kind === 'enum') out += enumText(t, ctx);
  }
  const extendsAll = f.extends;
  if (extendsAll.length > 0) out += `\n${extendsAll.map((e) => extendText(e, ctx, pkg)).join('')}`;
  if (f.services.length > 0) {
    out += '\n';
    for (const s of f.services) {
      let body = `service ${s.name} {`;
      if (s.options.length > 0) {
        body += '\n';
        for (const o of sortByName(s.options, n)) body += indented(optionLine(o, n));
      }
      if (s.rpcs.length > 0) {
        body += '\n';
        for (const rpc of s.rpcs) {
          const req = n ? ctx.scope.resolve(rpc.req, pkg) : rpc.req;
          const res = n ? ctx.scope.resolve(rpc.res, pkg) : rpc.res;
          let line = `rpc ${rpc.name} (${rpc.reqStream ? 'stream ' : ''}${req}) returns (${rpc.resStream ? 'stream ' : ''}${res})`;
          if (rpc.options.length > 0) line += ` {\n${sortByName(rpc.options, n).map((o) => indented(optionLine(o, n))).join('')}}`;
          body += indented(`${line};\n`);
        }
      }
      out += `${body}}\n`;
    }
  }
  return out;
}

/**
 * The canonical text of a .proto schema; `references` are the texts of the files it imports (for
 * resolving type names when normalizing).
 */
export function protobufCanonicalString(schema: string, references: readonly string[] = [], normalize = false): string {
  const file = parseFile(schema);
  const scope = new Scope();
  scope.add(file);
  if (normalize) {
    for (const r of references) {
      try {
        scope.add(parseFile(r));
      } catch {
        /* a reference that does not re-read only leaves its names unresolved */
      }
    }
  }
  return fileText(file, { normalize, scope });
}
