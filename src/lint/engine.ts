// The lint engine: documents + resolved settings in, diagnostics out. Pure — no fs, no console.
// One pass per document dispatches every node to the visitors of the rules active on that file;
// stream checks run once per catalog stream afterwards.
import type { Diagnostic, Severity } from '../diagnostics/types.js';
import type {
  EnumType, Field, FixedType, NamedType, ParseProblem, RecordType, SchemaDocument, TypeNode,
} from '../model/types.js';
import type { ReportDescriptor, Rule, RuleContext, RuleVisitors, StreamInfo } from './rule.js';
import type { LintSettings, LintTarget, StreamSetting } from './types.js';
import { eventRootsOf, importedTypeUses, rpcTypeNames } from './event-roots.js';
import { RuleResolver, type EffectiveRule } from './settings.js';
import { DISABLE_ATTRIBUTE, Suppressions } from './suppressions.js';
import { SymbolIndex } from './symbols.js';
import { formatMessage } from './template.js';

export const PARSE_ERROR = 'parse-error';
export const CATALOG_REFERENCE = 'catalog-reference';

export interface EngineFileResult {
  file: string;
  diagnostics: Diagnostic[];
  suppressedCount: number;
}

export interface EngineInput {
  targets: readonly LintTarget[];
  rules: readonly Rule[];
  settings: LintSettings;
  /** observes each kept report with its descriptor (the RuleTester checks message ids with it) */
  onReport?: (diagnostic: Diagnostic, descriptor: ReportDescriptor<string>) => void;
}

export interface EngineOutput {
  files: EngineFileResult[];
  /** findings about the catalog itself (selectors naming no type), keyed by the catalog file */
  catalog: Diagnostic[];
}

/**
 * A parse problem as a diagnostic. A problem that makes the schema invalid (the reference toolchain
 * and the registry refuse the file) is fatal: the input is unusable, exit 2, as for a syntax error.
 * An advisory problem (the reference accepts the file; the specification is stricter) is a warning.
 */
export function parseProblemDiagnostic(file: string, p: ParseProblem): Diagnostic {
  return {
    ruleId: PARSE_ERROR,
    severity: p.advisory ? 'warn' : 'error',
    message: p.fatal ? p.message : `${p.message} (${p.code})`,
    location: { file, range: p.loc },
    fatal: p.advisory ? undefined : true,
  };
}

interface FileState {
  target: LintTarget;
  rel: string;
  /** built on the first report: most files of a large catalog have few findings */
  symbols?: () => SymbolIndex;
  suppressions?: Suppressions;
  effective: ReadonlyMap<string, EffectiveRule>;
  diagnostics: Diagnostic[];
  /**
   * Findings a rule made because it judged a type an event root, by that type's full name: for
   * .proto files outside the catalog, whose roots are provisional until every file's services are known.
   */
  rootTags?: Map<Diagnostic, string>;
}

function lazySymbols(doc: SchemaDocument): () => SymbolIndex {
  let index: SymbolIndex | undefined;
  return () => (index ??= new SymbolIndex(doc));
}

/** Cheap pre-check so files without any suppression skip building the suppression index. */
function hasSuppressions(doc: SchemaDocument): boolean {
  if (doc.disableDirectives.length > 0) return true;
  for (const t of doc.types) {
    if (t.attributes !== undefined && DISABLE_ATTRIBUTE in t.attributes) return true;
    if (t.kind === 'record') for (const f of t.fields) if (f.attributes !== undefined && DISABLE_ATTRIBUTE in f.attributes) return true;
  }
  return false;
}

interface Hook<F> {
  rule: Rule;
  fn: F;
}

function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const ra = a.location.range;
  const rb = b.location.range;
  if (ra === undefined || rb === undefined) return ra === rb ? 0 : ra === undefined ? -1 : 1;
  return ra.line - rb.line || ra.column - rb.column || a.ruleId.localeCompare(b.ruleId);
}

/** A rule may lower one finding to a warning (weaker evidence, a stage stream); it never raises one. */
function capSeverity<S extends string>(sev: S, d: ReportDescriptor<string>): S | 'warn' {
  return d.severity === 'warn' && sev === 'error' ? 'warn' : sev;
}

function buildDiagnostic(
  rule: Rule, file: string, d: ReportDescriptor<string>, symbols: (() => SymbolIndex) | undefined, severity: Severity,
): Diagnostic {
  const template = (rule.meta.messages as Record<string, string | undefined>)[d.messageId];
  if (template === undefined) {
    throw new Error(`rule ${rule.meta.id} reported unknown messageId "${d.messageId}"`);
  }
  const node = d.node;
  const atName = d.atName ?? true;
  const range = node !== undefined ? (atName && node.nameLoc !== undefined ? node.nameLoc : node.loc) : d.loc;
  const path = node?.path ?? d.path;
  const diag: Diagnostic = {
    ruleId: rule.meta.id,
    severity,
    message: formatMessage(template, d.data),
    location: { file, range, path },
  };
  const symbol = d.symbol ?? (path !== undefined ? symbols?.().lookup(path) : undefined);
  if (symbol !== undefined) diag.symbol = symbol;
  if (d.help !== undefined) diag.help = formatMessage(d.help, d.data);
  if (d.fix !== undefined && rule.meta.fixable !== undefined) diag.fix = d.fix;
  if (d.related !== undefined && d.related.length > 0) {
    diag.related = d.related.map((r) => ({ file: r.file, range: r.loc, path: r.path, message: r.message }));
  }
  return diag;
}

/**
 * Files one finding under its file, at the severity configured for that file, path and symbol (which
 * may turn it off), lowered if the rule asks.
 */
function fileReport(
  rule: Rule, eff: EffectiveRule, state: FileState, d: ReportDescriptor<string>, resolver: RuleResolver,
  onReport: EngineInput['onReport'],
): Diagnostic | undefined {
  const diag = buildDiagnostic(rule, state.target.file, d, state.symbols, 'error');
  const sev = capSeverity(resolver.severityOf(eff, state.rel, diag.symbol, diag.location.path), d);
  if (sev === 'off') return undefined;
  diag.severity = sev;
  state.diagnostics.push(diag);
  onReport?.(diag, d);
  return diag;
}

function streamInfo(s: StreamSetting): StreamInfo {
  return {
    topic: s.topic, kind: s.kind, schemas: s.schemas.map((r) => r.ref), catalogFile: s.catalogFile, catalogLoc: s.catalogLoc,
    ...(s.schemaType !== undefined ? { schemaType: s.schemaType } : {}),
  };
}

function rethrow(rule: Rule, file: string, err: unknown): never {
  const msg = err instanceof Error ? err.message : String(err);
  throw new Error(`rule ${rule.meta.id} failed on ${file}: ${msg}`, { cause: err });
}

/** Lint every target at once; see LintRun for the incremental form. */
export function runLint(input: EngineInput): EngineOutput {
  const run = new LintRun(input);
  for (const t of input.targets) run.add(t);
  return run.finish();
}

/**
 * An incremental lint: `add()` lints a file as soon as it is parsed, `finish()` runs the stream
 * checks and applies suppressions. Documents of files in no stream are released after `add()`, so a
 * 10,000-file run never holds every model at once (less for the GC to trace).
 */
export class LintRun {
  private readonly rules: readonly Rule[];
  private readonly settings: LintSettings;
  private readonly onReport: EngineInput['onReport'];
  private readonly resolver: RuleResolver;
  private readonly knownIds: Set<string>;
  private readonly states = new Map<string, FileState>();
  private readonly catalog: Diagnostic[] = [];
  private readonly streamsByFile = new Map<string, Array<{ stream: StreamSetting; info: StreamInfo; selector?: string }>>();
  private readonly infos = new Map<StreamSetting, StreamInfo>();
  /**
   * Types that cannot be event roots of files outside the catalog, whichever file declares them: the
   * request/response types of every service of the run (API messages) and the types another file's
   * messages use as field types (helpers).
   */
  private readonly notRoots = new Set<string>();

  constructor(input: Omit<EngineInput, 'targets'> & { targets?: readonly LintTarget[] }) {
    this.rules = input.rules;
    this.settings = input.settings;
    this.onReport = input.onReport;
    this.resolver = new RuleResolver(input.rules, input.settings);
    this.knownIds = new Set(input.rules.map((r) => r.meta.id));
    for (const s of input.settings.streams) {
      const info = streamInfo(s);
      this.infos.set(s, info);
      for (const ref of s.schemas) {
        let list = this.streamsByFile.get(ref.file);
        if (list === undefined) this.streamsByFile.set(ref.file, (list = []));
        list.push({ stream: s, info, selector: ref.selector });
      }
    }
  }

  add(target: LintTarget): void {
    const rel = target.configRelative ?? target.file;
    const resolver = this.resolver;
    const state: FileState = { target, rel, effective: resolver.byIdForFile(rel), diagnostics: [] };
    this.states.set(target.file, state);
    for (const p of target.problems) state.diagnostics.push(parseProblemDiagnostic(target.file, p));
    const doc = target.document;
    if (doc === undefined) return;
    state.symbols = lazySymbols(doc);
    if (hasSuppressions(doc)) state.suppressions = new Suppressions(doc, this.knownIds);

    const memberships = this.streamsByFile.get(target.file);
    const { roots, unresolved } = eventRootsOf(doc, memberships ?? []);
    for (const sel of unresolved) this.reportUnresolved(target.file, doc, sel, memberships ?? []);
    const streams = memberships === undefined ? [] : memberships.map((m) => m.info);
    if (doc.format === 'protobuf') {
      for (const n of rpcTypeNames(doc)) this.notRoots.add(n);
      for (const n of importedTypeUses(doc)) this.notRoots.add(n);
      // a .proto outside the catalog may hold a message another file's service returns (`Book` beside
      // `GetBook` in library_service.proto) or uses: its root findings wait until every file is read
      if (memberships === undefined) state.rootTags = new Map();
    }
    lintDocument(state, doc, resolver.forFile(rel), streams, roots, resolver, this.onReport);
    if (memberships === undefined) {
      // no stream check will look at this file again
      state.target = { ...target, document: undefined };
      state.symbols = undefined;
    }
  }

  /** A problem found across files (after the file was added), reported like the file's own parse problems. */
  addProblem(file: string, p: ParseProblem): void {
    this.states.get(file)?.diagnostics.push(parseProblemDiagnostic(file, p));
  }

  private reportUnresolved(file: string, doc: SchemaDocument, sel: string, memberships: ReadonlyArray<{ stream: StreamSetting; selector?: string }>): void {
    for (const m of memberships) {
      if (m.selector !== sel) continue;
      const ref = m.stream.schemas.find((r) => r.file === file && r.selector === sel);
      const names = doc.types.filter((t) => t.kind === 'record').map((t) => t.fullName);
      this.catalog.push({
        ruleId: CATALOG_REFERENCE,
        severity: 'error',
        message: `Stream "${m.stream.topic}" selects type "${sel}" in ${file}, but the file declares no such type. `
          + `Declared records: ${names.length > 0 ? names.join(', ') : 'none'}.`,
        location: { file: m.stream.catalogFile ?? file, range: ref?.loc ?? m.stream.catalogLoc },
      });
    }
  }

  finish(): EngineOutput {
    const { settings, states, knownIds } = this;
    for (const s of settings.streams) {
      runStreamChecks(s, this.infos.get(s) as StreamInfo, states, this.resolver, this.rules, this.onReport);
    }
    const files: EngineFileResult[] = [];
    for (const state of states.values()) {
      if (state.target.report === false) continue;
      const tags = state.rootTags;
      if (tags !== undefined && tags.size > 0 && this.notRoots.size > 0) {
        state.diagnostics = state.diagnostics.filter((d) => {
          const root = tags.get(d);
          return root === undefined || !this.notRoots.has(root);
        });
      }
      let kept = state.diagnostics;
      let suppressedCount = 0;
      const sup = state.suppressions;
      if (sup !== undefined) {
        kept = [];
        for (const d of state.diagnostics) {
          if (d.ruleId !== PARSE_ERROR && sup.suppresses(d)) suppressedCount++;
          else kept.push(d);
        }
        if (settings.reportUnusedDisables === true) kept.push(...sup.unused(knownIds));
        kept.push(...sup.problems);
      }
      kept.sort(compareDiagnostics);
      files.push({ file: state.target.file, diagnostics: kept, suppressedCount });
    }
    return { files, catalog: this.catalog };
  }
}

function lintDocument(
  state: FileState, doc: SchemaDocument, effective: readonly EffectiveRule[], streams: readonly StreamInfo[],
  roots: ReadonlySet<string>, resolver: RuleResolver, onReport: EngineInput['onReport'],
): void {
  const file = state.target.file;
  let typeIndex: Map<string, NamedType> | undefined;
  const lookup = (fullName: string): NamedType | undefined => {
    if (typeIndex === undefined) typeIndex = new Map(doc.types.map((t) => [t.fullName, t] as const));
    return typeIndex.get(fullName) ?? doc.importedTypes.get(fullName);
  };
  const resolve = (node: TypeNode): NamedType | undefined =>
    node.kind === 'ref' || node.kind === 'inline' ? lookup(node.fullName) : undefined;
  const isEventRoot = (t: NamedType): boolean => roots.has(t.fullName);
  /** the record whose hooks are running, so a root finding can be tagged with its root */
  let currentRecord: RecordType | undefined;
  const rootTags = state.rootTags;
  const symbolOf = (record: NamedType, field?: Field): string =>
    field === undefined ? record.fullName : `${record.fullName}.${field.name}`;

  // visitors per node kind, each with its rule so a crash can name it; one try/catch around the
  // whole walk keeps the hot loop free of per-call wrappers
  const onDocument: Array<Hook<(d: SchemaDocument) => void>> = [];
  const onExit: Array<Hook<(d: SchemaDocument) => void>> = [];
  const onRecord: Array<Hook<(r: RecordType) => void>> = [];
  const onField: Array<Hook<(f: Field, r: RecordType) => void>> = [];
  const onEnum: Array<Hook<(e: EnumType) => void>> = [];
  const onFixed: Array<Hook<(e: FixedType) => void>> = [];

  for (const eff of effective) {
    const rule = eff.rule;
    if (!rule.meta.formats.includes(doc.format)) continue;
    // the root this rule last judged to be one, while its hooks for that record run
    let judged: RecordType | undefined;
    const ctx: RuleContext<string, Record<string, unknown>> = {
      document: doc,
      options: eff.options,
      streams,
      eventRoots: roots,
      isEventRoot: rootTags === undefined ? isEventRoot : (t) => {
        const yes = roots.has(t.fullName);
        if (yes && t === currentRecord) judged = currentRecord;
        return yes;
      },
      lookup,
      resolve,
      symbolOf,
      report: (d) => {
        const diag = fileReport(rule, eff, state, d, resolver, onReport);
        if (diag !== undefined && rootTags !== undefined && judged !== undefined && judged === currentRecord) {
          rootTags.set(diag, judged.fullName);
        }
      },
    };
    let v: RuleVisitors;
    try {
      v = rule.create(ctx);
    } catch (err) {
      rethrow(rule, file, err);
    }
    if (v.document) onDocument.push({ rule, fn: v.document.bind(v) });
    if (v['document:exit']) onExit.push({ rule, fn: v['document:exit'].bind(v) });
    if (v.record) onRecord.push({ rule, fn: v.record.bind(v) });
    if (v.field) onField.push({ rule, fn: v.field.bind(v) });
    if (v.enum) onEnum.push({ rule, fn: v.enum.bind(v) });
    if (v.fixed) onFixed.push({ rule, fn: v.fixed.bind(v) });
  }

  let current: Rule | undefined;
  try {
    for (const h of onDocument) { current = h.rule; h.fn(doc); }
    if (onRecord.length + onField.length + onEnum.length + onFixed.length > 0) {
      for (const t of doc.types) {
        if (t.kind === 'record') {
          currentRecord = t;
          for (const h of onRecord) { current = h.rule; h.fn(t); }
          if (onField.length > 0) for (const f of t.fields) for (const h of onField) { current = h.rule; h.fn(f, t); }
        } else if (t.kind === 'enum') {
          currentRecord = undefined;
          for (const h of onEnum) { current = h.rule; h.fn(t); }
        } else {
          currentRecord = undefined;
          for (const h of onFixed) { current = h.rule; h.fn(t); }
        }
      }
    }
    currentRecord = undefined;
    for (const h of onExit) { current = h.rule; h.fn(doc); }
  } catch (err) {
    if (current === undefined) throw err;
    rethrow(current, file, err);
  }
}

function runStreamChecks(
  stream: StreamSetting, info: StreamInfo, states: Map<string, FileState>, resolver: RuleResolver, rules: readonly Rule[],
  onReport: EngineInput['onReport'],
): void {
  // a stream none of whose files was loaded is outside this run (e.g. linting a single path)
  if (!stream.schemas.some((ref) => states.has(ref.file))) return;
  const documents = stream.schemas.map((ref) => {
    const st = states.get(ref.file);
    return { file: ref.file, document: st?.target.document, selector: ref.selector, nonExplicit: st?.target.nonExplicit };
  });
  const first = stream.schemas[0];
  const optionsFrom = first !== undefined ? states.get(first.file) : undefined;
  for (const rule of rules) {
    if (rule.checkStream === undefined) continue;
    const id = rule.meta.id;
    const base = optionsFrom?.effective.get(id)
      ?? resolver.byIdForFile(first !== undefined ? first.file : '').get(id);
    if (base === undefined) continue;
    const report = (file: string, d: ReportDescriptor<string>): void => {
      const st = states.get(file);
      if (st === undefined) {
        throw new Error(`rule ${id} reported on ${file}, which is not a schema of stream "${stream.topic}"`);
      }
      const eff = st.effective.get(id);
      if (eff === undefined) return;
      fileReport(rule, eff, st, d, resolver, onReport);
    };
    try {
      rule.checkStream({ stream: info, documents, options: base.options, report });
    } catch (err) {
      rethrow(rule, stream.topic, err);
    }
  }
}
