import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { serveRegistry } from '../../src/registry/server.js';
import type { ServedRegistry } from '../../src/registry/server.js';

const orderV1 = { type: 'record', name: 'Order', namespace: 'com.acme', fields: [{ name: 'id', type: 'string' }] };
const orderV2 = { ...orderV1, fields: [...orderV1.fields, { name: 'total', type: 'long', default: 0 }] };
const orderBad = { ...orderV1, fields: [...orderV1.fields, { name: 'total', type: 'long' }] };

let dir: string;
let srv: ServedRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schemactl-srv-'));
  srv = await serveRegistry({ port: 0, dataDir: dir, maxBodyBytes: 64 * 1024 });
});
afterAll(async () => {
  await srv?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, type: res.headers.get('content-type'), json };
}

describe('served registry with @kafkajs/confluent-schema-registry', () => {
  it('registers, resolves ids and round-trips encode/decode', async () => {
    const reg = new SchemaRegistry({ host: srv.url });
    const { id } = await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(orderV1) }, { subject: 'kjs-value' });
    expect(id).toBeGreaterThan(0);
    expect(await reg.getLatestSchemaId('kjs-value')).toBe(id);
    expect(await reg.getRegistryId('kjs-value', 1)).toBe(id);
    const { id: id2 } = await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(orderV2) }, { subject: 'kjs-value' });
    expect(id2).not.toBe(id);
    expect(await reg.getLatestSchemaId('kjs-value')).toBe(id2);
    const buf = await reg.encode(id2, { id: 'o-1', total: 1234 });
    expect(buf[0]).toBe(0);
    expect(buf.readInt32BE(1)).toBe(id2);
    // a fresh client must fetch the schema by id from the server to decode
    expect(await new SchemaRegistry({ host: srv.url }).decode(buf)).toEqual({ id: 'o-1', total: 1234 });
    const retyped = { ...orderV1, fields: [{ name: 'id', type: 'int' }] };
    await expect(reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(retyped) }, { subject: 'kjs-value' })).rejects.toThrow(
      /incompatible/,
    );
  });

  it('serves Protobuf schemas that the client can encode with', async () => {
    const reg = new SchemaRegistry({ host: srv.url });
    const proto = 'syntax = "proto3";\npackage acme;\nmessage Ping { string id = 1; int64 at = 2; }\n';
    const { id } = await reg.register({ type: SchemaType.PROTOBUF, schema: proto }, { subject: 'ping-value' });
    const buf = await reg.encode(id, { id: 'p', at: 5 });
    const out = (await new SchemaRegistry({ host: srv.url }).decode(buf)) as { id: string };
    expect(out.id).toBe('p');
  });
});

describe('served registry with @confluentinc/schemaregistry', () => {
  it('register, metadata, by id, compatibility tests and delete', async () => {
    const client = new SchemaRegistryClient({ baseURLs: [srv.url], maxRetries: 0 });
    const info = { schemaType: 'AVRO', schema: JSON.stringify(orderV1) };
    const id = await client.register('cfl-value', info, false);
    const meta = await client.getLatestSchemaMetadata('cfl-value');
    expect(meta).toMatchObject({ id, version: 1, subject: 'cfl-value' });
    expect(JSON.parse(meta.schema)).toEqual(orderV1);
    const byId = await client.getBySubjectAndId('cfl-value', id);
    expect(JSON.parse(byId.schema)).toEqual(orderV1);
    expect(await client.testSubjectCompatibility('cfl-value', { schemaType: 'AVRO', schema: JSON.stringify(orderV2) })).toBe(true);
    expect(await client.testSubjectCompatibility('cfl-value', { schemaType: 'AVRO', schema: JSON.stringify(orderBad) })).toBe(false);
    expect(await client.testCompatibility('cfl-value', 1, { schemaType: 'AVRO', schema: JSON.stringify(orderBad) })).toBe(false);
    expect(await client.getAllVersions('cfl-value')).toEqual([1]);
    expect(await client.deleteSubject('cfl-value', false)).toEqual([1]);
    expect(await client.deleteSubject('cfl-value', true)).toEqual([1]);
    await expect(client.getLatestSchemaMetadata('cfl-other')).rejects.toThrow(/not found/);
  });
});

describe('REST surface', () => {
  it('answers with the registry content type and error shapes', async () => {
    const types = await call('GET', '/schemas/types');
    expect(types.status).toBe(200);
    expect(types.type).toBe('application/vnd.schemaregistry.v1+json');
    expect(types.json).toEqual(['PROTOBUF', 'AVRO']);
    expect(await call('GET', '/subjects/nope/versions')).toMatchObject({ status: 404, json: { error_code: 40401, message: "Subject 'nope' not found." } });
    expect(await call('GET', '/schemas/ids/9999')).toMatchObject({ status: 404, json: { error_code: 40403, message: 'Schema 9999 not found' } });
    expect((await call('GET', '/subjects/x/versions/zero')).json).toMatchObject({ error_code: 42202 });
    expect(await call('PUT', '/config', { compatibility: 'SOMETIMES' })).toMatchObject({ status: 422, json: { error_code: 42203 } });
    expect(await call('POST', '/subjects/bad/versions', { schema: '{"type":"record","name":"X"}' })).toMatchObject({ status: 422, json: { error_code: 42201 } });
    expect(await call('POST', '/subjects/j/versions', { schema: '{}', schemaType: 'JSON' })).toMatchObject({ status: 422, json: { error_code: 42201 } });
    expect((await call('GET', '/nowhere')).status).toBe(404);
    expect((await call('PATCH', '/subjects')).status).toBe(405);
    expect((await call('POST', '/subjects/x/versions', '{oops')).status).toBe(400);
  });

  it('registers, looks up, reads versions and ids, and reports 409 with the registry text', async () => {
    const s = 'rest-value';
    const r1 = await call('POST', `/subjects/${s}/versions`, { schema: JSON.stringify(orderV1) });
    expect(r1.status).toBe(200);
    const id = (r1.json as { id: number }).id;
    const again = await call('POST', `/subjects/${s}/versions`, { schema: JSON.stringify(orderV1, null, 2) });
    expect((again.json as { id: number }).id).toBe(id);
    expect((await call('POST', `/subjects/${s}`, { schema: JSON.stringify(orderV1) })).json).toMatchObject({ subject: s, id, version: 1 });
    expect((await call('GET', `/subjects/${s}/versions/latest`)).json).toEqual({ subject: s, version: 1, id, schema: JSON.stringify(orderV1) });
    expect((await call('GET', `/subjects/${s}/versions/1/schema`)).json).toEqual(orderV1);
    expect((await call('GET', `/schemas/ids/${id}/versions`)).json).toContainEqual({ subject: s, version: 1 });
    const conflict = await call('POST', `/subjects/${s}/versions`, { schema: JSON.stringify(orderBad) });
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ error_code: 409 });
    expect((conflict.json as { message: string }).message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "rest-value", details: \[/);
    const verbose = await call('POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, { schema: JSON.stringify(orderBad) });
    expect(verbose.json).toMatchObject({ is_compatible: false });
    expect((verbose.json as { messages: string[] }).messages.at(-1)).toBe("{validateFields: 'false', compatibility: 'BACKWARD'}");
    const terse = await call('POST', `/compatibility/subjects/${s}/versions/latest`, { schema: JSON.stringify(orderV2) });
    expect(terse.json).toEqual({ is_compatible: true });
    expect((await call('POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, { schema: JSON.stringify(orderV2) })).json).toEqual({
      is_compatible: true,
      messages: [],
    });
  });

  it('handles config and mode endpoints', async () => {
    expect((await call('GET', '/config')).json).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call('PUT', '/config/cfg', { compatibility: 'FULL' })).json).toEqual({ compatibility: 'FULL' });
    expect((await call('GET', '/config/cfg')).json).toEqual({ compatibilityLevel: 'FULL' });
    expect((await call('GET', '/config/other')).json).toMatchObject({ error_code: 40408 });
    expect((await call('GET', '/config/other?defaultToGlobal=true')).json).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call('GET', '/mode')).json).toEqual({ mode: 'READWRITE' });
    expect((await call('PUT', '/mode/ro', { mode: 'READONLY' })).json).toEqual({ mode: 'READONLY' });
    expect((await call('POST', '/subjects/ro/versions', { schema: '"string"' })).json).toMatchObject({ error_code: 42205 });
    expect((await call('DELETE', '/mode/ro')).json).toEqual({ mode: 'READONLY' });
    expect((await call('POST', '/subjects/ro/versions', { schema: '"string"' })).status).toBe(200);
  });

  it('refuses bodies over the limit with 413', async () => {
    const big = { schema: JSON.stringify({ type: 'record', name: 'Big', doc: 'x'.repeat(2 * 1024 * 1024), fields: [] }) };
    const res = await call('POST', '/subjects/big/versions', big);
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error_code: 413 });
  });

  it('keeps ids unique under concurrent registrations over HTTP', async () => {
    await call('PUT', '/config/conc', { compatibility: 'NONE' });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call('POST', '/subjects/conc/versions', { schema: JSON.stringify({ type: 'record', name: `C${i}`, fields: [] }) }),
      ),
    );
    const ids = results.map((r) => (r.json as { id: number }).id);
    expect(new Set(ids).size).toBe(100);
    expect((await call('GET', '/subjects/conc/versions')).json).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});

describe('startup', () => {
  it('reports a port in use as a usage error and releases the store lock', async () => {
    const d = await mkdtemp(join(tmpdir(), 'schemactl-port-'));
    try {
      await expect(serveRegistry({ port: srv.port, dataDir: d })).rejects.toThrow(/already in use/);
      const ok = await serveRegistry({ port: 0, dataDir: d });
      await ok.close();
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});

describe('basic auth', () => {
  it('requires the configured credentials', async () => {
    const d = await mkdtemp(join(tmpdir(), 'schemactl-auth-'));
    const s = await serveRegistry({ port: 0, dataDir: d, auth: { username: 'u', password: 'p@ss' } });
    try {
      const anon = await fetch(`${s.url}/subjects`);
      expect(anon.status).toBe(401);
      expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
      const wrong = await fetch(`${s.url}/subjects`, { headers: { authorization: `Basic ${Buffer.from('u:nope').toString('base64')}` } });
      expect(wrong.status).toBe(401);
      const reg = new SchemaRegistry({ host: s.url, auth: { username: 'u', password: 'p@ss' } });
      const { id } = await reg.register({ type: SchemaType.AVRO, schema: JSON.stringify(orderV1) }, { subject: 'a' });
      expect(id).toBe(1);
    } finally {
      await s.close();
      await rm(d, { recursive: true, force: true });
    }
  });
});
