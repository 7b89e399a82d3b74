// `schemactl register [topics..]`: register each stream's schema once it passes lint and the
// compatibility check; refuse (exit 1) the streams that do not. Idempotent: a schema already registered
// is reported with its existing version and id.
import type { Argv } from 'yargs';
import { EXIT } from '../errors.js';
import type { FormatterName } from '../formatters/types.js';
import { FORMATTER_NAMES } from '../formatters/types.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';
import { colorEnabled, writeOutputFile } from './io.js';

function builder(y: Argv): Argv {
  return y
    .positional('topics', { type: 'string', array: true, describe: 'register only these streams (default: every stream of the catalog)' })
    .option('config', { alias: 'c', type: 'string', describe: 'path to schemactl.yaml (default: searched upwards from the working directory)' })
    .option('registry', { type: 'string', describe: 'registry URL (default: registry.url of the catalog, else the embedded store)' })
    .option('normalize', { type: 'boolean', default: false, describe: 'ask the registry to normalize schemas, so equivalent spellings share one id' })
    .option('format', { alias: 'f', choices: FORMATTER_NAMES, default: 'stylish' as const, describe: 'format of the findings that refused a stream' })
    .option('output', { alias: 'o', type: 'string', describe: 'write the findings to this file instead of stdout' })
    .option('color', { type: 'boolean', describe: 'colour the stylish output (--no-color to disable)' })
    .example('$0 register', 'register every stream of ./schemactl.yaml in the configured registry')
    .example('$0 register orders.order-placed --registry http://localhost:8081', 'register one stream');
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

async function run(a: Args, io: CliIO): Promise<number> {
  const format = a.format as FormatterName;
  const output = str(a.output);
  const [{ register }, { getFormatter }, { packageVersion }] = await Promise.all([
    import('../register/index.js'),
    import('../formatters/index.js'),
    import('./version.js'),
  ]);
  const outcome = await register({
    cwd: io.cwd,
    env: io.env,
    topics: ((a.topics as string[] | undefined) ?? []).map(String),
    normalize: Boolean(a.normalize),
    ...(str(a.config) !== undefined ? { configFile: str(a.config)! } : {}),
    ...(str(a.registry) !== undefined ? { registry: str(a.registry)! } : {}),
  });
  if (outcome.results.length > 0) {
    const text = getFormatter(format)(outcome.results, {
      cwd: io.cwd,
      color: format === 'stylish' && colorEnabled(io, a.color as boolean | undefined, output !== undefined),
      version: packageVersion(),
    });
    if (output !== undefined) {
      await writeOutputFile(io, output, text);
    } else if (text) io.stderr(text);
  }
  for (const note of outcome.notes) if (!note.includes('is empty')) io.stderr(`schemactl: ${note}\n`);
  const rows: string[][] = [['SUBJECT', 'VERSION', 'ID', 'STATUS']];
  for (const s of outcome.subjects) {
    for (const r of s.references) rows.push([r.subject, String(r.version), String(r.id), r.status === 'registered' ? 'registered (import)' : 'unchanged (import)']);
    rows.push([s.subject, s.version !== undefined ? String(s.version) : '-', s.id !== undefined ? String(s.id) : '-', s.status === 'refused' ? `REFUSED: ${s.reason ?? ''}` : s.status]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  io.stdout(`Registry: ${outcome.target}\n`);
  for (const r of rows) io.stdout(`${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`);
  return outcome.refused > 0 ? EXIT.FINDINGS : EXIT.OK;
}

export const registerCommand: CommandDef = {
  command: 'register [topics..]',
  describe: 'Register the catalog\'s schemas that pass lint and the compatibility check',
  builder,
  run,
};
