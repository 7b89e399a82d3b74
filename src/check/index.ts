// `check` as a library: catalog + previous versions (a git revision, a registry, the embedded store,
// or an ad-hoc old file) in, FileResult[] and per-subject outcomes out. The CLI is a thin shell over
// it. Verdicts are the compatibility engine's; this layer does the I/O and the pairing of catalog
// streams with subjects. `register` (src/register/) reuses `againstRegistry` and `Collector`.
import { invalidProblems } from '../formats/validity.js';
import path from 'node:path';
import type { Diagnostic, FileResult } from '../diagnostics/types.js';
import { countBySeverity } from '../diagnostics/types.js';
import { compatRule } from '../compat/rules.js';
import type { RuleSeverity } from '../lint/rule.js';
import { UsageError } from '../errors.js';
import type { ResolvedConfig } from '../config/types.js';
import { parseYamlWithPositions, positionOf } from '../config/yaml-source.js';
import { dispatchOf } from '../formats/index.js';
import { levelPolicy, parseLevel, versionsToCheck } from '../compat/levels.js';
import type { CompatibilityLevel } from '../compat/levels.js';
import type { Registry } from '../registry/types.js';
import { connectOptions, displayPath, loadCatalog, readWorkingTree, selectStreams, START, strategyOf, streamEntries } from './catalog.js';
import { compareUnit, parseStored, storedExtension } from './compare.js';
import type { AdvisoryMode, PreviousSchema } from './compare.js';
import { resolveRevision, showFile, repoPath } from './git.js';
import type { GitRevision } from './git.js';
import { isNotFound, openTarget, registryLevel, registryTarget, subjectHistory } from './registry.js';
import type { RegistryTarget } from './registry.js';
import { buildUnit, buildUnits, isSchemaPath } from './units.js';
import type { SchemaUnit, StreamEntry, SubjectStrategy } from './units.js';

export type { AdvisoryMode, PreviousSchema } from './compare.js';
export type { SchemaUnit, SubjectStrategy } from './units.js';
export { compareUnit } from './compare.js';
export { avdlTypeToAvsc, subjectName, parseStrategy } from './units.js';

export interface CheckOptions {
  cwd?: string;
  /** explicit schemactl.yaml */
  configFile?: string;
  /** only these topics (default: every stream) */
  topics?: string[];
  /** `git:REF` */
  against?: string;
  /** registry URL; default: the catalog's `registry.url`, else the embedded store */
  registry?: string;
  /** level override for every subject */
  level?: string;
  /** ad-hoc pair: both or neither */
  old?: string;
  new?: string;
  advisories?: AdvisoryMode;
  /** report removed streams and schemas as warnings instead of errors */
  allowRemoval?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  /** registry client tuning (tests) */
  timeoutMs?: number;
  retries?: number;
}

export type SubjectStatus = 'compatible' | 'incompatible' | 'new' | 'removed' | 'invalid';

export interface SubjectOutcome {
  topic: string;
  subject: string;
  file: string;
  status: SubjectStatus;
  level: CompatibilityLevel;
  /** versions compared, newest first */
  versions: number[];
  /** where the previous versions came from */
  against: string;
  /** the remote registry's own verdict, when it was asked */
  registryCompatible?: boolean;
}

export interface CheckOutcome {
  results: FileResult[];
  subjects: SubjectOutcome[];
  errorCount: number;
  warningCount: number;
  /** some input could not be read or parsed at all (exit 2) */
  fatal: boolean;
  /** subjects the registry's rules find incompatible, whatever severity their findings are reported at */
  incompatible: number;
  /** one-line facts worth telling the user (a fetched ref, an empty store) */
  notes: string[];
}

/** The streams of a catalog read at a git revision: only what pairing needs, leniently (old catalogs may predate today's rules). */
function streamsFromText(text: string, dir: string): { streams: StreamEntry[]; registry?: Record<string, unknown> } {
  const parsed = parseYamlWithPositions(text);
  const root = parsed.value as { streams?: unknown; registry?: unknown } | undefined;
  const out: StreamEntry[] = [];
  if (root && Array.isArray(root.streams)) {
    root.streams.forEach((raw: unknown, i: number) => {
      if (typeof raw !== 'object' || raw === null) return;
      const s = raw as Record<string, unknown>;
      if (typeof s.topic !== 'string') return;
      const refs: Array<{ ref: string; ptr: string }> = [];
      if (typeof s.schema === 'string') refs.push({ ref: s.schema, ptr: `/streams/${i}/schema` });
      if (Array.isArray(s.schemas)) s.schemas.forEach((r: unknown, j: number) => { if (typeof r === 'string') refs.push({ ref: r, ptr: `/streams/${i}/schemas/${j}` }); });
      const e: StreamEntry = {
        topic: s.topic,
        schemas: refs.map(({ ref, ptr }) => {
          const hash = ref.indexOf('#');
          const file = hash < 0 ? ref : ref.slice(0, hash);
          const loc = positionOf(parsed.positions, ptr)?.value;
          return { abs: path.resolve(dir, file), ...(hash >= 0 ? { selector: ref.slice(hash + 1) } : {}), ...(loc ? { loc } : {}) };
        }),
      };
      const loc = positionOf(parsed.positions, `/streams/${i}`)?.value;
      if (loc) e.loc = loc;
      if (typeof s.compatibility === 'string') {
        try {
          e.compatibility = parseLevel(s.compatibility);
        } catch {
          // an invalid level at the old revision is not this change's problem
        }
      }
      if (typeof s.key === 'string' && isSchemaPath(s.key)) e.keySchema = { abs: path.resolve(dir, s.key) };
      if (s.schema_type === 'AVRO' || s.schema_type === 'PROTOBUF' || s.schema_type === 'JSON') e.schemaType = s.schema_type;
      out.push(e);
    });
  }
  const registry = root && typeof root.registry === 'object' && root.registry !== null ? root.registry as Record<string, unknown> : undefined;
  return registry ? { streams: out, registry } : { streams: out };
}

/** Parse problems that make a unit uncheckable, as fatal findings on the file (or the catalog entry for a missing file). */
function unitProblems(unit: SchemaUnit, catalogLabel: string | undefined): Diagnostic[] {
  if (unit.text === undefined) {
    return [{
      ruleId: 'file-not-found',
      severity: 'error',
      message: `Stream "${unit.topic}" names ${unit.file}, but the file does not exist. Fix the path in the catalog or add the file.`,
      location: catalogLabel !== undefined && unit.catalogLoc ? { file: catalogLabel, range: unit.catalogLoc } : { file: unit.file, range: START },
      fatal: true,
    }];
  }
  const fatal = invalidProblems(unit.problems);
  return fatal.map((p) => ({
    ruleId: 'parse-error',
    severity: 'error' as const,
    message: p.fatal ? `${p.message} The schema cannot be checked until it parses.` : `${p.message} (${p.code}) The registry refuses this schema; it cannot be checked until it is valid.`,
    location: { file: unit.file, range: p.loc },
    fatal: true,
  }));
}

/**
 * Collects findings per file. Severities configured for compatibility rules (`rules:` in schemactl.yaml)
 * are applied here, to what is reported only: verdicts are computed before, from the engine's answer,
 * so a downgraded registry incompatibility still makes its subject incompatible.
 */
export class Collector {
  private readonly files = new Map<string, FileResult>();
  readonly subjects: SubjectOutcome[] = [];
  readonly notes: string[] = [];
  constructor(private readonly severities: Readonly<Record<string, RuleSeverity>> = {}) {}
  add(file: string, source: string | undefined, diags: readonly Diagnostic[]): void {
    let r = this.files.get(file);
    if (!r) {
      r = { file, diagnostics: [] };
      this.files.set(file, r);
    }
    if (source !== undefined && r.source === undefined) r.source = source;
    for (const d of diags) {
      const configured = this.severities[d.ruleId];
      if (configured === undefined || d.fatal || !compatRule(d.ruleId)?.configurable) r.diagnostics.push(d);
      else if (configured !== 'off') r.diagnostics.push({ ...d, severity: configured });
    }
  }
  outcome(): CheckOutcome {
    const results = [...this.files.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
    let errorCount = 0;
    let warningCount = 0;
    let fatal = false;
    for (const r of results) {
      const c = countBySeverity(r.diagnostics);
      errorCount += c.errors;
      warningCount += c.warnings;
      if (r.diagnostics.some((d) => d.fatal)) fatal = true;
    }
    const incompatible = this.subjects.filter((s) => s.status === 'incompatible').length;
    return { results, subjects: this.subjects, errorCount, warningCount, fatal, incompatible, notes: this.notes };
  }
}

function levelFor(unit: SchemaUnit, override: CompatibilityLevel | undefined): CompatibilityLevel {
  return override ?? unit.level ?? 'BACKWARD';
}

/** Check the catalog's streams (or an ad-hoc pair) against their previous versions. */
export async function check(opts: CheckOptions = {}): Promise<CheckOutcome> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const override = opts.level !== undefined ? parseLevel(opts.level) : undefined;
  const advisories = opts.advisories ?? 'warn';
  if ((opts.old === undefined) !== (opts.new === undefined)) throw new UsageError('--old and --new go together: pass both files of the pair.');
  if (opts.old !== undefined && opts.new !== undefined) return checkPair({ cwd, old: opts.old, new: opts.new, level: override ?? 'BACKWARD', advisories });
  if (opts.against !== undefined && opts.registry !== undefined) throw new UsageError('Use either --against git:REF or --registry URL, not both.');
  if (opts.against !== undefined && !opts.against.startsWith('git:')) {
    throw new UsageError(`--against expects git:REF (e.g. git:origin/main), got "${opts.against}". To compare with a registry, use --registry URL.`);
  }
  // against git, the registry's url and credentials are not used: their variables need not be set
  const config = await loadCatalog(cwd, opts.configFile, env, opts.against !== undefined ? [] : ['registry']);
  const catalogLabel = displayPath(config.file!, cwd);
  // an explicit flag wins over the config for the findings it governs
  const severities = Object.fromEntries(Object.entries(config.compatRules).filter(([id]) => {
    const category = compatRule(id)?.category;
    if (opts.advisories !== undefined && category === 'advisory') return false;
    return !(opts.allowRemoval === true && (id === 'schema-removed' || id === 'stream-removed'));
  }));
  const out = new Collector(severities);
  const strategy = strategyOf(config.registry, catalogLabel);
  const entries = selectStreams(streamEntries(config), opts.topics, catalogLabel);
  const units = await buildUnits(entries, { strategy, includePaths: config.includePaths, read: readWorkingTree, label: (abs) => displayPath(abs, cwd) });

  if (opts.against !== undefined) {
    await againstGit(opts.against.slice(4), config, catalogLabel, units, { cwd, override, advisories, topics: opts.topics, allowRemoval: opts.allowRemoval === true, includePaths: config.includePaths }, out);
    return out.outcome();
  }
  const connect = connectOptions(config, env, opts);
  const target = registryTarget(connect);
  const reg = await openTarget(target, connect);
  try {
    await againstRegistry(reg, target, units, catalogLabel, { override, advisories }, out);
  } finally {
    await reg?.close();
  }
  return out.outcome();
}

async function checkPair(o: { cwd: string; old: string; new: string; level: CompatibilityLevel; advisories: AdvisoryMode }): Promise<CheckOutcome> {
  const out = new Collector();
  const oldAbs = path.resolve(o.cwd, o.old);
  const newAbs = path.resolve(o.cwd, o.new);
  const kinds = [dispatchOf(oldAbs), dispatchOf(newAbs)];
  for (const [i, k] of kinds.entries()) {
    if (k !== 'avsc' && k !== 'avdl' && k !== 'proto' && k !== 'json') {
      throw new UsageError(`${i === 0 ? o.old : o.new}: the format is taken from the extension; use .avsc, .avdl, .proto or .json (JSON Schema).`);
    }
  }
  const family = (k: string | undefined): string => (k === 'proto' ? 'Protobuf' : k === 'json' ? 'JSON Schema' : 'Avro');
  if (family(kinds[0]) !== family(kinds[1])) throw new UsageError(`${o.old} and ${o.new} are different formats (${family(kinds[0])} and ${family(kinds[1])}); compare schemas of one format.`);
  // an ad-hoc pair of .json files are JSON Schemas (there is no catalog to declare them)
  const schemaType = kinds[0] === 'json' ? { schemaType: 'JSON' as const } : {};
  const build = (abs: string): Promise<SchemaUnit> => buildUnit({ topic: '(ad hoc)', role: 'value', abs, strategy: 'TopicNameStrategy', ...schemaType }, {
    // no catalog names import roots here: the working directory, as lint's default without one
    strategy: 'TopicNameStrategy', includePaths: [o.cwd], read: readWorkingTree, label: (a) => displayPath(a, o.cwd),
  });
  const [oldUnit, newUnit] = await Promise.all([build(oldAbs), build(newAbs)]);
  newUnit.subject = `${path.basename(o.new)}`;
  for (const u of [oldUnit, newUnit]) {
    const problems = unitProblems(u, undefined);
    if (problems.length > 0) {
      out.add(u.file, u.text, problems);
      return out.outcome();
    }
  }
  const prev: PreviousSchema = { version: 1, label: oldUnit.file, file: oldUnit.file, text: oldUnit.registryText!, references: oldUnit.references, ...(oldUnit.document ? { document: oldUnit.document } : {}) };
  const r = await compareUnit(newUnit, [prev], { level: o.level, advisories: o.advisories });
  out.add(newUnit.file, newUnit.text, r.diagnostics);
  out.subjects.push({ topic: newUnit.topic, subject: newUnit.subject, file: newUnit.file, status: r.compatible ? 'compatible' : 'incompatible', level: o.level, versions: r.compatible ? [1] : [], against: oldUnit.file });
  return out.outcome();
}

export interface RunOpts {
  override: CompatibilityLevel | undefined;
  advisories: AdvisoryMode;
}

async function againstGit(
  ref: string,
  config: ResolvedConfig,
  catalogLabel: string,
  units: SchemaUnit[],
  o: RunOpts & { cwd: string; topics: string[] | undefined; allowRemoval: boolean; includePaths: readonly string[] },
  out: Collector,
): Promise<void> {
  const rev: GitRevision = await resolveRevision(config.dir, ref);
  if (rev.note) out.notes.push(rev.note);
  const oldCatalogText = await showFile(rev, config.file!);
  let oldUnits: SchemaUnit[] = [];
  let oldEntries: StreamEntry[] = [];
  if (oldCatalogText === undefined) {
    out.notes.push(`${catalogLabel} did not exist at ${ref}; every stream is new`);
  } else {
    const old = streamsFromText(oldCatalogText, config.dir);
    oldEntries = o.topics && o.topics.length > 0 ? old.streams.filter((s) => o.topics!.includes(s.topic)) : old.streams;
    let oldStrategy: SubjectStrategy = 'TopicNameStrategy';
    try {
      oldStrategy = strategyOf(old.registry, `${ref}:${catalogLabel}`);
    } catch {
      // an unreadable strategy at the base revision: pair by topic
    }
    oldUnits = await buildUnits(oldEntries, {
      strategy: oldStrategy,
      includePaths: o.includePaths,
      read: (abs) => showFile(rev, abs),
      label: (abs) => `${ref}:${repoPath(rev, abs) ?? abs}`,
    });
  }
  const oldBySubject = new Map(oldUnits.map((u) => [u.subject, u] as const));
  for (const unit of units) {
    const level = levelFor(unit, o.override);
    const problems = unitProblems(unit, catalogLabel);
    if (problems.length > 0) {
      out.add(problems[0]!.location.file, problems[0]!.location.file === catalogLabel ? config.text : unit.text, problems);
      out.subjects.push({ topic: unit.topic, subject: unit.subject, file: unit.file, status: 'invalid', level, versions: [], against: ref });
      continue;
    }
    const oldUnit = oldBySubject.get(unit.subject);
    if (!oldUnit || oldUnit.registryText === undefined) {
      if (oldUnit && oldUnit.text !== undefined) out.notes.push(`${oldUnit.file} does not parse at ${ref}; ${unit.subject} was not compared`);
      out.add(unit.file, unit.text, []);
      out.subjects.push({ topic: unit.topic, subject: unit.subject, file: unit.file, status: 'new', level, versions: [], against: ref });
      continue;
    }
    const prev: PreviousSchema = {
      version: 1, label: ref, file: oldUnit.file, text: oldUnit.registryText, references: oldUnit.references,
      ...(oldUnit.document ? { document: oldUnit.document } : {}),
    };
    const r = await compareUnit(unit, [prev], { level, advisories: o.advisories });
    out.add(unit.file, unit.text, r.diagnostics);
    out.subjects.push({
      topic: unit.topic, subject: unit.subject, file: unit.file, status: statusOf(r.compatible, r.diagnostics), level, versions: r.compatible && level !== 'NONE' ? [1] : [], against: ref,
    });
  }
  // what the base had and the change dropped: a consumer of that topic or subject loses its schema
  const newSubjects = new Set(units.map((u) => u.subject));
  const newTopics = new Map(config.streams.map((s) => [s.topic, s] as const));
  const reportedTopics = new Set<string>();
  const severity = o.allowRemoval ? 'warn' as const : 'error' as const;
  for (const old of oldUnits) {
    if (newSubjects.has(old.subject)) continue;
    const stream = newTopics.get(old.topic);
    if (stream) {
      const d: Diagnostic = {
        ruleId: 'schema-removed',
        severity,
        message: `Stream "${old.topic}" no longer lists ${old.file.slice(ref.length + 1)} (subject \`${old.subject}\`), which it had at ${ref}; consumers of that event type lose its schema. Keep the schema in the stream, or pass --allow-removal if the removal is intended.`,
        location: { file: catalogLabel, range: stream.loc },
        related: [{ file: `${ref}:${catalogLabel}`, range: old.catalogLoc ?? START, message: 'old catalog here' }],
        help: `add ${old.file.slice(ref.length + 1)} back to stream ${old.topic}`,
      };
      out.add(catalogLabel, config.text, [d]);
      out.subjects.push({ topic: old.topic, subject: old.subject, file: old.file, status: 'removed', level: levelFor(old, o.override), versions: [], against: ref });
      continue;
    }
    if (reportedTopics.has(old.topic)) continue;
    reportedTopics.add(old.topic);
    const oldEntry = oldEntries.find((e) => e.topic === old.topic);
    // the deleted lines are gone from the new catalog: anchor on the surviving stream listed before it
    const index = oldEntries.findIndex((e) => e.topic === old.topic);
    const before = oldEntries.slice(0, index).reverse().find((e) => newTopics.has(e.topic));
    const anchor = before ? newTopics.get(before.topic)!.loc : START;
    out.add(catalogLabel, config.text, [{
      ruleId: 'stream-removed',
      severity,
      message: `Stream "${old.topic}" was removed from the catalog (it exists at ${ref}); its consumers lose the governed schema and the topic's data can no longer be checked. Keep the stream (mark the topic deprecated), or pass --allow-removal if it is really retired.`,
      location: { file: catalogLabel, range: anchor },
      related: [{ file: `${ref}:${catalogLabel}`, range: oldEntry?.loc ?? START, message: 'old catalog here' }],
      help: `restore the stream "${old.topic}" in ${catalogLabel}`,
    }]);
    out.subjects.push({ topic: old.topic, subject: old.subject, file: old.file, status: 'removed', level: levelFor(old, o.override), versions: [], against: ref });
  }
}

function statusOf(compatible: boolean, diags: readonly Diagnostic[]): SubjectStatus {
  if (diags.some((d) => d.fatal)) return 'invalid';
  return compatible ? 'compatible' : 'incompatible';
}

export async function againstRegistry(
  reg: Registry | undefined,
  target: RegistryTarget,
  units: SchemaUnit[],
  catalogLabel: string,
  o: RunOpts,
  out: Collector,
  catalogText?: string,
): Promise<Map<string, { compatible: boolean }>> {
  const verdicts = new Map<string, { compatible: boolean }>();
  const against = target.kind === 'remote' ? `registry ${target.display}` : `embedded registry ${target.display}`;
  if (!reg) out.notes.push(`the ${against} is empty (nothing registered yet); every subject is new`);
  for (const unit of units) {
    const problems = unitProblems(unit, catalogLabel);
    if (problems.length > 0) {
      out.add(problems[0]!.location.file, problems[0]!.location.file === catalogLabel ? catalogText : unit.text, problems);
      out.subjects.push({ topic: unit.topic, subject: unit.subject, file: unit.file, status: 'invalid', level: levelFor(unit, o.override), versions: [], against });
      verdicts.set(unit.subject, { compatible: false });
      continue;
    }
    const history = reg ? await subjectHistory(reg, unit.subject) : [];
    let level = levelFor(unit, o.override);
    const diags: Diagnostic[] = [];
    if (reg && o.override === undefined && history.length > 0) {
      const fromRegistry = await registryLevel(reg, unit.subject);
      if (fromRegistry) {
        if (unit.level !== undefined && unit.level !== fromRegistry.level) {
          diags.push({
            ruleId: 'level-mismatch',
            severity: 'warn',
            message: `The catalog sets ${unit.level} for stream "${unit.topic}", but the registry applies ${fromRegistry.level} (${fromRegistry.from} config) to subject \`${unit.subject}\`; the registry's level decides registration, so it is the one checked.`,
            location: { file: unit.file, range: START },
            help: `set the subject's level to ${unit.level} in the registry, or change the catalog to ${fromRegistry.level}`,
          });
        }
        level = fromRegistry.level;
      }
    }
    if (history.length === 0) {
      out.add(unit.file, unit.text, diags);
      out.subjects.push({ topic: unit.topic, subject: unit.subject, file: unit.file, status: 'new', level, versions: [], against });
      verdicts.set(unit.subject, { compatible: true });
      continue;
    }
    const previous: PreviousSchema[] = history.map((h) => ({
      version: h.version,
      label: `version ${String(h.version)}`,
      file: `${unit.subject}@${String(h.version)}${storedExtension(unit.format)}`,
      text: h.schema,
      references: h.referenceTexts,
    }));
    for (const p of previous) {
      const doc = parseStored(unit.format, p.file, p.text, p.references);
      if (doc) p.document = doc;
    }
    const r = await compareUnit(unit, previous, { level, advisories: o.advisories });
    diags.push(...r.diagnostics);
    const outcome: SubjectOutcome = {
      topic: unit.topic, subject: unit.subject, file: unit.file, status: statusOf(r.compatible, r.diagnostics), level,
      versions: r.compatible ? versionsToCheck(levelPolicy(level), previous.length).map((i) => previous[i]!.version) : [],
      against,
    };
    if (reg && target.kind === 'remote' && !r.diagnostics.some((d) => d.fatal)) {
      const remote = await askRegistry(reg, unit);
      if (remote) {
        outcome.registryCompatible = remote.isCompatible;
        if (remote.isCompatible !== r.compatible) {
          diags.push({
            ruleId: 'registry-disagreement',
            severity: remote.isCompatible ? 'warn' : 'error',
            message: remote.isCompatible
              ? `The registry at ${target.display} finds subject \`${unit.subject}\` compatible, but schemactl does not (see the other findings). Failing closed; please report the pair if schemactl is wrong.`
              : `The registry at ${target.display} finds subject \`${unit.subject}\` incompatible, but schemactl does not; registration would be refused. The registry says: ${remote.messages.slice(0, 3).join(' ') || '(no details)'}`,
            location: { file: unit.file, range: START },
          });
        }
      }
    }
    out.add(unit.file, unit.text, diags);
    out.subjects.push(outcome);
    verdicts.set(unit.subject, { compatible: r.compatible && !diags.some((d) => d.severity === 'error') });
  }
  return verdicts;
}

/** The remote registry's own verdict, when the candidate's references are registered so it can judge it. */
async function askRegistry(reg: Registry, unit: SchemaUnit): Promise<{ isCompatible: boolean; messages: string[] } | undefined> {
  const refs = [];
  for (const r of unit.references) {
    try {
      const found = await reg.lookup(r.name, { schema: r.schema, schemaType: unit.format === 'JSON' ? 'JSON' : 'PROTOBUF' });
      refs.push({ name: r.name, subject: found.subject, version: found.version });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
  try {
    return await reg.testCompatibility(unit.subject, undefined, { schema: unit.registryText!, schemaType: unit.format, ...(refs.length > 0 ? { references: refs } : {}) }, { verbose: true });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

