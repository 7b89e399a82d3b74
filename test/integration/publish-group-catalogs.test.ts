// Group mode when the instances run different catalogs (a rolling upgrade that adds a stream): real
// publisher processes (the built CLI) on a real Kafka broker, three query-pattern streams on PostgreSQL
// while rows are written.
//
// Instance A's catalog has gcat.a and gcat.c; instance B's has gcat.a, gcat.b and gcat.c. The new stream
// sorts in the middle on purpose: numbered by each catalog's own order, partition 1 would be gcat.c on A
// and gcat.b on B, and the two would fence each other over it. Assigned by name, gcat.b runs only on B,
// each stream runs on exactly one instance, and no stream is started again while nothing changes.
// Then A is restarted with B's catalog (the rolling upgrade's second step): the streams rebalance,
// and every topic's replay equals its table, with no two instances' records interleaved.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { readCommitted } from '../../src/liberation/sinks/kafka-tx.js';
import {
  createTables, describeRuns, instanceRuns, ITEM_SCHEMA, logLines, mismatches, ownedOf, replay, runningOf,
  seeded, sleep, sourceLines, tableState, TableWriter, waitFor, type GroupStreamDef,
  balancedAmong,
} from '../support/group.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { buildPublisherCli, PG_URL, spawnPublisher, tempDir, writeFiles, type PublisherChild } from '../support/publisher.js';

const GROUP = 'cat-test';
const ALL: GroupStreamDef[] = [
  { topic: 'gcat.a', table: 'gcat_a', pattern: 'query' },
  { topic: 'gcat.b', table: 'gcat_b', pattern: 'query' },
  { topic: 'gcat.c', table: 'gcat_c', pattern: 'query' },
];
const OLD = ALL.filter((s) => s.topic !== 'gcat.b');

let broker: SharedKafka;
let registry: ServedRegistry;
let db: pg.Client;
let writer: TableWriter;
interface Instance { id: string; dir: string; p: PublisherChild; streams: GroupStreamDef[] }
const all: Instance[] = [];

function spawnInstance(id: string, streams: GroupStreamDef[]): Instance {
  const dir = tempDir(`group-cat-${id}`);
  const catalog = [
    'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  checkpoint_topic: cat-offsets', `  group: ${GROUP}`,
    'registry:', `  url: ${registry.url}`,
    'streams:',
    ...streams.flatMap((s) => [`  - topic: ${s.topic}`, '    kind: store', '    schema: item.avsc', '    key: id', '    source:', ...sourceLines(s, PG_URL, 'cat').map((l) => `      ${l}`)]),
    '',
  ].join('\n');
  writeFiles(dir, { 'item.avsc': JSON.stringify(ITEM_SCHEMA, null, 2), 'schemactl.yaml': catalog });
  const inst = { id, dir, streams, p: spawnPublisher(['--log-format', 'json', '--instance-id', id], { cwd: dir }) };
  all.push(inst);
  return inst;
}

const dump = () => all.map((i) => `--- ${i.id}\n${i.p.output().stdout.split('\n').filter((l) => !l.includes('"msg":"progress"')).join('\n').slice(-5000)}\n${i.p.output().stderr.slice(-2000)}`).join('\n');
const withDump = (e: Error): never => { throw new Error(`${e.message}\n${dump()}`); };

/** stream → how many times any process started it */
function starts(): Map<string, number> {
  const n = new Map<string, number>();
  for (const i of all) for (const l of logLines(i.p)) if (l.msg === 'stream started') n.set(String(l.topic), (n.get(String(l.topic)) ?? 0) + 1);
  return n;
}

/** the live instances own `per` streams each, every stream once, and run exactly what they own */
const settled = (live: Instance[], per: number[]) => balancedAmong(live, per, ALL.length);

beforeAll(async () => {
  const work = tempDir('group-cat');
  db = new pg.Client({ connectionString: PG_URL });
  await db.connect();
  for (const t of ALL) await db.query(`DROP TABLE IF EXISTS ${t.table}`);
  await createTables(db, ALL);
  writer = new TableWriter(db, ALL, seeded(2626));
  [broker, registry] = await Promise.all([
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]) as [SharedKafka, ServedRegistry, string];
}, 240_000);

afterAll(async () => {
  await writer?.stop().catch(() => {});
  for (const i of all) if (i.p.child.exitCode === null && i.p.child.signalCode === null) i.p.child.kill('SIGKILL');
  await Promise.all(all.map((i) => i.p.done));
  for (const i of all) writeFiles(i.dir, { 'stdout.log': i.p.output().stdout, 'stderr.log': i.p.output().stderr });
  for (const t of ALL) await db?.query(`DROP TABLE IF EXISTS ${t.table}`).catch(() => {});
  await db?.end().catch(() => {});
  await Promise.all([broker?.stop(), registry?.close()]);
});

async function checkTopics(phase: string): Promise<void> {
  const final = new Map<string, Awaited<ReturnType<typeof readCommitted>>>();
  await waitFor(`${phase}: every topic to equal its table`, 60_000, async () => {
    for (const t of ALL) {
      const msgs = await readCommitted([broker.bootstrap], t.topic);
      if (mismatches(await tableState(db, t), replay(msgs), writer.everId.get(t.topic)!).length) return undefined;
      final.set(t.topic, msgs);
    }
    return true;
  }).catch(withDump);
  const n = starts();
  for (const t of ALL) {
    const { runs, overlaps } = instanceRuns(final.get(t.topic)!);
    expect(overlaps, `${phase} ${t.topic}: ${describeRuns(runs)}`).toEqual([]);
    expect(runs.length, `${phase} ${t.topic}: ${describeRuns(runs)}`).toBeLessThanOrEqual(n.get(t.topic) ?? 0);
    console.log(`group-catalogs ${phase}: ${t.topic}: ${final.get(t.topic)!.length} records (${writer.rows(t.topic)} rows written), started ${n.get(t.topic)}×, runs ${describeRuns(runs)}`);
  }
}

it('instances with different catalogs: a stream runs only where it is defined, nothing is fenced back and forth; a rolling restart onto the new catalog loses nothing', async () => {
  await writer.step(150, null);
  const a = spawnInstance('A', OLD);
  await waitFor('A to run its two streams', 60_000, () => runningOf(a.p).join() === 'gcat.a,gcat.c').catch(withDump);
  writer.start(4, { updates: 3, deletes: 0 }, 300);
  const b = spawnInstance('B', ALL);
  await waitFor('B to join: 2/1, every stream once', 60_000, () => settled([a, b], [2, 1])).catch(withDump);
  expect(ownedOf(b.p)).toContain('gcat.b');
  // quiet for a while: a thrashing group would start streams again and again (each start is a fence)
  const before = starts();
  await sleep(8_000);
  expect(starts(), 'no stream started again while nothing changed').toEqual(before);
  expect([...before.values()].every((x) => x === 1), `each stream started once: ${JSON.stringify([...before])}`).toBe(true);
  // A was never given (nor ran) the stream it does not have
  expect(logLines(a.p).filter((l) => l.msg === 'group assignment').flatMap((l) => l.owned as string[])).not.toContain('gcat.b');
  expect(logLines(a.p).some((l) => l.topic === 'gcat.b')).toBe(false);
  await writer.stop();
  await checkTopics('mixed catalogs');

  // the rolling upgrade's second step: A stops (SIGTERM) and comes back with the new catalog
  writer.start(4, { updates: 3, deletes: 0 }, 300);
  a.p.child.kill('SIGTERM');
  expect((await a.p.done).code).toBe(0);
  await waitFor('B to run all three while A is away', 60_000, () => settled([b], [3])).catch(withDump);
  const a2 = spawnInstance('A2', ALL);
  await waitFor('A2 to join: 2/1, every stream once', 60_000, () => settled([a2, b], [2, 1])).catch(withDump);
  const after = starts();
  await sleep(5_000);
  expect(starts(), 'no stream started again after the upgrade settled').toEqual(after);
  await writer.stop();
  await checkTopics('after the upgrade');
  // at most: A's first start, B's takeover, one move to A2 (gcat.b: B's start and maybe the move)
  for (const [t, x] of starts()) expect(x, `${t} starts`).toBeLessThanOrEqual(3);
  for (const i of [a2, b]) expect(i.p.child.exitCode, `${i.id} still running`).toBeNull();
}, 240_000);
