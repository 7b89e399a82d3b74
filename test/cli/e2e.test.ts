// End to end through the built launcher (bin/schemactl.js over the compiled dist): module loading,
// exit statuses of a real process and the registry server's lifecycle (the pre-commit hook: test/install/).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, BUILD_DIR, ROOT, buildCli } from './support/build.js';

const WORK = path.join(ROOT, 'test/.work');
let tmp: string;

beforeAll(() => {
  buildCli();
  mkdirSync(WORK, { recursive: true });
  tmp = mkdtempSync(path.join(WORK, 'e2e-'));
}, 300_000); // tsc and the build steps; minutes on a loaded machine

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

function runBinAt(args: string[], cwd: string, env: Record<string, string> = {}, bin = BIN): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const runBin = (args: string[], cwd: string, env: Record<string, string> = {}) => runBinAt(args, cwd, env);

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

  // the joined files of the lint fast path (scripts/build-cli-bundle.mjs) and the modules each holds
  function joinedModules(): Record<string, string[]> {
    return JSON.parse(readFileSync(path.join(BUILD_DIR, 'dist/cli/modules.json'), 'utf8')) as Record<string, string[]>;
  }

  it('`lint` loads no Kafka, database or HTTP-server code', () => {
    const dir = path.join(tmp, 'lazy');
    write(dir, { 'order.avsc': GOOD, 'shipment.avsc': BAD_ENUM });
    const { lines, status } = trace(['lint', 'order.avsc', 'shipment.avsc'], dir);
    expect(status).toBe(0);
    // the trace works: it saw the launcher
    expect(lines.some((l) => /^cjs .*\/bin\/schemactl\.js$/.test(l))).toBe(true);
    const offending = lines.filter((l) => FORBIDDEN.some((re) => re.test(l.replace(/^(esm file:\/\/|cjs )/, ''))));
    expect(offending).toEqual([]);
    // the lint ran from the joined files: no module of dist/src or dist/rules was imported one by one
    expect(lines.filter((l) => /\/dist\/(src|rules)\/.+\.js$/.test(l))).toEqual([]);
    // and the joined files hold the lint implementation and the rules, none of the forbidden code
    const joined = Object.values(joinedModules()).flat();
    expect(joined).toEqual(expect.arrayContaining(['src/cli/lint.js', 'src/api/lint.js', 'rules/prefer-enum.js', 'src/formats/protobuf/parser.js']));
    expect(joined.filter((m) => FORBIDDEN.some((re) => re.test(`/${m}`)) || /^(node_modules|src\/cli\/(main|commands)\.js)/.test(m))).toEqual([]);
    // uncoloured output (NO_COLOR) needs no chalk
    expect(lines.filter((l) => /node_modules\/chalk\//.test(l))).toEqual([]);
  });

  it('a clean `lint` that prints nothing never builds process.stdout (Node\'s stream modules stay unloaded)', () => {
    const dir = path.join(tmp, 'lazy-clean');
    write(dir, { 'order.avsc': GOOD });
    // a CommonJS preload that lists the built-ins at exit (the trace above loads streams itself)
    const preload = path.join(tmp, 'builtins.cjs');
    const out = path.join(tmp, 'builtins.txt');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, process.moduleLoadList.join('\\n')));\n`);
    const r = spawnSync(process.execPath, ['-r', preload, BIN, 'lint', 'order.avsc'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const builtins = readFileSync(out, 'utf8').split('\n');
    expect(builtins).toContain('NativeModule vm'); // the list is complete: the launcher's own built-in
    expect(builtins.filter((l) => /^NativeModule (stream|internal\/streams\/(readable|writable)|perf_hooks)$/.test(l))).toEqual([]);
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
      child.stderr.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('listening on')) resolve(); });
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

describe('the joined lint files and their code cache', () => {
  // a private copy of the built package: the code cache lives in the package directory, and other test
  // files running at the same time write it in the shared build when they run `lint` through its launcher
  let pkg = '';
  let CACHE = '';
  beforeAll(() => {
    pkg = path.join(tmp, 'package');
    cpSync(BUILD_DIR, pkg, { recursive: true, filter: (src) => !/[/\\]\.(cache|lock|stamp)$/.test(src) });
    CACHE = path.join(pkg, '.cache/v8');
  });
  const cacheFiles = (): string[] => (existsSync(CACHE) ? readdirSync(CACHE).filter((f) => f.endsWith('.v8')).sort() : []);
  const runBin = (args: string[], cwd: string, env: Record<string, string> = {}) => runBinAt(args, cwd, env, path.join(pkg, 'bin/schemactl.js'));

  // the same command lines through dist/src/cli/main.js, as a build without the joined files runs them
  function viaMain(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
    const main = pathToFileURL(path.join(pkg, 'dist/src/cli/main.js')).href;
    const code = `import(${JSON.stringify(main)}).then(async ({ main }) => { process.exitCode = await main(process.argv.slice(1)); })`;
    const r = spawnSync(process.execPath, ['-e', code, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it.each([
    ['stylish', ['lint', 'good.avsc', 'bad.avsc', 'event.proto']],
    ['json', ['lint', '--format', 'json', 'good.avsc', 'bad.avsc', 'event.proto']],
    ['sarif', ['lint', '-f', 'sarif', 'bad.avsc', 'event.proto']],
    ['junit', ['lint', '--format', 'junit', 'bad.avsc']],
    ['github', ['lint', '--format', 'github', 'bad.avsc']],
    ['--fix-dry-run', ['lint', '--fix-dry-run', 'bad.avsc', 'event.proto']],
    ['--quiet and --max-warnings', ['lint', '--quiet', '--max-warnings', '0', 'bad.avsc', 'broken.avsc']],
    ['a catalog', ['lint', 'schemactl.yaml']],
    ['a missing file', ['lint', 'missing.avsc']],
  ])('%s: the same report and exit code as dist/src', (_label, args) => {
    const dir = path.join(tmp, 'joined-same');
    write(dir, {
      'good.avsc': GOOD, 'bad.avsc': BAD_ENUM, 'broken.avsc': BROKEN,
      'event.proto': 'syntax = "proto3";\npackage acme.v1;\n\nimport "google/protobuf/timestamp.proto";\n\nmessage ThingHappened {\n  enum State { ACTIVE = 0; }\n  string id = 1;\n  State state = 2;\n  google.protobuf.Timestamp at = 3;\n}\n',
      'schemactl.yaml': 'streams:\n  - topic: orders.order-placed\n    kind: store\n    schema: good.avsc\n',
    });
    const joined = runBin(args, dir);
    expect(joined).toEqual(viaMain(args, dir));
    expect(joined.stdout + joined.stderr).not.toContain('internal error');
  });

  it('a report larger than a pipe holds, read slowly, arrives whole before the process ends (it ends as soon as the report is written)', async () => {
    const dir = path.join(tmp, 'joined-large');
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`s${i}.avsc`] = BAD_ENUM.replace('ShipmentUpdated', `ShipmentUpdated${i}`);
    write(dir, files);
    const args = ['lint', ...Object.keys(files)];
    const expected = viaMain(args, dir);
    expect(expected.stdout.length).toBeGreaterThan(128 * 1024);
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    // nothing is read for a while: the writer fills the pipe and has to wait for this reader
    child.stdout.pause();
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => chunks.push(b));
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await new Promise((resolve) => setTimeout(resolve, 500));
    child.stdout.resume();
    const status = await closed;
    expect({ status, stdout: Buffer.concat(chunks).toString('utf8'), stderr }).toEqual(expected);
  });

  it('what the joined files import dynamically (the report file\'s writer, chalk) loads, with the cache too, and nothing on stderr', () => {
    const dir = path.join(tmp, 'joined-dynamic');
    write(dir, { 'bad.avsc': BAD_ENUM });
    for (let run = 0; run < 2; run++) { // without, then with the code cache
      rmSync(path.join(dir, 'out'), { recursive: true, force: true });
      const r = runBin(['lint', '--format', 'json', '-o', 'out/report.json', 'bad.avsc'], dir);
      expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
      expect(readFileSync(path.join(dir, 'out/report.json'), 'utf8')).toContain('prefer-enum');
      const coloured = runBin(['lint', 'bad.avsc'], dir, { NO_COLOR: '', FORCE_COLOR: '1' });
      expect(coloured.stdout).toMatch(/\u001b\[3\dm/);
      expect(coloured.stderr).toBe('');
    }
  });

  it('the first run writes the cache, later runs use it as it is, a damaged one is replaced', () => {
    const dir = path.join(tmp, 'code-cache');
    write(dir, { 'bad.avsc': BAD_ENUM });
    rmSync(CACHE, { recursive: true, force: true });
    const first = runBin(['lint', 'bad.avsc'], dir);
    expect(first.status).toBe(0);
    const written = cacheFiles();
    expect(written).toEqual([expect.stringMatching(new RegExp(`^lint-[\\w-]{8}-${process.version.replace(/\./g, '\\.')}-${process.arch}\\.v8$`))]);
    const file = path.join(CACHE, written[0]!);
    const before = statSync(file).mtimeMs;
    // accepted by V8: not written again
    expect(runBin(['lint', 'bad.avsc'], dir)).toEqual(first);
    expect(statSync(file).mtimeMs).toBe(before);
    // damaged (V8 rejects it): the run is the same and the file is written anew
    writeFileSync(file, Buffer.alloc(4096, 7));
    expect(runBin(['lint', 'bad.avsc'], dir)).toEqual(first);
    expect(statSync(file).size).not.toBe(4096);
    expect(runBin(['lint', 'bad.avsc'], dir)).toEqual(first);
  });

  it('NODE_DISABLE_COMPILE_CACHE runs without reading or writing it', () => {
    const dir = path.join(tmp, 'code-cache-off');
    write(dir, { 'bad.avsc': BAD_ENUM });
    rmSync(CACHE, { recursive: true, force: true });
    const r = runBin(['lint', 'bad.avsc'], dir, { NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('prefer-enum');
    expect(cacheFiles()).toEqual([]);
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
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    const url = await new Promise<string>((resolve, reject) => {
      // the status line goes to stderr: stdout carries only a command's report
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
        const m = /listening on (http:\/\/\S+)/.exec(stderr);
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
    expect(stdout).toBe('');
  });
});
