// The format-neutral schema model. Every schema — from a file, a git ref or a registry — is parsed
// once into a SchemaDocument; lint rules, the compatibility checker and the publisher all read it.
// Pure data: no fs, no network, no console.

/** 1-based line and column; end is exclusive (points just after the last character). */
export interface SourceRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type SchemaFormat = 'avro' | 'protobuf';

/** How the text was written: .avsc JSON, .avdl IDL, or a .proto file of a given syntax. */
export type SchemaSyntax = 'avsc' | 'avdl' | 'proto2' | 'proto3' | 'editions';

/**
 * Where a node lives. `path` is a JSON pointer into the schema's structure:
 *  - .avsc: the pointer into the JSON document itself (`/fields/2/type`), so it matches Avro's own
 *    compatibility locations;
 *  - .avdl: the pointer into the equivalent .avsc JSON of the protocol's types (`/types/0/fields/1`);
 *  - .proto: `/messages/<Name>/fields/<number>`, `/messages/<Outer>/messages/<Inner>`,
 *    `/enums/<Name>/values/<NAME>`, `/messages/<Name>/oneofs/<name>` — names, not indexes, so a path
 *    survives reordering.
 * `loc` is the source range of the node (for a field: its whole declaration; `nameLoc` narrows to the
 * name where that helps a code frame).
 */
export interface Located {
  path: string;
  loc: SourceRange;
}

export type AvroPrimitive = 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';
export type ProtoScalar =
  | 'double' | 'float' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'sint32' | 'sint64'
  | 'fixed32' | 'fixed64' | 'sfixed32' | 'sfixed64' | 'bool' | 'string' | 'bytes';

/** A primitive or scalar type, with its Avro logical type when it has one. */
export interface PrimitiveType extends Located {
  kind: 'primitive';
  name: AvroPrimitive | ProtoScalar;
  logicalType?: string;
  /** decimal only */
  precision?: number;
  scale?: number;
  /** every other attribute written on the type object (Avro), e.g. `connect.name`, `avro.java.string` */
  attributes?: Record<string, unknown>;
}

/** A reference by full name to a named type (record/message, enum, fixed) or a well-known type. */
export interface NamedRef extends Located {
  kind: 'ref';
  /** fully qualified, without a leading dot: `com.acme.Money`, `google.protobuf.Timestamp` */
  fullName: string;
  /** the name as written in the source (`Money`, `.google.protobuf.Timestamp`) */
  written: string;
  /** false when the name could not be resolved against the document's types and imports */
  resolved: boolean;
}

export interface ArrayType extends Located {
  kind: 'array';
  items: TypeNode;
}

export interface MapType extends Located {
  kind: 'map';
  /** Avro map keys are always strings; Protobuf map keys are an integral or string scalar */
  keys: PrimitiveType;
  values: TypeNode;
}

export interface UnionType extends Located {
  kind: 'union';
  branches: TypeNode[];
}

/**
 * A named type written inline where it is used (Avro allows a record, enum or fixed to be declared
 * at the place of use). The definition itself is also listed in SchemaDocument.types.
 */
export interface InlineNamed extends Located {
  kind: 'inline';
  fullName: string;
}

export type TypeNode = PrimitiveType | NamedRef | ArrayType | MapType | UnionType | InlineNamed;

export interface Field extends Located {
  name: string;
  nameLoc: SourceRange;
  doc?: string;
  type: TypeNode;
  /** Avro field aliases */
  aliases: string[];
  /** Avro: true when a `default` is written; Protobuf: true for proto2 `[default = …]` */
  hasDefault: boolean;
  default?: unknown;
  /** Protobuf field number */
  number?: number;
  /**
   * Protobuf cardinality as written: `optional` (proto2 optional or proto3 explicit optional),
   * `required` (proto2), `repeated`, or `singular` (proto3 implicit presence). Absent for Avro.
   */
  label?: 'optional' | 'required' | 'repeated' | 'singular';
  /** Protobuf: a proto2 `group` (the field of the message the group declares) */
  group?: boolean;
  /** Protobuf: name of the (real, not synthetic) oneof this field belongs to */
  oneof?: string;
  /** Protobuf: field options as written (`deprecated`, `json_name`, custom ones), keyed by option name */
  options?: Record<string, unknown>;
  /** Avro: every other attribute written on the field object (`order`, `schemactl:disable`, custom) */
  attributes?: Record<string, unknown>;
}

export interface Oneof extends Located {
  name: string;
  /** field numbers (Protobuf) of the oneof's members, in declaration order */
  fields: number[];
}

export interface Reserved {
  /** inclusive ranges; a single number n is [n, n]; `max` is 536870911 */
  ranges: Array<[number, number]>;
  names: string[];
  loc?: SourceRange;
}

interface NamedBase extends Located {
  /** simple name as written */
  name: string;
  /** fully qualified name (namespace/package + enclosing messages + name) */
  fullName: string;
  /** Avro namespace or Protobuf package ('' when none) */
  namespace: string;
  nameLoc: SourceRange;
  doc?: string;
  aliases: string[];
  /** full name of the enclosing message for nested Protobuf types; undefined at top level */
  parent?: string;
  /** Avro: other attributes written on the type object; Protobuf: options */
  attributes?: Record<string, unknown>;
}

export interface RecordType extends NamedBase {
  kind: 'record';
  /** Avro `error` types and Protobuf messages are records too */
  isError?: boolean;
  fields: Field[];
  oneofs: Oneof[];
  reserved?: Reserved;
  /** Protobuf extension ranges (inclusive), when the message declares any */
  extensionRanges?: Array<[number, number]>;
}

export interface EnumSymbol extends Located {
  name: string;
  /** Protobuf enum value number */
  number?: number;
  doc?: string;
}

export interface EnumType extends NamedBase {
  kind: 'enum';
  symbols: EnumSymbol[];
  /** Avro enum default symbol */
  default?: string;
  reserved?: Reserved;
}

export interface FixedType extends NamedBase {
  kind: 'fixed';
  size: number;
  logicalType?: string;
  precision?: number;
  scale?: number;
}

export type NamedType = RecordType | EnumType | FixedType;

/** A `// schemactl-disable-next-line rule-a, rule-b -- reason` comment in .proto/.avdl. */
export interface DisableDirective {
  /** the line the directive applies to (the line after the comment) */
  line: number;
  /** empty means every rule */
  ruleIds: string[];
  reason?: string;
  loc: SourceRange;
}

export interface SchemaDocument {
  /** path as given by the caller (relative paths stay relative) */
  file: string;
  format: SchemaFormat;
  syntax: SchemaSyntax;
  text: string;
  /** Avro namespace of the top-level type / protocol, or the Protobuf package ('' when none) */
  namespace: string;
  /** Protobuf package declaration range, when there is one */
  packageLoc?: SourceRange;
  /** every named type declared in this document, including nested and inline ones, in source order */
  types: NamedType[];
  /**
   * The top-level types: for .avsc the single top-level named type (or, for a top-level union,
   * each named branch); for .avdl the protocol's types; for .proto the top-level messages and enums.
   */
  topLevel: string[];
  /** .avsc whose top level is a union (the union node itself) */
  topLevelUnion?: UnionType;
  /**
   * .avsc: the root type node, always set (an `inline` node for a named type, a `union`, a
   * primitive, an array or a map). The compatibility checker starts from here. Unset for .avdl/.proto.
   */
  topLevelType?: TypeNode;
  /** .avdl protocol name / .proto has none */
  protocol?: { name: string; fullName: string; loc: SourceRange };
  /** Protobuf imports as written, and whether each was found */
  imports: Array<{ path: string; loc: SourceRange; kind?: 'public' | 'weak' | 'option'; resolved: boolean }>;
  /** named types made visible by imports (well-known types and imported files), by full name */
  importedTypes: Map<string, NamedType>;
  /**
   * Protobuf: the request and response types of every rpc of the file's services, resolved like field
   * types. Not part of the data model; the lint layer uses them to tell API messages from event roots.
   */
  rpcTypes?: NamedRef[];
  /**
   * Protobuf: the response and metadata types long-running methods name in
   * `google.longrunning.operation_info`, qualified with the package when written without one (a
   * name with a dot is taken as written; these are strings in an option, not checked references).
   */
  longRunningTypes?: string[];
  /** Protobuf file options (`java_package`, …) */
  options?: Record<string, unknown>;
  disableDirectives: DisableDirective[];
}

/** One problem found while reading a file: unparseable, invalid, unresolved import … */
export interface ParseProblem {
  message: string;
  loc: SourceRange;
  /** 'fatal' problems mean no document could be built */
  fatal: boolean;
  /** a stable code, e.g. 'json-syntax', 'avro-invalid-name', 'proto-syntax', 'proto-missing-import' */
  code: string;
  /**
   * The reference toolchain (Apache Avro Java, protoc) accepts the schema despite this problem: the
   * specification is stricter, or the reader silently ignores the construct. Advisory problems are
   * warnings; every other problem makes the schema invalid (see formats/validity.ts).
   */
  advisory?: boolean;
}

export type ParseResult =
  | { ok: true; document: SchemaDocument; problems: ParseProblem[] }
  | { ok: false; problems: ParseProblem[] };
