// Small helpers shared by the rules: name tokenising, case checks, type unwrapping and rendering.
// Pure functions over the model; no rule logic lives here.
import type {
  Field, NamedType, PrimitiveType, RecordType, SchemaDocument, SourceRange, TypeNode, UnionType,
} from '../src/model/types.js';
import { collectNames } from '../src/lint/event-roots.js';

/** Lower-case word tokens of an identifier: `orderStatus`, `order_status`, `ORDER-STATUS` → [order, status]. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

export function isPascalCase(name: string): boolean {
  return /^[A-Z][A-Za-z0-9]*$/.test(name);
}

export function isSnakeCase(name: string): boolean {
  return /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(name);
}

export function isCamelCase(name: string): boolean {
  return /^[a-z][a-zA-Z0-9]*$/.test(name);
}

export function isUpperSnakeCase(name: string): boolean {
  return /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(name);
}

export function toPascalCase(name: string): string {
  return words(name).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

export function toCamelCase(name: string): string {
  const p = toPascalCase(name);
  return p.charAt(0).toLowerCase() + p.slice(1);
}

export function toSnakeCase(name: string): string {
  return words(name).join('_');
}

export function toUpperSnakeCase(name: string): string {
  return words(name).join('_').toUpperCase();
}

/** The simple name of a full name: `com.acme.OrderPlaced` → `OrderPlaced`. */
export function simpleName(fullName: string): string {
  const i = fullName.lastIndexOf('.');
  return i < 0 ? fullName : fullName.slice(i + 1);
}

export interface Unwrapped {
  /** the single non-null branch, or the type itself when it is not a nullable union */
  inner: TypeNode;
  /** the type is a union with a `null` branch */
  nullable: boolean;
  /** index of the `null` branch in the union (-1 when none) */
  nullIndex: number;
  /** the union when the type is one */
  union?: UnionType;
}

/** Avro's optional idiom `["null", T]` seen as T; a union of several non-null branches stays a union. */
export function unwrapNullable(type: TypeNode): Unwrapped {
  if (type.kind !== 'union') return { inner: type, nullable: false, nullIndex: -1 };
  const nullIndex = type.branches.findIndex((b) => b.kind === 'primitive' && b.name === 'null');
  const rest = type.branches.filter((b) => !(b.kind === 'primitive' && b.name === 'null'));
  const inner = rest.length === 1 && rest[0] ? rest[0] : type;
  return { inner, nullable: nullIndex >= 0, nullIndex, union: type };
}

/** The primitive a field holds, looking through Avro's nullable union. */
export function primitiveOf(type: TypeNode): PrimitiveType | undefined {
  const { inner } = unwrapNullable(type);
  return inner.kind === 'primitive' ? inner : undefined;
}

const INTEGER_NAMES = new Set([
  'int', 'long', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64',
]);

export function isIntegerPrimitive(p: PrimitiveType): boolean {
  return INTEGER_NAMES.has(p.name);
}

export function isFloatingPrimitive(p: PrimitiveType): boolean {
  return p.name === 'float' || p.name === 'double';
}

/** Full name of the named type a node denotes (a reference or an inline definition). */
export function namedTypeName(type: TypeNode): string | undefined {
  if (type.kind === 'ref' || type.kind === 'inline') return type.fullName;
  return undefined;
}

/** A short, human rendering of a type for messages: `string`, `long (timestamp-millis)`, `map<string, string>`. */
export function typeLabel(type: TypeNode): string {
  switch (type.kind) {
    case 'primitive':
      return type.logicalType ? `${type.name} (${type.logicalType})` : type.name;
    case 'ref':
    case 'inline':
      return type.fullName;
    case 'array':
      return `array<${typeLabel(type.items)}>`;
    case 'map':
      return `map<${typeLabel(type.keys)}, ${typeLabel(type.values)}>`;
    case 'union':
      return `[${type.branches.map(typeLabel).join(', ')}]`;
  }
}

/** `A, B, C` with at most `max` items and an `and N more` tail. */
export function listText(items: readonly string[], max = 5): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** The records of a document in source order. */
export function records(doc: SchemaDocument): RecordType[] {
  return doc.types.filter((t): t is RecordType => t.kind === 'record');
}

/** Full names of every named type some field of the document refers to. */
export function referencedTypeNames(doc: SchemaDocument): Set<string> {
  const out = new Set<string>();
  for (const r of records(doc)) for (const f of r.fields) collectNames(f.type, out);
  return out;
}

/** Fields that are Protobuf field members of a real oneof, or Avro fields (never oneof members). */
export function isProtoDoc(doc: SchemaDocument): boolean {
  return doc.format === 'protobuf';
}

/** The first line/column of a document, for findings about a file as a whole. */
export const FILE_START: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** A named type is a record whose every field is Avro-nullable or Protobuf-optional. */
export function isOptionalField(field: Field): boolean {
  if (field.label === 'optional' || field.oneof !== undefined) return true;
  return unwrapNullable(field.type).nullable;
}

/** Doc text of a field or type, normalised to one line. */
export function docOf(node: { doc?: string }): string {
  return (node.doc ?? '').replace(/\s+/g, ' ').trim();
}

/** The record types that are event roots, given a predicate from the rule context. */
export function eventRootRecords(doc: SchemaDocument, isRoot: (t: NamedType) => boolean): RecordType[] {
  return records(doc).filter((r) => isRoot(r));
}

/** Event message names: a past-tense fact (`OrderPlaced`, `PaymentCaptured`) or an explicit `…Event`. */
export function looksLikeEvent(name: string): boolean {
  return /(ed|Event|Sent|Paid|Shipped|Made|Done|Begun|Taken|Held|Built|Sold|Lost|Won|Left|Found|Run|Set|Put|Cut|Read)$/.test(name);
}
