// A catalog stream's `source:` block, checked field by field. Errors name the stream and the key, and
// the config loader's JSON Schema (schemactl.schema.json) gives editors the same shape.
import { ConfigError, redact } from '../errors.js';
import { OUTBOX_DEFAULTS } from './sources/outbox.js';

export type SourcePattern = 'query' | 'outbox' | 'log' | 'triggers';

export interface CommonSource {
  pattern: SourcePattern;
  connection: string;
  batchSize: number;
  pollIntervalMs: number;
  delayMs: number;
  /** dead-letter target: a file path (relative to the catalog) or `topic:<name>` */
  deadLetter: string;
  /** column → field renames */
  mapping: Record<string, string>;
  /** SQL run once when the database is an in-process PGlite */
  seed?: string;
}

export interface QuerySourceSpec extends CommonSource {
  pattern: 'query';
  table?: string;
  query?: string;
  timestamp: string;
  id: string;
  softDelete?: string;
  /** re-read this far behind the checkpoint each poll for late-committing application timestamps (0 = off) */
  lookbackMs: number;
}

export interface OutboxSourceSpec extends CommonSource {
  pattern: 'outbox';
  table: string;
  columns: { id: string; aggregateType: string; aggregateId: string; type: string; payload: string; timestamp?: string };
  route: string;
  routeBy: string;
  onAck: 'delete' | { markColumn: string };
}

/** log-based and trigger-based sources keep their own keys; their modules validate them */
export interface OtherSourceSpec extends CommonSource {
  pattern: 'log' | 'triggers';
  raw: Record<string, unknown>;
}

export type SourceSpec = QuerySourceSpec | OutboxSourceSpec | OtherSourceSpec;

/**
 * The query pattern's default page size, from bench/publish's sweep (same table, broker and run):
 * 2,000 rows per batch published 1.3–1.5× as fast as 1,000; 5,000 and 10,000 no faster than 2,000 but
 * with a higher peak RSS. It is also the most re-sent after a crash.
 */
export const QUERY_BATCH_SIZE = 2000;

const COMMON_KEYS = ['pattern', 'connection', 'batch_size', 'poll_interval_ms', 'delay_ms', 'dead_letter', 'mapping', 'seed'];
const KEYS: Record<SourcePattern, string[]> = {
  query: [...COMMON_KEYS, 'table', 'query', 'timestamp', 'id', 'soft_delete', 'lookback_ms'],
  outbox: [...COMMON_KEYS, 'table', 'columns', 'route', 'route_by', 'on_ack'],
  log: [],
  triggers: [],
};

export function parseSource(topic: string, raw: Record<string, unknown>, resolvePath: (p: string) => string): SourceSpec {
  const where = `stream ${topic}: source`;
  const fail = (msg: string): never => {
    throw new ConfigError(`${where}: ${msg}`);
  };
  const str = (k: string, required = false): string | undefined => {
    const v = raw[k];
    if (v === undefined || v === null) return required ? fail(`\`${k}\` is required`) : undefined;
    if (typeof v !== 'string' || v === '') return fail(`\`${k}\` must be a non-empty string`);
    return v;
  };
  const int = (k: string, dflt: number, min: number): number => {
    const v = raw[k];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return fail(`\`${k}\` must be an integer ≥ ${min}`);
    return v;
  };
  const pattern = (str('pattern') ?? 'query') as SourcePattern;
  if (!(pattern in KEYS)) fail(`\`pattern\` must be one of query, outbox, log, triggers (got ${pattern})`);
  const connection = str('connection', true)!;
  if (!/^(postgres(ql)?|mysql|mariadb):\/\//i.test(connection) && !/^pglite:/i.test(connection)) {
    fail(`\`connection\` ${redact(connection)} is not a postgres://, mysql:// or pglite: URL (is an environment variable unset?)`);
  }
  if (KEYS[pattern].length) {
    for (const k of Object.keys(raw)) if (!KEYS[pattern].includes(k)) fail(`unknown key \`${k}\` for pattern ${pattern} (known: ${KEYS[pattern].join(', ')})`);
  }
  const mappingRaw = raw.mapping ?? {};
  if (typeof mappingRaw !== 'object' || mappingRaw === null || Array.isArray(mappingRaw) || Object.values(mappingRaw).some((v) => typeof v !== 'string')) {
    fail('`mapping` must map column names to field names');
  }
  const seed = str('seed');
  const common: CommonSource = {
    pattern,
    connection,
    batchSize: int('batch_size', pattern === 'query' ? QUERY_BATCH_SIZE : 1000, 1),
    pollIntervalMs: int('poll_interval_ms', 1000, 10),
    delayMs: int('delay_ms', 0, 0),
    deadLetter: str('dead_letter') ?? `.schemactl/dead-letter/${topic}.ndjson`,
    mapping: mappingRaw as Record<string, string>,
    ...(seed ? { seed: resolvePath(seed) } : {}),
  };
  if (!common.deadLetter.startsWith('topic:')) common.deadLetter = resolvePath(common.deadLetter);
  if (pattern === 'query') {
    const table = str('table');
    const query = str('query');
    if (!table && !query) fail('a query source needs `table` or `query`');
    if (table && query) fail('give either `table` or `query`, not both');
    const soft = str('soft_delete');
    return {
      ...common, pattern, timestamp: str('timestamp') ?? 'updated_at', id: str('id') ?? 'id', lookbackMs: int('lookback_ms', 0, 0),
      ...(table ? { table } : {}), ...(query ? { query } : {}), ...(soft ? { softDelete: soft } : {}),
    };
  }
  if (pattern === 'outbox') {
    const colsRaw = (raw.columns ?? {}) as Record<string, unknown>;
    const cols = {
      id: String(colsRaw.id ?? OUTBOX_DEFAULTS.columns.id),
      aggregateType: String(colsRaw.aggregatetype ?? colsRaw.aggregate_type ?? OUTBOX_DEFAULTS.columns.aggregateType),
      aggregateId: String(colsRaw.aggregateid ?? colsRaw.aggregate_id ?? OUTBOX_DEFAULTS.columns.aggregateId),
      type: String(colsRaw.type ?? OUTBOX_DEFAULTS.columns.type),
      payload: String(colsRaw.payload ?? OUTBOX_DEFAULTS.columns.payload),
      ...(colsRaw.timestamp === null ? {} : { timestamp: String(colsRaw.timestamp ?? OUTBOX_DEFAULTS.columns.timestamp) }),
    };
    const onAckRaw = raw.on_ack ?? 'delete';
    let onAck: OutboxSourceSpec['onAck'] = 'delete';
    if (onAckRaw !== 'delete') {
      if (typeof onAckRaw === 'object' && onAckRaw && typeof (onAckRaw as { mark?: unknown }).mark === 'string') onAck = { markColumn: (onAckRaw as { mark: string }).mark };
      else fail('`on_ack` must be `delete` or `{ mark: <column> }`');
    }
    return {
      ...common, pattern, table: str('table') ?? 'outbox', columns: cols, route: str('route') ?? OUTBOX_DEFAULTS.route,
      routeBy: str('route_by') ?? cols.aggregateType, onAck,
    };
  }
  return { ...common, pattern, raw } as OtherSourceSpec;
}
