// What the binlog source needs to know about its tables: columns and types (the drift baseline), and
// the primary key that orders snapshot chunks and tells a key update from an update.
import type { Connection } from 'mysql2/promise';
import type { ColumnShape } from '../../drift/relation.js';
import { CdcStopError } from '../pg-logical/types.js';

export interface BinlogTable {
  /** `database.table` */
  qualified: string;
  database: string;
  table: string;
  /** primary key columns in index order; empty: none (the table is read in one chunk) */
  keyColumns: string[];
  /** column → COLUMN_TYPE as the server prints it (`decimal(12,2)`, `bigint(20) unsigned`) */
  columns: Map<string, string>;
  /** the same columns with nullability, as the drift check compares them */
  shape: ColumnShape[];
}

/** Every value as the server's own text: exact DECIMAL and BIGINT, microseconds, TIMESTAMP in UTC, JSON text. */
export const MYSQL_TEXT_OPTIONS = {
  dateStrings: true,
  supportBigNumbers: true,
  bigNumberStrings: true,
  decimalNumbers: false,
  jsonStrings: true,
  timezone: 'Z',
} as const;

export function quoteId(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

export function qualifiedName(t: { database: string; table: string }): string {
  return `${quoteId(t.database)}.${quoteId(t.table)}`;
}

/** `db.table` or `table` (in the connection's database). */
export function splitName(name: string, defaultDb: string): { database: string; table: string } {
  const dot = name.indexOf('.');
  return dot > 0 ? { database: name.slice(0, dot), table: name.slice(dot + 1) } : { database: defaultDb, table: name };
}

/** information_schema's shape of a table now (empty when it is gone). */
export async function loadShape(conn: Connection, database: string, table: string): Promise<ColumnShape[]> {
  const [cols] = await conn.query(
    "SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE = 'YES' AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION",
    [database, table],
  );
  return (cols as Array<{ name: string; type: string | Buffer; nullable: number | string }>).map((r) => ({ name: r.name, type: String(r.type), nullable: Number(r.nullable) === 1 }));
}

export async function loadTables(conn: Connection, names: Array<{ database: string; table: string }>): Promise<BinlogTable[]> {
  const out: BinlogTable[] = [];
  for (const { database, table } of names) {
    const rows = await loadShape(conn, database, table);
    if (!rows.length) throw new CdcStopError('cdc-table', `table ${database}.${table} does not exist (or this user cannot see it); check the catalog's source table and GRANT SELECT ON ${quoteId(database)}.${quoteId(table)}`);
    const [keys] = await conn.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND INDEX_NAME = 'PRIMARY' ORDER BY SEQ_IN_INDEX",
      [database, table],
    );
    out.push({
      qualified: `${database}.${table}`,
      database,
      table,
      keyColumns: (keys as Array<{ name: string }>).map((k) => k.name),
      columns: new Map(rows.map((r) => [r.name, r.type])),
      shape: rows,
    });
  }
  return out;
}
