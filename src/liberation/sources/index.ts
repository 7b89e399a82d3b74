// Sources for the patterns whose modules carry their own options: log-based CDC (PostgreSQL
// logical replication, the MySQL/MariaDB binary log) and trigger-fed change tables. The query and outbox sources are built in
// publish.ts. Catalog keys are snake_case like the rest of schemactl.yaml.
import { ConfigError } from '../../errors.js';
import type { CatalogStream } from '../../config/types.js';
import type { OtherSourceSpec, SourceSpec } from '../source-config.js';
import type { FieldProbe } from '../drift/relation.js';
import type { CheckpointStore, Source } from '../types.js';

export interface SourceContext {
  /** the catalog entry and the file it is in (problems are reported at its position) */
  stream: CatalogStream;
  configFile: string;
  /** the columns the stream's schema reads (after mapping): drift checks compare against them */
  columns: string[];
  /** the stream's mapper: whether a table change can be taken (defaults, new types) */
  fields?: FieldProbe;
  checkpoints: CheckpointStore;
  onLog?(event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
}

const LOG_KEYS = ['pattern', 'connection', 'batch_size', 'poll_interval_ms', 'delay_ms', 'dead_letter', 'mapping', 'table', 'tables', 'slot', 'publication', 'snapshot', 'snapshot_chunk_size', 'proto_version', 'delete_events', 'truncate', 'on_slot_ahead'];
const BINLOG_KEYS = ['pattern', 'connection', 'batch_size', 'poll_interval_ms', 'delay_ms', 'dead_letter', 'mapping', 'table', 'tables', 'server_id', 'snapshot', 'snapshot_chunk_size', 'delete_events', 'truncate'];
const TRIGGER_KEYS = ['pattern', 'connection', 'batch_size', 'poll_interval_ms', 'delay_ms', 'dead_letter', 'mapping', 'table', 'change_table', 'key'];

function sanitize(topic: string): string {
  return `schemactl_${topic.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}

export async function createSource(topic: string, spec: SourceSpec, ctx: SourceContext): Promise<Source> {
  const s = spec as OtherSourceSpec;
  const raw = s.raw;
  const fail = (msg: string): never => {
    throw new ConfigError(`stream ${topic}: source: ${msg}`);
  };
  const binlog = s.pattern === 'log' && /^(mysql|mariadb):\/\//i.test(s.connection);
  const known = binlog ? BINLOG_KEYS : s.pattern === 'log' ? LOG_KEYS : TRIGGER_KEYS;
  for (const k of Object.keys(raw)) if (!known.includes(k)) fail(`unknown key \`${k}\` for pattern ${s.pattern} (known: ${known.join(', ')})`);
  const str = (k: string): string | undefined => {
    const v = raw[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v === '') fail(`\`${k}\` must be a non-empty string`);
    return v as string;
  };
  if (binlog) {
    const tablesRaw = raw.tables ?? (raw.table !== undefined ? [raw.table] : undefined);
    if (!Array.isArray(tablesRaw) || tablesRaw.length === 0 || !tablesRaw.every((t) => typeof t === 'string' && t !== '')) fail('`table` (or `tables`) is required for pattern: log');
    const truncate = str('truncate') ?? 'fail';
    if (!['fail', 'skip'].includes(truncate)) fail('`truncate` must be fail or skip on MySQL/MariaDB');
    const chunk = raw.snapshot_chunk_size ?? 4096;
    if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < 1) fail('`snapshot_chunk_size` must be an integer ≥ 1');
    const serverId = raw.server_id;
    if (serverId !== undefined && (typeof serverId !== 'number' || !Number.isInteger(serverId) || serverId < 1 || serverId > 4294967295)) fail('`server_id` must be an integer from 1 to 4294967295, unique among the server\'s replicas');
    const { BinlogSource, defaultServerId } = await import('./binlog.js');
    return new BinlogSource({
      connection: s.connection,
      tables: tablesRaw as string[],
      serverId: (serverId as number | undefined) ?? defaultServerId(topic),
      name: topic,
      snapshot: raw.snapshot === undefined ? true : Boolean(raw.snapshot),
      snapshotChunkSize: chunk as number,
      columns: ctx.columns,
      ...(ctx.fields ? { fields: ctx.fields } : {}),
      deleteEvents: Boolean(raw.delete_events),
      truncate: truncate as 'fail' | 'skip',
      checkpoints: ctx.checkpoints,
      stream: topic,
      ...(ctx.onLog ? { onLog: ctx.onLog } : {}),
    });
  }
  if (s.pattern === 'log') {
    if (!/^postgres(ql)?:\/\//i.test(s.connection)) fail('pattern: log needs a postgres://, mysql:// or mariadb:// connection');
    const tablesRaw = raw.tables ?? (raw.table !== undefined ? [raw.table] : undefined);
    if (!Array.isArray(tablesRaw) || tablesRaw.length === 0 || !tablesRaw.every((t) => typeof t === 'string' && t !== '')) fail('`table` (or `tables`) is required for pattern: log');
    const tables = (tablesRaw as string[]).map((t) => (t.includes('.') ? t : `public.${t}`));
    const truncate = str('truncate') ?? 'fail';
    if (!['fail', 'skip', 'emit'].includes(truncate)) fail('`truncate` must be fail, skip or emit');
    const onSlotAhead = str('on_slot_ahead') ?? 'fail';
    if (!['fail', 'accept-slot'].includes(onSlotAhead)) fail('`on_slot_ahead` must be fail or accept-slot');
    const proto = raw.proto_version ?? 2;
    if (proto !== 1 && proto !== 2) fail('`proto_version` must be 1 or 2');
    const chunk = raw.snapshot_chunk_size ?? 4096;
    if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < 1) fail('`snapshot_chunk_size` must be an integer ≥ 1');
    const { PgLogicalSource } = await import('./pg-logical.js');
    return new PgLogicalSource({
      connection: s.connection,
      tables,
      slot: str('slot') ?? sanitize(topic),
      publication: str('publication') ?? sanitize(topic),
      name: topic,
      snapshot: raw.snapshot === undefined ? true : Boolean(raw.snapshot),
      snapshotChunkSize: chunk as number,
      protoVersion: proto as 1 | 2,
      columns: ctx.columns,
      ...(ctx.fields ? { fields: ctx.fields } : {}),
      deleteEvents: Boolean(raw.delete_events),
      truncate: truncate as 'fail' | 'skip' | 'emit',
      onSlotAhead: onSlotAhead as 'fail' | 'accept-slot',
      checkpoints: ctx.checkpoints,
      stream: topic,
      ...(ctx.onLog ? { onLog: ctx.onLog } : {}),
    });
  }
  if (s.pattern === 'triggers') {
    // the same reading of the source block as `schemactl capture install`, so both agree on the change table
    const { captureSpecOf } = await import('../capture/config.js');
    const { spec: capture, problems } = captureSpecOf(ctx.stream, ctx.configFile);
    if (!capture) throw new ConfigError(problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
    const { ChangeTableSource } = await import('./change-table.js');
    return new ChangeTableSource({ ...capture, requiredColumns: ctx.columns, ...(ctx.fields ? { fields: ctx.fields } : {}), ...(ctx.onLog ? { onLog: ctx.onLog } : {}) });
  }
  return fail(`unknown pattern ${String(s.pattern)}`);
}
