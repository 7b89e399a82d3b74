// Avro binary written straight from a row's column text, for the field types most event tables use.
//
// The general path (mapping.ts) converts every column into the value avsc expects (bigints for longs, a
// buffer per decimal, an object per row), validates the whole object, then encodes it. For a table of
// ids, timestamps, uuids, enums, money and text that is most of the publisher's work and most of its
// garbage. Here each field's writer reads the column value as the database printed it and writes its
// Avro encoding at once: no intermediate value, no bigint. A writer only takes the plain, canonical form
// of a value (digits without sign or leading zeros, lower-case uuids, timestamps in the session's UTC
// form, numbers within 2^52); for anything else it declines, and the row takes the general path, which
// gives the same bytes or the row's MappingError. test/liberation/avro-direct.test.ts holds the two
// paths to the same bytes.

/** The buffer is too short from this field on: the caller retries the row in a larger buffer. */
export const ROOM = -1;
/** This value needs the general path (its conversion, its validation or its error message). */
export const DECLINE = -2;

/** Writes one field at `pos`; returns the end, ROOM or DECLINE. */
export type FieldWriter = (v: unknown, buf: Buffer, pos: number) => number;

/** What a field's value is, for the kinds written here. */
export type DirectKind =
  | { kind: 'long' }
  | { kind: 'int' }
  | { kind: 'timestamp'; unit: 'micros' | 'millis' }
  | { kind: 'string' }
  | { kind: 'uuid' }
  | { kind: 'boolean' }
  | { kind: 'enum'; symbols: readonly string[] }
  | { kind: 'decimal'; scale: number; precision: number }
  | { kind: 'nullable'; nullIndex: 0 | 1; inner: DirectKind };

/** The parsers the general path uses, so both paths read the text the same way. */
export interface DirectParsers {
  /** microseconds since the epoch of the sources' usual timestamp text, or undefined */
  timestampMicros(s: string): number | undefined;
  /** the signed unscaled value of a money-sized decimal text, or undefined */
  smallDecimal(s: string, scale: number, precision: number): number | undefined;
}

/** Longs written from doubles stay below 2^52, so their zigzag form (2|n|) is an exact double too. */
const SAFE = 2 ** 52;
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
/** room for a varint long (10) or a branch index and a long */
const FIXED_ROOM = 16;

/** Zigzag varint of an integer |n| < 2^52 (Avro int and long). */
export function writeVarLong(n: number, buf: Buffer, pos: number): number {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  // beyond 28 bits: the low 28 with integer arithmetic, the rest (at most 26 bits) likewise
  if (z >= 0x10000000) {
    let lo = z % 0x10000000;
    z = (z - lo) / 0x10000000;
    for (let k = 0; k < 4; k++) {
      buf[pos++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
  }
  while (z >= 0x80) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  buf[pos++] = z;
  return pos;
}

/**
 * A canonical decimal integer (what the databases print for integer columns: no sign but '-', no leading
 * zeros) of at most 15 digits, as a number; undefined for anything else.
 */
export function canonicalInteger(s: string): number | undefined {
  const n = s.length;
  if (n === 0 || n > 16) return undefined;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (n === 1) return undefined;
  }
  if (n - i > 15) return undefined;
  const first = s.charCodeAt(i) - 48;
  if (first < 0 || first > 9 || (first === 0 && (n - i > 1 || neg))) return undefined;
  let v = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return neg ? -v : v;
}

/** An integer column's value (text, or a number from a driver that hands small ints as numbers). */
function integerOf(v: unknown): number | undefined {
  if (typeof v === 'string') return canonicalInteger(v);
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < SAFE) return v;
  return undefined;
}

/** Character code `c` may stand at index `i` of a lower-case uuid in its 8-4-4-4-12 form. */
function uuidCharAt(i: number, c: number): boolean {
  if (i === 8 || i === 13 || i === 18 || i === 23) return c === 45;
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/** A lower-case uuid in its 8-4-4-4-12 form. */
function isLowerUuid(s: string): boolean {
  if (s.length !== 36) return false;
  for (let i = 0; i < 36; i++) if (!uuidCharAt(i, s.charCodeAt(i))) return false;
  return true;
}

function hasSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

/** Node's UTF-8 writer without Buffer#write's argument checks (avsc uses it too). */
type Utf8Writer = Buffer & { utf8Write(s: string, offset: number, length?: number): number };

function writeString(s: string, buf: Buffer, pos: number): number {
  const units = s.length;
  // 64 to 2730 UTF-16 units are 64 to 8190 bytes of UTF-8 whatever they hold: a length of two varint
  // bytes, known before writing, so the string is written once, straight after it
  if (units >= 64 && units <= 2730) {
    if (pos + 2 + units * 3 > buf.length) return writeStringMeasured(s, buf, pos);
    const len = (buf as Utf8Writer).utf8Write(s, pos + 2);
    const z = len * 2;
    buf[pos] = (z & 0x7f) | 0x80;
    buf[pos + 1] = z >>> 7;
    return pos + 2 + len;
  }
  return writeStringMeasured(s, buf, pos);
}

function writeStringMeasured(s: string, buf: Buffer, pos: number): number {
  const len = Buffer.byteLength(s, 'utf8');
  // avsc writes short strings (64 bytes and under) with its own UTF-8 loop, which encodes a lone
  // surrogate differently from Node's (ED A0 80, not EF BF BD): leave any string with surrogates there
  // to avsc. (Database text cannot hold one; a JSON escape can.)
  if (len <= 64 && len !== s.length && hasSurrogate(s)) return DECLINE;
  if (pos + 10 + len > buf.length) return ROOM;
  pos = writeVarLong(len, buf, pos);
  return pos + (buf as Utf8Writer).utf8Write(s, pos, len);
}

/** A lower-case uuid written as its 36 ASCII bytes (after their length) while checking it; DECLINE if it is not one. */
function writeUuid(s: string, buf: Buffer, pos: number): number {
  if (s.length !== 36) return DECLINE;
  if (pos + 37 > buf.length) return ROOM;
  buf[pos++] = 72; // zigzag(36)
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (!uuidCharAt(i, c)) return DECLINE;
    buf[pos + i] = c;
  }
  return pos + 36;
}

/** 2^(8·len − 1): the magnitude from which `len` bytes no longer hold the sign bit (len 1…7, |v| < 2^47 needs at most 6) */
const SIGN_LIMIT = [0, 2 ** 7, 2 ** 15, 2 ** 23, 2 ** 31, 2 ** 39, 2 ** 47, 2 ** 55];

/** Bytes of the minimal big-endian two's complement of an integer |v| < 2^47 (Avro decimal). */
export function decimalByteLength(v: number): number {
  const neg = v < 0;
  const mag = neg ? -v : v;
  let len = 1;
  while (neg ? mag > SIGN_LIMIT[len]! : mag >= SIGN_LIMIT[len]!) len++;
  return len;
}


/** Writes `v` as `len` bytes of big-endian two's complement at `pos`; returns the end. */
export function writeTwosComplement(v: number, len: number, buf: Buffer, pos: number): number {
  let w = v < 0 ? 2 ** (8 * len) + v : v;
  for (let k = len - 1; k >= 0; k--) {
    buf[pos + k] = w % 256;
    w = Math.floor(w / 256);
  }
  return pos + len;
}

function writeDecimal(v: number, buf: Buffer, pos: number): number {
  const len = decimalByteLength(v);
  return writeTwosComplement(v, len, buf, writeVarLong(len, buf, pos));
}

function writer(k: DirectKind, p: DirectParsers): FieldWriter {
  switch (k.kind) {
    case 'long':
      return (v, buf, pos) => {
        const n = integerOf(v);
        if (n === undefined) return DECLINE;
        return pos + FIXED_ROOM > buf.length ? ROOM : writeVarLong(n, buf, pos);
      };
    case 'int':
      return (v, buf, pos) => {
        const n = integerOf(v);
        if (n === undefined || n < INT_MIN || n > INT_MAX) return DECLINE;
        return pos + FIXED_ROOM > buf.length ? ROOM : writeVarLong(n, buf, pos);
      };
    case 'timestamp': {
      const millis = k.unit === 'millis';
      return (v, buf, pos) => {
        if (typeof v !== 'string') return DECLINE;
        let us = p.timestampMicros(v);
        if (us === undefined || Math.abs(us) >= SAFE) return DECLINE;
        if (millis) {
          // microseconds a millisecond field would drop: the general path's error
          if (us % 1000 !== 0) return DECLINE;
          us = us / 1000;
        }
        return pos + FIXED_ROOM > buf.length ? ROOM : writeVarLong(us, buf, pos);
      };
    }
    case 'string':
      return (v, buf, pos) => (typeof v === 'string' ? writeString(v, buf, pos) : DECLINE);
    case 'uuid':
      return (v, buf, pos) => (typeof v === 'string' ? writeUuid(v, buf, pos) : DECLINE);
    case 'boolean':
      return (v, buf, pos) => {
        const b = v === true || v === 't' ? 1 : v === false || v === 'f' ? 0 : -1;
        if (b < 0) return DECLINE;
        if (pos + 1 > buf.length) return ROOM;
        buf[pos] = b;
        return pos + 1;
      };
    case 'enum': {
      const index = new Map(k.symbols.map((s, i) => [s, i]));
      return (v, buf, pos) => {
        const i = typeof v === 'string' ? index.get(v) : undefined;
        if (i === undefined) return DECLINE;
        return pos + FIXED_ROOM > buf.length ? ROOM : writeVarLong(i, buf, pos);
      };
    }
    case 'decimal':
      return (v, buf, pos) => {
        if (typeof v !== 'string') return DECLINE;
        const n = p.smallDecimal(v, k.scale, k.precision);
        if (n === undefined) return DECLINE;
        return pos + FIXED_ROOM > buf.length ? ROOM : writeDecimal(n, buf, pos);
      };
    case 'nullable': {
      const inner = writer(k.inner, p);
      const nullByte = k.nullIndex * 2;
      const valueByte = (1 - k.nullIndex) * 2;
      return (v, buf, pos) => {
        if (pos + 1 > buf.length) return ROOM;
        if (v === null) {
          buf[pos] = nullByte;
          return pos + 1;
        }
        buf[pos] = valueByte;
        return inner(v, buf, pos + 1);
      };
    }
  }
}

/**
 * The key text the general path would give a field's value (the value as the user wrote it, as text),
 * or undefined where only the general path can say.
 */
function keyText(k: DirectKind, p: DirectParsers): (v: unknown) => string | null | undefined {
  switch (k.kind) {
    case 'long':
    case 'int':
      return (v) => {
        const n = integerOf(v);
        return n === undefined ? undefined : String(n);
      };
    case 'string':
      return (v) => (typeof v === 'string' ? v : undefined);
    case 'uuid':
      return (v) => (typeof v === 'string' && isLowerUuid(v) ? v : undefined);
    case 'enum': {
      const symbols = new Set(k.symbols);
      return (v) => (typeof v === 'string' && symbols.has(v) ? v : undefined);
    }
    case 'nullable': {
      const inner = keyText(k.inner, p);
      return (v) => (v === null ? null : inner(v));
    }
    default:
      // timestamps, decimals (whose key is their bytes) and booleans: the general path
      return () => undefined;
  }
}

export interface DirectField {
  column: string;
  kind: DirectKind;
}

/** Writes a whole record from a row's columns; the same ROOM / DECLINE contract as a field. */
export interface DirectRecord {
  write(columns: Record<string, unknown>, buf: Buffer, pos: number): number;
  /** the event key's text from the key field's column (null: a null key), or undefined: ask the general path */
  key(columns: Record<string, unknown>): string | null | undefined;
}

/** The record writer for these fields in schema order, keyed by `keyField` (an index into `fields`). */
export function directRecord(fields: readonly DirectField[], p: DirectParsers, keyField: number | undefined): DirectRecord {
  const columns = fields.map((f) => f.column);
  const writers = fields.map((f) => writer(f.kind, p));
  const n = writers.length;
  const keyColumn = keyField === undefined ? undefined : columns[keyField];
  const keyOf = keyField === undefined ? undefined : keyText(fields[keyField]!.kind, p);
  return {
    write(row, buf, pos) {
      for (let i = 0; i < n; i++) {
        const v = row[columns[i]!];
        // a missing column takes the general path (a default, or the error naming it)
        if (v === undefined) return DECLINE;
        pos = writers[i]!(v, buf, pos);
        if (pos < 0) return pos;
      }
      return pos;
    },
    key(row) {
      if (keyColumn === undefined || keyOf === undefined) return undefined;
      const v = row[keyColumn];
      return v === undefined ? undefined : keyOf(v);
    },
  };
}
