// What the source needs to know about its tables: columns and types (drift baseline), the key that
// orders snapshot chunks, and whether the replica identity lets updates and deletes be captured.
import type pg from 'pg';
import { redact } from '../../../errors.js';
import { quoteIdent, splitTable } from './protocol.js';
import { CdcStopError } from './types.js';

// Every value as the server prints it, in a fixed dialect: the walsender formats pgoutput's text with
// the replication session's settings, and the snapshot reads use the same ones, so a row reads the
// same from the snapshot as from the log.
export const SESSION_OPTIONS = '-c TimeZone=UTC -c DateStyle=ISO,YMD -c bytea_output=hex -c extra_float_digits=3 -c IntervalStyle=postgres';
export const textTypes = { getTypeParser: () => (v: string) => v };

export interface ColumnInfo {
  typeOid: number;
  /** with modifiers, as format_type prints it: numeric(20,2) */
  typeName: string;
  toastable: boolean;
  nullable: boolean;
}

export interface TableInfo {
  qualified: string;
  schema: string;
  table: string;
  oid: number;
  identity: string;
  hasPrimaryKey: boolean;
  /** primary key (else the replica identity index) columns, in index order; empty: the table has none */
  keyColumns: string[];
  columns: Map<string, ColumnInfo>;
}

export async function loadTables(client: pg.Client, tables: string[]): Promise<TableInfo[]> {
  const out: TableInfo[] = [];
  for (const q of tables) {
    const { schema, table } = splitTable(q);
    const rel = await client.query(
      `SELECT c.oid::int AS oid, c.relreplident AS identity, c.relkind AS kind,
              EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS pk
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = $1 AND c.relname = $2`,
      [schema, table],
    );
    const r = rel.rows[0] as { oid: string; identity: string; kind: string; pk: string } | undefined;
    if (!r) throw new CdcStopError('cdc-table', `table ${schema}.${table} does not exist in ${redact(client.database ?? '')}; check the catalog's source tables`);
    if (r.kind !== 'r' && r.kind !== 'p') throw new CdcStopError('cdc-table', `${schema}.${table} is not a table (relkind ${r.kind}); logical replication publishes tables only`);
    const cols = await client.query(
      `SELECT a.attname AS name, a.atttypid::int AS typeoid, format_type(a.atttypid, a.atttypmod) AS typename,
              (a.attlen = -1 AND a.attstorage IN ('x', 'e')) AS toastable, NOT a.attnotnull AS nullable
         FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [r.oid],
    );
    const columns = new Map<string, ColumnInfo>();
    for (const c of cols.rows as Array<{ name: string; typeoid: string; typename: string; toastable: string; nullable: string }>) {
      columns.set(c.name, { typeOid: Number(c.typeoid), typeName: c.typename, toastable: c.toastable === 't', nullable: c.nullable === 't' });
    }
    // the primary key, else the replica identity index: unique and not null, so it orders chunks
    const keys = await client.query(
      `SELECT a.attname AS name
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.indisprimary
        ORDER BY k.ord`,
      [r.oid],
    );
    let keyColumns = (keys.rows as Array<{ name: string }>).map((k) => k.name);
    if (!keyColumns.length) {
      const ri = await client.query(
        `SELECT a.attname AS name
           FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
          WHERE i.indrelid = $1 AND i.indisreplident
          ORDER BY k.ord`,
        [r.oid],
      );
      keyColumns = (ri.rows as Array<{ name: string }>).map((k) => k.name);
    }
    out.push({ qualified: `${schema}.${table}`, schema, table, oid: Number(r.oid), identity: r.identity, hasPrimaryKey: r.pk === 't', keyColumns, columns });
  }
  return out;
}

export interface IdentityFinding {
  table: string;
  identity: 'default' | 'nothing' | 'full' | 'index';
  level: 'error' | 'warn';
  message: string;
}

const IDENTITY_NAMES = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

/**
 * Tables whose updates and deletes fail on the primary once published (no replica identity: an error),
 * and tables where an UPDATE can send a column the stream reads as "unchanged TOAST" (a warning). Only
 * a column that can be stored out of line and that the stream reads can lose its value that way;
 * REPLICA IDENTITY FULL sends the old row, from which the source fills it.
 */
export function identityFindings(tables: TableInfo[], readColumns?: readonly string[]): IdentityFinding[] {
  const out: IdentityFinding[] = [];
  const reads = readColumns ? new Set(readColumns) : null;
  for (const t of tables) {
    const identity = IDENTITY_NAMES[t.identity as keyof typeof IDENTITY_NAMES] ?? 'default';
    const fix = `ALTER TABLE ${quoteIdent(t.schema)}.${quoteIdent(t.table)} REPLICA IDENTITY FULL`;
    if (identity === 'nothing' || (identity === 'default' && !t.hasPrimaryKey)) {
      out.push({
        table: t.qualified, identity, level: 'error',
        message: `${t.qualified} has no replica identity (${identity === 'nothing' ? 'REPLICA IDENTITY NOTHING' : 'no primary key'}); once it is in a publication that publishes updates and deletes, UPDATE and DELETE on it fail on the primary. Add a primary key or run: ${fix}`,
      });
      continue;
    }
    if (identity === 'full') continue;
    const toast = [...t.columns].filter(([n, c]) => c.toastable && (!reads || reads.has(n))).map(([n]) => n);
    if (toast.length) {
      out.push({
        table: t.qualified, identity, level: 'warn',
        message: `${t.qualified} has TOAST-able columns the stream reads (${toast.join(', ')}): an UPDATE that does not change a large value sends it as "unchanged", so the event leaves that field out (header schemactl.unchanged-toast). To always get full rows: ${fix}`,
      });
    }
  }
  return out;
}
