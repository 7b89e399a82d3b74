// The registry's wording for incompatible Protobuf differences. Its descriptions carry two `%s` slots
// that the level machinery fills with `new`/`old` (BACKWARD) or `old`/`new` (FORWARD); the doubled
// space in REQUIRED_FIELD_ADDED is the registry's own and is kept so responses compare equal.
import type { ProtobufDifferenceType } from './types.js';

export type ProtobufCheckDirection = 'backward' | 'forward';

function description(type: ProtobufDifferenceType, path: string): string {
  switch (type) {
    case 'PACKAGE_CHANGED':
      return `The package at '${path}' in the %s schema does not match the package in the %s schema`;
    case 'MESSAGE_REMOVED':
      return `The %s schema is missing a MESSAGE type at path '${path}' in the %s schema`;
    case 'FIELD_KIND_CHANGED':
      return `The type of a field at path '${path}' in the %s schema does not match the %s schema`;
    case 'FIELD_SCALAR_KIND_CHANGED':
      return `The kind of a SCALAR field at path '${path}' in the %s schema does not match its kind in the %s schema`;
    case 'FIELD_NAMED_TYPE_CHANGED':
      return `The type of a MESSAGE field at path '${path}' in the %s schema does not match its type in the %s schema`;
    case 'FIELD_NUMERIC_LABEL_CHANGED':
      return `The label for a NUMERIC field at path '${path}' in the %s schema does not match its label in the %s schema`;
    case 'REQUIRED_FIELD_ADDED':
      return `A required field  at path '${path}' in the %s schema is missing in the %s schema`;
    case 'REQUIRED_FIELD_REMOVED':
      return `The %s schema is missing a required field at path: '${path}' in the %s schema`;
    case 'ONEOF_FIELD_REMOVED':
      return `The %s schema is missing a oneof field at path '${path}' in the %s schema`;
    case 'MULTIPLE_FIELDS_MOVED_TO_ONEOF':
      return `Multiple fields in the oneof at path '${path}' in the %s schema are outside a oneof in the %s schema`;
    case 'FIELD_MOVED_TO_EXISTING_ONEOF':
      return `A field in the oneof at path '${path}' in the %s schema is outside an existing oneof in the %s schema`;
    default:
      return '';
  }
}

/**
 * The string the registry puts into its `messages` array for one difference, e.g.
 * `{errorType:"FIELD_KIND_CHANGED", description:"The type of a field at path '#/M/2' in the new schema does not match the old schema"}`.
 */
export function registryProtobufMessage(
  type: ProtobufDifferenceType,
  path: string,
  direction: ProtobufCheckDirection = 'backward',
): string {
  const [first, second] = direction === 'backward' ? ['new', 'old'] : ['old', 'new'];
  let slot = 0;
  const text = description(type, path).replace(/%s/g, () => (slot++ === 0 ? first : second));
  return `{errorType:"${type}", description:"${text}"}`;
}
