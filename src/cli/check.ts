// `schemactl check [topics..]`: the CI gate on schema changes.
//
// Exit status: 0 compatible, 1 incompatible (a subject the registry would refuse, whatever severity its
// findings are configured at, unless --fail-on findings; or an error finding), 2 usage/config/input error (including
// a schema that does not parse and a git ref that cannot be fetched), 3 registry unreachable — fail
// closed: a check that could not run never exits 0.
import type { Argv } from 'yargs';
import { isCompatibilityLevel, LEVELS } from '../compat/levels.js';
import { EXIT, UsageError } from '../errors.js';
import type { FormatterName } from '../formatters/types.js';
import { FORMATTER_NAMES } from '../formatters/types.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';
import { colorEnabled, writeOutputFile } from './io.js';

function builder(y: Argv): Argv {
  return y
    .positional('topics', { type: 'string', array: true, describe: 'check only these streams (default: every stream of the catalog)' })
    .option('config', { alias: 'c', type: 'string', describe: 'path to schemactl.yaml (default: searched upwards from the working directory)' })
    .option('against', { type: 'string', describe: 'compare with the schemas at a git revision: git:REF (e.g. git:origin/main)' })
    .option('registry', { type: 'string', describe: 'compare with a Confluent-compatible registry at this URL (default: registry.url, else the embedded store)' })
    .option('level', { type: 'string', describe: `compatibility level for every subject (${LEVELS.join(', ')}; default: registry or catalog)` })
    .option('old', { type: 'string', describe: 'ad-hoc pair: the previous schema file (with --new)' })
    .option('new', { type: 'string', describe: 'ad-hoc pair: the candidate schema file (with --old)' })
    .option('advisories', { choices: ['warn', 'error', 'off'] as const, describe: 'severity of every finding beyond the registry (logical types, renames, reused field numbers); default: warn, or as set per rule in schemactl.yaml' })
    .option('fail-on', { choices: ['verdict', 'findings'] as const, default: 'verdict' as const, describe: 'verdict: exit 1 when a subject is incompatible (the registry\'s verdict) or an error is reported; findings: exit 1 only on error findings, so rules set to warn or off in schemactl.yaml do not fail the run' })
    .option('allow-removal', { type: 'boolean', default: false, describe: 'report removed streams and schemas as warnings, not errors' })
    .option('format', { alias: 'f', choices: FORMATTER_NAMES, default: 'stylish' as const, describe: 'output format' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
    .option('color', { type: 'boolean', describe: 'colour the stylish output (--no-color to disable)' })
    .example('$0 check --against git:origin/main', 'compare the catalog with the base branch (CI on pull requests)')
    .example('$0 check orders.order-placed --registry https://registry:8081', 'compare one stream with a registry')
    .example('$0 check --old v1.avsc --new v2.avsc --level FULL', 'compare two files');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

async function writeReport(io: CliIO, output: string | undefined, text: string): Promise<void> {
  if (output !== undefined) await writeOutputFile(io, output, text);
  else if (text) io.stdout(text);
}

async function run(a: Args, io: CliIO): Promise<number> {
  const format = a.format as FormatterName;
  const output = str(a.output);
  const level = str(a.level);
  if (level !== undefined && !isCompatibilityLevel(level.trim().toUpperCase())) {
    throw new UsageError(`--level ${level} is not a compatibility level; use one of ${LEVELS.join(', ')}.`);
  }
  const [{ check }, { getFormatter }, { packageVersion }, { compatMetaLookup }] = await Promise.all([
    import('../check/index.js'),
    import('../formatters/index.js'),
    import('./version.js'),
    import('./rule-docs.js'),
  ]);
  const outcome = await check({
    cwd: io.cwd,
    env: io.env,
    topics: ((a.topics as string[] | undefined) ?? []).map(String),
    ...(a.advisories !== undefined ? { advisories: a.advisories as 'warn' | 'error' | 'off' } : {}),
    allowRemoval: Boolean(a['allow-removal']),
    ...(str(a.config) !== undefined ? { configFile: str(a.config)! } : {}),
    ...(str(a.against) !== undefined ? { against: str(a.against)! } : {}),
    ...(str(a.registry) !== undefined ? { registry: str(a.registry)! } : {}),
    ...(level !== undefined ? { level } : {}),
    ...(str(a.old) !== undefined ? { old: str(a.old)! } : {}),
    ...(str(a.new) !== undefined ? { new: str(a.new)! } : {}),
  });
  const withFindings = outcome.results.filter((r) => r.diagnostics.length > 0);
  const text = getFormatter(format)(withFindings, {
    cwd: io.cwd,
    color: format === 'stylish' && colorEnabled(io, a.color as boolean | undefined, output !== undefined),
    version: packageVersion(),
    rules: compatMetaLookup(),
  });
  await writeReport(io, output, text);
  // the per-subject summary goes to stderr so stdout stays a clean report in every format
  for (const note of outcome.notes) io.stderr(`schemactl: ${note}\n`);
  for (const s of outcome.subjects) {
    const versions = s.versions.length > 0 ? ` version${s.versions.length === 1 ? '' : 's'} ${s.versions.join(', ')}` : '';
    const verdict = {
      compatible: `compatible (${s.level}) with ${s.against}${s.against.startsWith('version') || s.against.includes('registry') ? versions : ''}`,
      incompatible: `NOT compatible (${s.level}) with ${s.against}`,
      new: `new (no previous version in ${s.against})`,
      removed: `removed since ${s.against}`,
      invalid: 'cannot be checked (see above)',
    }[s.status];
    const remote = s.registryCompatible === undefined ? '' : `; the registry says ${s.registryCompatible ? 'compatible' : 'incompatible'}`;
    io.stderr(`${s.status === 'compatible' || s.status === 'new' ? '✓' : '✗'} ${s.topic} (${s.subject}): ${verdict}${remote}\n`);
  }
  if (outcome.fatal) return EXIT.USAGE;
  // the registry's verdict decides unless the user opts out with --fail-on findings: a registry rule
  // set to warn or off changes what is reported, not whether the subject may be registered
  if (a['fail-on'] !== 'findings' && outcome.incompatible > 0) return EXIT.FINDINGS;
  return outcome.errorCount > 0 ? EXIT.FINDINGS : EXIT.OK;
}

export const checkCommand: CommandDef = {
  command: 'check [topics..]',
  describe: 'Check schema evolution against a git revision, a schema registry or the embedded store',
  builder,
  run,
};
