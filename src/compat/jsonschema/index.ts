// JSON Schema compatibility as the Schema Registry decides it: diff the registered (original) schema
// against the new one (./diff.ts), then the policy (STRICT by default, LENIENT on request) keeps the
// differences outside its compatible-change set. FORWARD is the same diff with the two swapped, which
// the level machinery (../levels.ts) does by passing reader and writer the other way round. Pure.
import { parseJsonSchema } from '../../formats/jsonschema/index.js';
import type { JsonSchemaReference, SchemaNode } from '../../formats/jsonschema/index.js';
import { invalidProblems } from '../../formats/validity.js';
import type { ParseProblem } from '../../model/types.js';
import type { CheckDirection } from '../types.js';
import { diffSchemas } from './diff.js';
import { compatibleSet } from './types.js';
import type { JsonCompatibilityPolicy, JsonDifference, JsonDifferenceType } from './types.js';

export type { JsonCompatibilityPolicy, JsonDifference, JsonDifferenceType } from './types.js';
export { COMPATIBLE_LENIENT, COMPATIBLE_STRICT, JSON_DIFFERENCE_TYPES, compatibleSet } from './types.js';
export { diffSchemas } from './diff.js';

export interface JsonSchemaSide {
  text: string;
  references?: readonly JsonSchemaReference[];
  file?: string;
}

export interface JsonPairMessage {
  type: JsonDifferenceType;
  path: string;
  /** the detail in schemactl's words */
  message: string;
  /** the string the registry puts into its `messages` array for this item */
  registryMessage: string;
}

export interface JsonPairResult {
  compatible: boolean;
  /** every difference, compatible ones included, in walk order */
  differences: Array<JsonDifference & { compatible: boolean }>;
  /** the incompatible differences only */
  messages: JsonPairMessage[];
  /** set when a side is not a valid schema: nothing was compared */
  problems?: { side: 'reader' | 'writer'; file: string; problems: ParseProblem[] };
}

export class JsonSchemaSideError extends Error {
  constructor(readonly side: 'reader' | 'writer', readonly file: string, readonly problems: ParseProblem[]) {
    super(`${file}: ${problems.map((p) => `${p.loc.line}:${p.loc.column}: ${p.message}`).join('; ')}`);
  }
}

/** Parses one side; throws JsonSchemaSideError when the registry would refuse it. */
export function jsonSchemaRoot(side: JsonSchemaSide, which: 'reader' | 'writer'): SchemaNode {
  const file = side.file ?? (which === 'reader' ? 'candidate.json' : 'previous.json');
  const parsed = parseJsonSchema(side.text, file, side.references ?? []);
  if (!parsed.ok) throw new JsonSchemaSideError(which, file, parsed.problems);
  const invalid = invalidProblems(parsed.problems);
  if (invalid.length > 0) throw new JsonSchemaSideError(which, file, invalid);
  return parsed.root;
}

// One sentence per kind of incompatible change; `%n` is the new (reading) side, `%o` the old one.
const EXPLAIN: Partial<Record<JsonDifferenceType, string>> = {
  TYPE_CHANGED: 'The type at %p changed, so values the %o schema allowed are refused by the %n schema',
  TYPE_NARROWED: 'The type at %p was narrowed (number to integer), so values the %o schema allowed are refused',
  SCHEMA_ADDED: 'A schema was added at %p where the %o schema allowed anything',
  OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: 'An optional property was added at %p to an open content model: the %o schema allowed any value under that name',
  REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL: 'A required property was added at %p to an open content model: data written with the %o schema may lack it or hold any value',
  REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL: 'A required property with a default was added at %p to an open content model: the %o schema allowed any value under that name',
  REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL: 'A required property without a default was added at %p: data written with the %o schema lacks it',
  PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL: 'The property at %p was removed from a closed content model: data written with the %o schema may hold it and the %n schema refuses it',
  PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: 'The property added at %p does not accept what the %o schema allowed for that name',
  PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: 'The property removed at %p held values the %n schema no longer allows for that name',
  REQUIRED_ATTRIBUTE_ADDED: 'The property at %p became required without a default: data written with the %o schema may lack it',
  ADDITIONAL_PROPERTIES_REMOVED: 'Additional properties are no longer allowed at %p',
  ADDITIONAL_PROPERTIES_NARROWED: 'Additional properties at %p are now constrained by a schema',
  ITEM_ADDED_TO_OPEN_CONTENT_MODEL: 'An item schema was added at %p to an open tuple: the %o schema allowed any value there',
  ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL: 'An item was removed at %p from a closed tuple: data written with the %o schema may hold it',
  ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: 'The item added at %p does not accept what the %o schema allowed there',
  ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL: 'The item removed at %p held values the %n schema no longer allows there',
  ENUM_ARRAY_NARROWED: 'Values were removed from the enum at %p',
  ENUM_ARRAY_CHANGED: 'The allowed values at %p changed',
  COMBINED_TYPE_CHANGED: 'The combination at %p changed its kind (allOf, anyOf, oneOf) in a way that refuses old values',
  COMBINED_TYPE_SUBSCHEMAS_CHANGED: 'The subschemas at %p no longer match those of the %o schema',
  SUM_TYPE_NARROWED: 'Branches were removed from the union at %p',
  PRODUCT_TYPE_EXTENDED: 'Constraints were added to the allOf at %p',
  NOT_TYPE_EXTENDED: 'The `not` at %p now excludes more values',
  PATTERN_ADDED: 'A pattern was added at %p',
  PATTERN_CHANGED: 'The pattern at %p changed',
};

/** Human detail for a difference; registry-shaped message text beside it. */
export function describeJsonDifference(d: JsonDifference, direction: CheckDirection): string {
  const [nw, old] = direction === 'backward' ? ['new', 'old'] : ['old', 'new'];
  const template = EXPLAIN[d.type] ?? `${d.type.toLowerCase().replace(/_/g, ' ')} at %p`;
  return template.replace(/%p/g, `'${d.path}'`).replace(/%n/g, nw).replace(/%o/g, old);
}

/**
 * Can `reader` read data valid under `writer`? (BACKWARD: reader = the new schema.) The registry's
 * diff runs with original = writer, update = reader.
 */
export function checkJsonSchemaPair(
  reader: JsonSchemaSide,
  writer: JsonSchemaSide,
  options: { direction?: CheckDirection; policy?: JsonCompatibilityPolicy } = {},
): JsonPairResult {
  const direction = options.direction ?? 'backward';
  let readerRoot: SchemaNode;
  let writerRoot: SchemaNode;
  try {
    readerRoot = jsonSchemaRoot(reader, 'reader');
    writerRoot = jsonSchemaRoot(writer, 'writer');
  } catch (e) {
    if (e instanceof JsonSchemaSideError) return { compatible: false, differences: [], messages: [], problems: { side: e.side, file: e.file, problems: e.problems } };
    throw e;
  }
  const compatible = compatibleSet(options.policy);
  const diffs = diffSchemas(writerRoot, readerRoot, compatible);
  const differences = diffs.map((d) => ({ ...d, compatible: compatible.has(d.type) }));
  const messages = differences.filter((d) => !d.compatible).map((d) => {
    const message = describeJsonDifference(d, direction);
    return { type: d.type, path: d.path, message, registryMessage: `{errorType:"${d.type}", description:"${message}'}` };
  });
  return { compatible: messages.length === 0, differences, messages };
}
