// What the publish benchmarks share: the current sources built into a private folder laid out like an
// installation, a single-node Kafka broker from the tests' jars, the ~200-byte benchmark table, and a
// catalog for it at default settings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli as buildInstalledCli, freePort, portOpen, startKafka } from '../lib.mjs';

export { freePort, portOpen, startKafka };

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const work = join(root, 'bench/.work');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** The current sources built as an installation is (see bench/lib.mjs), in bench/.work/<name>. */
export function buildCli(name = 'publish-build') {
  return buildInstalledCli(join(work, name));
}

/** ~200 bytes per row on the wire: id, uuid, amount, status, 120-char text, two µs timestamps. */
export async function createTable(client, table, rows) {
  await client.query(`DROP TABLE IF EXISTS ${table}`);
  await client.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, account_id uuid NOT NULL, amount numeric(12,2) NOT NULL, status text NOT NULL,
    description text NOT NULL, occurred_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
  await client.query(`INSERT INTO ${table}
    SELECT g, md5(g::text)::uuid, (g % 100000) / 100.0, (ARRAY['PENDING','BOOKED','REVERSED'])[1 + g % 3],
           repeat(md5((g * 7)::text), 4) || left(md5(g::text), 8), '2024-01-01 00:00:00+00'::timestamptz + g * interval '17 microseconds',
           '2024-01-01 00:00:00+00'::timestamptz + (g / 3) * interval '1 microsecond'
    FROM generate_series(1, ${rows}) g`);
  // the keyset walk needs an index on (timestamp, id), as any deployment of the query pattern should
  // have: without one every page is a full scan and a sort
  await client.query(`CREATE INDEX ON ${table} (updated_at, id)`);
  // a table just bulk-loaded is vacuumed by autovacuum in the background soon after, and its first
  // reader sets every row's hint bits (writing each page again): both would land in whichever run comes
  // first. A table in use has neither pending, so the benchmark's does not either.
  await client.query(`VACUUM ANALYZE ${table}`);
}

export const schema = JSON.stringify({
  type: 'record', name: 'EntryBooked', namespace: 'com.acme.bench.v1', doc: 'Benchmark row.',
  fields: [
    { name: 'id', type: 'long', doc: 'Id.' },
    { name: 'account_id', type: { type: 'string', logicalType: 'uuid' }, doc: 'Account.' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, doc: 'Amount.' },
    { name: 'status', type: { type: 'enum', name: 'EntryStatus', symbols: ['UNKNOWN', 'PENDING', 'BOOKED', 'REVERSED'], default: 'UNKNOWN', doc: 'State.' }, default: 'UNKNOWN', doc: 'State.' },
    { name: 'description', type: 'string', doc: 'Text.' },
    { name: 'occurred_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When it happened.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When written.' },
  ],
}, null, 2);

/** A project folder with the benchmark schema and a one-stream catalog (defaults unless named). */
export function writeProject(proj, { topic, table, pg, batchSize, compression, pattern, slot }) {
  mkdirSync(proj, { recursive: true });
  writeFileSync(join(proj, 'entry.avsc'), schema);
  writeFileSync(join(proj, 'schemactl.yaml'), `${compression ? `kafka:\n  compression: ${compression}\n` : ''}streams:
  - topic: ${topic}
    kind: store
    schema: entry.avsc
    key: id
    source:
      connection: ${pg}
      table: ${table}
${pattern ? `      pattern: ${pattern}\n` : ''}${slot ? `      slot: ${slot}\n` : ''}${batchSize ? `      batch_size: ${batchSize}\n` : ''}`);
}
