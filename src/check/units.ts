// Catalog streams → the schemas a registry would hold: one "unit" per subject, with the text the
// registry stores (Avro JSON, Protobuf source), its references, and the parsed model that findings are
// anchored in. The same code builds the working-tree side and the side read from a git revision, so the
// two are paired by subject exactly as a registry would pair them.
import path from 'node:path';
import { SCHEMA_EXTENSIONS } from '../config/defaults.js';
import type { CompatibilityLevel } from '../compat/levels.js';
import type { SchemaReferenceText } from '../compat/types.js';
import { avdlToJson } from '../formats/avro/index.js';
import { dispatchOf, makeAvroImportLoader, parseSchemaText, protoImportCandidates } from '../formats/index.js';
import type { AvroImportLoader } from '../formats/avro/index.js';
import { isWellKnownImport } from '../formats/protobuf/index.js';
import { jsonSchemaRefNames, parseJsonSchema } from '../formats/jsonschema/index.js';
import { parseSyntaxTree } from '../formats/protobuf/parser.js';
import { defaultEventRoots, resolveSelector } from '../lint/event-roots.js';
import type { NamedType, ParseProblem, SchemaDocument, SourceRange } from '../model/types.js';

export type SubjectStrategy = 'TopicNameStrategy' | 'RecordNameStrategy' | 'TopicRecordNameStrategy';
export const SUBJECT_STRATEGIES: readonly SubjectStrategy[] = ['TopicNameStrategy', 'RecordNameStrategy', 'TopicRecordNameStrategy'];

/** Reads a file's text (working tree or a git revision); undefined when it does not exist. */
export type ReadText = (abs: string) => Promise<string | undefined>;

/** What a catalog stream says about one schema; produced from a ResolvedConfig or a catalog read at a revision. */
export interface StreamEntry {
  topic: string;
  /** absolute schema paths with optional `#Type` selectors */
  schemas: Array<{ abs: string; selector?: string; loc?: SourceRange }>;
  /** absolute path of a key schema file, when the stream's key names one */
  keySchema?: { abs: string; loc?: SourceRange };
  compatibility?: CompatibilityLevel;
  /** `schema_type:` of the stream (JSON makes `.json` files JSON Schemas) */
  schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON';
  loc?: SourceRange;
}

export interface SchemaUnit {
  topic: string;
  role: 'value' | 'key';
  subject: string;
  format: 'AVRO' | 'PROTOBUF' | 'JSON';
  /** display path (relative to cwd when inside it) */
  file: string;
  abs: string;
  /** undefined when the file does not exist */
  text?: string;
  /** the parsed model (Avro, Protobuf); for .avdl its `topLevelType` is set to the selected type */
  document?: SchemaDocument;
  problems: ParseProblem[];
  /** full name of the event type (record name strategies, messages) */
  recordName?: string;
  /** the text a registry stores: .avsc as written, .avdl as standalone Avro JSON, .proto as written */
  registryText?: string;
  /**
   * Protobuf imports other than well-known types, or the files a JSON Schema's `$ref`s name, dependencies
   * first; `name` is the import path or the `$ref` as written
   */
  references: SchemaReferenceText[];
  level?: CompatibilityLevel;
  /** where the catalog names this schema */
  catalogLoc?: SourceRange;
}

export function parseStrategy(raw: unknown): SubjectStrategy | undefined {
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const simple = raw.trim().split('.').pop()!.toLowerCase().replace(/[-_]/g, '');
  for (const s of SUBJECT_STRATEGIES) {
    const lower = s.toLowerCase();
    if (simple === lower || `${simple}strategy` === lower || `${simple}namestrategy` === lower) return s;
  }
  return undefined;
}

export function subjectName(strategy: SubjectStrategy, topic: string, role: 'value' | 'key', recordName: string | undefined): string {
  if (strategy === 'TopicNameStrategy' || recordName === undefined) return `${topic}-${role}`;
  if (strategy === 'RecordNameStrategy') return recordName;
  return `${topic}-${recordName}`;
}

export function isSchemaPath(p: string): boolean {
  return SCHEMA_EXTENSIONS.includes(path.extname(p).toLowerCase());
}

/**
 * The import paths of a .proto text as its parser reads them (a commented-out or string-embedded
 * `import` is not one). A file that does not parse has none: it is refused before anything is registered.
 */
export function protobufImports(text: string): string[] {
  const tree = parseSyntaxTree(text, 'imports.proto');
  return 'importStmts' in tree ? tree.importStmts.map((s) => s.path) : [];
}

/**
 * Protobuf imports of `text`, read through `read` from the import roots as lint resolves them
 * (protoImportCandidates: the roots only, never beside the importing file), transitively. Returned
 * dependencies first, as a registry wants them registered. An import found under no root is left out:
 * the parse then reports it missing at its file:line:column, as lint does.
 */
async function collectImports(text: string, roots: readonly string[], read: ReadText): Promise<SchemaReferenceText[]> {
  const out: SchemaReferenceText[] = [];
  const seen = new Set<string>();
  const visit = async (source: string): Promise<void> => {
    for (const name of protobufImports(source)) {
      if (seen.has(name) || isWellKnownImport(name)) continue;
      seen.add(name);
      for (const abs of protoImportCandidates(name, roots)) {
        const found = await read(abs);
        if (found !== undefined) {
          await visit(found);
          out.push({ name, schema: found });
          break;
        }
      }
    }
  };
  await visit(text);
  return out;
}

/**
 * The files a JSON Schema's `$ref`s name, relative to the file that names them, transitively; dependencies
 * first. A file that cannot be read is left out: the parse then reports the `$ref` unresolved at its
 * line:column.
 */
async function collectJsonRefs(text: string, abs: string, read: ReadText): Promise<SchemaReferenceText[]> {
  const out: SchemaReferenceText[] = [];
  const seen = new Set<string>();
  const visit = async (source: string, from: string): Promise<void> => {
    for (const name of jsonSchemaRefNames(source)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const target = path.resolve(path.dirname(from), name);
      const found = await read(target);
      if (found === undefined) continue;
      await visit(found, target);
      out.push({ name, schema: found });
    }
  };
  await visit(text, abs);
  return out;
}

/** A JSON Schema unit: the text as the registry stores it, its `$ref`ed files as references. */
async function buildJsonUnit(unit: SchemaUnit, text: string, read: ReadText): Promise<void> {
  unit.references = await collectJsonRefs(text, unit.abs, read);
  const parsed = parseJsonSchema(text, unit.file, unit.references);
  unit.problems = parsed.problems;
  if (!parsed.ok) return;
  unit.registryText = text;
  // the registry's record name strategies name a JSON Schema by its title
  const value = parsed.document.value;
  if (typeof value === 'object' && value !== null && typeof (value as { title?: unknown }).title === 'string') {
    unit.recordName = (value as { title: string }).title;
  }
}

const AVRO_IMPORT_RE = /\bimport\s+(?:idl|protocol|schema)\s+"((?:[^"\\]|\\.)*)"\s*;/g;

/**
 * The files an .avdl imports, read through `read` (working tree or a git revision) before parsing, so
 * the parse itself stays synchronous: the loader the format layer uses then looks them up by path.
 */
async function avdlImportLoader(file: string, abs: string, text: string, roots: readonly string[], read: ReadText): Promise<AvroImportLoader> {
  const texts = new Map<string, string | undefined>();
  const visit = async (source: string, from: string): Promise<void> => {
    for (const m of source.matchAll(AVRO_IMPORT_RE)) {
      let name: string;
      try {
        name = JSON.parse(`"${m[1]!}"`) as string;
      } catch {
        continue;
      }
      for (const dir of [path.dirname(from), ...roots]) {
        const candidate = path.resolve(dir, name);
        if (!texts.has(candidate)) {
          texts.set(candidate, await read(candidate));
          const found = texts.get(candidate);
          if (found !== undefined && candidate.endsWith('.avdl')) await visit(found, candidate);
        }
        if (texts.get(candidate) !== undefined) break;
      }
    }
  };
  await visit(text, abs);
  return makeAvroImportLoader(file, { absolutePath: abs, includePaths: roots }, (p) => texts.get(p));
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * A standalone .avsc for one type of an .avdl protocol: the registry stores single schemas, so every
 * named type the event uses is written inline at its first use, under its full name.
 */
export function avdlTypeToAvsc(text: string, doc: SchemaDocument, fullName: string, loadImport?: AvroImportLoader): string | undefined {
  const json = avdlToJson(text, doc.file, loadImport ? { loadImport } : {});
  if (!json) return undefined;
  const byName = new Map<string, Json>();
  // imported types come first, with their namespace explicit; the file's own under its namespace
  for (const t of json.types) {
    if (t === null || typeof t !== 'object' || Array.isArray(t)) continue;
    const o = t as { [k: string]: Json };
    if (typeof o.name !== 'string') continue;
    const ns = typeof o.namespace === 'string' ? o.namespace : (json.namespace ?? '');
    byName.set(o.name.includes('.') || ns === '' ? o.name : `${ns}.${o.name}`, o);
  }
  const root = byName.get(fullName);
  if (root === undefined) return undefined;
  const defined = new Set<string>();
  const lookup = (name: string, space: string): string | undefined => {
    if (byName.has(name)) return name;
    const qualified = space ? `${space}.${name}` : name;
    return byName.has(qualified) ? qualified : undefined;
  };
  const namespaceOf = (full: string): string => (full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '');
  const inline = (node: Json, space: string): Json => {
    if (typeof node === 'string') {
      const full = lookup(node, space);
      if (full === undefined) return node;
      if (defined.has(full)) return full;
      return inline(byName.get(full)!, space);
    }
    if (Array.isArray(node)) return node.map((n) => inline(n, space));
    if (node === null || typeof node !== 'object') return node;
    const o = { ...node };
    if (typeof o.name === 'string' && (o.type === 'record' || o.type === 'error' || o.type === 'enum' || o.type === 'fixed')) {
      const ns = typeof o.namespace === 'string' ? o.namespace : space;
      const full = o.name.includes('.') ? o.name : lookup(o.name, ns) ?? (ns ? `${ns}.${o.name}` : o.name);
      defined.add(full);
      o.name = full.includes('.') ? full.slice(full.lastIndexOf('.') + 1) : full;
      const own = namespaceOf(full);
      if (own !== '') o.namespace = own;
      else delete o.namespace;
      if (Array.isArray(o.fields)) {
        o.fields = o.fields.map((f) => (f && typeof f === 'object' && !Array.isArray(f) && 'type' in f ? { ...f, type: inline(f.type as Json, own) } : f));
      }
      return o;
    }
    if ('items' in o) o.items = inline(o.items as Json, space);
    if ('values' in o) o.values = inline(o.values as Json, space);
    if (typeof o.type === 'object' && o.type !== null) o.type = inline(o.type, space);
    else if (typeof o.type === 'string' && lookup(o.type, space) !== undefined) return inline(o.type, space);
    return o;
  };
  // IDL's NaN and ±Infinity defaults: as JSON, the strings Avro Java reads for float and double
  return JSON.stringify(inline(root, namespaceOf(fullName)), (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

/** An .avdl document viewed as the .avsc of its event type: the compat walk starts at `topLevelType`. */
function withRoot(doc: SchemaDocument, t: NamedType): SchemaDocument {
  return { ...doc, topLevelType: { kind: 'inline', fullName: t.fullName, path: t.path, loc: t.loc } };
}

function eventType(doc: SchemaDocument, selector: string | undefined): NamedType | undefined {
  if (selector !== undefined && selector !== '') return resolveSelector(doc, selector);
  const roots = defaultEventRoots(doc);
  const name = roots[0] ?? doc.topLevel[0];
  return doc.types.find((t) => t.fullName === name);
}

export interface BuildUnitsOptions {
  strategy: SubjectStrategy;
  includePaths: readonly string[];
  read: ReadText;
  /** display path of an absolute file */
  label: (abs: string) => string;
}

/** Read and parse one schema file into a unit (never throws for bad input: problems are kept). */
export async function buildUnit(
  entry: {
    topic: string; role: 'value' | 'key'; abs: string; selector?: string; loc?: SourceRange; level?: CompatibilityLevel; strategy: SubjectStrategy;
    schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON';
  },
  opts: BuildUnitsOptions,
): Promise<SchemaUnit> {
  const file = opts.label(entry.abs);
  const kind = dispatchOf(entry.abs);
  // a .json file is a JSON Schema when the catalog says so; otherwise it is classified as before
  const format = kind === 'proto' ? 'PROTOBUF' : kind === 'json' && entry.schemaType === 'JSON' ? 'JSON' : 'AVRO';
  const unit: SchemaUnit = {
    topic: entry.topic, role: entry.role, subject: `${entry.topic}-${entry.role}`, format, file, abs: entry.abs, problems: [], references: [],
  };
  if (entry.level !== undefined) unit.level = entry.level;
  if (entry.loc !== undefined) unit.catalogLoc = entry.loc;
  const text = await opts.read(entry.abs);
  if (text === undefined) return unit;
  unit.text = text;
  if (kind !== 'avsc' && kind !== 'avdl' && kind !== 'proto' && kind !== 'json') {
    unit.problems.push({ code: 'unsupported-format', message: `${file} is not an Avro (.avsc, .avdl) or Protobuf (.proto) schema.`, loc: { line: 1, column: 1, endLine: 1, endColumn: 1 }, fatal: true });
    return unit;
  }
  if (format === 'JSON') {
    await buildJsonUnit(unit, text, opts.read);
    unit.subject = subjectName(entry.strategy, entry.topic, entry.role, unit.recordName);
    return unit;
  }
  if (format === 'PROTOBUF') unit.references = await collectImports(text, opts.includePaths, opts.read);
  const texts = new Map(unit.references.map((r) => [r.name, r.schema] as const));
  const loadAvroImport = kind === 'avdl' ? await avdlImportLoader(file, entry.abs, text, opts.includePaths, opts.read) : undefined;
  const parsed = parseSchemaText(file, text, { loadImport: (p) => texts.get(p), ...(loadAvroImport ? { loadAvroImport } : {}) });
  unit.problems = parsed.problems;
  if (!parsed.document) return unit;
  const t = eventType(parsed.document, entry.selector);
  if (t) unit.recordName = t.fullName;
  if (kind === 'avdl') {
    if (!t) {
      unit.problems.push({
        code: 'no-event-type',
        message: entry.selector ? `${file} has no type "${entry.selector}".` : `${file} declares no record to register.`,
        loc: entry.loc ?? { line: 1, column: 1, endLine: 1, endColumn: 1 },
        fatal: true,
      });
      return unit;
    }
    unit.document = withRoot(parsed.document, t);
    const avsc = avdlTypeToAvsc(text, parsed.document, t.fullName, loadAvroImport);
    if (avsc !== undefined) unit.registryText = avsc;
  } else {
    unit.document = parsed.document;
    unit.registryText = text;
  }
  unit.subject = subjectName(entry.strategy, entry.topic, entry.role, unit.recordName);
  return unit;
}

/** Every unit of the given streams: each value schema, and the key schema when the key names a file. */
export async function buildUnits(streams: readonly StreamEntry[], opts: BuildUnitsOptions): Promise<SchemaUnit[]> {
  const jobs: Array<Promise<SchemaUnit>> = [];
  for (const s of streams) {
    // Several event types in one topic cannot share the topic's subject; the registry's answer is a
    // record-qualified subject per type.
    const strategy = opts.strategy === 'TopicNameStrategy' && s.schemas.length > 1 ? 'TopicRecordNameStrategy' : opts.strategy;
    for (const sc of s.schemas) {
      jobs.push(buildUnit({
        topic: s.topic, role: 'value', abs: sc.abs, strategy,
        ...(sc.selector !== undefined ? { selector: sc.selector } : {}),
        ...(sc.loc !== undefined ? { loc: sc.loc } : {}),
        ...(s.compatibility !== undefined ? { level: s.compatibility } : {}),
        ...(s.schemaType !== undefined ? { schemaType: s.schemaType } : {}),
      }, opts));
    }
    if (s.keySchema) {
      jobs.push(buildUnit({
        topic: s.topic, role: 'key', abs: s.keySchema.abs, strategy: 'TopicNameStrategy',
        ...(s.keySchema.loc !== undefined ? { loc: s.keySchema.loc } : {}),
        ...(s.compatibility !== undefined ? { level: s.compatibility } : {}),
      }, opts));
    }
  }
  return Promise.all(jobs);
}
