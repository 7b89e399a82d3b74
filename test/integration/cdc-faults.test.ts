// Seeded fault injection for the log pattern, with real processes: the built `schemactl publish`
// binary streams a PostgreSQL table (throwaway cluster, wal_level=logical) to a real Kafka broker
// while a writer commits inserts, updates and deletes and one long transaction stays open across the
// snapshot. The publisher is SIGKILLed at seeded random moments, during the chunked snapshot and
// during streaming, and restarted each time. The oracle replays the topic with an independent decoder:
// the last event of every key equals the table's row, deleted keys end in a tombstone, and every
// change committed after the slot existed is on the topic. The seeds run concurrently (own tables,
// slots and topics) to keep the file near a minute and a half on a 2-core machine.
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRegistry, type ServedRegistry } from '../../src/registry/index.js';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { logOracle, type Committed } from '../support/log-oracle.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { buildPublisherCli, runPublisher, spawnPublisher, tempDir, writeFiles, type PublisherChild } from '../support/publisher.js';

const SEEDS = [11, 23, 47];
const ROWS = 4000;
/** ids 1..LONG_IDS belong to the long transaction, so the writer never waits on its locks */
const LONG_IDS = 50;

let cluster: PgCluster;
let broker: SharedKafka;
let registry: ServedRegistry;
let db: pg.Client;

beforeAll(async () => {
  const work = tempDir('cdc-faults');
  [cluster, broker, registry] = await Promise.all([
    startPgCluster(),
    sharedKafka(),
    serveRegistry({ port: 0, dataDir: path.join(work, 'registry') }),
    buildPublisherCli(),
  ]);
  db = new pg.Client({ connectionString: cluster.url });
  await db.connect();
}, 240_000);

afterAll(async () => {
  await db?.end();
  await registry?.close();
  await Promise.all([cluster?.stop(), broker?.stop()]);
});

const SCHEMA = `{
  "type": "record", "name": "ItemChanged", "namespace": "com.acme.items.v1", "doc": "An item changed.",
  "fields": [
    { "name": "id", "type": "long", "doc": "Item id." },
    { "name": "v", "type": "long", "doc": "Version: 0 on insert, +1 per update." },
    { "name": "body", "type": "string", "doc": "Text." },
    { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-micros" }, "doc": "When it changed." }
  ]
}`;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function waitForLine(p: PublisherChild, pattern: RegExp, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => finish(false), timeoutMs);
    const check = () => { if (pattern.test(p.output().stdout)) finish(true); };
    const finish = (v: boolean) => {
      clearTimeout(t);
      p.child.stdout!.off('data', check);
      resolve(v);
    };
    p.child.stdout!.on('data', check);
    void p.done.then(() => finish(pattern.test(p.output().stdout)));
    check();
  });
}

/** Small transactions of inserts, updates and deletes until stopped; returns what committed. */
function writer(table: string, rand: () => number, stop: () => boolean): Promise<Committed[]> {
  return (async () => {
    const c = new pg.Client({ connectionString: cluster.url });
    await c.connect();
    const committed: Committed[] = [];
    let nextId = ROWS + 1;
    try {
      while (!stop()) {
        const ops = 1 + Math.floor(rand() * 4);
        const changes: Committed[] = [];
        await c.query('BEGIN');
        for (let i = 0; i < ops; i++) {
          const r = rand();
          if (r < 0.35) {
            const id = nextId++;
            await c.query(`INSERT INTO ${table} (id, v, body) VALUES ($1::bigint, 0, 'new-' || $1::bigint::text)`, [id]);
            changes.push({ id: String(id), v: '0' });
          } else if (r < 0.85) {
            const id = LONG_IDS + 1 + Math.floor(rand() * (nextId - LONG_IDS - 1));
            const u = await c.query(`UPDATE ${table} SET v = v + 1, body = 'upd-' || (v + 1)::text, updated_at = now() WHERE id = $1 RETURNING v::text AS v`, [id]);
            if (u.rowCount) changes.push({ id: String(id), v: (u.rows[0] as { v: string }).v });
          } else {
            const id = LONG_IDS + 1 + Math.floor(rand() * (nextId - LONG_IDS - 1));
            const d = await c.query(`DELETE FROM ${table} WHERE id = $1`, [id]);
            if (d.rowCount) changes.push({ id: String(id), v: null });
          }
        }
        await c.query('COMMIT');
        committed.push(...changes);
        await sleep(2 + Math.floor(rand() * 8));
      }
    } finally {
      await c.end();
    }
    return committed;
  })();
}

/** One transaction that stays open across the snapshot: updates, a delete and an insert, committed late. */
async function longTransaction(table: string, holdMs: number): Promise<Committed[]> {
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  try {
    await c.query('BEGIN');
    const changes: Committed[] = [];
    for (let id = 1; id <= LONG_IDS; id += 2) {
      const u = await c.query(`UPDATE ${table} SET v = v + 1, body = 'long-' || (v + 1)::text, updated_at = now() WHERE id = $1 RETURNING v::text AS v`, [id]);
      changes.push({ id: String(id), v: (u.rows[0] as { v: string }).v });
    }
    await c.query(`DELETE FROM ${table} WHERE id = 2`);
    changes.push({ id: '2', v: null });
    await sleep(holdMs);
    await c.query('COMMIT');
    return changes;
  } finally {
    await c.end();
  }
}

describe('log pattern under seeded SIGKILLs (snapshot and streaming)', () => {
  const totals = { runs: 0, kills: 0, snapshotKills: 0, events: 0, lost: 0, duplicates: 0 };
  afterAll(() => {
    console.log(`cdc faults: ${totals.runs} seeded runs, ${totals.kills} SIGKILLs (${totals.snapshotKills} during the snapshot), ${totals.events} events, lost ${totals.lost}, duplicates ${totals.duplicates}`);
  });

  it.concurrent.each(SEEDS)('seed %i: every committed change on the topic, the last event per key equals the table', async (seed) => {
    const rand = prng(seed);
    const table = `items_${seed}`;
    const topic = `faults-${seed}`;
    await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, v bigint NOT NULL, body text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`INSERT INTO ${table} (id, v, body) SELECT g, 0, 'item-' || g FROM generate_series(1, ${ROWS}) g`);
    const dir = tempDir(`cdc-faults-${seed}`);
    writeFiles(dir, {
      'item.avsc': SCHEMA,
      'schemactl.yaml': `streams:
  - topic: ${topic}
    kind: store
    schema: item.avsc
    key: id
    source:
      pattern: log
      connection: ${cluster.url}
      table: public.${table}
      batch_size: 200
      snapshot_chunk_size: 300
`,
    });
    const args = ['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'];
    let p = spawnPublisher(args, { cwd: dir });
    // changes count from the moment the slot exists (before it, the snapshot is the only witness)
    expect(await waitForLine(p, /"msg":"slot created"/, 60_000)).toBe(true);
    let stop = false;
    const writing = writer(table, rand, () => stop);
    const long = longTransaction(table, 1500 + Math.floor(rand() * 1500));
    // observed when awaited below; a failure meanwhile must not surface as an unhandled rejection
    writing.catch(() => {});
    long.catch(() => {});
    const KILLS = 3;
    let kills = 0;
    let snapshotKills = 0;
    for (let k = 0; k < KILLS; k++) {
      if (k < KILLS - 1) {
        // inside the snapshot: after a few acknowledged batches
        await waitForLine(p, new RegExp(`("msg":"progress"[^\\n]*\\n[^]*){${1 + Math.floor(rand() * 4)}}`), 30_000);
      } else {
        // while streaming: after the snapshot finished
        await waitForLine(p, /"msg":"snapshot done"/, 60_000);
      }
      await sleep(Math.floor(rand() * 250));
      if (p.child.exitCode !== null) break;
      const inSnapshot = !/"msg":"snapshot done"/.test(p.output().stdout);
      p.child.kill('SIGKILL');
      const r = await p.done;
      expect(r.signal).toBe('SIGKILL');
      kills++;
      if (inSnapshot) snapshotKills++;
      p = spawnPublisher(args, { cwd: dir });
    }
    // the last publisher streams a little longer under load, then stops cleanly (its SIGTERM handler is up)
    expect(await waitForLine(p, /"msg":"streaming"/, 60_000)).toBe(true);
    await sleep(300 + Math.floor(rand() * 700));
    stop = true;
    const committed = [...(await writing), ...(await long)];
    // the last publisher stops cleanly; `--once` then delivers whatever is left
    p.child.kill('SIGTERM');
    const last = await p.done;
    expect(last.code).toBe(0);
    const fin = await runPublisher([...args, '--once'], { cwd: dir, timeoutMs: 120_000 });
    if (fin.code !== 0) console.log(fin.stdout.slice(-2000), fin.stderr.slice(-2000));
    expect(fin.code).toBe(0);
    const report = await logOracle({ bootstrap: broker.bootstrap, topic, registryUrl: registry.url, db, table, committed });
    console.log(`seed ${seed}: ${kills} SIGKILLs (${snapshotKills} in the snapshot), ${committed.length} committed changes, ${report.events} events (${report.tombstones} tombstones) for ${report.keys} keys, wrong last ${report.wrongLast.length}, lost ${report.missing.length}, duplicates ${report.duplicates}`);
    totals.runs++;
    totals.kills += kills;
    totals.snapshotKills += snapshotKills;
    totals.events += report.events;
    totals.lost += report.missing.length;
    totals.duplicates += report.duplicates;
    expect(report.wrongLast.slice(0, 10)).toEqual([]);
    expect(report.missing.slice(0, 10)).toEqual([]);
    expect(kills).toBe(KILLS);
    expect(snapshotKills).toBeGreaterThan(0);
  }, 180_000);
});
