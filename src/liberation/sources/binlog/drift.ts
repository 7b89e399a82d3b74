// Table drift in the binary log. A TABLE_MAP event is this log's Relation message: it carries the
// columns in force when the rows after it were written (binlog_row_metadata=FULL), but only as type
// codes. The COLUMN_TYPE text the shared comparison (../../drift/relation.ts) judges comes from
// information_schema, taken only when it is of the map's type family: the catalog may already be past
// a later ALTER, and a type text of another family would judge the wrong type. A column whose type is
// known nowhere gets a text with no samples, so a read column of it is never taken on trust.
import { breakingDdl, breakingRemedies, type ColumnShape, type RelationVerdict } from '../../drift/relation.js';
import { CdcStopError } from '../pg-logical/types.js';

/** A TABLE_MAP of a captured table whose columns differ from the last one of this run (or the first one). */
export interface TableMapSeen {
  table: string;
  /** the end of the last transaction before the rows it maps */
  at: string;
  columns: Array<{ name: string; type: number }>;
  /** the last ALTER TABLE seen on the table in this run, shown with a stop */
  ddl?: { query: string; at: string };
}

// binary log type code → the COLUMN_TYPE base words it is logged for
const FAMILIES: Record<number, string[]> = {
  0: ['decimal', 'numeric'], 246: ['decimal', 'numeric'],
  1: ['tinyint', 'bool', 'boolean'], 2: ['smallint'], 9: ['mediumint'], 3: ['int', 'integer'], 8: ['bigint'],
  4: ['float'], 5: ['double', 'real'],
  7: ['timestamp'], 17: ['timestamp'], 10: ['date'], 14: ['date'], 11: ['time'], 19: ['time'], 12: ['datetime'], 18: ['datetime'], 13: ['year'],
  15: ['varchar', 'varbinary'], 253: ['varchar', 'varbinary'], 254: ['char', 'binary', 'enum', 'set'], 247: ['enum'], 248: ['set'],
  16: ['bit'], 245: ['json'],
  249: ['tinyblob', 'tinytext'], 250: ['mediumblob', 'mediumtext'], 251: ['longblob', 'longtext', 'json'], 252: ['blob', 'text', 'tinyblob', 'tinytext', 'mediumblob', 'mediumtext', 'longblob', 'longtext', 'json'],
};
const KNOWN = new Set(Object.values(FAMILIES).flat());

/** The COLUMN_TYPE text can be what a column of this binary log type code is: a base word no family lists (MariaDB's uuid, inet6) is taken as it is. */
export function fitsCode(code: number, columnType: string): boolean {
  const base = /^[a-z]+/i.exec(columnType)?.[0]?.toLowerCase() ?? '';
  if (!KNOWN.has(base)) return true;
  return FAMILIES[code]?.includes(base) ?? false;
}

/**
 * The shape a TABLE_MAP describes. Each column's type text is the first candidate of its code's
 * family: information_schema's now, the shape accepted before, then types known from earlier in this
 * run; nullability is information_schema's now (the map has none), else the accepted one.
 */
export function mapShape(m: TableMapSeen, catalog: readonly ColumnShape[], before: readonly ColumnShape[] | null, known: ReadonlyMap<string, readonly string[]>): ColumnShape[] {
  const cat = new Map(catalog.map((c) => [c.name, c]));
  const was = new Map((before ?? []).map((c) => [c.name, c]));
  return m.columns.map((c) => {
    const candidates = [cat.get(c.name)?.type, was.get(c.name)?.type, ...(known.get(c.name) ?? [])];
    const type = candidates.find((t): t is string => t !== undefined && fitsCode(c.type, t)) ?? `(binary log type ${c.type})`;
    return { name: c.name, type, nullable: cat.get(c.name)?.nullable ?? was.get(c.name)?.nullable ?? true };
  });
}

/** The stop for a change met in the log. */
export function mapDriftError(stream: string, m: TableMapSeen, verdict: RelationVerdict): CdcStopError {
  return new CdcStopError(
    'cdc-schema-drift',
    `stream ${stream}: table ${m.table} changed${m.ddl ? ` (DDL at ${m.ddl.at}: ${m.ddl.query})` : ''} before the rows after binary log position ${m.at} (${breakingDdl(verdict.breaking)}). Nothing of the new shape was published; the checkpoint stays at ${m.at} or before. ${breakingRemedies(verdict.breaking)}; then publish again`,
  );
}

/** The stop for a change made while the publisher was stopped, found by comparing information_schema with the checkpoint. */
export function startDriftError(stream: string, table: string, position: string | null, verdict: RelationVerdict): CdcStopError {
  return new CdcStopError(
    'cdc-schema-drift',
    `stream ${stream}: table ${table} changed while the publisher was stopped (${breakingDdl(verdict.breaking)}). Nothing was published past ${position ? `binary log position ${position}` : 'the start'}; the checkpoint stays there. ${breakingRemedies(verdict.breaking)}; then publish again`,
  );
}
