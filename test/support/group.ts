// Helpers for end-to-end tests of `schemactl publish --group`: a writer that changes tables of the
// query, outbox and log patterns while publishers run, the oracles that compare the topics with the
// tables (replay per key, every change of an outbox or a WAL-captured table, no interleaving across a
// handover), and readers of what a publisher process printed and served.
import avro from 'avsc';
import { get } from 'node:http';
import type pg from 'pg';
import type { CommittedMessage } from '../../src/liberation/sinks/kafka-tx.js';
import { seeded, sleep } from './faults.js';
import type { PublisherChild } from './publisher.js';

export const ITEM_SCHEMA = {
  type: 'record', name: 'Item', namespace: 'test.group.v1', doc: 'An item whose version changes.',
  fields: [
    { name: 'id', type: 'long', doc: 'Item id; the key.' },
    { name: 'v', type: 'long', doc: 'Version, raised on every update.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When this version was written.' },
  ],
};
const itemType = avro.Type.forSchema(ITEM_SCHEMA as avro.Schema);

export type Pattern = 'query' | 'outbox' | 'log';
export interface GroupStreamDef { topic: string; table: string; pattern: Pattern }

// the fault suite's seeded sequence and sleep, so a failing run is replayed by its seed here too
export { seeded, sleep };

/**
 * The catalog lines of a stream's `source:` (query and outbox poll every 200 ms; log needs a logical-WAL
 * server; `chunk` sets its snapshot_chunk_size, small to make a snapshot last several batches).
 */
export function sourceLines(s: GroupStreamDef, url: string, prefix: string, opts: { chunk?: number } = {}): string[] {
  if (s.pattern === 'query') return [`connection: ${url}`, `table: ${s.table}`, 'poll_interval_ms: 200'];
  if (s.pattern === 'outbox') return [`connection: ${url}`, 'pattern: outbox', `table: ${s.table}_outbox`, `route: ${s.topic}`, 'poll_interval_ms: 200'];
  return [`connection: ${url}`, 'pattern: log', `table: ${s.table}`, `slot: ${prefix}_${s.table}`, `publication: ${prefix}_${s.table}`, ...(opts.chunk ? [`snapshot_chunk_size: ${opts.chunk}`] : [])];
}

export async function createTables(db: pg.Client, streams: GroupStreamDef[]): Promise<void> {
  for (const t of streams) {
    await db.query(`CREATE TABLE ${t.table} (id bigint PRIMARY KEY, v bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT clock_timestamp())`);
    if (t.pattern === 'query') await db.query(`CREATE INDEX ON ${t.table} (updated_at, id)`);
    if (t.pattern === 'outbox') await db.query(`CREATE TABLE ${t.table}_outbox (id bigserial PRIMARY KEY, aggregatetype text NOT NULL, aggregateid text NOT NULL, type text NOT NULL, payload text, timestamp timestamptz NOT NULL DEFAULT clock_timestamp())`);
  }
}

/**
 * The write side: inserts, updates (v+1) and deletes, each change of an outbox table with its outbox row
 * in the same transaction. Remembers every id ever written, and every (id, v) change and delete with
 * the time it was committed, for the no-loss oracles.
 */
export class TableWriter {
  readonly everId = new Map<string, Set<string>>();
  /** topic → changes in commit order: [id, v or null for a delete, commit time] */
  readonly changes = new Map<string, Array<[string, bigint | null, number]>>();
  private readonly live = new Map<string, number[]>();
  private readonly version = new Map<string, Map<number, bigint>>();
  private nextId = 1;
  private loop: Promise<void> | undefined;
  private stopping = false;
  steps = 0;

  constructor(private readonly db: pg.Client, private readonly streams: GroupStreamDef[], private readonly rand: () => number) {
    for (const t of streams) {
      this.everId.set(t.topic, new Set());
      this.changes.set(t.topic, []);
      this.live.set(t.topic, []);
      this.version.set(t.topic, new Map());
    }
  }

  rows(topic: string): number {
    return this.everId.get(topic)!.size;
  }

  /** one step on every table: `inserts` new ids; with `changes`, some updates and (not on query tables) deletes */
  async step(inserts: number, changes: { updates: number; deletes: number } | null): Promise<void> {
    const from = this.nextId;
    this.nextId += inserts;
    const ids = Array.from({ length: inserts }, (_, i) => from + i);
    // one table after the other: the client runs one statement at a time, and an outbox table's
    // BEGIN … COMMIT must not take in another table's statements
    for (const t of this.streams) {
      const pool = this.live.get(t.topic)!;
      const pick = (n: number) => [...new Set(Array.from({ length: Math.min(n, pool.length) }, () => pool[Math.floor(this.rand() * pool.length)]!))];
      const upd = changes ? pick(changes.updates) : [];
      // the query pattern sees no hard deletes (it would need a soft-delete column): updates only
      const del = changes && t.pattern !== 'query' ? pick(changes.deletes).filter((id) => !upd.includes(id)) : [];
      await writeStep(this.db, t, ids, upd, del);
      const at = Date.now();
      const vers = this.version.get(t.topic)!;
      const log = this.changes.get(t.topic)!;
      for (const id of ids) { this.everId.get(t.topic)!.add(String(id)); pool.push(id); vers.set(id, 1n); log.push([String(id), 1n, at]); }
      for (const id of upd) { const v = vers.get(id)! + 1n; vers.set(id, v); log.push([String(id), v, at]); }
      for (const id of del) { vers.delete(id); log.push([String(id), null, at]); }
      if (del.length) this.live.set(t.topic, pool.filter((id) => !del.includes(id)));
    }
    this.steps++;
  }

  /** write a step every `everyMs` until stop() */
  start(inserts: number, changes: { updates: number; deletes: number }, everyMs: number): void {
    this.stopping = false;
    this.loop = (async () => {
      while (!this.stopping) {
        await this.step(inserts, changes);
        await sleep(everyMs);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
    this.loop = undefined;
  }
}

/** one write step: inserts, updates (v+1) and deletes, each change of an outbox table with its outbox row */
export async function writeStep(db: pg.Client, t: GroupStreamDef, ids: number[], upd: number[], del: number[]): Promise<void> {
  const ts = 'clock_timestamp()';
  if (t.pattern === 'outbox') {
    const row = (id: string, v: string) => `json_build_object('id', ${id}, 'v', ${v}, 'updated_at', to_char(${ts} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00')::text`;
    await db.query('BEGIN');
    if (ids.length) {
      await db.query(`INSERT INTO ${t.table} SELECT g, 1 FROM unnest($1::bigint[]) g`, [ids]);
      await db.query(`INSERT INTO ${t.table}_outbox (aggregatetype, aggregateid, type, payload) SELECT 'item', g::text, 'ItemChanged', ${row('g', '1')} FROM unnest($1::bigint[]) g`, [ids]);
    }
    if (upd.length) {
      await db.query(`UPDATE ${t.table} SET v = v + 1 WHERE id = ANY($1::bigint[])`, [upd]);
      await db.query(`INSERT INTO ${t.table}_outbox (aggregatetype, aggregateid, type, payload) SELECT 'item', id::text, 'ItemChanged', ${row('id', 'v')} FROM ${t.table} WHERE id = ANY($1::bigint[]) ORDER BY id`, [upd]);
    }
    if (del.length) {
      await db.query(`DELETE FROM ${t.table} WHERE id = ANY($1::bigint[])`, [del]);
      await db.query(`INSERT INTO ${t.table}_outbox (aggregatetype, aggregateid, type, payload) SELECT 'item', g::text, 'ItemDeleted', NULL FROM unnest($1::bigint[]) g`, [del]);
    }
    await db.query('COMMIT');
    return;
  }
  if (ids.length) await db.query(`INSERT INTO ${t.table} (id, v, updated_at) SELECT g, 1, ${ts} FROM unnest($1::bigint[]) g`, [ids]);
  if (upd.length) await db.query(`UPDATE ${t.table} SET v = v + 1, updated_at = ${ts} WHERE id = ANY($1::bigint[])`, [upd]);
  if (del.length) await db.query(`DELETE FROM ${t.table} WHERE id = ANY($1::bigint[])`, [del]);
}

/** table state: id → v */
export async function tableState(db: pg.Client, t: GroupStreamDef): Promise<Map<string, bigint>> {
  const r = await db.query(`SELECT id::text AS id, v::text AS v FROM ${t.table}`);
  return new Map(r.rows.map((x: { id: string; v: string }) => [x.id, BigInt(x.v)]));
}

/** the version an Item record carries; null for a tombstone */
export function versionOf(m: CommittedMessage): bigint | null {
  return m.value === null ? null : BigInt((itemType.fromBuffer(m.value.subarray(5)) as { v: number | bigint }).v);
}

/** replay: last committed record per key; null for a tombstone */
export function replay(msgs: CommittedMessage[]): Map<string, bigint | null> {
  const out = new Map<string, bigint | null>();
  for (const m of msgs) out.set(m.key!.toString(), versionOf(m));
  return out;
}

/** keys whose replayed value differs from the table (a key deleted before any event of it needs no tombstone) */
export function mismatches(table: Map<string, bigint>, seen: Map<string, bigint | null>, everId: Set<string>): string[] {
  const bad: string[] = [];
  for (const id of everId) {
    const want = table.get(id) ?? null;
    const got = seen.has(id) ? seen.get(id)! : want === null ? null : 'missing';
    if (got !== want) bad.push(`${id}: table ${want} topic ${got}`);
  }
  return bad;
}

/** changes (id, v or a delete) committed to the table that no record of the topic carries */
export function missingChanges(changes: Array<[string, bigint | null, number]>, msgs: CommittedMessage[], since = 0): string[] {
  const have = new Set(msgs.map((m) => `${m.key!.toString()}:${versionOf(m) ?? 'x'}`));
  return changes.filter(([, , at]) => at >= since).map(([id, v]) => `${id}:${v ?? 'x'}`).filter((k) => !have.has(k));
}

/** records of the topic that repeat an earlier record's key and version (a tombstone repeating a tombstone) */
export function duplicates(msgs: CommittedMessage[]): number {
  const seen = new Set<string>();
  let n = 0;
  for (const m of msgs) {
    const k = `${m.key!.toString()}:${versionOf(m) ?? 'x'}`;
    if (seen.has(k)) n++;
    seen.add(k);
  }
  return n;
}

export interface Run { id: string; first: bigint; last: bigint; n: number }

/**
 * The records of one topic in log order, cut into runs by the `schemactl.instance` header. Returns the
 * runs and the violations of "no interleaving": a run that begins before the previous run's last
 * record was created (two instances writing the topic at once).
 */
export function instanceRuns(msgs: CommittedMessage[]): { runs: Run[]; overlaps: string[] } {
  const runs: Run[] = [];
  for (const m of msgs) {
    const id = m.headers['schemactl.instance'] ?? '(none)';
    const cur = runs.at(-1);
    if (cur && cur.id === id) { cur.last = m.timestamp; cur.n++; } else runs.push({ id, first: m.timestamp, last: m.timestamp, n: 1 });
  }
  const overlaps: string[] = [];
  for (let k = 1; k < runs.length; k++) {
    if (runs[k]!.first < runs[k - 1]!.last) overlaps.push(`run ${k} (${runs[k]!.id}) starts at ${runs[k]!.first}, before run ${k - 1} (${runs[k - 1]!.id}) ended at ${runs[k - 1]!.last}`);
  }
  return { runs, overlaps };
}

export const describeRuns = (runs: Run[]) => runs.map((r) => `${r.id}×${r.n}`).join(' → ');

/** the JSON log lines a publisher printed (`--log-format json`) */
export function logLines(p: PublisherChild): Array<Record<string, unknown>> {
  return p.output().stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** the streams of the publisher's last group assignment */
export function ownedOf(p: PublisherChild): string[] {
  const a = logLines(p).filter((l) => l.msg === 'group assignment').at(-1);
  return (a?.owned as string[] | undefined) ?? [];
}

/** the streams the publisher runs now, from its log: started and not released since */
export function runningOf(p: PublisherChild): string[] {
  const on = new Set<string>();
  for (const l of logLines(p)) {
    if (l.msg === 'stream started') on.add(String(l.topic));
    if (l.msg === 'stream released') on.delete(String(l.topic));
  }
  return [...on].sort();
}

/**
 * The instances own `per` streams each (in some order; each its last assignment), every one of the
 * `streams` exactly once, and each runs exactly what it owns.
 */
export function balancedAmong(live: Array<{ p: PublisherChild }>, per: number[], streams: number): boolean {
  const owned = live.map((i) => ownedOf(i.p));
  if (owned.map((o) => o.length).sort().join() !== [...per].sort().join()) return false;
  if (new Set(owned.flat()).size !== streams) return false;
  return live.every((i, k) => runningOf(i.p).join() === [...owned[k]!].sort().join());
}

export async function waitFor<T>(what: string, ms: number, f: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(200);
  }
}

export function scrape(port: number, what = '/metrics'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: what, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${what} on port ${port} did not answer within 10 s`)));
    req.on('error', reject);
  });
}

/** a gauge without labels, e.g. schemactl_owned_streams */
export function gauge(text: string, metric: string): number | undefined {
  const m = new RegExp(`^${metric} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `metric{stream="…"} value` lines → stream → value */
export function series(text: string, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(new RegExp(`^${metric}\\{stream="([^"]+)"\\} (\\S+)$`, 'gm'))) out.set(m[1]!, Number(m[2]));
  return out;
}
