// Relation drift. pgoutput carries no DDL: a Relation message is the only sign that a table changed,
// so each one is compared with the columns the stream's schema reads; a change that breaks the
// mapping stops the stream before any row of the new shape is published.
import type pg from 'pg';
import type { RelationColumn } from './protocol.js';
import { CdcStopError } from './types.js';

export interface RelationDiff {
  /** columns the schema needs that the table no longer has */
  missing: string[];
  /** needed columns whose type changed */
  retyped: Array<{ column: string; from: number; to: number }>;
  /** new columns (ignored by the mapping) */
  added: string[];
}

export interface Drift {
  table: string;
  lsn: string;
  diff: RelationDiff;
}

/** Compare a Relation message with the columns the stream needs and the types they had at start. */
export function diffRelation(required: string[], baseline: Map<string, { typeOid: number }>, columns: RelationColumn[]): RelationDiff {
  const now = new Map(columns.map((c) => [c.name, c]));
  const missing = required.filter((c) => !now.has(c));
  const retyped: RelationDiff['retyped'] = [];
  for (const c of required) {
    const was = baseline.get(c);
    const is = now.get(c);
    if (was && is && was.typeOid !== is.typeOid) retyped.push({ column: c, from: was.typeOid, to: is.typeOid });
  }
  const added = columns.filter((c) => !baseline.has(c.name)).map((c) => c.name);
  return { missing, retyped, added };
}

/** The stop error for a drift, with type names looked up for the message. */
export async function driftError(admin: pg.Client, d: Drift, stream: string, keptFrom: string): Promise<CdcStopError> {
  const oids = [...new Set(d.diff.retyped.flatMap((r) => [r.from, r.to]))];
  const names = new Map<number, string>();
  if (oids.length) {
    const res = await admin.query('SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type WHERE oid = ANY($1::oid[])', [oids]);
    for (const r of res.rows as Array<{ oid: string; name: string }>) names.set(Number(r.oid), r.name);
  }
  const parts: string[] = [];
  if (d.diff.missing.length) parts.push(`column(s) ${d.diff.missing.join(', ')} read by the stream's schema no longer exist`);
  for (const r of d.diff.retyped) parts.push(`column ${r.column} changed type from ${names.get(r.from) ?? r.from} to ${names.get(r.to) ?? r.to}`);
  return new CdcStopError(
    'cdc-schema-drift',
    `stream ${stream}: table ${d.table} changed before the transaction at LSN ${d.lsn}: ${parts.join('; ')}. Nothing of the new shape was published; the slot keeps every change from ${keptFrom}. To resume, register a compatible schema version (drop the field or give it a default) or restore the column, then publish again`,
  );
}
