// `schemactl publish` with `pattern: log` (a throwaway PostgreSQL cluster with wal_level=logical) and
// `pattern: triggers` (the machine's PostgreSQL): the catalog keys reach the sources, the gate runs,
// and inserts, updates and deletes land in the file sink decodable with the registered schema.
import avro from 'avsc';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';

const SCHEMA = {
  type: 'record', name: 'Customer', namespace: 'test.patterns.v1', doc: 'A customer account.',
  fields: [
    { name: 'id', type: 'long', doc: 'Customer id; the key.' },
    { name: 'email', type: 'string', doc: 'Contact address.' },
    { name: 'balance', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, doc: 'Store credit.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When this version was written.' },
  ],
};

interface Line { topic: string; key: string | null; value: string | null }

function readSink(file: string): Line[] {
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line);
}

function decode(line: Line): Record<string, unknown> {
  const buf = Buffer.from(line.value!, 'base64');
  expect(buf[0]).toBe(0); // Confluent magic byte, then a 4-byte schema id
  return avro.Type.forSchema(SCHEMA as avro.Schema).fromBuffer(buf.subarray(5)) as Record<string, unknown>;
}

async function cli(cwd: string, args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(args, { cwd, env: {}, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
  return { code, out };
}

function catalog(dir: string, source: string[]): void {
  writeFileSync(join(dir, 'customer.avsc'), JSON.stringify(SCHEMA, null, 2));
  writeFileSync(join(dir, 'schemactl.yaml'), ['streams:', '  - topic: crm.customers', '    schema: customer.avsc', '    key: id', '    source:', ...source.map((l) => `      ${l}`), ''].join('\n'));
}

describe('publish with pattern: log', () => {
  let cluster: PgCluster;
  const dir = mkdtempSync(join(process.cwd(), 'test/.work-publish-log-'));
  beforeAll(async () => {
    cluster = await startPgCluster();
    cluster.psql('CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, balance numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())');
    cluster.psql("INSERT INTO customers VALUES (1, 'a@example.com', 10.50, '2026-01-01 00:00:00.000001+00')");
    catalog(dir, [`connection: ${cluster.url}`, 'pattern: log', 'table: customers', 'slot: crm_customers', 'batch_size: 50']);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('snapshots, then streams inserts, updates and deletes (a tombstone on the key)', async () => {
    const first = await cli(dir, ['publish', '--once', '--log-format', 'json']);
    expect(first.code, first.out).toBe(0);
    cluster.psql("INSERT INTO customers VALUES (2, 'b@example.com', 0.01, '2026-01-02 00:00:00+00'); UPDATE customers SET balance = 99999999.99, updated_at = '2026-01-03 00:00:00+00' WHERE id = 1; DELETE FROM customers WHERE id = 2");
    const second = await cli(dir, ['publish', '--once', '--log-format', 'json']);
    expect(second.code, second.out).toBe(0);
    const lines = readSink(join(dir, '.schemactl/published.ndjson'));
    const keys = lines.map((l) => `${Buffer.from(l.key ?? '', 'base64').toString()}:${l.value === null ? 'tombstone' : 'event'}`);
    expect(keys).toEqual(['1:event', '2:event', '1:event', '2:tombstone']);
    const update = decode(lines[2]!);
    expect((update.balance as Buffer).toString('hex')).toBe('02540be3ff'); // 9999999999 unscaled
    expect(decode(lines[0]!).updated_at).toBe(1767225600000001);
    // the slot confirmed what was published, so a third run has nothing to do
    const third = await cli(dir, ['publish', '--once', '--log-format', 'json']);
    expect(third.code).toBe(0);
    expect(readSink(join(dir, '.schemactl/published.ndjson'))).toHaveLength(4);
  }, 120_000);

  it('refuses unknown source keys with the stream named', async () => {
    const bad = mkdtempSync(join(process.cwd(), 'test/.work-publish-log-bad-'));
    catalog(bad, [`connection: ${cluster.url}`, 'pattern: log', 'table: customers', 'slots: typo']);
    const r = await cli(bad, ['publish', '--once']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/slots/);
  });
});

describe('publish with pattern: triggers', () => {
  const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `pt_${process.pid}_${Date.now() % 1_000_000}`;
  const dir = mkdtempSync(join(process.cwd(), 'test/.work-publish-triggers-'));
  const admin = new pg.Client({ connectionString: PG_URL });
  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.customers (id bigint PRIMARY KEY, email text NOT NULL, balance numeric(12,2) NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    catalog(dir, [`connection: ${PG_URL}`, 'pattern: triggers', `table: ${schema}.customers`]);
  });
  afterAll(async () => {
    await cli(dir, ['capture', 'uninstall', '--force']);
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('captures inserts, updates and deletes and publishes them in order', async () => {
    const install = await cli(dir, ['capture', 'install']);
    expect(install.code, install.out).toBe(0);
    await admin.query(`INSERT INTO ${schema}.customers VALUES (7, 'c@example.com', 1.00, '2026-02-01 00:00:00+00')`);
    await admin.query(`UPDATE ${schema}.customers SET email = 'd@example.com', updated_at = '2026-02-02 00:00:00+00' WHERE id = 7`);
    await admin.query(`DELETE FROM ${schema}.customers WHERE id = 7`);
    const r = await cli(dir, ['publish', '--once', '--log-format', 'json']);
    expect(r.code, r.out).toBe(0);
    const lines = readSink(join(dir, '.schemactl/published.ndjson'));
    expect(lines.map((l) => (l.value === null ? 'tombstone' : String(decode(l).email)))).toEqual(['c@example.com', 'd@example.com', 'tombstone']);
    expect(new Set(lines.map((l) => Buffer.from(l.key ?? '', 'base64').toString()))).toEqual(new Set(['7']));
    const left = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schemactl_ct_customers`);
    expect(left.rows[0].n).toBe(0);
  }, 60_000);
});
