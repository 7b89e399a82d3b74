// An in-process PostgreSQL (PGlite, WebAssembly) for the quick start: `pglite:memory` (seeded from the
// stream's `seed` SQL file) or `pglite:<directory>` (persistent). Streams that name the same URL share
// one database, seeded once per process.
import { existsSync, readFileSync } from 'node:fs';
import { classifyDbError, type Conn } from './query.js';

type PGliteLike = {
  query(sql: string, params?: unknown[], opts?: { parsers?: Record<number, (v: string) => unknown> }): Promise<{ rows: Array<Record<string, unknown>> }>;
  exec(sql: string): Promise<unknown>;
  close(): Promise<void>;
};

const instances = new Map<string, { db: Promise<PGliteLike>; users: number; seeds: Set<string>; seedAll: boolean }>();

// Every built-in type OID PGlite would otherwise parse into JS values: keep the database's own text
// (exact int8/numeric, µs timestamps), as the node-postgres connections do.
const TEXT_PARSERS: Record<number, (v: string) => unknown> = Object.fromEntries(
  [16, 17, 20, 21, 23, 26, 114, 700, 701, 1082, 1083, 1114, 1184, 1186, 1266, 1700, 2950, 3802, 1000, 1005, 1007, 1009, 1016, 1021, 1022, 1115, 1182, 1185, 1231].map((oid) => [oid, (v: string) => v]),
);

export async function connectPglite(url: string, seed?: string): Promise<Conn> {
  const target = url.replace(/^pglite:(\/\/)?/i, '');
  const keyName = target;
  let entry = instances.get(keyName);
  if (!entry) {
    // a persistent database that already exists was seeded when it was created
    const fresh = target === '' || target === 'memory' || !existsSync(target);
    const db = (async () => {
      const { PGlite } = await import('@electric-sql/pglite');
      const pg = (target === '' || target === 'memory' ? new PGlite() : new PGlite(target)) as unknown as PGliteLike;
      await pg.exec("SET TIME ZONE 'UTC'; SET bytea_output = 'hex'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 3");
      return pg;
    })();
    entry = { db, users: 0, seeds: new Set(), seedAll: fresh };
    instances.set(keyName, entry);
  }
  entry.users++;
  const db = await entry.db;
  // each seed file runs once per database, whichever stream names it first
  if (seed && entry.seedAll && !entry.seeds.has(seed)) {
    entry.seeds.add(seed);
    await db.exec(readFileSync(seed, 'utf8'));
  }
  const held = entry;
  return {
    query: async (sql, params) => {
      try {
        return (await db.query(sql, params, { parsers: TEXT_PARSERS })).rows;
      } catch (e) {
        throw classifyDbError(e);
      }
    },
    close: async () => {
      held.users--;
      if (held.users === 0) {
        instances.delete(keyName);
        await db.close();
      }
    },
  };
}
