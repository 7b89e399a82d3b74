// Builds the format-neutral model from an Avro schema JSON value plus a pointer → range map. Both
// .avsc (JSON parsed with positions) and .avdl (IDL translated to the equivalent protocol JSON, with
// ranges into the IDL text) go through here, so the Avro 1.11 rules live in one place.

import type {
  AvroPrimitive,
  EnumSymbol,
  EnumType,
  Field,
  FixedType,
  InlineNamed,
  NamedRef,
  NamedType,
  ParseProblem,
  PrimitiveType,
  RecordType,
  SourceRange,
  TypeNode,
  UnionType,
} from '../../model/types.js';
import type { LocNode } from './json-positions.js';
import { childLoc, escapePointerToken } from './json-positions.js';

export const AVRO_PRIMITIVES: ReadonlySet<string> = new Set<AvroPrimitive>([
  'null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string',
]);

// Avro Java 1.12 validates names with Character.isLetter / isLetterOrDigit (its default UTF
// validator), so `Größe` is a valid name to the registry; the specification asks for ASCII, which
// `avro-non-ascii-name` reports as advice. The Unicode pattern is built on first use: its property
// classes cost V8 a noticeable part of a ms to set up, which ASCII names never need.
let nameRe: RegExp | undefined;
const ASCII_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A name Avro Java accepts (letters in any script, digits, underscore; not starting with a digit). */
export function isValidAvroName(name: string): boolean {
  return ASCII_NAME_RE.test(name) || (nameRe ??= /^[\p{L}_][\p{L}\p{Nd}_]*$/u).test(name);
}

/** A name the Avro specification accepts: ASCII letters, digits and underscore. */
export function isAsciiAvroName(name: string): boolean {
  return ASCII_NAME_RE.test(name);
}

// A catalog reuses a handful of namespaces across thousands of files: remember the valid ones.
const knownValidNamespaces = new Set<string>();

export function isValidAvroNamespace(namespace: string): boolean {
  if (namespace === '' || knownValidNamespaces.has(namespace)) return true;
  for (const part of namespace.split('.')) if (!isValidAvroName(part)) return false;
  if (knownValidNamespaces.size < 4096) knownValidNamespaces.add(namespace);
  return true;
}

const RECORD_KEYS = new Set(['type', 'name', 'namespace', 'doc', 'aliases', 'fields']);
const ENUM_KEYS = new Set(['type', 'name', 'namespace', 'doc', 'aliases', 'symbols', 'default']);
const FIXED_KEYS = new Set(['type', 'name', 'namespace', 'doc', 'aliases', 'size']);
const FIELD_KEYS = new Set(['name', 'type', 'doc', 'default', 'aliases']);
const ORDERS = new Set(['ascending', 'descending', 'ignore']);
// Problems Avro Java accepts (it ignores the construct): advice, never a reason to refuse the schema.
// IDL's `decimal(p, s)` is the exception: Java's IdlReader checks it and refuses a bad one.
const IGNORED_BY_JAVA = new Set(['avro-invalid-logical-type', 'avro-invalid-decimal', 'avro-invalid-doc']);

/** Logical types of the spec and the type each one annotates. */
const LOGICAL_BASE: Record<string, string> = {
  decimal: 'bytes|fixed',
  uuid: 'string|fixed16',
  date: 'int',
  'time-millis': 'int',
  'time-micros': 'long',
  'timestamp-millis': 'long',
  'timestamp-micros': 'long',
  'timestamp-nanos': 'long',
  'local-timestamp-millis': 'long',
  'local-timestamp-micros': 'long',
  'local-timestamp-nanos': 'long',
  duration: 'fixed12',
};

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function at(ln: LocNode, key: string | number): SourceRange {
  return childLoc(ln, key).value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 40 ? text.slice(0, 37) + '...' : text;
}

interface PendingRef {
  node: NamedRef;
  candidates: string[];
  /** number of types defined when the reference was read; a later definition is a forward reference */
  definedBefore: number;
}

interface PendingDefault {
  owner: string;
  /** records whose fields were still being read when this default was (Java checks it right there) */
  open: ReadonlySet<string>;
  field: Field;
  path: string;
  ln: LocNode;
}

export interface BuilderSource {
  syntax: 'avsc' | 'avdl';
}

export class AvroModelBuilder {
  readonly types: NamedType[] = [];
  readonly byName = new Map<string, NamedType>();
  readonly problems: ParseProblem[] = [];
  private readonly pendingRefs: PendingRef[] = [];
  private readonly pendingDefaults: PendingDefault[] = [];
  private readonly openRecords: string[] = [];

  constructor(private readonly source: BuilderSource) {}

  problem(code: string, message: string, loc: SourceRange, advisory = IGNORED_BY_JAVA.has(code) && !(code === 'avro-invalid-decimal' && this.source.syntax === 'avdl')): void {
    const p: ParseProblem = { code, message, loc, fatal: false };
    if (advisory) p.advisory = true;
    this.problems.push(p);
  }

  /** Java's name rules decide validity; outside ASCII the specification's stricter rule is advice. */
  private checkNameChars(name: string, loc: SourceRange, invalid: string, advisoryOnly = false): void {
    if (isAsciiAvroName(name)) return;
    if (isValidAvroName(name)) {
      this.problem('avro-non-ascii-name', `"${name}" uses letters or digits outside ASCII: Avro Java and the Schema Registry accept it, but the specification allows only [A-Za-z0-9_] and other Avro implementations reject it.`, loc, true);
      return;
    }
    this.problem('avro-invalid-name', invalid, loc, advisoryOnly);
  }

  /** Parses one schema (a type) at `path`; `namespace` is the enclosing namespace. */
  parseType(value: unknown, path: string, ln: LocNode, namespace: string): TypeNode {
    if (typeof value === 'string') return this.parseTypeName(value, path, ln, namespace);
    if (Array.isArray(value)) return this.parseUnion(value, path, ln, namespace);
    if (isPlainObject(value)) return this.parseTypeObject(value, path, ln, namespace);
    this.problem(
      'avro-invalid-type',
      `${show(value)} is not an Avro schema: write a type name string, a type object or a union array.`,
      ln.value,
    );
    return this.placeholder(path, ln);
  }

  private placeholder(path: string, ln: LocNode): NamedRef {
    return { kind: 'ref', fullName: '', written: '', resolved: false, path, loc: ln.value };
  }

  private parseTypeName(name: string, path: string, ln: LocNode, namespace: string): TypeNode {
    if (AVRO_PRIMITIVES.has(name)) {
      return { kind: 'primitive', name: name as AvroPrimitive, path, loc: ln.value };
    }
    // A simple name means the enclosing namespace. Avro Java falls back to the null namespace only for
    // a type already complete where the name is read (not a record whose fields are still being read,
    // nor one defined later): the name is then looked up once more, at the end, in the namespace only.
    const qualified = name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
    const candidates = [qualified];
    const node: NamedRef = { kind: 'ref', fullName: qualified, written: name, resolved: false, path, loc: ln.value };
    if (this.byName.has(qualified)) {
      node.resolved = true;
      return node;
    }
    if (qualified !== name && this.byName.has(name) && !this.openRecords.includes(name)) {
      node.fullName = name;
      node.resolved = true;
      return node;
    }
    this.pendingRefs.push({ node, candidates, definedBefore: this.types.length });
    return node;
  }

  private parseUnion(branches: unknown[], path: string, ln: LocNode, namespace: string): UnionType {
    const node: UnionType = { kind: 'union', branches: [], path, loc: ln.value };
    const seen = new Map<string, number>();
    branches.forEach((branch, i) => {
      const branchPath = `${path}/${i}`;
      const parsed = this.parseType(branch, branchPath, childLoc(ln, i), namespace);
      node.branches.push(parsed);
      if (parsed.kind === 'union') {
        this.problem('avro-union-nested', 'A union cannot directly contain another union; merge the branches into one union.', parsed.loc);
        return;
      }
      const key = unionKey(parsed);
      if (key === undefined) return;
      const first = seen.get(key);
      if (first !== undefined) {
        this.problem(
          'avro-union-duplicate',
          `Union branch ${i} repeats the type of branch ${first} (${key}); a union may hold each type, and each named type, only once.`,
          parsed.loc,
        );
      } else {
        seen.set(key, i);
      }
    });
    return node;
  }

  private parseTypeObject(obj: Record<string, unknown>, path: string, ln: LocNode, namespace: string): TypeNode {
    const type = obj.type;
    if (type === undefined) {
      this.problem('avro-missing-type', 'This schema object has no "type" attribute; add one (e.g. "record", "string").', ln.value);
      return this.placeholder(path, ln);
    }
    if (typeof type !== 'string') {
      // Java rejects a type object whose "type" is not a name; parse it anyway so the rest is usable.
      this.problem(
        'avro-invalid-type',
        'The "type" attribute of a schema object must be a type name string; write the nested schema directly instead of wrapping it.',
        at(ln, 'type'),
      );
      return this.parseType(type, `${path}/type`, childLoc(ln, 'type'), namespace);
    }
    switch (type) {
      case 'record':
      case 'error':
      case 'enum':
      case 'fixed':
        return this.parseNamed(obj, path, ln, namespace, type);
      case 'array': {
        if (!('items' in obj)) {
          this.problem('avro-missing-attribute', 'An array schema needs an "items" attribute naming the element type.', ln.value);
        }
        const items = 'items' in obj ? this.parseType(obj.items, `${path}/items`, childLoc(ln, 'items'), namespace) : this.placeholder(`${path}/items`, ln);
        return { kind: 'array', items, path, loc: ln.value };
      }
      case 'map': {
        if (!('values' in obj)) {
          this.problem('avro-missing-attribute', 'A map schema needs a "values" attribute naming the value type.', ln.value);
        }
        const values = 'values' in obj ? this.parseType(obj.values, `${path}/values`, childLoc(ln, 'values'), namespace) : this.placeholder(`${path}/values`, ln);
        return { kind: 'map', keys: { kind: 'primitive', name: 'string', path, loc: ln.value }, values, path, loc: ln.value };
      }
      default:
        if (AVRO_PRIMITIVES.has(type)) return this.parsePrimitiveObject(obj, type as AvroPrimitive, path, ln);
        // Java accepts {"type": "com.acme.Money"} as a reference to a defined name.
        return this.parseTypeName(type, `${path}/type`, childLoc(ln, 'type'), namespace);
    }
  }

  private parsePrimitiveObject(obj: Record<string, unknown>, name: AvroPrimitive, path: string, ln: LocNode): PrimitiveType {
    const node: PrimitiveType = { kind: 'primitive', name, path, loc: ln.value };
    const logical = this.checkLogicalType(obj, name, undefined, ln);
    const attributes: Record<string, unknown> = {};
    let hasAttributes = false;
    for (const key of Object.keys(obj)) {
      if (key === 'type') continue;
      if (logical.valid && (key === 'logicalType' || key === 'precision' || key === 'scale')) continue;
      attributes[key] = obj[key];
      hasAttributes = true;
    }
    if (logical.valid) {
      node.logicalType = logical.valid;
      if (logical.precision !== undefined) node.precision = logical.precision;
      if (logical.scale !== undefined) node.scale = logical.scale;
    }
    if (hasAttributes) node.attributes = attributes;
    return node;
  }

  /**
   * The spec: "Language implementations must ignore unknown logical types … and must also ignore a
   * logical type that is invalid", using the underlying type. Invalid ones are reported (the schema
   * silently loses its meaning) and stay in `attributes`; unknown ones stay in `attributes` only.
   */
  private checkLogicalType(
    obj: Record<string, unknown>,
    base: string,
    fixedSize: number | undefined,
    ln: LocNode,
  ): { valid?: string; precision?: number; scale?: number } {
    const logicalType = obj.logicalType;
    if (logicalType === undefined) return {};
    if (typeof logicalType !== 'string') {
      this.problem('avro-invalid-logical-type', `"logicalType" must be a string; ${show(logicalType)} is ignored by Avro readers.`, at(ln, 'logicalType'));
      return {};
    }
    const allowed = LOGICAL_BASE[logicalType];
    if (allowed === undefined) return {};
    const baseKey = base === 'fixed' ? `fixed${fixedSize ?? ''}` : base;
    const fits = allowed.split('|').some((a) => a === baseKey || (a === 'fixed' && base === 'fixed'));
    if (!fits) {
      const want = allowed
        .split('|')
        .map((a) => (a.startsWith('fixed') && a.length > 5 ? `fixed of size ${a.slice(5)}` : a))
        .join(' or ');
      const actual = base === 'fixed' ? `fixed of size ${fixedSize ?? '?'}` : base;
      this.problem(
        'avro-invalid-logical-type',
        `Logical type "${logicalType}" annotates ${want}, not ${actual}; Avro readers ignore it and use the plain ${base}.`,
        at(ln, 'logicalType'),
      );
      return {};
    }
    if (logicalType !== 'decimal') return { valid: logicalType };
    const precision = obj.precision;
    const scale = obj.scale ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision <= 0) {
      this.problem(
        'avro-invalid-decimal',
        `Decimal "precision" must be a positive integer${precision === undefined ? ' and is required' : `, not ${show(precision)}`}; Avro readers ignore this logical type.`,
        precision === undefined ? ln.value : at(ln, 'precision'),
      );
      return {};
    }
    if (base === 'fixed' && fixedSize !== undefined) {
      const max = Math.floor((8 * fixedSize - 1) * Math.log10(2));
      if (precision > max) {
        this.problem(
          'avro-invalid-decimal',
          `Decimal precision ${precision} does not fit in a fixed of ${fixedSize} bytes (at most ${max} digits); enlarge "size" or lower "precision".`,
          at(ln, 'precision'),
        );
        return {};
      }
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      this.problem(
        'avro-invalid-decimal',
        `Decimal "scale" must be an integer from 0 to the precision (${precision}), not ${show(scale)}; Avro readers ignore this logical type.`,
        at(ln, 'scale'),
      );
      return {};
    }
    return obj.scale === undefined ? { valid: 'decimal', precision } : { valid: 'decimal', precision, scale };
  }

  private checkName(name: unknown, ln: LocNode, what: string): name is string {
    if (typeof name !== 'string') {
      this.problem(
        'avro-invalid-name',
        name === undefined ? `This ${what} has no "name"; add one.` : `The "name" of a ${what} must be a string, not ${show(name)}.`,
        name === undefined ? ln.value : at(ln, 'name'),
      );
      return false;
    }
    return true;
  }

  private parseAliases(value: unknown, ln: LocNode, namespace: string | undefined): string[] {
    if (value === undefined) return [];
    const aliasesLn = childLoc(ln, 'aliases');
    if (!Array.isArray(value)) {
      this.problem('avro-invalid-aliases', '"aliases" must be an array of name strings.', aliasesLn.value);
      return [];
    }
    const result: string[] = [];
    value.forEach((alias, i) => {
      const aliasLoc = at(aliasesLn, i);
      if (typeof alias !== 'string') {
        this.problem('avro-invalid-aliases', `Alias ${show(alias)} must be a name string.`, aliasLoc);
        return;
      }
      if (namespace === undefined) {
        // Avro Java does not check field aliases: advice only
        this.checkNameChars(alias, aliasLoc, `Field alias "${alias}" is not a valid Avro name: start with a letter or _, then only letters, digits and _.`, true);
        result.push(alias);
        return;
      }
      // Type aliases are relative to the type's namespace unless they are dotted.
      const dot = alias.lastIndexOf('.');
      const simple = dot === -1 ? alias : alias.slice(dot + 1);
      const ns = dot === -1 ? namespace : alias.slice(0, dot);
      if (!isValidAvroName(simple) || !isValidAvroNamespace(ns)) {
        this.problem('avro-invalid-name', `Alias "${alias}" is not a valid Avro full name: dot-separated parts of [A-Za-z_][A-Za-z0-9_]*.`, aliasLoc);
      } else if (!isAsciiAvroName(simple) || !ns.split('.').every((part) => part === '' || isAsciiAvroName(part))) {
        this.checkNameChars(alias.replace(/\./g, '_'), aliasLoc, '');
      }
      result.push(ns === '' ? simple : `${ns}.${simple}`);
    });
    return result;
  }

  private parseDoc(obj: Record<string, unknown>, ln: LocNode): string | undefined {
    const doc = obj.doc;
    if (doc === undefined) return undefined;
    if (typeof doc === 'string') return doc;
    this.problem('avro-invalid-doc', `"doc" must be a string, not ${show(doc)}.`, at(ln, 'doc'));
    return undefined;
  }

  private collectAttributes(obj: Record<string, unknown>, known: ReadonlySet<string>, also?: ReadonlySet<string>): Record<string, unknown> | undefined {
    let attributes: Record<string, unknown> | undefined;
    for (const key of Object.keys(obj)) {
      if (known.has(key) || also?.has(key)) continue;
      (attributes ??= {})[key] = obj[key];
    }
    return attributes;
  }

  private parseNamed(obj: Record<string, unknown>, path: string, ln: LocNode, enclosing: string, type: 'record' | 'error' | 'enum' | 'fixed'): TypeNode {
    const what = type === 'error' ? 'error' : type;
    const rawName = obj.name;
    const loc = ln.value;
    if (!this.checkName(rawName, ln, what)) {
      // Still read the body so its problems are found; the type itself cannot be referenced.
      if (type === 'record' || type === 'error') this.parseFields(obj, path, ln, enclosing, '');
      return this.placeholder(path, ln);
    }
    const nameLoc = at(ln, 'name');
    let namespace: string;
    let name: string;
    const dot = rawName.lastIndexOf('.');
    if (dot !== -1) {
      // A dotted name is a full name; the "namespace" attribute is then ignored (spec).
      namespace = rawName.slice(0, dot);
      name = rawName.slice(dot + 1);
    } else {
      name = rawName;
      const ns = obj.namespace;
      if (typeof ns === 'string') {
        namespace = ns;
      } else {
        if (ns !== undefined && ns !== null) {
          this.problem('avro-invalid-namespace', `"namespace" must be a string, not ${show(ns)}; Avro Java ignores it and uses the enclosing namespace.`, at(ln, 'namespace'), true);
        }
        namespace = enclosing;
      }
    }
    this.checkNameChars(name, nameLoc, `"${rawName}" is not a valid Avro name: start with a letter or _, then only letters, digits and _${dot !== -1 ? ' (dots separate namespace parts)' : ''}.`);
    const nsLoc = dot === -1 && typeof obj.namespace === 'string' ? at(ln, 'namespace') : nameLoc;
    if (!isValidAvroNamespace(namespace)) {
      this.problem('avro-invalid-namespace', `Namespace "${namespace}" is not valid: dot-separated parts of [A-Za-z_][A-Za-z0-9_]*.`, nsLoc);
    } else if (namespace !== '' && !namespace.split('.').every(isAsciiAvroName)) {
      this.checkNameChars(namespace.replace(/\./g, '_'), nsLoc, '');
    }
    const fullName = namespace === '' ? name : `${namespace}.${name}`;
    if (AVRO_PRIMITIVES.has(fullName)) {
      this.problem('avro-invalid-name', `A ${what} cannot be named "${fullName}", which is a primitive type; choose another name.`, nameLoc);
    }
    const duplicate = this.byName.get(fullName);
    if (duplicate !== undefined) {
      this.problem(
        'avro-duplicate-name',
        `"${fullName}" is already defined (line ${duplicate.nameLoc.line}); a name can be defined once per schema — reference it by name instead.`,
        nameLoc,
      );
    }
    const doc = this.parseDoc(obj, ln);
    const aliases = this.parseAliases(obj.aliases, ln, namespace);
    const base = { name, fullName, namespace, nameLoc, aliases, path, loc };
    let named: NamedType;
    if (type === 'record' || type === 'error') {
      const record: RecordType = { kind: 'record', ...base, fields: [], oneofs: [] };
      if (type === 'error') record.isError = true;
      named = record;
    } else if (type === 'enum') {
      named = { kind: 'enum', ...base, symbols: [] } satisfies EnumType;
    } else {
      named = { kind: 'fixed', ...base, size: 0 } satisfies FixedType;
    }
    if (doc !== undefined) named.doc = doc;
    if (duplicate === undefined) {
      // Registered before the body is read so that recursive references resolve.
      this.byName.set(fullName, named);
      this.types.push(named);
    }
    if (named.kind === 'record') {
      this.openRecords.push(fullName);
      named.fields = this.parseFields(obj, path, ln, namespace, fullName);
      this.openRecords.pop();
      const attributes = this.collectAttributes(obj, RECORD_KEYS);
      if (attributes) named.attributes = attributes;
    } else if (named.kind === 'enum') {
      this.parseEnumBody(named, obj, path, ln);
      const attributes = this.collectAttributes(obj, ENUM_KEYS);
      if (attributes) named.attributes = attributes;
    } else {
      const size = obj.size;
      const sizeRaw = childLoc(ln, 'size').raw;
      // Java wants an int token: `2.0` and `3e9` are refused like a string
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > INT_MAX || (sizeRaw !== undefined && /[.eE]/.test(sizeRaw))) {
        this.problem(
          'avro-fixed-size',
          size === undefined ? `Fixed "${fullName}" has no "size"; add the number of bytes.` : `Fixed "size" must be a whole number from 0 to 2147483647, not ${sizeRaw ?? show(size)}.`,
          size === undefined ? ln.value : at(ln, 'size'),
        );
      } else {
        named.size = size;
      }
      const logical = this.checkLogicalType(obj, 'fixed', typeof size === 'number' ? size : undefined, ln);
      if (logical.valid) {
        named.logicalType = logical.valid;
        if (logical.precision !== undefined) named.precision = logical.precision;
        if (logical.scale !== undefined) named.scale = logical.scale;
      }
      const attributes = this.collectAttributes(obj, FIXED_KEYS, logical.valid ? LOGICAL_KEYS : undefined);
      if (attributes) named.attributes = attributes;
    }
    const inline: InlineNamed = { kind: 'inline', fullName, path, loc };
    return inline;
  }

  private parseFields(obj: Record<string, unknown>, path: string, ln: LocNode, namespace: string, owner: string): Field[] {
    const fieldsPath = `${path}/fields`;
    const fieldsLn = childLoc(ln, 'fields');
    const rawFields = obj.fields;
    if (!Array.isArray(rawFields)) {
      this.problem(
        'avro-missing-attribute',
        rawFields === undefined ? 'A record needs a "fields" array (it may be empty).' : `"fields" must be an array of field objects, not ${show(rawFields)}.`,
        rawFields === undefined ? ln.value : fieldsLn.value,
      );
      return [];
    }
    const fields: Field[] = [];
    const seen = new Map<string, Field>();
    rawFields.forEach((raw, i) => {
      const fieldPath = `${fieldsPath}/${i}`;
      const fieldLn = childLoc(fieldsLn, i);
      if (!isPlainObject(raw)) {
        this.problem('avro-invalid-field', `A field must be an object with "name" and "type", not ${show(raw)}.`, fieldLn.value);
        return;
      }
      const hasName = this.checkName(raw.name, fieldLn, 'field');
      const name = hasName ? (raw.name as string) : '';
      const nameLoc = at(fieldLn, 'name');
      if (hasName) {
        this.checkNameChars(name, nameLoc, `Field name "${name}" is not a valid Avro name: start with a letter or _, then only letters, digits and _.`);
      }
      let type: TypeNode;
      if (!('type' in raw)) {
        this.problem('avro-missing-type', `Field "${name}" has no "type"; add one.`, hasName ? nameLoc : fieldLn.value);
        type = this.placeholder(`${fieldPath}/type`, fieldLn);
      } else {
        type = this.parseType(raw.type, `${fieldPath}/type`, childLoc(fieldLn, 'type'), namespace);
      }
      const field: Field = {
        name,
        nameLoc,
        type,
        aliases: this.parseAliases(raw.aliases, fieldLn, undefined),
        hasDefault: 'default' in raw,
        path: fieldPath,
        loc: fieldLn.value,
      };
      const doc = this.parseDoc(raw, fieldLn);
      if (doc !== undefined) field.doc = doc;
      if (field.hasDefault) {
        field.default = raw.default;
        this.pendingDefaults.push({ owner, open: new Set(this.openRecords), path: `${fieldPath}/default`, field, ln: childLoc(fieldLn, 'default') });
      }
      if ('order' in raw) {
        // Java reads the order case-insensitively; the specification spells it in lower case
        if (typeof raw.order !== 'string' || !ORDERS.has(raw.order.toLowerCase())) {
          this.problem('avro-invalid-order', `Field "order" must be "ascending", "descending" or "ignore", not ${show(raw.order)}.`, at(fieldLn, 'order'));
        } else if (!ORDERS.has(raw.order)) {
          this.problem('avro-invalid-order', `Field "order" is spelled "${raw.order}": Avro Java accepts any case, but the specification and other implementations expect "${raw.order.toLowerCase()}".`, at(fieldLn, 'order'), true);
        }
      }
      const attributes = this.collectAttributes(raw, FIELD_KEYS);
      if (attributes) field.attributes = attributes;
      if (hasName) {
        const previous = seen.get(name);
        if (previous !== undefined) {
          this.problem(
            'avro-duplicate-field',
            `Field "${name}" is already declared (line ${previous.nameLoc.line}); field names must be unique within a record.`,
            nameLoc,
          );
        } else {
          seen.set(name, field);
        }
      }
      fields.push(field);
    });
    return fields;
  }

  private parseEnumBody(named: EnumType, obj: Record<string, unknown>, path: string, ln: LocNode): void {
    const symbolsPath = `${path}/symbols`;
    const symbolsLn = childLoc(ln, 'symbols');
    const raw = obj.symbols;
    if (!Array.isArray(raw)) {
      this.problem(
        'avro-missing-attribute',
        raw === undefined ? `Enum "${named.fullName}" needs a "symbols" array.` : `"symbols" must be an array of strings, not ${show(raw)}.`,
        raw === undefined ? ln.value : symbolsLn.value,
      );
    } else {
      const seen = new Map<string, EnumSymbol>();
      raw.forEach((symbol, i) => {
        const symbolPath = `${symbolsPath}/${i}`;
        const loc = at(symbolsLn, i);
        if (typeof symbol !== 'string') {
          this.problem('avro-invalid-symbol', `Enum symbol ${show(symbol)} must be a string.`, loc);
          return;
        }
        this.checkNameChars(symbol, loc, `Enum symbol "${symbol}" is not a valid Avro name: start with a letter or _, then only letters, digits and _.`);
        const previous = seen.get(symbol);
        if (previous !== undefined) {
          this.problem('avro-duplicate-symbol', `Enum symbol "${symbol}" is already listed (line ${previous.loc.line}); symbols must be unique.`, loc);
          return;
        }
        const node: EnumSymbol = { name: symbol, path: symbolPath, loc };
        seen.set(symbol, node);
        named.symbols.push(node);
      });
    }
    if ('default' in obj) {
      const def = obj.default;
      if (typeof def === 'string' && named.symbols.some((s) => s.name === def)) {
        named.default = def;
      } else {
        // Java refuses a string default outside the symbols and ignores any other value
        this.problem(
          'avro-enum-default',
          `Enum default ${show(def)} is not one of the symbols of "${named.fullName}"; use one of ${named.symbols
            .slice(0, 6)
            .map((s) => s.name)
            .join(', ')}${named.symbols.length > 6 ? ', …' : ''}.`,
          at(ln, 'default'),
          typeof def !== 'string',
        );
      }
    }
  }

  /** Resolves forward references and type-checks defaults once every name is known. */
  finish(): void {
    for (const pending of this.pendingRefs) {
      const found = pending.candidates.find((c) => this.byName.has(c));
      if (found === undefined) {
        const near = this.suggest(pending.node.written);
        this.problem(
          'avro-undefined-name',
          `Unknown type "${pending.node.written}": it is neither a primitive type nor a named type defined in this schema${near ? `; did you mean "${near}"?` : '.'}`,
          pending.node.loc,
        );
        continue;
      }
      pending.node.fullName = found;
      pending.node.resolved = true;
      if (this.source.syntax === 'avsc') {
        const target = this.byName.get(found);
        this.problem(
          'avro-forward-reference',
          `"${pending.node.written}" is used before its definition${target ? ` on line ${target.nameLoc.line}` : ''}; Avro Java 1.12 resolves it, but earlier parsers (Avro 1.11 and before, most other languages) reject it — define the type at its first use and reference it by name afterwards.`,
          pending.node.loc,
          true,
        );
      }
    }
    for (const { field, path, owner, ln, open } of this.pendingDefaults) {
      this.openAtDefault = open;
      // Avro Java (what the registry runs) decides validity; the specification's stricter table
      // (a union's default matches its first branch, enum symbols, fixed lengths, byte ranges) is advice
      const javaError = this.javaDefaultError(field.type, field.default, ln, 0);
      const error = this.checkDefault(field.type, field.default, path, ln, 0);
      if (javaError !== undefined) {
        this.problem(
          'avro-invalid-default',
          `Default ${show(field.default)} of field "${field.name}"${owner ? ` in "${owner}"` : ''} does not match its type: ${error?.reason ?? javaError}`,
          error?.loc ?? ln.value,
        );
      } else if (error !== undefined) {
        this.problem(
          'avro-default-spec',
          `Default ${show(error.value)} of field "${field.name}"${owner ? ` in "${owner}"` : ''} is accepted by Avro Java and the Schema Registry, but not by the specification: ${error.reason}`,
          error.loc,
          true,
        );
      }
    }
  }

  /** A close match among primitives, logical-type-free keywords and defined names (only on the error path). */
  private suggest(written: string): string | undefined {
    const lower = written.toLowerCase();
    const simple = lower.slice(lower.lastIndexOf('.') + 1);
    const limit = Math.max(1, Math.min(2, Math.floor(simple.length / 3)));
    let best: string | undefined;
    let bestDistance = limit + 1;
    const consider = (candidate: string, key: string) => {
      const d = key === simple || candidate.toLowerCase() === lower ? 0 : editDistance(simple, key, limit);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    };
    for (const prim of AVRO_PRIMITIVES) consider(prim, prim);
    for (const name of this.byName.keys()) consider(name, name.slice(name.lastIndexOf('.') + 1).toLowerCase());
    return best === written ? undefined : best;
  }

  resolveNamed(node: TypeNode): NamedType | undefined {
    if (node.kind === 'inline' || (node.kind === 'ref' && node.resolved)) return this.byName.get(node.fullName);
    return undefined;
  }

  private isLongInRange(value: number, ln: LocNode): boolean {
    const raw = ln.raw;
    if (raw !== undefined && !/[.eE]/.test(raw)) {
      const big = BigInt(raw);
      return big >= LONG_MIN && big <= LONG_MAX;
    }
    return Number.isSafeInteger(value);
  }

  /**
   * Avro Java 1.12's `isValidDefault`: the JSON kind decides (strings for bytes, fixed and enums, any
   * symbol or length), integers must be integer tokens in range, a union's default may match any
   * branch, a record's default must give every field that has no default of its own.
   */
  private openAtDefault: ReadonlySet<string> = new Set();

  private javaDefaultError(type: TypeNode, value: unknown, ln: LocNode, depth: number): string | undefined {
    if (depth > 512) return undefined;
    const integral = (): boolean => typeof value === 'number' && Number.isInteger(value) && (ln.raw === undefined || !/[.eE]/.test(ln.raw));
    switch (type.kind) {
      case 'primitive':
        switch (type.name) {
          case 'null':
            return value === null ? undefined : 'a null default must be null.';
          case 'boolean':
            return typeof value === 'boolean' ? undefined : 'a boolean default must be true or false.';
          case 'int':
            return integral() && (value as number) >= INT_MIN && (value as number) <= INT_MAX
              ? undefined
              : 'an int default must be a whole number (no fraction or exponent) from -2147483648 to 2147483647.';
          case 'long':
            return integral() && this.isLongInRange(value as number, ln) ? undefined : 'a long default must be a whole number (no fraction or exponent) within 64 bits.';
          case 'float':
          case 'double':
            // a string is read as a number only as the field's own default, not inside a union or a collection
            return typeof value === 'number' || (depth === 0 && typeof value === 'string' && JAVA_DOUBLE_RE.test(value.trim()))
              ? undefined
              : `a ${type.name} default must be a JSON number.`;
          default:
            return typeof value === 'string' ? undefined : `a ${type.name} default must be a JSON string.`;
        }
      case 'union':
        for (const branch of type.branches) if (this.javaDefaultError(branch, value, ln, depth + 1) === undefined) return undefined;
        return `a union's default must match one of its branches (${type.branches.map(describeType).join(', ')}).`;
      case 'array':
        if (!Array.isArray(value)) return 'an array default must be a JSON array.';
        for (let i = 0; i < value.length; i++) {
          const inner = this.javaDefaultError(type.items, value[i], childLoc(ln, i), depth + 1);
          if (inner !== undefined) return inner;
        }
        return undefined;
      case 'map':
        if (!isPlainObject(value)) return 'a map default must be a JSON object.';
        for (const key of Object.keys(value)) {
          const inner = this.javaDefaultError(type.values, value[key], childLoc(ln, key), depth + 1);
          if (inner !== undefined) return inner;
        }
        return undefined;
      case 'inline':
      case 'ref': {
        const named = this.resolveNamed(type);
        if (named === undefined) return undefined;
        if (named.kind === 'enum' || named.kind === 'fixed') return typeof value === 'string' ? undefined : `a ${named.kind} default must be a JSON string.`;
        if (!isPlainObject(value)) return `a record default must be a JSON object with the fields of "${named.fullName}".`;
        if (this.openAtDefault.has(named.fullName)) {
          // Java checks a default when it reads the field, before the enclosing record has its fields
          return `Avro Java cannot check a default of the recursive type "${named.fullName}" inside its own definition; give the field no default, or null in a union with null first.`;
        }
        for (const field of named.fields) {
          if (Object.prototype.hasOwnProperty.call(value, field.name)) {
            const inner = this.javaDefaultError(field.type, value[field.name], childLoc(ln, field.name), depth + 1);
            if (inner !== undefined) return inner;
          } else if (!field.hasDefault) {
            return `the record default lacks field "${field.name}", which has no default of its own.`;
          }
        }
        return undefined;
      }
    }
  }

  /** Avro spec "default values" table; a union's default matches its first branch. */
  private checkDefault(type: TypeNode, value: unknown, path: string, ln: LocNode, depth: number): { reason: string; path: string; loc: SourceRange; value: unknown } | undefined {
    const bad = (reason: string) => ({ reason, path, loc: ln.value, value });
    if (depth > 512) return undefined;
    switch (type.kind) {
      case 'primitive':
        switch (type.name) {
          case 'null':
            return value === null ? undefined : bad('a null default must be null.');
          case 'boolean':
            return typeof value === 'boolean' ? undefined : bad('a boolean default must be true or false.');
          case 'int':
            return typeof value === 'number' && Number.isInteger(value) && value >= INT_MIN && value <= INT_MAX
              ? undefined
              : bad('an int default must be a whole number from -2147483648 to 2147483647.');
          case 'long':
            return typeof value === 'number' && Number.isInteger(value) && this.isLongInRange(value, ln)
              ? undefined
              : bad('a long default must be a whole number within 64 bits.');
          case 'float':
          case 'double':
            return typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity'
              ? undefined
              : bad(`a ${type.name} default must be a JSON number.`);
          case 'bytes':
            return typeof value === 'string' && isByteString(value)
              ? undefined
              : bad('a bytes default is a JSON string whose characters are bytes 0-255 (e.g. "\\u00ff").');
          case 'string':
            return typeof value === 'string' ? undefined : bad('a string default must be a JSON string.');
          default:
            return undefined;
        }
      case 'union': {
        const first = type.branches[0];
        if (first === undefined) return bad('an empty union has no valid default.');
        const inner = this.checkDefault(first, value, path, ln, depth + 1);
        if (inner === undefined) return undefined;
        const matchesOther = type.branches.slice(1).some((b) => this.checkDefault(b, value, path, ln, depth + 1) === undefined);
        return {
          ...inner,
          reason: `a union's default must match its first branch (${describeType(first)})${
            matchesOther ? '; move the matching branch first' : ''
          }: ${inner.reason}`,
        };
      }
      case 'array': {
        if (!Array.isArray(value)) return bad('an array default must be a JSON array.');
        for (let i = 0; i < value.length; i++) {
          const inner = this.checkDefault(type.items, value[i], `${path}/${i}`, childLoc(ln, i), depth + 1);
          if (inner) return inner;
        }
        return undefined;
      }
      case 'map': {
        if (!isPlainObject(value)) return bad('a map default must be a JSON object.');
        for (const key of Object.keys(value)) {
          const inner = this.checkDefault(type.values, value[key], `${path}/${escapePointerToken(key)}`, childLoc(ln, key), depth + 1);
          if (inner) return inner;
        }
        return undefined;
      }
      case 'inline':
      case 'ref': {
        const named = this.resolveNamed(type);
        if (named === undefined) return undefined;
        if (named.kind === 'enum') {
          return typeof value === 'string' && named.symbols.some((s) => s.name === value)
            ? undefined
            : bad(`an enum default must be one of the symbols of "${named.fullName}".`);
        }
        if (named.kind === 'fixed') {
          return typeof value === 'string' && isByteString(value) && value.length === named.size
            ? undefined
            : bad(`a fixed default is a JSON string of exactly ${named.size} byte characters.`);
        }
        if (!isPlainObject(value)) return bad(`a record default must be a JSON object with the fields of "${named.fullName}".`);
        for (const field of named.fields) {
          const fieldPath = `${path}/${escapePointerToken(field.name)}`;
          if (Object.prototype.hasOwnProperty.call(value, field.name)) {
            const inner = this.checkDefault(field.type, value[field.name], fieldPath, childLoc(ln, field.name), depth + 1);
            if (inner) return inner;
          } else if (!field.hasDefault) {
            return bad(`the record default lacks field "${field.name}", which has no default of its own.`);
          }
        }
        return undefined;
      }
    }
  }
}

const LOGICAL_KEYS: ReadonlySet<string> = new Set(['logicalType', 'precision', 'scale']);

/** What Java's Double.parseDouble reads (after trimming): decimal and hex floats, NaN, Infinity. */
const JAVA_DOUBLE_RE = /^[+-]?(?:NaN|Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?[fFdD]?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)[pP][+-]?\d+[fFdD]?)$/;

/** Levenshtein distance, giving up (returning limit + 1) once it exceeds `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length] ?? limit + 1;
}

function isByteString(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

function unionKey(node: TypeNode): string | undefined {
  switch (node.kind) {
    case 'primitive':
      return node.name;
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'inline':
      return node.fullName;
    case 'ref':
      return node.fullName === '' ? undefined : node.fullName;
    default:
      return undefined;
  }
}

export function describeType(node: TypeNode): string {
  switch (node.kind) {
    case 'primitive':
      return node.logicalType ? `${node.name} (${node.logicalType})` : node.name;
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'union':
      return 'union';
    default:
      return node.fullName || 'unknown';
  }
}
