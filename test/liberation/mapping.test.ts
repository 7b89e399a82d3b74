import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { AvroRowMapper, decimalBytes, decimalUnscaled, MappingError, parseTimestampMicros, twosComplement } from '../../src/liberation/mapping.js';

describe('twosComplement', () => {
  it.each([
    [0n, '00'], [1n, '01'], [127n, '7f'], [128n, '0080'], [255n, '00ff'], [-1n, 'ff'], [-128n, '80'], [-129n, 'ff7f'], [-32768n, '8000'], [-32769n, 'ff7fff'],
  ])('%s → %s', (v, hex) => {
    expect(twosComplement(v).toString('hex')).toBe(hex);
  });
  it('pads to a fixed size with the sign', () => {
    expect(twosComplement(-2n, 4).toString('hex')).toBe('fffffffe');
    expect(twosComplement(2n, 4).toString('hex')).toBe('00000002');
  });
  it('round-trips through avsc decimal decoding of random values', () => {
    for (let i = 0; i < 2000; i++) {
      const v = BigInt(Math.floor((Math.random() - 0.5) * 2 ** 52)) * BigInt(Math.floor(Math.random() * 1000) + 1);
      const b = twosComplement(v);
      const back = BigInt.asIntN(b.length * 8, BigInt('0x' + b.toString('hex')));
      expect(back).toBe(v);
    }
  });
});

describe('decimalUnscaled', () => {
  it('keeps exact digits', () => {
    expect(decimalUnscaled('123.45', 2, 10, 'f')).toBe(12345n);
    expect(decimalUnscaled('-0.5', 2, 10, 'f')).toBe(-50n);
    expect(decimalUnscaled('12345678901234567890.12', 2, 22, 'f')).toBe(1234567890123456789012n);
    expect(decimalUnscaled('7.100', 2, 10, 'f')).toBe(710n);
  });
  it('refuses rounding, overflow and NaN', () => {
    expect(() => decimalUnscaled('1.234', 2, 10, 'f')).toThrow(/decimal places/);
    expect(() => decimalUnscaled('123456', 2, 5, 'f')).toThrow(/does not fit/);
    expect(() => decimalUnscaled('NaN', 2, 5, 'f')).toThrow(/NaN/);
  });
});

describe('parseTimestampMicros', () => {
  it.each([
    ['1970-01-01 00:00:00+00', 0n],
    ['2024-02-29 12:34:56.123456+00', 1709210096123456n],
    ['2024-02-29 14:34:56.123456+02', 1709210096123456n],
    ['2024-02-29T12:34:56.1Z', 1709210096100000n],
    ['2024-02-29 18:04:56.123456+05:30', 1709210096123456n],
    ['1969-12-31 23:59:59.999999+00', -1n],
    ['2024-02-29 12:34:56.123456', 1709210096123456n],
    ['0099-03-01 00:00:00+00', -59037897600000000n],
    ['1900-03-01 00:00:00+00', -2203891200000000n],
  ])('%s', (s, us) => {
    expect(parseTimestampMicros(s, 'f')).toBe(us);
  });
  it('rejects infinity and garbage', () => {
    expect(() => parseTimestampMicros('infinity', 'f')).toThrow(MappingError);
    expect(() => parseTimestampMicros('yesterday', 'f')).toThrow(/not a timestamp/);
  });
});

describe('AvroRowMapper', () => {
  const schema = {
    type: 'record', name: 'OrderPlaced', namespace: 'com.acme',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'order_id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'total', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
      { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['PLACED', 'PAID'] } },
      { name: 'note', type: ['null', 'string'], default: null },
      { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
    ],
  };
  it('maps database text exactly and decodes with a standard reader', () => {
    const m = new AvroRowMapper(schema, { total_cents: 'total' });
    const big = m.map({ id: '9007199254740993', order_id: '3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11', total_cents: '0', status: 'PAID', note: null, updated_at: '2024-01-01 00:00:00+00' });
    expect(big.id).toBe(9007199254740993n);
    const v = m.map({ id: '42', order_id: '3F0C6D1E-6A8C-4C1E-9A57-0F4F2F0A9B11', total_cents: '1234.50', status: 'PAID', note: null, updated_at: '2024-02-29 12:34:56.123456+00' });
    const decoded = avro.Type.forSchema(schema as avro.Schema).fromBuffer(m.encode(v)) as Record<string, unknown>;
    expect(decoded.order_id).toBe('3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11');
    expect(decoded.status).toBe('PAID');
    expect((decoded.total as Buffer).toString('hex')).toBe(twosComplement(123450n).toString('hex'));
    expect(decoded.id).toBe(42);
    expect(decoded.note).toBe(null);
    expect(v.updated_at).toBe(1709210096123456n);
  });
  it.each([
    [{ status: 'REFUNDED' }, 'status', /not a symbol/],
    [{ total_cents: '1.234' }, 'total', /decimal places/],
    [{ order_id: 'nope' }, 'order_id', /not a UUID/],
    [{ updated_at: null }, 'updated_at', /not nullable/],
    [{ id: '9223372036854775808' }, 'id', /validate/],
  ])('rejects %o on field %s', (patch, field, re) => {
    const m = new AvroRowMapper(schema, { total_cents: 'total' });
    const row = { id: '1', order_id: '3f0c6d1e-6a8c-4c1e-9a57-0f4f2f0a9b11', total_cents: '1.00', status: 'PAID', note: null, updated_at: '2024-01-01 00:00:00+00', ...patch };
    try {
      m.map(row);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MappingError);
      expect((e as MappingError).field).toBe(field);
      expect((e as Error).message).toMatch(re);
    }
  });
});

describe('JSON values are read exactly', () => {
  const schema = {
    type: 'record', name: 'R', namespace: 'x',
    fields: [
      { name: 'attrs', type: { type: 'map', values: 'long' } },
      { name: 'line', type: { type: 'record', name: 'Line', fields: [{ name: 'qty', type: 'long' }, { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 30, scale: 2 } }] } },
      { name: 'ids', type: { type: 'array', items: 'long' } },
    ],
  };
  it('keeps integers beyond 2^53 and long decimals from JSON text', () => {
    const m = new AvroRowMapper(schema);
    const v = m.map({ attrs: '{"a": 9007199254740993}', line: '{"qty": 9223372036854775807, "price": 12345678901234567.89}', ids: '[9007199254740993, -1]' });
    expect((v.attrs as Record<string, bigint>).a).toBe(9007199254740993n);
    expect((v.line as Record<string, unknown>).qty).toBe(9223372036854775807n);
    expect(((v.line as Record<string, unknown>).price as Buffer).toString('hex')).toBe(twosComplement(1234567890123456789n).toString('hex'));
    expect(v.ids).toEqual([9007199254740993n, -1n]);
  });
  it.each([
    [{ attrs: '{bad json' }, 'attrs'],
    [{ attrs: 'null' }, 'attrs'],
    [{ line: '[1,2]' }, 'line'],
  ])('malformed or mistyped JSON is a MappingError on the field: %o', (patch, field) => {
    const m = new AvroRowMapper(schema);
    try {
      m.map({ attrs: '{}', line: '{"qty": 1, "price": 1}', ids: '[]', ...patch });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MappingError);
      expect((e as MappingError).field).toBe(field);
    }
  });
});

describe('values that are not what they claim to be', () => {
  const schema = {
    type: 'record', name: 'V', namespace: 'x',
    fields: [
      { name: 'day', type: { type: 'int', logicalType: 'date' } },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      { name: 'clock', type: { type: 'int', logicalType: 'time-millis' } },
      { name: 'ratio', type: 'double' },
    ],
  };
  const ok = { day: '2024-02-29', at: '2024-02-29 23:59:59.999999+00', clock: '12:34:56.789', ratio: '1.5e3' };
  it('accepts real dates, times and decimal numbers, BC dates included', () => {
    const m = new AvroRowMapper(schema);
    expect(m.map(ok)).toEqual({ day: 19782, at: 1709251199999999n, clock: 45296789, ratio: 1500 });
    expect(m.map({ ...ok, day: '0044-03-15 BC' }).day).toBe(-735_160); // year -43, proleptic Gregorian (as JS Date computes it)
  });
  it.each([
    [{ day: '2023-02-29' }, 'day', /not a valid calendar date/],
    [{ day: '0000-00-00' }, 'day', /not a valid calendar date/],
    [{ at: '0000-00-00 00:00:00' }, 'at', /not a valid date and time/],
    [{ at: '2024-13-45 99:99:99' }, 'at', /not a valid date and time/],
    [{ clock: '12:34:56.789123' }, 'clock', /microseconds/],
    [{ clock: '25:00:00' }, 'clock', /not a valid time/],
    [{ ratio: '' }, 'ratio', /not a number/],
    [{ ratio: '0x10' }, 'ratio', /not a number/],
  ])('%o is refused on %s', (patch, field, re) => {
    const m = new AvroRowMapper(schema);
    try {
      m.map({ ...ok, ...patch });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MappingError);
      expect((e as MappingError).field).toBe(field);
      expect((e as Error).message).toMatch(re);
    }
  });
  it('a nested record can use a named type defined earlier in the schema', () => {
    const m = new AvroRowMapper({
      type: 'record', name: 'Outer', namespace: 'x',
      fields: [
        { name: 's', type: { type: 'enum', name: 'Status', symbols: ['A', 'B'] } },
        { name: 'inner', type: { type: 'record', name: 'Inner', fields: [{ name: 's2', type: 'Status' }, { name: 'note', type: ['null', 'string'], default: null }] } },
      ],
    });
    expect(m.map({ s: 'A', inner: '{"s2": "B"}' })).toEqual({ s: 'A', inner: { s2: 'B', note: null } });
    expect(() => m.map({ s: 'A', inner: '{"s2": "C"}' })).toThrow(/not a symbol of enum Status/);
  });
});

describe('decimalBytes', () => {
  const general = (s: string, scale: number, precision: number): string => {
    try {
      return twosComplement(decimalUnscaled(s, scale, precision, 'f')).toString('hex');
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  const fast = (s: string, scale: number, precision: number): string => {
    try {
      return decimalBytes(s, scale, precision, 'f').toString('hex');
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  it.each([
    ['0', 2, 12], ['-0.00', 2, 12], ['1.', 2, 12], ['.5', 2, 12], ['+5', 2, 12], ['-1.28', 2, 12], ['1.28', 2, 12], ['-1.29', 2, 12], ['12.345', 2, 12], ['12.340', 2, 12],
    ['9999999999.99', 2, 12], ['99999999999.99', 2, 12], ['1407374883553.27', 2, 16], ['1407374883553.28', 2, 16], ['-1407374883553.28', 2, 16], ['', 2, 12], ['-', 2, 12], ['.', 2, 12],
    ['1.2.3', 2, 12], [' 1.5', 2, 12], ['1e5', 2, 12], ['NaN', 2, 12], ['00001.50', 2, 3], ['123', 0, 3], ['1234', 0, 3], ['-128', 0, 3], ['32767', 0, 5], ['-32768', 0, 5], ['-32769', 0, 5],
  ])('%s at scale %i, precision %i: the bytes (or the error) of the general path', (s, scale, precision) => {
    expect(fast(s, scale, precision)).toBe(general(s, scale, precision));
  });
  it('agrees with the general path on random values', () => {
    for (let i = 0; i < 20_000; i++) {
      const scale = i % 5;
      const precision = 1 + (i % 18);
      const int = String(Math.floor(Math.random() * 10 ** (i % 17)));
      const frac = String(Math.floor(Math.random() * 10 ** (i % 7))).padStart(i % 7, '0');
      const s = `${i % 2 ? '-' : ''}${int}${i % 3 ? `.${frac}` : ''}`;
      expect(fast(s, scale, precision), s).toBe(general(s, scale, precision));
    }
  });
});
