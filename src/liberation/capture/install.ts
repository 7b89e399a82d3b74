// Install, uninstall and inspect trigger-based capture on a live database.
//
// Ownership: every object we create is listed in the marker table (schemactl_capture) with the
// version and a fingerprint of the trigger code; install refuses when an object of the same name exists
// that the marker does not list, and uninstall drops exactly the listed objects (and the marker table
// once it is empty), so the database is left as it was.
import { SchemactlError, EXIT, redact } from '../../errors.js';
import { connect, type Conn } from '../sources/query.js';
import type { Dialect } from '../sources/sql.js';
import { quoteIdent } from '../sources/sql.js';
import { captureVersion, MARKER, MARKER_TABLE, defaultChangeTable, objectNames, plan, type CaptureObject, type CaptureTarget, type ColumnInfo } from './ddl.js';
import { compareColumns, type Drift } from './drift.js';

/** What a stream's `source:` says about capture (see change-table.ts for the publishing side). */
export interface CaptureSpec {
  connection: string;
  /** source table, optionally qualified with its schema (PostgreSQL) or database (MySQL) */
  table: string;
  /** change table name (default schemactl_ct_<table>) */
  changeTable?: string;
  /** key columns (default: the primary key) */
  key?: string[];
  /** the stream's topic */
  name: string;
  /** columns the stream's mapping reads; changes to them are breaking */
  requiredColumns?: string[];
}

export class CaptureError extends SchemactlError {
  constructor(message: string, opts: { exitCode?: (typeof EXIT)[keyof typeof EXIT]; retriable?: boolean; findings?: string[] } = {}) {
    super('capture', message, { exitCode: opts.exitCode ?? EXIT.USAGE, retriable: opts.retriable ?? false });
    this.findings = opts.findings ?? [];
  }
  readonly findings: string[];
}

export interface InstalledRecord {
  changeTable: string;
  sourceTable: string;
  topic: string;
  version: number;
  fingerprint: string;
  objects: CaptureObject[];
  key: string[];
  columns: ColumnInfo[];
  installedAt: string;
}

function splitName(name: string): { schema?: string; table: string } {
  const i = name.indexOf('.');
  return i < 0 ? { table: name } : { schema: name.slice(0, i), table: name.slice(i + 1) };
}

async function currentSchema(conn: Conn, d: Dialect): Promise<string> {
  const [row] = await conn.query(d === 'postgres' ? 'SELECT current_schema() AS s' : 'SELECT DATABASE() AS s', []);
  const s = row?.s;
  if (typeof s !== 'string' || s === '') throw new CaptureError('the connection has no current schema/database; qualify the table (schema.table) or name a database in the connection string');
  return s;
}

export async function tableColumns(conn: Conn, d: Dialect, schema: string, table: string): Promise<ColumnInfo[]> {
  const sql = d === 'postgres'
    ? `SELECT column_name AS name, CASE WHEN data_type = 'USER-DEFINED' OR data_type = 'ARRAY' THEN udt_name ELSE data_type END AS type,
              is_nullable AS nullable, ordinal_position AS position
         FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`
    : `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, IS_NULLABLE AS nullable, ORDINAL_POSITION AS position
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`;
  const rows = await conn.query(sql, [schema, table]);
  return rows.map((r) => ({ name: String(r.name), type: String(r.type), nullable: String(r.nullable) === 'YES', position: Number(r.position) }));
}

async function primaryKey(conn: Conn, d: Dialect, schema: string, table: string): Promise<string[]> {
  const sql = d === 'postgres'
    ? `SELECT a.attname AS name FROM pg_index i
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND i.indisprimary
        ORDER BY array_position(i.indkey::int2[], a.attnum)`
    : `SELECT COLUMN_NAME AS name FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND CONSTRAINT_NAME = 'PRIMARY' ORDER BY ORDINAL_POSITION`;
  return (await conn.query(sql, [schema, table])).map((r) => String(r.name));
}

/** Resolve the spec against the database: schema, columns and key. */
export async function resolveTarget(conn: Conn, d: Dialect, spec: CaptureSpec): Promise<CaptureTarget> {
  const parts = splitName(spec.table);
  const schema = parts.schema ?? (await currentSchema(conn, d));
  const columns = await tableColumns(conn, d, schema, parts.table);
  if (columns.length === 0) throw new CaptureError(`${spec.name}: the source table ${schema}.${parts.table} does not exist (or is not visible to this user)`);
  const key = spec.key?.length ? spec.key : await primaryKey(conn, d, schema, parts.table);
  if (key.length === 0) throw new CaptureError(`${spec.name}: ${schema}.${parts.table} has no primary key; name the key columns in the stream's source (key: [col, …])`);
  const missing = key.filter((k) => !columns.some((c) => c.name === k));
  if (missing.length) throw new CaptureError(`${spec.name}: key column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not in ${schema}.${parts.table} (columns: ${columns.map((c) => c.name).join(', ')})`);
  return { dialect: d, schema, table: parts.table, changeTable: spec.changeTable ?? defaultChangeTable(parts.table), key, columns, topic: spec.name };
}

async function markerExists(conn: Conn, d: Dialect, schema: string): Promise<{ exists: boolean; ours: boolean }> {
  const rows = d === 'postgres'
    ? await conn.query(`SELECT obj_description(c.oid, 'pg_class') AS comment FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [schema, MARKER_TABLE])
    : await conn.query('SELECT TABLE_COMMENT AS comment FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [schema, MARKER_TABLE]);
  if (rows.length === 0) return { exists: false, ours: false };
  return { exists: true, ours: String(rows[0]!.comment ?? '').startsWith(MARKER) };
}

export async function readRecord(conn: Conn, d: Dialect, schema: string, changeTable: string): Promise<InstalledRecord | null> {
  const m = await markerExists(conn, d, schema);
  if (!m.exists || !m.ours) return null;
  const q = (n: string) => quoteIdent(n, d);
  const rows = await conn.query(
    `SELECT change_table, source_table, topic, version, fingerprint, objects, key_columns, source_columns, installed_at FROM ${q(schema)}.${q(MARKER_TABLE)} WHERE change_table = ${d === 'postgres' ? '$1' : '?'}`,
    [changeTable],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    changeTable: String(r.change_table),
    sourceTable: String(r.source_table),
    topic: String(r.topic),
    version: Number(r.version),
    fingerprint: String(r.fingerprint),
    objects: JSON.parse(String(r.objects)) as CaptureObject[],
    key: JSON.parse(String(r.key_columns)) as string[],
    columns: JSON.parse(String(r.source_columns)) as ColumnInfo[],
    installedAt: String(r.installed_at),
  };
}

/** Which of the names exist now (any owner). */
async function existing(conn: Conn, t: CaptureTarget, objects: CaptureObject[]): Promise<CaptureObject[]> {
  const found: CaptureObject[] = [];
  for (const o of objects) {
    let rows: Array<Record<string, unknown>>;
    if (t.dialect === 'postgres') {
      if (o.kind === 'table') rows = await conn.query('SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2', [t.schema, o.name]);
      else if (o.kind === 'function') rows = await conn.query('SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND p.proname = $2', [t.schema, o.name]);
      else rows = await conn.query('SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND g.tgname = $3', [t.schema, t.table, o.name]);
    } else if (o.kind === 'table') {
      rows = await conn.query('SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [t.schema, o.name]);
    } else {
      rows = await conn.query('SELECT 1 FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME = ?', [t.schema, o.name]);
    }
    if (rows.length) found.push(o);
  }
  return found;
}

export interface InstallResult {
  topic: string;
  action: 'installed' | 'updated' | 'up-to-date';
  statements: string[];
  drift?: Drift;
}

async function isMariaDb(conn: Conn): Promise<boolean> {
  const [r] = await conn.query('SELECT VERSION() AS v', []);
  return /mariadb/i.test(String(r?.v ?? ''));
}

/** MySQL has no CREATE OR REPLACE TRIGGER: drop then create (a short window without capture). */
function forServer(statements: string[], d: Dialect, mariadb: boolean): string[] {
  if (d !== 'mysql' || mariadb) return statements;
  return statements.flatMap((s) => {
    const m = /^CREATE OR REPLACE TRIGGER (\S+)/.exec(s);
    return m ? [`DROP TRIGGER IF EXISTS ${m[1]}`, s.replace('CREATE OR REPLACE TRIGGER', 'CREATE TRIGGER')] : [s];
  });
}

function recordSql(t: CaptureTarget, fp: string, objects: CaptureObject[], update: boolean): { sql: string; params: unknown[] } {
  const d = t.dialect;
  const q = (n: string) => quoteIdent(n, d);
  const m = `${q(t.schema)}.${q(MARKER_TABLE)}`;
  const ph = (i: number) => (d === 'postgres' ? `$${i}` : '?');
  const values = [t.table, t.topic, captureVersion(d), fp, JSON.stringify(objects), JSON.stringify(t.key), JSON.stringify(t.columns)];
  if (update) {
    return {
      sql: `UPDATE ${m} SET source_table = ${ph(1)}, topic = ${ph(2)}, version = ${ph(3)}, fingerprint = ${ph(4)}, objects = ${ph(5)}, key_columns = ${ph(6)}, source_columns = ${ph(7)}, installed_at = ${d === 'postgres' ? 'now()' : 'CURRENT_TIMESTAMP(6)'} WHERE change_table = ${ph(8)}`,
      params: [...values, t.changeTable],
    };
  }
  return {
    sql: `INSERT INTO ${m} (change_table, source_table, topic, version, fingerprint, objects, key_columns, source_columns) VALUES (${[1, 2, 3, 4, 5, 6, 7, 8].map(ph).join(', ')})`,
    params: [t.changeTable, ...values],
  };
}

function shown(s: { sql: string; params: unknown[] }): string {
  let i = 0;
  return s.sql.replace(/\$\d+|\?/g, () => {
    const v = s.params[i++];
    return typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`;
  });
}

async function withConn<T>(connection: string, f: (conn: Conn, d: Dialect) => Promise<T>): Promise<T> {
  const { conn, dialect } = await connect(connection);
  try {
    return await f(conn, dialect);
  } finally {
    await conn.close();
  }
}

/**
 * Create (or bring up to date) the change table and triggers for one stream. Idempotent: an install
 * whose version, trigger code and recorded columns match does nothing. A re-install after a schema
 * change replaces the triggers and the recorded columns and keeps the change table with its backlog.
 */
export function installCapture(spec: CaptureSpec, opts: { dryRun?: boolean } = {}): Promise<InstallResult> {
  return withConn(spec.connection, async (conn, d) => {
    const t = await resolveTarget(conn, d, spec);
    const p = plan(t);
    const mariadb = d === 'mysql' && (await isMariaDb(conn));
    const marker = await markerExists(conn, d, t.schema);
    if (marker.exists && !marker.ours) {
      throw new CaptureError(`${spec.name}: a table named ${t.schema}.${MARKER_TABLE} exists and was not created by schemactl; rename it, capture cannot record what it installs`);
    }
    const record = marker.exists ? await readRecord(conn, d, t.schema, t.changeTable) : null;
    if (record && record.sourceTable !== t.table) {
      throw new CaptureError(`${spec.name}: change table ${t.changeTable} already captures ${record.sourceTable} for ${record.topic}; choose another changeTable`);
    }
    const present = await existing(conn, t, p.objects);
    const ownedNames = new Set((record?.objects ?? []).map((o) => `${o.kind}:${o.name}`));
    const foreign = present.filter((o) => !ownedNames.has(`${o.kind}:${o.name}`));
    if (foreign.length) {
      throw new CaptureError(
        `${spec.name}: ${foreign.map((o) => `${o.kind} ${t.schema}.${o.name}`).join(', ')} already exist${foreign.length === 1 ? 's' : ''} and ${foreign.length === 1 ? 'was' : 'were'} not created by schemactl; nothing was changed. Drop or rename ${foreign.length === 1 ? 'it' : 'them'}, or set source.changeTable to another name`,
      );
    }
    const drift = record ? compareColumns(record.columns, t.columns, spec.requiredColumns, d === 'mysql') : undefined;
    const complete = record !== null && present.length === p.objects.length;
    if (complete && record.version === captureVersion(d) && record.fingerprint === p.fingerprint && !drift?.changed && (await triggersHealthy(conn, t))) {
      return { topic: spec.name, action: 'up-to-date', statements: [], drift };
    }
    let statements: string[];
    if (record === null) {
      statements = [...(marker.exists ? [] : p.marker), ...p.create, shown(recordSql(t, p.fingerprint, p.objects, false))];
    } else {
      const missingTable = !present.some((o) => o.kind === 'table');
      statements = [...(missingTable ? p.create : p.replaceTriggers), shown(recordSql(t, p.fingerprint, p.objects, true))];
    }
    statements = forServer(statements, d, mariadb);
    if (opts.dryRun) return { topic: spec.name, action: record ? 'updated' : 'installed', statements, drift };
    await runAll(conn, d, statements, async () => {
      // MySQL DDL commits on its own: undo what this run created if a later statement fails
      if (record === null) for (const s of forServer(p.drop, d, mariadb)) await conn.query(s, []).catch(() => {});
    });
    return { topic: spec.name, action: record ? 'updated' : 'installed', statements, drift };
  });
}

async function runAll(conn: Conn, d: Dialect, statements: string[], undo: () => Promise<void>): Promise<void> {
  if (d === 'postgres') {
    await conn.query('BEGIN', []);
    try {
      for (const s of statements) await conn.query(s, []);
      await conn.query('COMMIT', []);
    } catch (e) {
      await conn.query('ROLLBACK', []).catch(() => {});
      throw new CaptureError(`capture DDL failed, nothing was changed: ${redact((e as Error).message)}`);
    }
    return;
  }
  try {
    for (const s of statements) await conn.query(s, []);
  } catch (e) {
    await undo();
    throw new CaptureError(`capture DDL failed: ${redact((e as Error).message)}`);
  }
}

async function triggersHealthy(conn: Conn, t: CaptureTarget): Promise<boolean> {
  const h = await triggerHealth(conn, t.dialect, t.schema, t.table, objectNames(t).filter((o) => o.kind === 'trigger'));
  return h.every((x) => x.present && x.enabled);
}

export interface TriggerHealth {
  name: string;
  present: boolean;
  enabled: boolean;
  /** the version in the trigger's comment (PostgreSQL) or the marker record (MySQL) */
  version: number | null;
}

async function triggerHealth(conn: Conn, d: Dialect, schema: string, table: string, triggers: CaptureObject[]): Promise<TriggerHealth[]> {
  const out: TriggerHealth[] = [];
  for (const tr of triggers) {
    if (d === 'postgres') {
      const rows = await conn.query(
        `SELECT g.tgenabled AS enabled, obj_description(g.oid, 'pg_trigger') AS comment FROM pg_trigger g
           JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = $1 AND c.relname = $2 AND g.tgname = $3`,
        [schema, table, tr.name],
      );
      const r = rows[0];
      const v = r ? /v(\d+)/.exec(String(r.comment ?? '')) : null;
      out.push({ name: tr.name, present: !!r, enabled: !!r && String(r.enabled) !== 'D', version: v ? Number(v[1]) : null });
    } else {
      const rows = await conn.query('SELECT EVENT_OBJECT_TABLE AS tbl FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME = ?', [schema, tr.name]);
      // MySQL triggers cannot be disabled; a present trigger on the right table is enabled
      const r = rows[0];
      out.push({ name: tr.name, present: !!r && String(r.tbl) === table, enabled: !!r && String(r.tbl) === table, version: null });
    }
  }
  return out;
}

export interface UninstallResult {
  topic: string;
  action: 'removed' | 'not-installed';
  statements: string[];
  /** rows still in the change table when it was dropped (never published) */
  backlogDropped: number;
}

/** Remove exactly what install recorded; the marker table goes too once no capture is left in it. */
export function uninstallCapture(spec: CaptureSpec, opts: { dryRun?: boolean; force?: boolean } = {}): Promise<UninstallResult> {
  return withConn(spec.connection, async (conn, d) => {
    const parts = splitName(spec.table);
    const schema = parts.schema ?? (await currentSchema(conn, d));
    const changeTable = spec.changeTable ?? defaultChangeTable(parts.table);
    const record = await readRecord(conn, d, schema, changeTable);
    if (!record) return { topic: spec.name, action: 'not-installed', statements: [], backlogDropped: 0 };
    const q = (n: string) => quoteIdent(n, d);
    const t: CaptureTarget = { dialect: d, schema, table: record.sourceTable, changeTable, key: record.key, columns: record.columns, topic: record.topic };
    const present = await existing(conn, t, record.objects);
    let backlog = 0;
    if (present.some((o) => o.kind === 'table')) {
      const [r] = await conn.query(`SELECT COUNT(*) AS n FROM ${q(schema)}.${q(changeTable)}`, []);
      backlog = Number(r?.n ?? 0);
      if (backlog > 0 && !opts.force && !opts.dryRun) {
        throw new CaptureError(`${spec.name}: ${changeTable} still holds ${backlog} unpublished change${backlog === 1 ? '' : 's'}; publish them first or pass --force to drop them`);
      }
    }
    const recorded = new Set(record.objects.map((o) => `${o.kind}:${o.name}`));
    // only the statements for objects this record lists
    const p = plan(t);
    const drops = p.drop.filter((s) => p.objects.some((o) => recorded.has(`${o.kind}:${o.name}`) && s.includes(q(o.name))));
    const statements = [...drops, `DELETE FROM ${q(schema)}.${q(MARKER_TABLE)} WHERE change_table = ${d === 'postgres' ? '$1' : '?'}`];
    const shownStatements = [...drops, shown({ sql: statements.at(-1)!, params: [changeTable] }), `DROP TABLE ${q(schema)}.${q(MARKER_TABLE)} -- when no other capture is recorded in it`];
    if (opts.dryRun) return { topic: spec.name, action: 'removed', statements: shownStatements, backlogDropped: backlog };
    const dropMarkerIfEmpty = async () => {
      const [r] = await conn.query(`SELECT COUNT(*) AS n FROM ${q(schema)}.${q(MARKER_TABLE)}`, []);
      if (Number(r?.n ?? 0) === 0) await conn.query(`DROP TABLE ${q(schema)}.${q(MARKER_TABLE)}`, []);
    };
    if (d === 'postgres') {
      await conn.query('BEGIN', []);
      try {
        for (const s of drops) await conn.query(s, []);
        await conn.query(statements.at(-1)!, [changeTable]);
        // other installs in this schema take this lock too: the emptiness check cannot race them
        await conn.query(`LOCK TABLE ${q(schema)}.${q(MARKER_TABLE)} IN EXCLUSIVE MODE`, []);
        await dropMarkerIfEmpty();
        await conn.query('COMMIT', []);
      } catch (e) {
        await conn.query('ROLLBACK', []).catch(() => {});
        throw new CaptureError(`capture uninstall failed, nothing was changed: ${redact((e as Error).message)}`);
      }
    } else {
      for (const s of drops) await conn.query(s, []);
      await conn.query(statements.at(-1)!, [changeTable]);
      await dropMarkerIfEmpty();
    }
    return { topic: spec.name, action: 'removed', statements: shownStatements, backlogDropped: backlog };
  });
}

export interface CaptureStatus {
  topic: string;
  installed: boolean;
  version: number | null;
  current: boolean;
  backlog: { rows: number; oldestAgeSeconds: number | null } | null;
  triggers: TriggerHealth[];
  drift: Drift | null;
  problems: string[];
}

export function captureStatus(spec: CaptureSpec): Promise<CaptureStatus> {
  return withConn(spec.connection, async (conn, d) => {
    const parts = splitName(spec.table);
    const schema = parts.schema ?? (await currentSchema(conn, d));
    const changeTable = spec.changeTable ?? defaultChangeTable(parts.table);
    const record = await readRecord(conn, d, schema, changeTable);
    const problems: string[] = [];
    if (!record) {
      return { topic: spec.name, installed: false, version: null, current: false, backlog: null, triggers: [], drift: null, problems: [`not installed: run \`schemactl capture install ${spec.name}\``] };
    }
    const q = (n: string) => quoteIdent(n, d);
    const triggers = await triggerHealth(conn, d, schema, record.sourceTable, record.objects.filter((o) => o.kind === 'trigger'));
    if (d === 'mysql') for (const tr of triggers) tr.version = tr.present ? record.version : null;
    for (const tr of triggers) {
      if (!tr.present) problems.push(`trigger ${tr.name} is missing: changes are not captured; run \`schemactl capture install ${spec.name}\``);
      else if (!tr.enabled) problems.push(`trigger ${tr.name} is disabled: changes are not captured`);
    }
    let backlog: CaptureStatus['backlog'] = null;
    try {
      const [r] = await conn.query(
        d === 'postgres'
          ? `SELECT COUNT(*) AS n, EXTRACT(EPOCH FROM (clock_timestamp() - MIN(captured_at)))::text AS age FROM ${q(schema)}.${q(changeTable)}`
          : `SELECT COUNT(*) AS n, TIMESTAMPDIFF(MICROSECOND, MIN(captured_at), NOW(6)) / 1000000 AS age FROM ${q(schema)}.${q(changeTable)}`,
        [],
      );
      backlog = { rows: Number(r?.n ?? 0), oldestAgeSeconds: r?.age === null || r?.age === undefined ? null : Number(r.age) };
    } catch (e) {
      problems.push(`change table ${changeTable} cannot be read: ${redact((e as Error).message)}`);
    }
    const cols = await tableColumns(conn, d, schema, record.sourceTable);
    const drift = compareColumns(record.columns, cols, spec.requiredColumns, d === 'mysql');
    for (const f of drift.findings) if (f.breaking) problems.push(f.message);
    const t: CaptureTarget = { dialect: d, schema, table: record.sourceTable, changeTable, key: record.key, columns: record.columns, topic: record.topic };
    const current = record.version === captureVersion(d) && record.fingerprint === plan(t).fingerprint;
    if (!current) problems.push(`installed capture is version ${record.version}; this schemactl installs version ${captureVersion(d)}: run \`schemactl capture install ${spec.name}\``);
    return { topic: spec.name, installed: true, version: record.version, current, backlog, triggers, drift, problems };
  });
}
