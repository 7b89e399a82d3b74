// Typed changes of the Protobuf diff. Type names are the registry's `Difference.Type` values, so what
// we print matches what the registry answers.
import type { Located } from '../../model/types.js';

export const PROTOBUF_DIFFERENCE_TYPES = [
  'PACKAGE_CHANGED',
  'MESSAGE_ADDED',
  'MESSAGE_REMOVED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_KIND_CHANGED',
  'FIELD_SCALAR_KIND_CHANGED',
  'FIELD_NAMED_TYPE_CHANGED',
  'FIELD_NUMERIC_LABEL_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'REQUIRED_FIELD_ADDED',
  'REQUIRED_FIELD_REMOVED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
  'ONEOF_FIELD_REMOVED',
  'ONEOF_FIELD_MOVED_TO_TOP_LEVEL',
  'MULTIPLE_FIELDS_MOVED_TO_ONEOF',
  'FIELD_MOVED_TO_EXISTING_ONEOF',
] as const;

export type ProtobufDifferenceType = (typeof PROTOBUF_DIFFERENCE_TYPES)[number];

/**
 * The registry's compatible-change set (BACKWARD sense: the update can read data written with the
 * original). Everything else makes the pair incompatible.
 */
export const PROTOBUF_COMPATIBLE_CHANGES: ReadonlySet<ProtobufDifferenceType> = new Set<ProtobufDifferenceType>([
  'MESSAGE_ADDED',
  'MESSAGE_MOVED',
  'ENUM_ADDED',
  'ENUM_REMOVED',
  'ENUM_CONST_ADDED',
  'ENUM_CONST_CHANGED',
  'ENUM_CONST_REMOVED',
  'FIELD_ADDED',
  'FIELD_REMOVED',
  'FIELD_NAME_CHANGED',
  'FIELD_STRING_OR_BYTES_LABEL_CHANGED',
  'ONEOF_ADDED',
  'ONEOF_REMOVED',
  'ONEOF_FIELD_ADDED',
  'ONEOF_FIELD_MOVED_TO_TOP_LEVEL',
]);

/** A model node together with the file it was read from (imported types live in other files). */
export interface NodeRef {
  node: Located;
  /** the document's `file`; undefined for types the parser supplied itself (well-known types) */
  file: string | undefined;
}

/** One difference between an original (old) and an update (new) Protobuf schema. */
export interface ProtobufChange {
  type: ProtobufDifferenceType;
  /** the registry's location: `#/`, `#/Message`, `#/Message/<number>`, `#/Message/<oneof>/<number>` */
  path: string;
  /** whether the type is in the registry's compatible-change set */
  compatible: boolean;
  /** the node in the update (new) schema, when it exists there */
  newNode?: NodeRef;
  /** the node in the original (old) schema, when it exists there */
  oldNode?: NodeRef;
  /**
   * Where to report the change in the update document: the node itself when it survives, otherwise
   * the nearest surviving parent (a removed field is anchored on its message, a removed top-level type
   * on the package line or the file's first type). For changes found inside an imported type, the
   * field of the update document that uses it. Undefined only when the update document is empty.
   */
  anchor?: Located;
}
