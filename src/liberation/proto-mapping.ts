// Row → Protobuf message, exactly. The sources hand over every value as the database's own text; each
// field's converter parses that text into the value the .proto declares (int64 as decimal text, never a
// float; enums by symbol name; Timestamp/Date/Money/Duration from their database forms). A value that
// does not fit is never rounded, defaulted or coerced: the row is rejected with the failing field and the
// reason (MappingError), as AvroRowMapper does, and goes to the dead-letter target.
//
// Proto3 fields without presence cannot tell "unset" from the zero value, so a NULL for such a field is
// refused instead of being published as 0 / "" / false; `optional`, oneof members, message fields and the
// google.protobuf wrappers carry NULL as "not set".
import protobuf from 'protobufjs';
import type { SchemaReferenceText } from '../compat/types.js';
import { WELL_KNOWN_FILES } from '../formats/protobuf/well-known.js';
import { MappingError, parseJsonExact, parseTimestampMicros, text } from './mapping.js';
import { parsePgArrayText } from './pg-array.js';

export { MappingError } from './mapping.js';

export interface ProtoSchemaSource {
  /** the .proto text as registered */
  text: string;
  /** display name for errors */
  file?: string;
  /** imports other than the embedded well-known ones (`name` = import path), as the registry holds them */
  references?: readonly SchemaReferenceText[];
}

export interface ProtoMapperOptions {
  /** `pkg.Message`, `.pkg.Message` or a simple name unique in the file; default: the file's single event root */
  selector?: string;
  /** column → field name, as in the catalog's source `mapping` */
  mapping?: Record<string, string>;
}

type Converter = (v: unknown, field: string) => unknown;
type Plain = Record<string, unknown>;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
// google.protobuf.Timestamp is defined for 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999999Z
const TS_MIN_SECONDS = -62_135_596_800n;
const TS_MAX_SECONDS = 253_402_300_799n;
// google.protobuf.Duration: ±10,000 years
const DURATION_MAX_SECONDS = 315_576_000_000n;
const FLOAT_MAX = 3.4028234663852886e38;

function isObj(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function integer(v: unknown, field: string): bigint {
  // a JSON number beyond 2^53 was already rounded by JSON.parse: refuse rather than publish the rounded value
  if (typeof v === 'number' && !Number.isSafeInteger(v)) {
    throw new MappingError(field, Number.isInteger(v) ? `${v} lost precision as a JSON number; write 64-bit integers as JSON strings` : `${v} is not an integer`);
  }
  const s = text(v, field).trim();
  if (!/^[+-]?\d+$/.test(s)) throw new MappingError(field, `'${s}' is not an integer`);
  return BigInt(s);
}

function ranged(min: bigint, max: bigint, what: string): (v: unknown, f: string) => bigint {
  return (v, f) => {
    const n = integer(v, f);
    if (n < min || n > max) throw new MappingError(f, `${n} does not fit ${what}`);
    return n;
  };
}

const SCALAR_INTEGERS: Record<string, { min: bigint; max: bigint; long: boolean }> = {
  int32: { min: -(2n ** 31n), max: 2n ** 31n - 1n, long: false },
  sint32: { min: -(2n ** 31n), max: 2n ** 31n - 1n, long: false },
  sfixed32: { min: -(2n ** 31n), max: 2n ** 31n - 1n, long: false },
  uint32: { min: 0n, max: 2n ** 32n - 1n, long: false },
  fixed32: { min: 0n, max: 2n ** 32n - 1n, long: false },
  int64: { min: INT64_MIN, max: INT64_MAX, long: true },
  sint64: { min: INT64_MIN, max: INT64_MAX, long: true },
  sfixed64: { min: INT64_MIN, max: INT64_MAX, long: true },
  uint64: { min: 0n, max: UINT64_MAX, long: true },
  fixed64: { min: 0n, max: UINT64_MAX, long: true },
};

function floating(single: boolean): Converter {
  return (v, f) => {
    if (typeof v === 'number') return checkFloat(v, single, f, String(v));
    const s = text(v, f).trim();
    let n: number;
    if (s === 'NaN') n = NaN;
    else if (s === 'Infinity') n = Infinity;
    else if (s === '-Infinity') n = -Infinity;
    else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) n = Number(s);
    else throw new MappingError(f, `'${s}' is not a number`);
    return checkFloat(n, single, f, s);
  };
}

function checkFloat(n: number, single: boolean, f: string, shown: string): number {
  if (single && Number.isFinite(n) && Math.abs(n) > FLOAT_MAX) throw new MappingError(f, `${shown} is beyond the range of a 32-bit float`);
  return n;
}

function booleanValue(v: unknown, field: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = text(v, field).trim().toLowerCase();
  if (s === 't' || s === 'true' || s === '1') return true;
  if (s === 'f' || s === 'false' || s === '0') return false;
  throw new MappingError(field, `'${s}' is not a boolean`);
}

function bytesValue(v: unknown, field: string): Buffer {
  if (Buffer.isBuffer(v)) return v;
  const s = text(v, field);
  // PostgreSQL prints bytea as \x<hex> (bytea_output = hex, which the sources set)
  if (s.startsWith('\\x')) {
    const hex = s.slice(2);
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new MappingError(field, `'${s.length > 40 ? s.slice(0, 40) + '…' : s}' is not valid \\x hex`);
    return Buffer.from(hex, 'hex');
  }
  return Buffer.from(s, 'utf8');
}

function jsonValue(v: unknown, field: string): unknown {
  if (typeof v !== 'string' && !Buffer.isBuffer(v)) return v;
  return parseJsonExact(text(v, field), field);
}

/** google.protobuf.Struct/Value/ListValue hold JSON numbers as doubles by definition: plain JSON.parse. */
function jsonDoubles(v: unknown, field: string): unknown {
  if (typeof v !== 'string' && !Buffer.isBuffer(v)) return v;
  try {
    return JSON.parse(text(v, field)) as unknown;
  } catch (e) {
    throw new MappingError(field, `the value is not JSON: ${(e as Error).message}`);
  }
}

/** PostgreSQL one-dimensional array text `{a,"b c",NULL}`, or a JSON array. */
function arrayValue(v: unknown, field: string): unknown[] {
  if (Array.isArray(v)) return v;
  const t = text(v, field).trim();
  if (t.startsWith('[')) {
    const parsed = jsonValue(t, field);
    if (!Array.isArray(parsed)) throw new MappingError(field, 'the column is not an array');
    return parsed;
  }
  return parsePgArrayText(t, field);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

function isInfinity(s: string): boolean {
  return /^[+-]?infinity$/i.test(s.trim());
}

/** Timestamp text (PostgreSQL, MySQL, RFC 3339) → seconds + non-negative nanos, exact to the nanosecond. */
export function timestampValue(v: unknown, field: string): { seconds: string; nanos: number } {
  const s = text(v, field).trim();
  if (isInfinity(s)) throw new MappingError(field, `timestamp '${s}' has no google.protobuf.Timestamp representation`);
  // parseTimestampMicros works in microseconds; digits 7–9 of the fraction are carried separately
  let extra = 0n;
  let micText = s;
  const frac = /\.(\d+)/.exec(s);
  if (frac && frac[1]!.length > 6) {
    const digits = frac[1]!;
    if (digits.length > 9 && /[1-9]/.test(digits.slice(9))) throw new MappingError(field, `timestamp '${s}' has digits below the nanosecond`);
    extra = BigInt(digits.slice(6, 9).padEnd(3, '0'));
    micText = s.slice(0, frac.index) + '.' + digits.slice(0, 6) + s.slice(frac.index + 1 + digits.length);
  }
  const total = parseTimestampMicros(micText, field) * 1000n + extra;
  let seconds = total / 1_000_000_000n;
  let nanos = total % 1_000_000_000n;
  if (nanos < 0n) {
    nanos += 1_000_000_000n;
    seconds -= 1n;
  }
  if (seconds < TS_MIN_SECONDS || seconds > TS_MAX_SECONDS) throw new MappingError(field, `timestamp '${s}' is outside 0001-01-01..9999-12-31, the range of google.protobuf.Timestamp`);
  return { seconds: seconds.toString(), nanos: Number(nanos) };
}

/** Date text `YYYY-MM-DD` → google.type.Date. */
export function dateValue(v: unknown, field: string): { year: number; month: number; day: number } {
  const s = text(v, field).trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new MappingError(field, isInfinity(s) || /BC$/i.test(s) ? `date '${s}' has no google.type.Date representation (years 1..9999)` : `'${s}' is not a date`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw new MappingError(field, `'${s}' is not a valid calendar date`);
  return { year, month, day };
}

/** Time text `HH:MM:SS[.fraction]` → google.type.TimeOfDay. */
export function timeOfDayValue(v: unknown, field: string): { hours: number; minutes: number; seconds: number; nanos: number } {
  const s = text(v, field).trim();
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(s);
  if (!m) throw new MappingError(field, /[+-]\d{2}(:?\d{2})?$/.test(s) ? `'${s}' carries a UTC offset, which google.type.TimeOfDay cannot hold` : `'${s}' is not a time of day`);
  const [hours, minutes, seconds] = [Number(m[1]), Number(m[2]), Number(m[3] ?? '0')];
  const nanos = Number((m[4] ?? '').padEnd(9, '0'));
  const endOfDay = hours === 24 && minutes === 0 && seconds === 0 && nanos === 0;
  if ((hours > 23 && !endOfDay) || minutes > 59 || seconds > 59) throw new MappingError(field, `'${s}' is not a valid time of day`);
  return { hours, minutes, seconds, nanos };
}

/** Exact decimal text → units + nanos with the same sign (google.type.Money's and Duration's shape). */
export function unitsAndNanos(s: string, field: string, what: string): { units: bigint; nanos: number } {
  const t = s.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) {
    throw new MappingError(field, /nan|infinity/i.test(t) ? `'${t}' has no ${what} representation` : `'${t}' is not a decimal number`);
  }
  const frac = m[3] ?? '';
  if (frac.length > 9 && /[1-9]/.test(frac.slice(9))) throw new MappingError(field, `${t} has more than the 9 decimal places of ${what}; it would be rounded`);
  const neg = m[1] === '-';
  const units = BigInt(m[2] || '0');
  const nanos = Number(frac.slice(0, 9).padEnd(9, '0'));
  return { units: neg ? -units : units, nanos: neg && nanos !== 0 ? -nanos : nanos };
}

/** google.type.Money from `12.34 USD`, `USD 12.34` or a JSON object of the message. */
function moneyText(s: string, field: string): Plain {
  const t = s.trim();
  let code: string | undefined;
  let amount: string | undefined;
  const a = /^([A-Z]{3})\s+(\S+)$/.exec(t);
  const b = /^(\S+)\s+([A-Z]{3})$/.exec(t);
  if (a) [code, amount] = [a[1], a[2]];
  else if (b) [amount, code] = [b[1], b[2]];
  if (code === undefined || amount === undefined) {
    throw new MappingError(field, /^[+-]?\d*\.?\d*$/.test(t)
      ? `'${t}' has no currency; google.type.Money needs one: select the amount with its ISO 4217 code, e.g. amount || ' ' || currency → '12.34 USD'`
      : `'${t}' is not an amount with an ISO 4217 currency code ('12.34 USD')`);
  }
  const { units, nanos } = unitsAndNanos(amount, field, 'google.type.Money');
  if (units < INT64_MIN || units > INT64_MAX) throw new MappingError(field, `${amount} does not fit google.type.Money (64-bit units)`);
  return { currency_code: code, units: units.toString(), nanos };
}

/**
 * google.protobuf.Duration from PostgreSQL interval text (`1 day 02:03:04.5`, `-00:00:01`), protobuf
 * JSON (`3.5s`) or plain seconds. Months and years have no fixed length and are refused.
 */
export function durationValue(v: unknown, field: string): { seconds: string; nanos: number } {
  const s = text(v, field).trim();
  let units: bigint;
  let nanos: number;
  const json = /^([+-]?\d+(?:\.\d+)?)s?$/.exec(s);
  if (json) {
    ({ units, nanos } = unitsAndNanos(json[1]!, field, 'google.protobuf.Duration'));
  } else {
    const m = /^(?:([+-]?\d+)\s+days?)?\s*(?:([+-])?(\d+):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?$/.exec(s);
    if (!m || (m[1] === undefined && m[3] === undefined)) {
      if (/(year|mon)/i.test(s)) throw new MappingError(field, `interval '${s}' has months or years, which have no fixed length; google.protobuf.Duration needs an exact span`);
      throw new MappingError(field, `'${s}' is not an interval`);
    }
    const days = BigInt(m[1] ?? '0');
    const sign = m[2] === '-' ? -1n : 1n;
    const clockNanos = (BigInt(m[3] ?? '0') * 3600n + BigInt(m[4] ?? '0') * 60n + BigInt(m[5] ?? '0')) * 1_000_000_000n + BigInt((m[6] ?? '').padEnd(9, '0'));
    const total = days * 86_400n * 1_000_000_000n + sign * clockNanos;
    units = total / 1_000_000_000n;
    nanos = Number(total % 1_000_000_000n);
  }
  if (units > DURATION_MAX_SECONDS || units < -DURATION_MAX_SECONDS) throw new MappingError(field, `'${s}' is beyond ±10,000 years, the range of google.protobuf.Duration`);
  return { seconds: units.toString(), nanos };
}

/** Resolve the file's message types: the stream's message and its position for the wire format. */
interface Selection {
  type: protobuf.Type;
  indexes: number[];
}

function topLevelMessages(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.filter((n): n is protobuf.Type => n instanceof protobuf.Type);
}

/**
 * The Confluent message indexes of `fullName` in `text`: its position among the file's top-level
 * messages, then among each enclosing message's nested messages, in declaration order.
 */
export function messageIndexes(text: string, fullName: string): number[] {
  const parsed = protobuf.parse(text, { keepCase: true });
  const pkg = parsed.package ?? '';
  const name = fullName.startsWith('.') ? fullName.slice(1) : fullName;
  const rel = pkg && name.startsWith(pkg + '.') ? name.slice(pkg.length + 1) : name;
  let ns: protobuf.NamespaceBase = pkg ? (parsed.root.lookup(pkg) as protobuf.NamespaceBase) : parsed.root;
  const out: number[] = [];
  for (const part of rel.split('.')) {
    const candidates = topLevelMessages(ns);
    const i = candidates.findIndex((t) => t.name === part);
    if (i < 0) throw new Error(`message ${name} is not declared in the file`);
    out.push(i);
    ns = candidates[i]!;
  }
  return out;
}

/** Full names (no leading dot) of the file's messages, all and top-level, in declaration order. */
function fileMessages(text: string): { all: string[]; topLevel: string[] } {
  const parsed = protobuf.parse(text, { keepCase: true, alternateCommentMode: true });
  const pkg = parsed.package ?? '';
  const top = pkg ? (parsed.root.lookup(pkg) as protobuf.NamespaceBase | null) : parsed.root;
  const all: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const t of topLevelMessages(ns)) {
      all.push(t.fullName.slice(1));
      walk(t);
    }
  };
  if (top) walk(top);
  return { all, topLevel: top ? topLevelMessages(top).map((t) => t.fullName.slice(1)) : [] };
}

/** Maps database rows onto one Protobuf message type and encodes them. */
export class ProtoRowMapper {
  readonly root: protobuf.Root;
  readonly type: protobuf.Type;
  /** full name without the leading dot */
  readonly messageName: string;
  /** Confluent message indexes of the message in its file ([0] for the first top-level message) */
  readonly messageIndexes: number[];
  private readonly fields: Array<{ field: string; column: string; convert: Converter; presence: boolean; oneof?: string }>;
  private readonly messageConverters = new Map<string, (v: unknown, field: string) => Plain>();
  private readonly encoded = new WeakMap<object, protobuf.Message>();

  constructor(schema: string | ProtoSchemaSource, opts: ProtoMapperOptions = {}) {
    const src = typeof schema === 'string' ? { text: schema } : schema;
    const file = src.file ?? 'schema.proto';
    this.root = buildRoot(src.text, file, src.references ?? []);
    const sel = this.select(src.text, file, opts.selector);
    this.type = sel.type;
    this.messageName = sel.type.fullName.slice(1);
    this.messageIndexes = sel.indexes;
    const byField = new Map<string, string>();
    for (const [column, field] of Object.entries(opts.mapping ?? {})) byField.set(field, column);
    const unknown = [...byField.keys()].filter((f) => !this.type.fields[f]);
    if (unknown.length) throw new Error(`the mapping names ${unknown.map((f) => `'${f}'`).join(', ')}, not fields of ${this.messageName}`);
    this.fields = this.type.fieldsArray.map((f) => ({
      field: f.name,
      column: byField.get(f.name) ?? f.name,
      convert: this.fieldConverter(f),
      presence: hasPresence(f),
      ...(f.partOf && !isSyntheticOneof(f.partOf) ? { oneof: f.partOf.name } : {}),
    }));
  }

  /** The columns the schema needs, after mapping. */
  columns(): string[] {
    return this.fields.map((c) => c.column);
  }

  /**
   * The field read from this column can be left out when the column is gone (drift): only a field with
   * presence, which readers then see as unset (has_x() false, its declared default or zero). A field
   * without presence would be published as its zero value, indistinguishable from a real 0 or "".
   */
  fillable(column: string): boolean {
    return this.fields.some((c) => c.column === column && c.presence);
  }

  /** Why this column value would not map into its field, or undefined when it would (drift checks probe new column types with it). */
  rejects(column: string, value: string | null): string | undefined {
    const c = this.fields.find((x) => x.column === column);
    if (!c) return undefined;
    try {
      const v = c.convert(value, c.field);
      if (v === undefined) return undefined;
      // only this field's problem: other fields are absent here (a proto2 required one would complain)
      const problem = this.type.verify(this.type.fromObject({ [c.field]: v }));
      return problem && problem.startsWith(`${c.field}:`) ? problem : undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /**
   * Map one row to the message in protobufjs object form (64-bit integers as decimal strings, enums by
   * name, bytes as Buffers), verified against the type; throws MappingError naming the failing field.
   */
  map(columns: Record<string, unknown>): Plain {
    const out: Plain = {};
    const oneofSet = new Map<string, string>();
    for (const c of this.fields) {
      if (!Object.prototype.hasOwnProperty.call(columns, c.column)) {
        if (c.presence) continue;
        throw new MappingError(c.field, `the row has no column '${c.column}' and the field has no presence (it would be published as its zero value)`);
      }
      const value = c.convert(columns[c.column], c.field);
      if (value === undefined) continue;
      if (c.oneof) {
        const other = oneofSet.get(c.oneof);
        if (other) throw new MappingError(c.field, `both ${other} and ${c.field} are set, but they are members of oneof ${c.oneof}: at most one may be non-NULL`);
        oneofSet.set(c.oneof, c.field);
      }
      out[c.field] = value;
    }
    const message = this.type.fromObject(out);
    const problem = this.type.verify(message);
    if (problem) throw new MappingError(problem.split(':')[0] ?? '(message)', `the mapped value does not verify against ${this.messageName}: ${problem}`);
    this.encoded.set(out, message);
    return out;
  }

  encode(value: Plain): Buffer {
    const message = this.encoded.get(value) ?? this.type.fromObject(value);
    return Buffer.from(this.type.encode(message).finish());
  }

  private select(text: string, file: string, selector: string | undefined): Selection {
    const { all, topLevel } = fileMessages(text);
    let name: string | undefined;
    if (selector) {
      const want = selector.startsWith('.') ? selector.slice(1) : selector;
      const hits = all.filter((n) => n === want || n.endsWith('.' + want));
      name = hits.includes(want) ? want : hits.length === 1 ? hits[0] : undefined;
      if (!name) throw new Error(`${file} declares no message ${selector}${hits.length > 1 ? ` (ambiguous: ${hits.join(', ')})` : ''}`);
    } else {
      // the event is the top-level message no other message of the file uses as a field type
      const used = new Set<string>();
      for (const n of all) {
        const t = this.root.lookupType('.' + n);
        for (const f of t.fieldsArray) if (f.resolvedType instanceof protobuf.Type && f.resolvedType !== t) used.add(f.resolvedType.fullName.slice(1));
      }
      const roots = topLevel.filter((n) => !used.has(n));
      const candidates = roots.length ? roots : topLevel;
      if (candidates.length === 0) throw new Error(`${file} declares no message to publish`);
      if (candidates.length > 1) throw new Error(`${file} has several candidate event messages (${candidates.join(', ')}); name one in the catalog as ${file.split('/').pop()}#${candidates[0]}`);
      name = candidates[0]!;
    }
    const type = this.root.lookupType('.' + name);
    return { type, indexes: messageIndexes(text, name) };
  }

  private fieldConverter(f: protobuf.Field): Converter {
    const presence = hasPresence(f);
    const required = f.required;
    if (f.map) {
      const mf = f as unknown as protobuf.MapField;
      const key = this.scalar(mf.keyType);
      const value = this.valueConverter(mf);
      return (v, name) => {
        if (v === null || v === undefined) throw new MappingError(name, 'the column is NULL but a map field cannot tell NULL from empty; select an empty JSON object instead');
        const obj = jsonValue(v, name);
        if (!isObj(obj)) throw new MappingError(name, 'the column is not a JSON object');
        const out: Plain = {};
        for (const [k, x] of Object.entries(obj)) {
          if (x === null) throw new MappingError(`${name}.${k}`, 'map values cannot be null');
          const kk = key(k, `${name}.${k}`);
          out[String(kk)] = value(x, `${name}.${k}`);
        }
        return out;
      };
    }
    const item = this.valueConverter(f);
    if (f.repeated) {
      return (v, name) => {
        if (v === null || v === undefined) throw new MappingError(name, 'the column is NULL but a repeated field cannot tell NULL from empty; select an empty array instead');
        return arrayValue(v, name).map((x, i) => {
          if (x === null || x === undefined) throw new MappingError(`${name}[${i}]`, 'repeated fields cannot hold NULL elements');
          return item(x, `${name}[${i}]`);
        });
      };
    }
    return (v, name) => {
      if (v === null || v === undefined) {
        if (presence && !required) return undefined;
        throw new MappingError(name, required
          ? 'the column is NULL but the field is required'
          : 'the column is NULL but the field has no presence in proto3 (readers would see its zero value); declare it `optional` or use a wrapper type');
      }
      return item(v, name);
    };
  }

  private valueConverter(f: protobuf.FieldBase): Converter {
    const resolved = f.resolvedType;
    if (resolved instanceof protobuf.Enum) return enumConverter(resolved);
    if (resolved instanceof protobuf.Type) return this.messageConverter(resolved);
    return this.scalar(f.type);
  }

  private scalar(type: string): Converter {
    return scalarOf(type);
  }

  private messageConverter(t: protobuf.Type): Converter {
    return wellKnownConverter(t, this.plainMessageConverter(t)) ?? this.plainMessageConverter(t);
  }

  /** A message from a JSON object, field by field (proto or JSON field names). */
  private plainMessageConverter(t: protobuf.Type): Converter {
    const key = t.fullName;
    const cached = this.messageConverters.get(key);
    if (cached) return cached;
    // built lazily so recursive messages (trees) do not recurse at construction
    let fields: Array<{ f: protobuf.Field; convert: Converter; oneof?: string }> | undefined;
    const convert = (v: unknown, name: string): Plain => {
      fields ??= t.fieldsArray.map((f) => ({ f, convert: this.fieldConverter(f), ...(f.partOf && !isSyntheticOneof(f.partOf) ? { oneof: f.partOf.name } : {}) }));
      const obj = jsonValue(v, name);
      if (!isObj(obj)) throw new MappingError(name, `expected a JSON object for message ${t.fullName.slice(1)}`);
      const out: Plain = {};
      const seen = new Set<string>();
      const oneofSet = new Map<string, string>();
      for (const { f, convert: c, oneof } of fields) {
        const k = Object.prototype.hasOwnProperty.call(obj, f.name) ? f.name : Object.prototype.hasOwnProperty.call(obj, f.jsonName) ? f.jsonName : undefined;
        if (k === undefined) continue; // absent in JSON = not set, as in the Protobuf JSON mapping
        seen.add(k);
        const value = c(obj[k], `${name}.${f.name}`);
        if (value === undefined) continue;
        if (oneof) {
          const other = oneofSet.get(oneof);
          if (other) throw new MappingError(`${name}.${f.name}`, `both ${other} and ${f.name} are set, but they are members of oneof ${oneof}`);
          oneofSet.set(oneof, f.name);
        }
        out[f.name] = value;
      }
      const extra = Object.keys(obj).filter((k) => !seen.has(k));
      if (extra.length) throw new MappingError(name, `${extra.map((k) => `'${k}'`).join(', ')} ${extra.length === 1 ? 'is not a field' : 'are not fields'} of ${t.fullName.slice(1)}; the value would be dropped`);
      return out;
    };
    this.messageConverters.set(key, convert);
    return convert;
  }
}

function isSyntheticOneof(o: protobuf.OneOf): boolean {
  // proto3 `optional` is carried as a one-member oneof named after the field with a leading underscore
  return o.fieldsArray.length === 1 && o.name === `_${o.fieldsArray[0]!.name}` && (o.fieldsArray[0]!.options as { proto3_optional?: boolean } | undefined)?.proto3_optional === true;
}

function hasPresence(f: protobuf.Field): boolean {
  if (f.repeated || f.map) return false;
  return f.hasPresence || f.partOf !== null || f.resolvedType instanceof protobuf.Type;
}

function enumConverter(e: protobuf.Enum): Converter {
  return (v, f) => {
    const sym = text(v, f).trim();
    if (Object.prototype.hasOwnProperty.call(e.values, sym)) return sym;
    const names = Object.keys(e.values);
    throw new MappingError(f, `'${sym}' is not a symbol of enum ${e.fullName.slice(1)} (${names.length > 12 ? names.slice(0, 12).join(', ') + ', …' : names.join(', ')})`);
  };
}

const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};

/** Converters for the well-known and Google common types that databases hold in their own forms. */
function wellKnownConverter(t: protobuf.Type, plain: Converter): Converter | undefined {
  const name = t.fullName.slice(1);
  // inside a JSON document these types may also come as objects of their fields
  const fromObjectOr = (own: Converter): Converter => (v, f) => (isObj(v) ? plain(v, f) : own(v, f));
  const wrapped = WRAPPERS[name];
  if (wrapped) {
    const inner = scalarOf(wrapped);
    return fromObjectOr((v, f) => ({ value: inner(v, f) }));
  }
  switch (name) {
    case 'google.protobuf.Timestamp':
      return fromObjectOr(timestampValue);
    case 'google.protobuf.Duration':
      return fromObjectOr(durationValue);
    case 'google.type.Date':
      return fromObjectOr(dateValue);
    case 'google.type.TimeOfDay':
      return fromObjectOr(timeOfDayValue);
    case 'google.type.Money':
      return fromObjectOr((v, f) => {
        const s = text(v, f).trim();
        if (s.startsWith('{')) return plain(s, f);
        return moneyText(s, f);
      });
    case 'google.type.Decimal':
      return fromObjectOr((v, f) => {
        const s = text(v, f).trim();
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new MappingError(f, /nan|infinity/i.test(s) ? `'${s}' has no google.type.Decimal representation` : `'${s}' is not a decimal number`);
        return { value: s };
      });
    case 'google.protobuf.Struct':
      return (v, f) => structValue(jsonDoubles(v, f), f);
    case 'google.protobuf.Value':
      return (v, f) => valueValue(jsonDoubles(v, f), f);
    case 'google.protobuf.ListValue':
      return (v, f) => {
        const arr = jsonDoubles(v, f);
        if (!Array.isArray(arr)) throw new MappingError(f, 'expected a JSON array for google.protobuf.ListValue');
        return { values: arr.map((x, i) => valueValue(x, `${f}[${i}]`)) };
      };
    case 'google.protobuf.Any':
      return (_v, f) => {
        throw new MappingError(f, 'google.protobuf.Any cannot be filled from a column: the packed type is unknown; declare the concrete message type');
      };
    default:
      return undefined;
  }
}

function scalarOf(type: string): Converter {
  const int = SCALAR_INTEGERS[type];
  if (int) {
    const check = ranged(int.min, int.max, type);
    return int.long ? (v, f) => check(v, f).toString() : (v, f) => Number(check(v, f));
  }
  switch (type) {
    case 'double':
      return floating(false);
    case 'float':
      return floating(true);
    case 'bool':
      return booleanValue;
    case 'string':
      return text;
    case 'bytes':
      return bytesValue;
    default:
      throw new Error(`unsupported Protobuf scalar type ${type}`);
  }
}

function valueValue(x: unknown, f: string): Plain {
  if (x === null) return { null_value: 'NULL_VALUE' };
  if (typeof x === 'number') return { number_value: x };
  if (typeof x === 'string') return { string_value: x };
  if (typeof x === 'boolean') return { bool_value: x };
  if (Array.isArray(x)) return { list_value: { values: x.map((e, i) => valueValue(e, `${f}[${i}]`)) } };
  if (isObj(x)) return { struct_value: structValue(x, f) };
  throw new MappingError(f, `cannot represent ${typeof x} as google.protobuf.Value`);
}

function structValue(x: unknown, f: string): Plain {
  if (!isObj(x)) throw new MappingError(f, 'expected a JSON object for google.protobuf.Struct');
  return { fields: Object.fromEntries(Object.entries(x).map(([k, e]) => [k, valueValue(e, `${f}.${k}`)])) };
}

/** One Root holding the file, its references and the embedded well-known files it reaches. */
function buildRoot(mainText: string, file: string, references: readonly SchemaReferenceText[]): protobuf.Root {
  const root = new protobuf.Root();
  const byName = new Map(references.map((r) => [r.name, r.schema] as const));
  const done = new Set<string>();
  const add = (text: string, name: string): void => {
    if (done.has(name)) return;
    done.add(name);
    let parsed: protobuf.IParserResult;
    try {
      parsed = protobuf.parse(text, root, { keepCase: true, alternateCommentMode: true });
    } catch (e) {
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    for (const imp of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
      const dep = byName.get(imp) ?? WELL_KNOWN_FILES.get(imp);
      if (dep === undefined) throw new Error(`${name}: import "${imp}" is neither a well-known type nor one of the schema's references`);
      add(dep, imp);
    }
  };
  add(mainText, file);
  try {
    root.resolveAll();
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  return root;
}

