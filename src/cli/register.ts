// `schemactl register [topics..]`: register each stream's schema once it passes lint and the
// compatibility check; refuse (exit 1) the streams that do not (exit 2 when one is not a valid schema).
// Idempotent: a schema already registered is reported with its existing version and id.
import type { Argv } from 'yargs';
import { EXIT } from '../errors.js';
import type { FormatterName } from '../formatters/types.js';
import { FORMATTER_NAMES } from '../formatters/types.js';
import type { RegisterOutcome } from '../register/index.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';
import { colorEnabled, writeOutputFile } from './io.js';

function builder(y: Argv): Argv {
  return y
    .positional('topics', { type: 'string', array: true, describe: 'register only these streams (default: every stream of the catalog)' })
    .option('config', { alias: 'c', type: 'string', describe: 'path to schemactl.yaml (default: searched upwards from the working directory)' })
    .option('registry', { type: 'string', describe: 'registry URL (default: registry.url of the catalog, else the embedded store)' })
    .option('normalize', { type: 'boolean', default: false, describe: 'ask the registry to normalize schemas, so equivalent spellings share one id' })
    .option('format', { alias: 'f', choices: FORMATTER_NAMES, default: 'stylish' as const, describe: 'report format: stylish (findings and a table), json (each subject\'s version, id, status and reasons, and the findings), or the findings only in sarif, junit, github' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the report to this file instead of stdout' })
    .option('color', { type: 'boolean', describe: 'colour the stylish output (--no-color to disable)' })
    .example('$0 register', 'register every stream of ./schemactl.yaml in the configured registry')
    .example('$0 register orders.order-placed --registry http://localhost:8081', 'register one stream');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** How `register --format json` names a status: what happened to the subject in this run. */
const JSON_STATUS = { registered: 'registered', unchanged: 'already registered', refused: 'refused', missing: 'missing' } as const;

/** The table of subjects, the human report of a registration. */
function table(outcome: RegisterOutcome): string {
  const rows: string[][] = [['SUBJECT', 'VERSION', 'ID', 'STATUS']];
  for (const s of outcome.subjects) {
    for (const r of s.references) rows.push([r.subject, String(r.version), String(r.id), r.status === 'registered' ? 'registered (import)' : 'unchanged (import)']);
    rows.push([s.subject, s.version !== undefined ? String(s.version) : '-', s.id !== undefined ? String(s.id) : '-', s.status === 'refused' ? `REFUSED: ${s.reason ?? ''}` : s.status]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return `Registry: ${outcome.target}\n${rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`).join('')}`;
}

/** `--format json`: the registration itself (every subject with version, id, status and reasons) and the findings in the json formatter's shape. */
function jsonReport(outcome: RegisterOutcome, findings: string): string {
  const subjects = outcome.subjects.map((s) => ({
    topic: s.topic,
    subject: s.subject,
    file: s.file,
    status: JSON_STATUS[s.status],
    version: s.version ?? null,
    id: s.id ?? null,
    ...(s.status === 'refused' ? { reasons: s.reasons ?? (s.reason ? [s.reason] : []) } : {}),
    references: s.references.map((r) => ({ subject: r.subject, version: r.version, id: r.id, status: JSON_STATUS[r.status] })),
  }));
  return `${JSON.stringify({ registry: outcome.target, refused: outcome.refused, subjects, findings: JSON.parse(findings) as unknown }, null, 2)}\n`;
}

async function run(a: Args, io: CliIO): Promise<number> {
  const format = a.format as FormatterName;
  const output = str(a.output);
  const [{ register }, { getFormatter }, { packageVersion }, { allMetaLookup }] = await Promise.all([
    import('../register/index.js'),
    import('../formatters/index.js'),
    import('./version.js'),
    import('./rule-docs.js'),
  ]);
  const outcome = await register({
    cwd: io.cwd,
    env: io.env,
    topics: ((a.topics as string[] | undefined) ?? []).map(String),
    normalize: Boolean(a.normalize),
    ...(str(a.config) !== undefined ? { configFile: str(a.config)! } : {}),
    ...(str(a.registry) !== undefined ? { registry: str(a.registry)! } : {}),
  });
  const findings = getFormatter(format)(outcome.results, {
    cwd: io.cwd,
    color: format === 'stylish' && colorEnabled(io, a.color as boolean | undefined, output !== undefined),
    version: packageVersion(),
    ...(format === 'sarif' ? { rules: await allMetaLookup() } : {}),
  });
  // The report in the chosen format is the only thing on stdout (or in --output): stylish is the
  // findings followed by the table; json is the registration and the findings in one document; the
  // other formats carry the findings only, and the table goes to stderr with the notes.
  let report: string;
  if (format === 'json') report = jsonReport(outcome, findings);
  else if (format === 'stylish') report = `${findings}${findings && !findings.endsWith('\n\n') ? '\n' : ''}${table(outcome)}`;
  else report = findings;
  if (output !== undefined) await writeOutputFile(io, output, report);
  else if (report) io.stdout(report);
  for (const note of outcome.notes) if (!note.includes('is empty')) io.stderr(`schemactl: ${note}\n`);
  if (format !== 'stylish' && format !== 'json') io.stderr(table(outcome));
  else if (output !== undefined) io.stderr(format === 'json' ? `schemactl: wrote the registration report to ${output}\n` : table(outcome));
  // a schema the registry would refuse as invalid is an input error, as for lint and check
  if (outcome.invalid > 0) return EXIT.USAGE;
  return outcome.refused > 0 ? EXIT.FINDINGS : EXIT.OK;
}

export const registerCommand: CommandDef = {
  command: 'register [topics..]',
  describe: 'Register the catalog\'s schemas that pass lint and the compatibility check',
  builder,
  run,
};
