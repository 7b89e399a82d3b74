// `schemactl publish`: the gate, then one engine loop per stream.
//
// Nothing reaches a topic unless its stream's schema linted without errors, passed the compatibility
// check against the registry (remote or embedded) and is registered. Every row is mapped and validated
// against that schema; a row that does not fit goes to the dead-letter target with the reason.
import { hostname } from 'node:os';
import zlib from 'node:zlib';
import path from 'node:path';
import type { Diagnostic } from '../diagnostics/types.js';
import { ConfigError, EXIT, redact, SchemactlError, UsageError } from '../errors.js';
import type { CatalogStream, ResolvedConfig } from '../config/types.js';
import type { Registry } from '../registry/types.js';
import { runStream, type StreamStats } from './engine.js';
import { MappingError, parseJsonExact } from './mapping.js';
import type { RowMapper } from './gate.js';
import { parseSource, type OutboxSourceSpec, type SourceSpec } from './source-config.js';
import { FileCheckpointStore } from './checkpoint/file.js';
import { FileDeadLetter, TopicDeadLetter, type DeadLetterTarget } from './dead-letter.js';
import { FileSink } from './sinks/file.js';
import type { CheckpointStore, OutRecord, Sink, Source, SourceLag, SourceOffset, SourceRow } from './types.js';
import { PublishMetrics } from './metrics/registry.js';
import { encodeFrame } from '../registry/wire.js';

export interface PublishOptions {
  cwd?: string;
  configPath?: string;
  /** topics to publish (default: every stream with a `source`) */
  topics?: string[];
  once?: boolean;
  dryRun?: boolean;
  /** publish the streams that passed the gate even when others were refused */
  keepGoing?: boolean;
  /** Kafka bootstrap brokers; when absent (here and in the catalog's `kafka.brokers`) the file sink is used */
  brokers?: string[];
  /** file sink path (default `.schemactl/published.ndjson` beside the catalog) */
  outFile?: string;
  /** registry URL (default: the catalog's `registry.url`, else the embedded store) */
  registryUrl?: string;
  /** where checkpoints live (default `.schemactl/state` beside the catalog) */
  stateDir?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /**
   * group mode (`--group`, else the catalog's `kafka.group`): share the streams with every publisher of
   * the same group through Kafka's group coordinator; each stream runs on one instance at a time
   */
  group?: string;
  /** this instance's name in the group (default host-pid): logs, the `schemactl.instance` header */
  instanceId?: string;
  /** group mode: the broker moves a silent instance's streams after this long (default 10 s) */
  groupSessionTimeoutMs?: number;
  /** serve /metrics, /healthz and /readyz on this port (0: any free port, reported in a log event) */
  metricsPort?: number;
  onEvent?(event: PublishEvent): void;
}

export type PublishEvent =
  | { type: 'gate'; topic: string; ok: boolean; schemaId?: number; version?: number; findings: Diagnostic[] }
  | { type: 'progress'; topic: string; stats: StreamStats }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown };

export interface StreamOutcome {
  topic: string;
  /** standby: group mode, another instance of the group ran the stream the whole time */
  status: 'published' | 'refused' | 'skipped' | 'failed' | 'standby';
  findings: Diagnostic[];
  schemaId?: number;
  stats?: StreamStats;
  error?: string;
}

export interface PublishOutcome {
  streams: StreamOutcome[];
  sink: string;
  /** the delivery guarantee in force: 'exactly-once (Kafka transactions)' or 'at-least-once' (absent when nothing ran) */
  delivery?: string;
  /** 0 all published, 1 a stream was refused by the gate or had dead letters, 3 a dependency failed */
  exitCode: number;
}

interface GatedStream {
  stream: CatalogStream;
  /** absent for a stream gated only as an outbox route target */
  source?: SourceSpec;
  mapper: RowMapper;
  schemaId: number;
  keyField?: string;
}

async function gateStream(
  stream: CatalogStream,
  config: ResolvedConfig,
  registry: Registry,
  opts: PublishOptions,
  register: boolean,
): Promise<{ ok: true; gated: GatedStream } | { ok: false; findings: Diagnostic[]; reason: string }> {
  const findings: Diagnostic[] = [];
  const refuse = (reason: string, file?: string) => {
    findings.push({ ruleId: 'publish-gate', severity: 'error', message: reason, location: { file: file ?? config.file ?? 'schemactl.yaml', range: stream.loc } });
    return { ok: false as const, findings, reason };
  };
  const source = stream.source ? parseSource(stream.topic, stream.source, (p) => path.resolve(config.dir, p)) : undefined;
  if (stream.schemas.length !== 1) return refuse(`stream ${stream.topic} names ${stream.schemas.length} schemas; publishing needs exactly one schema per stream`);
  const schema = stream.schemas[0]!;
  // a tombstone is only useful with a key: compaction deletes by key, and brokers reject a keyless
  // record on a compacted topic
  const pattern = source?.pattern;
  if (source && !stream.key && ((pattern === 'query' && (source as { softDelete?: string }).softDelete) || pattern === 'log')) {
    return refuse(`stream ${stream.topic} turns deletes into tombstones, which need a key: add \`key: <field>\` to the stream`);
  }

  // 1. lint: no errors in the stream's schema (warnings are allowed, as in `schemactl lint`)
  const { lint } = await import('../api/lint.js');
  const lintOutcome = await lint({ cwd: opts.cwd ?? process.cwd(), ...(config.file ? { configPath: config.file } : {}), paths: [schema.path], ...(opts.env ? { env: opts.env } : {}) });
  const lintErrors = lintOutcome.results.flatMap((r) => r.diagnostics.filter((d) => d.severity === 'error'));
  if (lintErrors.length) {
    findings.push(...lintErrors);
    return { ok: false, findings, reason: `${lintErrors.length} lint error(s) in ${schema.ref}` };
  }

  // 2–3. compatible with what the registry holds, registered (or looked up on a dry run), mappable
  const { gateSchema } = await import('./gate.js');
  const r = await gateSchema({
    topic: stream.topic, file: schema.path, label: path.relative(opts.cwd ?? process.cwd(), schema.path) || schema.path,
    ...(schema.selector ? { selector: schema.selector } : {}), includePaths: config.includePaths, registry,
    ...(stream.compatibility ? { level: stream.compatibility } : {}), dryRun: !register, mapping: source?.mapping ?? {},
    ...(stream.schemaType ? { schemaType: stream.schemaType } : {}),
  });
  if (!r.ok) {
    findings.push(...r.findings);
    return { ok: false, findings, reason: r.reason };
  }
  return { ok: true, gated: { stream, ...(source ? { source } : {}), mapper: r.mapper, schemaId: r.schemaId, ...(stream.key ? { keyField: stream.key } : {}) } };
}

function keyBytes(value: unknown): Buffer | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'object') {
    // a wrapped union branch { type: value }
    const inner = Object.values(value as Record<string, unknown>)[0];
    return keyBytes(inner);
  }
  return Buffer.from(String(value), 'utf8');
}

/** The column the stream's key field is read from (a source mapping may rename it), if it has a key. */
function keyColumnOf(g: GatedStream): string | undefined {
  if (!g.keyField) return undefined;
  return Object.entries(g.source?.mapping ?? {}).find(([, f]) => f === g.keyField)?.[0] ?? g.keyField;
}

/**
 * Row → record for one stream. `keepDecoded`: the record also carries the mapped value, which only the
 * file sink writes; a Kafka sink's records leave it out, so a batch waiting for its acknowledgement
 * does not hold every event twice.
 */
function serializerFor(g: GatedStream, byTopic: Map<string, GatedStream>, keepDecoded: boolean): (row: SourceRow) => OutRecord {
  // Avro writes straight into a shared slab (no per-event buffers to join); Protobuf and JSON frame their own encoding
  const frame = (mapper: RowMapper, id: number, value: Record<string, unknown>) =>
    'frame' in mapper ? mapper.frame(id, value) : encodeFrame(id, mapper.encode(value), 'messageIndexes' in mapper ? mapper.messageIndexes : undefined);
  // the stream's key column (a mapping may rename it)
  const keyCol = keyColumnOf(g);
  // Avro rows of the usual column types are written straight from their text (avro-direct.ts); the
  // file sink shows the decoded value, so it takes the general path
  const mapper = g.mapper;
  const direct = !keepDecoded && 'direct' in mapper ? mapper.direct(g.keyField) : undefined;
  return (row) => {
    if (row.payload !== undefined || row.topic !== undefined) {
      // outbox: the payload is validated against the routed topic's schema
      const topic = row.topic ?? g.stream.topic;
      const target = byTopic.get(topic);
      const key = row.key === null || row.key === undefined ? null : Buffer.from(row.key, 'utf8');
      if (!target) throw new MappingError('(topic)', `the outbox routes this event to ${topic}, which is not a catalog stream that passed the gate`);
      if (row.tombstone || row.payload === null) {
        if (key === null) throw new MappingError('(key)', 'a tombstone (NULL payload) needs the aggregate id as its key, and this row has none');
        return { topic, key, value: null, ...(row.headers ? { headers: row.headers } : {}), position: row.position };
      }
      const obj = parseJsonExact(Buffer.isBuffer(row.payload) ? row.payload.toString('utf8') : String(row.payload), 'payload');
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new MappingError('payload', 'the payload is not a JSON object');
      const value = target.mapper.map(obj as Record<string, unknown>);
      return { topic, key, value: frame(target.mapper, target.schemaId, value), ...(keepDecoded ? { decoded: value } : {}), ...(row.headers ? { headers: row.headers } : {}), position: row.position };
    }
    const topic = g.stream.topic;
    if (direct && !row.tombstone && 'frameDirect' in mapper) {
      const value = mapper.frameDirect(direct, g.schemaId, row.columns);
      if (value) {
        const k = direct.key(row.columns);
        // the key text as the general path gives it (undefined: only it can say)
        const key = k === undefined ? (g.keyField && keyCol ? keyBytes(mapper.mapField(g.keyField, row.columns[keyCol])) : null) : k === null ? null : Buffer.from(k, 'utf8');
        // no position: nothing on this path writes it, and the record must not keep the row alive
        const rec: OutRecord = { topic, key, value, headers: row.headers };
        return rec;
      }
    }
    if (row.tombstone) {
      // the same bytes as the events' key (a uuid lower-cased, a decimal as the schema encodes it…),
      // or compaction never pairs the tombstone with the record it deletes
      let key: Buffer | null = null;
      if (keyCol && g.keyField) key = keyBytes('mapField' in g.mapper ? g.mapper.mapField(g.keyField, row.columns[keyCol]) : row.columns[keyCol]);
      else if (row.key !== undefined && row.key !== null) key = Buffer.from(row.key, 'utf8');
      if (key === null) throw new MappingError(g.keyField ?? '(key)', 'a tombstone needs a key: set `key:` on the stream (and keep the key column in the deleted row)');
      return { topic, key, value: null, ...(row.headers ? { headers: row.headers } : {}), position: row.position };
    }
    const value = g.mapper.map(row.columns);
    // one object literal of one shape per event (no spreads: this runs for every row)
    const rec: OutRecord = {
      topic,
      // the key as the tombstone computes it: the field by the schema's name, an enum by its own symbol
      key: g.keyField ? keyBytes('fieldOf' in g.mapper ? g.mapper.fieldOf(value, g.keyField) : value[g.keyField]) : null,
      value: frame(g.mapper, g.schemaId, value),
      headers: row.headers,
      position: row.position,
    };
    if (keepDecoded) rec.decoded = value;
    return rec;
  };
}

/** The row's key as text for its dead letter: the outbox's aggregate id, or the stream's key column. */
function keyTextOf(g: GatedStream): (row: SourceRow) => string | null {
  const keyCol = keyColumnOf(g);
  return (row) => {
    if (row.key !== undefined) return row.key;
    const v = keyCol ? row.columns[keyCol] : undefined;
    if (v === null || v === undefined) return null;
    // the event's key text where the schema maps the key to text or a number (a uuid lower-cased);
    // a binary key (an Avro decimal) and a key that does not map keep the column's text
    if ('mapField' in g.mapper && g.keyField) {
      try {
        const m = keyRaw(g.mapper.mapField(g.keyField, v));
        if (m !== null && m !== undefined && !Buffer.isBuffer(m)) return String(m);
      } catch {
        // the key itself does not map: the column's text
      }
    }
    return Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'object' ? JSON.stringify(v) : String(v);
  };
}

function keyRaw(value: unknown): unknown {
  return value !== null && typeof value === 'object' && !Buffer.isBuffer(value) ? keyRaw(Object.values(value as Record<string, unknown>)[0]) : value;
}

/**
 * The key bytes the row's event (or tombstone) would carry, computed the same way, for its dead-letter
 * record; undefined when the key itself cannot be mapped (the record then falls back to the key text).
 */
function keyBytesOf(g: GatedStream): (row: SourceRow) => Buffer | null | undefined {
  const keyCol = keyColumnOf(g);
  return (row) => {
    if (row.payload !== undefined || row.topic !== undefined) return row.key === null || row.key === undefined ? null : Buffer.from(row.key, 'utf8');
    if (keyCol && g.keyField) {
      try {
        return keyBytes('mapField' in g.mapper ? g.mapper.mapField(g.keyField, row.columns[keyCol]) : row.columns[keyCol]);
      } catch {
        return undefined;
      }
    }
    return row.key === null || row.key === undefined ? null : Buffer.from(row.key, 'utf8');
  };
}

async function makeSource(g: GatedStream, s: SourceSpec, ctx: { configFile: string; checkpoints: CheckpointStore; onLog?: (e: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void }): Promise<Source> {
  if (s.pattern === 'query') {
    const { QuerySource } = await import('./sources/query.js');
    return new QuerySource({
      connection: s.connection, timestamp: s.timestamp, id: s.id, delayMs: s.delayMs, lookbackMs: s.lookbackMs, name: g.stream.topic,
      ...(s.table ? { table: s.table } : {}), ...(s.query ? { query: s.query } : {}), ...(s.softDelete ? { softDelete: s.softDelete } : {}), ...(s.seed ? { seed: s.seed } : {}),
    });
  }
  if (s.pattern === 'outbox') {
    const o = s as OutboxSourceSpec;
    const { OutboxSource } = await import('./sources/outbox.js');
    return new OutboxSource({ connection: o.connection, table: o.table, columns: o.columns, route: o.route, routeBy: o.routeBy, onAck: o.onAck, delayMs: o.delayMs, name: g.stream.topic, ...(o.seed ? { seed: o.seed } : {}) });
  }
  const factories = await import('./sources/index.js');
  return factories.createSource(g.stream.topic, s, { columns: g.mapper.columns(), fields: g.mapper, stream: g.stream, configFile: ctx.configFile, checkpoints: ctx.checkpoints, ...(ctx.onLog ? { onLog: ctx.onLog } : {}) });
}

/**
 * kafka.compression names a codec this Node.js can write (the catalog's schema checked the name): zlib
 * writes zstd from Node.js 22.15 on, and on an older one every batch would fail at its first send.
 */
function checkCompression(compression: unknown, file: string): void {
  if (compression === 'zstd' && typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync !== 'function') {
    throw new ConfigError(`${file}: kafka.compression: zstd needs Node.js 22.15 or later (this is ${process.version}); choose lz4, gzip or snappy`);
  }
}

/** Run the gate for the selected streams, then publish those that passed. */
export async function publish(opts: PublishOptions = {}): Promise<PublishOutcome> {
  const cwd = opts.cwd ?? process.cwd();
  const { loadConfig } = await import('../config/load.js');
  const { loadRules } = await import('../config/rules.js');
  const config = await loadConfig({ cwd, rules: await loadRules(), ...(opts.configPath ? { configPath: opts.configPath } : {}), ...(opts.env ? { env: opts.env } : {}) });
  if (!config.file) throw new ConfigError('no schemactl.yaml found (searched upwards from the working directory); `schemactl init` writes one');
  const emit = opts.onEvent ?? (() => {});
  const selected = config.streams.filter((s) => (opts.topics?.length ? opts.topics.includes(s.topic) : s.source !== undefined));
  if (opts.topics?.length) {
    const known = new Set(config.streams.map((s) => s.topic));
    const missing = opts.topics.filter((t) => !known.has(t));
    if (missing.length) throw new UsageError(`no stream named ${missing.join(', ')} in ${config.file}`);
  }
  if (selected.length === 0) throw new UsageError(`no stream in ${config.file} has a \`source\`: nothing to publish`);
  const group = opts.group ?? config.kafka?.group;
  if (group !== undefined) {
    // every instance of the group must be able to resume every stream, and a stream's records and
    // checkpoint must be fenced together: Kafka checkpoints and transactions are not optional here
    const where = opts.group !== undefined ? '--group' : `${config.file}: kafka.group`;
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(group)) throw new UsageError(`${where}: the group name may use letters, digits, '.', '_' and '-' (it names a Kafka group, topic and transactional ids)`);
    if (!(opts.brokers ?? config.kafka?.brokers)?.length) throw new ConfigError(`${where} needs Kafka brokers (kafka.brokers or --brokers): the group is coordinated by Kafka`);
    if (!config.kafka?.checkpoint_topic) throw new ConfigError(`${where} needs kafka.checkpoint_topic: any instance of the group must be able to resume any stream from its checkpoint`);
    if (config.kafka?.exactly_once === false) throw new ConfigError(`${where} publishes with Kafka transactions (a new owner fences the old one); remove kafka.exactly_once: false`);
    if (opts.stateDir) throw new UsageError(`${where} keeps checkpoints in ${config.kafka.checkpoint_topic}; --state-dir cannot be used with it`);
    if (opts.once) throw new UsageError(`${where} runs until stopped (streams move between instances); --once cannot be used with it`);
    if (opts.dryRun) throw new UsageError(`${where} cannot be combined with --dry-run: run the dry run without the group`);
  }

  // only where records are compressed: a dry run and the file sink compress nothing
  if (!opts.dryRun && (opts.brokers ?? config.kafka?.brokers)?.length) checkCompression(config.kafka?.compression, config.file);

  const local = path.join(config.dir, '.schemactl');
  const registryCfg = (config.registry ?? {}) as { url?: string };
  const registryUrl = opts.registryUrl ?? registryCfg.url;
  const { openRegistry } = await import('../registry/index.js');
  const registry = registryUrl ? await openRegistry({ url: registryUrl }) : await openRegistry({ dataDir: path.join(local, 'registry') });

  // The default Kafka sink (at-least-once, no group) starts its thread and reaches the brokers while
  // the gate runs, on the other core: about a quarter of a second of every start. It is used only once
  // the gate passed (its open() names no topic, so a refused stream creates nothing), and its outcome
  // is awaited only then, so a gate refusal is still reported first.
  const brokersEarly = opts.brokers ?? config.kafka?.brokers;
  const plainKafka = !opts.dryRun && group === undefined && config.kafka?.exactly_once !== true && !!brokersEarly?.length;
  let early: { sink: Sink; opened: Promise<void>; used: boolean } | undefined;
  if (plainKafka) {
    const sink = await plainKafkaSink(brokersEarly!, config.kafka ?? {});
    const opened = sink.open();
    opened.catch(() => {});
    early = { sink, opened, used: false };
  }

  const outcomes: StreamOutcome[] = [];
  const gated: GatedStream[] = [];
  /** sources opened before registration, not yet handed to their engine loop */
  const opened = new Map<string, Source>();
  try {
    // the gate runs for every selected stream before any row is read; outbox streams also gate the
    // catalog streams their route can reach
    const toGate = new Map<string, CatalogStream>();
    for (const s of selected) toGate.set(s.topic, s);
    for (const s of selected) {
      if (s.source && (s.source as { pattern?: string }).pattern === 'outbox') {
        const route = String((s.source as { route?: string }).route ?? 'outbox.event.${routedByValue}');
        const re = new RegExp('^' + route.split('${routedByValue}').map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+') + '$');
        for (const t of config.streams) if (re.test(t.topic) && t.schemas.length === 1) toGate.set(t.topic, t);
      }
    }
    // Phase 1 checks every stream (lint, compatibility, mappable) without registering anything, so a
    // refused stream leaves the registry as it was; phase 2 registers the ones that go ahead.
    const passed: CatalogStream[] = [];
    const checked = new Map<string, GatedStream>();
    for (const s of toGate.values()) {
      const isRouteTarget = !selected.includes(s);
      const r = await gateStream(isRouteTarget ? { ...s, source: undefined } : s, config, registry, opts, false);
      if (r.ok) {
        passed.push(s);
        checked.set(s.topic, r.gated);
      }
      else {
        emit({ type: 'gate', topic: s.topic, ok: false, findings: r.findings });
        if (!isRouteTarget) outcomes.push({ topic: s.topic, status: 'refused', findings: r.findings, error: r.reason });
      }
    }
    if (outcomes.some((o) => o.status === 'refused') && !opts.keepGoing) {
      for (const s of passed) if (selected.includes(s)) outcomes.push({ topic: s.topic, status: 'skipped', findings: [], error: 'not published: another stream was refused (use --keep-going)' });
      return { streams: order(outcomes, selected), sink: 'none', exitCode: 1 };
    }

    const kafkaCfg = config.kafka ?? {};
    const brokers = opts.brokers ?? kafkaCfg.brokers;
    const exactlyOnce = kafkaCfg.exactly_once === true || group !== undefined;
    if (exactlyOnce) {
      // the checkpoint has to live in the same transaction as the records, so in a topic on the same brokers
      const where = `${config.file}: kafka.exactly_once`;
      if (!kafkaCfg.checkpoint_topic) throw new ConfigError(`${where} needs kafka.checkpoint_topic: the checkpoint is written in the same Kafka transaction as the records`);
      if (!brokers || !brokers.length) throw new ConfigError(`${where} needs Kafka brokers (kafka.brokers or --brokers); the file sink has no transactions`);
      if (opts.stateDir) throw new UsageError(`${where} keeps checkpoints in ${kafkaCfg.checkpoint_topic}; a state directory cannot be used with it`);
    }
    let checkpoints: CheckpointStore;
    if (brokers && brokers.length && kafkaCfg.checkpoint_topic && !opts.stateDir) {
      const { KafkaCheckpointStore } = await import('./checkpoint/kafka.js');
      checkpoints = new KafkaCheckpointStore({ brokers, topic: kafkaCfg.checkpoint_topic, ...(exactlyOnce ? { transactional: true } : {}) });
    } else {
      checkpoints = new FileCheckpointStore(opts.stateDir ?? path.join(local, 'state'));
    }

    // Sources open before anything is registered: a database that refuses the role (a permission
    // check, a missing table, wal_level) fails the stream without leaving a new schema version behind.
    // Group mode runs the same checks on every stream of the catalog and closes the source again: the
    // stream is read by whichever instance owns it, when it owns it (a slot allows one reader, and
    // open() neither reads nor claims one). A check the user must fix stops this instance before it
    // registers anything or joins, with the message and exit code a single publisher gives: every
    // instance runs the same catalog, and the group must not hand a stream to an instance that cannot
    // run it (nor can the instance leave it out: stream i is partition i of the control topic for all).
    // A database not reachable yet is no such verdict: the owner's loop retries it.
    let failed = 0;
    for (const s of passed) {
      const g = checked.get(s.topic);
      if (!selected.includes(s) || !g?.source) continue;
      const source = await makeSource(g, g.source, { configFile: config.file, checkpoints, onLog: (e) => emit({ type: 'log', ...e, topic: s.topic }) });
      try {
        await source.open();
        if (group !== undefined) await source.close();
        else opened.set(s.topic, source);
      } catch (e) {
        await source.close().catch(() => {});
        if (group !== undefined && exitCodeOf(e) === EXIT.UNREACHABLE) {
          emit({ type: 'log', level: 'warn', msg: 'source not reachable yet; its owner retries it', topic: s.topic, error: redact((e as Error).message) });
          continue;
        }
        failed = Math.max(failed, exitCodeOf(e));
        outcomes.push({ topic: s.topic, status: 'failed', findings: [], error: redact((e as Error).message) });
        if (!(e instanceof SchemactlError)) emit({ type: 'log', level: 'error', msg: 'stream failed', topic: s.topic, error: redact((e as Error).message) });
      }
    }
    if (group !== undefined && failed) {
      await checkpoints.close();
      for (const s of passed) {
        if (selected.includes(s) && !outcomes.some((o) => o.topic === s.topic)) {
          outcomes.push({ topic: s.topic, status: 'skipped', findings: [], error: `not published: another stream failed its source check, and an instance of group ${group} must be able to run every stream` });
        }
      }
      return { streams: order(outcomes, selected), sink: 'none', exitCode: failed };
    }
    const byTopic = new Map<string, GatedStream>();
    for (const s of passed) {
      if (group === undefined && selected.includes(s) && s.source && !opened.has(s.topic)) continue;
      const isRouteTarget = !selected.includes(s);
      const r = await gateStream(isRouteTarget ? { ...s, source: undefined } : s, config, registry, opts, !opts.dryRun);
      if (!r.ok) {
        // the registry changed between the two phases (another writer): refuse, as phase 1 would have
        emit({ type: 'gate', topic: s.topic, ok: false, findings: r.findings });
        if (!isRouteTarget) outcomes.push({ topic: s.topic, status: 'refused', findings: r.findings, error: r.reason });
        continue;
      }
      byTopic.set(s.topic, r.gated);
      if (!isRouteTarget) gated.push(r.gated);
      emit({ type: 'gate', topic: s.topic, ok: true, schemaId: r.gated.schemaId, findings: [] });
    }

    const metrics = new PublishMetrics(gated.map((g) => g.stream.topic), group);
    let metricsServer: { port: number; close(): Promise<void> } | undefined;
    let ready: () => { ok: boolean; why?: string } = () => ({ ok: false, why: 'starting' });
    if (opts.metricsPort !== undefined && !opts.dryRun) {
      const { serveMetrics } = await import('./metrics/server.js');
      metricsServer = await serveMetrics(metrics, { port: opts.metricsPort, ready: () => ready() });
      emit({ type: 'log', level: 'info', msg: 'metrics listening', port: metricsServer.port, paths: ['/metrics', '/healthz', '/readyz'] });
    }
    if (group !== undefined) {
      await checkpoints.close();
      try {
        const { publishAsGroup } = await import('./group/publish-group.js');
        return await publishAsGroup({
          group, brokers: brokers!, checkpointTopic: kafkaCfg.checkpoint_topic!, instanceId: opts.instanceId ?? `${hostname()}-${process.pid}`,
          ...(kafkaCfg.client_id ? { clientId: kafkaCfg.client_id } : {}), ...(kafkaCfg.compression ? { compression: kafkaCfg.compression } : {}),
          ...(opts.groupSessionTimeoutMs ? { sessionTimeoutMs: opts.groupSessionTimeoutMs } : {}),
          streams: gated.map((g) => ({
            topic: g.stream.topic, schemaId: g.schemaId, spec: g.source!,
            serialize: serializerFor(g, byTopic, false), keyOf: keyTextOf(g),
            makeSource: (checkpoints, onLog) => makeSource(g, g.source!, { configFile: config.file!, checkpoints, onLog }),
          })),
          registry, metrics, setReady: (f) => { ready = f; }, emit, outcomes, selected: selected.map((s) => s.topic),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
      } finally {
        await metricsServer?.close();
      }
    }

    let sink: Sink;
    if (brokers && brokers.length && exactlyOnce) {
      const { KafkaTxSink } = await import('./sinks/kafka-tx.js');
      sink = new KafkaTxSink({
        brokers, checkpointTopic: kafkaCfg.checkpoint_topic!,
        // stable for the stream set: a restarted publisher of the same streams fences the one it replaces
        transactionalId: `schemactl-${[...gated.map((g) => g.stream.topic)].sort().join(',')}`,
        ...(kafkaCfg.client_id ? { clientId: kafkaCfg.client_id } : {}), ...(kafkaCfg.compression ? { compression: kafkaCfg.compression } : {}),
      });
    } else if (early) {
      sink = early.sink;
      early.used = true;
    } else if (brokers && brokers.length) {
      sink = await plainKafkaSink(brokers, kafkaCfg);
    } else {
      sink = new FileSink(opts.outFile ?? path.join(local, 'published.ndjson'));
    }
    if (!opts.dryRun) await (sink === early?.sink ? early.opened : sink.open());
    // the streams' topics are looked up (created where the brokers do that) while their first rows are read
    if (!opts.dryRun) void sink.prepare?.(gated.map((g) => g.stream.topic)).catch(() => {});
    const delivery = exactlyOnce ? 'exactly-once (Kafka transactions)' : 'at-least-once';
    if (!opts.dryRun) emit({ type: 'log', level: 'info', msg: `delivery: ${delivery}`, delivery, sink: sink.describe() });
    /** running sources and their committed offsets, for the lag gauges */
    const live = new Map<string, { source: Source; committed: SourceOffset | null }>();
    metrics.attach({ lag: () => probeLag(live) });
    ready = () => (live.size === gated.length ? { ok: true } : { ok: false, why: `${gated.length - live.size} of ${gated.length} streams not running` });
    try {
      // streams run concurrently: one slow source does not hold back the others
      await Promise.all(
        gated.map(async (g) => {
          const spec = g.source!;
          const source = opened.get(g.stream.topic)!;
          opened.delete(g.stream.topic);
          const deadLetter: DeadLetterTarget = spec.deadLetter.startsWith('topic:') ? new TopicDeadLetter(spec.deadLetter.slice(6), sink, registry) : new FileDeadLetter(spec.deadLetter);
          live.set(g.stream.topic, { source, committed: null });
          metrics.owned(g.stream.topic, true);
          try {
            // the dead-letter value schema is registered with the stream's, before any row is read
            if (!opts.dryRun) await deadLetter.open?.();
            const stats = await runStream({
              stream: g.stream.topic, source, sink, checkpoints, deadLetter,
              serialize: serializerFor(g, byTopic, sink.usesDecoded === true), keyOf: keyTextOf(g), keyBytesOf: keyBytesOf(g),
              batchSize: spec.batchSize, pollIntervalMs: spec.pollIntervalMs, once: opts.once ?? false,
              ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.dryRun ? { dryRun: true } : {}),
              onProgress: (st) => {
                live.set(g.stream.topic, { source, committed: st.committed });
                emit({ type: 'progress', topic: g.stream.topic, stats: st });
              },
              onBatch: (b) => metrics.batch(g.stream.topic, b),
              onLog: (e) => emit({ type: 'log', ...e }),
            });
            outcomes.push({ topic: g.stream.topic, status: 'published', findings: [], schemaId: g.schemaId, stats });
          } catch (e) {
            // exit 3 only for a dependency that could not be reached; a statement the database rejects,
            // a stopped stream (drift, truncate) or a bad setting is the user's to fix: exit 2 or the error's own code
            failed = Math.max(failed, exitCodeOf(e));
            outcomes.push({ topic: g.stream.topic, status: 'failed', findings: [], schemaId: g.schemaId, error: redact((e as Error).message) });
            if (!(e instanceof SchemactlError)) emit({ type: 'log', level: 'error', msg: 'stream failed', topic: g.stream.topic, error: redact((e as Error).message) });
          } finally {
            live.delete(g.stream.topic);
            metrics.owned(g.stream.topic, false);
            await source.close().catch(() => {});
          }
        }),
      );
    } finally {
      if (!opts.dryRun) await sink.close().catch(() => {});
      await checkpoints.close();
      await metricsServer?.close();
    }
    const refused = outcomes.some((o) => o.status === 'refused');
    const dead = outcomes.some((o) => (o.stats?.deadLettered ?? 0) > 0);
    return { streams: order(outcomes, selected), sink: sink.describe(), delivery, exitCode: failed ? failed : refused || dead ? 1 : 0 };
  } finally {
    for (const source of opened.values()) await source.close().catch(() => {});
    if (early && !early.used) await early.sink.close().catch(() => {});
    await registry.close?.();
  }
}

/** The at-least-once Kafka sink: the client in a thread of its own (the build); from the TypeScript sources, on this one. */
async function plainKafkaSink(brokers: string[], kafkaCfg: NonNullable<ResolvedConfig['kafka']>): Promise<Sink> {
  const cfg = { brokers, ...(kafkaCfg.client_id ? { clientId: kafkaCfg.client_id } : {}), ...(kafkaCfg.compression ? { compression: kafkaCfg.compression } : {}) };
  const { ThreadedKafkaSink, threadAvailable } = await import('./sinks/kafka-thread.js');
  if (threadAvailable()) return new ThreadedKafkaSink(cfg);
  return new (await import('./sinks/kafka.js')).KafkaSink(cfg);
}

/** Ask every running source how far behind it is; a source that errs or takes over 2 s is left out of this scrape. */
export async function probeLag(live: Map<string, { source: Source; committed: SourceOffset | null }>): Promise<Array<{ stream: string; lag: SourceLag }>> {
  const out: Array<{ stream: string; lag: SourceLag }> = [];
  await Promise.all([...live].map(async ([stream, { source, committed }]) => {
    if (!source.lag) return;
    let timer: NodeJS.Timeout | undefined;
    const lag = await Promise.race([
      source.lag(committed).catch(() => null),
      new Promise<null>((r) => { timer = setTimeout(() => r(null), 2000); }),
    ]).finally(() => clearTimeout(timer));
    if (lag) out.push({ stream, lag });
  }));
  return out;
}

/** exit 3 only for a dependency that could not be reached; a statement the database rejects, a stopped stream (drift, truncate) or a bad setting is the user's to fix: exit 2 or the error's own code */
export function exitCodeOf(e: unknown): number {
  if (e instanceof SchemactlError) return e.exitCode;
  return (e as { retriable?: boolean }).retriable === false ? 2 : 3;
}

export function order(outcomes: StreamOutcome[], selected: CatalogStream[]): StreamOutcome[] {
  const idx = new Map(selected.map((s, i) => [s.topic, i]));
  return [...outcomes].sort((a, b) => (idx.get(a.topic) ?? 0) - (idx.get(b.topic) ?? 0));
}

