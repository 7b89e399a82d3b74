// Group mode when the membership changes on purpose: real publisher processes (the built CLI) on a real
// Kafka broker and a throwaway wal_level=logical PostgreSQL cluster, six streams (two each of the query,
// outbox and log patterns) while rows are written continuously.
//
//  1. Scale-out: one instance runs all six streams; a second and then a third instance start, and the
//     streams rebalance onto them (2/2/2, seen in each instance's log and its /metrics owned-streams
//     gauge, and in the `schemactl.instance` header of the records each one published).
//  2. Scale-in and rolling restart: one of the three is stopped with SIGTERM for good, then each of the
//     other two in turn is stopped with SIGTERM and replaced by a new process. A graceful stop finishes
//     or abandons its in-flight batches, releases its streams and leaves the group before any other
//     instance starts them, so the handover takes far less than the session timeout (10 s) a kill -9
//     has to wait for. The handover times are measured and printed.
//  3. Group mode checks each stream's source (the role's permissions) before it registers anything, with
//     the message and exit code a single publisher gives.
//
// The oracles after each of 1 and 2: the replay per key of every topic equals its table (tombstones for
// deleted keys); every change committed to an outbox, and every change committed to a log-pattern table
// once its slot existed, is in the topic (no loss); per topic, the records cut into runs by instance
// never interleave (a run starts after the previous run's last record), and there are no more runs than
// times the stream was started anywhere.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { readCommitted, type CommittedMessage } from '../../src/liberation/sinks/kafka-tx.js';
import {
  createTables, describeRuns, duplicates, gauge, instanceRuns, ITEM_SCHEMA, logLines, mismatches, missingChanges, ownedOf, replay,
  scrape, seeded, sleep, sourceLines, tableState, TableWriter, waitFor, type GroupStreamDef,
  balancedAmong,
} from '../support/group.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { freePort } from '../support/ports.js';
import { buildPublisherCli, runPublisher, spawnPublisher, tempDir, writeFiles, type PublisherChild } from '../support/publisher.js';

const GROUP = 'mem-test';
/** rows in the tables before the first instance starts; the writer then adds 8 rows per table every ~150 ms */
const BACKLOG = 1500;
/** the broker's default session timeout in group mode: a kill -9 is noticed after this long */
const SESSION_TIMEOUT_MS = 10_000;

const STREAMS: GroupStreamDef[] = [
  { topic: 'mem.q1', table: 'mq1', pattern: 'query' },
  { topic: 'mem.q2', table: 'mq2', pattern: 'query' },
  { topic: 'mem.o1', table: 'mo1', pattern: 'outbox' },
  { topic: 'mem.o2', table: 'mo2', pattern: 'outbox' },
  // named to sort last: the sticky assignment keeps the streams a member ran in name order up to its
  // quota, so scaling out moves the log streams (and their replication slots)
  { topic: 'mem.wal1', table: 'mw1', pattern: 'log' },
  { topic: 'mem.wal2', table: 'mw2', pattern: 'log' },
];
/** snapshot chunk of the log streams: small, so a snapshot lasts many batches and a handover can land inside it */
const CHUNK = 50;

let cluster: PgCluster;
let broker: SharedKafka;
let registry: ServedRegistry;
let db: pg.Client;
let writer: TableWriter;
/** when the log streams' slots existed: every change committed after it is in the WAL the stream reads */
let slotsAt = 0;

interface Instance { id: string; dir: string; port: number; p: PublisherChild; spawnedAt: number }
/** every process started, in start order (stopped ones too: their logs count the stream starts) */
const all: Instance[] = [];
/** the processes of the group now */
let current: Instance[] = [];

function catalog(): string {
  return [
    'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  checkpoint_topic: mem-offsets', `  group: ${GROUP}`,
    'registry:', `  url: ${registry.url}`,
    'streams:',
    ...STREAMS.flatMap((s) => [`  - topic: ${s.topic}`, '    kind: store', '    schema: item.avsc', '    key: id', '    source:', ...sourceLines(s, cluster.url, 'mem', { chunk: CHUNK }).map((l) => `      ${l}`)]),
    '',
  ].join('\n');
}

async function spawnInstance(id: string): Promise<Instance> {
  const dir = tempDir(`group-mem-${id}`);
  writeFiles(dir, { 'item.avsc': JSON.stringify(ITEM_SCHEMA, null, 2), 'schemactl.yaml': catalog() });
  const port = await freePort();
  const inst = { id, dir, port, spawnedAt: Date.now(), p: spawnPublisher(['--log-format', 'json', '--instance-id', id, '--metrics-port', String(port)], { cwd: dir }) };
  all.push(inst);
  current.push(inst);
  return inst;
}

const dump = () => all.map((i) => `--- ${i.id}\n${i.p.output().stdout.split('\n').filter((l) => !l.includes('"msg":"progress"')).join('\n').slice(-6000)}\n${i.p.output().stderr.slice(-2000)}`).join('\n');
const withDump = (e: Error): never => { throw new Error(`${e.message}\n${dump()}`); };

/** the time (ms) of each log line of `msg` about `topic` in the process's output */
const timesOf = (i: Instance, msg: string, topic?: string) => logLines(i.p).filter((l) => l.msg === msg && (topic === undefined || l.topic === topic)).map((l) => Date.parse(String(l.time)));

/** every instance owns `per` streams (its last assignment) and runs exactly those */
const balanced = (per: number[]) => balancedAmong(current, per, STREAMS.length);

beforeAll(async () => {
  const work = tempDir('group-mem');
  // the cluster first, on its own (a broker start beside it used to outlast the cluster's start-up wait)
  cluster = await startPgCluster();
  [broker, registry] = await Promise.all([
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]) as [SharedKafka, ServedRegistry, string];
  db = new pg.Client({ connectionString: cluster.url });
  await db.connect();
  db.on('error', () => {});
  await createTables(db, STREAMS);
  writer = new TableWriter(db, STREAMS, seeded(1515));
}, 240_000);

afterAll(async () => {
  await writer?.stop().catch(() => {});
  for (const i of all) if (i.p.child.exitCode === null && i.p.child.signalCode === null) i.p.child.kill('SIGKILL');
  await Promise.all(all.map((i) => i.p.done));
  // what each process printed, beside its catalog, for a look after a failure
  for (const i of all) writeFiles(i.dir, { 'stdout.log': i.p.output().stdout, 'stderr.log': i.p.output().stderr });
  await db?.end().catch(() => {});
  await Promise.all([cluster?.stop(), broker?.stop(), registry?.close()]);
});

/** wait until every topic's replay equals its table, then check loss and interleaving; returns the topics */
async function checkTopics(phase: string): Promise<Map<string, CommittedMessage[]>> {
  const final = new Map<string, CommittedMessage[]>();
  await waitFor(`${phase}: every topic to equal its table`, 90_000, async () => {
    for (const t of STREAMS) {
      const msgs = await readCommitted([broker.bootstrap], t.topic);
      if (mismatches(await tableState(db, t), replay(msgs), writer.everId.get(t.topic)!).length) return undefined;
      final.set(t.topic, msgs);
    }
    return true;
  }).catch(async (e: Error) => {
    const report = await Promise.all(STREAMS.map(async (t) => `${t.topic}: ${mismatches(await tableState(db, t), replay(await readCommitted([broker.bootstrap], t.topic)), writer.everId.get(t.topic)!).slice(0, 5).join('; ')}`));
    throw new Error(`${e.message}\n${report.join('\n')}\n${dump()}`);
  });
  const starts = new Map<string, number>();
  for (const i of all) for (const l of logLines(i.p)) if (l.msg === 'stream started') starts.set(String(l.topic), (starts.get(String(l.topic)) ?? 0) + 1);
  for (const t of STREAMS) {
    const msgs = final.get(t.topic)!;
    // no loss: every outbox row is an event; every change of a log table after its slot existed is in the WAL it reads
    if (t.pattern === 'outbox') expect(missingChanges(writer.changes.get(t.topic)!, msgs).slice(0, 10), `${phase} ${t.topic}: changes missing`).toEqual([]);
    if (t.pattern === 'log') expect(missingChanges(writer.changes.get(t.topic)!, msgs, slotsAt).slice(0, 10), `${phase} ${t.topic}: changes missing`).toEqual([]);
    expect(msgs.every((m) => all.some((i) => i.id === m.headers['schemactl.instance'])), `${t.topic}: every record names its instance`).toBe(true);
    const { runs, overlaps } = instanceRuns(msgs);
    expect(overlaps, `${phase} ${t.topic}: ${describeRuns(runs)}`).toEqual([]);
    expect(runs.length, `${phase} ${t.topic}: ${describeRuns(runs)}`).toBeLessThanOrEqual(starts.get(t.topic) ?? 0);
    console.log(`group-membership ${phase}: ${t.topic}: ${msgs.length} records (${writer.rows(t.topic)} rows written), ${duplicates(msgs)} repeated (key, version); runs ${describeRuns(runs)}`);
  }
  return final;
}

/** the processes (of all ever started) that logged `msg` about `topic` at or after `since` */
const loggedSince = (msg: string, topic: string, since: number) => all.flatMap((i) => timesOf(i, msg, topic).filter((x) => x >= since));

/** repeated (key, version) per topic after the scale-out: the rolling restart must add none to the query and log topics */
const repeatedAfterScaleOut = new Map<string, number>();

it('scale-out: a second and a third instance join a running group and the streams rebalance onto them, nothing lost, no overlap', async () => {
  await writer.step(BACKLOG, null);
  const i1 = await spawnInstance('i1');
  await waitFor('i1 to run all six streams', 90_000, () => balanced([6])).catch(withDump);
  // the continuous writes begin once the log streams' slots exist, so each of their changes is in the WAL they read
  await waitFor('the log streams\' slots', 30_000, async () => (await db.query("SELECT count(*)::int AS n FROM pg_replication_slots WHERE slot_name LIKE 'mem\\_%'")).rows[0].n === 2);
  slotsAt = Date.now();
  writer.start(8, { updates: 6, deletes: 2 }, 150);

  const rebalance: string[] = [];
  for (const [id, per] of [['i2', [3, 3]], ['i3', [2, 2, 2]]] as const) {
    const before = new Map(current.map((i) => [i.id, ownedOf(i.p)]));
    const inst = await spawnInstance(id);
    await waitFor(`${id} to join and the streams to rebalance ${per.join('/')}`, 90_000, () => balanced([...per])).catch(withDump);
    // how long the move took: from the new process's start, and from its join (its first assignment)
    const joined = Math.min(...timesOf(inst, 'group assignment'));
    const mine = ownedOf(inst.p);
    const running = Math.max(...mine.map((t) => Math.min(...timesOf(inst, 'stream started', t))));
    const moved = mine.map((t) => {
      const from = current.find((i) => before.get(i.id)?.includes(t))!;
      const released = Math.max(...timesOf(from, 'stream released', t));
      const started = Math.min(...timesOf(inst, 'stream started', t));
      return `${t} from ${from.id} (released +${released - joined} ms, running +${started - joined} ms)`;
    });
    rebalance.push(`${id}: process start → joined ${joined - inst.spawnedAt} ms → all its ${mine.length} streams running ${running - joined} ms later; ${moved.join(', ')}`);
    for (const [other, had] of before) expect(ownedOf(current.find((i) => i.id === other)!.p).every((t) => had.includes(t)), `${other} only gave streams away (sticky)`).toBe(true);
  }
  for (const r of rebalance) console.log(`group-membership scale-out: ${r}`);
  // the log streams moved (their names sort last), with their slots
  expect(ownedOf(current[0]!.p).some((t) => t.startsWith('mem.wal'))).toBe(false);

  // the owned-streams gauge of every instance says 2, and each is ready
  for (const i of current) {
    const m = await scrape(i.port);
    expect(gauge(m.body, 'schemactl_owned_streams'), `${i.id} /metrics`).toBe(2);
    expect(m.body).toMatch(new RegExp(`^schemactl_group_lease_valid\\{group="${GROUP}"\\} 1$`, 'm'));
    expect((await scrape(i.port, '/readyz')).status).toBe(200);
  }
  await writer.stop();
  // the first snapshot of each log table is over (wherever it ended), so later repeats would be the handovers'
  await waitFor('the log streams\' first snapshots to end', 60_000, () => STREAMS.filter((t) => t.pattern === 'log').every((t) => loggedSince('snapshot done', t.topic, 0).length > 0)).catch(withDump);
  const topics = await checkTopics('scale-out');
  for (const [t, msgs] of topics) repeatedAfterScaleOut.set(t, duplicates(msgs));
  // each new instance published the streams it took over: they carry its header, and it is the last run there
  for (const i of current) {
    for (const t of ownedOf(i.p)) expect(instanceRuns(topics.get(t)!).runs.at(-1)!.id, `${t}: last run`).toBe(i.id);
  }
  expect(i1.p.child.exitCode).toBeNull();
}, 240_000);

it('scale-in, then a rolling restart: one instance leaves with SIGTERM, each of the other two in turn is stopped with SIGTERM and replaced; streams move at once (one in the middle of a snapshot), nothing lost, no overlap', async () => {
  expect(current.map((i) => i.id), 'the scale-out left three instances running').toEqual(['i1', 'i2', 'i3']);
  writer.start(8, { updates: 6, deletes: 2 }, 150);
  const handovers: number[] = [];
  const report: string[] = [];
  let resnapshot: { topic: string; at: number; keys: Set<string> } | undefined;
  const remaining = [...current];
  while (remaining.length) {
    // each of the three in turn: first one that runs a log stream, so that stream moves mid-snapshot,
    // and is not replaced (scale-in to two); the other two are restarted
    const old = (resnapshot ? undefined : remaining.find((i) => ownedOf(i.p).some((t) => t.startsWith('mem.wal')))) ?? remaining[0]!;
    const replace = remaining.length < 3;
    remaining.splice(remaining.indexOf(old), 1);
    const id = old.id;
    const streams = ownedOf(old.p);
    expect(streams.length).toBe(replace ? 3 : 2);
    const log = streams.find((t) => t.startsWith('mem.wal'));
    if (log && !resnapshot) {
      // the first instance stopped that runs a log stream is in the middle of re-reading its table: the
      // signal (what `publish --resnapshot` writes) is taken, a chunk or two published, then SIGTERM
      const t = STREAMS.find((x) => x.topic === log)!;
      const keys = new Set((await tableState(db, t)).keys());
      const at = Date.now();
      await db.query("SELECT pg_logical_emit_message(true, 'schemactl.snapshot', $1)", [JSON.stringify({ slot: `mem_${t.table}`, tables: [`public.${t.table}`] })]);
      await waitFor(`${id} to start re-reading ${t.table}`, 30_000, () => timesOf(old, 'snapshot requested by signal', log).some((x) => x >= at)).catch(withDump);
      await waitFor(`${id} to publish a first chunk of ${t.table}`, 30_000, async () => (await readCommitted([broker.bootstrap], log)).some((m) => m.headers['schemactl.snapshot'] === 'true' && m.timestamp >= BigInt(at)));
      expect(timesOf(old, 'snapshot done', log).some((x) => x >= at), `${log}: still reading its table at the SIGTERM (chunks of ${CHUNK})`).toBe(false);
      resnapshot = { topic: log, at, keys };
    }
    const t0 = Date.now();
    old.p.child.kill('SIGTERM');
    // the replacement (a new process, so a new instance id, as with the default host-pid) starts at once
    const next = replace ? await spawnInstance(`${id}b`) : undefined;
    current = current.filter((i) => i !== old);
    const r = await Promise.race([old.p.done, sleep(45_000).then(() => undefined)]);
    if (!r) throw new Error(`${id} did not exit within 45 s of SIGTERM\n${dump()}`);
    expect(r.code, `${id} exit code\n${dump()}`).toBe(0);
    const exitedMs = Date.now() - t0;
    // its streams start elsewhere, after it released them
    const moved = await waitFor(`${id}'s streams to start on another instance`, 30_000, () => {
      const at = streams.map((t) => {
        const starts = current.flatMap((i) => timesOf(i, 'stream started', t).filter((x) => x >= t0).map((x) => ({ i, x })));
        return starts.length ? { t, ...starts.sort((a, b) => a.x - b.x)[0]! } : undefined;
      });
      return at.every((x) => x !== undefined) ? at.map((x) => x!) : undefined;
    }).catch(withDump);
    for (const m of moved) {
      const released = Math.max(...timesOf(old, 'stream released', m.t));
      expect(released, `${id} released ${m.t} before ${m.i.id} started it`).toBeLessThanOrEqual(m.x);
      handovers.push(m.x - t0);
    }
    const seen = Math.min(...current.map((i) => Math.min(...timesOf(i, 'group assignment').filter((x) => x >= t0))));
    const summaryAt = Math.max(...logLines(old.p).filter((l) => l.msg === 'summary').map((l) => Date.parse(String(l.time))));
    // and then exits: nothing (a timer, a socket) holds it once its summary is out
    expect(exitedMs - (summaryAt - t0), `${id}: exit after its summary`).toBeLessThan(4000);
    report.push(`${id}: SIGTERM → summary printed ${summaryAt - t0} ms, process exited ${exitedMs} ms; the others reassigned after ${seen - t0} ms; ${moved.map((m) => `${m.t} running on ${m.i.id} +${m.x - t0} ms`).join(', ')}`);
    if (!next) {
      await waitFor('the two left to run three streams each', 30_000, () => balanced([3, 3])).catch(withDump);
      continue;
    }
    await waitFor(`${next.id} to join and the group to be 3/3 again`, 90_000, () => balanced([3, 3])).catch(withDump);
    const joined = Math.min(...timesOf(next, 'group assignment'));
    const running = Math.max(...ownedOf(next.p).map((t) => Math.min(...timesOf(next, 'stream started', t))));
    report.push(`${next.id}: process start → joined ${joined - next.spawnedAt} ms → its streams running ${running - joined} ms later`);
  }
  for (const line of report) console.log(`group-membership rolling restart: ${line}`);
  console.log(`group-membership rolling restart: SIGTERM → stream running elsewhere: ${handovers.sort((a, b) => a - b).join(', ')} ms (session timeout ${SESSION_TIMEOUT_MS} ms)`);
  // a graceful stop does not wait for the session timeout the way a kill -9 does
  expect(Math.max(...handovers)).toBeLessThan(SESSION_TIMEOUT_MS);

  await writer.stop();
  // the snapshot moved with its stream and ended on the new owner: every key there at the signal and
  // still there now was read again (an `r` record after the signal)
  expect(resnapshot, 'a log stream was stopped while re-reading its table').toBeDefined();
  const rs = resnapshot!;
  await waitFor(`${rs.topic}'s moved snapshot to end`, 60_000, () => loggedSince('snapshot done', rs.topic, rs.at).length > 0).catch(withDump);
  const topics = await checkTopics('rolling restart');
  const live = await tableState(db, STREAMS.find((x) => x.topic === rs.topic)!);
  const reread = new Set(topics.get(rs.topic)!.filter((m) => m.headers['schemactl.snapshot'] === 'true' && m.timestamp >= BigInt(rs.at)).map((m) => m.key!.toString()));
  // a key changed while its chunk was open is published by its change (the chunk drops its row, which
  // the change made stale), and that change is in the topic (checkTopics): only keys left alone since
  // the signal must have been read again
  // (the writer stamps a change when it sends it; one sent shortly before the signal may commit, and be
  // reconciled against the first chunk, after it: such keys are published by their change too)
  const changedSince = new Set(writer.changes.get(rs.topic)!.filter(([, , at]) => at >= rs.at - 5000).map(([id]) => id));
  const notReread = [...rs.keys].filter((k) => live.has(k) && !reread.has(k) && !changedSince.has(k));
  expect(notReread.slice(0, 10), `${rs.topic}: keys the moved snapshot did not read`).toEqual([]);
  expect(reread.size, `${rs.topic}: most keys were read again`).toBeGreaterThan(rs.keys.size / 2);
  const snapshotRuns = instanceRuns(topics.get(rs.topic)!.filter((m) => m.headers['schemactl.snapshot'] === 'true' && m.timestamp >= BigInt(rs.at))).runs;
  console.log(`group-membership rolling restart: ${rs.topic} re-read ${reread.size} keys across the handover: ${describeRuns(snapshotRuns)}`);
  expect(snapshotRuns.length, `${rs.topic}: the re-read was published by the old owner and finished by the new one`).toBeGreaterThanOrEqual(2);

  for (const i of current) for (const t of ownedOf(i.p)) expect(instanceRuns(topics.get(t)!).runs.at(-1)!.id).toBe(i.id);
  // exactly-once across every handover: the query streams and the log stream that was not re-read repeat
  // nothing more than before (outbox repeats are allowed: rows a fenced owner had committed but not deleted)
  for (const t of STREAMS.filter((s) => s.pattern === 'query' || (s.pattern === 'log' && s.topic !== rs.topic))) {
    expect(duplicates(topics.get(t.topic)!), `${t.topic}: repeated records`).toBe(repeatedAfterScaleOut.get(t.topic));
  }

  // a clean stop of the rest
  for (const i of current) i.p.child.kill('SIGTERM');
  for (const i of current) {
    const r = await Promise.race([i.p.done, sleep(45_000).then(() => undefined)]);
    if (!r) throw new Error(`${i.id} did not exit within 45 s of SIGTERM\n${dump()}`);
    expect(r.code, dump()).toBe(0);
  }
}, 240_000);

it('group mode checks every stream\'s source permissions before it registers anything, as a single publisher does', async () => {
  const role = 'mem_noprivs';
  cluster.psql(`CREATE ROLE ${role} LOGIN; CREATE TABLE perm_q (id bigint PRIMARY KEY, v bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now()); CREATE TABLE perm_l (id bigint PRIMARY KEY, v bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now()); GRANT SELECT ON perm_q, perm_l TO ${role};`);
  const url = cluster.url.replace('postgres@', `${role}@`);
  expect(url).toContain(role);
  const perm: GroupStreamDef[] = [{ topic: 'perm.q', table: 'perm_q', pattern: 'query' }, { topic: 'perm.l', table: 'perm_l', pattern: 'log' }];
  const yaml = (group: boolean) => [
    'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  checkpoint_topic: perm-offsets', ...(group ? ['  group: perm-group'] : ['  exactly_once: true']),
    'registry:', `  url: ${registry.url}`,
    'streams:',
    ...perm.flatMap((s) => [`  - topic: ${s.topic}`, '    kind: store', '    schema: item.avsc', '    key: id', '    source:', ...sourceLines(s, url, 'perm').map((l) => `      ${l}`)]),
    '',
  ].join('\n');
  const run = async (group: boolean) => {
    const dir = tempDir(`group-perm-${group}`);
    writeFiles(dir, { 'item.avsc': JSON.stringify(ITEM_SCHEMA, null, 2), 'schemactl.yaml': yaml(group) });
    const r = await runPublisher(['--log-format', 'json', ...(group ? [] : ['--once'])], { cwd: dir, timeoutMs: 60_000 });
    const summary = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string; streams?: Array<{ topic: string; status: string; error?: string }> }).find((l) => l.msg === 'summary');
    return { r, streams: new Map((summary?.streams ?? []).map((s) => [s.topic, s])) };
  };
  const single = await run(false);
  const grouped = await run(true);
  for (const x of [single, grouped]) {
    expect(x.r.code, x.r.stdout + x.r.stderr).toBe(2);
    expect(x.streams.get('perm.q')?.error).toContain(`GRANT pg_read_all_stats TO ${role}`);
    expect(x.streams.get('perm.l')?.error).toContain('REPLICATION');
  }
  // the same verdict, word for word
  expect(grouped.streams.get('perm.q')).toEqual(single.streams.get('perm.q'));
  expect(grouped.streams.get('perm.l')).toEqual(single.streams.get('perm.l'));
  const subjects = (await (await fetch(`${registry.url}/subjects`)).json()) as string[];
  expect(subjects.filter((s) => s.startsWith('perm.'))).toEqual([]);
  // and the instance never joined: the group's control topic was not even created
  const { Admin } = await import('@platformatic/kafka');
  const admin = new Admin({ clientId: 'verify', bootstrapBrokers: [broker.bootstrap] });
  try {
    expect(await admin.listTopics()).not.toContain('schemactl-group-perm-group');
  } finally {
    await admin.close();
  }
}, 120_000);
