// The embedded registry: the Confluent registry's data model (global ids, per-subject versions, soft and
// permanent deletes, config, mode, references) over a durable append-only log (./log.ts). The in-memory
// index is rebuilt from the log on open. One writer per data directory, enforced by a lock file; inside
// the process, mutations run one at a time (a promise chain) and are acknowledged only after the fsync
// that covers them, while the fsync itself is shared by every mutation queued behind it.
import { createHash } from 'node:crypto';
import { open, readFile, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { RecordLog } from './log.js';
import type { Recovery } from './log.js';
import { prepareSchema } from '../schema-text.js';
import type { PreparedSchema, ResolvedReference } from '../schema-text.js';
import { renderMessages } from '../compat-messages.js';
import { checkCompatibility, InvalidSchemaError, UnsupportedFormatError } from '../../compat/index.js';
import { UsageError } from '../../errors.js';
import { BoundedCache } from '../../util/bounded-cache.js';
import {
  errors,
  parseCompatibilityLevel,
  parseMode,
  parseSchemaType,
  RegistryError,
  SCHEMA_TYPES,
} from '../types.js';
import type {
  CompatibilityChecker,
  CompatibilityLevel,
  CompatibilityResult,
  ConfigResult,
  ConfigUpdate,
  Mode,
  RegisterResult,
  Registry,
  SchemaById,
  SchemaInput,
  SchemaReference,
  SchemaType,
  SubjectVersion,
  VersionRef,
} from '../types.js';

export const DEFAULT_DATA_DIR = '.schemactl/registry';
const LOG_FILE = 'registry.log';
const LOCK_FILE = 'LOCK';
// prepared schemas by request, bounded by the characters they hold (request text + stored text), so
// many distinct large lookups cannot pin memory: 600 lookups of 0.8 MB schemas held 3.4 GB before
const PREPARED_CACHE_CHARS = 16 * 1024 * 1024;
const PREPARED_CACHE_ENTRIES = 2_000;
/** schema records written with the canonical identity carry this; older ones are re-keyed on open */
const IDENTITY_VERSION = 2;

type Rec =
  | { op: 'schema'; id: number; schemaType: SchemaType; schema: string; references: SchemaReference[]; identity: string; iv?: number }
  | { op: 'version'; subject: string; version: number; id: number }
  | { op: 'delete'; subject: string; version: number; permanent: boolean }
  | { op: 'config'; subject: string | null; config: ConfigUpdate | null }
  | { op: 'mode'; subject: string | null; mode: Mode | null };

interface SchemaRow {
  id: number;
  schemaType: SchemaType;
  schema: string;
  references: SchemaReference[];
  identity: string;
}
interface VersionRow {
  version: number;
  id: number;
  deleted: boolean;
}

export interface EmbeddedOptions {
  dataDir?: string;
  /** the compatibility engine; defaults to src/compat */
  checkCompatibility?: CompatibilityChecker;
  /** accepted schema types; default AVRO and PROTOBUF with the built-in engine, all three with an injected one */
  schemaTypes?: SchemaType[];
}

/** The built-in engine checks Avro and Protobuf; JSON Schema subjects are refused rather than left unchecked. */
const ENGINE_TYPES: readonly SchemaType[] = ['AVRO', 'PROTOBUF'];

export class EmbeddedRegistry implements Registry {
  private readonly schemas = new Map<number, SchemaRow>();
  private readonly idByIdentity = new Map<string, number>();
  /** versions (soft-deleted included) per id; a schema is reachable by id while this is > 0 */
  private readonly uses = new Map<number, number>();
  private readonly subjects = new Map<string, VersionRow[]>();
  private globalConfig: ConfigUpdate = {};
  private readonly subjectConfig = new Map<string, ConfigUpdate>();
  private globalMode: Mode | undefined;
  private readonly subjectMode = new Map<string, Mode>();
  private nextId = 1;
  private readonly prepared = new BoundedCache<string, PreparedSchema>(PREPARED_CACHE_CHARS, PREPARED_CACHE_ENTRIES);
  private chain: Promise<unknown> = Promise.resolve();
  private lastDurable: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly log: RecordLog,
    private readonly lockPath: string,
    private readonly checker: CompatibilityChecker,
    /** schema types accepted for registration (the engine's JSON Schema support decides JSON) */
    readonly schemaTypes: readonly SchemaType[],
    readonly dataDir: string,
    readonly recovery: Recovery,
  ) {}

  static async open(opts: EmbeddedOptions = {}): Promise<EmbeddedRegistry> {
    const dataDir = resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
    const lockPath = join(dataDir, LOCK_FILE);
    await acquireLock(dataDir, lockPath);
    try {
      const { log, records, recovery } = await RecordLog.open(join(dataDir, LOG_FILE));
      const checker = opts.checkCompatibility ?? checkCompatibility;
      const types = opts.schemaTypes ?? (opts.checkCompatibility ? [...SCHEMA_TYPES] : ENGINE_TYPES);
      const reg = new EmbeddedRegistry(log, lockPath, checker, types, dataDir, recovery);
      for (const r of records) reg.apply(r as Rec);
      return reg;
    } catch (e) {
      await unlink(lockPath).catch(() => undefined);
      heldHere.delete(lockPath);
      throw e;
    }
  }

  // ---- state machine (shared by replay and live writes) ----

  private apply(r: Rec): void {
    switch (r.op) {
      case 'schema': {
        const identity = r.iv === IDENTITY_VERSION ? r.identity : this.rekey(r);
        this.schemas.set(r.id, { id: r.id, schemaType: r.schemaType, schema: r.schema, references: r.references, identity });
        this.idByIdentity.set(identity, r.id);
        if (r.id >= this.nextId) this.nextId = r.id + 1;
        break;
      }
      case 'version': {
        const rows = this.subjects.get(r.subject) ?? [];
        rows.push({ version: r.version, id: r.id, deleted: false });
        rows.sort((a, b) => a.version - b.version);
        this.subjects.set(r.subject, rows);
        this.uses.set(r.id, (this.uses.get(r.id) ?? 0) + 1);
        break;
      }
      case 'delete': {
        const rows = this.subjects.get(r.subject);
        const i = rows?.findIndex((v) => v.version === r.version) ?? -1;
        if (!rows || i < 0) break;
        const row = rows[i] as VersionRow;
        if (r.permanent) {
          rows.splice(i, 1);
          this.uses.set(row.id, (this.uses.get(row.id) ?? 1) - 1);
          if (rows.length === 0) {
            this.subjects.delete(r.subject);
            this.subjectConfig.delete(r.subject);
            this.subjectMode.delete(r.subject);
          }
        } else row.deleted = true;
        break;
      }
      case 'config':
        if (r.subject === null) this.globalConfig = r.config ?? {};
        else if (r.config === null) this.subjectConfig.delete(r.subject);
        else this.subjectConfig.set(r.subject, r.config);
        break;
      case 'mode':
        if (r.subject === null) this.globalMode = r.mode ?? undefined;
        else if (r.mode === null) this.subjectMode.delete(r.subject);
        else this.subjectMode.set(r.subject, r.mode);
        break;
    }
  }

  /**
   * The identity of a schema stored by an older version, whose identity was its text re-serialised
   * with the key order as written: recomputed as the canonical string, so a lookup of any spelling
   * finds it. A stored schema the current validator refuses keeps its old identity.
   */
  private rekey(r: Extract<Rec, { op: 'schema' }>): string {
    try {
      return prepareSchema(r.schemaType, r.schema, this.resolveRefs(r.references), false).identity;
    } catch {
      return r.identity;
    }
  }

  /** Run one mutation exclusively; resolve after its records (and all earlier ones) are durable. */
  private async mutate<T>(fn: () => Promise<{ records: Rec[]; result: T }> | { records: Rec[]; result: T }): Promise<T> {
    this.assertOpen();
    const run = this.chain.then(async () => {
      const { records, result } = await fn();
      for (const r of records) this.apply(r);
      if (records.length > 0) this.lastDurable = this.log.append(records);
      return { result, durable: this.lastDurable };
    });
    this.chain = run.catch(() => undefined);
    const { result, durable } = await run;
    try {
      await durable;
    } catch (e) {
      throw errors.store(`Error while storing the schema: ${(e as Error).message}`, e);
    }
    return result;
  }

  /** Reads wait for writes already applied in memory to be durable, so nobody sees unacknowledged data. */
  private async settled(): Promise<void> {
    this.assertOpen();
    try {
      await this.lastDurable;
    } catch (e) {
      throw errors.store(`The registry store failed: ${(e as Error).message}`, e);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw errors.store('The registry store is closed');
  }

  // ---- helpers ----

  private rows(subject: string, deleted = false): VersionRow[] {
    const rows = this.subjects.get(subject) ?? [];
    return deleted ? rows : rows.filter((r) => !r.deleted);
  }

  private toVersion(subject: string, row: VersionRow): SubjectVersion {
    const s = this.schemas.get(row.id) as SchemaRow;
    const out: SubjectVersion = { subject, version: row.version, id: row.id, schemaType: s.schemaType, schema: s.schema, references: s.references };
    if (row.deleted) out.deleted = true;
    return out;
  }

  private findRow(subject: string, version: VersionRef, deleted: boolean): VersionRow {
    const all = this.subjects.get(subject);
    if (!all || all.length === 0 || (!deleted && all.every((r) => r.deleted))) throw errors.subjectNotFound(subject);
    const rows = deleted ? all : all.filter((r) => !r.deleted);
    const row = version === 'latest' ? rows[rows.length - 1] : rows.find((r) => r.version === version);
    if (!row) throw errors.versionNotFound(version === 'latest' ? -1 : version);
    return row;
  }

  private levelFor(subject: string): CompatibilityLevel {
    return this.subjectConfig.get(subject)?.compatibility ?? this.globalConfig.compatibility ?? 'BACKWARD';
  }

  private normalizeFor(subject: string, explicit: boolean | undefined): boolean {
    return explicit ?? this.subjectConfig.get(subject)?.normalize ?? this.globalConfig.normalize ?? false;
  }

  private modeFor(subject: string): Mode {
    return this.subjectMode.get(subject) ?? this.globalMode ?? 'READWRITE';
  }

  private resolveRefs(refs: SchemaReference[] | undefined): ResolvedReference[] {
    const out: ResolvedReference[] = [];
    for (const ref of refs ?? []) {
      if (!ref || typeof ref.name !== 'string' || typeof ref.subject !== 'string' || !Number.isInteger(ref.version)) {
        throw errors.invalidSchema('Invalid schema: a reference needs name, subject and version');
      }
      const rows = this.rows(ref.subject);
      const row = ref.version === -1 ? rows[rows.length - 1] : rows.find((r) => r.version === ref.version);
      if (!row) throw errors.invalidSchema(`Invalid schema: reference ${ref.name} to subject '${ref.subject}' version ${ref.version} not found`);
      const s = this.schemas.get(row.id) as SchemaRow;
      out.push({ ref: { name: ref.name, subject: ref.subject, version: row.version }, schema: s.schema, schemaType: s.schemaType });
    }
    return out;
  }

  private refTexts(row: SchemaRow): { name: string; schema: string }[] {
    return this.resolveRefs(row.references).map((r) => ({ name: r.ref.name, schema: r.schema }));
  }

  private prepare(subject: string, input: SchemaInput, normalize: boolean | undefined): PreparedSchema {
    if (!input || typeof input.schema !== 'string') throw errors.invalidSchema('Invalid schema: the request has no "schema" string');
    const schemaType = parseSchemaType(input.schemaType);
    if (!this.schemaTypes.includes(schemaType)) {
      throw errors.invalidSchema(
        `Invalid schema type ${schemaType}: this registry accepts ${this.schemaTypes.join(', ')} because its compatibility engine cannot check ${schemaType} schemas`,
      );
    }
    const refs = this.resolveRefs(input.references);
    const norm = this.normalizeFor(subject, normalize);
    // parsing and validating dominate lookups; the result depends only on these inputs
    // keyed by a digest, so the cache does not keep a second copy of every request text
    const h = createHash('sha256').update(`${schemaType}\0${norm}\0${JSON.stringify(refs.map((r) => r.ref))}\0`);
    for (const r of refs) h.update(r.schema).update('\0');
    const key = h.update(input.schema).digest('base64');
    const hit = this.prepared.get(key);
    if (hit) return hit;
    const prepared = prepareSchema(schemaType, input.schema, refs, norm);
    this.prepared.set(key, prepared, prepared.schema.length);
    return prepared;
  }

  /** Runs the engine against `previous` (oldest first); an empty result means compatible. */
  private async runCheck(
    level: CompatibilityLevel,
    prepared: PreparedSchema,
    previous: VersionRow[],
  ): Promise<CompatibilityResult> {
    if (level === 'NONE' || previous.length === 0) return { isCompatible: true, messages: [] };
    const prevRows = previous.map((r) => this.schemas.get(r.id) as SchemaRow);
    // a level looks at the newest only unless transitive; a different schema type fails by itself
    const scope = level.endsWith('_TRANSITIVE') ? prevRows : prevRows.slice(-1);
    if (scope.some((p) => p.schemaType !== prepared.schemaType)) {
      const msgs = ['Incompatible because of different schema type', `{validateFields: 'false', compatibility: '${level}'}`];
      return { isCompatible: false, messages: msgs };
    }
    const refs = this.resolveRefs(prepared.references).map((r) => ({ name: r.ref.name, schema: r.schema }));
    let res;
    try {
      res = await this.checker({
        format: prepared.schemaType,
        level,
        previous: prevRows.map((p) => p.schema),
        candidate: prepared.schema,
        references: refs,
        previousReferences: prevRows.map((p) => this.refTexts(p)),
      });
    } catch (e) {
      if (e instanceof RegistryError) throw e;
      if (e instanceof UnsupportedFormatError) throw errors.invalidSchema(e.message);
      if (e instanceof InvalidSchemaError && e.which === 'candidate') throw errors.invalidSchema(e.message);
      return {
        isCompatible: false,
        messages: [`Unexpected exception during compatibility check: ${(e as Error).message}`],
      };
    }
    const old = previous.map((r, i) => ({ version: r.version, schema: (prevRows[i] as SchemaRow).schema }));
    return {
      isCompatible: res.compatible,
      messages: res.compatible ? [] : renderMessages(prepared.schemaType, level, res.messages, old),
      details: res.messages,
    };
  }

  // ---- Registry ----

  /**
   * Subjects, sorted. A subject counts as deleted when all its versions are soft-deleted (the registry
   * merges the versions' flags with AND): `deleted` adds those, `deletedOnly` lists only those.
   * `subjectPrefix` keeps the subjects starting with it (`:*:`, the registry's wildcard, keeps all).
   */
  async listSubjects(opts: { deleted?: boolean; deletedOnly?: boolean; subjectPrefix?: string } = {}): Promise<string[]> {
    await this.settled();
    const prefix = opts.subjectPrefix === undefined || opts.subjectPrefix === ':*:' ? '' : opts.subjectPrefix;
    return [...this.subjects.keys()]
      .filter((s) => s.startsWith(prefix))
      .filter((s) => {
        const all = this.subjects.get(s) ?? [];
        if (all.length === 0) return false;
        const deleted = all.every((r) => r.deleted);
        return opts.deletedOnly ? deleted : opts.deleted ? true : !deleted;
      })
      .sort();
  }

  /**
   * GET /schemas: every version of the matching subjects (subject order, then version), or only each
   * subject's latest with `latestOnly`; soft-deleted versions only with `deleted`; then `offset` and
   * `limit` (negative: no limit) over that list.
   */
  async listSchemas(opts: { subjectPrefix?: string; deleted?: boolean; latestOnly?: boolean; offset?: number; limit?: number } = {}): Promise<SubjectVersion[]> {
    await this.settled();
    const prefix = opts.subjectPrefix ?? '';
    const out: SubjectVersion[] = [];
    for (const subject of [...this.subjects.keys()].filter((s) => s.startsWith(prefix)).sort()) {
      const rows = this.rows(subject, opts.deleted);
      const picked = opts.latestOnly ? rows.slice(-1) : rows;
      for (const r of picked) {
        const v = this.toVersion(subject, r);
        delete v.deleted;
        out.push(v);
      }
    }
    const offset = Math.max(0, opts.offset ?? 0);
    const limit = opts.limit ?? -1;
    return limit > 0 ? out.slice(offset, offset + limit) : out.slice(offset);
  }

  async getVersions(subject: string, opts: { deleted?: boolean } = {}): Promise<number[]> {
    await this.settled();
    const rows = this.rows(subject, opts.deleted);
    if (rows.length === 0) throw errors.subjectNotFound(subject);
    return rows.map((r) => r.version);
  }

  async getVersion(subject: string, version: VersionRef, opts: { deleted?: boolean } = {}): Promise<SubjectVersion> {
    await this.settled();
    return this.toVersion(subject, this.findRow(subject, version, opts.deleted ?? false));
  }

  getLatest(subject: string): Promise<SubjectVersion> {
    return this.getVersion(subject, 'latest');
  }

  async getById(id: number): Promise<SchemaById> {
    await this.settled();
    const s = this.schemas.get(id);
    if (!s || (this.uses.get(id) ?? 0) <= 0) throw errors.schemaNotFound(id);
    return { schema: s.schema, schemaType: s.schemaType, references: s.references };
  }

  async getVersionsById(id: number, opts: { deleted?: boolean } = {}): Promise<{ subject: string; version: number }[]> {
    await this.getById(id);
    const out: { subject: string; version: number }[] = [];
    for (const [subject, rows] of this.subjects) {
      for (const r of rows) if (r.id === id && (opts.deleted || !r.deleted)) out.push({ subject, version: r.version });
    }
    return out.sort((a, b) => (a.subject === b.subject ? a.version - b.version : a.subject < b.subject ? -1 : 1));
  }

  async getSubjectsById(id: number, opts: { deleted?: boolean } = {}): Promise<string[]> {
    return [...new Set((await this.getVersionsById(id, opts)).map((v) => v.subject))];
  }

  async getReferencedBy(subject: string, version: VersionRef): Promise<number[]> {
    await this.settled();
    const row = this.findRow(subject, version, false);
    return this.referrers(subject, row.version);
  }

  private referrers(subject: string, version: number): number[] {
    const ids = new Set<number>();
    for (const rows of this.subjects.values()) {
      for (const r of rows) {
        if (r.deleted) continue;
        const s = this.schemas.get(r.id) as SchemaRow;
        if (s.references.some((ref) => ref.subject === subject && ref.version === version)) ids.add(r.id);
      }
    }
    return [...ids].sort((a, b) => a - b);
  }

  register(subject: string, input: SchemaInput, opts: { normalize?: boolean } = {}): Promise<RegisterResult> {
    if (typeof subject !== 'string' || subject === '' || /[\u0000-\u001f]/.test(subject)) return Promise.reject(errors.invalidSubject(String(subject)));
    return this.mutate(async () => {
      const mode = this.modeFor(subject);
      if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') {
        throw errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
      }
      const prepared = this.prepare(subject, input, opts.normalize);
      const live = this.rows(subject);
      // identical schema already under this subject: return it, and run no compatibility check
      for (const r of live) {
        if ((this.schemas.get(r.id) as SchemaRow).identity === prepared.identity) {
          return { records: [], result: { id: r.id, version: r.version } };
        }
      }
      if (mode !== 'IMPORT') {
        const res = await this.runCheck(this.levelFor(subject), prepared, live);
        if (!res.isCompatible) throw errors.incompatible(subject, res.messages);
      }
      const records: Rec[] = [];
      let id = this.idByIdentity.get(prepared.identity);
      if (id === undefined) {
        id = this.nextId;
        records.push({ op: 'schema', id, schemaType: prepared.schemaType, schema: prepared.schema, references: prepared.references, identity: prepared.identity, iv: IDENTITY_VERSION });
      }
      const all = this.subjects.get(subject) ?? [];
      const version = (all[all.length - 1]?.version ?? 0) + 1;
      records.push({ op: 'version', subject, version, id });
      return { records, result: { id, version } };
    });
  }

  async lookup(subject: string, input: SchemaInput, opts: { normalize?: boolean; deleted?: boolean } = {}): Promise<SubjectVersion> {
    await this.settled();
    const rows = this.rows(subject, opts.deleted);
    if (rows.length === 0) throw errors.subjectNotFound(subject);
    const prepared = this.prepare(subject, input, opts.normalize);
    for (let i = rows.length - 1; i >= 0; i--) {
      const r = rows[i] as VersionRow;
      if ((this.schemas.get(r.id) as SchemaRow).identity === prepared.identity) return this.toVersion(subject, r);
    }
    throw errors.schemaNotFound();
  }

  async testCompatibility(
    subject: string,
    version: VersionRef | undefined,
    input: SchemaInput,
    opts: { verbose?: boolean; normalize?: boolean } = {},
  ): Promise<CompatibilityResult> {
    await this.settled();
    let previous: VersionRow[];
    if (version === undefined) previous = this.rows(subject);
    else if (version === 'latest' && this.rows(subject).length === 0) previous = [];
    else previous = [this.findRow(subject, version, false)];
    let prepared;
    try {
      prepared = this.prepare(subject, input, opts.normalize);
    } catch (e) {
      // verbose callers get the parse error as the single message instead of a 422
      if (opts.verbose && e instanceof RegistryError && e.errorCode === 42201) return { isCompatible: false, messages: [e.message] };
      throw e;
    }
    const res = await this.runCheck(this.levelFor(subject), prepared, previous);
    return opts.verbose ? res : { isCompatible: res.isCompatible, messages: [], ...(res.details ? { details: res.details } : {}) };
  }

  async getConfig(subject?: string, opts: { defaultToGlobal?: boolean } = {}): Promise<ConfigResult> {
    await this.settled();
    const global = (): ConfigResult => ({
      compatibilityLevel: this.globalConfig.compatibility ?? 'BACKWARD',
      ...(this.globalConfig.normalize !== undefined ? { normalize: this.globalConfig.normalize } : {}),
    });
    if (subject === undefined) return global();
    const c = this.subjectConfig.get(subject);
    if (c?.compatibility) return { compatibilityLevel: c.compatibility, ...(c.normalize !== undefined ? { normalize: c.normalize } : {}) };
    if (opts.defaultToGlobal) return global();
    throw errors.subjectConfigNotConfigured(subject);
  }

  setConfig(subject: string | undefined, update: ConfigUpdate): Promise<ConfigUpdate> {
    return this.mutate(() => {
      const next: ConfigUpdate = {};
      if (update.compatibility !== undefined) next.compatibility = parseCompatibilityLevel(update.compatibility);
      if (update.normalize !== undefined) next.normalize = Boolean(update.normalize);
      if (next.compatibility === undefined && next.normalize === undefined) throw errors.invalidCompatibilityLevel();
      const prev = subject === undefined ? this.globalConfig : this.subjectConfig.get(subject) ?? {};
      const merged = { ...prev, ...next };
      return { records: [{ op: 'config', subject: subject ?? null, config: merged }], result: next };
    });
  }

  deleteConfig(subject?: string): Promise<ConfigResult> {
    return this.mutate(() => {
      if (subject === undefined) {
        const old = { compatibilityLevel: this.globalConfig.compatibility ?? 'BACKWARD' } as ConfigResult;
        return { records: [{ op: 'config', subject: null, config: null }], result: old };
      }
      const c = this.subjectConfig.get(subject);
      if (!c && !this.subjects.has(subject)) throw errors.subjectNotFound(subject);
      const old: ConfigResult = { compatibilityLevel: c?.compatibility ?? this.levelFor(subject) };
      return { records: c ? [{ op: 'config', subject, config: null }] : [], result: old };
    });
  }

  async getMode(subject?: string, opts: { defaultToGlobal?: boolean } = {}): Promise<Mode> {
    await this.settled();
    if (subject === undefined) return this.globalMode ?? 'READWRITE';
    const m = this.subjectMode.get(subject);
    if (m) return m;
    if (opts.defaultToGlobal) return this.globalMode ?? 'READWRITE';
    throw errors.subjectModeNotConfigured(subject);
  }

  setMode(subject: string | undefined, mode: Mode): Promise<Mode> {
    return this.mutate(() => {
      const m = parseMode(mode);
      return { records: [{ op: 'mode', subject: subject ?? null, mode: m }], result: m };
    });
  }

  deleteMode(subject?: string): Promise<Mode> {
    return this.mutate(() => {
      if (subject === undefined) return { records: [{ op: 'mode', subject: null, mode: null }], result: this.globalMode ?? 'READWRITE' };
      const m = this.subjectMode.get(subject);
      if (!m && !this.subjects.has(subject)) throw errors.subjectNotFound(subject);
      return { records: m ? [{ op: 'mode', subject, mode: null }] : [], result: m ?? this.modeFor(subject) };
    });
  }

  deleteSubject(subject: string, opts: { permanent?: boolean } = {}): Promise<number[]> {
    return this.mutate(() => {
      const all = this.subjects.get(subject) ?? [];
      if (all.length === 0) throw errors.subjectNotFound(subject);
      this.assertWritable(subject);
      const live = all.filter((r) => !r.deleted);
      if (opts.permanent) {
        if (live.length > 0) throw errors.subjectNotSoftDeleted(subject);
        const records: Rec[] = all.map((r) => ({ op: 'delete', subject, version: r.version, permanent: true }));
        return { records, result: all.map((r) => r.version) };
      }
      if (live.length === 0) throw errors.subjectSoftDeleted(subject);
      for (const r of live) this.assertUnreferenced(subject, r.version);
      const records: Rec[] = live.map((r) => ({ op: 'delete', subject, version: r.version, permanent: false }));
      return { records, result: live.map((r) => r.version) };
    });
  }

  deleteVersion(subject: string, version: VersionRef, opts: { permanent?: boolean } = {}): Promise<number> {
    return this.mutate(() => {
      const all = this.subjects.get(subject) ?? [];
      if (all.length === 0) throw errors.subjectNotFound(subject);
      this.assertWritable(subject);
      const pool = opts.permanent ? all : all.filter((r) => !r.deleted);
      const row = version === 'latest' ? pool[pool.length - 1] : all.find((r) => r.version === version);
      if (!row) throw errors.versionNotFound(version === 'latest' ? -1 : version);
      if (opts.permanent) {
        if (!row.deleted) throw errors.versionNotSoftDeleted(subject, row.version);
      } else {
        if (row.deleted) throw errors.versionSoftDeleted(subject, row.version);
        this.assertUnreferenced(subject, row.version);
      }
      return { records: [{ op: 'delete', subject, version: row.version, permanent: Boolean(opts.permanent) }], result: row.version };
    });
  }

  private assertWritable(subject: string): void {
    const mode = this.modeFor(subject);
    if (mode === 'READONLY' || mode === 'READONLY_OVERRIDE') throw errors.operationNotPermitted(`Subject ${subject} is in read-only mode`);
  }

  private assertUnreferenced(subject: string, version: number): void {
    const by = this.referrers(subject, version);
    if (by.length > 0) {
      throw errors.referenceExists(`One or more references exist to the schema {subject=${subject},version=${version}}.`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.chain;
    await this.lastDurable.catch(() => undefined);
    this.closed = true;
    await this.log.close();
    await unlink(this.lockPath).catch(() => undefined);
    heldHere.delete(this.lockPath);
  }
}

export function openEmbeddedRegistry(opts: EmbeddedOptions = {}): Promise<EmbeddedRegistry> {
  return EmbeddedRegistry.open(opts);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Who holds a data directory. Node cannot hold an flock() on an open descriptor (which the kernel
// would release when the holder dies), so the lock is a file naming its holder, and a starting server
// decides whether that holder is still running:
// - the pid alone is not enough: after a SIGKILL in a container the restarted server is PID 1 again,
//   the pid in the lock; and on a busy host the pid may have been reused by an unrelated process;
// - so the lock also records the holder's start time (field 22 of /proc/<pid>/stat, clock ticks since
//   boot) and the boot id (/proc/sys/kernel/random/boot_id). The holder is live only if a process with
//   that pid exists now, on the same boot, with the same start time, and it is not this process (a
//   process never waits for itself: a lock naming our own pid is a previous life of ours). Locks this
//   process holds are also tracked in memory, so two opens of one directory in one process still clash.
// Without /proc (macOS, Windows) only the pid is compared, with the same own-pid rule.
const heldHere = new Set<string>();

async function procText(file: string): Promise<string | undefined> {
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** The start time of `pid` in clock ticks since boot, or undefined (no /proc, or no such process). */
async function startTime(pid: number): Promise<string | undefined> {
  const stat = await procText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // the command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return rest[19];
}

interface LockInfo {
  pid: number;
  start?: string;
  boot?: string;
}

function parseLock(text: string): LockInfo | undefined {
  const lines = text.split('\n').map((l) => l.trim());
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const info: LockInfo = { pid };
  for (const l of lines.slice(1)) {
    const [k, v] = l.split('=', 2) as [string, string | undefined];
    if (k === 'start' && v) info.start = v;
    if (k === 'boot' && v) info.boot = v;
  }
  return info;
}

/** Whether the process the lock names is running now (see above). */
async function holderAlive(info: LockInfo): Promise<boolean> {
  if (info.pid === process.pid) return false;
  if (!alive(info.pid)) return false;
  const boot = await procText('/proc/sys/kernel/random/boot_id');
  if (info.boot !== undefined && boot !== undefined && info.boot !== boot) return false;
  if (info.start !== undefined) {
    const now = await startTime(info.pid);
    if (now !== undefined && now !== info.start) return false;
  }
  return true;
}

async function acquireLock(dataDir: string, lockPath: string): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dataDir, { recursive: true });
  if (heldHere.has(lockPath)) {
    throw new UsageError(
      `The registry data directory ${dataDir} is already open in this process (lock file ${lockPath}). Only one writer may use it.`,
      'registry-locked',
    );
  }
  const start = await startTime(process.pid);
  const boot = await procText('/proc/sys/kernel/random/boot_id');
  const content = `${process.pid}\n${start !== undefined ? `start=${start}\n` : ''}${boot !== undefined ? `boot=${boot}\n` : ''}`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lockPath, 'wx');
      await fh.writeFile(content);
      await fh.close();
      heldHere.add(lockPath);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const info = parseLock(await readFile(lockPath, 'utf8').catch(() => ''));
    if (info !== undefined && (await holderAlive(info))) {
      throw new UsageError(
        `The registry data directory ${dataDir} is in use by process ${info.pid} (lock file ${lockPath}). ` +
          'Only one process may write it: stop that process, or point this one at another directory.',
        'registry-locked',
      );
    }
    // the holder is gone (SIGKILL, crash, reboot) or was an earlier life of this process: stale
    await unlink(lockPath).catch(() => undefined);
  }
  throw new UsageError(`Could not take the lock ${lockPath}; another process keeps recreating it.`, 'registry-locked');
}
