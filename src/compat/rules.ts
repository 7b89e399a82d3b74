// Compatibility findings as rules: every kind of finding `check` and `register` report has an id, a
// category, documentation and a default severity, as lint rules do (and as buf gives each breaking
// check an id). Ids are kebab-case: the registry's own type name with a format prefix for what the
// registry decides (`avro-reader-field-missing-default-value` for Avro's
// READER_FIELD_MISSING_DEFAULT_VALUE, `proto-field-kind-changed` for Protobuf's FIELD_KIND_CHANGED,
// `json-type-changed` for JSON Schema's TYPE_CHANGED),
// plain names for the checks beyond the registry and for the catalog. Pure data.
import type { RuleSeverity } from '../lint/rule.js';
import type { SchemaFormat } from '../model/types.js';

/** The formats a compatibility rule concerns: the model's formats, and JSON Schema. */
export type RuleFormat = SchemaFormat | 'json';

/**
 * `registry`: the registry's own verdict (an incompatibility it would refuse); `advisory`: a warning the
 * registry does not check; `catalog`: a stream or schema removed from the catalog, or a level conflict;
 * `input`: the schema cannot be read or checked at all (not configurable: exit 2).
 */
export type CompatRuleCategory = 'registry' | 'advisory' | 'catalog' | 'input';

export interface CompatRuleMeta {
  id: string;
  kind: 'compatibility';
  /** one line, no trailing period */
  description: string;
  rationale: string;
  category: CompatRuleCategory;
  formats: RuleFormat[];
  defaultSeverity: RuleSeverity;
  /** the registry's type name (Avro SchemaIncompatibilityType, Protobuf and JSON Schema Difference.Type) */
  registryType?: string;
  /** whether `rules:` in schemactl.yaml may set its severity */
  configurable: boolean;
}

const VERDICT = 'The registry refuses the schema for this reason, so `check` fails the subject whatever severity is configured (see "Compatibility rules and the verdict" in the README).';

function registry(format: 'avro' | 'protobuf' | 'json', type: string, description: string, rationale: string): CompatRuleMeta {
  return {
    id: compatRuleId(format === 'avro' ? 'AVRO' : format === 'protobuf' ? 'PROTOBUF' : 'JSON', type),
    kind: 'compatibility',
    description,
    rationale: `${rationale} ${VERDICT}`,
    category: 'registry',
    formats: [format],
    defaultSeverity: 'error',
    registryType: type,
    configurable: true,
  };
}

function other(id: string, category: Exclude<CompatRuleCategory, 'registry'>, formats: RuleFormat[], defaultSeverity: RuleSeverity, description: string, rationale: string): CompatRuleMeta {
  return { id, kind: 'compatibility', description, rationale, category, formats, defaultSeverity, configurable: category !== 'input' };
}

const BOTH: RuleFormat[] = ['avro', 'protobuf'];
const ALL: RuleFormat[] = ['avro', 'protobuf', 'json'];

export const COMPAT_RULES: readonly CompatRuleMeta[] = [
  // Avro: Apache Avro's SchemaIncompatibilityType, as the registry reports it
  registry('avro', 'READER_FIELD_MISSING_DEFAULT_VALUE', 'A reader field has no default and the writer does not have it',
    'The reading schema expects a field that records written with the other schema lack, and has no default to fill it in, so decoding fails. Under BACKWARD this is a new field without a default; under FORWARD a removed field that had none.'),
  registry('avro', 'TYPE_MISMATCH', 'A field or type changed to a type the reader cannot promote from',
    'Avro resolves a writer type to a reader type only through the promotions the specification allows (int to long, float or double; long to float or double; float to double; string to and from bytes). Any other change makes old data unreadable.'),
  registry('avro', 'NAME_MISMATCH', 'A named type (record, enum, fixed) changed its full name without an alias',
    'Avro matches named types by full name (namespace and name) or the reader\'s aliases. A rename without an alias makes the writer\'s type unknown to the reader.'),
  registry('avro', 'FIXED_SIZE_MISMATCH', 'A fixed type changed its size',
    'A fixed value is exactly `size` bytes on the wire; a reader with another size cannot decode it.'),
  registry('avro', 'MISSING_ENUM_SYMBOLS', 'The reader\'s enum lacks symbols the writer can write, and has no default',
    'A writer symbol that the reader\'s enum does not have fails decoding unless the reader\'s enum declares a default symbol.'),
  registry('avro', 'MISSING_UNION_BRANCH', 'The reader\'s union lacks a branch the writer can write',
    'A value written in a union branch (or a non-union type) that no branch of the reader\'s union accepts cannot be decoded.'),
  registry('avro', 'EXCEPTION', 'Apache Avro\'s checker cannot decide the pair (for example a reader field matching two writer fields through aliases)',
    'The registry turns an exception of the Avro checker into an incompatible verdict, so the pair is refused.'),
  // Protobuf: the registry's Difference.Type values outside its compatible-change set
  registry('protobuf', 'PACKAGE_CHANGED', 'The file\'s package changed',
    'Every message\'s full name includes the package, so consumers and the registry no longer find the old types.'),
  registry('protobuf', 'MESSAGE_REMOVED', 'A message was removed',
    'A message that earlier versions define (and may reference) no longer exists, so data and schemas that use it cannot be read.'),
  registry('protobuf', 'FIELD_KIND_CHANGED', 'A field changed between scalar, message, enum and map kinds',
    'A field\'s kind decides its wire type; data written with the old kind is misread or rejected.'),
  registry('protobuf', 'FIELD_SCALAR_KIND_CHANGED', 'A scalar field changed to a scalar type with another wire encoding',
    'Scalar types are only interchangeable within a wire-compatible group (int32/uint32/int64/uint64/bool, sint32/sint64, fixed32/sfixed32, fixed64/sfixed64); anything else decodes old values wrongly.'),
  registry('protobuf', 'FIELD_NAMED_TYPE_CHANGED', 'A message or enum field now refers to another type',
    'The field\'s bytes are decoded with a different message or enum than they were written with.'),
  registry('protobuf', 'FIELD_NUMERIC_LABEL_CHANGED', 'A numeric field changed between singular and repeated',
    'Packed repeated numbers and a single number are encoded differently; readers of the old label misread the new data.'),
  registry('protobuf', 'REQUIRED_FIELD_ADDED', 'A required field was added',
    'Data written without the field fails to parse in a reader that requires it.'),
  registry('protobuf', 'REQUIRED_FIELD_REMOVED', 'A required field was removed',
    'Readers of the old schema require the field, so new data without it fails to parse.'),
  registry('protobuf', 'ONEOF_FIELD_REMOVED', 'A field was removed from a oneof',
    'A value written in the removed member is unknown to the new reader and the oneof looks unset, silently losing data.'),
  registry('protobuf', 'MULTIPLE_FIELDS_MOVED_TO_ONEOF', 'Several existing fields were moved into one oneof',
    'Old data may set several of them at once; read through a oneof, all but the last are dropped.'),
  registry('protobuf', 'FIELD_MOVED_TO_EXISTING_ONEOF', 'An existing field was moved into an existing oneof',
    'Old data may set the field together with another member of the oneof; one of the two values is lost.'),
  registry('protobuf', 'INCOMPATIBLE', 'The Protobuf checker found the schemas incompatible without a more specific difference',
    'The registry refuses the pair; the message says what the checker reported.'),
  // JSON Schema: the registry's Difference.Type values outside its STRICT compatible-change set
  registry('json', 'SCHEMA_ADDED', 'A schema was added where the old schema had none (e.g. `items` on an array)',
    'Where the old schema constrained nothing, old data may hold any value; the new schema now refuses some of it.'),
  registry('json', 'TYPE_NARROWED', 'A number became an integer',
    'Old data may hold fractional numbers, which an integer refuses.'),
  registry('json', 'TYPE_CHANGED', 'A schema changed its type (string, number, object, array, ...)',
    'Values of the old type are refused by the new one. To accept both, make the new schema a union (`anyOf`/`oneOf` or a `type` list) that keeps the old type as a branch.'),
  registry('json', 'MAX_LENGTH_ADDED', 'A string got a `maxLength`',
    'Old strings of any length were valid; longer ones are now refused.'),
  registry('json', 'MAX_LENGTH_DECREASED', 'A string\'s `maxLength` was lowered',
    'Old strings between the new and the old limit are now refused.'),
  registry('json', 'MIN_LENGTH_ADDED', 'A string got a `minLength`',
    'Old strings of any length were valid; shorter ones are now refused.'),
  registry('json', 'MIN_LENGTH_INCREASED', 'A string\'s `minLength` was raised',
    'Old strings between the old and the new limit are now refused.'),
  registry('json', 'PATTERN_ADDED', 'A string got a `pattern`',
    'Old strings that do not match it are now refused.'),
  registry('json', 'PATTERN_CHANGED', 'A string\'s `pattern` changed',
    'The registry does not compare regular languages: any edit of a pattern may refuse old strings, so it counts as a change.'),
  registry('json', 'MAXIMUM_ADDED', 'A number got a `maximum`',
    'Old numbers above it are now refused.'),
  registry('json', 'MAXIMUM_DECREASED', 'A number\'s `maximum` was lowered',
    'Old numbers between the new and the old maximum are now refused.'),
  registry('json', 'MINIMUM_ADDED', 'A number got a `minimum`',
    'Old numbers below it are now refused.'),
  registry('json', 'MINIMUM_INCREASED', 'A number\'s `minimum` was raised',
    'Old numbers between the old and the new minimum are now refused.'),
  registry('json', 'EXCLUSIVE_MAXIMUM_ADDED', 'A number got an `exclusiveMaximum`',
    'Old numbers at or above it are now refused.'),
  registry('json', 'EXCLUSIVE_MAXIMUM_DECREASED', 'A number\'s `exclusiveMaximum` was lowered',
    'Old numbers between the new and the old limit are now refused.'),
  registry('json', 'EXCLUSIVE_MINIMUM_ADDED', 'A number got an `exclusiveMinimum`',
    'Old numbers at or below it are now refused.'),
  registry('json', 'EXCLUSIVE_MINIMUM_INCREASED', 'A number\'s `exclusiveMinimum` was raised',
    'Old numbers between the old and the new limit are now refused.'),
  registry('json', 'MULTIPLE_OF_ADDED', 'A number got a `multipleOf`',
    'Old numbers that are not multiples of it are now refused.'),
  registry('json', 'MULTIPLE_OF_EXPANDED', 'A number\'s `multipleOf` became a multiple of the old one',
    'Old values that were multiples of the old divisor but not of the new one are now refused (e.g. 2 to 4 refuses 6).'),
  registry('json', 'MULTIPLE_OF_CHANGED', 'A number\'s `multipleOf` changed to an unrelated divisor',
    'Neither divisor divides the other, so some old values are refused.'),
  registry('json', 'REQUIRED_ATTRIBUTE_ADDED', 'An existing property became required without a default',
    'Old objects may lack the property and are now refused. Give the property a `default`, or keep it optional.'),
  registry('json', 'MAX_PROPERTIES_ADDED', 'An object got a `maxProperties`',
    'Old objects with more properties are now refused.'),
  registry('json', 'MAX_PROPERTIES_DECREASED', 'An object\'s `maxProperties` was lowered',
    'Old objects between the new and the old limit are now refused.'),
  registry('json', 'MIN_PROPERTIES_ADDED', 'An object got a `minProperties`',
    'Old objects with fewer properties are now refused.'),
  registry('json', 'MIN_PROPERTIES_INCREASED', 'An object\'s `minProperties` was raised',
    'Old objects between the old and the new limit are now refused.'),
  registry('json', 'ADDITIONAL_PROPERTIES_REMOVED', 'An object no longer allows additional properties',
    'Old objects may hold properties the new schema does not list, which are now refused. (Allowed under the LENIENT policy.)'),
  registry('json', 'ADDITIONAL_PROPERTIES_NARROWED', 'Additional properties are now constrained by a schema',
    'Old objects could hold any additional property value; values the new schema refuses are now invalid. (Allowed under the LENIENT policy.)'),
  registry('json', 'DEPENDENCY_ARRAY_ADDED', 'A property dependency was added',
    'Old objects that have the property without its new dependencies are now refused.'),
  registry('json', 'DEPENDENCY_ARRAY_EXTENDED', 'A property dependency lists more properties',
    'Old objects that lack one of the added dependencies are now refused.'),
  registry('json', 'DEPENDENCY_ARRAY_CHANGED', 'A property dependency changed its properties',
    'Old objects that lack one of the new dependencies are now refused.'),
  registry('json', 'DEPENDENCY_SCHEMA_ADDED', 'A schema dependency was added',
    'Old objects that have the property and do not match the dependency\'s schema are now refused.'),
  registry('json', 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'A required property without a default was added to an open object',
    'An open object (no `additionalProperties: false`) accepted any value under that name, and old objects may lack it. Close the old object first, or add the property as optional with an empty schema.'),
  registry('json', 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL', 'A required property with a default was added to an open object',
    'An open object accepted any value under that name, so old values may not match the new property\'s schema. (Allowed under the LENIENT policy.)'),
  registry('json', 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL', 'A property was added to an open object',
    'An open object (no `additionalProperties: false`) accepted any value under every name, so old data may hold this property with a value the new schema refuses. Under the registry\'s default policy evolve JSON Schemas with closed objects (`additionalProperties: false`), where adding an optional property is compatible. (Allowed under the LENIENT policy.)'),
  registry('json', 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', 'A required property without a default was added to a closed or partially open object',
    'Old objects do not have it and are refused. Make it optional or give it a `default`.'),
  registry('json', 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'A property was removed from a closed object',
    'Old objects may hold it, and a closed object (`additionalProperties: false`) now refuses it. Keep the property, or open the object. (Allowed under the LENIENT policy.)'),
  registry('json', 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'A removed property is not covered by the schema for other properties',
    'Old values of the property now fall under `patternProperties`/`additionalProperties`, which refuse some of them. (Allowed under the LENIENT policy.)'),
  registry('json', 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'An added property\'s schema does not accept what the object allowed for that name',
    'Old objects may hold the name with values that `patternProperties`/`additionalProperties` allowed and the new property refuses. (Allowed under the LENIENT policy.)'),
  registry('json', 'UNEVALUATED_PROPERTIES_REMOVED', 'An object no longer allows unevaluated properties',
    'Old objects may hold properties no keyword evaluates, which are now refused. (Allowed under the LENIENT policy.)'),
  registry('json', 'UNEVALUATED_PROPERTIES_NARROWED', 'Unevaluated properties are now constrained by a schema',
    'Old objects could hold any unevaluated property value; values the new schema refuses are now invalid. (Allowed under the LENIENT policy.)'),
  registry('json', 'MAX_ITEMS_ADDED', 'An array got a `maxItems`',
    'Old arrays with more items are now refused.'),
  registry('json', 'MAX_ITEMS_DECREASED', 'An array\'s `maxItems` was lowered',
    'Old arrays between the new and the old limit are now refused.'),
  registry('json', 'MIN_ITEMS_ADDED', 'An array got a `minItems`',
    'Old arrays with fewer items are now refused.'),
  registry('json', 'MIN_ITEMS_INCREASED', 'An array\'s `minItems` was raised',
    'Old arrays between the old and the new limit are now refused.'),
  registry('json', 'MAX_CONTAINS_ADDED', 'An array got a `maxContains`',
    'Old arrays with more matching items are now refused.'),
  registry('json', 'MAX_CONTAINS_DECREASED', 'An array\'s `maxContains` was lowered',
    'Old arrays between the new and the old limit are now refused.'),
  registry('json', 'MIN_CONTAINS_ADDED', 'An array got a `minContains`',
    'Old arrays with fewer matching items are now refused.'),
  registry('json', 'MIN_CONTAINS_INCREASED', 'An array\'s `minContains` was raised',
    'Old arrays between the old and the new limit are now refused.'),
  registry('json', 'UNIQUE_ITEMS_ADDED', 'An array now requires unique items',
    'Old arrays with repeated items are now refused.'),
  registry('json', 'ADDITIONAL_ITEMS_REMOVED', 'A tuple no longer allows additional items',
    'Old arrays longer than the listed items are now refused.'),
  registry('json', 'ADDITIONAL_ITEMS_NARROWED', 'Additional items of a tuple are now constrained by a schema',
    'Old arrays could hold any value past the listed items; values the new schema refuses are now invalid.'),
  registry('json', 'UNEVALUATED_ITEMS_REMOVED', 'An array no longer allows unevaluated items',
    'Old arrays with items no keyword evaluates are now refused.'),
  registry('json', 'UNEVALUATED_ITEMS_NARROWED', 'Unevaluated items are now constrained by a schema',
    'Old arrays could hold any unevaluated item; values the new schema refuses are now invalid.'),
  registry('json', 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL', 'An item schema was added to an open tuple',
    'An open tuple accepted any value at that position, so old arrays may hold values the new item schema refuses.'),
  registry('json', 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'An item was removed from a closed tuple',
    'Old arrays may hold the item, and a closed tuple (`additionalItems: false`, `items: false`) now refuses it.'),
  registry('json', 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'A removed tuple item is not covered by the schema for additional items',
    'Old values at that position now fall under the additional-items schema, which refuses some of them.'),
  registry('json', 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL', 'An added tuple item does not accept what the additional-items schema allowed',
    'Old arrays may hold values at that position that the new item schema refuses.'),
  registry('json', 'ENUM_ARRAY_NARROWED', 'Values were removed from an `enum`',
    'Old data may hold the removed values, which are now refused.'),
  registry('json', 'ENUM_ARRAY_CHANGED', 'An `enum` or `const` changed its values',
    'Old data may hold values that are no longer allowed.'),
  registry('json', 'COMBINED_TYPE_CHANGED', 'An `allOf`/`anyOf`/`oneOf` changed its kind in a way that refuses old values',
    'E.g. anyOf to oneOf refuses values that match several branches; only changes towards anyOf (or between singletons) keep old values valid.'),
  registry('json', 'PRODUCT_TYPE_EXTENDED', 'An `allOf` gained a part',
    'Every part must match, so each added part refuses old values it does not accept.'),
  registry('json', 'SUM_TYPE_NARROWED', 'A union (`anyOf`/`oneOf`, `type` list) lost a branch',
    'Old values of the removed branch are now refused.'),
  registry('json', 'COMBINED_TYPE_SUBSCHEMAS_CHANGED', 'The branches of an `allOf`/`anyOf`/`oneOf` no longer match the old ones',
    'The registry pairs every old branch with a compatible new one; when some old branch has no compatible counterpart, old values of it are refused.'),
  registry('json', 'NOT_TYPE_EXTENDED', 'A `not` excludes more values',
    'Old values the new `not` excludes are now refused.'),
  // beyond the registry: warnings by default (`--advisories` sets all of them at once)
  other('logical-type-changed', 'advisory', ['avro'], 'warn', 'An Avro logical type was added, removed or changed on the same underlying type',
    'The registry compares underlying types only, so `long` to `timestamp-millis` passes; consumers that decode the logical type then read the same bytes as something else.'),
  other('decimal-precision-changed', 'advisory', ['avro'], 'warn', 'An Avro decimal changed its precision',
    'The registry ignores decimal precision; a consumer sized for the old precision may overflow or reject values.'),
  other('decimal-scale-changed', 'advisory', ['avro'], 'warn', 'An Avro decimal changed its scale',
    'The unscaled integer on the wire is read with the reader\'s scale, so every value is off by a power of ten. The registry does not check scale.'),
  other('timestamp-unit-changed', 'advisory', ['avro'], 'warn', 'An Avro timestamp changed its unit (millis, micros, nanos)',
    'The same long is read with another unit, so every time is off by a factor of 1000. The registry sees a `long` both times.'),
  other('namespace-changed-without-alias', 'advisory', ['avro'], 'warn', 'An Avro type moved to another namespace without an alias for its old full name',
    'Readers resolve named types by full name; without an alias the old name is unknown to them in the positions the registry does not compare.'),
  other('likely-rename-without-alias', 'advisory', ['avro'], 'warn', 'An Avro field looks renamed (one removed, one added with the same type) without an alias',
    'Avro matches fields by name or alias; a rename without an alias drops the old values and fills the new field with its default.'),
  other('reserved-field-reused', 'advisory', ['protobuf'], 'warn', 'A Protobuf field uses a number or name the previous version reserved',
    'A reservation records a removed field; reusing its number or name decodes old data into the new field.'),
  other('field-reused', 'advisory', BOTH, 'warn', 'A field removed in an earlier version is back with another meaning',
    'Records written with that earlier version are still in the topic and decode into the wrong field (Protobuf numbers and names) or fail (Avro types).'),
  other('field-removed-without-reserve', 'advisory', ['protobuf'], 'warn', 'A removed Protobuf field leaves its number or name unreserved',
    'Without `reserved` for both the number and the name, a later change can reuse them and misread old records; the finding says which of the two is missing.'),
  // the catalog
  other('schema-removed', 'catalog', ALL, 'error', 'A stream no longer lists a schema it had at the base revision',
    'Consumers of that event type lose its governed schema. `--allow-removal` reports it as a warning.'),
  other('stream-removed', 'catalog', ALL, 'error', 'A stream was removed from the catalog',
    'Its consumers lose the governed schema and the topic\'s data can no longer be checked. `--allow-removal` reports it as a warning.'),
  other('level-mismatch', 'catalog', ALL, 'warn', 'The catalog and the registry set different compatibility levels for a subject',
    'The registry\'s level decides registration, so it is the one checked; the catalog should say the same.'),
  other('registry-disagreement', 'catalog', ALL, 'error', 'The remote registry and schemactl disagree on a subject\'s compatibility',
    'schemactl fails closed: when the registry would refuse the schema the subject is incompatible, and when only schemactl refuses it the finding is a warning to report.'),
  // input that cannot be checked: always errors, exit 2
  other('parse-error', 'input', ALL, 'error', 'A schema does not parse', 'A schema that does not parse cannot be compared or registered.'),
  other('file-not-found', 'input', ALL, 'error', 'The catalog names a schema file that does not exist', 'Fix the path in the catalog or add the file.'),
  other('invalid-schema', 'input', ALL, 'error', 'The registry would reject the schema (or a registered version) as invalid', 'An invalid schema cannot be compared; the registry refuses it.'),
  other('unsupported-format', 'input', ALL, 'error', 'The schema is in a format schemactl does not check', 'Use Avro (.avsc, .avdl), Protobuf (.proto), or a JSON Schema (.json) declared with `schema_type: JSON`.'),
];

const BY_ID: ReadonlyMap<string, CompatRuleMeta> = new Map(COMPAT_RULES.map((r) => [r.id, r] as const));

/** The rule id of a registry message type: `READER_FIELD_MISSING_DEFAULT_VALUE` → `avro-reader-field-missing-default-value`. */
export function compatRuleId(format: 'AVRO' | 'PROTOBUF' | 'JSON', type: string): string {
  const prefix = format === 'AVRO' ? 'avro' : format === 'PROTOBUF' ? 'proto' : 'json';
  return `${prefix}-${type.toLowerCase().replace(/_/g, '-')}`;
}

export function compatRule(id: string): CompatRuleMeta | undefined {
  return BY_ID.get(id);
}
