// The PostgreSQL permission check of the query pattern (pg_read_all_stats, for the late-commit bound)
// runs before anything is registered: a refused role leaves the registry as it was.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { buildPublisherCli, PG_URL, runPublisher, tempDir, writeFiles } from '../support/publisher.js';

const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
const role = `nostats_${sfx}`;
const table = `perm_items_${sfx}`;
let admin: pg.Client;
let registry: ServedRegistry;

beforeAll(async () => {
  admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE ROLE ${role} LOGIN`);
  await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, updated_at timestamptz NOT NULL)`);
  await admin.query(`GRANT SELECT ON ${table} TO ${role}`);
  [registry] = await Promise.all([serveRegistry({ port: 0, dataDir: path.join(tempDir('perm-registry'), 'data') }), buildPublisherCli()]);
}, 240_000);

afterAll(async () => {
  await admin?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  await admin?.query(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  await admin?.end();
  await registry?.close();
});

it('a role without pg_read_all_stats is refused and nothing is registered', async () => {
  const dir = tempDir('publish-perm');
  writeFiles(dir, {
    'item.avsc': `{
  "type": "record", "name": "ItemSeen", "namespace": "com.acme.perm.v1", "doc": "An item.",
  "fields": [
    { "name": "id", "type": "long", "doc": "Id." },
    { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-micros" }, "doc": "When." }
  ]
}`,
    'schemactl.yaml': `streams:
  - topic: perm-items-${sfx}
    kind: store
    schema: item.avsc
    key: id
    source:
      connection: ${PG_URL.replace('postgres@', `${role}@`)}
      table: ${table}
`,
  });
  const r = await runPublisher(['--registry', registry.url, '--once'], { cwd: dir });
  expect(r.code).toBe(2);
  expect(r.stdout + r.stderr).toContain(`GRANT pg_read_all_stats TO ${role}`);
  const subjects = (await (await fetch(`${registry.url}/subjects`)).json()) as string[];
  expect(subjects).not.toContain(`perm-items-${sfx}-value`);
}, 60_000);
