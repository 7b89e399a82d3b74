// JSON Schema documents (drafts 4, 6, 7, 2019-09, 2020-12, as the Schema Registry accepts them): parsed
// with positions, judged valid or not the way the registry judges them, and built into the model the
// compatibility checker compares. Validity is the registry's: the text must be one JSON object (or a
// boolean from draft 6 on), every keyword must have the shape its draft's meta-schema requires, every
// `pattern` must compile, and every `$ref` must resolve inside the document or into a registry
// reference. Problems carry file:line:column; src/formats/validity.ts decides what is invalid.
import { createRequire } from 'node:module';
import type { ParseProblem, SourceRange } from '../../model/types.js';
import { locateInTree, parseJsonWithPositions } from '../avro/json-positions.js';
import type { LocNode } from '../avro/json-positions.js';
import { ModelBuilder } from './build.js';
import type { LoadedDocument } from './build.js';
import type { Draft, SchemaNode } from './model.js';

export type { Draft, SchemaNode } from './model.js';
export { canonicalJson } from './model.js';

export interface JsonSchemaReference {
  /** the name a `$ref` uses for it (the registry reference's `name`) */
  name: string;
  schema: string;
}

export interface JsonSchemaDocument {
  file: string;
  text: string;
  value: unknown;
  draft: Draft;
  locations: LocNode;
}

export type JsonSchemaParseResult =
  | { ok: true; document: JsonSchemaDocument; root: SchemaNode; problems: ParseProblem[] }
  | { ok: false; problems: ParseProblem[] };

const START: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

/** The draft a document declares with `$schema`; the registry reads a document without one as draft 7. */
export function draftOf(value: unknown): { draft: Draft; unknown?: string } {
  const decl = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>).$schema : undefined;
  if (typeof decl !== 'string') return { draft: 'draft-07' };
  if (/draft-04\/schema/.test(decl)) return { draft: 'draft-04' };
  if (/draft-06\/schema/.test(decl)) return { draft: 'draft-06' };
  if (/draft-07\/schema/.test(decl)) return { draft: 'draft-07' };
  if (/draft\/2019-09\/schema/.test(decl)) return { draft: 'draft-2019-09' };
  if (/draft\/2020-12\/schema/.test(decl)) return { draft: 'draft-2020-12' };
  return { draft: 'draft-07', unknown: decl };
}

interface Check {
  problems: ParseProblem[];
  locations: LocNode;
  draft: Draft;
}

function at(c: Check, pointer: string): SourceRange {
  return locateInTree(c.locations, pointer)?.value ?? c.locations.value ?? START;
}

function keyAt(c: Check, pointer: string): SourceRange {
  const node = locateInTree(c.locations, pointer);
  return node?.key ?? node?.value ?? START;
}

function report(c: Check, code: string, message: string, loc: SourceRange): void {
  c.problems.push({ code, message, loc, fatal: false });
}

const TYPES = new Set(['string', 'number', 'integer', 'object', 'array', 'boolean', 'null']);
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SINGLE_SCHEMAS = ['not', 'additionalProperties', 'additionalItems', 'contains', 'propertyNames', 'if', 'then', 'else',
  'unevaluatedProperties', 'unevaluatedItems'];
const NON_NEGATIVE = ['minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'minContains', 'maxContains'];
const NUMBERS = ['minimum', 'maximum', 'multipleOf'];

function esc(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The shapes the draft's meta-schema requires, checked where the registry's loader would fail. */
function checkSchema(c: Check, v: unknown, p: string): void {
  if (typeof v === 'boolean') {
    if (c.draft === 'draft-04') report(c, 'json-schema-invalid', `A boolean schema (\`${String(v)}\`) needs draft 6 or later; this document is draft 4. Use {} for true or {"not": {}} for false.`, at(c, p));
    return;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    report(c, 'json-schema-invalid', `A schema must be a JSON object${c.draft === 'draft-04' ? '' : ' or a boolean'}, found ${kindOf(v)}.`, at(c, p));
    return;
  }
  const o = v as Record<string, unknown>;
  const type = o.type;
  if (type !== undefined) {
    const list = Array.isArray(type) ? type : [type];
    if (list.length === 0 && Array.isArray(type)) report(c, 'json-schema-invalid', '`type` must not be an empty array.', at(c, `${p}/type`));
    list.forEach((t, i) => {
      if (typeof t !== 'string' || !TYPES.has(t)) {
        report(c, 'json-schema-invalid', `\`type\` ${JSON.stringify(t)} is not a JSON Schema type (string, number, integer, object, array, boolean, null).`,
          at(c, Array.isArray(type) ? `${p}/type/${i}` : `${p}/type`));
      }
    });
  }
  if (o.$ref !== undefined && typeof o.$ref !== 'string') report(c, 'json-schema-invalid', '`$ref` must be a string (a URI reference).', at(c, `${p}/$ref`));
  for (const k of SCHEMA_MAPS) {
    const m = o[k];
    if (m === undefined) continue;
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      report(c, 'json-schema-invalid', `\`${k}\` must be an object of schemas, found ${kindOf(m)}.`, at(c, `${p}/${k}`));
      continue;
    }
    for (const [name, s] of Object.entries(m as Record<string, unknown>)) {
      if (k === 'patternProperties') checkPattern(c, name, keyAt(c, `${p}/${k}/${esc(name)}`));
      checkSchema(c, s, `${p}/${k}/${esc(name)}`);
    }
  }
  for (const k of SCHEMA_LISTS) {
    const l = o[k];
    if (l === undefined) continue;
    if (!Array.isArray(l) || (l.length === 0 && k !== 'prefixItems')) {
      report(c, 'json-schema-invalid', `\`${k}\` must be a non-empty array of schemas.`, at(c, `${p}/${k}`));
      continue;
    }
    l.forEach((s, i) => checkSchema(c, s, `${p}/${k}/${i}`));
  }
  for (const k of SINGLE_SCHEMAS) if (o[k] !== undefined) checkSchema(c, o[k], `${p}/${k}`);
  if (o.items !== undefined) {
    if (Array.isArray(o.items)) {
      if (c.draft === 'draft-2020-12') report(c, 'json-schema-invalid', 'In draft 2020-12 `items` is one schema; positional item schemas go in `prefixItems`.', at(c, `${p}/items`));
      o.items.forEach((s, i) => checkSchema(c, s, `${p}/items/${i}`));
    } else checkSchema(c, o.items, `${p}/items`);
  }
  if (o.dependencies !== undefined) {
    if (typeof o.dependencies !== 'object' || o.dependencies === null || Array.isArray(o.dependencies)) {
      report(c, 'json-schema-invalid', '`dependencies` must be an object.', at(c, `${p}/dependencies`));
    } else {
      for (const [name, d] of Object.entries(o.dependencies as Record<string, unknown>)) {
        if (Array.isArray(d)) checkStrings(c, d, `${p}/dependencies/${esc(name)}`, `dependencies.${name}`);
        else checkSchema(c, d, `${p}/dependencies/${esc(name)}`);
      }
    }
  }
  if (o.dependentRequired !== undefined) {
    if (typeof o.dependentRequired !== 'object' || o.dependentRequired === null || Array.isArray(o.dependentRequired)) {
      report(c, 'json-schema-invalid', '`dependentRequired` must be an object of string arrays.', at(c, `${p}/dependentRequired`));
    } else {
      for (const [name, d] of Object.entries(o.dependentRequired as Record<string, unknown>)) {
        checkStrings(c, d, `${p}/dependentRequired/${esc(name)}`, `dependentRequired.${name}`);
      }
    }
  }
  if (o.required !== undefined) {
    // draft 4's `required` is a schema-level list only (a boolean `required` is draft 3)
    checkStrings(c, o.required, `${p}/required`, 'required');
  }
  if (o.enum !== undefined && !Array.isArray(o.enum)) report(c, 'json-schema-invalid', '`enum` must be an array of values.', at(c, `${p}/enum`));
  for (const k of NON_NEGATIVE) {
    const n = o[k];
    if (n !== undefined && !(typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
      report(c, 'json-schema-invalid', `\`${k}\` must be a non-negative integer, found ${JSON.stringify(n)}.`, at(c, `${p}/${k}`));
    }
  }
  for (const k of NUMBERS) {
    const n = o[k];
    if (n !== undefined && typeof n !== 'number') report(c, 'json-schema-invalid', `\`${k}\` must be a number, found ${JSON.stringify(n)}.`, at(c, `${p}/${k}`));
  }
  if (typeof o.multipleOf === 'number' && !(o.multipleOf > 0)) report(c, 'json-schema-invalid', '`multipleOf` must be greater than 0.', at(c, `${p}/multipleOf`));
  for (const k of ['exclusiveMinimum', 'exclusiveMaximum']) {
    const n = o[k];
    if (n === undefined) continue;
    const ok = c.draft === 'draft-04' ? typeof n === 'boolean' : typeof n === 'number';
    if (!ok) report(c, 'json-schema-invalid', `\`${k}\` must be ${c.draft === 'draft-04' ? 'a boolean in draft 4' : 'a number from draft 6 on'}, found ${JSON.stringify(n)}.`, at(c, `${p}/${k}`));
  }
  if (o.uniqueItems !== undefined && typeof o.uniqueItems !== 'boolean') report(c, 'json-schema-invalid', '`uniqueItems` must be a boolean.', at(c, `${p}/uniqueItems`));
  if (o.pattern !== undefined) {
    if (typeof o.pattern !== 'string') report(c, 'json-schema-invalid', '`pattern` must be a string (a regular expression).', at(c, `${p}/pattern`));
    else checkPattern(c, o.pattern, at(c, `${p}/pattern`));
  }
  for (const k of ['title', 'description']) {
    if (o[k] !== undefined && typeof o[k] !== 'string') report(c, 'json-schema-invalid', `\`${k}\` must be a string.`, at(c, `${p}/${k}`));
  }
}

function checkStrings(c: Check, v: unknown, p: string, what: string): void {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    report(c, 'json-schema-invalid', `\`${what}\` must be an array of property names (strings).`, at(c, p));
    return;
  }
  const seen = new Set<string>();
  v.forEach((x, i) => {
    if (seen.has(x as string)) report(c, 'json-schema-invalid', `\`${what}\` lists ${JSON.stringify(x)} twice; its items must be unique.`, at(c, `${p}/${i}`));
    seen.add(x as string);
  });
}

function checkPattern(c: Check, pattern: string, loc: SourceRange): void {
  try {
    new RegExp(pattern, 'u');
  } catch (e) {
    report(c, 'json-schema-invalid-pattern', `The regular expression ${JSON.stringify(pattern)} does not compile: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}.`, loc);
  }
}

/**
 * Parses a JSON Schema document and the documents its `$ref`s name through registry references, checks
 * it as the registry would, and builds the model. Never throws for bad input.
 */
export function parseJsonSchema(text: string, file: string, references: readonly JsonSchemaReference[] = []): JsonSchemaParseResult {
  const parsed = parseJsonWithPositions(text);
  if (!parsed.ok) return { ok: false, problems: parsed.problems.map((p) => ({ ...p })) };
  const problems: ParseProblem[] = parsed.problems.map((p) => ({ ...p, advisory: true }));
  const value = parsed.value;
  const { draft, unknown } = draftOf(value);
  if (unknown !== undefined) {
    problems.push({
      code: 'json-schema-unknown-draft', fatal: false, advisory: true,
      message: `\`$schema\` ${JSON.stringify(unknown)} names no draft the registry knows (4, 6, 7, 2019-09, 2020-12); it is read as draft 7.`,
      loc: locateInTree(parsed.locations, '/$schema')?.value ?? START,
    });
  }
  const check: Check = { problems, locations: parsed.locations, draft };
  if (typeof value !== 'boolean' && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    problems.push({ code: 'json-schema-invalid', fatal: true, message: `A JSON Schema document must be a JSON object, found ${kindOf(value)}.`, loc: parsed.locations.value });
    return { ok: false, problems };
  }
  checkSchema(check, value, '');
  const docs: LoadedDocument[] = [{ name: '', value, draft }];
  for (const r of references) {
    let refValue: unknown;
    try {
      refValue = JSON.parse(r.schema);
    } catch (e) {
      problems.push({ code: 'json-schema-invalid-reference', fatal: false, message: `Reference ${JSON.stringify(r.name)} is not valid JSON: ${(e as Error).message}.`, loc: START });
      continue;
    }
    docs.push({ name: r.name, value: refValue, draft: draftOf(refValue).draft });
  }
  const builder = new ModelBuilder(docs);
  const root = builder.root('') as SchemaNode;
  for (const u of builder.unresolved) {
    const where = u.doc === '' ? locateInTree(parsed.locations, `${u.pointer}/$ref`)?.value ?? START : START;
    const inRef = u.doc === '' ? '' : ` (in reference ${JSON.stringify(u.doc)})`;
    problems.push({
      code: 'json-schema-unresolved-ref', fatal: false,
      message: `\`$ref\` ${JSON.stringify(u.ref)}${inRef} resolves to nothing: it must point into this document or name one of the schema's references${references.length > 0 ? ` (${references.map((r) => r.name).join(', ')})` : ' (none are declared)'}.`,
      loc: where,
    });
  }
  return { ok: true, document: { file, text, value, draft, locations: parsed.locations }, root, problems };
}

// ---- validation of data (the publisher) -----------------------------------------------------------

type AjvLike = { compile(schema: unknown): ValidateLike; addSchema(schema: unknown, key: string): unknown };
export type ValidateLike = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; message?: string; params?: unknown }> | null };

const require = createRequire(import.meta.url);

/**
 * A validator for data against a JSON Schema document (and its references), for the draft it declares.
 * Draft 4 is validated with draft 6 rules (ajv has no draft 4 mode); the two differ only in
 * `exclusiveMinimum`/`exclusiveMaximum` booleans and `id`.
 */
export function compileValidator(value: unknown, references: readonly JsonSchemaReference[] = []): ValidateLike {
  const { draft } = draftOf(value);
  let ajv: AjvLike;
  const options = { allErrors: true, strict: false, validateSchema: false, validateFormats: false };
  if (draft === 'draft-2020-12') {
    const { Ajv2020 } = require('ajv/dist/2020.js') as { Ajv2020: new (o: object) => AjvLike };
    ajv = new Ajv2020(options);
  } else if (draft === 'draft-2019-09') {
    const { Ajv2019 } = require('ajv/dist/2019.js') as { Ajv2019: new (o: object) => AjvLike };
    ajv = new Ajv2019(options);
  } else {
    const { Ajv } = require('ajv') as { Ajv: new (o: object) => AjvLike };
    ajv = new Ajv(options);
  }
  for (const r of references) {
    try {
      ajv.addSchema(stripSchemaKeyword(JSON.parse(r.schema)), r.name);
    } catch {
      // an unreadable reference was already reported by parseJsonSchema
    }
  }
  return ajv.compile(stripSchemaKeyword(value));
}

/** ajv refuses a `$schema` it has no meta-schema for (draft 4, 6); the draft is chosen above instead. */
function stripSchemaKeyword(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { $schema: _ignored, ...rest } = value as Record<string, unknown>;
  return rest;
}

// ---- references between files ---------------------------------------------------------------------

/**
 * The documents a JSON Schema text names through `$ref` (the part before `#`), as written, that are not
 * absolute URLs: in a catalog these are files beside the schema, and in the registry the names of its
 * references. Unparseable text names none (its parse reports the problem).
 */
export function jsonSchemaRefNames(text: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const out = new Set<string>();
  const visit = (v: unknown, key: string | undefined): void => {
    // values of these keywords are data, not schemas
    if (key === 'enum' || key === 'const' || key === 'default' || key === 'examples') return;
    if (Array.isArray(v)) {
      for (const x of v) visit(x, undefined);
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (k === '$ref' && typeof x === 'string') {
        const base = x.split('#')[0] ?? '';
        if (base !== '' && !/^[a-z][a-z0-9+.-]*:/i.test(base)) out.add(base);
      } else visit(x, k);
    }
  };
  visit(value, undefined);
  return [...out];
}

/**
 * Where a registry difference path (`#/properties/foo/maxLength`) is in a schema text: the deepest
 * location the path reaches (a path that continues through a `$ref` stops at the `$ref`'s schema).
 * Registry paths name `items/N` and `dependencies/x` whatever the draft's keyword; both spellings are tried.
 */
export function locateRegistryPath(text: string, registryPath: string): SourceRange {
  const parsed = parseJsonWithPositions(text);
  if (!parsed.ok) return START;
  const tokens = registryPath.replace(/^#\/?/, '').split('/').filter((t) => t !== '');
  let pointer = '';
  let best: SourceRange = parsed.locations.value;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const alternatives = token === 'items' ? ['items', 'prefixItems'] : token === 'dependencies' ? ['dependencies', 'dependentRequired', 'dependentSchemas'] : [token];
    let found: string | undefined;
    for (const alt of alternatives) {
      const candidate = `${pointer}/${esc(alt)}`;
      if (locateInTree(parsed.locations, candidate) !== undefined) {
        found = candidate;
        break;
      }
    }
    if (found === undefined) break;
    pointer = found;
    const node = locateInTree(parsed.locations, pointer);
    // a property name's key is the place to point at; values otherwise
    best = (tokens[i - 1] === 'properties' ? node?.key : undefined) ?? node?.value ?? best;
  }
  return best;
}
