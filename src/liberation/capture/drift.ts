// Schema drift between what `capture install` recorded and the source table now, judged against the
// columns the stream's mapping reads. Pure: the source and `capture status` both use it.
import type { ColumnInfo } from './ddl.js';

export interface DriftFinding {
  column: string;
  /** breaking: publishing would produce wrong or no events for this column */
  breaking: boolean;
  message: string;
}

export interface Drift {
  changed: boolean;
  findings: DriftFinding[];
}

/**
 * `required` is the set of columns the mapping reads (AvroRowMapper.columns()); undefined means every
 * recorded column is treated as required. `triggersEnumerateColumns` is true on MySQL/MariaDB, whose
 * triggers name each column: there, a dropped column breaks the triggers themselves.
 */
export function compareColumns(recorded: ColumnInfo[], current: ColumnInfo[], required: readonly string[] | undefined, triggersEnumerateColumns: boolean): Drift {
  const now = new Map(current.map((c) => [c.name, c]));
  const before = new Map(recorded.map((c) => [c.name, c]));
  const needed = new Set(required ?? recorded.map((c) => c.name));
  const findings: DriftFinding[] = [];
  for (const old of recorded) {
    const cur = now.get(old.name);
    const isNeeded = needed.has(old.name);
    if (!cur) {
      findings.push({
        column: old.name,
        breaking: isNeeded || triggersEnumerateColumns,
        message: isNeeded
          ? `column '${old.name}' was dropped or renamed, but the stream's schema reads it; evolve the schema (or its mapping), then run \`schemactl capture install\` again`
          : triggersEnumerateColumns
            ? `column '${old.name}' was dropped; the installed triggers still name it and will fail on every write: run \`schemactl capture install\` again now`
            : `column '${old.name}' was dropped; the stream's schema does not read it`,
      });
      continue;
    }
    if (cur.type !== old.type) {
      findings.push({
        column: old.name,
        breaking: isNeeded,
        message: `column '${old.name}' changed type from ${old.type} to ${cur.type}${isNeeded ? '; the stream\'s schema reads it, so check the field still fits, then run `schemactl capture install` again' : ''}`,
      });
    } else if (!old.nullable && cur.nullable) {
      findings.push({
        column: old.name,
        breaking: isNeeded,
        message: `column '${old.name}' became nullable${isNeeded ? '; a NULL would not fit a non-null field: make the field nullable or keep the column NOT NULL, then run `schemactl capture install` again' : ''}`,
      });
    }
  }
  for (const cur of current) {
    if (before.has(cur.name)) continue;
    findings.push({
      column: cur.name,
      breaking: false,
      message: triggersEnumerateColumns
        ? `column '${cur.name}' was added; the installed triggers do not capture it until \`schemactl capture install\` runs again`
        : `column '${cur.name}' was added; it is captured, and published once the schema has a field for it`,
    });
  }
  return { changed: findings.length > 0, findings };
}
