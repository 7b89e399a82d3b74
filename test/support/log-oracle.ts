// The oracle for log-pattern fault tests: replay a topic from the beginning with an independent
// decoder (the Confluent schema registry client over HTTP, avsc) and compare it with the table and
// with the changes the test committed. Independent of the code under test: it reads Kafka and the
// database only.
import type pg from 'pg';
import { readTopic, registryDecoder } from './publisher.js';

export interface Committed {
  /** the row's key as published (the `id` column as text) */
  id: string;
  /** the row's version after the change; null: a delete */
  v: string | null;
}

export interface OracleReport {
  events: number;
  tombstones: number;
  keys: number;
  /** keys whose last event differs from the table (value, or missing, or an event where a tombstone belongs) */
  wrongLast: string[];
  /** committed changes with no event on the topic */
  missing: Committed[];
  /** events beyond the first for the same (key, version) or repeated tombstones */
  duplicates: number;
}

/** Replay `topic` and compare: last event per key = the table's row (deleted keys: a tombstone); every committed change present. */
export async function logOracle(opts: {
  bootstrap: string; topic: string; registryUrl: string; db: pg.Client; table: string; committed?: Committed[];
}): Promise<OracleReport> {
  const decode = registryDecoder(opts.registryUrl);
  const messages = await readTopic(opts.bootstrap, opts.topic);
  const last = new Map<string, { v: string; body: string } | null>();
  const seen = new Set<string>();
  let duplicates = 0;
  let tombstones = 0;
  for (const m of messages) {
    const key = m.key!.toString('utf8');
    let entry: { v: string; body: string } | null = null;
    if (m.value) {
      const value = await decode(m.value);
      entry = { v: String(value.v), body: String(value.body) };
      if (String(value.id) !== key) throw new Error(`event key ${key} carries id ${String(value.id)}`);
    } else tombstones++;
    const tag = `${key}:${entry ? entry.v : 'deleted'}`;
    if (seen.has(tag)) duplicates++;
    seen.add(tag);
    last.set(key, entry);
  }
  const rows = (await opts.db.query(`SELECT id::text AS id, v::text AS v, body FROM ${opts.table}`)).rows as Array<{ id: string; v: string; body: string }>;
  const table = new Map(rows.map((r) => [r.id, r]));
  const wrongLast: string[] = [];
  for (const [id, r] of table) {
    const got = last.get(id);
    if (!got || got.v !== r.v || got.body !== r.body) wrongLast.push(`${id}: table v=${r.v}, topic ${got === undefined ? 'nothing' : got === null ? 'tombstone' : `v=${got.v}`}`);
  }
  for (const [id, got] of last) if (got !== null && !table.has(id)) wrongLast.push(`${id}: deleted, topic ends with v=${got.v}`);
  const missing = (opts.committed ?? []).filter((c) => !seen.has(`${c.id}:${c.v ?? 'deleted'}`));
  return { events: messages.length, tombstones, keys: last.size, wrongLast, missing, duplicates };
}
