// `schemactl capture install|status|uninstall` from a catalog, in-process through main(), against the
// machine's PostgreSQL: what a user sees, exit codes, and config problems at file:line:column.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = `capc_${process.pid}_${Date.now() % 1_000_000}`;
const dir = mkdtempSync(join(process.cwd(), 'test/.work-capture-cli-'));
const admin = new pg.Client({ connectionString: PG_URL });

const SCHEMA = JSON.stringify({
  type: 'record', name: 'Customer', namespace: 'test.capture', doc: 'A customer.',
  fields: [
    { name: 'id', type: 'long', doc: 'Id.' },
    { name: 'email', type: 'string', doc: 'Email.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'Write time.' },
  ],
}, null, 2);

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { cwd: dir, env: {}, stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout: stdout.replaceAll(run, '<run>'), stderr: stderr.replaceAll(run, '<run>') };
}

beforeAll(async () => {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${run}`);
  await admin.query(`CREATE TABLE ${run}.customers (id bigint PRIMARY KEY, email text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
  mkdirSync(join(dir, 'schemas'), { recursive: true });
  writeFileSync(join(dir, 'schemas/customer.avsc'), SCHEMA);
  writeFileSync(join(dir, 'schemactl.yaml'), [
    'streams:',
    '  - topic: crm.customers',
    '    schema: schemas/customer.avsc',
    '    source:',
    '      pattern: triggers',
    `      connection: ${PG_URL}`,
    `      table: ${run}.customers`,
    '  - topic: crm.broken',
    '    schema: schemas/customer.avsc',
    '    source:',
    '      pattern: triggers',
    `      connection: ${PG_URL}`,
    '',
  ].join('\n'));
});
afterAll(async () => {
  await admin.query(`DROP SCHEMA IF EXISTS ${run} CASCADE`);
  await admin.end();
});

describe('schemactl capture', () => {
  it('reports a stream without a table at its position', async () => {
    const r = await cli(['capture', 'install', 'crm.broken', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('schemactl: schemactl.yaml:8:5: stream crm.broken: source.table is required for pattern: triggers\n');
  });

  it('prints the DDL with --dry-run, installs, reports status and uninstalls', async () => {
    const dry = await cli(['capture', 'install', 'crm.customers', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^-- crm\.customers: would be installed\n/);
    expect(dry.stdout).toContain('CREATE TRIGGER "schemactl_ct_customers_trg" AFTER INSERT OR UPDATE OR DELETE ON "<run>"."customers" FOR EACH ROW');
    expect((await admin.query(`SELECT 1 FROM pg_trigger WHERE tgname = 'schemactl_ct_customers_trg' AND tgrelid = '${run}.customers'::regclass`)).rowCount).toBe(0);

    expect((await cli(['capture', 'install', 'crm.customers'])).code).toBe(0);
    expect((await cli(['capture', 'install', 'crm.customers'])).stdout).toBe('crm.customers: capture is installed and up to date\n');
    await admin.query(`INSERT INTO ${run}.customers (id, email) VALUES (1, 'a@example.com')`);
    const st = await cli(['capture', 'status', 'crm.customers']);
    expect(st.code).toBe(0);
    // v2: the row trigger and the statement trigger that notifies the publisher on commit
    expect(st.stdout).toMatch(/^crm\.customers: installed v2; backlog 1 rows, oldest \d+\.\d s\n {2}trigger schemactl_ct_customers_trg: present, enabled, v2\n {2}trigger schemactl_ct_customers_ntf: present, enabled, v2\n$/);

    await admin.query(`ALTER TABLE ${run}.customers DROP COLUMN email`);
    const drift = await cli(['capture', 'status', 'crm.customers', '--format', 'json']);
    expect(drift.code).toBe(1);
    expect(JSON.parse(drift.stdout)[0].problems).toEqual([
      "column 'email' was dropped or renamed, but the stream's schema reads it; evolve the schema (or its mapping), then run `schemactl capture install` again",
    ]);

    const refuse = await cli(['capture', 'uninstall', 'crm.customers']);
    expect(refuse.code).toBe(2);
    expect(refuse.stderr).toMatch(/still holds 1 unpublished change; publish them first or pass --force/);
    const un = await cli(['capture', 'uninstall', 'crm.customers', '--force']);
    expect(un.code).toBe(0);
    expect(un.stdout).toContain('DROP TRIGGER IF EXISTS "schemactl_ct_customers_trg" ON "<run>"."customers"');
    const left = await admin.query(`SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`, [run]);
    expect(left.rows.map((r: { relname: string }) => r.relname)).toEqual(['customers', 'customers_pkey']);
  });
});
