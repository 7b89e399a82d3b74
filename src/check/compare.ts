// One subject's candidate against its previous versions → Diagnostics. The verdict and the message
// list come from the compatibility engine unchanged (checkCompatibility: the registry's semantics);
// this file only anchors each message in the new schema's text, words it for a person, adds a fix,
// and adds the advisories the registry does not check (as warnings, so verdicts still match).
import { checkCompatibility, InvalidSchemaError, UnsupportedFormatError, avroAdvisories, avroView, checkAvroViews } from '../compat/index.js';
import type { CompatibilityLevel } from '../compat/levels.js';
import type { AvroIncompatibility, CheckDirection, CompatMessage, SchemaReferenceText } from '../compat/types.js';
import { diffProtobufDocuments, explainProtobufChange } from '../compat/protobuf/index.js';
import type { ImportedDocument, ProtobufChange } from '../compat/protobuf/index.js';
import type { Diagnostic, RelatedLocation, Severity } from '../diagnostics/types.js';
import { compatRuleId } from '../compat/rules.js';
import { parseSchemaText } from '../formats/index.js';
import { locateRegistryPath } from '../formats/jsonschema/index.js';
import type { Field, Located, RecordType, SchemaDocument, SourceRange, TypeNode } from '../model/types.js';
import type { SchemaUnit } from './units.js';

/** One already-registered (or committed) version the candidate is compared with. */
export interface PreviousSchema {
  /** the registry's version number (1 for a git revision) */
  version: number;
  /** how the version is named in messages: `version 3`, `origin/main` */
  label: string;
  /** file shown for "old schema here" related locations */
  file: string;
  /** the text the registry holds */
  text: string;
  references?: SchemaReferenceText[];
  /** parsed model; absent when the text does not parse (the engine then reports it) */
  document?: SchemaDocument;
}

export type AdvisoryMode = 'warn' | 'error' | 'off';

export interface CompareContext {
  level: CompatibilityLevel;
  advisories: AdvisoryMode;
}

export interface CompareResult {
  compatible: boolean;
  diagnostics: Diagnostic[];
  /** the versions the level looked at, newest first (empty when there was nothing to compare) */
  compared: number[];
}

const START: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** The extension a stored version is shown with (`orders-value@3.avsc`). */
export function storedExtension(format: 'AVRO' | 'PROTOBUF' | 'JSON'): string {
  return format === 'PROTOBUF' ? '.proto' : format === 'JSON' ? '.json' : '.avsc';
}

/** Parse a stored text (registry or git) into the model used for anchoring (Avro and Protobuf; JSON Schemas are anchored by pointer). */
export function parseStored(format: 'AVRO' | 'PROTOBUF' | 'JSON', file: string, text: string, references: readonly SchemaReferenceText[] = []): SchemaDocument | undefined {
  if (format === 'JSON') return undefined;
  const texts = new Map(references.map((r) => [r.name, r.schema] as const));
  const name = format === 'PROTOBUF' ? (file.endsWith('.proto') ? file : `${file}.proto`) : file.endsWith('.avsc') || file.endsWith('.avdl') ? file : `${file}.avsc`;
  const parsed = parseSchemaText(name, text, { loadImport: (p) => texts.get(p) });
  if (!parsed.document) return undefined;
  return { ...parsed.document, file };
}

// ---------------------------------------------------------------- Avro

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonAt(text: string | undefined, pointer: string): { field?: string; record?: string } {
  if (text === undefined) return {};
  let node: Json;
  try {
    node = JSON.parse(text) as Json;
  } catch {
    return {};
  }
  const out: { field?: string; record?: string } = {};
  const tokens = pointer.split('/').slice(1).filter((t) => t !== '').map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const tok of tokens) {
    if (node && typeof node === 'object' && !Array.isArray(node) && typeof node.name === 'string' && (node.type === 'record' || node.type === 'error')) out.record = node.name;
    if (Array.isArray(node)) node = node[Number(tok)] ?? null;
    else if (node && typeof node === 'object') node = node[tok] ?? null;
    else break;
    if (node && typeof node === 'object' && !Array.isArray(node) && typeof node.name === 'string' && 'type' in node && !('fields' in node) && typeof node.type !== 'undefined' && !['record', 'error', 'enum', 'fixed'].includes(String(node.type))) {
      out.field = node.name;
    }
  }
  return out;
}

function avroTypeText(node: Located | undefined): string {
  if (!node || !('kind' in node)) return '?';
  const t = node as TypeNode | { kind: string; fullName?: string };
  switch (t.kind) {
    case 'primitive': return (t as { name: string }).name;
    case 'record': case 'enum': case 'fixed': case 'ref': case 'inline': return (t as { fullName: string }).fullName;
    case 'array': return 'array';
    case 'map': return 'map';
    case 'union': return 'union';
    default: return t.kind;
  }
}

interface Worded {
  text: string;
  help?: string;
}

function wordAvro(m: CompatMessage, inc: AvroIncompatibility | undefined, ctx: { newText?: string; oldText?: string; against: string; idl?: boolean }): Worded {
  const direction = m.direction ?? 'backward';
  // the path is into the reader: the new schema under BACKWARD, the old one under FORWARD
  const at = jsonAt(direction === 'backward' ? ctx.newText : ctx.oldText, m.path);
  const fieldName = inc?.readerField?.name ?? at.field;
  const field = fieldName !== undefined ? `field \`${fieldName}\`` : `the type at ${m.path}`;
  const consumersOld = `consumers still reading with ${ctx.against}`;
  switch (m.type) {
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      if (direction === 'backward') {
        return {
          text: `The new schema adds ${field} without a default, so it cannot read records written with ${ctx.against}, which do not have it.`,
          help: ctx.idl
            ? `add a default to field ${fieldName ?? m.path} (e.g. \`union { null, <type> } ${fieldName ?? 'field'} = null;\`, or \`= <value>\` of its type)`
            : `add a default to field ${fieldName ?? m.path} (e.g. make it ["null", …] with "default": null, or give a value of its type)`,
        };
      }
      return {
        text: `${capital(field)} has no default in ${ctx.against}, and the new schema no longer writes it, so ${consumersOld} cannot read new records.`,
        help: `keep field ${fieldName ?? m.path}; to remove it, first register a version where it has a default`,
      };
    case 'TYPE_MISMATCH': {
      const oldType = avroTypeText(direction === 'backward' ? inc?.writer : inc?.reader);
      const newType = avroTypeText(direction === 'backward' ? inc?.reader : inc?.writer);
      return {
        text: `The type of ${field} changed from ${oldType} to ${newType}, and Avro cannot convert ${direction === 'backward' ? `${oldType} data into ${newType}` : `${newType} data into ${oldType}`} (${m.message}).`,
        help: `keep ${fieldName !== undefined ? `field ${fieldName}` : 'the type'} as ${oldType}; add a new field with the new type instead (Avro only widens int→long→float→double and string↔bytes)`,
      };
    }
    case 'MISSING_ENUM_SYMBOLS':
      if (direction === 'backward') {
        return {
          text: `The new schema's enum lacks symbols that records written with ${ctx.against} may hold (${m.message}).`,
          help: 'keep the removed symbols, or give the enum a "default" symbol so unknown symbols read as it',
        };
      }
      return {
        text: `The new schema adds enum symbols that ${consumersOld} do not know, and their enum has no default (${m.message}).`,
        help: 'add a "default" symbol to the enum in a compatible version first, or do not add symbols under a FORWARD/FULL level',
      };
    case 'MISSING_UNION_BRANCH':
      return direction === 'backward'
        ? { text: `The union at ${m.path} no longer has a branch that records written with ${ctx.against} may use (${m.message}).`, help: 'keep the removed union branch' }
        : { text: `The new schema writes a union branch that ${consumersOld} cannot read (${m.message}).`, help: 'do not add union branches under a FORWARD/FULL level, or add them to the readers first' };
    case 'NAME_MISMATCH':
      return {
        text: `A named type was renamed (${m.message}); Avro pairs named types by name, so old and new records no longer match.`,
        help: 'keep the old name, or add it to the new type\'s "aliases"',
      };
    case 'FIXED_SIZE_MISMATCH':
      return { text: `The size of the fixed type at ${m.path} changed (${m.message}).`, help: 'keep the size; add a new field for the new size' };
    case 'EXCEPTION':
      return { text: `The registry's Avro checker fails on this pair: ${m.message}.`, help: 'make the aliases unambiguous: a field alias must not match another field of the old schema' };
    default:
      return { text: m.message };
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function avroIncompatibilities(newDoc: SchemaDocument | undefined, oldDoc: SchemaDocument | undefined, direction: CheckDirection): AvroIncompatibility[] {
  if (!newDoc?.topLevelType || !oldDoc?.topLevelType) return [];
  try {
    const n = avroView(newDoc);
    const o = avroView(oldDoc);
    const r = direction === 'backward' ? checkAvroViews(n, o) : checkAvroViews(o, n);
    return r.incompatibilities;
  } catch {
    // anchoring is best effort: the verdict is the engine's
    return [];
  }
}

// ---------------------------------------------------------------- Protobuf

function protoImports(refs: readonly SchemaReferenceText[] | undefined): ImportedDocument[] {
  const out: ImportedDocument[] = [];
  const texts = new Map((refs ?? []).map((r) => [r.name, r.schema] as const));
  for (const r of refs ?? []) {
    const parsed = parseSchemaText(r.name, r.schema, { loadImport: (p) => texts.get(p) });
    if (parsed.document) out.push({ doc: parsed.document, origin: `${r.name}\u0000${r.schema}` });
  }
  return out;
}

function protoChanges(unit: SchemaUnit, prev: PreviousSchema, direction: CheckDirection): ProtobufChange[] {
  if (!unit.document || !prev.document) return [];
  try {
    const n = { doc: unit.document, imports: protoImports(unit.references) };
    const o = { doc: prev.document, imports: protoImports(prev.references) };
    return direction === 'backward'
      ? diffProtobufDocuments(n.doc, o.doc, { newImports: n.imports, oldImports: o.imports })
      : diffProtobufDocuments(o.doc, n.doc, { newImports: o.imports, oldImports: n.imports });
  } catch {
    return [];
  }
}

/** The message of the new document a registry path (`#/Outer/Inner/3`) points into, for anchoring. */
function messageByPath(doc: SchemaDocument, path: string): Located | undefined {
  const parts = path.replace(/^#\/?/, '').split('/').filter((p) => p !== '' && !/^-?\d+$/.test(p));
  for (let n = parts.length; n > 0; n--) {
    const suffix = parts.slice(0, n).join('.');
    const hit = doc.types.find((t) => t.fullName === suffix || t.fullName.endsWith(`.${suffix}`));
    if (hit) return hit;
  }
  return undefined;
}

function protoHelp(c: ProtobufChange | undefined, type: string): string | undefined {
  const f = (c?.oldNode?.node ?? c?.newNode?.node) as Field | undefined;
  const num = f && 'number' in f ? f.number : undefined;
  const name = f && 'name' in f ? f.name : undefined;
  switch (type) {
    case 'FIELD_KIND_CHANGED':
    case 'FIELD_SCALAR_KIND_CHANGED':
    case 'FIELD_NAMED_TYPE_CHANGED':
    case 'FIELD_NUMERIC_LABEL_CHANGED':
      return num !== undefined
        ? `keep the type of field ${name ?? ''} (number ${String(num)}); to change it, add a new field with a new number, and if you drop the old one, reserve field number ${String(num)} and name '${name ?? ''}'`
        : 'keep the field\'s type and add a new field with a new number';
    case 'REQUIRED_FIELD_ADDED':
      return `make field ${name ?? ''} optional`;
    case 'REQUIRED_FIELD_REMOVED':
      return `keep the required field ${name ?? ''}`;
    case 'MESSAGE_REMOVED':
      return 'keep the message (mark it deprecated) instead of deleting or renaming it';
    case 'PACKAGE_CHANGED':
      return 'keep the package; publish renamed types under a new subject';
    case 'ONEOF_FIELD_REMOVED':
      return 'keep the oneof member';
    case 'MULTIPLE_FIELDS_MOVED_TO_ONEOF':
    case 'FIELD_MOVED_TO_EXISTING_ONEOF':
      return 'leave those fields outside the oneof';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- compare

function located(file: string, node: Located | undefined): { file: string; range: SourceRange; path?: string } {
  if (!node) return { file, range: START };
  // a record or message spans many lines; its name is the span a code frame and a PR annotation need
  const range = 'fullName' in node && 'nameLoc' in node ? (node as { nameLoc: SourceRange }).nameLoc : node.loc;
  return { file, range, path: node.path };
}

function firstAnchor(doc: SchemaDocument | undefined): Located | undefined {
  if (!doc) return undefined;
  const name = doc.topLevel[0];
  return doc.types.find((t) => t.fullName === name) ?? doc.types[0];
}

function symbolOf(doc: SchemaDocument | undefined, node: Located | undefined): string | undefined {
  if (!doc || !node) return undefined;
  const named = doc.types.find((t) => t === node);
  if (named) return named.fullName;
  for (const t of doc.types) {
    if (t.kind !== 'record') continue;
    const f = t.fields.find((x) => x === node);
    if (f) return `${t.fullName}.${f.name}`;
  }
  return undefined;
}

function describeAgainst(prev: PreviousSchema): string {
  return prev.label;
}

/**
 * Check `unit` (the candidate) against `previous` (oldest first) under `ctx.level`, as the registry
 * would, and return one Diagnostic per registry message plus advisories.
 */
export async function compareUnit(unit: SchemaUnit, previous: readonly PreviousSchema[], ctx: CompareContext): Promise<CompareResult> {
  const diagnostics: Diagnostic[] = [];
  if (unit.registryText === undefined) return { compatible: false, diagnostics, compared: [] };
  const subjectNote = (prev: PreviousSchema | undefined, m: CompatMessage): string => {
    const what = prev ? (prev.label.startsWith('version ') ? prev.label : `the version from ${prev.label}`) : 'the previous version';
    return ` Stream \`${unit.topic}\` (subject \`${unit.subject}\`) must be ${ctx.level} compatible with ${what}; the registry reports ${m.type} at ${m.path || '/'}${m.direction === 'forward' ? ' (old schema reading new data)' : ''}.`;
  };
  let result;
  try {
    result = await checkCompatibility({
      format: unit.format,
      level: ctx.level,
      previous: previous.map((p) => p.text),
      candidate: unit.registryText,
      ...(unit.references.length > 0 ? { references: unit.references } : {}),
      previousReferences: previous.map((p) => p.references ?? []),
    });
  } catch (err) {
    if (err instanceof InvalidSchemaError || err instanceof UnsupportedFormatError) {
      const prev = err instanceof InvalidSchemaError && typeof err.which === 'number' ? previous[err.which - 1] : undefined;
      diagnostics.push({
        ruleId: err instanceof InvalidSchemaError ? 'invalid-schema' : 'unsupported-format',
        severity: 'error',
        message: prev
          ? `${prev.label} of subject \`${unit.subject}\` is not a valid schema, so the new schema cannot be compared with it: ${err.message}`
          : `The registry would reject this schema: ${err.message}`,
        location: { file: unit.file, range: firstAnchor(unit.document)?.loc ?? START },
        fatal: prev === undefined,
      });
      return { compatible: false, diagnostics, compared: [] };
    }
    throw err;
  }
  const versions = previous.map((p) => p.version);
  const used = new Set<object>();
  for (const m of result.messages) {
    const prev = m.version !== undefined ? previous[m.version - 1] : previous[previous.length - 1];
    const direction = m.direction ?? 'backward';
    const against = prev ? describeAgainst(prev) : 'the previous version';
    let primary: Located | undefined;
    let old: Located | undefined;
    let worded: Worded;
    if (unit.format === 'AVRO') {
      const inc = avroIncompatibilities(unit.document, prev?.document, direction).find((i) => i.type === m.type && i.path === m.path && !used.has(i));
      if (inc) used.add(inc);
      if (inc) {
        primary = direction === 'backward' ? inc.readerField ?? inc.reader : inc.writer;
        old = direction === 'backward' ? inc.writer : inc.readerField ?? inc.reader;
      }
      worded = wordAvro(m, inc, { ...(unit.registryText !== undefined ? { newText: unit.registryText } : {}), ...(prev ? { oldText: prev.text } : {}), against, idl: unit.document?.syntax === 'avdl' });
    } else if (unit.format === 'JSON') {
      // JSON Schema differences carry the registry's path; it is anchored in the text, both sides
      const here = locateRegistryPath(unit.registryText, m.path);
      const related: RelatedLocation[] = prev ? [{ file: prev.file, range: locateRegistryPath(prev.text, m.path), message: 'old schema here' }] : [];
      diagnostics.push({
        ruleId: compatRuleId('JSON', m.type),
        severity: 'error',
        message: `${capital(m.message)}.${subjectNote(prev, m)}`,
        location: { file: unit.file, range: here, path: m.path },
        related,
        ...(jsonHelp(m.type) ? { help: jsonHelp(m.type)! } : {}),
      });
      continue;
    } else {
      // A symmetric change (a type change) is found the same way in the new→old diff, whose nodes
      // and wording read naturally (old → new); only asymmetric ones need the swapped diff.
      const same = prev && direction === 'forward' ? protoChanges(unit, prev, 'backward').find((c) => c.type === m.type && c.path === m.path && !used.has(c)) : undefined;
      const change = same ?? (prev ? protoChanges(unit, prev, direction).find((c) => c.type === m.type && c.path === m.path && !used.has(c)) : undefined);
      if (change) used.add(change);
      if (change && (direction === 'backward' || same)) {
        primary = change.anchor ?? change.newNode?.node;
        old = change.oldNode?.node;
      } else if (change) {
        // FORWARD diffs (old as the update, new as the original): the roles of the nodes swap
        primary = change.oldNode?.node ?? (unit.document ? messageByPath(unit.document, m.path) : undefined);
        old = change.newNode?.node ?? change.anchor;
      }
      const help = protoHelp(change, m.type);
      worded = { text: change ? explainProtobufChange(change, direction) : m.message, ...(help ? { help } : {}) };
    }
    primary ??= (unit.document && unit.format === 'PROTOBUF' ? messageByPath(unit.document, m.path) : undefined) ?? firstAnchor(unit.document);
    const related: RelatedLocation[] = [];
    if (prev) related.push({ ...located(prev.file, old ?? firstAnchor(prev.document)), message: 'old schema here' });
    const d: Diagnostic = {
      // the rule id; the registry's own type name stays in the message (subjectNote)
      ruleId: compatRuleId(unit.format, m.type),
      severity: 'error',
      message: worded.text + subjectNote(prev, m),
      location: { ...located(unit.file, primary), path: m.path },
      related,
    };
    if (worded.help) d.help = worded.help;
    const symbol = symbolOf(unit.document, primary);
    if (symbol) d.symbol = symbol;
    diagnostics.push(d);
  }
  if (ctx.advisories !== 'off' && previous.length > 0) {
    const severity: Severity = ctx.advisories === 'error' ? 'error' : 'warn';
    for (const d of advisories(unit, previous)) diagnostics.push({ ...d, severity });
  }
  const compared = result.compatible ? [...versions].reverse().slice(0, ctx.level.endsWith('TRANSITIVE') ? versions.length : 1) : [];
  return { compatible: result.compatible, diagnostics, compared: ctx.level === 'NONE' ? [] : compared };
}

// ---------------------------------------------------------------- JSON Schema

/** The usual way out of a JSON Schema incompatibility, when there is one. */
function jsonHelp(type: string): string | undefined {
  switch (type) {
    case 'OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL':
    case 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL':
    case 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL':
      return 'the old object is open (no "additionalProperties": false), so it allowed any value under this name; register a closed version first, then add optional properties';
    case 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL':
      return 'keep the property (it may be deprecated in its description), or keep the object open';
    case 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL':
    case 'REQUIRED_ATTRIBUTE_ADDED':
      return 'make the property optional, or give it a "default"';
    case 'TYPE_CHANGED':
      return 'keep the old type as a branch: "anyOf": [<old>, <new>] (or a "type" list)';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- advisories

function typeSignature(t: TypeNode): string {
  switch (t.kind) {
    case 'primitive': return t.logicalType ? `${t.name}:${t.logicalType}` : t.name;
    case 'ref': case 'inline': return t.fullName;
    case 'array': return `array<${typeSignature(t.items)}>`;
    case 'map': return `map<${typeSignature(t.keys)},${typeSignature(t.values)}>`;
    case 'union': return `union<${t.branches.map(typeSignature).join(',')}>`;
  }
}

function records(doc: SchemaDocument | undefined): Map<string, RecordType> {
  const out = new Map<string, RecordType>();
  for (const t of doc?.types ?? []) if (t.kind === 'record') out.set(t.fullName, t);
  return out;
}

function isReserved(r: RecordType, f: { number?: number; name: string }): { number: boolean; name: boolean } {
  const res = r.reserved;
  if (!res) return { number: false, name: false };
  const n = f.number;
  return {
    number: n !== undefined && res.ranges.some(([a, b]) => n >= a && n <= b),
    name: res.names.includes(f.name),
  };
}

/** Warnings beyond the registry: logical types and renames (Avro), reuse of numbers and names from any earlier version. */
function advisories(unit: SchemaUnit, previous: readonly PreviousSchema[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const latest = previous[previous.length - 1]!;
  const doc = unit.document;
  if (!doc) return out;
  const at = (node: Located | undefined, path?: string): Diagnostic['location'] => ({ ...located(unit.file, node), ...(path !== undefined ? { path } : {}) });
  const oldHere = (prev: PreviousSchema, node: Located | undefined): RelatedLocation[] => [{ ...located(prev.file, node ?? firstAnchor(prev.document)), message: 'old schema here' }];

  if (unit.format === 'AVRO' && latest.document?.topLevelType && doc.topLevelType) {
    for (const a of avroAdvisories(doc, latest.document)) {
      out.push({ ruleId: a.code, severity: 'warn', message: `${a.message} (compared with ${latest.label}; the registry does not check this)`, location: at(a.reader, a.path), related: oldHere(latest, a.writer) });
    }
  }

  const newRecords = records(doc);
  const latestRecords = records(latest.document);
  // reuse: a name (Avro) or number/name (Protobuf) absent from the latest version but present in an
  // earlier one and back now with a different meaning — old data in the topic decodes wrongly
  for (const [full, rec] of newRecords) {
    const latestRec = latestRecords.get(full);
    for (const f of rec.fields) {
      const inLatest = latestRec?.fields.some((x) => (unit.format === 'PROTOBUF' ? x.number === f.number : x.name === f.name)) ?? false;
      if (unit.format === 'PROTOBUF' && latestRec) {
        const reserved = isReserved(latestRec, f);
        if (reserved.number || reserved.name) {
          out.push({
            ruleId: 'reserved-field-reused',
            severity: 'warn',
            message: `Field \`${f.name}\` (number ${String(f.number)}) of \`${full}\` uses a ${reserved.number ? `number` : 'name'} that ${latest.label} reserved, so old data with the removed field decodes into it. Pick a new number and name.`,
            location: at(f),
            related: oldHere(latest, latestRec),
            help: `use an unused field number and name; keep the reservation`,
          });
          continue;
        }
      }
      if (inLatest) continue;
      for (let i = previous.length - 2; i >= 0; i--) {
        const prev = previous[i]!;
        const earlier = records(prev.document).get(full);
        const match = unit.format === 'PROTOBUF'
          ? earlier?.fields.find((x) => x.number === f.number || x.name === f.name)
          : earlier?.fields.find((x) => x.name === f.name);
        if (!match || !earlier) continue;
        if (unit.format === 'PROTOBUF') {
          if (match.number === f.number && match.name === f.name && typeSignature(match.type) === typeSignature(f.type)) break;
          const what = match.number === f.number ? `number ${String(f.number)} was field \`${match.name}\` (${typeSignature(match.type)})` : `name \`${f.name}\` was field number ${String(match.number)}`;
          out.push({
            ruleId: 'field-reused',
            severity: 'warn',
            message: `Field \`${f.name}\` (number ${String(f.number)}) of \`${full}\` reuses a field removed earlier: in ${prev.label} ${what}. Records written with that version are still in the topic and decode into the wrong field.`,
            location: at(f),
            related: oldHere(prev, match),
            help: `use a new number and name, and reserve field number ${String(match.number)} and name '${match.name}'`,
          });
        } else if (typeSignature(match.type) !== typeSignature(f.type)) {
          out.push({
            ruleId: 'field-reused',
            severity: 'warn',
            message: `Field \`${f.name}\` of \`${full}\` was removed and is back with type ${typeSignature(f.type)}; in ${prev.label} it had type ${typeSignature(match.type)}. Readers of records written with that version fail or misread the value.`,
            location: at(f),
            related: oldHere(prev, match),
            help: `give the field a new name instead of reusing \`${f.name}\``,
          });
        }
        break;
      }
    }
    if (unit.format === 'PROTOBUF' && latestRec) {
      for (const gone of latestRec.fields) {
        if (rec.fields.some((x) => x.number === gone.number)) continue;
        const reserved = isReserved(rec, gone);
        if (reserved.number && reserved.name) continue;
        // say exactly what is missing: the number, the name, or both
        const missing = !reserved.number && !reserved.name
          ? `without reserving its number or its name`
          : reserved.number
            ? `with its number ${String(gone.number)} reserved but not its name \`${gone.name}\``
            : `with its name \`${gone.name}\` reserved but not its number ${String(gone.number)}`;
        const add = [...(reserved.number ? [] : [`reserved ${String(gone.number)};`]), ...(reserved.name ? [] : [`reserved "${gone.name}";`])];
        out.push({
          ruleId: 'field-removed-without-reserve',
          severity: 'warn',
          message: `Field \`${gone.name}\` (number ${String(gone.number)}) was removed from \`${full}\` ${missing}, so a later change can reuse ${reserved.number || reserved.name ? 'it' : 'them'} and misread old records.`,
          location: at(rec),
          related: oldHere(latest, gone),
          help: `add ${add.join(' ')}`,
        });
      }
    }
  }
  return out;
}
