// Human sentences for Protobuf changes: what changed, why it matters to consumers, what to do. The
// registry's own wording (messages.ts) is kept separately for output that must match the registry.
import type { Field, Located, NamedType, Oneof, TypeNode } from '../../model/types.js';
import type { ProtobufCheckDirection } from './messages.js';
import type { ProtobufChange } from './types.js';

function isField(n: Located | undefined): n is Field {
  return n !== undefined && 'number' in n && 'type' in n && 'nameLoc' in n;
}

function isNamed(n: Located | undefined): n is NamedType {
  return n !== undefined && 'fullName' in n && 'kind' in n && (n as NamedType).kind !== undefined && 'nameLoc' in n;
}

function isOneof(n: Located | undefined): n is Oneof {
  return n !== undefined && 'fields' in n && Array.isArray((n as Oneof).fields) && !('kind' in n);
}

function typeText(t: TypeNode): string {
  switch (t.kind) {
    case 'primitive':
      return t.name;
    case 'ref':
      return t.written || t.fullName;
    case 'inline':
      return t.fullName;
    case 'map':
      return `map<${typeText(t.keys)}, ${typeText(t.values)}>`;
    case 'array':
      return `repeated ${typeText(t.items)}`;
    case 'union':
      return 'union';
  }
}

/** `#/Order/shipping/3` → `Order` (the message part of a registry path). */
function messageOf(path: string, field: Field | undefined): string {
  const parts = path.replace(/^#\//, '').split('/');
  const cut = parts.findIndex((p) => /^-?\d+$/.test(p));
  const names = cut === -1 ? parts : parts.slice(0, cut);
  if (field?.oneof !== undefined && names[names.length - 1] === field.oneof) names.pop();
  return names.join('.');
}

function fieldText(f: Field | undefined, path: string): string {
  if (!f) return `the field at ${path}`;
  return `field \`${f.name}\` (number ${String(f.number)}) of message \`${messageOf(path, f)}\``;
}

/**
 * One sentence set per change, naming the schemas by role: under BACKWARD the update is the new
 * schema reading old data; under FORWARD the roles swap.
 */
export function explainProtobufChange(change: ProtobufChange, direction: ProtobufCheckDirection = 'backward'): string {
  const reader = direction === 'backward' ? 'the new schema' : 'the old schema';
  const writer = direction === 'backward' ? 'the old schema' : 'the new schema';
  const o = change.oldNode?.node;
  const n = change.newNode?.node;
  const of = isField(o) ? o : undefined;
  const nf = isField(n) ? n : undefined;
  const name = (node: Located | undefined) => (isNamed(node) ? node.fullName : change.path.replace(/^#\//, '').replace(/\//g, '.'));
  const oneofName = (node: Located | undefined) => (isOneof(node) ? node.name : change.path.split('/').pop() ?? '');
  switch (change.type) {
    case 'PACKAGE_CHANGED':
      return `The package changed, so every message gets a new full name and consumers of ${writer}'s data can no longer find their types. Keep the package; publish renamed types under a new subject instead.`;
    case 'MESSAGE_ADDED':
      return `Message \`${name(n)}\` is new.`;
    case 'MESSAGE_REMOVED':
      return `Message \`${name(o)}\` exists in ${writer} but not in ${reader}, so data of that type cannot be read. Keep the message (mark it deprecated) instead of deleting or renaming it.`;
    case 'MESSAGE_MOVED':
      return `Message \`${name(n)}\` moved to another position among its siblings; this is safe because message indexes refer to the writer's schema id.`;
    case 'ENUM_ADDED':
      return `Enum \`${name(n)}\` is new.`;
    case 'ENUM_REMOVED':
      return `Enum \`${name(o)}\` was removed; fields that used it must read as plain numbers now.`;
    case 'ENUM_CONST_ADDED':
      return `Enum value number ${change.path.split('/').pop() ?? ''} was added.`;
    case 'ENUM_CONST_REMOVED':
      return `Enum value number ${change.path.split('/').pop() ?? ''} was removed; readers will see it as an unknown value. Reserve the number so it is never reused.`;
    case 'ENUM_CONST_CHANGED':
      return `Enum value number ${change.path.split('/').pop() ?? ''} was renamed; the wire value is unchanged, JSON output changes.`;
    case 'FIELD_ADDED':
      return `${capital(fieldText(nf, change.path))} was added.`;
    case 'FIELD_REMOVED':
      return `${capital(fieldText(of, change.path))} was removed. Reserve its number and name so they are never reused with another type.`;
    case 'FIELD_NAME_CHANGED':
      return `${capital(fieldText(nf, change.path))} was renamed from \`${of?.name ?? '?'}\`; the wire format is unchanged, but JSON and generated code change.`;
    case 'FIELD_KIND_CHANGED':
      return `${capital(fieldText(nf, change.path))} changed from ${of ? typeText(of.type) : '?'} to ${nf ? typeText(nf.type) : '?'}, a different kind of value (scalar, message or map), so ${reader} cannot decode it from data written with ${writer}. Keep the old type and add a new field with a new number.`;
    case 'FIELD_SCALAR_KIND_CHANGED':
      return `${capital(fieldText(nf, change.path))} changed from ${of ? typeText(of.type) : '?'} to ${nf ? typeText(nf.type) : '?'}, which is encoded differently on the wire, so ${reader} misreads values written with ${writer}. Keep the old type and add a new field with a new number.`;
    case 'FIELD_NAMED_TYPE_CHANGED':
      return `${capital(fieldText(nf, change.path))} now has message type ${nf ? typeText(nf.type) : '?'} instead of ${of ? typeText(of.type) : '?'}, and the two are not compatible. Keep the old message type and evolve it compatibly, or add a new field.`;
    case 'FIELD_NUMERIC_LABEL_CHANGED':
      return `${capital(fieldText(nf, change.path))} changed its label from ${of?.label ?? '?'} to ${nf?.label ?? '?'}; repeated numbers are packed on the wire, so ${reader} misreads data written with ${writer}. Keep the label and add a new field instead.`;
    case 'FIELD_STRING_OR_BYTES_LABEL_CHANGED':
      return `${capital(fieldText(nf, change.path))} changed its label from ${of?.label ?? '?'} to ${nf?.label ?? '?'}; string and bytes values are encoded the same either way.`;
    case 'REQUIRED_FIELD_ADDED':
      return `Required ${fieldText(nf, change.path)} is new, so data written with ${writer} lacks it and fails to parse. Make it optional.`;
    case 'REQUIRED_FIELD_REMOVED':
      return `Required ${fieldText(of, change.path)} was removed, so readers using ${writer} would reject data written without it. Keep the field.`;
    case 'ONEOF_ADDED':
      return `Oneof \`${oneofName(n)}\` is new.`;
    case 'ONEOF_REMOVED':
      return `Oneof \`${oneofName(o)}\` was removed.`;
    case 'ONEOF_FIELD_ADDED':
      return `${capital(fieldText(nf, change.path))} was added to oneof \`${nf?.oneof ?? ''}\`.`;
    case 'ONEOF_FIELD_REMOVED':
      return `${capital(fieldText(of, change.path))} was removed from oneof \`${of?.oneof ?? ''}\`; data written with ${writer} that set it loses the whole oneof value. Keep the member.`;
    case 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL':
      return `${capital(fieldText(nf, change.path))} moved out of oneof \`${of?.oneof ?? ''}\` to the message itself; this only relaxes the oneof.`;
    case 'MULTIPLE_FIELDS_MOVED_TO_ONEOF':
      return `Oneof \`${oneofName(n)}\` now holds several fields that were independent in ${writer}; data that set more than one of them loses values. Leave those fields outside the oneof.`;
    case 'FIELD_MOVED_TO_EXISTING_ONEOF':
      return `Oneof \`${oneofName(n)}\` now groups fields that were not mutually exclusive in ${writer} (a field moved into an existing oneof, or oneofs were merged); data that set both loses a value. Move the field back.`;
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
