// Validation, storage form and identity of submitted schema texts. The registry stores an Avro or JSON
// schema re-serialised compactly (as Confluent does: whitespace never changes identity), and with
// `normalize` a canonical rendering (full names, fixed key order) so equivalent spellings share an id.
// Protobuf text is kept as written (normalisation of .proto text is not implemented here).
//
// Validity is the format layer's (formats/*, through the compatibility engine's reading of a
// candidate): the registry accepts and refuses exactly what lint, check and publish do.
import { createHash } from 'node:crypto';
import { InvalidSchemaError, validateAvroSchema } from '../compat/index.js';
import { parseJsonWithPositions } from '../formats/avro/index.js';
import { parseJsonSchema } from '../formats/jsonschema/index.js';
import { parseProto } from '../formats/protobuf/index.js';
import { invalidProblems } from '../formats/validity.js';
import { errors } from './types.js';
import type { SchemaReference, SchemaType } from './types.js';

export interface ResolvedReference {
  ref: SchemaReference;
  schema: string;
  schemaType: SchemaType;
}

export interface PreparedSchema {
  schemaType: SchemaType;
  /** the text to store and return */
  schema: string;
  references: SchemaReference[];
  /** stable across subjects: the same key gets the same global id */
  identity: string;
}

function jsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw errors.invalidSchema(`Invalid schema: ${(e as Error).message}`);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
const TYPE_KEYS = ['type', 'name', 'fields', 'symbols', 'items', 'values', 'size', 'default', 'doc', 'aliases', 'order', 'logicalType', 'precision', 'scale'];
const FIELD_KEYS = ['name', 'type', 'default', 'doc', 'aliases', 'order'];

function fullName(name: string, ns: string | undefined): string {
  return name.includes('.') || !ns ? name : `${ns}.${name}`;
}

/** Canonical Avro rendering used by `normalize`: full names, namespace folded in, fixed key order. */
export function normalizeAvro(node: Json, ns?: string): Json {
  if (typeof node === 'string') return PRIMITIVES.has(node) ? node : fullName(node, ns);
  if (Array.isArray(node)) return node.map((b) => normalizeAvro(b, ns));
  if (node === null || typeof node !== 'object') return node;
  const type = node.type;
  const named = type === 'record' || type === 'error' || type === 'enum' || type === 'fixed';
  let innerNs = ns;
  let fn: string | undefined;
  const out: { [k: string]: Json } = {};
  if (named && typeof node.name === 'string') {
    fn = fullName(node.name, typeof node.namespace === 'string' && node.namespace !== '' ? node.namespace : ns);
    innerNs = fn.includes('.') ? fn.slice(0, fn.lastIndexOf('.')) : undefined;
  }
  const keys = Object.keys(node);
  const ordered = [...TYPE_KEYS.filter((k) => k in node), ...keys.filter((k) => !TYPE_KEYS.includes(k) && k !== 'namespace').sort()];
  if (!named && typeof type === 'string' && PRIMITIVES.has(type) && keys.length === 1) return type;
  for (const k of ordered) {
    const v = node[k] as Json;
    if (k === 'name' && fn !== undefined) out[k] = fn;
    else if (k === 'type') out[k] = typeof v === 'string' && (named || v === 'array' || v === 'map') ? v : normalizeAvro(v, innerNs);
    else if (k === 'items' || k === 'values') out[k] = normalizeAvro(v, innerNs);
    else if (k === 'aliases' && named && Array.isArray(v)) out[k] = v.map((a) => (typeof a === 'string' ? fullName(a, innerNs) : a));
    else if (k === 'fields' && Array.isArray(v)) out[k] = v.map((f) => normalizeField(f, innerNs));
    else out[k] = v;
  }
  return out;
}

function normalizeField(f: Json, ns: string | undefined): Json {
  if (f === null || typeof f !== 'object' || Array.isArray(f)) return f;
  const keys = Object.keys(f);
  const out: { [k: string]: Json } = {};
  for (const k of [...FIELD_KEYS.filter((x) => x in f), ...keys.filter((x) => !FIELD_KEYS.includes(x)).sort()]) {
    out[k] = k === 'type' ? normalizeAvro(f[k] as Json, ns) : (f[k] as Json);
  }
  return out;
}

function validateAvro(text: string, refs: ResolvedReference[]): void {
  try {
    validateAvroSchema(text, refs.map((r) => ({ name: r.ref.name, subject: r.ref.subject, version: r.ref.version, schema: r.schema })));
  } catch (e) {
    if (e instanceof InvalidSchemaError) throw errors.invalidSchema(`Invalid schema: ${e.message}`);
    throw e;
  }
}

function validateProtobuf(text: string, refs: ResolvedReference[]): void {
  const texts = new Map(refs.map((r) => [r.ref.name, r.schema] as const));
  const loadImport = (p: string): string | undefined => texts.get(p);
  for (const r of refs) {
    const bad = protoProblems(r.schema, r.ref.name, loadImport);
    if (bad) throw errors.invalidSchema(`Invalid schema: reference ${r.ref.name}: ${bad}`);
  }
  const bad = protoProblems(text, 'schema.proto', loadImport);
  if (bad) throw errors.invalidSchema(`Invalid schema: ${bad}`);
}

/** JSON Schema validity is the format layer's: drafts' keyword shapes, patterns, `$ref`s resolved in the references. */
function validateJson(text: string, refs: ResolvedReference[]): void {
  const parsed = parseJsonSchema(text, 'schema.json', refs.map((r) => ({ name: r.ref.name, schema: r.schema })));
  const bad = invalidProblems(parsed.problems);
  if (bad.length > 0) throw errors.invalidSchema(`Invalid schema: ${bad.map((p) => `schema.json:${p.loc.line}:${p.loc.column}: ${p.message}`).join('; ')}`);
}

/** The first problem that makes a .proto text invalid, as `file:line:column: message`. */
function protoProblems(text: string, file: string, loadImport: (p: string) => string | undefined): string | undefined {
  const parsed = parseProto(text, file, { loadImport });
  const bad = invalidProblems(parsed.problems);
  if (bad.length === 0) return undefined;
  return bad.map((p) => `${file}:${p.loc.line}:${p.loc.column}: ${p.message}`).join('; ');
}

/** Validate `schema` (throws RegistryError 42201) and compute what to store and the identity key. */
export function prepareSchema(
  schemaType: SchemaType,
  schema: string,
  refs: ResolvedReference[],
  normalize: boolean,
): PreparedSchema {
  if (typeof schema !== 'string' || schema.trim() === '') throw errors.invalidSchema('Invalid schema: empty schema');
  let stored: string;
  if (schemaType === 'AVRO') {
    // validity first (the format layer's verdict, comments allowed as Avro Java allows them), then the
    // JSON value to store
    validateAvro(schema, refs);
    const json = parseJsonWithPositions(schema, undefined, true);
    if (!json.ok) throw errors.invalidSchema(`Invalid schema: ${json.problems.map((p) => p.message).join('; ')}`);
    const parsed = json.value;
    stored = JSON.stringify(normalize ? normalizeAvro(parsed as Json) : parsed);
  } else if (schemaType === 'JSON') {
    validateJson(schema, refs);
    stored = JSON.stringify(jsonParse(schema));
  } else {
    validateProtobuf(schema, refs);
    stored = schema;
  }
  const references = refs.map((r) => ({ name: r.ref.name, subject: r.ref.subject, version: r.ref.version }));
  const identity = createHash('sha256')
    .update(schemaType)
    .update('\0')
    .update(stored)
    .update('\0')
    .update(JSON.stringify(references))
    .digest('hex');
  return { schemaType, schema: stored, references, identity };
}
