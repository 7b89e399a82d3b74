// `schemactl lint [paths|globs...]`
//
// Exit status: 2 when any file could not be parsed (a fatal parse-error finding: the input is
// unusable, like a config error), otherwise 1 when errors remain after --quiet/--baseline or when
// warnings exceed --max-warnings, otherwise 0. Usage and config errors exit 2 through main's catch.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { FileResult } from '../diagnostics/types.js';
import { EXIT, UsageError } from '../errors.js';
import type { FormatterName } from '../formatters/types.js';
import { FORMATTER_NAMES } from '../formatters/types.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';
import { colorEnabled, writeOutputFile } from './io.js';

export interface LintArgs {
  paths: string[];
  config?: string;
  format: FormatterName;
  output?: string;
  maxWarnings: number;
  quiet: boolean;
  baseline?: string;
  updateBaseline: boolean;
  reportUnusedDisables: boolean;
  color?: boolean;
  fix: boolean;
  fixDryRun: boolean;
}

const DEFAULT_BASELINE = '.schemactl-baseline.json';

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}
const CATALOG_NAME = /^schemactl\.ya?ml$/;

/** Results of several catalogs, one entry per file; a file both catalogs name keeps distinct findings. */
function mergeResults(into: FileResult[], add: readonly FileResult[]): FileResult[] {
  const byFile = new Map(into.map((r) => [r.file, r]));
  for (const r of add) {
    const prev = byFile.get(r.file);
    if (!prev) {
      byFile.set(r.file, r);
      continue;
    }
    const seen = new Set(prev.diagnostics.map((d) => JSON.stringify(d)));
    byFile.set(r.file, { ...prev, diagnostics: [...prev.diagnostics, ...r.diagnostics.filter((d) => !seen.has(JSON.stringify(d)))] });
  }
  return [...byFile.values()];
}

function builder(y: Argv): Argv {
  return y
    .positional('paths', { type: 'string', array: true, describe: 'files, directories or globs (default: the streams of schemactl.yaml)' })
    .option('config', { alias: 'c', type: 'string', describe: 'path to schemactl.yaml (default: searched upwards from the working directory)' })
    .option('format', { alias: 'f', choices: FORMATTER_NAMES, default: 'stylish' as const, describe: 'output format' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
    .option('max-warnings', { type: 'number', default: -1, describe: 'exit 1 when there are more warnings than this (-1: no limit)' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'report errors only' })
    .option('baseline', { type: 'string', describe: `hide findings recorded in this baseline file (default with --update-baseline: ${DEFAULT_BASELINE})` })
    .option('update-baseline', { type: 'boolean', default: false, describe: 'record the current findings in the baseline file' })
    .option('report-unused-disables', { type: 'boolean', default: false, describe: 'report disable directives that suppress nothing' })
    .option('color', { type: 'boolean', describe: 'colour the stylish output (--no-color to disable; NO_COLOR and FORCE_COLOR are honoured)' })
    .option('fix', { type: 'boolean', default: false, describe: 'fix the fixable findings in place (`schemactl rules` marks those rules) and report the rest' })
    .option('fix-dry-run', { type: 'boolean', default: false, describe: 'print the fixes --fix would make as a unified diff; write nothing (the report goes to --output only)' })
    .example('$0 lint', 'lint the streams of ./schemactl.yaml')
    .example('$0 lint "schemas/**/*.avsc" --format sarif -o lint.sarif', 'write a SARIF report for code scanning')
    .example('$0 lint --fix-dry-run schemas/', 'show what --fix would change');
}

function toLintArgs(a: Args): LintArgs {
  const maxWarnings = a['max-warnings'] as number;
  if (!Number.isInteger(maxWarnings) || maxWarnings < -1) {
    throw new UsageError(`--max-warnings expects a whole number ≥ -1, got ${String(a['max-warnings'])}`);
  }
  if (a['fix'] && a['fix-dry-run']) {
    throw new UsageError('--fix writes the fixes and --fix-dry-run only shows them; pass one of them');
  }
  if (a['update-baseline'] && a['quiet']) {
    throw new UsageError('--update-baseline records every finding; do not combine it with --quiet');
  }
  return {
    paths: ((a.paths as string[] | undefined) ?? []).map(String),
    config: a.config as string | undefined,
    format: a.format as FormatterName,
    output: a.output as string | undefined,
    maxWarnings,
    quiet: Boolean(a.quiet),
    baseline: a.baseline as string | undefined,
    updateBaseline: Boolean(a['update-baseline']),
    reportUnusedDisables: Boolean(a['report-unused-disables']),
    color: a.color as boolean | undefined,
    fix: Boolean(a.fix),
    fixDryRun: Boolean(a['fix-dry-run']),
  };
}

export function exitCodeFor(results: readonly FileResult[], maxWarnings: number): { code: number; reason?: string } {
  let errors = 0;
  let warnings = 0;
  let fatal = false;
  for (const r of results) {
    for (const d of r.diagnostics) {
      if (d.fatal) fatal = true;
      if (d.severity === 'error') errors++;
      else warnings++;
    }
  }
  if (fatal) return { code: EXIT.USAGE };
  if (errors > 0) return { code: EXIT.FINDINGS };
  if (maxWarnings >= 0 && warnings > maxWarnings) {
    return { code: EXIT.FINDINGS, reason: `schemactl found too many warnings (maximum: ${maxWarnings}).` };
  }
  return { code: EXIT.OK };
}

async function run(a: Args, io: CliIO): Promise<number> {
  const args = toLintArgs(a);
  const toFile = args.output !== undefined;
  const [{ lint }, formatter, rulesLookup, { packageVersion }] = await Promise.all([
    import('../api/lint.js'),
    import('../formatters/load.js').then((m) => m.loadFormatter(args.format)),
    args.format === 'sarif' ? import('./rule-docs.js').then((m) => m.ruleMetaLookup()) : Promise.resolve(undefined),
    import('./version.js'),
  ]);
  // A catalog given as a path (pre-commit and lint-staged pass staged files) means "lint this
  // catalog": its streams and the catalog itself, as if given with --config.
  const catalogs = args.paths.filter((p) => CATALOG_NAME.test(path.basename(p)));
  const patterns = args.paths.filter((p) => !CATALOG_NAME.test(path.basename(p)));
  if (catalogs.length > 0 && args.config !== undefined) {
    throw new UsageError(`${catalogs[0]} is a catalog; pass it with --config or as a path, not both`);
  }
  if (catalogs.length > 1 && args.updateBaseline) {
    throw new UsageError('--update-baseline records one catalog at a time; run it once per schemactl.yaml');
  }
  const runs: Array<{ patterns: string[]; configFile?: string }> = catalogs.length === 0
    ? [{ patterns, configFile: args.config }]
    : catalogs.map((c, i) => ({ patterns: i === 0 ? patterns : [], configFile: c }));
  let results: FileResult[] = [];
  for (const r of runs) {
    const outcome = await lint({
      cwd: io.cwd,
      patterns: r.patterns,
      configFile: r.configFile,
      reportUnusedDisables: args.reportUnusedDisables,
      baseline: args.baseline,
      updateBaseline: args.updateBaseline,
      fix: args.fix || args.fixDryRun,
    });
    results = mergeResults(results, outcome.results);
  }
  const fixed = results.filter((r) => r.output !== undefined);
  if (args.fix) {
    for (const r of fixed) writeFileSync(path.resolve(io.cwd, r.file), r.output!);
  } else if (args.fixDryRun) {
    // the diff is what was asked for on stdout; the report of what would remain goes to --output only
    const { unifiedDiff } = await import('../formatters/unified-diff.js');
    const diff = fixed.map((r) => unifiedDiff(toPosix(r.file), readFileSync(path.resolve(io.cwd, r.file), 'utf8'), r.output!)).join('');
    if (diff) io.stdout(diff);
  }
  if (args.updateBaseline) {
    io.stderr(`schemactl: recorded the current findings in ${args.baseline ?? DEFAULT_BASELINE}; they are hidden from now on\n`);
  }
  if (args.quiet) {
    results = results.map((r) => ({ ...r, diagnostics: r.diagnostics.filter((d) => d.severity === 'error') }));
  }

  const options = {
    cwd: io.cwd,
    color: false,
    rules: rulesLookup,
    // only SARIF reports it; finding package.json costs a few file reads
    version: args.format === 'sarif' ? packageVersion() : undefined,
  };
  let text = formatter(results, options);
  // Colour is decided only when there is something to print: whether stdout is a terminal is read from
  // process.stdout, which builds a stream (and loads Node's stream modules) that a clean run never needs.
  if (text && args.format === 'stylish' && colorEnabled(io, args.color, toFile)) text = formatter(results, { ...options, color: true });
  if (toFile) {
    await writeOutputFile(io, args.output!, text);
  } else if (text && !args.fixDryRun) {
    io.stdout(text);
  }
  const { code, reason } = exitCodeFor(results, args.maxWarnings);
  if (reason) io.stderr(`${reason}\n`);
  return code;
}

export const lintCommand: CommandDef = {
  command: 'lint [paths..]',
  describe: 'Lint Avro (.avsc, .avdl) and Protobuf (.proto) schemas and the stream catalog',
  builder,
  run,
};
