// Row → Avro value, exactly. Database drivers are told to hand over every value as the database's own
// text (no JS Date, no float for int8/numeric), and each field's converter parses that text into the
// Avro physical representation the schema declares. A value that does not fit is never rounded,
// truncated beyond the declared unit or coerced: the row is rejected with the failing field and the
// reason, and goes to the dead-letter target.
import avro from 'avsc';
import { parseJsonWithPositions } from '../formats/avro/json-positions.js';
import { parsePgArrayText } from './pg-array.js';
import { FrameSlab, type BodyEncoder } from './frames.js';
import { decimalByteLength, directRecord, writeTwosComplement, type DirectField, type DirectKind, type DirectRecord } from './avro-direct.js';

/** avsc packs the bytes `toBuffer` returns before it asks again, so one scratch buffer serves every write. */
const LONG_SCRATCH = Buffer.alloc(8);

const LONG_MIN = -(2n ** 63n);
const LONG_END = 2n ** 63n;

/**
 * 64-bit longs as bigint end to end: JS numbers lose int8 values beyond 2^53. The bounds are constants:
 * isValid runs for every long of every row, and computing 2n ** 63n there allocated two bigints each time.
 */
const BigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    LONG_SCRATCH.writeBigInt64LE(n);
    return LONG_SCRATCH;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' && n >= LONG_MIN && n < LONG_END,
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

export class MappingError extends Error {
  constructor(readonly field: string, reason: string) {
    super(reason);
  }
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = Json;
type Converter = (v: unknown, field: string) => unknown;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

function isObj(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A database value as text: what every converter parses, whatever driver handed it over. */
export function text(v: unknown, field: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (v instanceof Date) throw new MappingError(field, 'a JS Date reached the mapper; the source must hand over timestamps as text');
  if (isObj(v) || Array.isArray(v)) return JSON.stringify(v);
  throw new MappingError(field, `cannot read ${typeof v} as text`);
}

function integer(v: unknown, field: string): bigint {
  const s = text(v, field).trim();
  if (!/^[+-]?\d+$/.test(s)) throw new MappingError(field, `'${s}' is not an integer`);
  return BigInt(s);
}

/**
 * JSON from the database or an outbox payload, with every number kept as its exact digits (a string):
 * JSON.parse would round integers beyond 2^53 and long decimals before the exact converters see them.
 * The converters read numbers from text anyway. Malformed JSON is the row's fault: a MappingError.
 */
export function parseJsonExact(json: string, field: string): unknown {
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
      out += `"${json.slice(i, j)}"`;
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  try {
    return JSON.parse(out) as unknown;
  } catch (e) {
    throw new MappingError(field, `the value is not JSON: ${(e as Error).message}`);
  }
}

/** Days since 1970-01-01 of a proleptic Gregorian date (no Date objects: exact for every year). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** A real calendar date and clock time (MySQL's zero date, Feb 31 or 25:61 are not). */
function validCivil(y: number, m: number, d: number, hh = 0, mi = 0, ss = 0): boolean {
  if (m < 1 || m > 12 || d < 1 || hh > 23 || mi > 59 || ss > 59) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (m === 2 && leap ? 29 : MONTH_DAYS[m - 1]!);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const digitAt = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};

/**
 * The shape the sources print for almost every row — `YYYY-MM-DD HH:MM:SS[.f{1,6}]` with no zone, `Z` or
 * `+00` (the session zone is UTC) — read without a regular expression or BigInt arithmetic. Anything
 * else (other offsets, BC, 5-digit years, sub-microsecond digits, out of the safe range) returns
 * undefined and takes the general path, which gives the same result or the reason it has none.
 */
function fastTimestampMicros(s: string): bigint | undefined {
  const micros = fastTimestampMicrosNumber(s);
  return micros === undefined ? undefined : BigInt(micros);
}

/** fastTimestampMicros as a number (a safe integer), for the direct writer (avro-direct.ts). */
export function fastTimestampMicrosNumber(s: string): number | undefined {
  const n = s.length;
  if (n < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84) return undefined;
  const year = digitAt(s, 0) * 1000 + digitAt(s, 1) * 100 + digitAt(s, 2) * 10 + digitAt(s, 3);
  const month = digitAt(s, 5) * 10 + digitAt(s, 6);
  const day = digitAt(s, 8) * 10 + digitAt(s, 9);
  const hh = digitAt(s, 11) * 10 + digitAt(s, 12);
  const mi = digitAt(s, 14) * 10 + digitAt(s, 15);
  const ss = digitAt(s, 17) * 10 + digitAt(s, 18);
  if (Number.isNaN(year + month + day + hh + mi + ss) || hh > 23 || mi > 59 || ss > 59) return undefined;
  const clock = hh * 3600 + mi * 60 + ss;
  // rows of a keyset page are in timestamp order: most share the date of the row before
  const ymd = year * 10_000 + month * 100 + day;
  if (ymd !== lastDate.ymd) {
    if (!validCivil(year, month, day)) return undefined;
    lastDate.ymd = ymd;
    lastDate.days = daysFromCivil(year, month, day);
  }
  const days = lastDate.days;
  let i = 19;
  let us = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    let k = 0;
    for (; k < 6 && i < n; k++, i++) {
      const dg = digitAt(s, i);
      if (Number.isNaN(dg)) break;
      us = us * 10 + dg;
    }
    if (k === 0) return undefined;
    for (; k < 6; k++) us *= 10;
  }
  if (i < n && !utcZoneAt(s, i)) return undefined;
  const micros = (days * 86_400 + clock) * 1_000_000 + us;
  return Number.isSafeInteger(micros) ? micros : undefined;
}

/** The last valid date fastTimestampMicrosNumber read (yyyymmdd) and its day number. */
const lastDate = { ymd: -1, days: 0 };

/** `s` from `i` on is `+00`, `Z`, `z` or `+00:00` (the UTC session's zone), read without slicing. */
function utcZoneAt(s: string, i: number): boolean {
  const rest = s.length - i;
  if (rest === 1) {
    const c = s.charCodeAt(i);
    return c === 90 || c === 122;
  }
  if ((rest !== 3 && rest !== 6) || s.charCodeAt(i) !== 43 || s.charCodeAt(i + 1) !== 48 || s.charCodeAt(i + 2) !== 48) return false;
  return rest === 3 || (s.charCodeAt(i + 3) === 58 && s.charCodeAt(i + 4) === 48 && s.charCodeAt(i + 5) === 48);
}

/**
 * Parse a timestamp printed by PostgreSQL (`2024-01-02 03:04:05.123456+00`, ISO `T` form, offsets like
 * `+05:30`) or MySQL/MariaDB (`2024-01-02 03:04:05.123456`, session zone UTC) into exact microseconds
 * since the epoch. Values without an offset are taken as UTC (the sources set the session zone to UTC).
 */
export function parseTimestampMicros(s: string, field: string): bigint {
  const fast = fastTimestampMicros(s);
  if (fast !== undefined) return fast;
  const m = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(\s+BC)?$/i.exec(s.trim());
  if (!m) {
    if (/^-?infinity$/i.test(s.trim())) throw new MappingError(field, `timestamp '${s}' has no Avro representation`);
    throw new MappingError(field, `'${s}' is not a timestamp`);
  }
  const [, y, mo, d, hh = '0', mi = '0', ss = '0', frac = '', off, bc] = m;
  let year = Number(y);
  if (bc) year = 1 - year;
  if (!validCivil(year, Number(mo), Number(d), Number(hh), Number(mi), Number(ss))) throw new MappingError(field, `'${s}' is not a valid date and time`);
  if (frac.length > 6 && /[1-9]/.test(frac.slice(6))) throw new MappingError(field, `timestamp '${s}' has sub-microsecond digits`);
  // Whole seconds are exact as a double for any year; so are microseconds while they stay below 2^53
  // (years 1685–2255), which keeps the common case free of BigInt arithmetic.
  let secs = daysFromCivil(year, Number(mo), Number(d)) * 86_400 + Number(hh) * 3600 + Number(mi) * 60 + Number(ss);
  if (off && off.toUpperCase() !== 'Z') {
    const sign = off.startsWith('-') ? -1 : 1;
    const digits = off.slice(1).replace(/:/g, '');
    secs -= sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2, 4) || '0') * 60 + Number(digits.slice(4, 6) || '0'));
  }
  const us = frac.length >= 6 ? Number(frac.slice(0, 6)) : Number((frac + '000000').slice(0, 6));
  const micros = secs * 1_000_000 + us;
  if (Number.isSafeInteger(micros)) return BigInt(micros);
  return BigInt(secs) * 1_000_000n + BigInt(us);
}

function parseDateDays(s: string, field: string): number {
  const m = /^(\d{4,})-(\d{2})-(\d{2})(\s+BC)?$/i.exec(s.trim());
  if (!m) throw new MappingError(field, `'${s}' is not a date`);
  const year = m[4] ? 1 - Number(m[1]) : Number(m[1]);
  if (!validCivil(year, Number(m[2]), Number(m[3]))) throw new MappingError(field, `'${s}' is not a valid calendar date`);
  return daysFromCivil(year, Number(m[2]), Number(m[3]));
}

function parseTimeMicros(s: string, field: string): bigint {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(s.trim());
  if (!m) throw new MappingError(field, `'${s}' is not a time of day`);
  // 24:00:00 is a valid PostgreSQL time (the end of the day); anything past it is not
  const hms = Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
  if (Number(m[2]) > 59 || Number(m[3]) > 59 || hms > 86_400 || (hms === 86_400 && /[1-9]/.test(m[4] ?? ''))) throw new MappingError(field, `'${s}' is not a valid time of day`);
  return (BigInt(m[1]!) * 3600n + BigInt(m[2]!) * 60n + BigInt(m[3]!)) * 1_000_000n + BigInt(((m[4] ?? '') + '000000').slice(0, 6));
}

/** `-123.4500` at scale 2 → unscaled -12345n; more significant fractional digits than the scale → error. */
export function decimalUnscaled(s: string, scale: number, precision: number, field: string): bigint {
  const t = s.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new MappingError(field, /nan|infinity/i.test(t) ? `decimal '${t}' (NaN/Infinity) has no Avro representation` : `'${t}' is not a decimal number`);
  }
  const intPart = m[2] || '0';
  let frac = m[3] ?? '';
  if (frac.length > scale) {
    if (/[1-9]/.test(frac.slice(scale))) throw new MappingError(field, `${t} has more than the schema's ${scale} decimal places; it would be rounded`);
    frac = frac.slice(0, scale);
  }
  const digits = (intPart + frac.padEnd(scale, '0')).replace(/^0+(?=\d)/, '');
  if (digits.replace(/^0+/, '').length > precision) throw new MappingError(field, `${t} does not fit decimal(${precision},${scale})`);
  const v = BigInt(digits);
  return m[1] === '-' ? -v : v;
}

/** Minimal big-endian two's-complement bytes of an integer (Avro decimal on bytes). */
export function twosComplement(v: bigint, size?: number): Buffer {
  let hex = (v < 0n ? -v : v).toString(16);
  if (hex.length % 2) hex = '0' + hex;
  let bytes = Buffer.from(hex, 'hex');
  if (v < 0n) {
    // two's complement: invert and add one over a width that leaves room for the sign bit
    const width = bytes.length + ((bytes[0]! & 0x80) !== 0 || bytes.length === 0 ? 1 : 0);
    const mod = 1n << BigInt(width * 8);
    let h = (mod + v).toString(16).padStart(width * 2, '0');
    bytes = Buffer.from(h, 'hex');
    while (bytes.length > 1 && bytes[0] === 0xff && (bytes[1]! & 0x80) !== 0) bytes = bytes.subarray(1);
    h = '';
  } else if (bytes.length === 0 || (bytes[0]! & 0x80) !== 0) {
    bytes = Buffer.concat([Buffer.from([0]), bytes]);
  }
  if (size !== undefined) {
    if (bytes.length > size) throw new RangeError(`decimal needs ${bytes.length} bytes, fixed has ${size}`);
    const pad = Buffer.alloc(size - bytes.length, v < 0n ? 0xff : 0x00);
    bytes = Buffer.concat([pad, bytes]);
  }
  return bytes;
}

/**
 * The Avro bytes of a decimal column, as twosComplement(decimalUnscaled(…)) gives them: for the usual
 * money-sized value (an unscaled value below 2^47, digits only) without regular expressions, bigints or
 * hex strings; anything else, including every value either of them refuses, takes that general path.
 */
export function decimalBytes(s: string, scale: number, precision: number, field: string): Buffer {
  return smallDecimalBytes(s, scale, precision) ?? twosComplement(decimalUnscaled(s, scale, precision, field));
}

const SMALL_DECIMAL_LIMIT = 2 ** 47;

function smallDecimalBytes(s: string, scale: number, precision: number): Buffer | undefined {
  const v = smallDecimalUnscaled(s, scale, precision);
  if (v === undefined) return undefined;
  const len = decimalByteLength(v);
  const out = Buffer.allocUnsafe(len);
  writeTwosComplement(v, len, out, 0);
  return out;
}

/**
 * The signed unscaled value of a money-sized decimal text (|value| below 2^47, digits only, no more
 * significant fractional digits than the scale, within the precision); undefined for anything else,
 * which the general path (decimalUnscaled) reads or refuses.
 */
export function smallDecimalUnscaled(s: string, scale: number, precision: number): number | undefined {
  const n = s.length;
  let i = 0;
  let neg = false;
  const first = s.charCodeAt(0);
  if (first === 45) {
    neg = true;
    i = 1;
  } else if (first === 43) {
    i = 1;
  }
  let v = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (frac >= 0) return undefined;
      frac = 0;
      continue;
    }
    const d = c - 48;
    if (d < 0 || d > 9) return undefined;
    digits++;
    if (frac >= 0) {
      // zeros beyond the scale change nothing; another digit there is the general path's error
      if (frac === scale) {
        if (d !== 0) return undefined;
        continue;
      }
      frac++;
    }
    v = v * 10 + d;
    if (v >= SMALL_DECIMAL_LIMIT) return undefined;
  }
  if (digits === 0) return undefined;
  for (let k = frac < 0 ? 0 : frac; k < scale; k++) v *= 10;
  if (v >= SMALL_DECIMAL_LIMIT || (precision < 16 && v >= 10 ** precision)) return undefined;
  if (v === 0) return 0;
  return neg ? -v : v;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function bytesValue(v: unknown, field: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  const s = text(v, field);
  // PostgreSQL prints bytea as \x<hex> (bytea_output = hex, which the source sets)
  if (s.startsWith('\\x')) return Buffer.from(s.slice(2), 'hex');
  return Buffer.from(s, 'utf8');
}

function booleanValue(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = text(v, field).trim().toLowerCase();
  if (s === 't' || s === 'true' || s === '1') return true;
  if (s === 'f' || s === 'false' || s === '0') return false;
  throw new MappingError(field, `'${s}' is not a boolean`);
}

/** A name avsc accepts as it is (Avro Java also accepts letters and digits outside ASCII). */
const AVSC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One named type of the schema: its definition, the namespace its fields resolve in, its encoder name. */
interface NamedDef {
  node: Record<string, Json>;
  inner: string;
  safe: string;
  /** original symbol → encoder symbol, for an enum whose symbols avsc would not accept */
  symbols?: Map<string, string>;
}

/** original field name → encoder field name, for a record with a field name avsc would not accept */
type FieldNames = Map<string, string>;

/**
 * Builds converters and the physical avsc Type for one Avro record schema.
 *
 * The encoder is built from the schema the format layer already validated, never by avsc reading the
 * user's text: avsc refuses names outside ASCII and a named type used before its definition, both
 * valid in Avro (Java). Neither changes the binary encoding — records are positional, enums are
 * indexes, names are not written — so every named type is emitted in full at its first use under a
 * name (its own full name, or an ASCII stand-in _N0, _N1, ... where avsc refuses it), later uses refer to that name, and field names and enum symbols avsc would
 * refuse get ASCII stand-ins. The converters produce values with the stand-ins; the registry keeps the
 * user's text.
 */
export class AvroRowMapper {
  readonly type: avro.Type;
  private readonly defs = new Map<string, NamedDef>();
  /** the same definitions by their node: a definition resolves names where it is written, not where it is used */
  private readonly byNode = new Map<Record<string, Json>, NamedDef>();
  private readonly fieldNames = new Map<Record<string, Json>, FieldNames>();
  private readonly emitted = new Set<string>();
  private readonly frames = new FrameSlab();
  private readonly directs = new Map<string, DirectRecord | undefined>();
  private readonly fieldReaders = new Map<string, (value: Record<string, unknown>) => unknown>();
  private readonly fieldConverters: Array<{ field: string; key: string; column: string; schema: Schema; ns: string; convert: Converter; hasDefault: boolean; defaultValue: unknown }> = [];

  /** `schema` is the record's JSON (as parsed from an .avsc or built from an .avdl) */
  constructor(schemaJson: unknown, mapping: Record<string, string> = {}) {
    const schema = schemaJson as Schema;
    if (!isObj(schema) || schema.type !== 'record') throw new Error('publishing needs an Avro record schema at the top level');
    this.collect(schema, '');
    const physical = this.physical(schema, '');
    this.type = avro.Type.forSchema(physical as avro.Schema, { registry: { long: BigLong } as unknown as Record<string, avro.Type>, wrapUnions: true });
    const byField = new Map<string, string>();
    for (const [column, field] of Object.entries(mapping)) byField.set(field, column);
    const top = this.byNode.get(schema)!;
    const keys = this.fieldNames.get(schema)!;
    for (const f of (schema.fields as Json[]) ?? []) {
      if (!isObj(f) || typeof f.name !== 'string') continue;
      this.fieldConverters.push({
        field: f.name,
        key: keys.get(f.name) ?? f.name,
        column: byField.get(f.name) ?? f.name,
        schema: f.type as Schema,
        ns: top.inner,
        convert: this.converter(f.type as Schema, top.inner, f.name),
        hasDefault: 'default' in f,
        defaultValue: f.default,
      });
    }
  }

  /**
   * The mapper of an `.avsc` text (or the JSON an `.avdl` type was written as), read by the format
   * layer's JSON reader — comments, a byte order mark and repeated keys as lint, check and the registry
   * read them — never by a second, stricter reader.
   */
  static fromText(text: string, mapping: Record<string, string> = {}): AvroRowMapper {
    const json = parseJsonWithPositions(text, undefined, true);
    if (!json.ok) throw new Error(json.problems[0]?.message ?? 'the schema is not JSON');
    return new AvroRowMapper(json.value, mapping);
  }

  /** The columns the schema needs, after mapping. */
  columns(): string[] {
    return this.fieldConverters.map((c) => c.column);
  }

  /** The field read from this column has a default: a row without the column carries it (drift). */
  fillable(column: string): boolean {
    return this.fieldConverters.some((c) => c.column === column && c.hasDefault);
  }

  /** Why this column value would not map into its field, or undefined when it would (drift checks probe new column types with it). */
  rejects(column: string, value: string | null): string | undefined {
    const c = this.fieldConverters.find((x) => x.column === column);
    if (!c) return undefined;
    try {
      const v = c.convert(value, c.field);
      const f = (this.type as unknown as { fields: Array<{ name: string; type: avro.Type }> }).fields.find((x) => x.name === c.key);
      if (f && !f.type.isValid(v)) return `the value does not validate against the field's type`;
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** Map one row; throws MappingError naming the failing field. */
  map(columns: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const c of this.fieldConverters) {
      const present = Object.prototype.hasOwnProperty.call(columns, c.column);
      if (!present && !c.hasDefault) throw new MappingError(c.field, `the row has no column '${c.column}' and the field has no default`);
      const v = present ? columns[c.column] : undefined;
      out[c.key] = present ? c.convert(v, c.field) : this.defaultFor(c);
    }
    // the hook-free check is the fast path; the hook only runs to name the fields of a failing row
    if (this.type.isValid(out)) return out;
    const errors: string[] = [];
    // the path's first step is the encoder's field name: the user knows the field by the schema's
    const fieldOf = (key: string | undefined): string | undefined => this.fieldConverters.find((c) => c.key === key)?.field ?? key;
    if (!this.type.isValid(out, { errorHook: (path: string[]) => errors.push([fieldOf(path[0]), ...path.slice(1)].join('.')) })) {
      throw new MappingError(errors[0] ?? '(record)', `the mapped value does not validate against the schema at ${errors.join(', ') || 'the record'}`);
    }
    return out;
  }

  /** One field's value from one column value, exactly as `map` would convert it (keys of tombstones). */
  mapField(field: string, value: unknown): unknown {
    const c = this.fieldConverters.find((x) => x.field === field);
    if (!c) throw new MappingError(field, `the schema has no field '${field}'`);
    return this.asWritten(c, c.convert(value, field));
  }

  /** One field of a mapped value as the user knows it (an enum symbol back from its stand-in): message keys. */
  fieldOf(value: Record<string, unknown>, field: string): unknown {
    // asked for every event's key: the field's encoder key and its enum stand-ins are looked up once
    let read = this.fieldReaders.get(field);
    if (!read) {
      const c = this.fieldConverters.find((x) => x.field === field);
      if (!c) throw new MappingError(field, `the schema has no field '${field}'`);
      const def = typeof c.schema === 'string' ? this.resolve(c.schema, c.ns) : isObj(c.schema) ? this.byNode.get(c.schema) : undefined;
      read = def?.symbols ? (v) => this.asWritten(c, v[c.key]) : (v) => v[c.key];
      this.fieldReaders.set(field, read);
    }
    return read(value);
  }

  /** A field's encoder value as the user knows it: a key is the user's value, so an enum symbol goes back from its stand-in. */
  private asWritten(c: { schema: Schema; ns: string }, v: unknown): unknown {
    const def = typeof c.schema === 'string' ? this.resolve(c.schema, c.ns) : isObj(c.schema) ? this.byNode.get(c.schema) : undefined;
    if (def?.symbols && typeof v === 'string') {
      for (const [orig, safe] of def.symbols) if (safe === v) return orig;
    }
    return v;
  }

  encode(value: Record<string, unknown>): Buffer {
    return this.type.toBuffer(value);
  }

  /** The value in the Confluent wire format under `schemaId`, written into this mapper's shared slab (frames.ts). */
  frame(schemaId: number, value: Record<string, unknown>): Buffer {
    return this.frames.frame(schemaId, this.type as unknown as BodyEncoder, value);
  }

  /**
   * The direct writer of this schema's rows (avro-direct.ts), keyed by the field `keyField`; undefined
   * when a field has a type it does not write (nested records, arrays, maps, fixed, bytes, floats,
   * dates and times of day, unions other than [null, T]): every row then takes the general path.
   */
  direct(keyField?: string): DirectRecord | undefined {
    const cacheKey = keyField ?? '';
    if (this.directs.has(cacheKey)) return this.directs.get(cacheKey);
    const fields: DirectField[] = [];
    let ok = true;
    for (const c of this.fieldConverters) {
      const kind = this.directKind(c.schema, c.ns);
      if (!kind) {
        ok = false;
        break;
      }
      fields.push({ column: c.column, kind });
    }
    let keyIndex = keyField === undefined ? undefined : this.fieldConverters.findIndex((c) => c.field === keyField);
    // an enum whose symbols needed stand-ins: its key text is for the general path to say
    if (keyIndex !== undefined && (keyIndex < 0 || this.hasStandIns(this.fieldConverters[keyIndex]!))) keyIndex = undefined;
    const rec = ok ? directRecord(fields, { timestampMicros: fastTimestampMicrosNumber, smallDecimal: smallDecimalUnscaled }, keyIndex) : undefined;
    this.directs.set(cacheKey, rec);
    return rec;
  }

  /** The row in the Confluent wire format, written by `direct`; undefined: the row takes the general path. */
  frameDirect(rec: DirectRecord, schemaId: number, columns: Record<string, unknown>): Buffer | undefined {
    return this.frames.frameWith(schemaId, (buf, pos) => rec.write(columns, buf, pos));
  }

  private hasStandIns(c: { schema: Schema; ns: string }): boolean {
    const s = Array.isArray(c.schema) ? c.schema.find((b) => b !== 'null' && !(isObj(b) && b.type === 'null')) : c.schema;
    const def = typeof s === 'string' ? this.resolve(s, c.ns) : isObj(s) ? this.byNode.get(s) : undefined;
    return def?.symbols !== undefined;
  }

  /** What the direct writer makes of a field of schema `s`, or undefined where it leaves the field to the general path. */
  private directKind(s: Schema, ns: string): DirectKind | undefined {
    if (Array.isArray(s)) {
      if (s.length !== 2) return undefined;
      const isNull = (b: Schema) => b === 'null' || (isObj(b) && b.type === 'null');
      const nullIndex = isNull(s[0]!) ? 0 : isNull(s[1]!) ? 1 : -1;
      if (nullIndex < 0) return undefined;
      const other = s[1 - nullIndex]!;
      if (Array.isArray(other) || isNull(other)) return undefined;
      const inner = this.directKind(other, ns);
      return inner ? { kind: 'nullable', nullIndex: nullIndex as 0 | 1, inner } : undefined;
    }
    if (typeof s === 'string') {
      if (['long', 'int', 'string', 'boolean'].includes(s)) return { kind: s as 'long' | 'int' | 'string' | 'boolean' };
      const named = this.resolve(s, ns);
      return named ? this.directKind(named.node, ns) : undefined;
    }
    if (!isObj(s)) return undefined;
    const logical = s.logicalType;
    switch (s.type) {
      case 'enum':
        return { kind: 'enum', symbols: (s.symbols as string[]) ?? [] };
      case 'long':
        if (logical === 'timestamp-micros' || logical === 'local-timestamp-micros') return { kind: 'timestamp', unit: 'micros' };
        if (logical === 'timestamp-millis' || logical === 'local-timestamp-millis') return { kind: 'timestamp', unit: 'millis' };
        return logical === 'time-micros' ? undefined : { kind: 'long' };
      case 'int':
        return logical === 'date' || logical === 'time-millis' ? undefined : { kind: 'int' };
      case 'string':
        return logical === 'uuid' ? { kind: 'uuid' } : { kind: 'string' };
      case 'boolean':
        return { kind: 'boolean' };
      case 'bytes':
        return logical === 'decimal' ? { kind: 'decimal', scale: Number(s.scale ?? 0), precision: Number(s.precision) } : undefined;
      default:
        return undefined;
    }
  }

  private defaultFor(c: { key: string; schema: Schema; ns: string; defaultValue: unknown }): unknown {
    // Avro defaults are JSON; let avsc turn them into the physical value of the field's type (a union's
    // default may match any branch, as Avro Java reads it), after the default's names are put in the
    // encoder's terms
    const f = (this.type as unknown as { fields: Array<{ name: string; type: avro.Type }> }).fields.find((x) => x.name === c.key);
    if (!f) return undefined;
    const branches = (f.type as unknown as { types?: avro.Type[] }).types;
    if (branches && Array.isArray(c.schema)) {
      for (const [i, b] of branches.entries()) {
        try {
          const v = b.clone(this.safeValue(c.schema[i] as Schema, c.ns, c.defaultValue), { coerceBuffers: true });
          return b.typeName === 'null' ? null : { [b.branchName ?? b.typeName]: v };
        } catch {
          // not this branch
        }
      }
      return undefined;
    }
    return f.type.clone(this.safeValue(c.schema, c.ns, c.defaultValue), { coerceBuffers: true });
  }

  /** A JSON value of type `s` with field names and enum symbols as the encoder knows them. */
  private safeValue(s: Schema, ns: string, v: unknown): unknown {
    if (typeof s === 'string') {
      const def = this.resolve(s, ns);
      return def ? this.safeValue(def.node, ns, v) : v;
    }
    if (!isObj(s)) return v;
    const t = s.type;
    if (t === 'enum') {
      const def = this.byNode.get(s);
      return typeof v === 'string' ? (def?.symbols?.get(v) ?? v) : v;
    }
    if ((t === 'record' || t === 'error') && isObj(v)) {
      const def = this.byNode.get(s);
      const keys = this.fieldNames.get(s);
      const out: Record<string, unknown> = {};
      for (const fd of ((s.fields as Json[]) ?? []).filter(isObj)) {
        const name = String(fd.name);
        // a field the default leaves out takes its own default, as Avro Java reads a record default
        if (name in v || 'default' in fd) out[keys?.get(name) ?? name] = this.safeValue(fd.type as Schema, def?.inner ?? ns, name in v ? v[name] : fd.default);
      }
      return out;
    }
    if (t === 'array' && Array.isArray(v)) return v.map((x) => this.safeValue(s.items as Schema, ns, x));
    if (t === 'map' && isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.safeValue(s.values as Schema, ns, x)]));
    return v;
  }

  /** The full name of a named type's definition, as Avro resolves it (its own namespace first). */
  private defName(s: Record<string, Json>, ns: string): string {
    const name = String(s.name);
    if (name.includes('.')) return name;
    const space = typeof s.namespace === 'string' ? s.namespace : ns;
    return space ? `${space}.${name}` : name;
  }

  /** The definition a type name refers to from namespace `ns`. */
  private resolve(name: string, ns: string): NamedDef | undefined {
    if (name.includes('.') || !ns) return this.defs.get(name);
    return this.defs.get(`${ns}.${name}`) ?? this.defs.get(name);
  }

  /** Every named type of the schema, wherever it is defined (a use may come before the definition). */
  private collect(s: Schema, ns: string): void {
    if (Array.isArray(s)) {
      for (const b of s) this.collect(b, ns);
      return;
    }
    if (!isObj(s)) return;
    const t = s.type;
    if (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') {
      const full = this.defName(s, ns);
      if (this.defs.has(full)) return;
      const inner = full.includes('.') ? full.slice(0, full.lastIndexOf('.')) : '';
      // a name avsc accepts stays as written (full), so decoded values name union branches as before;
      // only a name it refuses gets a stand-in, never one the schema uses itself
      let safe = full;
      if (!full.split('.').every((part) => AVSC_NAME.test(part))) {
        let n = this.defs.size;
        while (this.defs.has(`_N${n}`)) n++;
        safe = `_N${n}`;
      }
      const def: NamedDef = { node: s, inner, safe };
      this.defs.set(full, def);
      this.byNode.set(s, def);
      if (t === 'enum') {
        const symbols = (s.symbols as string[]) ?? [];
        if (!symbols.every((x) => AVSC_NAME.test(x))) def.symbols = new Map(symbols.map((x, i) => [x, `S${i}`]));
      }
      if (t === 'record' || t === 'error') {
        const fields = ((s.fields as Json[]) ?? []).filter(isObj);
        const taken = new Set(fields.map((f) => String(f.name)));
        const keys: FieldNames = new Map();
        let n = 0;
        for (const f of fields) {
          const name = String(f.name);
          if (AVSC_NAME.test(name)) continue;
          while (taken.has(`_f${n}`)) n++;
          keys.set(name, `_f${n}`);
          taken.add(`_f${n}`);
        }
        this.fieldNames.set(s, keys);
        for (const f of fields) this.collect(f.type as Schema, inner);
      }
      return;
    }
    if (t === 'array') this.collect(s.items as Schema, ns);
    else if (t === 'map') this.collect(s.values as Schema, ns);
    else if (isObj(t) || Array.isArray(t)) this.collect(t, ns);
  }

  /**
   * The encoder's schema: logical types stripped so every long resolves to the bigint long, each named
   * type in full at its first use and by its ASCII name after, names avsc refuses replaced.
   */
  private physical(s: Schema, ns: string): Json {
    if (Array.isArray(s)) return s.map((b) => this.physical(b, ns));
    if (typeof s === 'string') {
      const def = this.resolve(s, ns);
      return def ? this.emit(def) : s;
    }
    if (!isObj(s)) return s;
    const t = s.type;
    if (t === 'record' || t === 'error' || t === 'enum' || t === 'fixed') return this.emit((this.byNode.get(s) ?? this.defs.get(this.defName(s, ns)))!);
    if (t === 'array') return { type: 'array', items: this.physical(s.items as Schema, ns) };
    if (t === 'map') return { type: 'map', values: this.physical(s.values as Schema, ns) };
    return this.physical(t as Schema, ns);
  }

  private emit(def: NamedDef): Json {
    if (this.emitted.has(def.safe)) return def.safe;
    this.emitted.add(def.safe);
    const s = def.node;
    if (s.type === 'enum') {
      // the enum's own default is for readers: it does not change the encoding
      const symbols = (s.symbols as string[]) ?? [];
      return { type: 'enum', name: def.safe, symbols: symbols.map((x) => def.symbols?.get(x) ?? x) };
    }
    if (s.type === 'fixed') return { type: 'fixed', name: def.safe, size: s.size as number };
    // Defaults and sort order do not change the encoding, and avsc is stricter than Avro Java about
    // both (a union default must match the first branch, order must be lower case): validity was
    // decided by the format layer, so they stay out of the encoder and defaults are converted above.
    const keys = this.fieldNames.get(s);
    return {
      type: 'record',
      name: def.safe,
      fields: ((s.fields as Json[]) ?? []).filter(isObj).map((f) => ({
        name: keys?.get(String(f.name)) ?? String(f.name),
        type: this.physical(f.type as Schema, def.inner),
      })),
    };
  }

  private converter(s: Schema, ns: string, field: string): Converter {
    if (Array.isArray(s)) {
      const branches = s.map((b) => ({ schema: b, name: this.branchName(b, ns), convert: this.converter(b, ns, field) }));
      const nullIdx = branches.findIndex((b) => b.name === 'null');
      const nonNull = branches.filter((b) => b.name !== 'null');
      return (v, f) => {
        if (v === null || v === undefined) {
          if (nullIdx < 0) throw new MappingError(f, 'the column is NULL but the field is not nullable');
          return null;
        }
        if (nonNull.length === 0) throw new MappingError(f, 'the field only accepts null');
        if (nonNull.length === 1) return { [nonNull[0]!.name]: nonNull[0]!.convert(v, f) };
        // several non-null branches: the first one that accepts the value, in schema order
        let last: unknown;
        for (const b of nonNull) {
          try {
            return { [b.name]: b.convert(v, f) };
          } catch (e) {
            last = e;
          }
        }
        throw last instanceof MappingError ? last : new MappingError(f, 'no union branch accepts the value');
      };
    }
    if (typeof s === 'string') {
      const named = this.resolve(s, ns);
      if (named) return this.converter(named.node, ns, field);
      return this.primitive(s, undefined, ns);
    }
    if (!isObj(s)) throw new Error(`unsupported schema node for field ${field}`);
    const t = s.type;
    if (t === 'enum') {
      const symbols = new Set((s.symbols as string[]) ?? []);
      const safe = this.byNode.get(s)?.symbols;
      const fallback = typeof s.default === 'string' ? s.default : undefined;
      return (v, f) => {
        if (v === null || v === undefined) throw new MappingError(f, 'the column is NULL but the field is not nullable');
        const sym = text(v, f);
        if (symbols.has(sym)) return safe?.get(sym) ?? sym;
        throw new MappingError(f, `'${sym}' is not a symbol of enum ${String(s.name)} (${[...symbols].join(', ')})${fallback ? `; the enum default ${fallback} is for readers, not for mapping unknown values` : ''}`);
      };
    }
    if (t === 'fixed') {
      const size = Number(s.size);
      if (s.logicalType === 'decimal') {
        const scale = Number(s.scale ?? 0);
        const precision = Number(s.precision);
        return (v, f) => {
          if (v === null || v === undefined) throw new MappingError(f, 'the column is NULL but the field is not nullable');
          try {
            return twosComplement(decimalUnscaled(text(v, f), scale, precision, f), size);
          } catch (e) {
            if (e instanceof MappingError) throw e;
            throw new MappingError(f, (e as Error).message);
          }
        };
      }
      return (v, f) => {
        const b = bytesValue(v, f);
        if (b.length !== size) throw new MappingError(f, `fixed(${size}) needs ${size} bytes, got ${b.length}`);
        return b;
      };
    }
    if (t === 'record' || t === 'error') {
      // a nested record comes as JSON (a json/jsonb column or part of a payload); its fields resolve
      // names in this schema (types defined earlier stay visible) and are built on first use, so a
      // recursive type does not recurse forever here
      const inner = this.byNode.get(s)?.inner ?? ns;
      const keys = this.fieldNames.get(s);
      let fields: Array<{ name: string; key: string; convert: Converter; hasDefault: boolean; dflt: unknown }> | undefined;
      const build = () =>
        ((s.fields as Json[]) ?? []).filter(isObj).map((fd) => ({
          name: String(fd.name), key: keys?.get(String(fd.name)) ?? String(fd.name), convert: this.converter(fd.type as Schema, inner, String(fd.name)), hasDefault: 'default' in fd, dflt: fd.default,
        }));
      return (v, f) => {
        if (v === null || v === undefined) throw new MappingError(f, 'the column is NULL but the field is not nullable');
        const obj = typeof v === 'string' || Buffer.isBuffer(v) ? parseJsonExact(text(v, f), f) : v;
        if (!isObj(obj)) throw new MappingError(f, 'the value is not a JSON object');
        fields ??= build();
        const out: Record<string, unknown> = {};
        for (const fd of fields) {
          const present = Object.prototype.hasOwnProperty.call(obj, fd.name);
          if (!present && !fd.hasDefault) throw new MappingError(`${f}.${fd.name}`, `the JSON object has no key '${fd.name}' and the field has no default`);
          out[fd.key] = fd.convert(present ? obj[fd.name] : fd.dflt, `${f}.${fd.name}`);
        }
        return out;
      };
    }
    if (t === 'array') {
      const item = this.converter(s.items as Schema, ns, field);
      return (v, f) => {
        const arr = typeof v === 'string' ? parseArrayText(v, f) : v;
        if (!Array.isArray(arr)) throw new MappingError(f, 'the column is not an array');
        return arr.map((x, i) => item(x, `${f}[${i}]`));
      };
    }
    if (t === 'map') {
      const val = this.converter(s.values as Schema, ns, field);
      return (v, f) => {
        const obj = typeof v === 'string' || Buffer.isBuffer(v) ? parseJsonExact(text(v, f), f) : v;
        if (!isObj(obj)) throw new MappingError(f, 'the value is not a JSON object');
        return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, val(x, `${f}.${k}`)]));
      };
    }
    return this.primitive(String(t), s, ns);
  }

  private branchName(b: Schema, ns: string): string {
    // avsc names a wrapped union's branch after the type's name: the encoder's name for a named type
    if (typeof b === 'string') return ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'].includes(b) ? b : (this.resolve(b, ns)?.safe ?? b);
    if (isObj(b)) {
      if (b.type === 'record' || b.type === 'error' || b.type === 'enum' || b.type === 'fixed') return (this.byNode.get(b) ?? this.defs.get(this.defName(b, ns)))!.safe;
      return String(b.type);
    }
    return 'unknown';
  }

  private primitive(name: string, attrs: Record<string, Json> | undefined, _ns: string): Converter {
    const logical = attrs?.logicalType;
    const nonNull = (conv: Converter): Converter => (v, f) => {
      if (v === null || v === undefined) {
        if (name === 'null') return null;
        throw new MappingError(f, 'the column is NULL but the field is not nullable');
      }
      return conv(v, f);
    };
    switch (name) {
      case 'null':
        return (v, f) => {
          if (v !== null && v !== undefined) throw new MappingError(f, 'the field only accepts null');
          return null;
        };
      case 'boolean':
        return nonNull(booleanValue);
      case 'int':
        if (logical === 'date') return nonNull((v, f) => parseDateDays(text(v, f), f));
        if (logical === 'time-millis') {
          return nonNull((v, f) => {
            const us = parseTimeMicros(text(v, f), f);
            if (us % 1000n !== 0n) throw new MappingError(f, `${text(v, f)} has microseconds; the schema's time-millis would drop them (use time-micros)`);
            return Number(us / 1000n);
          });
        }
        return nonNull((v, f) => {
          const n = integer(v, f);
          if (n < BigInt(INT_MIN) || n > BigInt(INT_MAX)) throw new MappingError(f, `${n} does not fit an Avro int (32-bit)`);
          return Number(n);
        });
      case 'long':
        if (logical === 'timestamp-micros' || logical === 'local-timestamp-micros') return nonNull((v, f) => parseTimestampMicros(text(v, f), f));
        if (logical === 'timestamp-millis' || logical === 'local-timestamp-millis') {
          return nonNull((v, f) => {
            const us = parseTimestampMicros(text(v, f), f);
            if (us % 1000n !== 0n) throw new MappingError(f, `${text(v, f)} has microseconds; the schema's timestamp-millis would drop them (use timestamp-micros)`);
            return us / 1000n;
          });
        }
        if (logical === 'time-micros') return nonNull((v, f) => parseTimeMicros(text(v, f), f));
        return nonNull(integer);
      case 'float':
      case 'double':
        return nonNull((v, f) => {
          const s = text(v, f).trim();
          if (s === 'NaN') return NaN;
          if (s === 'Infinity' || s === '-Infinity') return Number(s);
          // Number('') is 0 and Number('0x10') is 16: accept decimal notation only
          if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new MappingError(f, `'${s}' is not a number`);
          return Number(s);
        });
      case 'bytes':
        if (logical === 'decimal') {
          const scale = Number(attrs?.scale ?? 0);
          const precision = Number(attrs?.precision);
          return nonNull((v, f) => decimalBytes(text(v, f), scale, precision, f));
        }
        return nonNull(bytesValue);
      case 'string':
        if (logical === 'uuid') {
          return nonNull((v, f) => {
            const s = text(v, f);
            if (!UUID_RE.test(s)) throw new MappingError(f, `'${s}' is not a UUID`);
            return s.toLowerCase();
          });
        }
        return nonNull(text);
      default:
        throw new Error(`unknown Avro type ${name}`);
    }
  }
}

/** An array column: JSON array text, or PostgreSQL's array text. */
function parseArrayText(s: string, field: string): Array<string | null> {
  const t = s.trim();
  if (t.startsWith('[')) return parseJsonExact(t, field) as Array<string | null>;
  return parsePgArrayText(t, field);
}
