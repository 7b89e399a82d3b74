// SQL building blocks shared by the query-based and table-based sources: identifier quoting, the
// derived-table wrapping of custom queries, and the connection-string handling (secrets redacted).
import { redact } from '../../errors.js';

export type Dialect = 'postgres' | 'mysql';

export function dialectOf(connection: string): Dialect {
  if (/^postgres(ql)?:\/\//i.test(connection) || /^pglite:/i.test(connection)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(connection)) return 'mysql';
  throw new Error(`unsupported connection string ${redact(connection)}: use postgres://…, mysql://… or pglite:memory`);
}

/** Quote a possibly schema-qualified identifier (`public.orders` → "public"."orders"). */
export function quoteIdent(name: string, dialect: Dialect): string {
  const q = dialect === 'postgres' ? '"' : '`';
  return name
    .split('.')
    .map((part) => q + part.replaceAll(q, q + q) + q)
    .join('.');
}

/**
 * The relation to read from. A custom query is wrapped as a derived table so the keyset predicate is
 * applied outside it: appending a WHERE to user SQL breaks on its own WHERE/ORDER BY/UNION/LIMIT.
 */
export function relation(src: { table?: string; query?: string }, dialect: Dialect): string {
  // on its own lines: a trailing `-- comment` in the user's SQL must not swallow the closing parenthesis
  if (src.query) return `(\n${src.query.trim().replace(/;\s*$/, '')}\n)`;
  if (src.table) return quoteIdent(src.table, dialect);
  throw new Error('a query source needs `table` or `query`');
}

/** The position as printed in logs and dead-letter entries. */
export function describePosition(name: string, ts: unknown, id: unknown): string {
  return `${name} (ts=${ts === null || ts === undefined ? 'NULL' : String(ts)}, id=${id === null || id === undefined ? 'NULL' : String(id)})`;
}
