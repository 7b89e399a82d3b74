// The Confluent Schema Registry REST API over the embedded store, on bare node:http. Paths, bodies,
// status codes, error codes and messages follow the registry so unmodified Confluent clients work
// against it. Loopback by default; optional HTTP basic auth; a request size limit (413).
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import { EmbeddedRegistry, DEFAULT_DATA_DIR } from './embedded/store.js';
import { UsageError } from '../errors.js';
import { errors, parseSchemaType, parseVersionRef, RegistryError } from './types.js';
import type { CompatibilityChecker, SchemaType, ConfigUpdate, Mode, SchemaById, SchemaInput, SubjectVersion } from './types.js';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
export const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

export interface ServeOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  /** one user (the library's original option) */
  auth?: { username: string; password: string };
  /** several users; with `auth`, both are accepted */
  users?: Array<{ username: string; password: string }>;
  maxBodyBytes?: number;
  checkCompatibility?: CompatibilityChecker;
  schemaTypes?: SchemaType[];
}

export interface ServedRegistry {
  url: string;
  port: number;
  store: EmbeddedRegistry;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** A response body sent as is (the `/schema` endpoints return the bare schema text). */
class RawText {
  constructor(readonly text: string) {}
}

const notFound = (): HttpError => new HttpError(404, 404, 'HTTP 404 Not Found');
const notAllowed = (): HttpError => new HttpError(405, 405, 'HTTP 405 Method Not Allowed');

type Query = URLSearchParams;
const flag = (q: Query, name: string): boolean => q.get(name)?.toLowerCase() === 'true';

function schemaBody(s: SchemaById | SubjectVersion): Record<string, unknown> {
  // the registry leaves schemaType out for AVRO and references out when there are none
  const out: Record<string, unknown> = {};
  if ('subject' in s) Object.assign(out, { subject: s.subject, version: s.version, id: s.id });
  if (s.schemaType !== 'AVRO') out.schemaType = s.schemaType;
  if (s.references.length > 0) out.references = s.references;
  out.schema = s.schema;
  return out;
}

function asInput(body: unknown): SchemaInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.invalidSchema('Invalid schema: the request body must be a JSON object with a "schema" string');
  }
  const b = body as Record<string, unknown>;
  if (typeof b.schema !== 'string') throw errors.invalidSchema('Invalid schema: the request has no "schema" string');
  if (b.references !== undefined && b.references !== null && !Array.isArray(b.references)) {
    throw errors.invalidSchema('Invalid schema: "references" must be an array');
  }
  return {
    schema: b.schema,
    schemaType: parseSchemaType(b.schemaType),
    references: (b.references as SchemaInput['references']) ?? [],
  };
}

/** A schema id: any int (so `-1` is "Schema -1 not found", 40403, as the registry answers); else 404. */
function parseId(raw: string): number {
  if (!/^-?[0-9]{1,10}$/.test(raw)) throw notFound();
  const n = Number(raw);
  if (n < -(2 ** 31) || n > 2 ** 31 - 1) throw notFound();
  return n;
}

/** An int query parameter; absent: the default; not an int: 404, as JAX-RS answers a failed @QueryParam conversion. */
function intParam(q: Query, name: string, fallback: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^-?[0-9]{1,10}$/.test(raw)) throw notFound();
  return Number(raw);
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 400, 'The request body must be a JSON object');
  return body as Record<string, unknown>;
}

async function route(store: EmbeddedRegistry, method: string, parts: string[], q: Query, body: unknown): Promise<unknown> {
  const [head, a, b, c, d, e, ...rest] = parts;
  const is = (m: string): boolean => method === m;
  if (head === undefined) {
    if (is('GET')) return {};
    throw notAllowed();
  }
  if (head === 'contexts') {
    // only the default context exists here; the registry names it "."
    if (a !== undefined) throw notFound();
    if (!is('GET')) throw notAllowed();
    return ['.'];
  }
  if (head === 'schemas') {
    if (a === undefined) {
      if (!is('GET')) throw notAllowed();
      const list = await store.listSchemas({
        subjectPrefix: q.get('subjectPrefix') ?? '',
        deleted: flag(q, 'deleted'),
        latestOnly: flag(q, 'latestOnly'),
        offset: intParam(q, 'offset', 0),
        limit: intParam(q, 'limit', -1),
      });
      return list.map(schemaBody);
    }
    if (a === 'types' && b === undefined) {
      if (!is('GET')) throw notAllowed();
      return [...store.schemaTypes].reverse();
    }
    if (a !== 'ids' || b === undefined || d !== undefined) throw notFound();
    if (!is('GET')) throw notAllowed();
    const id = parseId(b);
    if (c === undefined) return schemaBody(await store.getById(id));
    if (c === 'schema') return new RawText((await store.getById(id)).schema);
    if (c === 'subjects') return store.getSubjectsById(id, { deleted: flag(q, 'deleted') });
    if (c === 'versions') return store.getVersionsById(id, { deleted: flag(q, 'deleted') });
    throw notFound();
  }
  if (head === 'subjects') {
    if (a === undefined) {
      if (!is('GET')) throw notAllowed();
      return store.listSubjects({ deleted: flag(q, 'deleted'), deletedOnly: flag(q, 'deletedOnly'), subjectPrefix: q.get('subjectPrefix') ?? undefined });
    }
    const subject = a;
    if (b === undefined) {
      if (is('POST')) {
        const v = await store.lookup(subject, asInput(body), { normalize: flag(q, 'normalize'), deleted: flag(q, 'deleted') });
        return schemaBody(v);
      }
      if (is('DELETE')) return store.deleteSubject(subject, { permanent: flag(q, 'permanent') });
      throw notAllowed();
    }
    if (b !== 'versions') throw notFound();
    if (c === undefined) {
      if (is('GET')) return store.getVersions(subject, { deleted: flag(q, 'deleted') });
      if (is('POST')) {
        const normalize = q.has('normalize') ? flag(q, 'normalize') : undefined;
        return store.register(subject, asInput(body), normalize === undefined ? {} : { normalize });
      }
      throw notAllowed();
    }
    const version = parseVersionRef(c);
    if (d === undefined) {
      if (is('GET')) return schemaBody(await store.getVersion(subject, version, { deleted: flag(q, 'deleted') }));
      if (is('DELETE')) return store.deleteVersion(subject, version, { permanent: flag(q, 'permanent') });
      throw notAllowed();
    }
    if (e !== undefined) throw notFound();
    if (!is('GET')) throw notAllowed();
    if (d === 'schema') return new RawText((await store.getVersion(subject, version, { deleted: flag(q, 'deleted') })).schema);
    if (d === 'referencedby') return store.getReferencedBy(subject, version);
    throw notFound();
  }
  if (head === 'config' || head === 'mode') {
    if (b !== undefined) throw notFound();
    const subject = a;
    if (head === 'config') {
      if (is('GET')) return store.getConfig(subject, { defaultToGlobal: flag(q, 'defaultToGlobal') });
      if (is('PUT')) {
        const o = bodyObject(body);
        const update: ConfigUpdate = {};
        if (o.compatibility !== undefined) update.compatibility = o.compatibility as ConfigUpdate['compatibility'];
        else if (o.compatibilityLevel !== undefined) update.compatibility = o.compatibilityLevel as ConfigUpdate['compatibility'];
        if (typeof o.normalize === 'boolean') update.normalize = o.normalize;
        return store.setConfig(subject, update);
      }
      if (is('DELETE')) return store.deleteConfig(subject);
      throw notAllowed();
    }
    if (is('GET')) return { mode: await store.getMode(subject, { defaultToGlobal: flag(q, 'defaultToGlobal') }) };
    if (is('PUT')) return { mode: await store.setMode(subject, bodyObject(body).mode as Mode) };
    if (is('DELETE')) return { mode: await store.deleteMode(subject) };
    throw notAllowed();
  }
  if (head === 'compatibility') {
    if (a !== 'subjects' || b === undefined || c !== 'versions' || e !== undefined || rest.length > 0) throw notFound();
    if (!is('POST')) throw notAllowed();
    const verbose = flag(q, 'verbose');
    const version = d === undefined ? undefined : parseVersionRef(d);
    let input: SchemaInput;
    try {
      input = asInput(body);
    } catch (err) {
      if (verbose && err instanceof RegistryError) return { is_compatible: false, messages: [err.message] };
      throw err;
    }
    const res = await store.testCompatibility(b, version, input, { verbose, normalize: flag(q, 'normalize') });
    return verbose ? { is_compatible: res.isCompatible, messages: res.messages } : { is_compatible: res.isCompatible };
  }
  throw notFound();
}

function send(res: ServerResponse, status: number, payload: unknown): void {
  const text = payload instanceof RawText ? payload.text : JSON.stringify(payload);
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, errorCode: number, message: string, headers: Record<string, string> = {}): void {
  const text = JSON.stringify({ error_code: errorCode, message });
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function authorized(req: IncomingMessage, users: ReadonlyArray<{ username: string; password: string }>): boolean {
  const h = req.headers.authorization ?? '';
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(h);
  if (!m) return false;
  const given = digest(Buffer.from(m[1] as string, 'base64').toString('utf8'));
  // compare digests so neither the length nor the content leaks through timing; every user is
  // compared, so the time does not tell which one matched
  let ok = false;
  for (const u of users) ok = timingSafeEqual(given, digest(`${u.username}:${u.password}`)) || ok;
  return ok;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      resolve('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

export async function serveRegistry(opts: ServeOptions = {}): Promise<ServedRegistry> {
  const host = opts.host ?? '127.0.0.1';
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const store = await EmbeddedRegistry.open({
    dataDir: opts.dataDir ?? DEFAULT_DATA_DIR,
    ...(opts.checkCompatibility ? { checkCompatibility: opts.checkCompatibility } : {}),
    ...(opts.schemaTypes ? { schemaTypes: opts.schemaTypes } : {}),
  });
  const sockets = new Set<Socket>();
  const users = [...(opts.auth ? [opts.auth] : []), ...(opts.users ?? [])];

  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (users.length > 0 && !authorized(req, users)) {
          sendError(res, 401, 401, 'Unauthorized', { 'www-authenticate': 'Basic realm="schemactl-registry"' });
          req.resume();
          return;
        }
        const raw = await readBody(req, maxBody);
        if (raw === 'too-large') {
          // `connection: close` ends the socket once the answer is out; the rest of the body is discarded
          sendError(res, 413, 413, `Request body larger than ${maxBody} bytes`, { connection: 'close' });
          return;
        }
        let body: unknown;
        if (raw.length > 0) {
          const ct = (req.headers['content-type'] ?? '').toLowerCase();
          if (ct !== '' && !ct.includes('json') && !ct.startsWith('application/octet-stream')) {
            sendError(res, 415, 415, 'HTTP 415 Unsupported Media Type');
            return;
          }
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch (err) {
            sendError(res, 400, 400, `Unparseable JSON body: ${(err as Error).message}`);
            return;
          }
        }
        const url = new URL(req.url ?? '/', 'http://registry');
        let parts: string[];
        try {
          parts = url.pathname.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
        } catch {
          throw notFound();
        }
        const out = await route(store, (req.method ?? 'GET').toUpperCase(), parts, url.searchParams, body);
        send(res, 200, out);
      } catch (err) {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        if (err instanceof RegistryError) sendError(res, err.status, err.errorCode, err.message);
        else if (err instanceof HttpError) sendError(res, err.status, err.errorCode, err.message);
        else sendError(res, 500, 50001, `Error in the backend data store: ${(err as Error).message}`);
      }
    })();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 5_000;

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 8081, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await store.close();
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is already in use' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new UsageError(`Cannot serve the registry on ${host}:${opts.port ?? 8081}: ${why}. Pick another --port (0 picks a free one).`, 'registry-listen', e);
  }
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // in-flight requests get a moment to finish; then the store must close cleanly anyway
          setTimeout(() => {
            for (const s of sockets) s.destroy();
          }, 1_000).unref();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
