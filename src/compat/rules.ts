// Compatibility findings as rules: every kind of finding `check` and `register` report has an id, a
// category, documentation and a default severity, as lint rules do (and as buf gives each breaking
// check an id). Ids are kebab-case: the registry's own type name with a format prefix for what the
// registry decides (`avro-reader-field-missing-default-value` for Avro's
// READER_FIELD_MISSING_DEFAULT_VALUE, `proto-field-kind-changed` for Protobuf's FIELD_KIND_CHANGED),
// plain names for the checks beyond the registry and for the catalog. Pure data.
import type { RuleSeverity } from '../lint/rule.js';
import type { SchemaFormat } from '../model/types.js';

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
  formats: SchemaFormat[];
  defaultSeverity: RuleSeverity;
  /** the registry's type name (Avro SchemaIncompatibilityType, Protobuf Difference.Type) */
  registryType?: string;
  /** whether `rules:` in schemactl.yaml may set its severity */
  configurable: boolean;
}

const VERDICT = 'The registry refuses the schema for this reason, so `check` fails the subject whatever severity is configured (see "Compatibility rules and the verdict" in the README).';

function registry(format: 'avro' | 'protobuf', type: string, description: string, rationale: string): CompatRuleMeta {
  return {
    id: compatRuleId(format === 'avro' ? 'AVRO' : 'PROTOBUF', type),
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

function other(id: string, category: Exclude<CompatRuleCategory, 'registry'>, formats: SchemaFormat[], defaultSeverity: RuleSeverity, description: string, rationale: string): CompatRuleMeta {
  return { id, kind: 'compatibility', description, rationale, category, formats, defaultSeverity, configurable: category !== 'input' };
}

const BOTH: SchemaFormat[] = ['avro', 'protobuf'];

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
  other('schema-removed', 'catalog', BOTH, 'error', 'A stream no longer lists a schema it had at the base revision',
    'Consumers of that event type lose its governed schema. `--allow-removal` reports it as a warning.'),
  other('stream-removed', 'catalog', BOTH, 'error', 'A stream was removed from the catalog',
    'Its consumers lose the governed schema and the topic\'s data can no longer be checked. `--allow-removal` reports it as a warning.'),
  other('level-mismatch', 'catalog', BOTH, 'warn', 'The catalog and the registry set different compatibility levels for a subject',
    'The registry\'s level decides registration, so it is the one checked; the catalog should say the same.'),
  other('registry-disagreement', 'catalog', BOTH, 'error', 'The remote registry and schemactl disagree on a subject\'s compatibility',
    'schemactl fails closed: when the registry would refuse the schema the subject is incompatible, and when only schemactl refuses it the finding is a warning to report.'),
  // input that cannot be checked: always errors, exit 2
  other('parse-error', 'input', BOTH, 'error', 'A schema does not parse', 'A schema that does not parse cannot be compared or registered.'),
  other('file-not-found', 'input', BOTH, 'error', 'The catalog names a schema file that does not exist', 'Fix the path in the catalog or add the file.'),
  other('invalid-schema', 'input', BOTH, 'error', 'The registry would reject the schema (or a registered version) as invalid', 'An invalid schema cannot be compared; the registry refuses it.'),
  other('unsupported-format', 'input', BOTH, 'error', 'The schema is in a format schemactl does not check', 'Use Avro (.avsc, .avdl) or Protobuf (.proto).'),
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
