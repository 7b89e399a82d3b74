// Shared shapes of the compatibility engine: the request/response of checkCompatibility and the typed
// Avro incompatibilities the CLI anchors to file:line. Pure data.
import type { Field, Located } from '../model/types.js';

export type CompatFormat = 'AVRO' | 'PROTOBUF' | 'JSON';

export interface SchemaReferenceText {
  /** the name the referring schema imports (`com.acme.Money`, `common/money.proto`) */
  name: string;
  schema: string;
}

export interface CompatRequest {
  format: CompatFormat;
  /** one of the seven levels, any case */
  level: string;
  /** already-registered schema texts, oldest first */
  previous: string[];
  candidate: string;
  /** the candidate's references */
  references?: SchemaReferenceText[];
  /** references of each previous schema, aligned with `previous` */
  previousReferences?: SchemaReferenceText[][];
  /** JSON Schema only: the registry's `compatibilityPolicy` (STRICT when unset) */
  jsonPolicy?: 'STRICT' | 'LENIENT';
}

/**
 * `backward`: the candidate read data written with the previous schema; `forward`: the previous schema
 * read data written with the candidate. The registry's descriptions fill their `%s` slots from it.
 */
export type CheckDirection = 'backward' | 'forward';

export interface CompatMessage {
  /** the registry's type name: an Avro SchemaIncompatibilityType, a Protobuf Difference type, or EXCEPTION */
  type: string;
  /** Avro: JSON pointer into the reader schema (`/fields/1/type/size`); Protobuf: `#/Message/<number>` */
  path: string;
  /** the engine's own detail text (`expected: 8, found: 4`, `reader type: INT not compatible with writer type: LONG`) */
  message: string;
  /** 1-based index into `previous` of the version this message came from */
  version?: number;
  direction?: CheckDirection;
  /** the string the registry puts into its `messages` array for this item (Avro only) */
  registryMessage?: string;
}

export interface CompatResult {
  compatible: boolean;
  messages: CompatMessage[];
}

/** Apache Avro's SchemaIncompatibilityType values, verbatim. */
export type AvroIncompatibilityType =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

/** One incompatibility between a reader and a writer schema, as Avro's checker reports it. */
export interface AvroIncompatibility {
  type: AvroIncompatibilityType;
  /** Avro's location: a JSON pointer built along the reader walk, root `/` */
  path: string;
  /** Avro's message text */
  message: string;
  /**
   * The reader-side model node the incompatibility concerns (a record for a missing field, the enum
   * for missing symbols, the union lacking a branch). It always exists in the reader schema, so it is
   * the anchor for things that were deleted from the writer.
   */
  reader: Located;
  /** the writer-side model node */
  writer: Located;
  /** READER_FIELD_MISSING_DEFAULT_VALUE and the enum-default quirk: the reader field concerned */
  readerField?: Field;
}

export interface AvroPairResult {
  compatible: boolean;
  incompatibilities: AvroIncompatibility[];
  /**
   * Set when Apache Avro's checker throws instead of answering (a reader field matching two writer
   * fields through its aliases). The registry turns that into one incompatible message.
   */
  exception?: string;
}

/** A warning beyond what the registry checks; never changes a verdict. */
export interface AvroAdvisory {
  code:
    | 'logical-type-changed'
    | 'decimal-precision-changed'
    | 'decimal-scale-changed'
    | 'timestamp-unit-changed'
    | 'namespace-changed-without-alias'
    | 'likely-rename-without-alias';
  /** JSON pointer of the reader-side node, built like Avro's locations */
  path: string;
  message: string;
  reader: Located;
  writer: Located;
}
