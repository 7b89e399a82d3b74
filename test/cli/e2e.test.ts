// End to end through the built launcher (bin/schemactl.js over the compiled dist): module loading,
// exit statuses of a real process and the registry server's lifecycle (the pre-commit hook: test/install/).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, buildCli } from './support/build.js';

const WORK = path.join(ROOT, 'test/.work');
let tmp: string;

beforeAll(() => {
  buildCli();
  mkdirSync(WORK, { recursive: true });
  tmp = mkdtempSync(path.join(WORK, 'e2e-'));
}, 120_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

const GOOD = readFileSync(path.join(ROOT, 'schemas/orders/order-placed.avsc'), 'utf8');
const BAD_ENUM = readFileSync(path.join(ROOT, 'schemas/bad/shipment-updated.avsc'), 'utf8');
const BROKEN = '{ "type": "record", "name": "Broken", "fields": [ }\n';

function runBin(args: string[], cwd: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('module loading', () => {
  // Forbidden for `lint`: anything that talks to Kafka, a database or serves HTTP.
  const FORBIDDEN = [
    /node_modules\/(pg|pg-pool|pg-protocol|mysql2|@platformatic\/kafka|kafkajs|@kafkajs|@confluentinc)\//,
    /\/src\/(registry\/server|registry\/embedded|liberation)\//,
    /^builtin NativeModule (http|https|http2|_http_server|_http_client|tls)$/,
  ];

  function trace(args: string[], cwd: string): { lines: string[]; status: number | null } {
    const traceFile = path.join(tmp, `trace-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
    writeFileSync(traceFile, '');
    const r = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/cli/support/trace.mjs'), BIN, ...args], {
      cwd, encoding: 'utf8', env: { ...process.env, SCHEMACTL_TRACE_FILE: traceFile, NO_COLOR: '1' },
    });
    return { lines: readFileSync(traceFile, 'utf8').split('\n').filter(Boolean), status: r.status };
  }

  it('`lint` loads no Kafka, database or HTTP-server code', () => {
    const dir = path.join(tmp, 'lazy');
    write(dir, { 'order.avsc': GOOD, 'shipment.avsc': BAD_ENUM });
    const { lines, status } = trace(['lint', 'order.avsc', 'shipment.avsc'], dir);
    expect(status).not.toBeNull();
    // the trace works: the lint implementation itself was loaded
    expect(lines.some((l) => l.includes('/dist/src/cli/lint.js'))).toBe(true);
    expect(lines.some((l) => /\/dist\/src\/api\/lint\.js$/.test(l))).toBe(true);
    const offending = lines.filter((l) => FORBIDDEN.some((re) => re.test(l.replace(/^(esm file:\/\/|cjs )/, ''))));
    expect(offending).toEqual([]);
    // the rules come from the one module the build joins them into, not one module each
    expect(lines.some((l) => /\/dist\/rules\/_bundle\.js$/.test(l))).toBe(true);
    expect(lines.filter((l) => /\/dist\/rules\/(?!_bundle\.js$)[^/]+\.js$/.test(l))).toEqual([]);
    // uncoloured output (NO_COLOR) needs no chalk
    expect(lines.filter((l) => /node_modules\/chalk\//.test(l))).toEqual([]);
  });

  it('coloured output loads chalk', () => {
    const dir = path.join(tmp, 'lazy-colour');
    write(dir, { 'shipment.avsc': BAD_ENUM });
    const traceFile = path.join(tmp, 'trace-colour.txt');
    writeFileSync(traceFile, '');
    const r = spawnSync(process.execPath, ['--import', path.join(ROOT, 'test/cli/support/trace.mjs'), BIN, 'lint', 'shipment.avsc'], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, SCHEMACTL_TRACE_FILE: traceFile, FORCE_COLOR: '1' },
    });
    expect(r.stdout).toMatch(/\u001b\[3\dm/);
    expect(readFileSync(traceFile, 'utf8').split('\n').some((l) => /node_modules\/chalk\/source\/index\.js$/.test(l))).toBe(true);
  });

  it('`lint --fix` of a catalog\'s files loads no server code, nor yargs, nor ajv\'s compiler (start-up)', () => {
    const dir = path.join(tmp, 'lazy-catalog');
    write(dir, {
      'schemactl.yaml': 'streams:\n  - topic: orders.order-placed\n    kind: store\n    schema: order.avsc\n    source:\n      connection: postgres://localhost/shop\n      pattern: query\n      table: orders\n      timestamp: updated_at\n      id: id\n',
      'order.avsc': GOOD,
      'event.proto': 'syntax = "proto3";\npackage acme.v1;\n\n// A thing happened.\nmessage ThingHappened {\n  // Id.\n  string id = 1;\n}\n',
    });
    const { lines, status } = trace(['lint', '--fix', '--format', 'json', 'order.avsc', 'event.proto'], dir);
    expect(status).toBe(0);
    expect(lines.some((l) => /\/dist\/src\/config\/config-schema-validator\.cjs$/.test(l))).toBe(true);
    // the catalog is read by the yaml package joined into one file at build time, not its 74 modules
    expect(lines.some((l) => /\/dist\/src\/config\/yaml-bundle\.cjs$/.test(l))).toBe(true);
    expect(lines.filter((l) => /node_modules\/yaml\//.test(l))).toEqual([]);
    const offending = lines.filter((l) => FORBIDDEN.some((re) => re.test(l.replace(/^(esm file:\/\/|cjs )/, ''))));
    expect(offending).toEqual([]);
    // a plain lint command line is parsed without yargs, and the catalog is checked by the precompiled validator
    expect(lines.filter((l) => /node_modules\/(yargs|yargs-parser)\/|node_modules\/ajv\/dist\/(2020|compile\/)/.test(l))).toEqual([]);
    // the other commands' modules stay unloaded
    expect(lines.filter((l) => /\/dist\/src\/cli\/(check|register|publish|capture|registry-serve|init)\.js$/.test(l))).toEqual([]);
  });

  it('the trace does see server code when a command loads it', async () => {
    const traceFile = path.join(tmp, 'trace-serve.txt');
    writeFileSync(traceFile, '');
    const child = spawn(process.execPath, ['--import', path.join(ROOT, 'test/cli/support/trace.mjs'), BIN, 'registry', 'serve', '--port', '0', '--data', path.join(tmp, 'trace-registry')], {
      cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEMACTL_TRACE_FILE: traceFile },
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('listening on')) resolve(); });
      child.on('exit', (code) => reject(new Error(`registry serve exited ${code}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    await exited;
    const lines = readFileSync(traceFile, 'utf8').split('\n');
    expect(lines.some((l) => l.includes('/dist/src/registry/server.js'))).toBe(true);
    expect(lines).toContain('builtin NativeModule http');
  });
});

describe('built bin', () => {
  it('prints the version and help', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(runBin(['--version'], tmp)).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
    const help = runBin(['--help'], tmp);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/schemactl lint \[paths\.\.\]/);
    expect(help.stdout).toMatch(/schemactl registry/);
  });

  it('exits 2 with a suggestion on an unknown command or option, without a stack trace', () => {
    const cmd = runBin(['lnit'], tmp);
    expect(cmd.status).toBe(2);
    expect(cmd.stderr).toMatch(/^schemactl: unknown command "lnit"\. Did you mean (lint|init)\?/);
    const opt = runBin(['lint', '--max-warning', '0'], tmp);
    expect(opt.status).toBe(2);
    expect(opt.stderr).toContain('did you mean --max-warnings?');
    expect(opt.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 0, 1 and 2 for clean, failing and unparseable schemas', () => {
    const dir = path.join(tmp, 'exit');
    write(dir, { 'good.avsc': GOOD, 'bad.avsc': BAD_ENUM, 'broken.avsc': BROKEN });
    expect(runBin(['lint', 'good.avsc'], dir).status).toBe(0);
    const bad = runBin(['lint', 'bad.avsc', '--max-warnings', '0'], dir);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('prefer-enum');
    const broken = runBin(['lint', 'good.avsc', 'broken.avsc'], dir);
    expect(broken.status).toBe(2);
    expect(broken.stdout).toContain('parse-error');
  });
});

describe('registry serve', () => {
  it('prints its URL, serves the REST API and shuts down cleanly on SIGTERM', async () => {
    const data = path.join(tmp, 'registry-data');
    const child = spawn(process.execPath, [BIN, 'registry', 'serve', '--port', '0', '--data', data], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/subjects`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(stderr).toContain('SIGTERM received, shutting down');
  });
});
