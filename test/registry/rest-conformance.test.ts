// Every endpoint the README claims for `registry serve`, walked through the built binary (with basic auth
// and a body limit from flags), each answer compared with Confluent's API reference: HTTP status,
// `error_code`, and the body's shape (keys and their types; AVRO leaves `schemaType` out, no references
// leaves `references` out). One stateful walk, in the order a user would meet the endpoints.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, buildCli } from '../cli/support/build.js';

const A1 = '{"type":"record","name":"A","namespace":"acme","fields":[{"name":"x","type":"int"}]}';
// the same schema, keys in another order and spaced out: the same id and version
const A1_RESPELLED = '{ "fields": [ { "type": "int", "name": "x" } ], "namespace": "acme", "name": "A", "type": "record" }';
const A2 = '{"type":"record","name":"A","namespace":"acme","fields":[{"name":"x","type":"int"},{"name":"y","type":"string","default":""}]}';
const A_BREAKING = '{"type":"record","name":"A","namespace":"acme","fields":[{"name":"x","type":"int"},{"name":"z","type":"string"}]}';
const B_USES_A = '{"type":"record","name":"B","namespace":"acme","fields":[{"name":"a","type":"acme.A"}]}';
const PROTO = 'syntax = "proto3";\npackage acme;\nmessage P { string id = 1; }\n';

type Shape = 'int' | 'string' | 'boolean' | 'string[]' | 'int[]' | 'object' | 'object[]' | 'absent';

interface Step {
  what: string;
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
  auth?: false;
  status: number;
  /** for errors: the registry's error_code */
  code?: number;
  /** for 2xx JSON objects: the type of each key that must be there (absent: must not be) */
  keys?: Record<string, Shape>;
  /** for 2xx: the whole body's shape */
  shape?: Shape;
  /** extra check on the parsed body */
  check?: (b: unknown, ids: Record<string, number>) => void;
  /** remember body.id under this name */
  saveId?: string;
}

function typeOf(v: unknown): Shape {
  if (v === undefined) return 'absent';
  if (Array.isArray(v)) {
    if (v.every((x) => Number.isInteger(x))) return 'int[]';
    if (v.every((x) => typeof x === 'string')) return 'string[]';
    return 'object[]';
  }
  if (Number.isInteger(v)) return 'int';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'object';
}

const VERSION_KEYS: Record<string, Shape> = { subject: 'string', version: 'int', id: 'int', schema: 'string', schemaType: 'absent', references: 'absent' };

const STEPS: Step[] = [
  { what: 'root', method: 'GET', path: '/', status: 200, shape: 'object' },
  { what: 'unauthenticated', method: 'GET', path: '/subjects', auth: false, status: 401, code: 401 },
  { what: 'schema types', method: 'GET', path: '/schemas/types', status: 200, shape: 'string[]', check: (b) => expect(b).toEqual(expect.arrayContaining(['AVRO', 'PROTOBUF'])) },
  { what: 'contexts: the default one', method: 'GET', path: '/contexts', status: 200, check: (b) => expect(b).toEqual(['.']) },
  { what: 'no subjects yet', method: 'GET', path: '/subjects', status: 200, check: (b) => expect(b).toEqual([]) },
  { what: 'register', method: 'POST', path: '/subjects/a-value/versions', body: { schema: A1 }, status: 200, keys: { id: 'int' }, saveId: 'a1' },
  { what: 're-register another spelling: same id', method: 'POST', path: '/subjects/a-value/versions', body: { schema: A1_RESPELLED }, status: 200, check: (b, ids) => expect((b as { id: number }).id).toBe(ids.a1) },
  { what: 'versions', method: 'GET', path: '/subjects/a-value/versions', status: 200, check: (b) => expect(b).toEqual([1]) },
  { what: 'version 1', method: 'GET', path: '/subjects/a-value/versions/1', status: 200, keys: VERSION_KEYS, check: (b) => expect((b as { schema: string }).schema).toBe(A1) },
  { what: 'latest', method: 'GET', path: '/subjects/a-value/versions/latest', status: 200, keys: VERSION_KEYS },
  { what: 'version -1 is latest', method: 'GET', path: '/subjects/a-value/versions/-1', status: 200, keys: VERSION_KEYS },
  { what: 'bare schema of a version', method: 'GET', path: '/subjects/a-value/versions/1/schema', status: 200, check: (b) => expect(b).toEqual(JSON.parse(A1)) },
  { what: 'missing version', method: 'GET', path: '/subjects/a-value/versions/7', status: 404, code: 40402 },
  { what: 'invalid version', method: 'GET', path: '/subjects/a-value/versions/abc', status: 422, code: 42202 },
  { what: 'missing subject', method: 'GET', path: '/subjects/nope/versions', status: 404, code: 40401 },
  { what: 'lookup another spelling', method: 'POST', path: '/subjects/a-value', body: { schema: A1_RESPELLED }, status: 200, keys: VERSION_KEYS, check: (b) => expect((b as { version: number }).version).toBe(1) },
  { what: 'lookup with normalize', method: 'POST', path: '/subjects/a-value?normalize=true', body: { schema: A1_RESPELLED }, status: 200, keys: VERSION_KEYS },
  { what: 'lookup unknown schema', method: 'POST', path: '/subjects/a-value', body: { schema: A2 }, status: 404, code: 40403 },
  { what: 'lookup in unknown subject', method: 'POST', path: '/subjects/nope', body: { schema: A1 }, status: 404, code: 40401 },
  { what: 'incompatible registration', method: 'POST', path: '/subjects/a-value/versions', body: { schema: A_BREAKING }, status: 409, code: 409 },
  { what: 'invalid schema', method: 'POST', path: '/subjects/a-value/versions', body: { schema: '{"type":"record"' }, status: 422, code: 42201 },
  { what: 'unparseable body', method: 'POST', path: '/subjects/a-value/versions', raw: '{"schema":', status: 400 },
  { what: 'compatibility with latest', method: 'POST', path: '/compatibility/subjects/a-value/versions/latest', body: { schema: A_BREAKING }, status: 200, keys: { is_compatible: 'boolean', messages: 'absent' }, check: (b) => expect(b).toEqual({ is_compatible: false }) },
  { what: 'compatibility, verbose', method: 'POST', path: '/compatibility/subjects/a-value/versions/1?verbose=true', body: { schema: A_BREAKING }, status: 200, keys: { is_compatible: 'boolean', messages: 'string[]' } },
  { what: 'compatibility with all versions', method: 'POST', path: '/compatibility/subjects/a-value/versions', body: { schema: A2 }, status: 200, check: (b) => expect(b).toEqual({ is_compatible: true }) },
  { what: 'compatibility with a missing version', method: 'POST', path: '/compatibility/subjects/a-value/versions/9', body: { schema: A2 }, status: 404, code: 40402 },
  { what: 'register version 2', method: 'POST', path: '/subjects/a-value/versions', body: { schema: A2 }, status: 200, keys: { id: 'int' }, saveId: 'a2' },
  { what: 'schema by id', method: 'GET', path: '/schemas/ids/{a1}', status: 200, keys: { schema: 'string', schemaType: 'absent', references: 'absent' } },
  { what: 'bare schema by id', method: 'GET', path: '/schemas/ids/{a1}/schema', status: 200, check: (b) => expect(b).toEqual(JSON.parse(A1)) },
  { what: 'subjects of an id', method: 'GET', path: '/schemas/ids/{a1}/subjects', status: 200, check: (b) => expect(b).toEqual(['a-value']) },
  { what: 'versions of an id', method: 'GET', path: '/schemas/ids/{a1}/versions', status: 200, check: (b) => expect(b).toEqual([{ subject: 'a-value', version: 1 }]) },
  { what: 'id -1', method: 'GET', path: '/schemas/ids/-1', status: 404, code: 40403 },
  { what: 'unknown id', method: 'GET', path: '/schemas/ids/99999', status: 404, code: 40403 },
  { what: 'register with a reference', method: 'POST', path: '/subjects/b-value/versions', body: { schema: B_USES_A, references: [{ name: 'acme.A', subject: 'a-value', version: 1 }] }, status: 200, keys: { id: 'int' }, saveId: 'b' },
  { what: 'version with references', method: 'GET', path: '/subjects/b-value/versions/1', status: 200, keys: { ...VERSION_KEYS, references: 'object[]' } },
  { what: 'referenced by', method: 'GET', path: '/subjects/a-value/versions/1/referencedby', status: 200, check: (b, ids) => expect(b).toEqual([ids.b]) },
  { what: 'a referenced version cannot be deleted', method: 'DELETE', path: '/subjects/a-value/versions/1', status: 422, code: 42206 },
  { what: 'register Protobuf', method: 'POST', path: '/subjects/p-value/versions', body: { schemaType: 'PROTOBUF', schema: PROTO }, status: 200, keys: { id: 'int' } },
  { what: 'Protobuf version names its type', method: 'GET', path: '/subjects/p-value/versions/1', status: 200, keys: { ...VERSION_KEYS, schemaType: 'string' }, check: (b) => expect((b as { schemaType: string }).schemaType).toBe('PROTOBUF') },
  { what: 'list schemas', method: 'GET', path: '/schemas', status: 200, shape: 'object[]', check: (b) => expect((b as unknown[]).length).toBe(4) },
  { what: 'list schemas by prefix, latest only', method: 'GET', path: '/schemas?subjectPrefix=a-&latestOnly=true', status: 200, check: (b) => expect((b as Array<{ subject: string; version: number }>).map((x) => [x.subject, x.version])).toEqual([['a-value', 2]]) },
  { what: 'list schemas, offset and limit', method: 'GET', path: '/schemas?offset=1&limit=2', status: 200, check: (b) => expect((b as Array<{ subject: string; version: number }>).map((x) => [x.subject, x.version])).toEqual([['a-value', 2], ['b-value', 1]]) },
  { what: 'subjects by prefix', method: 'GET', path: '/subjects?subjectPrefix=b-', status: 200, check: (b) => expect(b).toEqual(['b-value']) },
  { what: 'global config', method: 'GET', path: '/config', status: 200, keys: { compatibilityLevel: 'string' } },
  { what: 'set global config', method: 'PUT', path: '/config', body: { compatibility: 'FULL' }, status: 200, check: (b) => expect(b).toEqual({ compatibility: 'FULL' }) },
  { what: 'invalid level', method: 'PUT', path: '/config', body: { compatibility: 'SIDEWAYS' }, status: 422, code: 42203 },
  { what: 'subject config not set', method: 'GET', path: '/config/a-value', status: 404, code: 40408 },
  { what: 'subject config falls back', method: 'GET', path: '/config/a-value?defaultToGlobal=true', status: 200, check: (b) => expect(b).toMatchObject({ compatibilityLevel: 'FULL' }) },
  { what: 'set subject config', method: 'PUT', path: '/config/a-value', body: { compatibility: 'NONE' }, status: 200, check: (b) => expect(b).toEqual({ compatibility: 'NONE' }) },
  { what: 'delete subject config', method: 'DELETE', path: '/config/a-value', status: 200, keys: { compatibilityLevel: 'string' } },
  { what: 'reset global config', method: 'PUT', path: '/config', body: { compatibility: 'BACKWARD' }, status: 200 },
  { what: 'global mode', method: 'GET', path: '/mode', status: 200, check: (b) => expect(b).toEqual({ mode: 'READWRITE' }) },
  { what: 'subject mode not set', method: 'GET', path: '/mode/p-value', status: 404, code: 40409 },
  { what: 'set subject mode', method: 'PUT', path: '/mode/p-value', body: { mode: 'READONLY' }, status: 200, check: (b) => expect(b).toEqual({ mode: 'READONLY' }) },
  { what: 'read-only subject refuses deletes', method: 'DELETE', path: '/subjects/p-value', status: 422, code: 42205 },
  { what: 'invalid mode', method: 'PUT', path: '/mode', body: { mode: 'SIDEWAYS' }, status: 422, code: 42204 },
  { what: 'delete subject mode', method: 'DELETE', path: '/mode/p-value', status: 200, keys: { mode: 'string' } },
  { what: 'soft-delete a subject', method: 'DELETE', path: '/subjects/p-value', status: 200, check: (b) => expect(b).toEqual([1]) },
  { what: 'soft-deleted subject is gone', method: 'GET', path: '/subjects/p-value/versions', status: 404, code: 40401 },
  { what: 'subjects leave it out', method: 'GET', path: '/subjects', status: 200, check: (b) => expect(b).toEqual(['a-value', 'b-value']) },
  { what: 'deleted=true lists it', method: 'GET', path: '/subjects?deleted=true', status: 200, check: (b) => expect(b).toEqual(['a-value', 'b-value', 'p-value']) },
  { what: 'deletedOnly=true lists only it', method: 'GET', path: '/subjects?deletedOnly=true', status: 200, check: (b) => expect(b).toEqual(['p-value']) },
  { what: 'soft-deleting twice', method: 'DELETE', path: '/subjects/p-value', status: 404, code: 40404 },
  { what: 'a live version cannot be deleted permanently', method: 'DELETE', path: '/subjects/a-value/versions/2?permanent=true', status: 404, code: 40407 },
  { what: 'a live subject cannot be deleted permanently', method: 'DELETE', path: '/subjects/b-value?permanent=true', status: 404, code: 40405 },
  { what: 'soft-delete a version', method: 'DELETE', path: '/subjects/a-value/versions/2', status: 200, check: (b) => expect(b).toBe(2) },
  { what: 'soft-deleted version is gone', method: 'GET', path: '/subjects/a-value/versions/2', status: 404, code: 40402 },
  { what: 'unless deleted=true', method: 'GET', path: '/subjects/a-value/versions/2?deleted=true', status: 200, keys: VERSION_KEYS },
  { what: 'soft-deleting a version twice', method: 'DELETE', path: '/subjects/a-value/versions/2', status: 404, code: 40406 },
  { what: 'permanently delete the subject', method: 'DELETE', path: '/subjects/p-value?permanent=true', status: 200, check: (b) => expect(b).toEqual([1]) },
  { what: 'gone even with deleted=true', method: 'GET', path: '/subjects?deleted=true', status: 200, check: (b) => expect(b).toEqual(['a-value', 'b-value']) },
  { what: 'unknown endpoint', method: 'GET', path: '/nothing-here', status: 404, code: 404 },
  { what: 'wrong method', method: 'PUT', path: '/subjects', status: 405, code: 405 },
  { what: 'body over the limit', method: 'POST', path: '/subjects/big/versions', raw: JSON.stringify({ schema: 'x'.repeat(70_000) }), status: 413, code: 413 },
];

describe('REST conformance of `registry serve` with the Confluent API reference', () => {
  let child: ChildProcess;
  let url = '';
  let dir = '';
  const auth = `Basic ${Buffer.from('ci:s3cret:with:colons').toString('base64')}`;

  beforeAll(async () => {
    buildCli();
    dir = mkdtempSync(path.join(tmpdir(), 'schemactl-rest-'));
    writeFileSync(path.join(dir, 'users'), '# who may call the registry\nci:s3cret:with:colons\nother:pw\n');
    child = spawn(process.execPath, [BIN, 'registry', 'serve', '--port', '0', '--data', path.join(dir, 'data'), '--users-file', path.join(dir, 'users'), '--max-body-bytes', '65536'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/\S+) \(.*basic auth: 2 users\)/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${String(code)}: ${out}`)));
    });
  }, 120_000);

  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every claimed endpoint with the registry status, error code and body shape', async () => {
    const ids: Record<string, number> = {};
    const failures: string[] = [];
    for (const s of STEPS) {
      const p = s.path.replace(/\{(\w+)\}/g, (_, k: string) => String(ids[k]));
      const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json' };
      if (s.auth !== false) headers.authorization = auth;
      let payload: string | undefined;
      if (s.raw !== undefined || s.body !== undefined) {
        payload = s.raw ?? JSON.stringify(s.body);
        headers['content-type'] = 'application/vnd.schemaregistry.v1+json';
      }
      const res = await fetch(url + p, { method: s.method, headers, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      try {
        expect(res.headers.get('content-type')).toBe('application/vnd.schemaregistry.v1+json');
        expect(res.status).toBe(s.status);
        if (s.status >= 400) {
          expect(typeOf((body as { message?: unknown }).message)).toBe('string');
          if (s.code !== undefined) expect((body as { error_code?: unknown }).error_code).toBe(s.code);
        }
        if (s.shape) expect(typeOf(body)).toBe(s.shape);
        if (s.keys) for (const [k, t] of Object.entries(s.keys)) expect(typeOf((body as Record<string, unknown>)[k]), `${k}`).toBe(t);
        s.check?.(body, ids);
        if (s.saveId) ids[s.saveId] = (body as { id: number }).id;
      } catch (e) {
        failures.push(`${s.what}: ${s.method} ${p} -> ${res.status} ${text.slice(0, 200)}\n    ${(e as Error).message.split('\n')[0]}`);
      }
    }
    console.log(`REST conformance: ${STEPS.length - failures.length}/${STEPS.length} steps as the API reference documents`);
    expect(failures).toEqual([]);
  }, 90_000);
});
