// A typed client for the part of the Confluent Schema Registry REST API schemactl uses. Built on
// node:http/https rather than fetch because a private CA needs an https.Agent, which Node's built-in
// fetch cannot take without an extra dependency. Retries (exponential backoff with full jitter) apply
// to network failures, timeouts and 5xx answers only; a 4xx is the registry's verdict and is final.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { InvalidResponseError, redact, UnreachableError, UsageError } from '../errors.js';
import { errors, RegistryError } from './types.js';
import type {
  CompatibilityResult,
  ConfigResult,
  ConfigUpdate,
  Mode,
  RegisterResult,
  Registry,
  SchemaById,
  SchemaInput,
  SchemaReference,
  SchemaType,
  SubjectVersion,
  VersionRef,
} from './types.js';

export interface RetryOptions {
  /** attempts after the first one; default 2 */
  retries?: number;
  /** first backoff ceiling in ms; default 200 */
  initialDelayMs?: number;
  /** backoff ceiling in ms; default 5000 */
  maxDelayMs?: number;
}

export interface ClientOptions {
  /** base URL; `user:password@` in it is used as basic auth (and never printed) */
  url: string;
  auth?: { username: string; password: string } | { bearerToken: string };
  /** PEM file with the CA(s) to trust for https */
  caFile?: string;
  /** per-attempt timeout in ms; default 4000 */
  timeoutMs?: number;
  /**
   * deadline in ms for one call, retries and backoff included; default 12000. A registry that accepts
   * connections and never answers holds a command this long, not attempts x timeout (41-44 s before).
   */
  totalTimeoutMs?: number;
  retry?: RetryOptions;
  headers?: Record<string, string>;
}

export const DEFAULT_TIMEOUT_MS = 4_000;
export const DEFAULT_TOTAL_TIMEOUT_MS = 12_000;
export const DEFAULT_RETRIES = 2;

const ACCEPT = 'application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json';
const RETRIABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

interface RawResponse {
  status: number;
  text: string;
}

class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const enc = encodeURIComponent;

/** What a 2xx body must look like, checked before any field is used (a wrong body is exit 3, not a NaN). */
interface Shape {
  what: string;
  test: (b: unknown) => boolean;
}
const isObj = (b: unknown): b is Record<string, unknown> => b !== null && typeof b === 'object' && !Array.isArray(b);
const SHAPES = {
  strings: { what: 'an array of strings', test: (b: unknown) => Array.isArray(b) && b.every((x) => typeof x === 'string') },
  ints: { what: 'an array of integers', test: (b: unknown) => Array.isArray(b) && b.every((x) => Number.isInteger(x)) },
  version: {
    what: 'a schema version ({subject, version, id, schema})',
    test: (b: unknown) => isObj(b) && Number.isInteger(b.version) && Number.isInteger(b.id) && typeof b.schema === 'string',
  },
  schema: { what: 'a schema ({schema})', test: (b: unknown) => isObj(b) && typeof b.schema === 'string' },
  id: { what: 'a registration answer ({id})', test: (b: unknown) => isObj(b) && Number.isInteger(b.id) },
  compat: { what: 'a compatibility answer ({is_compatible})', test: (b: unknown) => isObj(b) && typeof b.is_compatible === 'boolean' },
  config: { what: 'a config ({compatibilityLevel})', test: (b: unknown) => isObj(b) && (typeof b.compatibilityLevel === 'string' || typeof b.compatibility === 'string') },
  mode: { what: 'a mode ({mode})', test: (b: unknown) => isObj(b) && typeof b.mode === 'string' },
  int: { what: 'an integer', test: (b: unknown) => Number.isInteger(b) },
  subjectVersions: { what: 'an array of {subject, version}', test: (b: unknown) => Array.isArray(b) && b.every((x) => isObj(x) && typeof x.subject === 'string' && Number.isInteger(x.version)) },
} satisfies Record<string, Shape>;

function toVersion(body: Record<string, unknown>, subjectFallback: string): SubjectVersion {
  return {
    subject: typeof body.subject === 'string' ? body.subject : subjectFallback,
    version: Number(body.version),
    id: Number(body.id),
    schemaType: (typeof body.schemaType === 'string' ? body.schemaType : 'AVRO') as SchemaType,
    schema: String(body.schema ?? ''),
    references: Array.isArray(body.references) ? (body.references as SchemaReference[]) : [],
  };
}

function inputBody(input: SchemaInput): Record<string, unknown> {
  const b: Record<string, unknown> = { schema: input.schema };
  if (input.schemaType && input.schemaType !== 'AVRO') b.schemaType = input.schemaType;
  if (input.references && input.references.length > 0) b.references = input.references;
  return b;
}

export class HttpRegistryClient implements Registry {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly authHeader: string | undefined;
  private readonly timeoutMs: number;
  private readonly totalTimeoutMs: number;
  private readonly retries: number;
  private readonly initialDelay: number;
  private readonly maxDelay: number;
  private readonly display: string;

  constructor(private readonly opts: ClientOptions) {
    let base: URL;
    try {
      base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
    } catch {
      throw new UsageError(`The registry URL ${redact(opts.url)} is not a valid URL`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new UsageError(`The registry URL ${redact(opts.url)} must start with http:// or https://`);
    }
    this.display = redact(opts.url);
    let auth = opts.auth;
    if (!auth && base.username) auth = { username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
    base.username = '';
    base.password = '';
    this.base = base;
    if (auth && 'bearerToken' in auth) this.authHeader = `Bearer ${auth.bearerToken}`;
    else if (auth) this.authHeader = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    let ca: Buffer | undefined;
    if (opts.caFile) {
      try {
        ca = readFileSync(opts.caFile);
      } catch (e) {
        throw new UsageError(`Cannot read the registry CA file ${opts.caFile}: ${(e as Error).message}`);
      }
    }
    this.agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...(ca ? { ca } : {}) }) : new http.Agent({ keepAlive: true });
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.totalTimeoutMs = opts.totalTimeoutMs ?? DEFAULT_TOTAL_TIMEOUT_MS;
    this.retries = opts.retry?.retries ?? DEFAULT_RETRIES;
    this.initialDelay = opts.retry?.initialDelayMs ?? 200;
    this.maxDelay = opts.retry?.maxDelayMs ?? 5_000;
  }

  private once(method: string, url: URL, body: string | undefined, timeoutMs: number): Promise<RawResponse> {
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { accept: ACCEPT, ...this.opts.headers };
      if (this.authHeader) headers.authorization = this.authHeader;
      if (body !== undefined) {
        headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      const req = mod.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(new NetworkError(e.message, 'ECONNRESET', { cause: e }));
        });
      });
      const timer = setTimeout(() => req.destroy(new NetworkError(`no answer within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(e instanceof NetworkError ? e : new NetworkError(e.message, e.code ?? 'ECONNRESET', { cause: e }));
      });
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  private backoff(attempt: number): number {
    const ceiling = Math.min(this.maxDelay, this.initialDelay * 2 ** attempt);
    return Math.random() * ceiling;
  }

  /** One API call with retries; returns the parsed JSON body of a 2xx answer. */
  async request<T = unknown>(
    method: string,
    path: string,
    query: Record<string, string | boolean | undefined> = {},
    body?: unknown,
    shape?: Shape,
  ): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let lastNetwork: NetworkError | undefined;
    let lastServer: RegistryError | undefined;
    const deadline = Date.now() + this.totalTimeoutMs;
    let attempts = 0;
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) {
        const pause = this.backoff(attempt - 1);
        // no retry that could not get a useful share of the deadline
        if (Date.now() + pause + 100 >= deadline) break;
        await sleep(pause);
      }
      const left = deadline - Date.now();
      if (left <= 0) break;
      let res: RawResponse;
      attempts++;
      try {
        res = await this.once(method, url, payload, Math.min(this.timeoutMs, left));
      } catch (e) {
        if (e instanceof NetworkError && (RETRIABLE_CODES.has(e.code) || !e.code)) {
          lastNetwork = e;
          continue;
        }
        throw new UnreachableError(`Cannot reach the schema registry at ${this.display}: ${redact((e as Error).message)}`, e);
      }
      lastNetwork = undefined;
      if (res.status >= 200 && res.status < 300) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(res.text);
        } catch {
          // every endpoint this client calls answers JSON: anything else is not a registry talking
          throw this.invalid(url, `HTTP ${res.status} with a body that is not JSON (${res.text.length} bytes${res.text === '' ? '' : `, starting ${JSON.stringify(res.text.slice(0, 40))}`})`);
        }
        if (shape && !shape.test(parsed)) throw this.invalid(url, `HTTP ${res.status} with JSON that is not ${shape.what}`);
        return parsed as T;
      }
      const err = this.toError(res);
      if (res.status >= 500) {
        lastServer = err;
        continue;
      }
      throw err;
    }
    if (lastNetwork) {
      throw new UnreachableError(
        `Cannot reach the schema registry at ${this.display} (${lastNetwork.code}: ${redact(lastNetwork.message)}) after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${Math.round((Date.now() - deadline + this.totalTimeoutMs) / 100) / 10} s. ` +
          'Check the URL and that the registry is running.',
        lastNetwork,
      );
    }
    throw lastServer ?? errors.store('the registry gave no answer');
  }

  /** A 2xx answer that is not what the API returns: exit 3, with the URL (credentials never in it). */
  invalid(url: URL, what: string): InvalidResponseError {
    const shown = new URL(url.toString());
    shown.search = '';
    return new InvalidResponseError(`Invalid response from the registry at ${redact(shown.toString())}: ${what}`);
  }

  private toError(res: RawResponse): RegistryError {
    let code = res.status;
    let message = res.text.slice(0, 500) || `HTTP ${res.status}`;
    try {
      const b = JSON.parse(res.text) as { error_code?: unknown; message?: unknown };
      if (typeof b.error_code === 'number') code = b.error_code;
      if (typeof b.message === 'string') message = b.message;
    } catch {
      /* not JSON: keep the text */
    }
    if (res.status === 401 || res.status === 403) {
      message = `${message} (the schema registry at ${this.display} rejected the credentials)`;
    }
    return new RegistryError(res.status, code, message);
  }

  // ---- Registry ----

  listSubjects(opts: { deleted?: boolean } = {}): Promise<string[]> {
    return this.request('GET', 'subjects', { deleted: opts.deleted || undefined }, undefined, SHAPES.strings);
  }

  getVersions(subject: string, opts: { deleted?: boolean } = {}): Promise<number[]> {
    return this.request('GET', `subjects/${enc(subject)}/versions`, { deleted: opts.deleted || undefined }, undefined, SHAPES.ints);
  }

  async getVersion(subject: string, version: VersionRef, opts: { deleted?: boolean } = {}): Promise<SubjectVersion> {
    const b = await this.request<Record<string, unknown>>('GET', `subjects/${enc(subject)}/versions/${version}`, { deleted: opts.deleted || undefined }, undefined, SHAPES.version);
    return toVersion(b, subject);
  }

  getLatest(subject: string): Promise<SubjectVersion> {
    return this.getVersion(subject, 'latest');
  }

  async getById(id: number): Promise<SchemaById> {
    const b = await this.request<Record<string, unknown>>('GET', `schemas/ids/${id}`, {}, undefined, SHAPES.schema);
    const v = toVersion(b, '');
    return { schema: v.schema, schemaType: v.schemaType, references: v.references };
  }

  getSubjectsById(id: number, opts: { deleted?: boolean } = {}): Promise<string[]> {
    return this.request('GET', `schemas/ids/${id}/subjects`, { deleted: opts.deleted || undefined }, undefined, SHAPES.strings);
  }

  getVersionsById(id: number, opts: { deleted?: boolean } = {}): Promise<{ subject: string; version: number }[]> {
    return this.request('GET', `schemas/ids/${id}/versions`, { deleted: opts.deleted || undefined }, undefined, SHAPES.subjectVersions);
  }

  getReferencedBy(subject: string, version: VersionRef): Promise<number[]> {
    return this.request('GET', `subjects/${enc(subject)}/versions/${version}/referencedby`, {}, undefined, SHAPES.ints);
  }

  async register(subject: string, input: SchemaInput, opts: { normalize?: boolean } = {}): Promise<RegisterResult> {
    const b = await this.request<{ id: number; version?: number }>('POST', `subjects/${enc(subject)}/versions`, { normalize: opts.normalize }, inputBody(input), SHAPES.id);
    return typeof b.version === 'number' ? { id: b.id, version: b.version } : { id: b.id };
  }

  async lookup(subject: string, input: SchemaInput, opts: { normalize?: boolean; deleted?: boolean } = {}): Promise<SubjectVersion> {
    const b = await this.request<Record<string, unknown>>('POST', `subjects/${enc(subject)}`, { normalize: opts.normalize, deleted: opts.deleted || undefined }, inputBody(input), SHAPES.version);
    return toVersion(b, subject);
  }

  async testCompatibility(
    subject: string,
    version: VersionRef | undefined,
    input: SchemaInput,
    opts: { verbose?: boolean; normalize?: boolean } = {},
  ): Promise<CompatibilityResult> {
    const path = `compatibility/subjects/${enc(subject)}/versions${version === undefined ? '' : `/${version}`}`;
    const b = await this.request<{ is_compatible: boolean; messages?: unknown }>(
      'POST',
      path,
      { verbose: opts.verbose ?? true, normalize: opts.normalize },
      inputBody(input),
      SHAPES.compat,
    );
    return { isCompatible: b.is_compatible === true, messages: Array.isArray(b.messages) ? b.messages.map(String) : [] };
  }

  async getConfig(subject?: string, opts: { defaultToGlobal?: boolean } = {}): Promise<ConfigResult> {
    const b = await this.request<ConfigResult & { compatibility?: ConfigResult['compatibilityLevel'] }>(
      'GET',
      subject === undefined ? 'config' : `config/${enc(subject)}`,
      { defaultToGlobal: subject === undefined ? undefined : opts.defaultToGlobal },
      undefined,
      SHAPES.config,
    );
    const out: ConfigResult = { compatibilityLevel: b.compatibilityLevel ?? b.compatibility ?? 'BACKWARD' };
    if (typeof b.normalize === 'boolean') out.normalize = b.normalize;
    return out;
  }

  setConfig(subject: string | undefined, update: ConfigUpdate): Promise<ConfigUpdate> {
    return this.request('PUT', subject === undefined ? 'config' : `config/${enc(subject)}`, {}, update);
  }

  async deleteConfig(subject?: string): Promise<ConfigResult> {
    const b = await this.request<ConfigResult & { compatibility?: ConfigResult['compatibilityLevel'] }>('DELETE', subject === undefined ? 'config' : `config/${enc(subject)}`);
    return { compatibilityLevel: b?.compatibilityLevel ?? b?.compatibility ?? 'BACKWARD' };
  }

  async getMode(subject?: string, opts: { defaultToGlobal?: boolean } = {}): Promise<Mode> {
    const b = await this.request<{ mode: Mode }>('GET', subject === undefined ? 'mode' : `mode/${enc(subject)}`, {
      defaultToGlobal: subject === undefined ? undefined : opts.defaultToGlobal,
    }, undefined, SHAPES.mode);
    return b.mode;
  }

  async setMode(subject: string | undefined, mode: Mode): Promise<Mode> {
    return (await this.request<{ mode: Mode }>('PUT', subject === undefined ? 'mode' : `mode/${enc(subject)}`, {}, { mode })).mode;
  }

  async deleteMode(subject?: string): Promise<Mode> {
    return (await this.request<{ mode: Mode }>('DELETE', subject === undefined ? 'mode' : `mode/${enc(subject)}`)).mode;
  }

  deleteSubject(subject: string, opts: { permanent?: boolean } = {}): Promise<number[]> {
    return this.request('DELETE', `subjects/${enc(subject)}`, { permanent: opts.permanent || undefined }, undefined, SHAPES.ints);
  }

  deleteVersion(subject: string, version: VersionRef, opts: { permanent?: boolean } = {}): Promise<number> {
    return this.request('DELETE', `subjects/${enc(subject)}/versions/${version}`, { permanent: opts.permanent || undefined }, undefined, SHAPES.int);
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}
