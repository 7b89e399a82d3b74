// Change-data capture with triggers: the DDL, generated from the source table's columns and key.
// Pure functions; install.ts runs them.
//
// Commit order. A sequence value is handed out when the trigger fires, not when the transaction
// commits, so a change table ordered by `seq` alone can show a change before an older one that commits
// later. We do not try to assign a sequence at commit (a deferred trigger still runs *before* the
// commit record and two such transactions can commit in the other order). Instead every change row
// carries its writer's transaction id and the reader only takes rows of transactions that have ended
// with no older transaction still open:
//   PostgreSQL  txid < pg_snapshot_xmin(pg_current_snapshot())   (exact: xmin is the oldest running xid)
//   MySQL/MariaDB  captured_at < horizon(), the oldest open InnoDB transaction's start (query.ts), since
//                  neither exposes the current transaction id to SQL.
// Within what is readable, rows go out by `seq`. Two changes of the same row are always in commit order
// that way: the second writer waits for the first one's row lock, and its trigger (and nextval) runs
// after that. Rows are deleted only after the broker acknowledged them, so a transaction that ends late
// is picked up by a later read; nothing is skipped by a position.
import { createHash } from 'node:crypto';
import type { Dialect } from '../sources/sql.js';
import { quoteIdent } from '../sources/sql.js';

/**
 * Bumped whenever the generated triggers or change table change shape, per dialect (a MySQL install
 * is not replaced for a PostgreSQL-only change: without CREATE OR REPLACE TRIGGER that would open a
 * window without capture). PostgreSQL v2: a statement trigger wakes the publisher (pg_notify).
 */
export const CAPTURE_VERSIONS: Readonly<Record<Dialect, number>> = { postgres: 2, mysql: 1 };
export function captureVersion(d: Dialect): number {
  return CAPTURE_VERSIONS[d];
}
export const MARKER_TABLE = 'schemactl_capture';
/** Every object install creates carries this, so uninstall and status can tell ours from the user's. */
export const MARKER = 'schemactl capture';

export interface ColumnInfo {
  name: string;
  /** information_schema data_type (PostgreSQL: udt_name for user types) */
  type: string;
  nullable: boolean;
  position: number;
}

export interface CaptureTarget {
  dialect: Dialect;
  /** schema (PostgreSQL) or database (MySQL) holding the source table; the change table goes there too */
  schema: string;
  table: string;
  changeTable: string;
  key: string[];
  columns: ColumnInfo[];
  topic: string;
}

export interface CaptureObject {
  kind: 'table' | 'function' | 'trigger';
  name: string;
}

export interface CapturePlan {
  objects: CaptureObject[];
  /** statements that create the marker table when it does not exist yet */
  marker: string[];
  /** statements that create or replace the capture objects (run in order) */
  create: string[];
  /** statements that replace only the triggers (re-install after a schema change keeps the backlog) */
  replaceTriggers: string[];
  drop: string[];
  /** hash of the generated trigger code: a different hash means the installed triggers are stale */
  fingerprint: string;
}

const MAX_IDENT = 63;

/** A derived identifier that fits the database's limit (PostgreSQL 63, MySQL 64 bytes). */
export function fitName(base: string, suffix: string): string {
  const full = `${base}${suffix}`;
  if (Buffer.byteLength(full) <= MAX_IDENT) return full;
  const h = createHash('sha1').update(base).digest('hex').slice(0, 8);
  let head = base;
  while (Buffer.byteLength(`${head}_${h}${suffix}`) > MAX_IDENT) head = head.slice(0, -1);
  return `${head}_${h}${suffix}`;
}

export function defaultChangeTable(table: string): string {
  return fitName('schemactl_ct_', table);
}

/**
 * The LISTEN/NOTIFY channel a PostgreSQL capture signals after each statement that wrote the source
 * table: the change table's name (an identifier of at most 63 bytes, as channel names must be).
 */
export function notifyChannel(changeTable: string): string {
  return changeTable;
}

export function objectNames(t: { dialect: Dialect; changeTable: string }): CaptureObject[] {
  if (t.dialect === 'postgres') {
    return [
      { kind: 'table', name: t.changeTable },
      { kind: 'function', name: fitName(t.changeTable, '_fn') },
      { kind: 'trigger', name: fitName(t.changeTable, '_trg') },
      { kind: 'trigger', name: fitName(t.changeTable, '_ntf') },
    ];
  }
  return [
    { kind: 'table', name: t.changeTable },
    { kind: 'trigger', name: fitName(t.changeTable, '_ins') },
    { kind: 'trigger', name: fitName(t.changeTable, '_upd') },
    { kind: 'trigger', name: fitName(t.changeTable, '_del') },
  ];
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function comment(t: CaptureTarget): string {
  return `${MARKER} v${captureVersion(t.dialect)} for ${t.topic}: do not edit; \`schemactl capture uninstall ${t.topic}\` removes it`;
}

export function plan(t: CaptureTarget): CapturePlan {
  return t.dialect === 'postgres' ? planPostgres(t) : planMysql(t);
}

function markerDdl(d: Dialect, schema: string): string[] {
  const q = (n: string) => quoteIdent(n, d);
  if (d === 'postgres') {
    const m = `${q(schema)}.${q(MARKER_TABLE)}`;
    return [
      `CREATE TABLE IF NOT EXISTS ${m} (
  change_table text PRIMARY KEY,
  source_table text NOT NULL,
  topic text NOT NULL,
  version integer NOT NULL,
  fingerprint text NOT NULL,
  objects text NOT NULL,
  key_columns text NOT NULL,
  source_columns text NOT NULL,
  installed_at timestamptz NOT NULL DEFAULT now()
)`,
      `COMMENT ON TABLE ${m} IS ${sqlString(`${MARKER} registry: what \`schemactl capture install\` created`)}`,
    ];
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${q(schema)}.${q(MARKER_TABLE)} (
  change_table VARCHAR(64) NOT NULL PRIMARY KEY,
  source_table VARCHAR(64) NOT NULL,
  topic VARCHAR(255) NOT NULL,
  version INT NOT NULL,
  fingerprint VARCHAR(64) NOT NULL,
  objects LONGTEXT NOT NULL,
  key_columns LONGTEXT NOT NULL,
  source_columns LONGTEXT NOT NULL,
  installed_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB COMMENT=${sqlString(`${MARKER} registry: what \`schemactl capture install\` created`)}`,
  ];
}

function fingerprint(parts: string[]): string {
  return createHash('sha256').update(parts.join('\n;\n')).digest('hex').slice(0, 16);
}

function planPostgres(t: CaptureTarget): CapturePlan {
  const q = (n: string) => quoteIdent(n, 'postgres');
  const [table, fn, trg, ntf] = objectNames(t) as [CaptureObject, CaptureObject, CaptureObject, CaptureObject];
  const ct = `${q(t.schema)}.${q(table.name)}`;
  const src = `${q(t.schema)}.${q(t.table)}`;
  const fnq = `${q(t.schema)}.${q(fn.name)}`;
  const keyOf = (rec: 'NEW' | 'OLD') => `jsonb_build_object(${t.key.map((k) => `${sqlString(k)}, ${rec}.${q(k)}`).join(', ')})`;
  // to_jsonb keeps numeric text exact (jsonb numbers are numeric) and prints timestamptz with its
  // offset; the reader turns every top-level value into its text, so nothing passes through a float.
  // The same function serves the row trigger (one change row per row) and the statement trigger (one
  // notification per statement; PostgreSQL folds identical notifications of one transaction into one
  // and delivers it after the commit), so the publisher wakes on data instead of polling.
  const body = `-- ${MARKER} v${captureVersion('postgres')}
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify(${sqlString(notifyChannel(table.name))}, '');
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO ${ct} (op, key, new_row) VALUES ('c', ${keyOf('NEW')}, to_jsonb(NEW));
    RETURN NULL;
  ELSIF TG_OP = 'UPDATE' THEN
    INSERT INTO ${ct} (op, key, new_row, old_row) VALUES ('u', ${keyOf('NEW')}, to_jsonb(NEW), to_jsonb(OLD));
    RETURN NULL;
  END IF;
  INSERT INTO ${ct} (op, key, old_row) VALUES ('d', ${keyOf('OLD')}, to_jsonb(OLD));
  RETURN NULL;
END`;
  // SECURITY DEFINER: the application's roles need no privilege on the change table; the fixed
  // search_path keeps a writer's schemas from shadowing anything the body calls
  const fnDdl = `CREATE OR REPLACE FUNCTION ${fnq}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $schemactl$
${body}
$schemactl$`;
  const trgDdl = `CREATE TRIGGER ${q(trg.name)} AFTER INSERT OR UPDATE OR DELETE ON ${src} FOR EACH ROW EXECUTE FUNCTION ${fnq}()`;
  const ntfDdl = `CREATE TRIGGER ${q(ntf.name)} AFTER INSERT OR UPDATE OR DELETE ON ${src} FOR EACH STATEMENT EXECUTE FUNCTION ${fnq}()`;
  const comments = [
    `COMMENT ON FUNCTION ${fnq}() IS ${sqlString(comment(t))}`,
    `COMMENT ON TRIGGER ${q(trg.name)} ON ${src} IS ${sqlString(comment(t))}`,
    `COMMENT ON TRIGGER ${q(ntf.name)} ON ${src} IS ${sqlString(comment(t))}`,
  ];
  const create = [
    `CREATE TABLE ${ct} (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
  op char(1) NOT NULL CHECK (op IN ('c', 'u', 'd')),
  key jsonb NOT NULL,
  new_row jsonb,
  old_row jsonb,
  captured_at timestamptz NOT NULL DEFAULT clock_timestamp()
)`,
    `COMMENT ON TABLE ${ct} IS ${sqlString(comment(t))}`,
    fnDdl,
    trgDdl,
    ntfDdl,
    ...comments,
  ];
  return {
    objects: [table, fn, trg, ntf],
    marker: markerDdl('postgres', t.schema),
    create,
    // inside one transaction: the trigger is never missing while it is replaced
    // (an install of v1 gains the statement trigger here)
    replaceTriggers: [fnDdl, `DROP TRIGGER IF EXISTS ${q(trg.name)} ON ${src}`, trgDdl, `DROP TRIGGER IF EXISTS ${q(ntf.name)} ON ${src}`, ntfDdl, ...comments],
    drop: [`DROP TRIGGER IF EXISTS ${q(trg.name)} ON ${src}`, `DROP TRIGGER IF EXISTS ${q(ntf.name)} ON ${src}`, `DROP FUNCTION IF EXISTS ${fnq}()`, `DROP TABLE IF EXISTS ${ct}`],
    fingerprint: fingerprint([body, trgDdl, ntfDdl]),
  };
}

/** MySQL value → JSON string exactly as the database prints it (JSON_OBJECT would emit DECIMAL as a number). */
function mysqlText(rec: 'NEW' | 'OLD', c: ColumnInfo): string {
  const ref = `${rec}.${quoteIdent(c.name, 'mysql')}`;
  const type = c.type.toLowerCase();
  // TIMESTAMP is printed in the writer's session zone; convert to UTC, the zone the mapper assumes
  if (type === 'timestamp') return `DATE_FORMAT(CONVERT_TZ(${ref}, @@session.time_zone, '+00:00'), '%Y-%m-%d %H:%i:%s.%f')`;
  // binary data as \x<hex>, the form the mapper decodes for bytes (CHAR(92) avoids sql_mode escapes)
  if (/(binary|blob)$/.test(type)) return `CONCAT(CHAR(92 USING utf8mb4), 'x', LOWER(HEX(${ref})))`;
  if (type === 'bit') return `CAST(${ref} + 0 AS CHAR)`;
  return `CAST(${ref} AS CHAR CHARACTER SET utf8mb4)`;
}

function planMysql(t: CaptureTarget): CapturePlan {
  const q = (n: string) => quoteIdent(n, 'mysql');
  const [table, ins, upd, del] = objectNames(t) as [CaptureObject, CaptureObject, CaptureObject, CaptureObject];
  const ct = `${q(t.schema)}.${q(table.name)}`;
  const src = `${q(t.schema)}.${q(t.table)}`;
  const byName = new Map(t.columns.map((c) => [c.name, c]));
  const obj = (rec: 'NEW' | 'OLD', cols: ColumnInfo[]) => `JSON_OBJECT(${cols.map((c) => `${sqlString(c.name)}, ${mysqlText(rec, c)}`).join(', ')})`;
  const keyCols = t.key.map((k) => byName.get(k) ?? { name: k, type: 'varchar', nullable: false, position: 0 });
  const cols = [...t.columns].sort((a, b) => a.position - b.position);
  const trig = (o: CaptureObject, event: string, values: string) =>
    `CREATE OR REPLACE TRIGGER ${q(t.schema)}.${q(o.name)} AFTER ${event} ON ${src} FOR EACH ROW
  INSERT INTO ${ct} (op, key_json, new_row, old_row) VALUES (${values})`;
  const triggers = [
    trig(ins, 'INSERT', `'c', ${obj('NEW', keyCols)}, ${obj('NEW', cols)}, NULL`),
    trig(upd, 'UPDATE', `'u', ${obj('NEW', keyCols)}, ${obj('NEW', cols)}, ${obj('OLD', cols)}`),
    trig(del, 'DELETE', `'d', ${obj('OLD', keyCols)}, NULL, ${obj('OLD', cols)}`),
  ];
  const create = [
    `CREATE TABLE ${ct} (
  seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  op CHAR(1) NOT NULL,
  key_json LONGTEXT NOT NULL,
  new_row LONGTEXT NULL,
  old_row LONGTEXT NULL,
  captured_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY ${q(fitName(table.name, '_at'))} (captured_at)
) ENGINE=InnoDB COMMENT=${sqlString(comment(t).slice(0, 2048))}`,
    ...triggers,
  ];
  return {
    objects: [table, ins, upd, del],
    marker: markerDdl('mysql', t.schema),
    create,
    // CREATE OR REPLACE TRIGGER (MariaDB) swaps each trigger atomically: no write goes uncaptured
    replaceTriggers: triggers,
    drop: [
      `DROP TRIGGER IF EXISTS ${q(t.schema)}.${q(ins.name)}`,
      `DROP TRIGGER IF EXISTS ${q(t.schema)}.${q(upd.name)}`,
      `DROP TRIGGER IF EXISTS ${q(t.schema)}.${q(del.name)}`,
      `DROP TABLE IF EXISTS ${ct}`,
    ],
    fingerprint: fingerprint(triggers),
  };
}
