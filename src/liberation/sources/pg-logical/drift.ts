// Relation drift. pgoutput carries no DDL: a Relation message is the only sign in the log that a table
// changed, and the catalog is the only sign at start. Both are turned into column shapes (type text
// with modifiers, nullability) and judged by the shared comparison (../../drift/relation.ts) against
// the shape the stream last accepted, which travels with the checkpoint.
import type pg from 'pg';
import { breakingDdl, breakingRemedies, compareRelation, type ColumnShape, type FieldProbe, type RelationVerdict } from '../../drift/relation.js';
import type { TableInfo } from './catalog.js';
import type { RelationColumn } from './protocol.js';
import { CdcStopError } from './types.js';

/** A Relation message of a captured table whose shape differs from the last one of this run. */
export interface RelationSeen {
  oid: number;
  table: string;
  /** the commit LSN of the transaction it came in (or the stream position outside one) */
  lsn: string;
  columns: RelationColumn[];
}

/** The catalog's shape of a table. */
export function catalogShape(t: TableInfo): ColumnShape[] {
  return [...t.columns].map(([name, c]) => ({ name, type: c.typeName, nullable: c.nullable }));
}

/**
 * The shape a Relation message describes: type text from the message's type and modifier. The message
 * has no nullability; it is the catalog's now (the best available), else what was accepted before.
 */
export async function relationShape(admin: pg.Client, r: RelationSeen, before: readonly ColumnShape[] | null): Promise<ColumnShape[]> {
  const res = await admin.query(
    `SELECT t.i::int AS i, format_type(t.o, t.m) AS type,
            (SELECT NOT a.attnotnull FROM pg_attribute a WHERE a.attrelid = $3::oid AND a.attname = t.n AND NOT a.attisdropped) AS nullable
       FROM unnest($1::oid[], $2::int[], $4::text[]) WITH ORDINALITY AS t(o, m, n, i) ORDER BY t.i`,
    [r.columns.map((c) => c.typeOid), r.columns.map((c) => c.typmod), r.oid, r.columns.map((c) => c.name)],
  );
  const rows = res.rows as Array<{ type: string; nullable: string | null }>;
  const was = new Map((before ?? []).map((c) => [c.name, c]));
  return r.columns.map((c, i) => {
    const n = rows[i]?.nullable;
    return { name: c.name, type: rows[i]?.type ?? String(c.typeOid), nullable: n === null || n === undefined ? (was.get(c.name)?.nullable ?? true) : n === 't' };
  });
}

/** A probe for a stream with no schema-derived probe: every read column is required, no new type is accepted. */
export function strictProbe(columns: string[]): FieldProbe {
  return {
    columns: () => columns,
    fillable: () => false,
    rejects: () => 'the stream has no schema to judge it against',
  };
}

export { compareRelation, type RelationVerdict };

/** The stop for a change met in the log. */
export function streamDriftError(stream: string, table: string, lsn: string, verdict: RelationVerdict, keptFrom: string): CdcStopError {
  return new CdcStopError(
    'cdc-schema-drift',
    `stream ${stream}: table ${table} changed before the transaction at LSN ${lsn} (${breakingDdl(verdict.breaking)}). Nothing of the new shape was published; the slot keeps every change from ${keptFrom}. ${breakingRemedies(verdict.breaking)}; then publish again`,
  );
}

/** The stop for a change made while the publisher was stopped, found by comparing the catalog with the checkpoint. */
export function startDriftError(stream: string, table: string, position: string | null, verdict: RelationVerdict): CdcStopError {
  return new CdcStopError(
    'cdc-schema-drift',
    `stream ${stream}: table ${table} changed while the publisher was stopped (${breakingDdl(verdict.breaking)}). Nothing was published past ${position ? `LSN ${position}` : 'the start'}; the slot keeps every change from there. ${breakingRemedies(verdict.breaking)}; then publish again`,
  );
}
