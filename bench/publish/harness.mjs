// What the publish benchmarks share: the current sources built into a private folder laid out like an
// installation, a single-node Kafka broker from the tests' jars, the ~200-byte benchmark table, and a
// catalog for it at default settings.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli as buildInstalledCli } from '../lib.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const work = join(root, 'bench/.work');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const fmt = (n) => Math.round(n).toLocaleString('en-US');

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => res(port)); });
  });
}

export function portOpen(port) {
  return new Promise((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
}

/** The current sources built as an installation is (see bench/lib.mjs), in bench/.work/<name>. */
export function buildCli(name = 'publish-build') {
  return buildInstalledCli(join(work, name));
}

/**
 * A single-node KRaft broker from the jars test/support/kafka/pom.xml fetches (the tests' broker,
 * default flush policy), its data in `dir`. `children` collects the process so the caller can kill it
 * on exit.
 */
export async function startKafka(dir, children) {
  const lib = join(root, 'test/support/kafka/target/lib');
  if (!existsSync(join(lib, 'kafka-server-4.1.1.jar'))) {
    const r = spawnSync('mvn', ['-q', '-B', '-f', join(root, 'test/support/kafka/pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${lib}`], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('fetching the Kafka jars with Maven failed');
  }
  const port = await freePort();
  const cport = await freePort();
  const data = join(dir, 'kafka-data');
  const props = join(dir, 'server.properties');
  writeFileSync(props, [
    'process.roles=broker,controller', 'node.id=1', `controller.quorum.voters=1@127.0.0.1:${cport}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${cport}`, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${data}`, 'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1', 'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1', 'num.partitions=1', 'auto.create.topics.enable=true', '',
  ].join('\n'));
  const cp = `${lib}/*`;
  const id = spawnSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid'], { encoding: 'utf8' }).stdout.trim();
  const formatted = spawnSync('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', props], { encoding: 'utf8' });
  if (formatted.status !== 0) throw new Error(`formatting Kafka storage failed: ${formatted.stderr}`);
  const log = openSync(join(dir, 'kafka.log'), 'a');
  const child = spawn('java', ['-Xmx1g', '-XX:+UseSerialGC', `-Dlog4j2.configurationFile=${join(root, 'test/support/kafka/log4j2.properties')}`, '-cp', cp, 'kafka.Kafka', props], { stdio: ['ignore', log, log] });
  children.add(child);
  const deadline = Date.now() + 180_000; // a loaded machine starts the JVM slowly
  while (!(await portOpen(port))) {
    if (child.exitCode !== null) throw new Error(`Kafka exited; see ${join(dir, 'kafka.log')}`);
    if (Date.now() > deadline) throw new Error('Kafka did not start within 180 s');
    await sleep(200);
  }
  return {
    bootstrap: `127.0.0.1:${port}`, lib,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), sleep(20_000).then(() => child.kill('SIGKILL'))]);
      children.delete(child);
    },
  };
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
  await client.query(`ANALYZE ${table}`);
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
