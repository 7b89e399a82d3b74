// Group mode end to end: three real publisher processes (the built CLI) in one group share six streams
// (two each of the query, outbox and log patterns; a throwaway wal_level=logical PostgreSQL cluster)
// on a real Kafka broker while rows are written. One instance is SIGKILLed midway; its streams move to
// the other two within the session timeout and resume from their checkpoints.
//
// The oracles:
//  - replay: the last committed record per key of every topic equals the table's row (a tombstone for
//    a deleted key); every row written is there (no loss).
//  - no overlap: every record carries the `schemactl.instance` header. Per topic, in log order, the
//    records form runs by instance; a run may only begin after the previous run's last record (record
//    create times never go back across a handover), and there are no more runs than times the stream
//    was started anywhere. Fencing makes this strict: an old owner's batch is either committed before
//    the new owner's fence or aborted, so not even the one in-flight batch interleaves.
//  - metrics: /metrics is scraped during the run from all three; at the end each survivor's
//    schemactl_events_published_total + schemactl_tombstones_total per stream equals the records in
//    the topic that carry its instance id, and the killed instance's last scrape is a lower bound of its.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { readCommitted, type CommittedMessage } from '../../src/liberation/sinks/kafka-tx.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { freePort } from '../support/ports.js';
import { ITEM_SCHEMA, mismatches, replay, scrape, seeded, series, sleep, tableState, waitFor, writeStep, type GroupStreamDef } from '../support/group.js';
import { buildPublisherCli, spawnPublisher, tempDir, writeFiles, type PublisherChild } from '../support/publisher.js';

/** rows inserted per stream (the issue's acceptance: 10,000); the writer adds updates and deletes on top */
const ROWS = Number(process.env.SCHEMACTL_GROUP_ROWS ?? 10_000);
const STEPS = 20;
const BACKLOG = Math.floor(ROWS / 5);
const SEED = 15;

const STREAMS: GroupStreamDef[] = [
  { topic: 'grp.q1', table: 'q1', pattern: 'query' },
  { topic: 'grp.q2', table: 'q2', pattern: 'query' },
  { topic: 'grp.o1', table: 'o1', pattern: 'outbox' },
  { topic: 'grp.o2', table: 'o2', pattern: 'outbox' },
  { topic: 'grp.l1', table: 'l1', pattern: 'log' },
  { topic: 'grp.l2', table: 'l2', pattern: 'log' },
];

let cluster: PgCluster;
let broker: SharedKafka;
let registry: ServedRegistry;
let db: pg.Client;

function sourceOf(s: (typeof STREAMS)[number]): string[] {
  if (s.pattern === 'query') return [`connection: ${cluster.url}`, `table: ${s.table}`, 'poll_interval_ms: 200'];
  if (s.pattern === 'outbox') return [`connection: ${cluster.url}`, 'pattern: outbox', `table: ${s.table}_outbox`, `route: ${s.topic}`, 'poll_interval_ms: 200'];
  return [`connection: ${cluster.url}`, 'pattern: log', `table: ${s.table}`, `slot: grp_${s.table}`, `publication: grp_${s.table}`];
}

function catalog(): string {
  return [
    'kafka:', `  brokers: ["${broker.bootstrap}"]`, '  checkpoint_topic: grp-offsets', '  group: grp-test',
    `registry:`, `  url: ${registry.url}`,
    'streams:',
    ...STREAMS.flatMap((s) => [`  - topic: ${s.topic}`, '    kind: store', '    schema: item.avsc', '    key: id', '    source:', ...sourceOf(s).map((l) => `      ${l}`)]),
    '',
  ].join('\n');
}

beforeAll(async () => {
  const work = tempDir('group');
  [cluster, broker, registry] = await Promise.all([
    startPgCluster(),
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]) as [PgCluster, SharedKafka, ServedRegistry, string];
  db = new pg.Client({ connectionString: cluster.url });
  await db.connect();
  db.on('error', () => {});
}, 240_000);

afterAll(async () => {
  await db?.end().catch(() => {});
  await Promise.all([cluster?.stop(), broker?.stop(), registry?.close()]);
});

/** /metrics of an instance's port; anything but 200 is a failure */
async function metricsOf(port: number): Promise<string> {
  const r = await scrape(port);
  if (r.status !== 200) throw new Error(`/metrics answered ${r.status}`);
  return r.body;
}

interface Instance { id: string; port: number; dir: string; p: PublisherChild; killedAt?: number }

function lines(inst: Instance): Array<Record<string, unknown>> {
  return inst.p.output().stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

function owned(inst: Instance): string[] {
  const a = lines(inst).filter((l) => l.msg === 'group assignment').at(-1);
  return (a?.owned as string[] | undefined) ?? [];
}

it('three publishers share six streams; a kill -9 moves its streams to the others with nothing lost and no overlap', async () => {
  for (const t of STREAMS) {
    await db.query(`CREATE TABLE ${t.table} (id bigint PRIMARY KEY, v bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    if (t.pattern === 'query') await db.query(`CREATE INDEX ON ${t.table} (updated_at, id)`);
    if (t.pattern === 'outbox') await db.query(`CREATE TABLE ${t.table}_outbox (id bigserial PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload text, timestamp timestamptz NOT NULL DEFAULT clock_timestamp())`);
  }
  const rand = seeded(SEED);
  const everId = new Map(STREAMS.map((t) => [t.topic, new Set<string>()]));
  const live = new Map(STREAMS.map((t) => [t.topic, [] as number[]]));
  const step = async (from: number, to: number, changes: boolean) => {
    await Promise.all(STREAMS.map(async (t) => {
      const ids = Array.from({ length: to - from }, (_, i) => from + i);
      const pool = live.get(t.topic)!;
      const upd = changes ? [...new Set(Array.from({ length: 40 }, () => pool[Math.floor(rand() * pool.length)]!))] : [];
      // the query pattern sees no hard deletes (it would need a soft-delete column): updates only
      const del = changes && t.pattern !== 'query' ? [...new Set(Array.from({ length: 8 }, () => pool[Math.floor(rand() * pool.length)]!))].filter((id) => !upd.includes(id)) : [];
      await writeStep(db, t, ids, upd, del);
      for (const id of ids) { everId.get(t.topic)!.add(String(id)); pool.push(id); }
      live.set(t.topic, pool.filter((id) => !del.includes(id)));
    }));
  };
  await step(1, BACKLOG + 1, false);

  const instances: Instance[] = [];
  for (const id of ['i1', 'i2', 'i3']) {
    const dir = tempDir(`group-${id}`);
    writeFiles(dir, { 'item.avsc': JSON.stringify(ITEM_SCHEMA, null, 2), 'schemactl.yaml': catalog() });
    const port = await freePort();
    instances.push({ id, port, dir, p: spawnPublisher(['--log-format', 'json', '--instance-id', id, '--metrics-port', String(port)], { cwd: dir }) });
  }
  const dump = () => instances.map((i) => `--- ${i.id}\n${i.p.output().stdout.split('\n').filter((l) => !l.includes('"msg":"progress"')).join('\n').slice(-8000)}\n${i.p.output().stderr.slice(-2000)}`).join('\n');
  try {
    // all three in the group, two streams each
    await waitFor('three members with two streams each', 120_000, () => instances.every((i) => owned(i).length === 2) || undefined).catch((e: Error) => { throw new Error(`${e.message}\n${dump()}`); });
    const mid: Map<string, string> = new Map();
    const perStep = Math.ceil((ROWS - BACKLOG) / STEPS);
    let victim: Instance | undefined;
    for (let s = 0; s < STEPS; s++) {
      const from = BACKLOG + 1 + s * perStep;
      await step(from, Math.min(ROWS + 1, from + perStep), true);
      if (s === Math.floor(STEPS / 2)) {
        for (const i of instances) mid.set(i.id, await metricsOf(i.port));
        // the victim owns a log stream, so a replication slot changes hands too
        victim = instances.find((i) => owned(i).some((t) => t.startsWith('grp.l')))!;
        victim.p.child.kill('SIGKILL');
        victim.killedAt = Date.now();
      }
      await sleep(300);
    }
    const survivors = instances.filter((i) => i !== victim);
    expect(victim, 'an instance was killed midway').toBeDefined();
    const victimStreams = owned(victim!);
    expect(victimStreams.length).toBe(2);

    // its streams resume on the others within the session timeout (10 s) plus a start
    const takenOver = await waitFor('the victim\'s streams to start elsewhere', 60_000, () => {
      const starts = survivors.flatMap((i) => lines(i).filter((l) => l.msg === 'stream started' && Date.parse(String(l.time)) > victim!.killedAt!).map((l) => ({ topic: String(l.topic), at: Date.parse(String(l.time)) })));
      return victimStreams.every((t) => starts.some((x) => x.topic === t)) ? starts : undefined;
    }).catch((e: Error) => { throw new Error(`${e.message}\n${dump()}`); });
    const moveMs = Math.max(...victimStreams.map((t) => Math.min(...takenOver.filter((x) => x.topic === t).map((x) => x.at)))) - victim!.killedAt!;
    console.log(`group: the killed instance's streams (${victimStreams.join(', ')}) resumed elsewhere after ${moveMs} ms`);
    expect(moveMs).toBeLessThan(30_000);

    // every stream catches up: replay per key equals the table
    const final = new Map<string, CommittedMessage[]>();
    await waitFor('every topic to equal its table', 120_000, async () => {
      for (const t of STREAMS) {
        const msgs = await readCommitted([broker.bootstrap], t.topic);
        if (mismatches(await tableState(db, t), replay(msgs), everId.get(t.topic)!).length) return undefined;
        final.set(t.topic, msgs);
      }
      return true;
    }).catch(async (e: Error) => {
      const report = await Promise.all(STREAMS.map(async (t) => `${t.topic}: ${mismatches(await tableState(db, t), replay(await readCommitted([broker.bootstrap], t.topic)), everId.get(t.topic)!).slice(0, 5).join('; ')}`));
      throw new Error(`${e.message}\n${report.join('\n')}\n${dump()}`);
    });
    for (const t of STREAMS) expect(everId.get(t.topic)!.size).toBe(ROWS);

    // no overlap: runs of instance ids per topic, never going back in time across a handover
    const starts = new Map<string, number>();
    for (const i of instances) for (const l of lines(i)) if (l.msg === 'stream started') starts.set(String(l.topic), (starts.get(String(l.topic)) ?? 0) + 1);
    for (const t of STREAMS) {
      const msgs = final.get(t.topic)!;
      expect(msgs.every((m) => /^i[123]$/.test(m.headers['schemactl.instance'] ?? '')), `${t.topic}: every record names its instance`).toBe(true);
      const runs: Array<{ id: string; first: bigint; last: bigint; n: number }> = [];
      for (const m of msgs) {
        const id = m.headers['schemactl.instance']!;
        const cur = runs.at(-1);
        if (cur && cur.id === id) { cur.last = m.timestamp; cur.n++; } else runs.push({ id, first: m.timestamp, last: m.timestamp, n: 1 });
      }
      for (let k = 1; k < runs.length; k++) {
        expect(runs[k]!.first >= runs[k - 1]!.last, `${t.topic}: run ${k} (${runs[k]!.id}) starts at ${runs[k]!.first}, before run ${k - 1} (${runs[k - 1]!.id}) ended at ${runs[k - 1]!.last}`).toBe(true);
      }
      expect(runs.length, `${t.topic}: ${runs.map((r) => `${r.id}×${r.n}`).join(' → ')}`).toBeLessThanOrEqual(starts.get(t.topic) ?? 0);
      if (victimStreams.includes(t.topic)) expect(runs.at(-1)!.id).not.toBe(victim!.id);
      console.log(`group: ${t.topic}: ${runs.map((r) => `${r.id}×${r.n}`).join(' → ')}`);
    }

    // metrics: the survivors' counters equal the records carrying their id; the victim's last scrape is a lower bound.
    // A log stream may still be finishing its snapshot (chunks re-read rows the stream already carried):
    // wait until the counters stop moving, then read the topics once more.
    const end = new Map<string, string>();
    const totals = (m: Map<string, string>) => [...m.values()].map((t) => t.split('\n').filter((l) => l.startsWith('schemactl_rows_read_total')).join()).join('|');
    await waitFor('the counters to settle', 60_000, async () => {
      const before = new Map<string, string>();
      for (const i of survivors) before.set(i.id, await metricsOf(i.port));
      await sleep(2000);
      for (const i of survivors) end.set(i.id, await metricsOf(i.port));
      return totals(before) === totals(end) || undefined;
    });
    for (const t of STREAMS) final.set(t.topic, await readCommitted([broker.bootstrap], t.topic));
    for (const i of instances) {
      const text = end.get(i.id) ?? mid.get(i.id)!;
      const published = series(text, 'schemactl_events_published_total');
      const tomb = series(text, 'schemactl_tombstones_total');
      expect(series(text, 'schemactl_dead_letters_total').size).toBe(STREAMS.length);
      for (const t of STREAMS) {
        const inTopic = final.get(t.topic)!.filter((m) => m.headers['schemactl.instance'] === i.id);
        const counted = (published.get(t.topic) ?? 0) + (tomb.get(t.topic) ?? 0);
        if (i === victim) expect(counted, `${i.id} ${t.topic}`).toBeLessThanOrEqual(inTopic.length);
        else {
          expect(counted, `${i.id} ${t.topic}: metrics vs topic`).toBe(inTopic.length);
          expect(tomb.get(t.topic) ?? 0, `${i.id} ${t.topic}: tombstones`).toBe(inTopic.filter((m) => m.value === null).length);
        }
      }
      expect(text).toMatch(/^schemactl_batch_duration_seconds_count\{stream="grp\.\w+"\} \d+$/m);
    }
    const midOwned = [...mid.values()].map((t) => Number(/^schemactl_owned_streams (\d+)$/m.exec(t)?.[1]));
    expect(midOwned).toEqual([2, 2, 2]);
    for (const i of survivors) {
      expect(Number(/^schemactl_owned_streams (\d+)$/m.exec(end.get(i.id)!)?.[1])).toBe(3);
      expect(end.get(i.id)!).toMatch(/^schemactl_group_lease_valid\{group="grp-test"\} 1$/m);
    }
    // the lag gauges of each pattern are there, and caught up
    const lagText = [...end.values()].join('\n');
    expect(lagText).toMatch(/^schemactl_source_slot_lag_bytes\{stream="grp\.l\d"\} \d+$/m);
    expect([...series(lagText, 'schemactl_source_outbox_backlog_rows').values()].every((v) => v === 0)).toBe(true);
    expect([...series(lagText, 'schemactl_source_query_lag_seconds').values()].every((v) => v === 0)).toBe(true);

    // a clean stop: the summary line agrees with the counters
    for (const i of survivors) i.p.child.kill('SIGTERM');
    for (const i of survivors) {
      const r = await Promise.race([i.p.done, sleep(60_000).then(() => undefined)]);
      if (!r) throw new Error(`${i.id} did not exit within 60 s of SIGTERM\n${dump()}`);
      expect(r.code, dump()).toBe(0);
      const summary = lines(i).find((l) => l.msg === 'summary') as { streams: Array<{ topic: string; status: string; published?: number; tombstones?: number }> };
      const pub = series(end.get(i.id)!, 'schemactl_events_published_total');
      for (const s of summary.streams) if (s.status === 'published') expect(s.published, `${i.id} ${s.topic}: summary vs metrics`).toBe(pub.get(s.topic));
    }
  } finally {
    for (const i of instances) if (i.p.child.exitCode === null && i.p.child.signalCode === null) i.p.child.kill('SIGKILL');
  }
}, 300_000);
