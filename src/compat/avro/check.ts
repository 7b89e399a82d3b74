// Avro schema resolution as the registry decides it: the same walk, memoisation, locations and
// message texts as Apache Avro's SchemaCompatibility (Java), which Confluent delegates to. Facts from
// the Avro specification and that class's observable behaviour; see SEMANTICS.md §2.
import type {
  EnumType,
  Field,
  FixedType,
  Located,
  NamedType,
  RecordType,
  SchemaDocument,
  TypeNode,
} from '../../model/types.js';
import type { AvroIncompatibility, AvroIncompatibilityType, AvroPairResult } from '../types.js';

/** A type node after named references are followed: what Avro's Java `Schema` object is. */
export type AvroSchemaNode = Exclude<TypeNode, { kind: 'ref' } | { kind: 'inline' }> | NamedType;

export type AvroTypeName =
  | 'NULL' | 'BOOLEAN' | 'INT' | 'LONG' | 'FLOAT' | 'DOUBLE' | 'BYTES' | 'STRING'
  | 'ARRAY' | 'MAP' | 'FIXED' | 'ENUM' | 'RECORD' | 'UNION';

/**
 * One side of a check: a root node plus the named types its references resolve against (the
 * document's own types, then imported/referenced ones). Build it once per document and reuse it.
 */
export interface AvroSchemaView {
  root: TypeNode;
  names: ReadonlyMap<string, NamedType>;
}

const viewCache = new WeakMap<SchemaDocument, AvroSchemaView>();

/**
 * The view of an .avsc document. `referenced` are the documents of the schema's references; Confluent
 * parses them into the same name space first, so their types resolve as if inlined.
 */
export function avroView(doc: SchemaDocument, referenced: readonly SchemaDocument[] = []): AvroSchemaView {
  if (referenced.length === 0) {
    const cached = viewCache.get(doc);
    if (cached) return cached;
  }
  const root = doc.topLevelType;
  if (!root) throw new AvroCheckFailure(`${doc.file} has no top-level Avro type to check`);
  const names = new Map<string, NamedType>();
  for (const ref of referenced) {
    for (const t of ref.types) names.set(t.fullName, t);
    for (const [n, t] of ref.importedTypes) if (!names.has(n)) names.set(n, t);
  }
  for (const [n, t] of doc.importedTypes) names.set(n, t);
  for (const t of doc.types) names.set(t.fullName, t);
  const view: AvroSchemaView = { root, names };
  if (referenced.length === 0) viewCache.set(doc, view);
  return view;
}

/** Thrown where Apache Avro's checker throws; the registry reports it as one "Unexpected exception" message. */
export class AvroCheckFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AvroCheckFailure';
  }
}

export function resolveNode(node: TypeNode, names: ReadonlyMap<string, NamedType>): AvroSchemaNode {
  if (node.kind !== 'ref' && node.kind !== 'inline') return node;
  // An unresolved reference may name a type from a referenced schema; Avro then tries the name in the
  // enclosing namespace first (fullName) and the name as written second.
  const named = names.get(node.fullName) ?? (node.kind === 'ref' && !node.resolved ? names.get(node.written) : undefined);
  if (!named) throw new AvroCheckFailure(`Undefined name: ${node.kind === 'ref' ? node.written : node.fullName}`);
  return named;
}

const PRIMITIVE_TYPE_NAMES: Record<string, AvroTypeName> = {
  null: 'NULL', boolean: 'BOOLEAN', int: 'INT', long: 'LONG', float: 'FLOAT', double: 'DOUBLE', bytes: 'BYTES', string: 'STRING',
};

export function avroTypeName(node: AvroSchemaNode): AvroTypeName {
  switch (node.kind) {
    case 'record': return 'RECORD';
    case 'enum': return 'ENUM';
    case 'fixed': return 'FIXED';
    case 'array': return 'ARRAY';
    case 'map': return 'MAP';
    case 'union': return 'UNION';
    case 'primitive': return PRIMITIVE_TYPE_NAMES[node.name] ?? (node.name.toUpperCase() as AvroTypeName);
  }
}

export function simpleName(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? fullName : fullName.slice(dot + 1);
}

/** Avro qualifies an unqualified alias of a named type with that type's own namespace. */
export function qualifiedAliases(named: NamedType): string[] {
  const dot = named.fullName.lastIndexOf('.');
  const space = dot < 0 ? '' : named.fullName.slice(0, dot);
  return named.aliases.map((a) => (a.includes('.') || space === '' ? a : `${space}.${a}`));
}

/** Reader name equals writer name (unqualified), or a reader alias equals the writer's full name. */
export function schemaNamesMatch(reader: NamedType, writer: NamedType): boolean {
  if (simpleName(reader.fullName) === simpleName(writer.fullName)) return true;
  return qualifiedAliases(reader).includes(writer.fullName);
}

// Wide records are compared against many versions; index their fields and symbols once per model node.
const fieldIndexes = new WeakMap<RecordType, Map<string, Field>>();
const symbolSets = new WeakMap<EnumType, Set<string>>();

function fieldIndex(record: RecordType): Map<string, Field> {
  let index = fieldIndexes.get(record);
  if (!index) {
    index = new Map();
    // Avro keeps the first field of a name; later duplicates are a parse error reported elsewhere.
    for (const f of record.fields) if (!index.has(f.name)) index.set(f.name, f);
    fieldIndexes.set(record, index);
  }
  return index;
}

function symbolSet(e: EnumType): Set<string> {
  let set = symbolSets.get(e);
  if (!set) {
    set = new Set(e.symbols.map((s) => s.name));
    symbolSets.set(e, set);
  }
  return set;
}

/**
 * The writer field a reader field reads: by the reader field's name, then by each of its aliases.
 * Writer aliases never count. More than one match is an error in Avro, reported as an exception.
 */
export function lookupWriterField(writer: RecordType, readerField: Field): Field | undefined {
  const byName = fieldIndex(writer);
  let found: Field | undefined;
  let count = 0;
  const direct = byName.get(readerField.name);
  if (direct) { found = direct; count++; }
  for (const alias of readerField.aliases) {
    const byAlias = byName.get(alias);
    if (byAlias) { found = byAlias; count++; }
  }
  if (count > 1) {
    throw new AvroCheckFailure(
      `Reader record field ${readerField.name} matches multiple fields in writer record schema ${writer.fullName}`,
    );
  }
  return found;
}

type Found = readonly AvroIncompatibility[];
const NONE: Found = Object.freeze([]) as Found;
const IN_PROGRESS: Found = Object.freeze([]) as Found;

function merge(a: Found, b: Found): Found {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...a, ...b];
}

function pointer(location: readonly string[]): string {
  // The first token is the root's (empty) token, which Avro leaves out.
  let s = '/';
  for (let i = 1; i < location.length; i++) {
    if (i > 1) s += '/';
    s += location[i]!.replace(/~/g, '~0').replace(/\//g, '~1');
  }
  return s;
}

/**
 * One reader/writer comparison. Pairs are memoised by node identity for the whole comparison, as
 * Avro does: a pair met again while in progress counts as compatible (recursion), and a pair met
 * again later returns the first result — with the locations recorded the first time.
 */
class PairChecker {
  private readonly memo = new Map<object, Map<object, Found>>();

  constructor(
    private readonly readerNames: ReadonlyMap<string, NamedType>,
    private readonly writerNames: ReadonlyMap<string, NamedType>,
  ) {}

  compatibility(token: string, reader: AvroSchemaNode, writer: AvroSchemaNode, location: string[]): Found {
    location.push(token);
    let byWriter = this.memo.get(reader);
    if (!byWriter) {
      byWriter = new Map();
      this.memo.set(reader, byWriter);
    }
    let result = byWriter.get(writer);
    if (result === undefined) {
      byWriter.set(writer, IN_PROGRESS);
      result = this.calculate(reader, writer, location);
      byWriter.set(writer, result);
    } else if (result === IN_PROGRESS) {
      result = NONE;
    }
    location.pop();
    return result;
  }

  private fresh(reader: AvroSchemaNode, writer: AvroSchemaNode): Found {
    // Avro starts a new location stack for these inner probes; their findings only decide a branch.
    return this.compatibility('', reader, writer, []);
  }

  private r(node: TypeNode): AvroSchemaNode {
    return resolveNode(node, this.readerNames);
  }

  private w(node: TypeNode): AvroSchemaNode {
    return resolveNode(node, this.writerNames);
  }

  private calculate(reader: AvroSchemaNode, writer: AvroSchemaNode, location: string[]): Found {
    const rt = avroTypeName(reader);
    const wt = avroTypeName(writer);
    if (rt === wt) {
      switch (reader.kind) {
        case 'primitive':
          return NONE;
        case 'array':
          return this.compatibility('items', this.r(reader.items), this.w((writer as typeof reader).items), location);
        case 'map':
          return this.compatibility('values', this.r(reader.values), this.w((writer as typeof reader).values), location);
        case 'fixed': {
          const w = writer as FixedType;
          return merge(this.checkNames(reader, w, location), this.checkFixedSize(reader, w, location));
        }
        case 'enum': {
          const w = writer as EnumType;
          return merge(this.checkNames(reader, w, location), this.checkEnumSymbols(reader, w, location));
        }
        case 'record': {
          const w = writer as RecordType;
          return merge(this.checkNames(reader, w, location), this.checkRecordFields(reader, w, location));
        }
        case 'union': {
          let result = NONE;
          const branches = (writer as typeof reader).branches;
          for (let i = 0; i < branches.length; i++) {
            location.push(String(i));
            const branch = this.w(branches[i]!);
            if (this.fresh(reader, branch).length > 0) {
              result = merge(result, [this.incompatible(
                'MISSING_UNION_BRANCH', reader, writer, `reader union lacking writer type: ${avroTypeName(branch)}`, location,
              )]);
            }
            location.pop();
          }
          return result;
        }
      }
    }

    if (writer.kind === 'union') {
      let result = NONE;
      for (let i = 0; i < writer.branches.length; i++) {
        result = merge(result, this.compatibility(String(i), reader, this.w(writer.branches[i]!), location));
      }
      return result;
    }

    switch (rt) {
      case 'LONG':
        return wt === 'INT' ? NONE : [this.typeMismatch(reader, writer, location)];
      case 'FLOAT':
        return wt === 'INT' || wt === 'LONG' ? NONE : [this.typeMismatch(reader, writer, location)];
      case 'DOUBLE':
        return wt === 'INT' || wt === 'LONG' || wt === 'FLOAT' ? NONE : [this.typeMismatch(reader, writer, location)];
      case 'BYTES':
        return wt === 'STRING' ? NONE : [this.typeMismatch(reader, writer, location)];
      case 'STRING':
        return wt === 'BYTES' ? NONE : [this.typeMismatch(reader, writer, location)];
      case 'UNION': {
        for (const branch of (reader as Extract<AvroSchemaNode, { kind: 'union' }>).branches) {
          if (this.fresh(this.r(branch), writer).length === 0) return NONE;
        }
        return [this.incompatible('MISSING_UNION_BRANCH', reader, writer, `reader union lacking writer type: ${wt}`, location)];
      }
      default:
        return [this.typeMismatch(reader, writer, location)];
    }
  }

  private checkRecordFields(reader: RecordType, writer: RecordType, location: string[]): Found {
    let result = NONE;
    location.push('fields');
    for (let i = 0; i < reader.fields.length; i++) {
      const readerField = reader.fields[i]!;
      location.push(String(i));
      const writerField = lookupWriterField(writer, readerField);
      if (writerField) {
        result = merge(result, this.compatibility('type', this.r(readerField.type), this.w(writerField.type), location));
      } else if (!readerField.hasDefault) {
        const fieldType = this.r(readerField.type);
        if (fieldType.kind === 'enum' && fieldType.default !== undefined) {
          // Avro's enum-default rescue compares the enum with the whole writer record, which can only
          // be a TYPE_MISMATCH; kept because the registry reports exactly that.
          const found = this.compatibility('type', fieldType, writer, location);
          result = merge(result, found.map((f) => (f.readerField ? f : { ...f, readerField })));
        } else {
          const inc = this.incompatible('READER_FIELD_MISSING_DEFAULT_VALUE', reader, writer, readerField.name, location);
          inc.readerField = readerField;
          result = merge(result, [inc]);
        }
      }
      location.pop();
    }
    location.pop();
    return result;
  }

  private checkEnumSymbols(reader: EnumType, writer: EnumType, location: string[]): Found {
    const readerSymbols = symbolSet(reader);
    const missing: string[] = [];
    for (const s of writer.symbols) if (!readerSymbols.has(s.name)) missing.push(s.name);
    if (missing.length === 0) return NONE;
    if (reader.default !== undefined && readerSymbols.has(reader.default)) return NONE;
    // Java prints a TreeSet: sorted by UTF-16 code units, duplicates removed.
    const sorted = [...new Set(missing)].sort();
    location.push('symbols');
    const inc = this.incompatible('MISSING_ENUM_SYMBOLS', reader, writer, `[${sorted.join(', ')}]`, location);
    location.pop();
    return [inc];
  }

  private checkFixedSize(reader: FixedType, writer: FixedType, location: string[]): Found {
    if (reader.size === writer.size) return NONE;
    location.push('size');
    const inc = this.incompatible('FIXED_SIZE_MISMATCH', reader, writer, `expected: ${writer.size}, found: ${reader.size}`, location);
    location.pop();
    return [inc];
  }

  private checkNames(reader: NamedType, writer: NamedType, location: string[]): Found {
    if (schemaNamesMatch(reader, writer)) return NONE;
    location.push('name');
    const inc = this.incompatible('NAME_MISMATCH', reader, writer, `expected: ${writer.fullName}`, location);
    location.pop();
    return [inc];
  }

  private typeMismatch(reader: AvroSchemaNode, writer: AvroSchemaNode, location: string[]): AvroIncompatibility {
    return this.incompatible(
      'TYPE_MISMATCH', reader, writer,
      `reader type: ${avroTypeName(reader)} not compatible with writer type: ${avroTypeName(writer)}`, location,
    );
  }

  private incompatible(
    type: AvroIncompatibilityType, reader: Located, writer: Located, message: string, location: readonly string[],
  ): AvroIncompatibility {
    return { type, path: pointer(location), message, reader, writer };
  }
}

/**
 * Can `reader` read everything written with `writer`? Every incompatibility is reported, in the order
 * of Avro's depth-first walk of the reader. Never throws for schema content: where Avro's checker
 * throws, the result carries `exception` and is incompatible.
 */
export function checkAvroViews(reader: AvroSchemaView, writer: AvroSchemaView): AvroPairResult {
  try {
    const checker = new PairChecker(reader.names, writer.names);
    const found = checker.compatibility(
      '', resolveNode(reader.root, reader.names), resolveNode(writer.root, writer.names), [],
    );
    return { compatible: found.length === 0, incompatibilities: [...found] };
  } catch (e) {
    if (e instanceof AvroCheckFailure) return { compatible: false, incompatibilities: [], exception: e.message };
    throw e;
  }
}

/** checkAvroViews on two parsed .avsc documents (reader = the schema that must read). */
export function checkAvroDocuments(
  reader: SchemaDocument,
  writer: SchemaDocument,
  opts: { readerReferences?: readonly SchemaDocument[]; writerReferences?: readonly SchemaDocument[] } = {},
): AvroPairResult {
  try {
    return checkAvroViews(avroView(reader, opts.readerReferences), avroView(writer, opts.writerReferences));
  } catch (e) {
    if (e instanceof AvroCheckFailure) return { compatible: false, incompatibilities: [], exception: e.message };
    throw e;
  }
}
