// The library entry for linting: config + files in, FileResult[] out. The CLI is a thin shell over
// this. I/O happens here (reading files concurrently, baseline file); the engine itself is pure.
// node:fs rather than node:fs/promises, which costs every run a few ms to load (readline, the file
// watchers): a pre-commit run stats a handful of files, cheaper in place than through the thread pool
import { type Dirent, readFileSync, readdir, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, FileResult } from '../diagnostics/types.js';
import { countBySeverity } from '../diagnostics/types.js';
import { UsageError } from '../errors.js';
import {
  DEFAULT_BASELINE_FILE, IGNORED_DIRECTORIES, READ_CONCURRENCY, SCHEMA_EXTENSIONS, SLOW_READ_MS, SLOW_READ_SAMPLE,
} from '../config/defaults.js';
import { loadConfig, resolveRuleOverrides } from '../config/load.js';
import { loadRules } from '../config/rules.js';
import type { ResolvedConfig } from '../config/types.js';
import { parseSchemaText, readSchemaFile, readSchemaFileSync, type ReadSchemaOptions, type SchemaFile } from '../formats/index.js';
import { createProtoImportCache } from '../formats/protobuf/index.js';
import { ProtoSymbolTable } from '../formats/protobuf/symbol-table.js';
import type { BaselineFileInput } from '../lint/baseline.js';
import { CATALOG_REFERENCE, LintRun, PARSE_ERROR } from '../lint/engine.js';
import { applyFixes, MAX_FIX_PASSES } from '../lint/fix.js';
import { MAY_BE_GLOB, picomatch } from '../lint/glob.js';
import type { Rule, RuleSeverity } from '../lint/rule.js';
import type { OverrideSetting, StreamSetting } from '../lint/types.js';
import type { SchemaDocument } from '../model/types.js';

export type RuleOverride = RuleSeverity | [RuleSeverity] | [RuleSeverity, Record<string, unknown>];

export interface LintOptions {
  /** working directory: config search starts here, relative paths resolve here (default: process.cwd()) */
  cwd?: string;
  /** files, directories or globs; default: every schema the catalog names */
  paths?: string[];
  /** alias of `paths` */
  patterns?: string[];
  /** explicit schemactl.yaml (default: searched upwards from cwd) */
  configPath?: string;
  /** alias of `configPath` */
  configFile?: string;
  /** baseline file: findings recorded there are hidden */
  baseline?: string;
  /** record the current findings in the baseline (default file: .schemactl-baseline.json in cwd) */
  updateBaseline?: boolean;
  /** report suppressions that suppressed nothing */
  reportUnusedDisables?: boolean;
  /** rule settings that win over the config and its overrides (e.g. from `--rule`) */
  ruleOverrides?: Record<string, RuleOverride>;
  /** the rules to run (default: the bundled rules/) */
  rules?: readonly Rule[];
  /** environment for `${VAR}` interpolation (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /**
   * apply the fixes of fixable findings to the texts, re-linting until nothing more is fixed (at most
   * MAX_FIX_PASSES passes); files are not written: each changed file's result carries `output`
   */
  fix?: boolean;
}

export interface LintOutcome {
  results: FileResult[];
  errorCount: number;
  warningCount: number;
  /** findings hidden by suppressions and the baseline */
  suppressedCount: number;
  config: ResolvedConfig;
}

function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** A directory's entries, read concurrently with the other directories of a walk; undefined when unreadable. */
function entriesOf(dir: string): Promise<Dirent[] | undefined> {
  return new Promise((resolve) => {
    readdir(dir, { withFileTypes: true }, (err, entries) => resolve(err ? undefined : entries));
  });
}

async function walk(dir: string, accept: (abs: string) => boolean, out: string[]): Promise<void> {
  const entries = await entriesOf(dir);
  if (entries === undefined) return;
  const subdirs: string[] = [];
  for (const e of entries) {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!IGNORED_DIRECTORIES.includes(e.name)) subdirs.push(abs);
    } else if (e.isFile() && accept(abs)) out.push(abs);
  }
  await Promise.all(subdirs.map((d) => walk(d, accept, out)));
}

/** Expand files, directories and globs to absolute file paths (missing literal files are kept, to be reported). */
async function expandPaths(patterns: readonly string[], cwd: string): Promise<string[]> {
  const found = new Set<string>();
  const isSchema = (abs: string): boolean => SCHEMA_EXTENSIONS.includes(path.extname(abs).toLowerCase());
  for (const pattern of patterns) {
    const scan = MAY_BE_GLOB.test(pattern) ? picomatch().scan(pattern) : undefined;
    if (scan?.isGlob === true) {
      const base = path.resolve(cwd, scan.base === '' ? '.' : scan.base);
      const match = picomatch()(scan.glob, { dot: false });
      const hits: string[] = [];
      await walk(base, (abs) => match(toPosix(path.relative(base, abs))), hits);
      if (hits.length === 0) throw new UsageError(`No files match the pattern "${pattern}".`, 'no-files');
      for (const h of hits) found.add(h);
      continue;
    }
    const abs = path.resolve(cwd, pattern);
    let isDir = false;
    try {
      isDir = statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
    } catch {
      // a missing or unreadable literal file becomes a finding on that file
    }
    if (isDir) {
      const hits: string[] = [];
      await walk(abs, isSchema, hits);
      if (hits.length === 0) throw new UsageError(`No .avsc, .avdl or .proto files under ${pattern}.`, 'no-files');
      for (const h of hits) found.add(h);
    } else found.add(abs);
  }
  return [...found].sort();
}

/**
 * Read and parse every file, handing each result to `accept` as soon as it is ready. Reads start
 * synchronously: with the files in the page cache (the usual case right after a checkout) that is
 * several times cheaper than asynchronous reads, measured on 10,000 files. When reads turn out slow
 * (cold cache, network file system), the rest is read concurrently so the disk queue stays full.
 */
async function readAll(
  files: readonly string[], cwd: string, opts: ReadSchemaOptions, accept: (f: SchemaFile, abs: string) => void,
  edited?: ReadonlyMap<string, string>,
): Promise<void> {
  let next = 0;
  let readMs = 0;
  while (next < files.length) {
    const abs = files[next++] as string;
    const text = edited?.get(abs);
    if (text !== undefined) {
      accept(parseSchemaText(displayPath(abs, cwd), text, { ...opts, absolutePath: abs }), abs);
      continue;
    }
    const r = readSchemaFileSync(displayPath(abs, cwd), { ...opts, absolutePath: abs });
    readMs += r.readMs;
    accept(r.result, abs);
    if (next >= SLOW_READ_SAMPLE && readMs / next > SLOW_READ_MS) break;
  }
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const abs = files[next++] as string;
      const text = edited?.get(abs);
      accept(text !== undefined
        ? parseSchemaText(displayPath(abs, cwd), text, { ...opts, absolutePath: abs })
        : await readSchemaFile(displayPath(abs, cwd), { ...opts, absolutePath: abs }), abs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length - next) }, worker));
}

export async function lint(opts: LintOptions = {}): Promise<LintOutcome> {
  if (opts.fix !== true) return lintOnce(opts);
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  // absolute path → edited text; the original texts are kept to tell which files changed
  const edited = new Map<string, string>();
  const original = new Map<string, string>();
  // files whose last fixes broke parsing: they keep their text from before that pass and get no more fixes
  const frozen = new Set<string>();
  const parseErrors = (r: FileResult): number => r.diagnostics.filter((d) => d.ruleId === PARSE_ERROR).length;
  let lastPass = new Map<string, { text: string; parseErrors: number }>();
  let outcome = await lintOnce(opts, edited);
  for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
    const before = new Map<string, { text: string; parseErrors: number }>();
    let reverted = false;
    for (const r of outcome.results) {
      const abs = path.resolve(cwd, r.file);
      const prev = lastPass.get(abs);
      if (prev !== undefined && parseErrors(r) > prev.parseErrors) {
        edited.set(abs, prev.text);
        frozen.add(abs);
        reverted = true;
      }
    }
    for (const r of outcome.results) {
      const abs = path.resolve(cwd, r.file);
      if (frozen.has(abs) || r.source === undefined || !r.diagnostics.some((d) => d.fix !== undefined)) continue;
      const applied = applyFixes(r.source, r.diagnostics);
      if (applied.fixed.length === 0) continue;
      if (!original.has(abs)) original.set(abs, r.source);
      before.set(abs, { text: r.source, parseErrors: parseErrors(r) });
      edited.set(abs, applied.output);
    }
    if (before.size === 0 && !reverted) break;
    lastPass = before;
    outcome = await lintOnce(opts, edited);
  }
  for (const r of outcome.results) {
    const abs = path.resolve(cwd, r.file);
    const text = edited.get(abs);
    if (text !== undefined && text !== original.get(abs)) r.output = text;
  }
  return outcome;
}

async function lintOnce(opts: LintOptions, edited?: ReadonlyMap<string, string>): Promise<LintOutcome> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const patterns = opts.paths ?? opts.patterns ?? [];
  // rule modules load while the file system is walked; config validation needs the rules
  const expanded = patterns.length > 0 ? expandPaths(patterns, cwd) : undefined;
  expanded?.catch(() => undefined);
  const rules = opts.rules ?? await loadRules();
  // lint reads no registry, Kafka or database settings: their `${ENV}` references are not required
  const config = await loadConfig({ cwd, configPath: opts.configPath ?? opts.configFile, rules, env: opts.env, sections: [] });
  const catalogLabel = config.file !== undefined ? displayPath(config.file, cwd) : undefined;

  const streams: StreamSetting[] = config.streams.map((s) => ({
    topic: s.topic,
    kind: s.kind,
    schemas: s.schemas.map((r) => ({ ref: r.ref, file: displayPath(r.path, cwd), selector: r.selector, loc: r.loc })),
    catalogFile: catalogLabel,
    catalogLoc: s.loc,
    ...(s.schemaType !== undefined ? { schemaType: s.schemaType } : {}),
  }));
  const catalogFiles = new Map<string, string>(); // display → absolute
  for (const s of config.streams) for (const r of s.schemas) catalogFiles.set(displayPath(r.path, cwd), r.path);

  let targetFiles: string[];
  const reportFiles = new Set<string>();
  if (expanded !== undefined) {
    targetFiles = await expanded;
    for (const f of targetFiles) reportFiles.add(displayPath(f, cwd));
    // stream checks need every schema of a stream that touches a target
    const extra = new Set<string>();
    for (const s of streams) {
      if (s.schemas.some((r) => reportFiles.has(r.file))) {
        for (const r of s.schemas) if (!reportFiles.has(r.file)) extra.add(catalogFiles.get(r.file) as string);
      }
    }
    targetFiles = [...targetFiles, ...extra];
  } else {
    if (config.file === undefined) {
      throw new UsageError('No schemactl.yaml found here or in a parent directory, and no files given. Pass schema files, directories or globs, or create a catalog with `schemactl init`.', 'no-config');
    }
    targetFiles = [...new Set(catalogFiles.values())].sort();
    for (const f of targetFiles) reportFiles.add(displayPath(f, cwd));
  }

  const overrides: OverrideSetting[] = [...config.overrides];
  if (opts.ruleOverrides !== undefined && Object.keys(opts.ruleOverrides).length > 0) {
    overrides.push({ rules: resolveRuleOverrides(opts.ruleOverrides, rules) });
  }
  const run = new LintRun({
    rules,
    settings: { rules: config.rules, overrides, streams, reportUnusedDisables: opts.reportUnusedDisables },
  });

  const refsByFile = new Map<string, Array<{ s: StreamSetting; r: StreamSetting['schemas'][number] }>>();
  for (const s of streams) {
    for (const r of s.schemas) {
      let list = refsByFile.get(r.file);
      if (list === undefined) refsByFile.set(r.file, (list = []));
      list.push({ s, r });
    }
  }
  const wantBaseline = opts.baseline !== undefined || opts.updateBaseline === true;
  const catalogDiagnostics: Diagnostic[] = [];
  // only the baseline needs documents after linting (to hash the offending node)
  const documents = new Map<string, SchemaDocument>();
  const sources = new Map<string, string>();
  const sameDir = config.dir === cwd;
  const importCache = new Map<string, string | null>();
  const protoImports = createProtoImportCache();
  const symbols = new ProtoSymbolTable();

  // each file is linted as soon as it is parsed, while other reads are in flight
  const accept = (f: SchemaFile, abs: string): void => {
    const missing = f.problems.length === 1 && f.problems[0]?.code === 'file-not-found';
    const refs = refsByFile.get(f.file);
    if (missing && refs !== undefined && catalogLabel !== undefined) {
      // the catalog entry is what is wrong: point at it, not at a file that does not exist
      for (const { s, r } of refs) {
        catalogDiagnostics.push({
          ruleId: CATALOG_REFERENCE,
          severity: 'error',
          message: `Stream "${s.topic}" names ${r.ref}, but ${f.file} does not exist. Fix the path (it is relative to ${displayPath(config.dir, cwd) || '.'}) or add the file.`,
          location: { file: catalogLabel, range: r.loc },
          fatal: true,
        });
      }
      run.add({ file: f.file, problems: [], report: false });
      return;
    }
    if (wantBaseline && f.document !== undefined) documents.set(f.file, f.document);
    if (f.text !== undefined) sources.set(f.file, f.text);
    run.add({
      file: f.file,
      configRelative: sameDir && !path.isAbsolute(f.file) ? toPosix(f.file) : toPosix(path.relative(config.dir, abs)),
      document: f.document,
      problems: f.problems,
      nonExplicit: f.nonExplicit,
      report: reportFiles.has(f.file),
    });
  };
  await readAll(targetFiles, cwd, { cwd, includePaths: config.includePaths, importCache, protoImports }, (f, abs) => {
    if (f.document?.format === 'protobuf') symbols.add(f.document);
    accept(f, abs);
  }, edited);
  for (const { file, problem } of symbols.conflicts()) run.addProblem(file, problem);
  const engine = run.finish();

  let results: FileResult[] = engine.files.map((r) => {
    const fr: FileResult = { file: r.file, diagnostics: r.diagnostics };
    const src = sources.get(r.file);
    if (src !== undefined) fr.source = src;
    if (r.suppressedCount > 0) fr.suppressedCount = r.suppressedCount;
    return fr;
  });
  const catalogFindings = [...catalogDiagnostics, ...engine.catalog];
  if (catalogFindings.length > 0 && catalogLabel !== undefined) {
    catalogFindings.sort((a, b) => (a.location.range?.line ?? 0) - (b.location.range?.line ?? 0));
    results.push({ file: catalogLabel, diagnostics: catalogFindings, source: config.text });
  }

  if (opts.baseline !== undefined || opts.updateBaseline === true) {
    const baselineFile = path.resolve(cwd, opts.baseline ?? DEFAULT_BASELINE_FILE);
    const baseDir = path.dirname(baselineFile);
    const { buildBaseline, filterByBaseline, parseBaseline, serializeBaseline } = await import('../lint/baseline.js');
    const inputs: BaselineFileInput[] = results.map((result) => ({
      result,
      key: toPosix(path.relative(baseDir, path.resolve(cwd, result.file))),
      document: documents.get(result.file),
    }));
    let baseline;
    if (opts.updateBaseline === true) {
      baseline = buildBaseline(inputs);
      writeFileSync(baselineFile, serializeBaseline(baseline));
    } else {
      let text: string;
      try {
        text = readFileSync(baselineFile, 'utf8');
      } catch (err) {
        throw new UsageError(`Cannot read the baseline ${displayPath(baselineFile, cwd)} (${(err as NodeJS.ErrnoException).code ?? 'error'}). Create it with --update-baseline.`, 'baseline', err);
      }
      baseline = parseBaseline(text, displayPath(baselineFile, cwd));
    }
    results = filterByBaseline(inputs, baseline);
  }

  results.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  let errorCount = 0;
  let warningCount = 0;
  let suppressedCount = 0;
  for (const r of results) {
    const c = countBySeverity(r.diagnostics);
    errorCount += c.errors;
    warningCount += c.warnings;
    suppressedCount += r.suppressedCount ?? 0;
  }
  return { results, errorCount, warningCount, suppressedCount, config };
}
