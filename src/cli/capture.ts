// `schemactl capture install|uninstall|status`: trigger-based change capture for streams whose
// source says `pattern: triggers`. Install and uninstall print the DDL; with --dry-run they print it
// and change nothing.
import path from 'node:path';
import type { Argv } from 'yargs';
import { ConfigError, EXIT, UsageError } from '../errors.js';
import type { ChangeTableConfig } from '../liberation/sources/change-table.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';

interface Selected {
  topic: string;
  spec: ChangeTableConfig;
}

async function selectStreams(a: Args, io: CliIO, topics: string[]): Promise<Selected[]> {
  const [{ loadConfig }, { loadRules }, { captureSpecOf, isTriggerStream, requiredColumnsOf }] = await Promise.all([
    import('../config/load.js'),
    import('../config/rules.js'),
    import('../liberation/capture/config.js'),
  ]);
  const config = await loadConfig({ cwd: io.cwd, configPath: typeof a.config === 'string' ? a.config : undefined, rules: await loadRules(), env: io.env, sections: ['sources'] });
  if (config.file === undefined) throw new ConfigError('no schemactl.yaml found; capture needs the catalog streams (pass --config)');
  const label = path.relative(io.cwd, config.file) || config.file;
  const triggerStreams = config.streams.filter(isTriggerStream);
  const wanted = topics.length ? topics : triggerStreams.map((s) => s.topic);
  if (wanted.length === 0) throw new UsageError(`${label}: no stream has source.pattern: triggers`);
  const out: Selected[] = [];
  const problems: string[] = [];
  for (const topic of wanted) {
    const stream = config.streams.find((s) => s.topic === topic);
    if (!stream) {
      problems.push(`${label}: no stream with topic ${topic} (streams with pattern: triggers: ${triggerStreams.map((s) => s.topic).join(', ') || 'none'})`);
      continue;
    }
    if (!isTriggerStream(stream)) {
      problems.push(`${label}:${stream.loc.line}:${stream.loc.column}: stream ${topic} does not use source.pattern: triggers`);
      continue;
    }
    const { spec, problems: ps } = captureSpecOf(stream, label);
    for (const p of ps) problems.push(`${p.file}:${p.line}:${p.column}: ${p.message}`);
    if (spec) {
      const required = await requiredColumnsOf(stream);
      out.push({ topic, spec: required ? { ...spec, requiredColumns: required } : spec });
    }
  }
  if (problems.length) throw new ConfigError(problems.join('\n'));
  return out;
}

function common(y: Argv): Argv {
  return y
    .positional('topics', { type: 'string', array: true, describe: 'stream topics (default: every stream with pattern: triggers)' })
    .option('config', { alias: 'c', type: 'string', describe: 'path to schemactl.yaml' });
}

const topicsOf = (a: Args): string[] => ((a.topics as string[] | undefined) ?? []).map(String);

async function install(a: Args, io: CliIO): Promise<number> {
  const streams = await selectStreams(a, io, topicsOf(a));
  const { installCapture } = await import('../liberation/capture/install.js');
  const dryRun = a['dry-run'] === true;
  for (const s of streams) {
    const r = await installCapture(s.spec, { dryRun });
    if (r.action === 'up-to-date') {
      io.stdout(`${s.topic}: capture is installed and up to date\n`);
      continue;
    }
    io.stdout(`-- ${s.topic}: ${dryRun ? 'would be ' : ''}${r.action}\n${r.statements.map((x) => `${x};`).join('\n')}\n`);
    for (const f of r.drift?.findings ?? []) io.stderr(`${s.topic}: ${f.message}\n`);
  }
  return EXIT.OK;
}

async function uninstall(a: Args, io: CliIO): Promise<number> {
  const streams = await selectStreams(a, io, topicsOf(a));
  const { uninstallCapture } = await import('../liberation/capture/install.js');
  const dryRun = a['dry-run'] === true;
  for (const s of streams) {
    const r = await uninstallCapture(s.spec, { dryRun, force: a.force === true });
    if (r.action === 'not-installed') {
      io.stdout(`${s.topic}: capture is not installed\n`);
      continue;
    }
    io.stdout(`-- ${s.topic}: ${dryRun ? 'would be ' : ''}removed${r.backlogDropped ? ` (${r.backlogDropped} unpublished changes ${dryRun ? 'would be ' : ''}dropped)` : ''}\n${r.statements.map((x) => `${x};`).join('\n')}\n`);
  }
  return EXIT.OK;
}

async function status(a: Args, io: CliIO): Promise<number> {
  const streams = await selectStreams(a, io, topicsOf(a));
  const { captureStatus } = await import('../liberation/capture/install.js');
  const all = [];
  for (const s of streams) all.push(await captureStatus(s.spec));
  if (a.format === 'json') {
    io.stdout(`${JSON.stringify(all, null, 2)}\n`);
  } else {
    for (const st of all) {
      const backlog = st.backlog ? `${st.backlog.rows} rows${st.backlog.oldestAgeSeconds !== null ? `, oldest ${st.backlog.oldestAgeSeconds.toFixed(1)} s` : ''}` : 'n/a';
      io.stdout(`${st.topic}: ${st.installed ? `installed v${st.version}${st.current ? '' : ' (outdated)'}` : 'not installed'}; backlog ${backlog}\n`);
      for (const t of st.triggers) io.stdout(`  trigger ${t.name}: ${t.present ? 'present' : 'MISSING'}, ${t.enabled ? 'enabled' : 'DISABLED'}${t.version !== null ? `, v${t.version}` : ''}\n`);
      for (const f of st.drift?.findings ?? []) io.stdout(`  ${f.breaking ? 'breaking' : 'note'}: ${f.message}\n`);
      for (const p of st.problems) if (!st.drift?.findings.some((f) => f.message === p)) io.stdout(`  problem: ${p}\n`);
    }
  }
  return all.some((s) => s.problems.length > 0) ? EXIT.FINDINGS : EXIT.OK;
}

export const captureInstallCommand: CommandDef = {
  command: 'install [topics..]',
  describe: 'Create the change table and triggers for streams with source.pattern: triggers',
  builder: (y) => common(y).option('dry-run', { type: 'boolean', default: false, describe: 'print the DDL, change nothing' }),
  run: install,
};

export const captureUninstallCommand: CommandDef = {
  command: 'uninstall [topics..]',
  describe: 'Remove exactly what capture install created',
  builder: (y) => common(y)
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the DDL, change nothing' })
    .option('force', { type: 'boolean', default: false, describe: 'drop the change table even if it holds unpublished changes' }),
  run: uninstall,
};

export const captureStatusCommand: CommandDef = {
  command: 'status [topics..]',
  describe: 'Show the backlog and trigger health of captured streams',
  builder: (y) => common(y).option('format', { type: 'string', choices: ['text', 'json'], default: 'text' }),
  run: status,
};

