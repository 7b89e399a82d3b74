// The catalog side shared by `check` and `register` (and the publish gate): loading schemactl.yaml as
// these commands need it, turning its streams into pairing entries, and reaching the registry.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import type { EnvSection } from '../config/load.js';
import { loadRules } from '../config/rules.js';
import { didYouMean } from '../config/suggest.js';
import type { ResolvedConfig } from '../config/types.js';
import { decodeSchemaBytes } from '../formats/index.js';
import type { SourceRange } from '../model/types.js';
import type { ConnectOptions } from './registry.js';
import { isSchemaPath, parseStrategy } from './units.js';
import type { ReadText, StreamEntry, SubjectStrategy } from './units.js';

export const START: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : abs;
}

export const readWorkingTree: ReadText = async (abs) => {
  try {
    const decoded = decodeSchemaBytes(await readFile(abs));
    return 'text' in decoded ? decoded.text : undefined;
  } catch {
    return undefined;
  }
};

export function streamEntries(config: ResolvedConfig): StreamEntry[] {
  return config.streams.map((s) => {
    const e: StreamEntry = {
      topic: s.topic,
      schemas: s.schemas.map((r) => ({ abs: r.path, ...(r.selector !== undefined ? { selector: r.selector } : {}), loc: r.loc })),
      loc: s.loc,
    };
    if (s.compatibility) e.compatibility = s.compatibility;
    if (s.schemaType) e.schemaType = s.schemaType;
    if (s.key !== undefined && isSchemaPath(s.key)) e.keySchema = { abs: path.resolve(config.dir, s.key) };
    return e;
  });
}

export function strategyOf(section: Record<string, unknown> | undefined, where: string): SubjectStrategy {
  const raw = section?.subject_strategy;
  if (raw === undefined) return 'TopicNameStrategy';
  const s = parseStrategy(raw);
  if (!s) throw new UsageError(`${where}: registry.subject_strategy ${JSON.stringify(raw)} is not one of TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy.`, 'config');
  return s;
}

export function selectStreams(entries: StreamEntry[], topics: readonly string[] | undefined, catalog: string): StreamEntry[] {
  if (!topics || topics.length === 0) return entries;
  const known = entries.map((e) => e.topic);
  for (const t of topics) {
    if (!known.includes(t)) throw new UsageError(`${catalog} has no stream "${t}".${didYouMean(t, known)}`, 'unknown-topic');
  }
  return entries.filter((e) => topics.includes(e.topic));
}

/**
 * The catalog as check and register read it. `sections` names the `${ENV}`-bearing sections the caller
 * uses (the registry, unless comparing with git); publish sources and Kafka settings are never needed.
 */
export async function loadCatalog(
  cwd: string,
  configFile: string | undefined,
  env: Readonly<Record<string, string | undefined>> | undefined,
  sections: readonly EnvSection[] = ['registry'],
): Promise<ResolvedConfig> {
  const rules = await loadRules();
  const config = await loadConfig({ cwd, ...(configFile !== undefined ? { configPath: configFile } : {}), rules, sections, ...(env ? { env: env as NodeJS.ProcessEnv } : {}) });
  if (config.file === undefined) {
    throw new UsageError('No schemactl.yaml found here or in a parent directory. Pass --config, create one with `schemactl init`, or compare two files with --old and --new.', 'no-config');
  }
  return config;
}

/** How to reach the registry: `--registry` wins over the catalog's `registry:` section. */
export function connectOptions(
  config: ResolvedConfig,
  env: ConnectOptions['env'],
  opts: { registry?: string; timeoutMs?: number; retries?: number },
): ConnectOptions {
  return {
    dir: config.dir,
    env,
    ...(opts.registry !== undefined ? { url: opts.registry } : {}),
    ...(config.registry ? { section: config.registry } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
  };
}
