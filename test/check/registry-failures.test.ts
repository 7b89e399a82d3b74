// `check --registry` against registries that misbehave: a 200 whose body is not the API's JSON is
// exit 3 "invalid response from the registry" with the URL (credentials never shown), and a registry
// that accepts connections and never answers fails the command (exit 3) within the default deadline
// (under 15 s, was 41-44 s), or within registry.total_timeout_ms when the catalog sets it.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CATALOG, ORDER_V1, cli, scratchDir, write } from './helpers.js';

let server: Server | undefined;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

describe('check against a misbehaving registry', () => {
  it('a 200 with an HTML body is exit 3, invalid response, naming the URL without the password', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>proxy login</body></html>');
    });
    const dir = scratchDir('check-invalid-response');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = await cli(['check', '--registry', url.replace('http://', 'http://ci:hunter2@')], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`Invalid response from the registry at ${url.replace(/[.]/g, '\\.')}/\\S+: HTTP 200 with a body that is not JSON`));
    expect(r.stderr + r.stdout).not.toContain('hunter2');
    expect(r.stderr + r.stdout).not.toMatch(/NaN/);
  });

  it('a 200 with JSON of the wrong shape is exit 3 too, not "version NaN"', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    const dir = scratchDir('check-wrong-shape');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = await cli(['check', '--registry', url], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Invalid response from the registry at .*: HTTP 200 with JSON that is not/);
  });

  it('a registry that never answers fails within the default deadline (under 15 s)', async () => {
    const url = await listen(() => undefined);
    const dir = scratchDir('check-hang-default');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const started = Date.now();
    const r = await cli(['check', '--registry', url], dir);
    const seconds = (Date.now() - started) / 1000;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Cannot reach the schema registry .*ETIMEDOUT/);
    expect(seconds).toBeLessThan(15);
    expect(seconds).toBeGreaterThan(10);
  }, 30_000);

  it('registry.total_timeout_ms and timeout_ms shorten it', async () => {
    const url = await listen(() => undefined);
    const dir = scratchDir('check-hang-config');
    write(dir, { 'schemactl.yaml': `${CATALOG}registry:\n  url: ${url}\n  timeout_ms: 300\n  total_timeout_ms: 1000\n  retries: 5\n`, 'schemas/order-placed.avsc': ORDER_V1 });
    const started = Date.now();
    const r = await cli(['check'], dir);
    expect(r.code).toBe(3);
    expect((Date.now() - started) / 1000).toBeLessThan(4);
    write(dir, { 'schemactl.yaml': `${CATALOG}registry:\n  url: ${url}\n  timeout_ms: -1\n` });
    const bad = await cli(['check'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/timeout_ms/);
  }, 30_000);
});
