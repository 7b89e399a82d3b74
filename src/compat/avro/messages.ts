// The strings the registry puts into its `messages` array for Avro incompatibilities (SEMANTICS §1.4):
// single-quoted pseudo-JSON with a description whose two `%s` slots read new/old for the backward
// direction and old/new for the forward direction.
import type { AvroIncompatibilityType, CheckDirection } from '../types.js';

function describe(type: AvroIncompatibilityType, path: string, message: string): string {
  switch (type) {
    case 'FIXED_SIZE_MISMATCH':
      return `The size of FIXED type field at path '${path}' in the %s schema does not match with the %s schema`;
    case 'TYPE_MISMATCH':
      return `The type (path '${path}') of a field in the %s schema does not match with the %s schema`;
    case 'NAME_MISMATCH':
      return `The name of the schema has changed (path '${path}')`;
    case 'MISSING_ENUM_SYMBOLS':
      return `The %s schema is missing enum symbols '${message}' at path '${path}' in the %s schema`;
    case 'MISSING_UNION_BRANCH':
      return `The %s schema is missing a type inside a union field at path '${path}' in the %s schema`;
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      return `The field '${message}' at path '${path}' in the %s schema has no default value and is missing in the %s schema`;
  }
}

export function registryAvroMessage(
  item: { type: AvroIncompatibilityType; path: string; message: string },
  direction: CheckDirection,
): string {
  const [first, second] = direction === 'backward' ? ['new', 'old'] : ['old', 'new'];
  let slot = 0;
  const description = describe(item.type, item.path, item.message).replace(/%s/g, () => (slot++ === 0 ? first : second));
  return `{errorType:'${item.type}', description:'${description}', additionalInfo:'${item.message}'}`;
}

export const UNEXPECTED_EXCEPTION_PREFIX = 'Unexpected exception during compatibility check: ';
