// Connecting to the registry `check` and `register` use: a remote Confluent-compatible one (URL from the
// command line or the catalog, credentials from the environment or the catalog, a CA file for TLS), or
// the embedded store next to the catalog. Secrets are only ever handed to the client, never printed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { redact, UsageError } from '../errors.js';
import type { Registry, SubjectVersion } from '../registry/types.js';
import { RegistryError } from '../registry/types.js';
import type { SchemaReferenceText } from '../compat/types.js';
import { parseLevel } from '../compat/levels.js';
import type { CompatibilityLevel } from '../compat/levels.js';

export interface RegistryTarget {
  kind: 'remote' | 'embedded';
  /** the URL (redacted) or the data directory, for messages */
  display: string;
  url?: string;
  dataDir?: string;
}

export interface ConnectOptions {
  /** `--registry URL` */
  url?: string;
  /** the catalog's `registry:` section (already `${ENV}`-interpolated) */
  section?: Record<string, unknown>;
  /** directory the catalog lives in: relative CA files and the embedded store resolve here */
  dir: string;
  env: Readonly<Record<string, string | undefined>>;
  /** client tuning, mostly for tests */
  timeoutMs?: number;
  retries?: number;
}

/** `registry.<key>` as a whole number (0 allowed only for retries); undefined when absent. */
function wholeNumber(section: Record<string, unknown> | undefined, key: string, min: number): number | undefined {
  const v = section?.[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new UsageError(`registry.${key} expects a whole number of at least ${min}, got ${JSON.stringify(v)}`, 'registry-config');
  }
  return v;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function registryTarget(opts: ConnectOptions): RegistryTarget {
  const url = opts.url ?? str(opts.section?.url);
  if (url !== undefined) return { kind: 'remote', display: redact(url), url };
  const dataDir = path.resolve(opts.dir, str(opts.section?.data_dir) ?? '.schemactl/registry');
  return { kind: 'embedded', display: path.relative(opts.dir, dataDir) || dataDir, dataDir };
}

/** Open the target; undefined for an embedded store that does not exist yet (nothing registered). */
export async function openTarget(target: RegistryTarget, opts: ConnectOptions, create = false): Promise<Registry | undefined> {
  const { openRegistry } = await import('../registry/index.js');
  if (target.kind === 'embedded') {
    if (!create && !existsSync(target.dataDir!)) return undefined;
    try {
      return await openRegistry({ dataDir: target.dataDir! });
    } catch (err) {
      throw new UsageError(`Cannot open the embedded registry at ${target.display}: ${(err as Error).message}`, 'registry-open', err);
    }
  }
  const env = opts.env;
  const authSection = (opts.section?.auth ?? {}) as Record<string, unknown>;
  const token = str(env.SCHEMACTL_REGISTRY_TOKEN) ?? str(authSection.token) ?? str(authSection.bearer_token);
  const user = str(env.SCHEMACTL_REGISTRY_USER) ?? str(authSection.username) ?? str(authSection.user);
  const password = str(env.SCHEMACTL_REGISTRY_PASSWORD) ?? str(authSection.password) ?? '';
  const ca = str(env.SCHEMACTL_REGISTRY_CA_FILE) ?? str(opts.section?.ca_file) ?? str(opts.section?.ca);
  // client timing: per attempt, the deadline of one call (retries included), and the retries
  const timeoutMs = opts.timeoutMs ?? wholeNumber(opts.section, 'timeout_ms', 1);
  const totalTimeoutMs = wholeNumber(opts.section, 'total_timeout_ms', 1);
  const retries = opts.retries ?? wholeNumber(opts.section, 'retries', 0);
  return openRegistry({
    url: target.url!,
    ...(token !== undefined ? { auth: { bearerToken: token } } : user !== undefined ? { auth: { username: user, password } } : {}),
    ...(ca !== undefined ? { caFile: path.resolve(opts.dir, ca) } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(totalTimeoutMs !== undefined ? { totalTimeoutMs } : {}),
    ...(opts.retries !== undefined ? { retry: { retries: opts.retries, initialDelayMs: 50 } } : retries !== undefined ? { retry: { retries } } : {}),
  });
}

export function isNotFound(err: unknown, ...codes: number[]): boolean {
  return err instanceof RegistryError && (codes.length === 0 ? err.status === 404 : codes.includes(err.errorCode));
}

/** Every version of `subject`, oldest first, with the texts of their references (transitively). */
export async function subjectHistory(reg: Registry, subject: string): Promise<Array<SubjectVersion & { referenceTexts: SchemaReferenceText[] }>> {
  let versions: number[];
  try {
    versions = await reg.getVersions(subject);
  } catch (err) {
    if (isNotFound(err, 40401)) return [];
    throw err;
  }
  const refCache = new Map<string, SubjectVersion>();
  const fetchRef = async (s: string, v: number): Promise<SubjectVersion> => {
    const key = `${s}@${String(v)}`;
    let hit = refCache.get(key);
    if (!hit) {
      hit = await reg.getVersion(s, v);
      refCache.set(key, hit);
    }
    return hit;
  };
  const out: Array<SubjectVersion & { referenceTexts: SchemaReferenceText[] }> = [];
  for (const v of [...versions].sort((a, b) => a - b)) {
    const sv = await reg.getVersion(subject, v);
    const texts: SchemaReferenceText[] = [];
    const seen = new Set<string>();
    const walk = async (refs: SubjectVersion['references']): Promise<void> => {
      for (const r of refs) {
        if (seen.has(r.name)) continue;
        seen.add(r.name);
        const target = await fetchRef(r.subject, r.version);
        await walk(target.references);
        texts.push({ name: r.name, schema: target.schema });
      }
    };
    await walk(sv.references);
    out.push({ ...sv, referenceTexts: texts });
  }
  return out;
}

/** The level the registry applies to `subject`: its own config, else the global one; undefined when neither answers. */
export async function registryLevel(reg: Registry, subject: string): Promise<{ level: CompatibilityLevel; from: 'subject' | 'global' } | undefined> {
  try {
    return { level: parseLevel((await reg.getConfig(subject)).compatibilityLevel), from: 'subject' };
  } catch (err) {
    if (!(err instanceof RegistryError) || err.status >= 500) throw err;
  }
  try {
    return { level: parseLevel((await reg.getConfig()).compatibilityLevel), from: 'global' };
  } catch (err) {
    if (!(err instanceof RegistryError) || err.status >= 500) throw err;
    return undefined;
  }
}
