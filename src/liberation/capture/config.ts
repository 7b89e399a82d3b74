// A catalog stream's `source:` → the capture spec, with every problem reported at the stream's
// position in the config file (the loose `source:` object carries no positions of its own yet).
import { readFile } from 'node:fs/promises';
import type { CatalogStream } from '../../config/types.js';
import { dialectOf } from '../sources/sql.js';
import type { ChangeTableConfig } from '../sources/change-table.js';

export interface SpecProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

function problem(stream: CatalogStream, file: string, message: string): SpecProblem {
  return { file, line: stream.loc.line, column: stream.loc.column, message: `stream ${stream.topic}: ${message}` };
}

export function isTriggerStream(stream: CatalogStream): boolean {
  return stream.source?.pattern === 'triggers';
}

/** Read the spec of a `pattern: triggers` stream; `file` labels problems. */
export function captureSpecOf(stream: CatalogStream, file: string): { spec?: ChangeTableConfig; problems: SpecProblem[] } {
  const s = stream.source ?? {};
  const problems: SpecProblem[] = [];
  const str = (k: string, required: boolean): string | undefined => {
    const v = s[k];
    if (v === undefined || v === null) {
      if (required) problems.push(problem(stream, file, `source.${k} is required for pattern: triggers`));
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      problems.push(problem(stream, file, `source.${k} must be a non-empty string`));
      return undefined;
    }
    return v;
  };
  const connection = str('connection', true);
  const table = str('table', true);
  const changeTable = str('change_table', false);
  if (connection !== undefined) {
    try {
      dialectOf(connection);
    } catch (e) {
      problems.push(problem(stream, file, (e as Error).message));
    }
  }
  let key: string[] | undefined;
  if (s.key !== undefined) {
    const k = typeof s.key === 'string' ? [s.key] : s.key;
    if (!Array.isArray(k) || k.length === 0 || !k.every((x) => typeof x === 'string' && x !== '')) problems.push(problem(stream, file, 'source.key must be a column name or a list of column names'));
    else key = k as string[];
  }
  let delayMs: number | undefined;
  if (s.delay_ms !== undefined) {
    if (typeof s.delay_ms !== 'number' || !(s.delay_ms >= 0)) problems.push(problem(stream, file, 'source.delay_ms must be a number of milliseconds ≥ 0'));
    else delayMs = s.delay_ms;
  }
  if (problems.length || connection === undefined || table === undefined) return { problems };
  return { spec: { connection, table, name: stream.topic, ...(changeTable ? { changeTable } : {}), ...(key ? { key } : {}), ...(delayMs !== undefined ? { delayMs } : {}) }, problems };
}

/**
 * The columns the stream's Avro schema reads (after `source.mapping`, column → field), so drift
 * checks know which columns matter. Undefined when the schema is not a single .avsc record.
 */
export async function requiredColumnsOf(stream: CatalogStream): Promise<string[] | undefined> {
  const schema = stream.schemas[0];
  if (stream.schemas.length !== 1 || !schema || !schema.path.endsWith('.avsc')) return undefined;
  try {
    const { AvroRowMapper } = await import('../mapping.js');
    const mapping = stream.source?.mapping;
    const m = AvroRowMapper.fromText(await readFile(schema.path, 'utf8'), typeof mapping === 'object' && mapping !== null ? (mapping as Record<string, string>) : {});
    return m.columns();
  } catch {
    // an unreadable schema is the linter's finding; capture then treats every column as read
    return undefined;
  }
}
