// `schemactl publish [topics...]`: the gate (lint, compatibility, registration), then database rows to
// Kafka (or the file sink). Progress on a TTY, one JSON log line per event otherwise; a summary at exit.
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';

function builder(y: Argv): Argv {
  return y
    .positional('topics', { type: 'string', array: true, describe: 'streams to publish (default: every stream with a source)' })
    .option('config', { alias: 'c', type: 'string', describe: 'schemactl.yaml to use (default: searched upwards)' })
    .option('once', { type: 'boolean', default: false, describe: 'catch up, then exit (default: keep polling until SIGINT/SIGTERM)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'run the gate, map and validate every row; produce nothing, move no checkpoint' })
    .option('keep-going', { type: 'boolean', default: false, describe: 'publish the streams that passed the gate even if others were refused' })
    .option('brokers', { type: 'string', describe: 'Kafka bootstrap brokers, comma-separated (default: the catalog\'s kafka.brokers, else the file sink)' })
    .option('out', { type: 'string', describe: 'file sink path (default .schemactl/published.ndjson beside the catalog)' })
    .option('registry', { type: 'string', describe: 'schema registry URL (default: the catalog\'s registry.url, else the embedded store)' })
    .option('state-dir', { type: 'string', describe: 'where checkpoints are kept (default .schemactl/state beside the catalog)' })
    .option('resnapshot', { type: 'string', array: true, describe: 'pattern: log — ask the stream(s) capturing TABLE to read it again while streaming continues, then exit (repeatable)' })
    .option('group', { type: 'string', describe: 'share the streams with every publisher of this group through Kafka\'s group coordinator (default: the catalog\'s kafka.group)' })
    .option('instance-id', { type: 'string', describe: 'this publisher\'s name in its group (default host-pid)' })
    .option('metrics-port', { type: 'number', describe: 'serve /metrics (Prometheus), /healthz and /readyz on this port' })
    .option('log-format', { choices: ['auto', 'json', 'text'] as const, default: 'auto', describe: 'progress output: text on a terminal, JSON lines otherwise' });
}

function fmtRate(n: number, ms: number): string {
  return ms > 0 ? `${Math.round((n * 1000) / ms)}/s` : '-';
}

async function run(a: Args, io: CliIO): Promise<number> {
  const topics = ((a.topics as string[] | undefined) ?? []).map(String);
  const brokers = a.brokers ? String(a.brokers).split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  if (brokers && brokers.length === 0) throw new UsageError('--brokers needs at least one host:port');
  const json = a['log-format'] === 'json' || (a['log-format'] === 'auto' && !io.stdoutIsTTY);
  const metricsPort = a['metrics-port'] === undefined ? undefined : Number(a['metrics-port']);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) throw new UsageError('--metrics-port needs a port number (0-65535)');
  if (a.group !== undefined && String(a.group) === '') throw new UsageError('--group needs a name');
  const resnapshot = ((a.resnapshot as string[] | undefined) ?? []).map(String).filter(Boolean);
  if (resnapshot.length) {
    const { requestResnapshot } = await import('../liberation/resnapshot.js');
    const requests = await requestResnapshot({ cwd: io.cwd, ...(a.config ? { configPath: String(a.config) } : {}), ...(topics.length ? { topics } : {}), tables: resnapshot, env: io.env as NodeJS.ProcessEnv });
    for (const r of requests) {
      if (json) io.stdout(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg: 'snapshot requested', topic: r.topic, tables: r.tables, lsn: r.lsn }) + '\n');
      else io.stdout(`snapshot of ${r.tables.join(', ')} requested for ${r.topic} (signal at LSN ${r.lsn}); the running publisher reads it while streaming\n`);
    }
    return 0;
  }
  // before any row is read: bound how far the JS heap grows between full collections (see the module)
  (await import('../liberation/heap-growth.js')).boundHeapGrowth(io.env);
  const { publish } = await import('../liberation/publish.js');
  const controller = new AbortController();
  let stopping = false;
  void io.waitForShutdown().then((sig) => {
    stopping = true;
    io.stderr(`schemactl: ${sig} received; finishing the current batch, then exiting\n`);
    controller.abort();
  });
  // paths under the working directory are shown relative to it, as everywhere else in the CLI
  const rel = (text: string) => text.split(`${io.cwd}${path.sep}`).join('');
  const log = (obj: Record<string, unknown>) => io.stdout(JSON.stringify({ time: new Date().toISOString(), ...obj }) + '\n');
  const lastPrint = new Map<string, number>();
  const outcome = await publish({
    cwd: io.cwd,
    ...(a.config ? { configPath: String(a.config) } : {}),
    ...(topics.length ? { topics } : {}),
    once: Boolean(a.once),
    dryRun: Boolean(a['dry-run']),
    keepGoing: Boolean(a['keep-going']),
    ...(brokers ? { brokers } : {}),
    ...(a.out ? { outFile: path.resolve(io.cwd, String(a.out)) } : {}),
    ...(a.registry ? { registryUrl: String(a.registry) } : {}),
    ...(a['state-dir'] ? { stateDir: path.resolve(io.cwd, String(a['state-dir'])) } : {}),
    signal: controller.signal,
    env: io.env as NodeJS.ProcessEnv,
    ...(a.group !== undefined ? { group: String(a.group) } : {}),
    ...(a['instance-id'] !== undefined ? { instanceId: String(a['instance-id']) } : {}),
    ...(metricsPort !== undefined ? { metricsPort } : {}),
    onEvent: (e) => {
      if (e.type === 'gate') {
        if (json) log({ level: e.ok ? 'info' : 'error', msg: e.ok ? 'gate passed' : 'gate refused', topic: e.topic, schemaId: e.schemaId, findings: e.findings.map((f) => `${f.location.file}${f.location.range ? `:${f.location.range.line}:${f.location.range.column}` : ''} ${f.ruleId}: ${f.message}`) });
        else if (e.ok) io.stderr(`✔ ${e.topic}: schema passed lint and compatibility (schema id ${e.schemaId})\n`);
        else {
          io.stderr(`✖ ${e.topic}: refused by the gate\n`);
          for (const f of e.findings) {
            const where = `${path.relative(io.cwd, f.location.file) || f.location.file}${f.location.range ? `:${f.location.range.line}:${f.location.range.column}` : ''}`;
            io.stderr(`    ${where}  ${f.ruleId}  ${f.message}\n`);
          }
        }
      } else if (e.type === 'progress') {
        const s = e.stats;
        const now = Date.now();
        if (json) log({ level: 'info', msg: 'progress', topic: e.topic, read: s.read, published: s.published, tombstones: s.tombstones, deadLettered: s.deadLettered, bound: s.bound ?? null });
        else if (now - (lastPrint.get(e.topic) ?? 0) > 500) {
          lastPrint.set(e.topic, now);
          io.stderr(`  ${e.topic}: ${s.published} published, ${s.tombstones} tombstones, ${s.deadLettered} dead-lettered, ${fmtRate(s.read, now - s.startedAt)}\n`);
        }
      } else if (json) {
        const { type: _t, ...rest } = e;
        log(rest);
      } else if (e.level !== 'info') {
        const where = e.position ? ` at ${String(e.position)}` : e.topic ? ` (${String(e.topic)})` : '';
        const field = e.field ? `, field \`${String(e.field)}\`` : '';
        const to = e.target ? ` → ${rel(String(e.target))}` : '';
        io.stderr(`  ${e.level}: ${e.msg}${where}${field}${e.reason ? `: ${String(e.reason)}` : ''}${e.error ? `: ${String(e.error)}` : ''}${to}\n`);
      }
    },
  });
  const lines = outcome.streams.map((s) => {
    const st = s.stats;
    const ms = st ? Date.now() - st.startedAt : 0;
    const counts = st ? `${st.read} read, ${st.published} published, ${st.tombstones} tombstones, ${st.deadLettered} dead-lettered (${fmtRate(st.read, ms)})` : '';
    return { topic: s.topic, status: s.status, schemaId: s.schemaId, counts, error: s.error, stats: st };
  });
  if (json) {
    log({ level: outcome.exitCode === 0 ? 'info' : 'error', msg: 'summary', sink: outcome.sink, dryRun: Boolean(a['dry-run']), streams: lines.map((l) => ({ topic: l.topic, status: l.status, schemaId: l.schemaId, read: l.stats?.read, published: l.stats?.published, tombstones: l.stats?.tombstones, deadLettered: l.stats?.deadLettered, committed: l.stats?.committed ?? null, error: l.error })) });
  } else {
    // a run where every stream failed or was refused must not open with "Published to …"
    const any = outcome.streams.some((s) => s.status === 'published');
    io.stdout(`${a['dry-run'] ? 'Dry run (nothing produced)' : any ? `Published to ${rel(outcome.sink)}` : 'Nothing published'}${stopping ? ' — stopped on request' : ''}\n`);
    for (const l of lines) io.stdout(`  ${l.status.padEnd(9)} ${l.topic}${l.schemaId !== undefined ? ` (schema id ${l.schemaId})` : ''}${l.counts ? `: ${l.counts}` : ''}${l.error ? `: ${l.error}` : ''}\n`);
  }
  return outcome.exitCode;
}

export const publishCommand: CommandDef = {
  command: 'publish [topics..]',
  describe: 'Publish database rows as events, only for streams whose schemas pass lint and compatibility',
  builder,
  run,
};
