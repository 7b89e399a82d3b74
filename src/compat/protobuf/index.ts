// Protobuf compatibility exactly as the Confluent Schema Registry judges it: the registry's diff
// (`diff.ts`), its compatible-change set, and its message wording. Pure: texts or model documents in,
// data out; imports are served from the caller's references, never from disk.
import { parseProto } from '../../formats/protobuf/index.js';
import type { ParseProblem, SchemaDocument } from '../../model/types.js';
import { ProtobufDiffer, buildTypeTable } from './diff.js';
import type { DiffSide } from './diff.js';
import { registryProtobufMessage } from './messages.js';
import type { ProtobufCheckDirection } from './messages.js';
import type { ProtobufChange } from './types.js';

export { PROTOBUF_COMPATIBLE_CHANGES, PROTOBUF_DIFFERENCE_TYPES } from './types.js';
export type { NodeRef, ProtobufChange, ProtobufDifferenceType } from './types.js';
export { registryProtobufMessage } from './messages.js';
export { explainProtobufChange } from './explain.js';
export type { ProtobufCheckDirection } from './messages.js';

export interface ProtobufReference {
  /** the import path the schema uses (`common/money.proto`) */
  name: string;
  /** the referenced schema's text; null/absent for files the parser knows itself (well-known types) */
  schema: string | null | undefined;
  /** registry subject and version, when known: equal pairs on both sides are not re-compared */
  subject?: string;
  version?: number;
}

export interface ProtobufSchemaInput {
  text: string;
  references?: ProtobufReference[];
  /** a name for positions in parse errors */
  file?: string;
}

export interface ProtobufPairResult {
  compatible: boolean;
  /** the incompatible differences, worded as the registry words them */
  messages: Array<{ type: string; path: string; message: string }>;
  /** every difference the registry's diff reports, compatible ones included, in its order */
  differences: Array<{ type: string; path: string; compatible: boolean }>;
  /** set when a schema could not be read; the pair is then reported incompatible */
  problems?: ParseProblem[];
}

/** A referenced file already parsed, with the identity that decides whether it is re-compared. */
export interface ImportedDocument {
  doc: SchemaDocument;
  /** e.g. `subject@version`; undefined when unknown (the definitions are then always compared) */
  origin?: string;
}

export interface DiffDocumentsOptions {
  newImports?: ImportedDocument[];
  oldImports?: ImportedDocument[];
}

/**
 * Every difference between `oldDoc` (the registered schema) and `newDoc` (the candidate), typed, with
 * the registry's paths and the model nodes on both sides. BACKWARD compares (new, old); FORWARD is the
 * same call with the documents swapped. Each change carries an `anchor` in `newDoc` — the changed
 * node, or the surviving parent when something was deleted — for file:line reporting.
 */
export function diffProtobufDocuments(
  newDoc: SchemaDocument,
  oldDoc: SchemaDocument,
  options: DiffDocumentsOptions = {},
): ProtobufChange[] {
  const side = (doc: SchemaDocument, imports: ImportedDocument[] | undefined): DiffSide => ({
    doc,
    types: buildTypeTable(
      doc,
      (imports ?? []).map((i) => ({ doc: i.doc, origin: i.origin })),
    ),
  });
  return new ProtobufDiffer(side(oldDoc, options.oldImports), side(newDoc, options.newImports)).run();
}

type Parsed = { ok: true; doc: SchemaDocument; imports: ImportedDocument[] } | { ok: false; problems: ParseProblem[]; file: string };

function originOf(ref: ProtobufReference): string {
  if (ref.subject !== undefined && ref.version !== undefined) return `${ref.subject}@${String(ref.version)}`;
  return `${ref.name}\u0000${ref.schema ?? ''}`;
}

function parseSide(input: ProtobufSchemaInput, defaultFile: string): Parsed {
  const refs = input.references ?? [];
  const texts = new Map<string, string>();
  for (const r of refs) if (typeof r.schema === 'string') texts.set(r.name, r.schema);
  const loadImport = (path: string): string | undefined => texts.get(path);
  const imports: ImportedDocument[] = [];
  for (const r of refs) {
    if (typeof r.schema !== 'string') continue;
    const parsed = parseProto(r.schema, r.name, { loadImport });
    if (!parsed.ok) return { ok: false, problems: parsed.problems, file: r.name };
    imports.push({ doc: parsed.document, origin: originOf(r) });
  }
  const file = input.file ?? defaultFile;
  const parsed = parseProto(input.text, file, { loadImport });
  if (!parsed.ok) return { ok: false, problems: parsed.problems, file };
  return { ok: true, doc: parsed.document, imports };
}

function parseFailure(which: 'reader' | 'writer', failed: { problems: ParseProblem[]; file: string }): ProtobufPairResult {
  const first = failed.problems.find((p) => p.fatal) ?? failed.problems[0];
  const where = first ? `${failed.file}:${first.loc.line}:${first.loc.column}` : failed.file;
  const what = which === 'reader' ? 'new' : 'old';
  const message = `The ${what} schema is not valid Protobuf: ${where}: ${first?.message ?? 'it could not be parsed'}`;
  return {
    compatible: false,
    messages: [{ type: 'PARSE_ERROR', path: '#/', message }],
    differences: [],
    problems: failed.problems,
  };
}

/**
 * Can `reader` read data written with `writer`? The registry's BACKWARD check is
 * (reader = candidate, writer = previous); FORWARD swaps them — pass `direction: 'forward'` then, so
 * the descriptions name the schemas the way the registry does.
 */
export function checkProtobufPair(
  reader: ProtobufSchemaInput,
  writer: ProtobufSchemaInput,
  options: { direction?: ProtobufCheckDirection } = {},
): ProtobufPairResult {
  const update = parseSide(reader, 'reader.proto');
  if (!update.ok) return parseFailure('reader', update);
  const original = parseSide(writer, 'writer.proto');
  if (!original.ok) return parseFailure('writer', original);
  const changes = diffProtobufDocuments(update.doc, original.doc, {
    newImports: update.imports,
    oldImports: original.imports,
  });
  const incompatible = changes.filter((c) => !c.compatible);
  return {
    compatible: incompatible.length === 0,
    messages: incompatible.map((c) => ({
      type: c.type,
      path: c.path,
      message: registryProtobufMessage(c.type, c.path, options.direction ?? 'backward'),
    })),
    differences: changes.map((c) => ({ type: c.type, path: c.path, compatible: c.compatible })),
  };
}
