// Avro Parsing Canonical Form and the CRC-64-AVRO (Rabin) fingerprint, as the Avro specification
// defines them ("Parsing Canonical Form for Schemas", "Schema Fingerprints"). Two schemas with the
// same canonical form read and write the same bytes; registries compare schemas this way.

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);

export class CanonicalFormError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalFormError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Transforms a schema (a JSON value, or JSON text) into its Parsing Canonical Form: primitives in
 * simple form, full names, only the attributes that affect parsing (name, type, fields, symbols,
 * items, values, size) in that order, no whitespace. Throws CanonicalFormError on a value that is
 * not a schema at all (callers parse and validate first).
 */
export function toCanonicalForm(schema: unknown): string {
  return write(schema, '', new Set<string>(), 0);
}

/** Canonical form of schema JSON text (throws SyntaxError on invalid JSON). */
export function canonicalFormOfText(text: string): string {
  return toCanonicalForm(JSON.parse(text) as unknown);
}

function fullNameOf(name: string, namespace: string): string {
  if (name.includes('.')) return name;
  return namespace === '' ? name : `${namespace}.${name}`;
}

function resolveRef(name: string, namespace: string, defined: Set<string>): string {
  if (name.includes('.') || namespace === '') return name;
  const qualified = `${namespace}.${name}`;
  if (defined.has(qualified)) return qualified;
  // Java falls back to the null namespace for a short name not found in the enclosing one.
  if (defined.has(name)) return name;
  return qualified;
}

function write(schema: unknown, namespace: string, defined: Set<string>, depth: number): string {
  if (depth > 1000) throw new CanonicalFormError('schema nesting is too deep for a canonical form');
  if (typeof schema === 'string') {
    return JSON.stringify(PRIMITIVES.has(schema) ? schema : resolveRef(schema, namespace, defined));
  }
  if (Array.isArray(schema)) {
    return '[' + schema.map((branch) => write(branch, namespace, defined, depth + 1)).join(',') + ']';
  }
  if (!isPlainObject(schema)) throw new CanonicalFormError(`${JSON.stringify(schema)} is not an Avro schema`);
  const type = schema.type;
  if (typeof type !== 'string') {
    if (type !== undefined && typeof type === 'object') return write(type, namespace, defined, depth + 1);
    throw new CanonicalFormError('schema object without a "type" name');
  }
  switch (type) {
    case 'array':
      return `{"type":"array","items":${write(schema.items, namespace, defined, depth + 1)}}`;
    case 'map':
      return `{"type":"map","values":${write(schema.values, namespace, defined, depth + 1)}}`;
    case 'record':
    case 'error':
    case 'enum':
    case 'fixed': {
      if (typeof schema.name !== 'string') throw new CanonicalFormError(`a ${type} needs a name`);
      const ns = schema.name.includes('.') ? '' : typeof schema.namespace === 'string' ? schema.namespace : namespace;
      const fullName = fullNameOf(schema.name, ns);
      defined.add(fullName);
      const innerNs = fullName.includes('.') ? fullName.slice(0, fullName.lastIndexOf('.')) : '';
      let out = `{"name":${JSON.stringify(fullName)},"type":${JSON.stringify(type)}`;
      if (type === 'enum') {
        const symbols = Array.isArray(schema.symbols) ? schema.symbols : [];
        out += `,"symbols":[${symbols.map((s) => JSON.stringify(String(s))).join(',')}]`;
      } else if (type === 'fixed') {
        // INTEGERS: written without quotes or leading zeros.
        out += `,"size":${Number(schema.size)}`;
      } else {
        const fields = Array.isArray(schema.fields) ? schema.fields : [];
        const parts = fields.map((field) => {
          if (!isPlainObject(field)) throw new CanonicalFormError('a field must be an object');
          return `{"name":${JSON.stringify(String(field.name))},"type":${write(field.type, innerNs, defined, depth + 1)}}`;
        });
        out += `,"fields":[${parts.join(',')}]`;
      }
      return out + '}';
    }
    default:
      if (PRIMITIVES.has(type)) return JSON.stringify(type);
      return JSON.stringify(resolveRef(type, namespace, defined));
  }
}

const EMPTY64 = 0xc15d213aa4d7a795n;
let table: { hi: Uint32Array; lo: Uint32Array } | undefined;

/**
 * The CRC table, built on first use: its bigint arithmetic allocates about 300 kB, which at load would
 * cost every lint run (which fingerprints nothing) a garbage collection.
 */
function crcTable(): { hi: Uint32Array; lo: Uint32Array } {
  if (table !== undefined) return table;
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let fp = BigInt(i);
    for (let j = 0; j < 8; j++) fp = (fp >> 1n) ^ (EMPTY64 & -(fp & 1n));
    hi[i] = Number(fp >> 32n);
    lo[i] = Number(fp & 0xffffffffn);
  }
  return (table = { hi, lo });
}

/** CRC-64-AVRO of some bytes (or of the UTF-8 encoding of a string), as an unsigned 64-bit bigint. */
export function crc64Avro(data: string | Uint8Array): bigint {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const { hi: TABLE_HI, lo: TABLE_LO } = crcTable();
  // Two 32-bit halves avoid bigint arithmetic per byte.
  let hi = Number(EMPTY64 >> 32n) >>> 0;
  let lo = Number(EMPTY64 & 0xffffffffn) >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    const index = (lo ^ (bytes[i] ?? 0)) & 0xff;
    const shiftedLo = ((lo >>> 8) | (hi << 24)) >>> 0;
    const shiftedHi = hi >>> 8;
    lo = (shiftedLo ^ (TABLE_LO[index] ?? 0)) >>> 0;
    hi = (shiftedHi ^ (TABLE_HI[index] ?? 0)) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The 64-bit Rabin fingerprint of a schema's canonical form, unsigned. Java's `long` is `BigInt.asIntN(64, fp)`. */
export function fingerprint64(schema: unknown): bigint {
  return crc64Avro(toCanonicalForm(schema));
}

/** The fingerprint as 16 lowercase hex digits, most significant first. */
export function fingerprint64Hex(schema: unknown): string {
  return fingerprint64(schema).toString(16).padStart(16, '0');
}
