import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRegistryClient } from '../../src/registry/client.js';
import { serveRegistry } from '../../src/registry/server.js';
import type { ServedRegistry } from '../../src/registry/server.js';
import { RegistryError } from '../../src/registry/types.js';
import { UnreachableError, EXIT } from '../../src/errors.js';

const fast = { retries: 3, initialDelayMs: 5, maxDelayMs: 20 };
const rec = (name: string, extra: object[] = []) => JSON.stringify({ type: 'record', name, fields: [{ name: 'id', type: 'string' }, ...extra] });

let dir: string;
let srv: ServedRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schemactl-client-'));
  srv = await serveRegistry({ port: 0, dataDir: dir, auth: { username: 'svc', password: 's3cret' } });
});
afterAll(async () => {
  await srv?.close();
  await rm(dir, { recursive: true, force: true });
});

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('HttpRegistryClient against the served registry', () => {
  it('covers subjects, versions, ids, lookup, compatibility, config, mode and deletes', async () => {
    // credentials in the URL become basic auth
    const c = new HttpRegistryClient({ url: srv.url.replace('http://', 'http://svc:s3cret@'), retry: fast });
    try {
      const r1 = await c.register('orders-value', { schema: rec('Order') });
      expect(r1).toEqual({ id: 1, version: 1 });
      const r2 = await c.register('orders-value', { schema: rec('Order', [{ name: 'n', type: 'int', default: 0 }]) });
      expect(r2.version).toBe(2);
      expect(await c.listSubjects()).toEqual(['orders-value']);
      expect(await c.getVersions('orders-value')).toEqual([1, 2]);
      expect(await c.getLatest('orders-value')).toMatchObject({ subject: 'orders-value', version: 2, id: r2.id, schemaType: 'AVRO', references: [] });
      expect((await c.getVersion('orders-value', 1)).schema).toBe(rec('Order'));
      expect(await c.getById(1)).toEqual({ schema: rec('Order'), schemaType: 'AVRO', references: [] });
      expect(await c.getSubjectsById(1)).toEqual(['orders-value']);
      expect(await c.getVersionsById(1)).toEqual([{ subject: 'orders-value', version: 1 }]);
      expect((await c.lookup('orders-value', { schema: rec('Order') })).version).toBe(1);
      const bad = await c.testCompatibility('orders-value', 'latest', { schema: rec('Order', [{ name: 'x', type: 'int' }]) });
      expect(bad.isCompatible).toBe(false);
      expect(bad.messages.join('\n')).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
      expect((await c.testCompatibility('orders-value', undefined, { schema: rec('Order', [{ name: 'x', type: 'int', default: 1 }]) })).isCompatible).toBe(true);
      expect(await c.setConfig('orders-value', { compatibility: 'FULL' })).toEqual({ compatibility: 'FULL' });
      expect(await c.getConfig('orders-value')).toEqual({ compatibilityLevel: 'FULL' });
      expect(await c.getConfig('nothing', { defaultToGlobal: true })).toEqual({ compatibilityLevel: 'BACKWARD' });
      expect(await c.deleteConfig('orders-value')).toEqual({ compatibilityLevel: 'FULL' });
      expect(await c.getMode()).toBe('READWRITE');
      expect(await c.setMode('orders-value', 'READONLY')).toBe('READONLY');
      expect(await c.deleteMode('orders-value')).toBe('READONLY');
      expect(await c.deleteVersion('orders-value', 2)).toBe(2);
      expect(await c.deleteVersion('orders-value', 2, { permanent: true })).toBe(2);
      expect(await c.deleteSubject('orders-value')).toEqual([1]);
      expect(await c.deleteSubject('orders-value', { permanent: true })).toEqual([1]);
      const e = await c.getLatest('orders-value').catch((x: unknown) => x);
      expect(e).toBeInstanceOf(RegistryError);
      expect(e).toMatchObject({ status: 404, errorCode: 40401, message: "Subject 'orders-value' not found." });
    } finally {
      await c.close();
    }
  });

  it('reports a 401 without retrying and without echoing the secret', async () => {
    const c = new HttpRegistryClient({ url: srv.url, auth: { username: 'svc', password: 'wrong' }, retry: fast });
    const e = (await c.listSubjects().catch((x: unknown) => x)) as RegistryError;
    expect(e).toBeInstanceOf(RegistryError);
    expect(e.status).toBe(401);
    expect(e.message).not.toContain('wrong');
    await c.close();
  });
});

describe('retries and unreachable registries', () => {
  it('retries 5xx and network resets with backoff, then succeeds', async () => {
    let hits = 0;
    const { server, url } = await listen((req, res) => {
      hits++;
      if (hits === 1) {
        req.socket.destroy();
        return;
      }
      if (hits === 2) {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error_code":50003,"message":"forwarding failed"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' }).end('["a"]');
    });
    const c = new HttpRegistryClient({ url, retry: fast });
    try {
      expect(await c.listSubjects()).toEqual(['a']);
      expect(hits).toBe(3);
    } finally {
      await c.close();
      server.close();
    }
  });

  it('gives up after the retries on persistent 5xx with the registry error (exit 3)', async () => {
    let hits = 0;
    const { server, url } = await listen((_req, res) => {
      hits++;
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error_code":50001,"message":"store down"}');
    });
    const c = new HttpRegistryClient({ url, retry: { ...fast, retries: 2 } });
    try {
      const e = (await c.listSubjects().catch((x: unknown) => x)) as RegistryError;
      expect(e).toMatchObject({ status: 500, errorCode: 50001, message: 'store down', exitCode: EXIT.UNREACHABLE });
      expect(hits).toBe(3);
    } finally {
      await c.close();
      server.close();
    }
  });

  it('does not retry a 4xx', async () => {
    let hits = 0;
    const { server, url } = await listen((_req, res) => {
      hits++;
      res.writeHead(422, { 'content-type': 'application/json' }).end('{"error_code":42201,"message":"Invalid schema"}');
    });
    const c = new HttpRegistryClient({ url, retry: fast });
    try {
      await expect(c.register('s', { schema: '"int"' })).rejects.toMatchObject({ errorCode: 42201 });
      expect(hits).toBe(1);
    } finally {
      await c.close();
      server.close();
    }
  });

  it('throws UnreachableError (exit 3) naming the URL without credentials when nothing listens', async () => {
    const { server, url } = await listen(() => undefined);
    await new Promise((r) => server.close(r));
    const withCreds = url.replace('http://', 'http://admin:hunter2@');
    const c = new HttpRegistryClient({ url: withCreds, retry: { retries: 2, initialDelayMs: 1, maxDelayMs: 2 } });
    const e = (await c.listSubjects().catch((x: unknown) => x)) as UnreachableError;
    expect(e).toBeInstanceOf(UnreachableError);
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(url.replace('http://', 'http://***@'));
    expect(e.message).not.toContain('hunter2');
    expect(e.message).toMatch(/ECONNREFUSED.*after 3 attempts/);
    await c.close();
  });

  it('times out a registry that never answers', async () => {
    const { server, url } = await listen(() => undefined);
    const c = new HttpRegistryClient({ url, timeoutMs: 50, retry: { retries: 1, initialDelayMs: 1, maxDelayMs: 1 } });
    try {
      await expect(c.listSubjects()).rejects.toThrow(/ETIMEDOUT/);
    } finally {
      await c.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
