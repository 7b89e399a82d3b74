// The identity the Confluent registry gives an Avro schema: its canonical string, which is Apache Avro
// Java's compact `Schema.toString` with the referenced schemas' names known (AvroSchema.canonicalString).
// That string fixes the key order of every reserved attribute (type, name, namespace, doc, fields /
// symbols / size / items / values, then the other properties as written, then aliases), writes each
// named type in full at its first use and by its name relative to the enclosing namespace after that,
// drops whitespace and comments, and prints numbers as Jackson does. The registry stores this string
// (GET returns it) and compares schemas by it, so a re-serialised file is the same schema.
//
// `normalize` (Confluent's AvroSchema.normalize, AvroSchemaUtils.toNormalizedString) goes further: the
// extra properties in key order (objects in them too), aliases sorted, an empty doc on a named type
// dropped, defaults rewritten from their value (an int default of a double field becomes 1.0), logical
// type attributes first; the result is parsed again, so what is stored is still a canonical string.
//
// The input is a schema the format layer already accepted; anything it would refuse is not handled
// here beyond not crashing. The oracle is Avro Java itself (test/registry/canonical.test.ts).
import { member, parseJsonTree, quote, text, writeJsonTree } from './json-tree.js';
import type { JsonTree } from './json-tree.js';

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const SCHEMA_RESERVED = new Set(['doc', 'fields', 'items', 'name', 'namespace', 'size', 'symbols', 'values', 'type', 'aliases']);
const ENUM_RESERVED = new Set([...SCHEMA_RESERVED, 'default']);
const FIELD_RESERVED = new Set(['default', 'doc', 'name', 'order', 'type', 'aliases']);

type Props = Array<[string, JsonTree]>;

interface Name {
  name: string;
  space: string | undefined;
  full: string;
}

interface Field {
  name: string;
  type: Schema;
  doc: string | undefined;
  default: JsonTree | undefined;
  order: string;
  aliases: string[];
  props: Props;
}

type Schema =
  | { kind: 'primitive'; type: string; props: Props }
  | { kind: 'array'; items: Schema; props: Props }
  | { kind: 'map'; values: Schema; props: Props }
  | { kind: 'union'; branches: Schema[] }
  | { kind: 'record' | 'error'; name: Name; doc: string | undefined; fields: Field[]; props: Props; aliases: Name[] }
  | { kind: 'enum'; name: Name; doc: string | undefined; symbols: string[]; default: string | undefined; props: Props; aliases: Name[] }
  | { kind: 'fixed'; name: Name; doc: string | undefined; size: string; props: Props; aliases: Name[] }
  | { kind: 'ref'; full: string };

type Named = Extract<Schema, { name: Name }>;

function makeName(name: string, space: string | undefined): Name {
  const dot = name.lastIndexOf('.');
  let n = name;
  let s = space;
  if (dot >= 0) {
    s = name.slice(0, dot);
    n = name.slice(dot + 1);
  }
  if (s === '') s = undefined;
  return { name: n, space: s, full: s === undefined ? n : `${s}.${n}` };
}

/** The short name when the namespace is the enclosing one (and the name is no type name), else the full. */
function qualified(n: Name, currentSpace: string | undefined): string {
  if (n.space !== undefined && n.space === currentSpace) {
    return PRIMITIVES.has(n.name) || ['record', 'enum', 'array', 'map', 'union', 'fixed'].includes(n.name) ? n.full : n.name;
  }
  return n.full;
}

class Parser {
  readonly names = new Map<string, Named>();

  resolve(ref: string, space: string | undefined): string {
    const n = makeName(ref, space);
    // Avro Java falls back to the null namespace when the short name is not defined in the current one
    if (!this.names.has(n.full) && !ref.includes('.') && this.names.has(ref)) return ref;
    return n.full;
  }

  parse(node: JsonTree, space: string | undefined): Schema {
    if (node.k === 'str') {
      if (PRIMITIVES.has(node.v)) return { kind: 'primitive', type: node.v, props: [] };
      return { kind: 'ref', full: this.resolve(node.v, space) };
    }
    if (node.k === 'arr') return { kind: 'union', branches: node.items.map((b) => this.parse(b, space)) };
    if (node.k !== 'obj') throw new Error('not an Avro schema');
    const typeNode = member(node, 'type');
    if (typeNode !== undefined && typeNode.k !== 'str') return this.parse(typeNode, space);
    const type = text(typeNode) ?? '';
    const props = (reserved: Set<string>): Props => node.entries.filter(([k]) => !reserved.has(k));
    if (PRIMITIVES.has(type)) return { kind: 'primitive', type, props: props(SCHEMA_RESERVED) };
    if (type === 'array') return { kind: 'array', items: this.parse(member(node, 'items') ?? { k: 'null' }, space), props: props(SCHEMA_RESERVED) };
    if (type === 'map') return { kind: 'map', values: this.parse(member(node, 'values') ?? { k: 'null' }, space), props: props(SCHEMA_RESERVED) };
    if (type !== 'record' && type !== 'error' && type !== 'enum' && type !== 'fixed') {
      return { kind: 'ref', full: this.resolve(type, space) };
    }
    const name = makeName(text(member(node, 'name')) ?? '', text(member(node, 'namespace')) ?? space);
    const doc = text(member(node, 'doc'));
    const aliasNode = member(node, 'aliases');
    const aliases: Name[] = [];
    if (aliasNode?.k === 'arr') {
      for (const a of aliasNode.items) {
        const an = makeName(text(a) ?? '', name.space);
        if (!aliases.some((x) => x.full === an.full)) aliases.push(an);
      }
    }
    if (type === 'enum') {
      const symbolsNode = member(node, 'symbols');
      const symbols = symbolsNode?.k === 'arr' ? symbolsNode.items.map((s) => text(s) ?? '') : [];
      const s: Named = { kind: 'enum', name, doc, symbols, default: text(member(node, 'default')), props: props(ENUM_RESERVED), aliases };
      this.names.set(name.full, s);
      return s;
    }
    if (type === 'fixed') {
      const size = member(node, 'size');
      const s: Named = { kind: 'fixed', name, doc, size: size?.k === 'num' ? writeJsonTree(size) : '0', props: props(SCHEMA_RESERVED), aliases };
      this.names.set(name.full, s);
      return s;
    }
    const rec: Named = { kind: type, name, doc, fields: [], props: props(SCHEMA_RESERVED), aliases };
    // registered before its fields, so a field may refer to the record itself
    this.names.set(name.full, rec);
    const fieldsNode = member(node, 'fields');
    if (fieldsNode?.k === 'arr') {
      for (const f of fieldsNode.items) {
        const fa = member(f, 'aliases');
        const faliases: string[] = [];
        if (fa?.k === 'arr') for (const a of fa.items) if (!faliases.includes(text(a) ?? '')) faliases.push(text(a) ?? '');
        rec.fields.push({
          name: text(member(f, 'name')) ?? '',
          type: this.parse(member(f, 'type') ?? { k: 'null' }, name.space),
          doc: text(member(f, 'doc')),
          default: member(f, 'default'),
          order: (text(member(f, 'order')) ?? 'ascending').toLowerCase(),
          aliases: faliases,
          props: f.k === 'obj' ? f.entries.filter(([k]) => !FIELD_RESERVED.has(k)) : [],
        });
      }
    }
    return rec;
  }
}

function propsText(props: Props): string {
  let out = '';
  for (const [k, v] of props) out += `,${quote(k)}:${writeJsonTree(v)}`;
  return out;
}

/** Avro Java's Schema.toJson, compact. `known` holds the full names already written (or referenced). */
function write(s: Schema, names: Map<string, Named>, known: Set<string>, space: string | undefined): string {
  switch (s.kind) {
    case 'primitive':
      return s.props.length === 0 ? quote(s.type) : `{"type":${quote(s.type)}${propsText(s.props)}}`;
    case 'array':
      return `{"type":"array","items":${write(s.items, names, known, space)}${propsText(s.props)}}`;
    case 'map':
      return `{"type":"map","values":${write(s.values, names, known, space)}${propsText(s.props)}}`;
    case 'union':
      return `[${s.branches.map((b) => write(b, names, known, space)).join(',')}]`;
    case 'ref': {
      const target = names.get(s.full);
      if (target === undefined || known.has(s.full)) return quote(target ? qualified(target.name, space) : s.full);
      return write(target, names, known, space);
    }
    default: {
      if (known.has(s.name.full)) return quote(qualified(s.name, space));
      known.add(s.name.full);
      let out = `{"type":${quote(s.kind)},"name":${quote(s.name.name)}`;
      if (s.name.space !== undefined) {
        if (s.name.space !== space) out += `,"namespace":${quote(s.name.space)}`;
      } else if (space !== undefined) out += ',"namespace":""';
      if (s.doc !== undefined) out += `,"doc":${quote(s.doc)}`;
      if (s.kind === 'enum') {
        out += `,"symbols":[${s.symbols.map(quote).join(',')}]`;
        if (s.default !== undefined) out += `,"default":${quote(s.default)}`;
      } else if (s.kind === 'fixed') {
        out += `,"size":${s.size}`;
      } else {
        const inner = s.name.space;
        const fields = s.fields.map((f) => {
          let fo = `{"name":${quote(f.name)},"type":${write(f.type, names, known, inner)}`;
          if (f.doc !== undefined) fo += `,"doc":${quote(f.doc)}`;
          if (f.default !== undefined) fo += `,"default":${writeJsonTree(f.default)}`;
          if (f.order !== 'ascending') fo += `,"order":${quote(f.order)}`;
          if (f.aliases.length > 0) fo += `,"aliases":[${f.aliases.map(quote).join(',')}]`;
          return `${fo}${propsText(f.props)}}`;
        });
        out += `,"fields":[${fields.join(',')}]`;
      }
      out += propsText(s.props);
      if (s.aliases.length > 0) out += `,"aliases":[${s.aliases.map((a) => quote(qualified(a, s.name.space))).join(',')}]`;
      return `${out}}`;
    }
  }
}

function topName(s: Schema): string | undefined {
  return s.kind === 'record' || s.kind === 'error' || s.kind === 'enum' || s.kind === 'fixed' ? s.name.full : s.kind === 'ref' ? s.full : undefined;
}

// ---- normalize -------------------------------------------------------------------------------------

function sortTree(t: JsonTree): JsonTree {
  if (t.k === 'obj') {
    return { k: 'obj', entries: [...t.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortTree(v)] as [string, JsonTree]) };
  }
  if (t.k === 'arr') return { k: 'arr', items: t.items.map(sortTree) };
  return t;
}

const byKey = ([a]: [string, JsonTree], [b]: [string, JsonTree]): number => (a < b ? -1 : a > b ? 1 : 0);

function sortedProps(props: Props): Props {
  return [...props].sort(byKey).map(([k, v]) => [k, sortTree(v)] as [string, JsonTree]);
}

function num(t: JsonTree | undefined): number | undefined {
  return t?.k === 'num' && t.int ? Number(t.raw) : undefined;
}

/** The logical type attributes Avro Java recognises as valid, which the normalized form writes first. */
function logicalFirst(base: string, props: Props, fixedSize?: number): Props {
  const lt = text(props.find(([k]) => k === 'logicalType')?.[1]);
  const get = (k: string): JsonTree | undefined => props.find(([x]) => x === k)?.[1];
  let head: string[] = [];
  if (lt === 'decimal') {
    const precision = num(get('precision'));
    const scale = num(get('scale')) ?? 0;
    const fits = fixedSize === undefined || (precision !== undefined && precision <= Math.floor(Math.log10(2) * (8 * fixedSize - 1)));
    if ((base === 'bytes' || base === 'fixed') && precision !== undefined && precision > 0 && scale >= 0 && scale <= precision && fits) {
      head = scale !== 0 ? ['logicalType', 'precision', 'scale'] : ['logicalType', 'precision'];
    }
  } else if (lt !== undefined) {
    const on: Record<string, string[]> = {
      date: ['int'],
      'time-millis': ['int'],
      'time-micros': ['long'],
      'timestamp-millis': ['long'],
      'timestamp-micros': ['long'],
      'timestamp-nanos': ['long'],
      'local-timestamp-millis': ['long'],
      'local-timestamp-micros': ['long'],
      'local-timestamp-nanos': ['long'],
      uuid: ['string', 'fixed'],
      duration: ['fixed'],
      'big-decimal': ['bytes'],
    };
    if (on[lt]?.includes(base) && (lt !== 'duration' || fixedSize === 12) && (lt !== 'uuid' || base === 'string' || fixedSize === 16)) head = ['logicalType'];
  }
  const first = head.map((k) => [k, get(k) as JsonTree] as [string, JsonTree]);
  return [...first, ...sortedProps(props.filter(([k]) => !head.includes(k)))];
}

/** Java's Float.toString for a float value: the shortest digits that read back as the same float. */
function javaFloatText(d: number): JsonTree {
  const f = Math.fround(d);
  if (!Number.isFinite(f) || f === 0) return { k: 'num', raw: String(f === 0 ? 0 : f), int: false };
  for (let p = 1; p <= 9; p++) {
    const s = f.toPrecision(p);
    if (Math.fround(Number(s)) === f) return { k: 'num', raw: String(Number(s)), int: false };
  }
  return { k: 'num', raw: String(f), int: false };
}

/** A default as Avro Java rebuilds it from its value (JacksonUtils.toObject against the field's schema). */
function normalizeDefault(t: JsonTree, s: Schema, names: Map<string, Named>): JsonTree {
  const target = s.kind === 'ref' ? names.get(s.full) ?? s : s;
  switch (target.kind) {
    case 'union':
      return target.branches.length > 0 ? normalizeDefault(t, target.branches[0] as Schema, names) : t;
    case 'primitive':
      if (t.k !== 'num') return t;
      if (target.type === 'double') return { k: 'num', raw: t.raw, int: false };
      if (target.type === 'float') return javaFloatText(Number(t.raw));
      if (target.type === 'int' || target.type === 'long') return { k: 'num', raw: t.int ? t.raw : String(Math.trunc(Number(t.raw))), int: true };
      return t;
    case 'array':
      return t.k === 'arr' ? { k: 'arr', items: t.items.map((i) => normalizeDefault(i, target.items, names)) } : t;
    case 'map':
      return t.k === 'obj' ? sortTree({ k: 'obj', entries: t.entries.map(([k, v]) => [k, normalizeDefault(v, target.values, names)]) }) : t;
    case 'record':
    case 'error': {
      if (t.k !== 'obj') return t;
      const entries: Array<[string, JsonTree]> = [];
      for (const f of target.fields) {
        const v = member(t, f.name);
        if (v !== undefined) entries.push([f.name, normalizeDefault(v, f.type, names)]);
      }
      return { k: 'obj', entries: entries.sort(byKey) };
    }
    default:
      return t;
  }
}

function normalizeSchema(s: Schema, names: Map<string, Named>, seen: Set<Schema>): void {
  if (seen.has(s)) return;
  seen.add(s);
  switch (s.kind) {
    case 'primitive':
      s.props = logicalFirst(s.type, s.props);
      return;
    case 'array':
      s.props = sortedProps(s.props);
      normalizeSchema(s.items, names, seen);
      return;
    case 'map':
      s.props = sortedProps(s.props);
      normalizeSchema(s.values, names, seen);
      return;
    case 'union':
      for (const b of s.branches) normalizeSchema(b, names, seen);
      return;
    case 'ref':
      return;
    default:
      if (s.doc === '') s.doc = undefined;
      s.aliases = [...s.aliases].sort((a, b) => (a.full < b.full ? -1 : a.full > b.full ? 1 : 0));
      if (s.kind === 'fixed') s.props = logicalFirst('fixed', s.props, Number(s.size));
      else s.props = sortedProps(s.props);
      if (s.kind === 'record' || s.kind === 'error') {
        for (const f of s.fields) {
          f.aliases = [...f.aliases].sort();
          f.props = sortedProps(f.props);
          if (f.default !== undefined) f.default = normalizeDefault(f.default, f.type, names);
          normalizeSchema(f.type, names, seen);
        }
      }
  }
}

/**
 * The canonical string of an Avro schema text, given the texts of the schemas it references (all of
 * them, transitively, dependencies first). `normalize` applies Confluent's normalization first.
 */
export function avroCanonicalString(schema: string, references: readonly string[] = [], normalize = false): string {
  const parser = new Parser();
  const known = new Set<string>();
  for (const r of references) {
    const rs = parser.parse(parseJsonTree(r), undefined);
    const n = topName(rs);
    if (n !== undefined) known.add(n);
  }
  const main = parser.parse(parseJsonTree(schema), undefined);
  if (normalize) {
    const seen = new Set<Schema>();
    for (const named of parser.names.values()) normalizeSchema(named, parser.names, seen);
    normalizeSchema(main, parser.names, seen);
  }
  return write(main, parser.names, known, undefined);
}
