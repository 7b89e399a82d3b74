// The direct writer (avro-direct.ts) against the general path (map → validate → encode) it stands in
// for: for every value either gives the general path's exact bytes and key, or declines (the row then
// takes the general path). Declining is always safe; accepting differently is the bug this guards.
import { describe, expect, it } from 'vitest';
import { AvroRowMapper, MappingError } from '../../src/liberation/mapping.js';
import { canonicalInteger, writeVarLong } from '../../src/liberation/avro-direct.js';
import { encodeFrame } from '../../src/registry/wire.js';

type Row = Record<string, unknown>;

/** The general path's framed bytes and key text (null: no key), or the MappingError's message. */
function general(mapper: AvroRowMapper, row: Row, keyField: string | undefined): { bytes: Buffer; key: string | null } | { error: string } {
  try {
    const value = mapper.map(row);
    const raw = keyField ? mapper.fieldOf(value, keyField) : null;
    const inner = raw !== null && typeof raw === 'object' && !Buffer.isBuffer(raw) ? Object.values(raw as object)[0] : raw;
    const key = inner === null || inner === undefined ? null : Buffer.isBuffer(inner) ? inner.toString('hex') : String(inner);
    return { bytes: encodeFrame(9, mapper.encode(value)), key };
  } catch (e) {
    if (e instanceof MappingError) return { error: e.message };
    throw e;
  }
}

/** Direct and general agree on `row`; returns whether the direct writer took it. */
function agree(mapper: AvroRowMapper, row: Row, keyField?: string): boolean {
  const direct = mapper.direct(keyField);
  expect(direct).toBeDefined();
  const framed = mapper.frameDirect(direct!, 9, row);
  const want = general(mapper, row, keyField);
  if (!framed) return false;
  // the direct writer never accepts a row the general path refuses
  expect(want, `direct accepted ${JSON.stringify(row)}`).not.toHaveProperty('error');
  const w = want as { bytes: Buffer; key: string | null };
  expect(framed.toString('hex'), JSON.stringify(row)).toBe(w.bytes.toString('hex'));
  const k = direct!.key(row);
  if (k !== undefined) expect(k, `key of ${JSON.stringify(row)}`).toBe(w.key);
  return true;
}

const one = (type: unknown) => new AvroRowMapper({ type: 'record', name: 'R', fields: [{ name: 'f', type }] });

const longs = ['0', '1', '-1', '7', '-7', '63', '64', '-64', '-65', '8191', '8192', '123456789012345', '-123456789012345', '999999999999999',
  '1234567890123456', '4503599627370495', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '007', '+5', ' 5', '5 ',
  '', '-', 'abc', '1e3', '1.0', 0, 5, -5, 2 ** 31, -(2 ** 31) - 1, 2 ** 52 - 1, 2 ** 52, 2 ** 53 + 2, 1.5, NaN, true, null];
const ints = ['0', '2147483647', '-2147483648', '2147483648', '-2147483649', '100', '-100', 2147483647, -2147483648, 2147483648, '00', null];
const timestamps = ['2024-01-01 00:00:00+00', '2024-01-01 00:00:00.123456+00', '2024-01-01 00:00:00.1+00', '2024-01-01T00:00:00Z', '2024-01-01 00:00:00',
  '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.999999+00', '0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999+00', '2262-04-11 23:47:16.854775+00',
  '2024-02-29 12:00:00+00', '2023-02-29 12:00:00+00', '2024-01-01 24:00:00+00', '2024-01-01 00:00:00+05:30', '2024-01-01 00:00:00-01', 'infinity', '-infinity',
  '2024-01-01 00:00:00.1234567+00', '2024-01-01 00:00:00.123000+00', '2024-01-01 00:00:00.123+00', '20240101', '', 5, null];
const strings = ['😀'.repeat(40), 'ab'.repeat(1365), 'x'.repeat(2731), '', 'a', 'plain text', 'ünïcödé', 'emoji 😀 and ✓', 'x'.repeat(63), 'é'.repeat(64), 'y'.repeat(200), '\u0000', 5, Buffer.from('b'), null,
  // lone surrogates (a JSON escape can make one; database text cannot): short ones are avsc's own
  '\ud800', 'a\udc00b', 'x\ud83d', `${'z'.repeat(70)}\ud800`, '😀'.repeat(20)];
const uuids = ['5f0c3a6e-1b2d-4c3e-8f4a-0b1c2d3e4f50', '5F0C3A6E-1B2D-4C3E-8F4A-0B1C2D3E4F50', '5f0c3a6e1b2d4c3e8f4a0b1c2d3e4f50', '5f0c3a6e-1b2d-4c3e-8f4a-0b1c2d3e4f5',
  'zf0c3a6e-1b2d-4c3e-8f4a-0b1c2d3e4f50', '', null];
const decimals = ['0', '0.00', '-0.00', '-0', '12.34', '-12.34', '12.3', '12.340', '12.345', '0.01', '-0.01', '127', '1.27', '-1.28', '1.28', '327.67', '-327.68',
  '9999999999.99', '-9999999999.99', '99999999999.99', '1407374883553.27', '+1.00', '.5', '5.', '1e5', '', '-', '.', '1.2.3', 'NaN', 'Infinity', ' 1.00', 3, null];
const booleans = ['t', 'f', 'true', 'false', '1', '0', 'T', 'yes', true, false, 1, null];

const table: Array<{ name: string; type: unknown; values: unknown[]; keyable: boolean }> = [
  { name: 'long', type: 'long', values: longs, keyable: true },
  { name: 'int', type: 'int', values: ints, keyable: true },
  { name: 'timestamp-micros', type: { type: 'long', logicalType: 'timestamp-micros' }, values: timestamps, keyable: true },
  { name: 'timestamp-millis', type: { type: 'long', logicalType: 'timestamp-millis' }, values: timestamps, keyable: true },
  { name: 'local-timestamp-micros', type: { type: 'long', logicalType: 'local-timestamp-micros' }, values: timestamps, keyable: false },
  { name: 'string', type: 'string', values: strings, keyable: true },
  { name: 'uuid', type: { type: 'string', logicalType: 'uuid' }, values: uuids, keyable: true },
  { name: 'decimal(12,2)', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, values: decimals, keyable: true },
  { name: 'decimal(4,0)', type: { type: 'bytes', logicalType: 'decimal', precision: 4 }, values: ['0', '9999', '10000', '-9999', '1.0', '1.5', null], keyable: true },
  { name: 'boolean', type: 'boolean', values: booleans, keyable: true },
  { name: 'enum', type: { type: 'enum', name: 'S', symbols: ['A', 'B_2', 'c'] }, values: ['A', 'B_2', 'c', 'C', 'a', '', ' A', 1, null], keyable: true },
  { name: '[null, long]', type: ['null', 'long'], values: longs, keyable: true },
  { name: '[long, null]', type: ['long', 'null'], values: longs, keyable: true },
  { name: '[null, uuid]', type: ['null', { type: 'string', logicalType: 'uuid' }], values: uuids, keyable: true },
  { name: '[null, enum]', type: ['null', { type: 'enum', name: 'S2', symbols: ['A', 'B'] }], values: ['A', 'B', 'C', null], keyable: true },
  { name: '[null, decimal]', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }], values: decimals, keyable: true },
];

describe('direct Avro writer', () => {
  it.each(table)('$name: the general path\'s bytes and key, or declines', ({ type, values, keyable }) => {
    const mapper = one(type);
    let taken = 0;
    for (const v of values) {
      if (agree(mapper, { f: v }, keyable ? 'f' : undefined)) taken++;
    }
    // it does take the plain values (a writer that declined everything would pass the rest of this test)
    expect(taken).toBeGreaterThan(0);
  });

  it('takes the values databases print for these types', () => {
    const mapper = new AvroRowMapper({
      type: 'record', name: 'E', fields: [
        { name: 'id', type: 'long' }, { name: 'account', type: { type: 'string', logicalType: 'uuid' } },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
        { name: 'status', type: { type: 'enum', name: 'St', symbols: ['PENDING', 'BOOKED'] } }, { name: 'note', type: ['null', 'string'] },
        { name: 'ok', type: 'boolean' }, { name: 'n', type: 'int' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-micros' } },
      ],
    });
    const row = { id: '42', account: '5f0c3a6e-1b2d-4c3e-8f4a-0b1c2d3e4f50', amount: '-12.30', status: 'BOOKED', note: null, ok: 't', n: 7, at: '2024-05-06 07:08:09.123456+00' };
    expect(agree(mapper, row, 'id')).toBe(true);
    expect(mapper.direct('id')!.key(row)).toBe('42');
    // a column the row lacks: the general path (its default or its error)
    const { note: _n, ...missing } = row;
    expect(agree(mapper, missing, 'id')).toBe(false);
  });

  it('writes rows across slab ends and larger than a slab, each framed as the general path frames it', () => {
    const mapper = new AvroRowMapper({ type: 'record', name: 'R', fields: [{ name: 'id', type: 'long' }, { name: 's', type: 'string' }] });
    const sizes = [0, 1, 100, 4000, 65_000, 65_520, 65_536, 70_000, 200_000, 3, 60_000, 60_000, 10];
    const framed: Array<{ got: Buffer | undefined; row: Row }> = [];
    for (let round = 0; round < 10; round++) {
      for (const [i, size] of sizes.entries()) {
        const row = { id: String(round * 100 + i), s: (i % 2 ? 'é' : 'a').repeat(size) };
        framed.push({ got: mapper.frameDirect(mapper.direct('id')!, 9, row), row });
      }
    }
    // earlier records stay intact while later ones are written
    let taken = 0;
    for (const { got, row } of framed) {
      const want = general(mapper, row, 'id') as { bytes: Buffer };
      if (got) {
        taken++;
        expect(got.equals(want.bytes)).toBe(true);
      } else {
        // only a row larger than a slab (64 KiB) is left to the general path
        expect(want.bytes.length).toBeGreaterThan(65_536 - 16);
      }
    }
    expect(taken).toBeGreaterThan(framed.length / 2);
  });

  it('leaves schemas with types it does not write to the general path', () => {
    for (const type of ['double', 'bytes', { type: 'int', logicalType: 'date' }, { type: 'long', logicalType: 'time-micros' }, { type: 'array', items: 'long' },
      { type: 'fixed', name: 'F', size: 2 }, ['null', 'long', 'string'], { type: 'record', name: 'In', fields: [{ name: 'x', type: 'long' }] }]) {
      expect(one(type).direct()).toBeUndefined();
    }
  });

  it('random rows: same bytes as the general path, seeded', () => {
    let seed = 20261206;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const mapper = new AvroRowMapper({ type: 'record', name: 'E', fields: table.map((t, i) => ({ name: `f${i}`, type: t.type })) });
    let taken = 0;
    for (let i = 0; i < 3000; i++) {
      const row: Row = {};
      // mostly each type's first (plain) value, so that whole rows are taken too
      table.forEach((t, j) => { row[`f${j}`] = rnd() < 0.9 ? t.values[0] : pick(t.values); });
      if (agree(mapper, row, 'f0')) taken++;
    }
    expect(taken).toBeGreaterThan(100);
  });
});

describe('direct writer helpers', () => {
  it.each([
    ['0', 0], ['-1', -1], ['123', 123], ['999999999999999', 999999999999999], ['-999999999999999', -999999999999999],
    ['1000000000000000', undefined], ['-0', undefined], ['01', undefined], ['+1', undefined], ['', undefined], ['-', undefined], ['1a', undefined],
  ] as const)('canonicalInteger(%j) = %j', (s, want) => {
    expect(canonicalInteger(s)).toBe(want);
  });

  it('writes the zigzag varints avsc writes for longs', async () => {
    const avro = (await import('avsc')).default;
    const t = avro.Type.forSchema('long');
    for (const n of [0, 1, -1, 63, -64, 64, 8191, -8192, 2 ** 31, -(2 ** 31), 2 ** 40 + 3, -(2 ** 51), 2 ** 52 - 1, -(2 ** 52) + 1]) {
      const buf = Buffer.alloc(16);
      const end = writeVarLong(n, buf, 0);
      expect(buf.subarray(0, end).toString('hex'), String(n)).toBe(t.toBuffer(n).toString('hex'));
    }
  });
});
