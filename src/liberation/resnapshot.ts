// `schemactl publish --resnapshot TABLE`: an operator asks a log stream to read a table again (after
// a dead-letter fix, a restored backup, a consumer that lost its state) while streaming continues.
// The request is a signal message written into the WAL; the stream meets it in commit order and reads
// the table in watermarked chunks like the initial snapshot, so nothing stops and nothing is missed.
// Nothing is registered or published by this command itself.
import { ConfigError, UsageError } from '../errors.js';
import { parseSource } from './source-config.js';
import type { CheckpointStore } from './types.js';
import path from 'node:path';

export interface ResnapshotRequest {
  topic: string;
  tables: string[];
  /** LSN of the signal */
  lsn: string;
}

const noCheckpoints: CheckpointStore = { load: async () => null, save: async () => {}, close: async () => {} };

export async function requestResnapshot(opts: { cwd?: string; configPath?: string; topics?: string[]; tables: string[]; env?: NodeJS.ProcessEnv }): Promise<ResnapshotRequest[]> {
  const cwd = opts.cwd ?? process.cwd();
  const { loadConfig } = await import('../config/load.js');
  const { loadRules } = await import('../config/rules.js');
  const config = await loadConfig({ cwd, rules: await loadRules(), ...(opts.configPath ? { configPath: opts.configPath } : {}), ...(opts.env ? { env: opts.env } : {}) });
  if (!config.file) throw new ConfigError('no schemactl.yaml found (searched upwards from the working directory)');
  const want = opts.tables.map((t) => (t.includes('.') ? t : `public.${t}`));
  const streams = config.streams.filter((s) => s.source && (s.source as { pattern?: string }).pattern === 'log' && (!opts.topics?.length || opts.topics.includes(s.topic)));
  const { createSource } = await import('./sources/index.js');
  const { PgLogicalSource } = await import('./sources/pg-logical.js');
  const out: ResnapshotRequest[] = [];
  const covered = new Set<string>();
  for (const s of streams) {
    const spec = parseSource(s.topic, s.source!, (p) => path.resolve(config.dir, p));
    const source = await createSource(s.topic, spec, { stream: s, configFile: config.file, columns: [], checkpoints: noCheckpoints });
    if (!(source instanceof PgLogicalSource)) continue;
    const tables = want.filter((t) => source.captures(t));
    if (!tables.length) continue;
    out.push({ topic: s.topic, tables, lsn: await source.requestSnapshot(tables) });
    for (const t of tables) covered.add(t);
  }
  const missing = want.filter((t) => !covered.has(t));
  if (missing.length) {
    throw new UsageError(`no ${opts.topics?.length ? 'selected ' : ''}pattern: log stream in ${config.file} captures ${missing.join(', ')}${out.length ? ` (signals were written for ${[...covered].join(', ')})` : ''}`);
  }
  return out;
}
