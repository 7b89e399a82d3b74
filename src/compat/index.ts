// The compatibility engine's entry point: parse, pair, then apply the level (diff, then policy).
// Pure: schema texts in, verdict and registry-shaped messages out.
import { SchemactlError } from '../errors.js';
import { parseAvsc } from '../formats/avro/index.js';
import type { NamedRef, ParseProblem, SchemaDocument, TypeNode } from '../model/types.js';
import { avroView, checkAvroViews } from './avro/check.js';
import type { AvroSchemaView } from './avro/check.js';
import { registryAvroMessage, UNEXPECTED_EXCEPTION_PREFIX } from './avro/messages.js';
import { composeLevel, levelPolicy } from './levels.js';
import type { PairCheck } from './levels.js';
import { BoundedCache } from '../util/bounded-cache.js';
import type { CheckDirection, CompatMessage, CompatRequest, CompatResult, SchemaReferenceText } from './types.js';

export type * from './types.js';
export { LEVELS, composeLevel, isCompatibilityLevel, levelPolicy, parseLevel, versionsToCheck } from './levels.js';
export type { CompatibilityLevel, LevelPolicy, PairCheck } from './levels.js';
export {
  avroTypeName, avroView, checkAvroDocuments, checkAvroViews, lookupWriterField, resolveNode, schemaNamesMatch,
} from './avro/check.js';
export type { AvroSchemaNode, AvroSchemaView, AvroTypeName } from './avro/check.js';
export { registryAvroMessage } from './avro/messages.js';
export { avroAdvisories } from './avro/advisories.js';

/** A schema that cannot be parsed (the registry's 422 / 42201 "invalid schema"). */
export class InvalidSchemaError extends SchemactlError {
  readonly problems: ParseProblem[];
  /** 'candidate' or the 1-based version in `previous` */
  readonly which: 'candidate' | number;
  constructor(which: 'candidate' | number, file: string, problems: ParseProblem[]) {
    const fatal = problems.filter((p) => p.fatal);
    const shown = (fatal.length > 0 ? fatal : problems)
      .map((p) => `${file}:${p.loc.line}:${p.loc.column}: ${p.message}`)
      .join('; ');
    const what = which === 'candidate' ? 'The candidate schema' : `Previous schema version ${which}`;
    super('invalid-schema', `${what} is not a valid schema: ${shown || 'it could not be parsed'}`);
    this.problems = problems;
    this.which = which;
  }
}

export class UnsupportedFormatError extends SchemactlError {
  constructor(message: string, cause?: unknown) {
    super('unsupported-format', message, { cause });
  }
}

/** What the Protobuf checker (./protobuf/index.js) exports; loaded on first use. */
interface ProtobufPairModule {
  checkProtobufPair(
    reader: { text: string; references?: SchemaReferenceText[] },
    writer: { text: string; references?: SchemaReferenceText[] },
    options?: { direction?: CheckDirection },
  ): { messages: Array<{ type: string; path: string; message: string }>; compatible: boolean };
}

// Parsing dominates the cost of a check; a subject's history is re-checked against every candidate,
// so parsed previous versions are kept, bounded by the total length of their texts: a parsed document
// is many times its text, so a count bound alone let 512 large schemas hold gigabytes (issue #13).
const PARSE_CACHE_CHARS = 8 * 1024 * 1024;
const parseCache = new BoundedCache<string, ReturnType<typeof parseAvsc>>(PARSE_CACHE_CHARS, 512);

function parseCached(text: string, file: string): ReturnType<typeof parseAvsc> {
  const hit = parseCache.get(text);
  if (hit) return hit;
  const parsed = parseAvsc(text, file);
  parseCache.set(text, parsed, text.length);
  return parsed;
}

// Stored versions are re-parsed without name and default validation (SEMANTICS §1.5), so a history
// registered before validation was switched on still takes part in checks.
const LENIENT_FOR_STORED = new Set(['avro-invalid-name', 'avro-invalid-namespace', 'avro-invalid-default']);

function collectUnresolved(node: TypeNode, out: NamedRef[]): void {
  switch (node.kind) {
    case 'ref': if (!node.resolved) out.push(node); return;
    case 'array': collectUnresolved(node.items, out); return;
    case 'map': collectUnresolved(node.values, out); return;
    case 'union': for (const b of node.branches) collectUnresolved(b, out); return;
    default: return;
  }
}

/** True when every name the document could not resolve is defined by one of its references. */
function referencesResolveAll(doc: SchemaDocument, names: ReadonlyMap<string, unknown>): boolean {
  const unresolved: NamedRef[] = [];
  if (doc.topLevelType) collectUnresolved(doc.topLevelType, unresolved);
  for (const t of doc.types) if (t.kind === 'record') for (const f of t.fields) collectUnresolved(f.type, unresolved);
  return unresolved.every((r) => names.has(r.fullName) || names.has(r.written));
}

function blockingProblems(problems: ParseProblem[], stored: boolean, namesFromReferences: boolean): ParseProblem[] {
  return problems.filter((p) => {
    if (p.fatal) return true;
    // what Avro Java accepts, the registry accepts: validity is the format layer's verdict
    if (p.advisory === true) return false;
    if (stored && LENIENT_FOR_STORED.has(p.code)) return false;
    if (namesFromReferences && p.code === 'avro-undefined-name') return false;
    return true;
  });
}

function avroSide(text: string, refs: SchemaReferenceText[] | undefined, which: 'candidate' | number): AvroSchemaView {
  const stored = which !== 'candidate';
  const referenced = (refs ?? []).map((r) => {
    const parsed = parseCached(r.schema, r.name);
    const blocking = parsed.ok ? blockingProblems(parsed.problems, true, false) : parsed.problems;
    if (!parsed.ok || blocking.length > 0) throw new InvalidSchemaError(which, r.name, blocking);
    return parsed.document;
  });
  const file = stored ? `version-${which}.avsc` : 'candidate.avsc';
  const parsed = parseCached(text, file);
  if (!parsed.ok) throw new InvalidSchemaError(which, file, parsed.problems);
  const view = avroView(parsed.document, referenced);
  const viaReferences = referenced.length > 0 && referencesResolveAll(parsed.document, view.names);
  const blocking = blockingProblems(parsed.problems, stored, viaReferences);
  if (blocking.length > 0) throw new InvalidSchemaError(which, file, blocking);
  return view;
}

/**
 * Throws InvalidSchemaError unless the registry would accept `text` as a new Avro schema with these
 * references (names the text leaves undefined may come from them).
 */
export function validateAvroSchema(text: string, references?: SchemaReferenceText[]): void {
  avroSide(text, references, 'candidate');
}

function avroPairMessages(reader: AvroSchemaView, writer: AvroSchemaView, direction: CheckDirection): CompatMessage[] {
  const result = checkAvroViews(reader, writer);
  if (result.exception !== undefined) {
    const text = UNEXPECTED_EXCEPTION_PREFIX + result.exception;
    return [{ type: 'EXCEPTION', path: '', message: result.exception, registryMessage: text }];
  }
  return result.incompatibilities.map((i) => ({
    type: i.type,
    path: i.path,
    message: i.message,
    registryMessage: registryAvroMessage(i, direction),
  }));
}

async function loadProtobuf(): Promise<ProtobufPairModule> {
  // A computed specifier keeps the two checkers independently buildable.
  const specifier = './protobuf/index.js';
  let mod: Partial<ProtobufPairModule>;
  try {
    mod = (await import(specifier)) as Partial<ProtobufPairModule>;
  } catch (cause) {
    throw new UnsupportedFormatError('The Protobuf compatibility checker is not available in this build.', cause);
  }
  if (typeof mod.checkProtobufPair !== 'function') {
    throw new UnsupportedFormatError('The Protobuf compatibility checker is not available in this build.');
  }
  return mod as ProtobufPairModule;
}

/**
 * Would the registry accept `candidate` under `level`, given the already-registered `previous`
 * versions (oldest first)? Mirrors the registry (SEMANTICS §1): newest first, stop at the first failing
 * version, only that version's messages; FULL lists forward-direction messages first.
 * Throws InvalidSchemaError for unparseable schemas, UnsupportedFormatError for JSON Schema, and a
 * SchemactlError for an unknown level.
 */
export async function checkCompatibility(req: CompatRequest): Promise<CompatResult> {
  const policy = levelPolicy(req.level);
  switch (req.format) {
    case 'JSON':
      throw new UnsupportedFormatError(
        'JSON Schema compatibility is not supported yet: schemactl checks AVRO and PROTOBUF schemas. ' +
          'Check JSON Schema subjects with the registry itself, or set their level to NONE.',
      );
    case 'AVRO': {
      // The registry parses the candidate whatever the level, so an invalid one fails even under NONE.
      const sides = new Map<number, AvroSchemaView>();
      sides.set(-1, avroSide(req.candidate, req.references, 'candidate'));
      const side = (i: number): AvroSchemaView => {
        let view = sides.get(i);
        if (!view) {
          view = avroSide(req.previous[i]!, req.previousReferences?.[i], i + 1);
          sides.set(i, view);
        }
        return view;
      };
      const check: PairCheck = (reader, writer, direction) => avroPairMessages(side(reader), side(writer), direction);
      return composeLevel(policy, req.previous.length, check);
    }
    case 'PROTOBUF': {
      if (policy.directions.length === 0 || req.previous.length === 0) return { compatible: true, messages: [] };
      const proto = await loadProtobuf();
      const side = (i: number): { text: string; references?: SchemaReferenceText[] } => {
        if (i === -1) return req.references ? { text: req.candidate, references: req.references } : { text: req.candidate };
        const refs = req.previousReferences?.[i];
        return refs ? { text: req.previous[i]!, references: refs } : { text: req.previous[i]! };
      };
      // An unreadable Protobuf schema comes back as one PARSE_ERROR message, as the registry's verbose
      // compatibility endpoint reports it.
      const check: PairCheck = (reader, writer, direction) => {
        const result = proto.checkProtobufPair(side(reader), side(writer), { direction });
        if (result.compatible) return [];
        if (result.messages.length === 0) {
          return [{ type: 'INCOMPATIBLE', path: '#/', message: 'The Protobuf checker found the schemas incompatible.' }];
        }
        return result.messages.map((m) => ({ type: m.type, path: m.path, message: m.message, registryMessage: m.message }));
      };
      return composeLevel(policy, req.previous.length, check);
    }
    default:
      throw new UnsupportedFormatError(`Unknown schema format ${JSON.stringify(req.format)}: use AVRO, PROTOBUF or JSON.`);
  }
}
