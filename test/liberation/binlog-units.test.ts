// The binlog source's pure parts: positions order across files, FLOAT prints as the server prints
// it, the default replica id is stable, and the catalog keys are checked before anything connects.
import { describe, expect, it } from 'vitest';
import { comparePositions, defaultServerId, formatPosition, parsePosition } from '../../src/liberation/sources/binlog.js';
import { binlogValue, float32Text, MYSQL_TYPE } from '../../src/liberation/sources/binlog/values.js';
import { createSource } from '../../src/liberation/sources/index.js';
import type { OtherSourceSpec } from '../../src/liberation/source-config.js';

describe('binary log positions', () => {
  it.each([
    ['binlog.000001:4', 'binlog.000001:900', -1],
    ['binlog.000002:4', 'binlog.000001:900', 1],
    ['binlog.000009:4', 'binlog.000010:4', -1],
    ['mysql-bin.000003:1234', 'mysql-bin.000003:1234', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(Math.sign(comparePositions(parsePosition(a), parsePosition(b)))).toBe(sign);
  });
  it('round-trips and rejects text that is not a position', () => {
    expect(formatPosition(parsePosition('a:b.000001:77'))).toBe('a:b.000001:77');
    expect(() => parsePosition('binlog.000001')).toThrow(/not a binary log position/);
  });
});

describe('values as the server prints them', () => {
  it.each([
    [1.100000023841858, '1.1'],
    [0.10000000149011612, '0.1'],
    [3.4028234663852886e38, '3.4028235e+38'],
    [16777217, '16777216'],
    [-0, '0'],
  ])('FLOAT %s → %s', (x, text) => {
    expect(float32Text(x)).toBe(text);
  });
  it('integers become digits, DOUBLE keeps its shortest form, strings and bytes pass', () => {
    expect(binlogValue(42, 3)).toBe('42');
    expect(binlogValue(0.1, MYSQL_TYPE.DOUBLE)).toBe('0.1');
    expect(binlogValue('18446744073709551615', 8)).toBe('18446744073709551615');
    expect(binlogValue(Buffer.from([1]), 16)).toEqual(Buffer.from([1]));
    expect(binlogValue(null, 8)).toBeNull();
  });
});

describe('catalog keys of pattern: log on MySQL/MariaDB', () => {
  const ctx = { stream: { topic: 't', kind: 'store' as const, schemas: [], loc: { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } } }, configFile: 'schemactl.yaml', columns: [], checkpoints: { load: async () => null, save: async () => {}, close: async () => {} } };
  const spec = (raw: Record<string, unknown>) => ({ pattern: 'log', connection: 'mysql://root@127.0.0.1:1/db', batchSize: 1000, pollIntervalMs: 1000, delayMs: 0, deadLetter: 'x', mapping: {}, raw: { pattern: 'log', connection: 'mysql://root@127.0.0.1:1/db', ...raw } }) as OtherSourceSpec;
  it.each([
    [{ table: 'orders', server_id: 0 }, /`server_id` must be an integer from 1 to 4294967295/],
    [{ table: 'orders', slot: 'x' }, /unknown key `slot` for pattern log/],
    [{ table: 'orders', truncate: 'emit' }, /`truncate` must be fail or skip on MySQL\/MariaDB/],
    [{}, /`table` \(or `tables`\) is required/],
  ])('%j is refused', async (raw, msg) => {
    await expect(createSource('t', spec(raw), ctx as never)).rejects.toThrow(msg);
  });
  it('builds a binlog source with a stable default server id', async () => {
    const s = await createSource('orders', spec({ table: 'orders' }), ctx as never);
    expect(s.describe()).toContain(`server_id ${defaultServerId('orders')}`);
    expect(defaultServerId('orders')).toBe(defaultServerId('orders'));
    expect(defaultServerId('orders')).toBeGreaterThanOrEqual(1_000_000_000);
  });
});
