import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { MappingError, messageIndexes, ProtoRowMapper } from '../../src/liberation/proto-mapping.js';

const ORDER = `syntax = "proto3";
package acme.orders.v1;

import "google/protobuf/timestamp.proto";
import "google/protobuf/wrappers.proto";
import "google/protobuf/duration.proto";
import "google/protobuf/struct.proto";
import "google/type/date.proto";
import "google/type/money.proto";
import "google/type/timeofday.proto";
import "google/type/decimal.proto";

enum Status {
  STATUS_UNSPECIFIED = 0;
  PAID = 1;
  SHIPPED = 2;
}

message Line {
  string sku = 1;
  int64 quantity = 2;
  google.type.Money price = 3;
}

message OrderPlaced {
  int64 id = 1;
  uint64 big = 2;
  int32 small = 3;
  uint32 count = 4;
  sint64 delta = 5;
  bool paid = 6;
  bytes blob = 7;
  Status status = 8;
  google.protobuf.Timestamp updated_at = 9;
  google.type.Date ship_on = 10;
  google.type.Money total = 11;
  google.protobuf.StringValue note = 12;
  google.protobuf.Int64Value refund = 13;
  repeated string tags = 14;
  repeated int64 ids = 15;
  repeated Line lines = 16;
  map<string, int64> counters = 17;
  optional string coupon = 18;
  double ratio = 19;
  float weight = 20;
  oneof contact {
    string email = 21;
    string phone = 22;
  }
  google.protobuf.Duration wait = 23;
  google.protobuf.Struct attributes = 24;
  google.type.TimeOfDay cutoff = 25;
  google.type.Decimal tax_rate = 26;
  Line first_line = 27;
}
`;

/** A row as the sources hand it over: every value as PostgreSQL prints it. */
function row(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '9223372036854775807',
    big: '18446744073709551615',
    small: '-2147483648',
    count: '4294967295',
    delta: '-9223372036854775808',
    paid: 't',
    blob: '\\x00ff10',
    status: 'SHIPPED',
    updated_at: '2024-02-29 12:34:56.123456+00',
    ship_on: '2024-02-29',
    total: '-12.34 USD',
    note: null,
    refund: '9007199254740993',
    tags: '{a,"b c",NULL-ish}',
    ids: '{1,9007199254740993}',
    lines: '[{"sku":"X","quantity":"9007199254740993","price":{"currency_code":"EUR","units":"1","nanos":500000000}}]',
    counters: '{"a": 1, "b": "-9223372036854775808"}',
    coupon: null,
    ratio: '0.1',
    weight: '1.5',
    email: 'a@example.com',
    phone: null,
    wait: '1 day 02:03:04.5',
    attributes: '{"k": [1, "x", null, true, {"n": 2}]}',
    cutoff: '17:30:00',
    tax_rate: '0.0825',
    first_line: '{"sku":"Y","quantity":2}',
    ...over,
  };
}

function decode(m: ProtoRowMapper, buf: Buffer): Record<string, unknown> {
  return m.type.toObject(m.type.decode(buf), { longs: String, enums: String, bytes: String, oneofs: true }) as Record<string, unknown>;
}

function mappingError(fn: () => unknown): MappingError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MappingError) return e;
    throw e;
  }
  throw new Error('expected a MappingError');
}

describe('ProtoRowMapper: exact values', () => {
  const m = new ProtoRowMapper({ text: ORDER, file: 'orders.proto' });

  it('picks the single event root and its message index', () => {
    expect(m.messageName).toBe('acme.orders.v1.OrderPlaced');
    expect(m.messageIndexes).toEqual([1]);
  });

  it('keeps a 64-bit integer written as a bare JSON number exact (no JSON.parse rounding)', () => {
    const value = m.map(row({ lines: '[{"sku":"X","quantity":9007199254740993}]' }));
    expect(decode(m, m.encode(value)).lines).toMatchObject([{ sku: 'X', quantity: '9007199254740993' }]);
  });

  it('maps every field exactly and encodes bytes that decode to the same values', () => {
    const value = m.map(row());
    const back = decode(m, m.encode(value));
    expect(back).toMatchObject({
      id: '9223372036854775807',
      big: '18446744073709551615',
      small: -2147483648,
      count: 4294967295,
      delta: '-9223372036854775808',
      paid: true,
      blob: Buffer.from([0, 255, 16]).toString('base64'),
      status: 'SHIPPED',
      updated_at: { seconds: '1709210096', nanos: 123456000 },
      ship_on: { year: 2024, month: 2, day: 29 },
      total: { currency_code: 'USD', units: '-12', nanos: -340000000 },
      refund: { value: '9007199254740993' },
      tags: ['a', 'b c', 'NULL-ish'],
      ids: ['1', '9007199254740993'],
      lines: [{ sku: 'X', quantity: '9007199254740993', price: { currency_code: 'EUR', units: '1', nanos: 500000000 } }],
      counters: { a: '1', b: '-9223372036854775808' },
      ratio: 0.1,
      weight: 1.5,
      email: 'a@example.com',
      contact: 'email',
      wait: { seconds: '93784', nanos: 500000000 },
      cutoff: { hours: 17, minutes: 30 },
      tax_rate: { value: '0.0825' },
      first_line: { sku: 'Y', quantity: '2' },
    });
    // NULL in fields with presence: not set at all, not an empty value
    expect(back).not.toHaveProperty('note');
    expect(back).not.toHaveProperty('coupon');
    expect(back).not.toHaveProperty('phone');
    const attrs = (back.attributes as { fields: Record<string, { list_value: { values: unknown[] } }> }).fields.k!.list_value.values;
    expect(attrs).toMatchObject([{ number_value: 1 }, { string_value: 'x' }, { null_value: 'NULL_VALUE' }, { bool_value: true }, { struct_value: { fields: { n: { number_value: 2 } } } }]);
  });

  it('keeps instants before the epoch as a negative second and positive nanos', () => {
    const v = m.map(row({ updated_at: '1969-12-31 23:59:59.999999+00' }));
    expect(v.updated_at).toEqual({ seconds: '-1', nanos: 999999000 });
    expect(m.map(row({ updated_at: '2024-02-29T14:34:56.123456789+02:00' })).updated_at).toEqual({ seconds: '1709210096', nanos: 123456789 });
    expect(m.map(row({ updated_at: '0001-01-01 00:00:00+00' })).updated_at).toEqual({ seconds: '-62135596800', nanos: 0 });
  });

  it('reads booleans, money and durations in every accepted form', () => {
    for (const [text, want] of [['t', true], ['f', false], ['true', true], ['FALSE', false], ['1', true], ['0', false]] as const) {
      expect(m.map(row({ paid: text })).paid).toBe(want);
    }
    expect(m.map(row({ total: 'EUR 0.000000001' })).total).toEqual({ currency_code: 'EUR', units: '0', nanos: 1 });
    expect(m.map(row({ total: '-0.5 JPY' })).total).toEqual({ currency_code: 'JPY', units: '0', nanos: -500000000 });
    expect(m.map(row({ total: '92233720368547758.07 USD' })).total).toEqual({ currency_code: 'USD', units: '92233720368547758', nanos: 70000000 });
    expect(m.map(row({ wait: '-00:00:01.25' })).wait).toEqual({ seconds: '-1', nanos: -250000000 });
    expect(m.map(row({ wait: '3.5s' })).wait).toEqual({ seconds: '3', nanos: 500000000 });
    expect(m.map(row({ wait: '2 days' })).wait).toEqual({ seconds: '172800', nanos: 0 });
  });

  it('wraps non-NULL values in wrapper messages, including a zero that would otherwise vanish', () => {
    const v = m.map(row({ note: '', refund: '0' }));
    const back = m.type.toObject(m.type.decode(m.encode(v)), { longs: String, defaults: true });
    expect(back).toMatchObject({ note: { value: '' }, refund: { value: '0' } });
    // present (an empty wrapper message) rather than absent as for NULL
    expect(Object.keys(decode(m, m.encode(v)))).toEqual(expect.arrayContaining(['note', 'refund']));
  });

  it('uses the catalog mapping from column to field', () => {
    const mm = new ProtoRowMapper({ text: ORDER }, { mapping: { order_id: 'id' } });
    const r = row();
    r.order_id = r.id;
    delete r.id;
    expect(mm.columns()).toContain('order_id');
    expect(mm.map(r).id).toBe('9223372036854775807');
  });

  it('encodes int64 beyond 2^53 without a float on the way', () => {
    const v = m.map(row({ id: '9007199254740993' }));
    const bytes = m.encode(v);
    // field 1, varint: 9007199254740993 = 0x20000000000001
    expect(bytes.subarray(0, 9).toString('hex')).toBe('0881808080808080' + '10');
  });
});

describe('ProtoRowMapper: rows that do not fit', () => {
  const m = new ProtoRowMapper({ text: ORDER, file: 'orders.proto' });
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['int64 overflow', { id: '9223372036854775808' }, 'id', /does not fit int64/],
    ['uint64 negative', { big: '-1' }, 'big', /does not fit uint64/],
    ['int32 overflow', { small: '2147483648' }, 'small', /does not fit int32/],
    ['a fraction in an integer', { count: '1.5' }, 'count', /not an integer/],
    ['an empty integer', { id: '' }, 'id', /not an integer/],
    ['a boolean that is not one', { paid: 'yes' }, 'paid', /not a boolean/],
    ['bad hex', { blob: '\\xzz' }, 'blob', /not valid \\x hex/],
    ['odd hex', { blob: '\\x0' }, 'blob', /not valid \\x hex/],
    ['an unknown enum symbol', { status: 'LOST' }, 'status', /'LOST' is not a symbol of enum acme\.orders\.v1\.Status \(STATUS_UNSPECIFIED, PAID, SHIPPED\)/],
    ['an enum number instead of the symbol', { status: '2' }, 'status', /not a symbol/],
    ['NULL in an implicit-presence field', { paid: null }, 'paid', /no presence in proto3.*optional/],
    ['NULL in an int64 without presence', { id: null }, 'id', /no presence/],
    ['NULL in an enum without presence', { status: null }, 'status', /no presence/],
    ['NULL for a repeated field', { tags: null }, 'tags', /cannot tell NULL from empty/],
    ['a NULL array element', { tags: '{a,NULL}' }, 'tags[1]', /NULL elements/],
    ['NULL for a map', { counters: null }, 'counters', /cannot tell NULL from empty/],
    ['a JSON key that is not a field', { first_line: '{"sku":"Y","qty":2}' }, 'first_line', /'qty' is not a field of acme\.orders\.v1\.Line/],
    ['JSON that does not parse', { first_line: '{"sku":' }, 'first_line', /not JSON/],
    ['an infinite timestamp', { updated_at: 'infinity' }, 'updated_at', /no google\.protobuf\.Timestamp representation/],
    ['a timestamp after 9999', { updated_at: '10000-01-01 00:00:00+00' }, 'updated_at', /outside 0001-01-01\.\.9999-12-31/],
    ['a timestamp with picoseconds', { updated_at: '2024-01-01 00:00:00.0000000001+00' }, 'updated_at', /below the nanosecond/],
    ['a date that does not exist', { ship_on: '2023-02-29' }, 'ship_on', /not a valid calendar date/],
    ['a BC date', { ship_on: '0044-03-15 BC' }, 'ship_on', /no google\.type\.Date representation/],
    ['money without a currency', { total: '12.34' }, 'total', /has no currency/],
    ['money that would be rounded', { total: '0.0000000001 USD' }, 'total', /would be rounded/],
    ['money beyond int64 units', { total: '9223372036854775808 USD' }, 'total', /does not fit google\.type\.Money/],
    ['a float beyond its range', { weight: '1e39' }, 'weight', /32-bit float/],
    ['a number that is not one', { ratio: 'abc' }, 'ratio', /not a number/],
    ['two members of a oneof', { phone: '+1' }, 'phone', /oneof contact/],
    ['an interval in months', { wait: '1 mon' }, 'wait', /no fixed length/],
    ['a time of day with an offset', { cutoff: '17:30:00+02' }, 'cutoff', /UTC offset/],
    ['a NaN decimal', { tax_rate: 'NaN' }, 'tax_rate', /no google\.type\.Decimal representation/],
    ['a 64-bit map value out of range', { counters: '{"a": "9223372036854775808"}' }, 'counters.a', /does not fit int64/],
  ];
  it.each(cases)('rejects %s', (_name, over, field, reason) => {
    const e = mappingError(() => m.map(row(over)));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(reason);
  });

  it('rejects a row without a column for a field without presence, and accepts one for a field with presence', () => {
    const r = row();
    delete r.status;
    expect(mappingError(() => m.map(r)).message).toMatch(/no column 'status'/);
    const r2 = row();
    delete r2.coupon;
    delete r2.note;
    expect(() => m.map(r2)).not.toThrow();
  });

  it('refuses google.protobuf.Any and names the fix', () => {
    const mm = new ProtoRowMapper(`syntax = "proto3"; package p; import "google/protobuf/any.proto"; message E { google.protobuf.Any body = 1; }`);
    expect(mappingError(() => mm.map({ body: '{}' })).message).toMatch(/concrete message type/);
    expect(mm.map({ body: null })).toEqual({});
  });

  it('refuses a mapping that names no field', () => {
    expect(() => new ProtoRowMapper({ text: ORDER }, { mapping: { col: 'nope' } })).toThrow(/'nope'/);
  });
});

describe('ProtoRowMapper: message selection and references', () => {
  const TWO = `syntax = "proto3";
package p.v1;
message A { int32 x = 1; message Inner { int32 y = 1; } message Deep { message Deeper { string z = 1; } } }
enum E { E_UNSPECIFIED = 0; }
message B { string s = 1; }
`;

  it('asks for a selector when the file has several event roots', () => {
    expect(() => new ProtoRowMapper({ text: TWO, file: 'x/two.proto' })).toThrow(/several candidate event messages \(p\.v1\.A, p\.v1\.B\).*two\.proto#p\.v1\.A/);
  });

  it.each([
    ['p.v1.A', [0]],
    ['.p.v1.B', [1]],
    ['B', [1]],
    ['p.v1.A.Inner', [0, 0]],
    ['p.v1.A.Deep.Deeper', [0, 1, 0]],
  ])('selects %s with message indexes %j (enums do not count)', (sel, idx) => {
    const m = new ProtoRowMapper(TWO, { selector: sel });
    expect(m.messageIndexes).toEqual(idx);
    expect(messageIndexes(TWO, m.messageName)).toEqual(idx);
  });

  it('rejects an unknown selector', () => {
    expect(() => new ProtoRowMapper(TWO, { selector: 'p.v1.C' })).toThrow(/declares no message p\.v1\.C/);
  });

  it('builds the types from references (imports that are not well-known)', () => {
    const common = `syntax = "proto3"; package acme.common; message Address { string city = 1; int64 zip = 2; }`;
    const main = `syntax = "proto3"; package acme.v1; import "acme/common/address.proto"; message Customer { string name = 1; acme.common.Address address = 2; }`;
    const m = new ProtoRowMapper({ text: main, references: [{ name: 'acme/common/address.proto', schema: common }] });
    expect(m.messageName).toBe('acme.v1.Customer');
    expect(m.messageIndexes).toEqual([0]);
    const v = m.map({ name: 'n', address: '{"city":"Oslo","zip":"9007199254740993"}' });
    expect(decode(m, m.encode(v))).toEqual({ name: 'n', address: { city: 'Oslo', zip: '9007199254740993' } });
    expect(() => new ProtoRowMapper(main)).toThrow(/import "acme\/common\/address\.proto" is neither/);
  });

  it('maps proto2 optional and required fields by their presence', () => {
    const m = new ProtoRowMapper(`syntax = "proto2"; package q; message R { required int64 id = 1; optional string note = 2 [default = "x"]; }`);
    expect(m.map({ id: '1', note: null })).toEqual({ id: '1' });
    expect(mappingError(() => m.map({ id: null, note: 'a' })).message).toMatch(/required/);
  });

  it('encodes what protobufjs decodes from an independently parsed copy of the schema', () => {
    const text = `syntax = "proto3"; package r; message S { sint64 a = 1; fixed64 b = 2; repeated sint32 c = 3; bytes d = 4; }`;
    const m = new ProtoRowMapper(text);
    const v = m.map({ a: '-9223372036854775808', b: '18446744073709551615', c: '{-1,0,2147483647}', d: '\\xdeadbeef' });
    const other = protobuf.parse(text).root.lookupType('r.S');
    expect(other.toObject(other.decode(m.encode(v)), { longs: String, bytes: String })).toEqual({
      a: '-9223372036854775808', b: '18446744073709551615', c: [-1, 0, 2147483647], d: Buffer.from('deadbeef', 'hex').toString('base64'),
    });
  });
});
