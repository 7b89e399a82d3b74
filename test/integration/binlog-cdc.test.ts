// Acceptance of log-based capture on MariaDB, as users run it: the built `schemactl publish` binary
// streams a table from a throwaway MariaDB with a row-based binary log to a real Kafka broker while a
// seeded workload inserts, updates, deletes, changes keys, commits multi-row transactions and rolls
// others back, and the publisher is SIGKILLed — first inside the snapshot, then twice while streaming.
// The topic, replayed with an independent decoder (the registry client), must end with the table's row
// for every key (a tombstone for deleted keys), carry every committed change, and nothing from a
// rolled-back transaction.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ServedRegistry } from '../../src/registry/index.js';
import { seeded, sleep, Supervisor } from '../support/faults.js';
import type { SharedKafka } from '../support/shared-kafka.js';
import { startBinlogServices, stopBinlogServices } from '../support/binlog-services.js';
import { mariadbAvailable, type MariadbInstance } from '../support/mariadb-instance.js';
import { readTopic, registryDecoder, tempDir, writeFiles } from '../support/publisher.js';

const available = mariadbAvailable();
let maria: MariadbInstance;
let broker: SharedKafka;
let registry: ServedRegistry;
let db: mysql.Connection;

beforeAll(async () => {
  if (!available) return;
  ({ maria, broker, registry, db } = await startBinlogServices('binlog-cdc', { supportBigNumbers: true, bigNumberStrings: true }));
}, 240_000);

afterAll(() => stopBinlogServices({ maria, broker, registry, db }));

const ITEM_SCHEMA = JSON.stringify({
  type: 'record', name: 'ItemChanged', namespace: 'com.acme.items.v1', doc: 'An item changed.',
  fields: [
    { name: 'id', type: 'long', doc: 'Item id.' },
    { name: 'v', type: 'long', doc: 'Version: 0 on insert, +1 per update.' },
    { name: 'body', type: 'string', doc: 'Text.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When it changed.' },
  ],
});

const SEED_ROWS = 6000;
const ROLLBACK_BASE = 9_000_000;

it.skipIf(!available)('snapshot + streaming through three SIGKILLs (one inside the snapshot): last event per key = the table, every committed change present, nothing rolled back', async () => {
  const seed = Number(process.env.SCHEMACTL_FAULT_SEED ?? 1414);
  const rand = seeded(seed);
  await db.query('CREATE TABLE items (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, body VARCHAR(64) NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6))');
  const values = Array.from({ length: SEED_ROWS }, (_, i) => `(${i + 1}, 0, 'seed-${i + 1}')`).join(',');
  await db.query(`INSERT INTO items (id, v, body) VALUES ${values}`);
  const dir = tempDir('binlog-cdc-project');
  writeFiles(dir, {
    'item.avsc': ITEM_SCHEMA,
    'schemactl.yaml': `streams:
  - topic: binlog-items
    kind: store
    schema: item.avsc
    key: id
    source:
      pattern: log
      connection: ${maria.url}
      table: items
      batch_size: 250
      snapshot_chunk_size: 500
`,
  });
  const sup = new Supervisor(['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'], dir);
  sup.start();
  expect(await sup.progressed(1)).toBe(true);
  await sup.kill();
  const ckpt = JSON.parse(readFileSync(path.join(dir, '.schemactl/state/binlog-items.offset.json'), 'utf8')) as { offset: { snapshotDone: boolean } };
  // the first kill landed inside the snapshot
  expect(ckpt.offset.snapshotDone).toBe(false);

  const committed: Array<{ id: string; v: string }> = [];
  const live = new Map<number, number>();
  for (let i = 1; i <= SEED_ROWS; i++) live.set(i, 0);
  let nextId = SEED_ROWS + 1;
  const pick = () => {
    const keys = [...live.keys()];
    return keys[Math.floor(rand() * keys.length)]!;
  };
  const update = async (conn: mysql.Connection, id: number) => {
    const v = live.get(id)! + 1;
    await conn.query('UPDATE items SET v = ?, body = ? WHERE id = ?', [v, `u${v}-${id}`, id]);
    return v;
  };
  const OPS = 600;
  const killAt = new Set([Math.floor(OPS * (0.2 + rand() * 0.3)), Math.floor(OPS * (0.6 + rand() * 0.3))]);
  let rollbacks = 0;
  for (let op = 0; op < OPS; op++) {
    if (killAt.has(op)) await sup.kill(Math.floor(rand() * 300));
    const r = rand();
    if (r < 0.3) {
      const id = nextId++;
      await db.query('INSERT INTO items (id, v, body) VALUES (?, 0, ?)', [id, `new-${id}`]);
      live.set(id, 0);
      committed.push({ id: String(id), v: '0' });
    } else if (r < 0.6) {
      const id = pick();
      const v = await update(db, id);
      live.set(id, v);
      committed.push({ id: String(id), v: String(v) });
    } else if (r < 0.7) {
      const id = pick();
      await db.query('DELETE FROM items WHERE id = ?', [id]);
      live.delete(id);
    } else if (r < 0.8) {
      // one transaction, several rows and kinds of change
      await db.query('BEGIN');
      const changes: Array<{ id: string; v: string }> = [];
      const touched = new Map<number, number>();
      for (let k = 0; k < 4; k++) {
        const id = pick();
        if (touched.has(id)) continue;
        const v = live.get(id)! + 1;
        await db.query('UPDATE items SET v = ?, body = ? WHERE id = ?', [v, `t${v}-${id}`, id]);
        touched.set(id, v);
        changes.push({ id: String(id), v: String(v) });
      }
      const id = nextId++;
      await db.query('INSERT INTO items (id, v, body) VALUES (?, 0, ?)', [id, `txn-${id}`]);
      const gone = pick();
      const deleted = !touched.has(gone);
      if (deleted) await db.query('DELETE FROM items WHERE id = ?', [gone]);
      await db.query('COMMIT');
      for (const [k, v] of touched) live.set(k, v);
      live.set(id, 0);
      if (deleted) live.delete(gone);
      committed.push(...changes.filter((c) => !deleted || c.id !== String(gone)), { id: String(id), v: '0' });
    } else if (r < 0.88) {
      // rolled back: none of it may reach the topic
      await db.query('BEGIN');
      await db.query('INSERT INTO items (id, v, body) VALUES (?, 0, ?)', [ROLLBACK_BASE + op, 'rolled-back']);
      await db.query("UPDATE items SET v = v + 1000, body = 'rolled-back' WHERE id = ?", [pick()]);
      await db.query('DELETE FROM items WHERE id = ?', [pick()]);
      await db.query('ROLLBACK');
      rollbacks++;
    } else {
      // a key update: the old key must end as a tombstone, the new key with the row
      const from = pick();
      const to = nextId++;
      const v = live.get(from)! + 1;
      await db.query('UPDATE items SET id = ?, v = ? WHERE id = ?', [to, v, from]);
      live.delete(from);
      live.set(to, v);
      committed.push({ id: String(to), v: String(v) });
    }
    if (op % 20 === 0) await sleep(10);
  }

  // caught up: the topic's last event per key equals the table
  const decode = registryDecoder(registry.url);
  const compare = async () => {
    const msgs = await readTopic(broker.bootstrap, 'binlog-items');
    const last = new Map<string, { v: string; body: string } | null>();
    const seen = new Set<string>();
    const bad: string[] = [];
    for (const m of msgs) {
      const key = m.key!.toString();
      if (!m.value) {
        last.set(key, null);
        continue;
      }
      const val = await decode(m.value);
      if (String(val.id) !== key) bad.push(`event key ${key} carries id ${String(val.id)}`);
      if (val.body === 'rolled-back' || Number(key) >= ROLLBACK_BASE) bad.push(`rolled-back change on the topic: ${key} ${String(val.body)}`);
      last.set(key, { v: String(val.v), body: String(val.body) });
      seen.add(`${key}@${String(val.v)}`);
    }
    const [rows] = await db.query('SELECT id, v, body FROM items');
    const table = new Map((rows as Array<{ id: string; v: string; body: string }>).map((r) => [String(r.id), { v: String(r.v), body: r.body }]));
    const wrong: string[] = [];
    for (const [id, r] of table) {
      const got = last.get(id);
      if (!got || got.v !== r.v || got.body !== r.body) wrong.push(`${id}: table v=${r.v}, topic ${got === undefined ? 'nothing' : got === null ? 'tombstone' : `v=${got.v}`}`);
    }
    for (const [id, got] of last) if (got !== null && !table.has(id)) wrong.push(`${id}: deleted, topic ends with v=${got.v}`);
    const missing = committed.filter((c) => !seen.has(`${c.id}@${c.v}`)).map((c) => `${c.id}@${c.v}`);
    return { events: msgs.length, keys: last.size, wrong, missing, bad };
  };
  let report = await compare();
  const until = Date.now() + 60_000;
  while ((report.wrong.length || report.missing.length) && Date.now() < until) {
    await sleep(1000);
    report = await compare();
  }
  await sup.stop();
  report = await compare();
  console.log(`binlog cdc: seed ${seed}, ${sup.kills} SIGKILLs, ${rollbacks} rollbacks, ${committed.length} committed changes; topic ${report.events} events for ${report.keys} keys; wrong ${report.wrong.length}, missing ${report.missing.length}`);
  if (report.wrong.length || report.missing.length) console.log(sup.lastOutput().slice(-6000));
  expect(sup.kills).toBe(3);
  expect(report.bad).toEqual([]);
  expect(report.wrong.slice(0, 20)).toEqual([]);
  expect(report.missing.slice(0, 20)).toEqual([]);
}, 240_000);

it.skipIf(!available)('a MariaDB crash-restart while streaming: the publisher reconnects, resumes at its checkpoint and loses nothing', async () => {
  await db.query('CREATE TABLE crashy (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, body VARCHAR(64) NOT NULL, updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))');
  await db.query(`INSERT INTO crashy (id, v, body) VALUES ${Array.from({ length: 300 }, (_, i) => `(${i + 1}, 0, 'seed')`).join(',')}`);
  const dir = tempDir('binlog-crash-project');
  writeFiles(dir, {
    'item.avsc': ITEM_SCHEMA.replace('com.acme.items.v1', 'com.acme.crashy.v1'),
    'schemactl.yaml': `streams:
  - topic: crashy
    kind: store
    schema: item.avsc
    key: id
    source:
      pattern: log
      connection: ${maria.url}
      table: crashy
`,
  });
  const sup = new Supervisor(['--brokers', broker.bootstrap, '--registry', registry.url, '--log-format', 'json'], dir);
  sup.start();
  expect(await sup.progressed(1)).toBe(true);
  const writeSome = async (conn: mysql.Connection, from: number) => {
    for (let i = 0; i < 100; i++) await conn.query('INSERT INTO crashy (id, v, body) VALUES (?, 0, ?) ON DUPLICATE KEY UPDATE v = v + 1', [from + (i % 60), `w${from}`]);
  };
  await writeSome(db, 1000);
  await db.end();
  await maria.kill();
  await sleep(500);
  await maria.start();
  db = await mysql.createConnection({ uri: maria.url, supportBigNumbers: true, bigNumberStrings: true });
  await writeSome(db, 2000);
  await db.query('DELETE FROM crashy WHERE id <= 50');
  const decode = registryDecoder(registry.url);
  const compare = async () => {
    const last = new Map<string, string | null>();
    for (const m of await readTopic(broker.bootstrap, 'crashy')) last.set(m.key!.toString(), m.value ? String((await decode(m.value)).v) : null);
    const [rows] = await db.query('SELECT id, v FROM crashy');
    const table = new Map((rows as Array<{ id: string; v: string }>).map((r) => [String(r.id), String(r.v)]));
    const wrong = [...table].filter(([id, v]) => last.get(id) !== v).map(([id, v]) => `${id}: table v=${v}, topic ${String(last.get(id))}`);
    for (const [id, v] of last) if (v !== null && !table.has(id)) wrong.push(`${id}: deleted, topic v=${v}`);
    return wrong;
  };
  let wrong = await compare();
  const until = Date.now() + 60_000;
  while (wrong.length && Date.now() < until) {
    await sleep(1000);
    wrong = await compare();
  }
  await sup.stop();
  if (wrong.length) console.log(sup.lastOutput().slice(-4000));
  expect(wrong.slice(0, 20)).toEqual([]);
}, 180_000);
