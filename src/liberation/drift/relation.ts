// Relation drift, judged against the stream's schema. One function for every source that can see a
// table's shape (PostgreSQL pgoutput Relation messages and catalog, trigger-fed change tables, a
// binlog's table maps): it compares the shape the stream last accepted with the shape now, and a
// change is accepted only when the registered schema can take it:
//   - a read column gone: its field has a default the mapper fills (Avro `default`; Protobuf: a field
//     with presence, left unset, so readers see its declared default and has_x() is false);
//   - a read column retyped: sample values of the new type, at the edges of its range, all convert
//     into the field through the mapper's own converter (int4 → int8 into an Avro long passes;
//     bigint → numeric(20,2) into a long does not); a type with no known samples is not accepted;
//   - a read column that became nullable: the field accepts NULL.
// Pure and database-free: type names are the database's own text (format_type / COLUMN_TYPE).
import { samplesFor } from './samples.js';

/** One column of a table as the source last saw it. */
export interface ColumnShape {
  name: string;
  /** the type as the database prints it, with its modifiers: `numeric(20,2)`, `character varying(10)` */
  type: string;
  nullable: boolean;
}

/** What a mapper answers about the fields it fills from columns (AvroRowMapper, ProtoRowMapper). */
export interface FieldProbe {
  /** the columns the schema reads, after mapping */
  columns(): string[];
  /** the field read from this column can be filled when the column is absent */
  fillable(column: string): boolean;
  /** undefined when this column value (text, or null) maps into its field; else why not */
  rejects(column: string, value: string | null): string | undefined;
}

export type ChangeKind = 'dropped' | 'retyped' | 'nullable' | 'added';

export interface RelationChange {
  column: string;
  kind: ChangeKind;
  /** the DDL as best derivable: `qty: bigint → numeric(20,2)` */
  ddl: string;
  /** the schema reads this column */
  read: boolean;
  /** the registered schema can take the change (always true for columns it does not read) */
  accepted: boolean;
  /** why it is accepted or not, and for a stop the remedies that resume */
  reason: string;
}

export interface RelationVerdict {
  changes: RelationChange[];
  /** changes the schema cannot take: the stream must stop before a row of the new shape */
  breaking: RelationChange[];
}

export interface CompareOptions {
  /**
   * Whether restoring the column is a remedy. Not for a change met in a log: rows of the new shape are
   * already in it and are read again after a restore. Elsewhere only while no row was written since.
   */
  restore?: 'yes' | 'no' | 'if-no-rows';
}

/**
 * Compare `before` (last accepted; null when the stream has none yet) with `now`. A read column
 * missing from `now` is judged even when `before` does not know it: the schema needs it regardless.
 */
export function compareRelation(before: readonly ColumnShape[] | null, now: readonly ColumnShape[], probe: FieldProbe, opts: CompareOptions = {}): RelationVerdict {
  const restore = (what: string): string =>
    opts.restore === 'no' ? '' : `, or ${what}${opts.restore === 'if-no-rows' ? ' before a row is written in the new shape' : ''}`;
  const reads = new Set(probe.columns());
  const was = new Map((before ?? []).map((c) => [c.name, c]));
  const is = new Map(now.map((c) => [c.name, c]));
  const changes: RelationChange[] = [];
  for (const column of reads) {
    const old = was.get(column);
    const cur = is.get(column);
    if (!cur) {
      const ok = probe.fillable(column);
      // absent then and now, and still filled: nothing changed (absent without a default always stops)
      if (ok && before && !old) continue;
      changes.push({
        column, kind: 'dropped', read: true, accepted: ok,
        ddl: `${column}: ${old ? old.type : '?'} → (dropped)`,
        reason: ok
          ? 'the field has a default: events carry it'
          : `the field has no default. To resume: register a schema version that drops the field or gives it a default${restore('restore the column')}`,
      });
      continue;
    }
    if (!old) continue; // no earlier shape to compare with (or the column came back: judged below when retyped)
    if (old.type !== cur.type) {
      const why = typeRejects(probe, column, cur);
      changes.push({
        column, kind: 'retyped', read: true, accepted: why === undefined,
        ddl: `${column}: ${old.type} → ${cur.type}`,
        reason: why === undefined
          ? `every sample ${cur.type} value maps into the field`
          : `${why}. To resume: register a schema version whose field takes ${cur.type} values or that drops the field${restore("restore the column's type")}`,
      });
    } else if (!old.nullable && cur.nullable) {
      const why = probe.rejects(column, null);
      changes.push({
        column, kind: 'nullable', read: true, accepted: why === undefined,
        ddl: `${column}: ${cur.type} NOT NULL → ${cur.type} NULL`,
        reason: why === undefined
          ? 'the field accepts null'
          : `the field does not accept null. To resume: register a schema version whose field is nullable${restore('SET NOT NULL on the column again')}`,
      });
    }
  }
  if (before) {
    for (const c of now) {
      if (!was.has(c.name) && !reads.has(c.name)) changes.push({ column: c.name, kind: 'added', read: false, accepted: true, ddl: `${c.name}: (added) ${c.type}`, reason: 'the schema does not read it' });
    }
    for (const c of before) {
      if (!is.has(c.name) && !reads.has(c.name)) changes.push({ column: c.name, kind: 'dropped', read: false, accepted: true, ddl: `${c.name}: ${c.type} → (dropped)`, reason: 'the schema does not read it' });
    }
  }
  return { changes, breaking: changes.filter((c) => !c.accepted) };
}

/** Why a value of the column's (new) type may not map into its field; undefined when every sample does. */
function typeRejects(probe: FieldProbe, column: string, cur: ColumnShape): string | undefined {
  const samples = samplesFor(cur.type);
  if (!samples) return `no sample values are known for type ${cur.type}, so it cannot be shown to fit the field`;
  for (const s of cur.nullable ? [...samples, null] : samples) {
    const why = probe.rejects(column, s);
    if (why !== undefined) return `a ${cur.type} value ${s === null ? 'NULL' : `'${s}'`} does not map into the field (${why})`;
  }
  return undefined;
}

/** The DDL of the changes the schema cannot take, for the stop message: `qty: bigint → numeric(20,2)`. */
export function breakingDdl(breaking: readonly RelationChange[]): string {
  return breaking.map((c) => c.ddl).join(', ');
}

/** Why each change stops the stream and what resumes it, for the stop message. */
export function breakingRemedies(breaking: readonly RelationChange[]): string {
  return breaking.map((c) => `${c.column}: ${c.reason}`).join('; ');
}
