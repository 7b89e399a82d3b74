// Database rows → JSON Schema events: each property of the schema's root object takes its column (or
// the column `mapping` renames to it), converted from the database's text by the property's type, and
// the whole value is validated against the schema (its draft, its references) before it is encoded as
// UTF-8 JSON. Numbers keep their exact digits (an int8 or a numeric never passes through a double on the
// way to the topic); timestamps become RFC 3339 text. A row that does not fit is a MappingError naming
// the field, and goes to the dead-letter target as Avro and Protobuf rows do.
import { compileValidator } from '../formats/jsonschema/index.js';
import type { JsonSchemaReference, ValidateLike } from '../formats/jsonschema/index.js';
import { MappingError, text } from './mapping.js';

export { MappingError } from './mapping.js';

/** A JSON number kept as its exact decimal digits (what the database wrote). */
class JsonNumber {
  constructor(readonly digits: string) {}
  toJSON(): number {
    return Number(this.digits);
  }
}

type Converter = (v: unknown, field: string) => unknown;

interface PropertyPlan {
  field: string;
  column: string;
  required: boolean;
  nullable: boolean;
  convert: Converter;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NUMBER_RE = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** The JSON types a property schema admits (`type`, a `type` list, the branches of anyOf/oneOf), following local `$ref`s. */
function typesOf(schema: unknown, root: unknown, docs: ReadonlyMap<string, unknown>, seen = new Set<unknown>()): Set<string> | undefined {
  if (!isObj(schema) || seen.has(schema)) return undefined;
  seen.add(schema);
  if (typeof schema.$ref === 'string') {
    const [base = '', fragment = ''] = schema.$ref.split('#');
    const doc = base === '' ? root : docs.get(base);
    return typesOf(resolvePointer(doc, fragment), doc, docs, seen);
  }
  if (typeof schema.type === 'string') return new Set([schema.type]);
  if (Array.isArray(schema.type)) return new Set(schema.type.filter((t): t is string => typeof t === 'string'));
  for (const k of ['anyOf', 'oneOf'] as const) {
    const list = schema[k];
    if (!Array.isArray(list)) continue;
    const out = new Set<string>();
    for (const b of list) {
      const t = typesOf(b, root, docs, seen);
      if (!t) return undefined;
      for (const x of t) out.add(x);
    }
    return out;
  }
  if (Array.isArray(schema.enum)) {
    return new Set(schema.enum.map((v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? 'number' : typeof v)));
  }
  return undefined;
}

function formatOf(schema: unknown, root: unknown): string | undefined {
  if (!isObj(schema)) return undefined;
  if (typeof schema.format === 'string') return schema.format;
  if (typeof schema.$ref === 'string' && schema.$ref.startsWith('#')) return formatOf(resolvePointer(root, schema.$ref.slice(1)), root);
  for (const k of ['anyOf', 'oneOf'] as const) {
    const list = schema[k];
    if (Array.isArray(list)) for (const b of list) { const f = formatOf(b, root); if (f) return f; }
  }
  return undefined;
}

function resolvePointer(root: unknown, pointer: string): unknown {
  if (pointer === '' || pointer === '/') return root;
  let v: unknown = root;
  for (const raw of pointer.replace(/^\//, '').split('/')) {
    const t = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObj(v) && !Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[t];
  }
  return v;
}

/** PostgreSQL/MySQL timestamp text (`2026-11-06 10:30:00.5+00`) as RFC 3339 (`2026-11-06T10:30:00.5+00:00`). */
export function rfc3339(s: string, field: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(s.trim());
  if (!m) throw new MappingError(field, `'${s}' is not a timestamp`);
  let zone = m[3] ?? '';
  if (zone === '') throw new MappingError(field, `timestamp '${s}' has no UTC offset; a date-time needs one (use timestamptz, or a UTC column)`);
  if (zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    zone = `${zone[0]}${digits.slice(0, 2)}:${digits.length > 2 ? digits.slice(2, 4) : '00'}`;
  }
  return `${m[1]}T${m[2]}${zone}`;
}

function converterFor(types: Set<string> | undefined, format: string | undefined): Converter {
  const wants = (t: string): boolean => types === undefined || types.has(t);
  return (v, field) => {
    if (v === null || v === undefined) return null;
    if (Buffer.isBuffer(v) && !wants('string')) throw new MappingError(field, 'binary data has no JSON representation here; use a string property with contentEncoding base64');
    if (Buffer.isBuffer(v)) return v.toString('base64');
    const s = text(v, field);
    if (types !== undefined && types.size > 0 && [...types].every((t) => t === 'null')) throw new MappingError(field, 'the property only admits null');
    if ((wants('object') || wants('array')) && (isObj(v) || Array.isArray(v) || /^\s*[[{]/.test(s)) && !(types?.has('string') ?? false)) {
      return parseJsonNumbersExact(s, field);
    }
    if (wants('integer') && /^[+-]?\d+$/.test(s.trim())) return new JsonNumber(s.trim().replace(/^\+/, ''));
    if (wants('number') && !wants('string')) {
      const t = s.trim();
      if (!NUMBER_RE.test(t)) throw new MappingError(field, /nan|infinity/i.test(t) ? `'${t}' has no JSON number representation` : `'${t}' is not a number`);
      return new JsonNumber(t);
    }
    if (wants('integer') && !wants('string')) throw new MappingError(field, `'${s}' is not an integer`);
    if (wants('boolean') && !wants('string')) {
      const t = s.trim().toLowerCase();
      if (t === 't' || t === 'true' || t === '1') return true;
      if (t === 'f' || t === 'false' || t === '0') return false;
      throw new MappingError(field, `'${s}' is not a boolean`);
    }
    if (format === 'date-time') return rfc3339(s, field);
    return s;
  };
}

const NUMBER_MARK = '\u0000\u0001json-number:';

/**
 * A json/jsonb column as JSON with every number kept as its exact digits (a JsonNumber): JSON.parse
 * would round integers beyond 2^53 and long decimals. Malformed JSON is the row's fault: a MappingError.
 */
export function parseJsonNumbersExact(json: string, field: string): unknown {
  let out = '';
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < n && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      out += json.slice(i, j + 1);
      i = j + 1;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(json[j]!)) j++;
      out += JSON.stringify(NUMBER_MARK + json.slice(i, j));
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  try {
    return JSON.parse(out, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(NUMBER_MARK) ? new JsonNumber(v.slice(NUMBER_MARK.length)) : v)) as unknown;
  } catch (e) {
    throw new MappingError(field, `the value is not JSON: ${(e as Error).message}`);
  }
}

/** Serializes a mapped value, writing JsonNumbers as their exact digits. */
export function stringifyExact(value: unknown): string {
  if (value instanceof JsonNumber) return value.digits;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(stringifyExact).join(',')}]`;
  if (isObj(value)) {
    return `{${Object.entries(value).filter(([, x]) => x !== undefined).map(([k, x]) => `${JSON.stringify(k)}:${stringifyExact(x)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The value as ajv validates it: JsonNumbers as JS numbers (limits on integers beyond 2^53 are approximate). */
function forValidation(value: unknown): unknown {
  if (value instanceof JsonNumber) return Number(value.digits);
  if (Array.isArray(value)) return value.map(forValidation);
  if (isObj(value)) return Object.fromEntries(Object.entries(value).filter(([, x]) => x !== undefined).map(([k, x]) => [k, forValidation(x)]));
  return value;
}

/** Maps database rows onto a JSON Schema's root object and encodes them as UTF-8 JSON. */
export class JsonRowMapper {
  private readonly plans: PropertyPlan[] = [];
  private readonly validate: ValidateLike;

  /** `schema` is the parsed JSON Schema document; `references` the documents its `$ref`s name. */
  constructor(schema: unknown, references: readonly JsonSchemaReference[] = [], mapping: Record<string, string> = {}) {
    let root: unknown = schema;
    if (isObj(root) && typeof root.$ref === 'string' && root.$ref.startsWith('#')) root = resolvePointer(schema, root.$ref.slice(1));
    if (!isObj(root) || !isObj(root.properties)) {
      throw new Error('publishing a JSON Schema stream needs an object schema with `properties` at the top level (each property takes a column)');
    }
    const docs = new Map<string, unknown>();
    for (const r of references) {
      try {
        docs.set(r.name, JSON.parse(r.schema));
      } catch {
        // an unreadable reference was refused by the gate's parse already
      }
    }
    const required = new Set(Array.isArray(root.required) ? root.required.filter((r): r is string => typeof r === 'string') : []);
    const byField = new Map<string, string>();
    for (const [column, field] of Object.entries(mapping)) byField.set(field, column);
    for (const [field, prop] of Object.entries(root.properties)) {
      const types = typesOf(prop, schema, docs);
      this.plans.push({
        field,
        column: byField.get(field) ?? field,
        required: required.has(field),
        // NULL becomes null only where the schema admits null (or anything); otherwise the property is left out
        nullable: types === undefined ? isObj(prop) && Object.keys(prop).every((k) => k === 'description' || k === 'title') || prop === true : types.has('null'),
        convert: converterFor(types === undefined ? undefined : new Set([...types].filter((t) => t !== 'null')), formatOf(prop, schema)),
      });
    }
    this.validate = compileValidator(schema, references);
  }

  /** The columns the schema needs, after mapping. */
  columns(): string[] {
    return this.plans.map((p) => p.column);
  }

  /** The property read from this column is optional: a row without the column leaves it out (drift). */
  fillable(column: string): boolean {
    return this.plans.some((p) => p.column === column && !p.required);
  }

  /**
   * Why this column value would not map into its property, or undefined when it would (drift checks
   * probe new column types with it): the property's converter decides, as in `map`.
   */
  rejects(column: string, value: string | null): string | undefined {
    const p = this.plans.find((x) => x.column === column);
    if (!p) return undefined;
    if (value === null) return p.nullable || !p.required ? undefined : `the property '${p.field}' is required and does not admit null`;
    try {
      p.convert(value, p.field);
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Map one row; throws MappingError naming the failing field. */
  map(columns: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const p of this.plans) {
      const present = Object.prototype.hasOwnProperty.call(columns, p.column);
      const v = present ? columns[p.column] : undefined;
      if (v === null || v === undefined) {
        // NULL: null where the schema admits it; otherwise the property is left out (absent is what an
        // optional property allows), and a required one fails validation below with its name
        if (p.nullable && present) out[p.field] = null;
        continue;
      }
      out[p.field] = p.convert(v, p.field);
    }
    if (this.validate(forValidation(out))) return out;
    const errors = this.validate.errors ?? [];
    const first = errors[0];
    const field = first ? fieldOfError(first) : '(record)';
    const detail = errors.slice(0, 3).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${missingOf(e)}`).join('; ');
    throw new MappingError(field, `the mapped value does not validate against the JSON Schema: ${detail}`);
  }

  /** One property's value from one column value, as `map` converts it (keys of tombstones). */
  mapField(field: string, value: unknown): unknown {
    const p = this.plans.find((x) => x.field === field);
    if (!p) throw new MappingError(field, `the schema has no property '${field}'`);
    const v = value === null || value === undefined ? null : p.convert(value, field);
    return v instanceof JsonNumber ? v.digits : v;
  }

  /** One property of a mapped value (message keys): numbers as their digits. */
  fieldOf(value: Record<string, unknown>, field: string): unknown {
    const v = value[field];
    return v instanceof JsonNumber ? v.digits : v;
  }

  encode(value: Record<string, unknown>): Buffer {
    return Buffer.from(stringifyExact(value), 'utf8');
  }
}

function fieldOfError(e: { instancePath: string; params?: unknown }): string {
  const first = e.instancePath.split('/')[1];
  if (first) return first.replace(/~1/g, '/').replace(/~0/g, '~');
  const missing = (e.params as { missingProperty?: unknown } | undefined)?.missingProperty;
  return typeof missing === 'string' ? missing : '(record)';
}

function missingOf(e: { params?: unknown }): string {
  const missing = (e.params as { missingProperty?: unknown } | undefined)?.missingProperty;
  return typeof missing === 'string' ? ` (the row has no value for '${missing}')` : '';
}
