// Validation, storage form and identity of submitted schema texts. As the Confluent registry does, the
// stored text is the schema's canonical string (Avro: Java's Schema.toString, ./canonical/avro.ts;
// Protobuf: the parsed file re-printed, ./canonical/protobuf.ts), and the identity is that string with
// the references: the same schema spelled differently (key order, whitespace, comments) is the same
// schema, with the same id and version. `normalize` applies Confluent's normalization first.
//
// Validity is the format layer's (formats/*, through the compatibility engine's reading of a
// candidate): the registry accepts and refuses exactly what lint, check and publish do.
import { createHash } from 'node:crypto';
import { InvalidSchemaError, validateAvroSchema } from '../compat/index.js';
import { avroCanonicalString } from './canonical/avro.js';
import { protobufCanonicalString } from './canonical/protobuf.js';
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

/**
 * The canonical text, unless it does not read back as the same valid file (a construct the printer
 * does not know): then the text as written, so a schema is never stored in a form that fails to parse.
 */
function protobufCanonical(text: string, refs: ResolvedReference[], normalize: boolean): string {
  let canonical: string;
  try {
    canonical = protobufCanonicalString(text, refs.map((r) => r.schema), normalize);
  } catch {
    return text;
  }
  const texts = new Map(refs.map((r) => [r.ref.name, r.schema] as const));
  return protoProblems(canonical, 'schema.proto', (p) => texts.get(p)) === undefined ? canonical : text;
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
  let references = refs.map((r) => ({ name: r.ref.name, subject: r.ref.subject, version: r.ref.version }));
  if (normalize) {
    // Confluent's normalize also sorts the references (and drops duplicates)
    const seen = new Set<string>();
    references = references
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version))
      .filter((r) => {
        const k = JSON.stringify(r);
        return seen.has(k) ? false : (seen.add(k), true);
      });
  }
  if (schemaType === 'AVRO') {
    // validity is the format layer's verdict (comments allowed, as Avro Java allows them)
    validateAvro(schema, refs);
    stored = avroCanonicalString(schema, refs.map((r) => r.schema), normalize);
  } else if (schemaType === 'JSON') {
    const parsed = jsonParse(schema);
    if (typeof parsed !== 'boolean' && (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw errors.invalidSchema('Invalid schema: a JSON Schema is an object or a boolean');
    }
    stored = JSON.stringify(parsed);
  } else {
    validateProtobuf(schema, refs);
    stored = protobufCanonical(schema, refs, normalize);
  }
  const identity = createHash('sha256')
    .update(schemaType)
    .update('\0')
    .update(stored)
    .update('\0')
    .update(JSON.stringify(references))
    .digest('hex');
  return { schemaType, schema: stored, references, identity };
}
