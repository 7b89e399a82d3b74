// Crash test: the served registry runs as a separate node process (compiled JS, no test runner in it),
// gets SIGKILLed while 500 registrations are in flight, and is restarted on the same data directory.
// Every registration it acknowledged must still be there with the same id and version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BUILD_DIR, buildCliAsync } from '../cli/support/build.js';

const root = resolve(import.meta.dirname, '../..');
const out = join(BUILD_DIR, 'dist');
const script = join(root, 'test/.work/registry-child.mjs');
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  // the project's build (test/cli/support/build.ts: once per run for every test file that runs the CLI)
  await buildCliAsync();
  await mkdir(join(root, 'test/.work'), { recursive: true });
  await writeFile(
    script,
    `import { serveRegistry } from ${JSON.stringify(join(out, 'src/registry/server.js'))};\n` +
      `const s = await serveRegistry({ port: 0, dataDir: process.argv[2] });\n` +
      `process.stdout.write(JSON.stringify({ url: s.url, recovery: s.store.recovery }) + '\\n');\n`,
  );
  dir = await mkdtemp(join(tmpdir(), 'schemactl-crash-'));
}, 180_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

function start(): Promise<{ child: ChildProcess; url: string; recovery: { records: number; truncatedBytes: number } }> {
  const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((res, rej) => {
    let buf = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) res({ child, ...(JSON.parse(buf.slice(0, nl)) as { url: string; recovery: { records: number; truncatedBytes: number } }) });
    });
    child.on('exit', (code) => rej(new Error(`registry child exited (${code}): ${err}`)));
  });
}

const schemaOf = (i: number) => JSON.stringify({ type: 'record', name: `E${i}`, namespace: 'crash', fields: [{ name: `f${i}`, type: 'long' }] });

async function post(url: string, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('durability under SIGKILL', () => {
  it('keeps every acknowledged registration with the same id after a crash', async () => {
    const first = await start();
    await fetch(`${first.url}/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"compatibility":"NONE"}' });
    // a few schemas are registered under two subjects, so they must share one id after recovery too
    const jobs = Array.from({ length: 500 }, (_, i) => ({ subject: `s${i % 25}`, schema: schemaOf(i % 450) }));
    const acked: { subject: string; schema: string; id: number; version: number }[] = [];
    let killed = false;
    // 500 registrations from 50 concurrent clients: with every request in flight at once, group commit
    // can acknowledge all of them in one fsync before the kill lands, and the crash would hit an idle
    // server. Fifty at a time keeps writes in flight when it dies.
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !killed) {
        const j = jobs[next++]!;
        try {
          const r = await post(first.url, `/subjects/${j.subject}/versions`, { schema: j.schema });
          if (r.status === 200) {
            acked.push({ ...j, id: r.json.id as number, version: r.json.version as number });
            if (acked.length === 150 && !killed) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        } catch {
          /* in flight when the process died: not acknowledged, may or may not be stored */
        }
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(killed).toBe(true);
    expect(acked.length).toBeGreaterThanOrEqual(150);
    expect(acked.length).toBeLessThan(500);

    const second = await start();
    // same schema → same id, different schemas → different ids, among what was acknowledged
    const idBySchema = new Map<string, number>();
    for (const a of acked) {
      const prev = idBySchema.get(a.schema);
      if (prev !== undefined) expect(a.id).toBe(prev);
      idBySchema.set(a.schema, a.id);
    }
    expect(new Set(idBySchema.values()).size).toBe(idBySchema.size);

    for (const a of acked) {
      const res = await fetch(`${second.url}/subjects/${a.subject}/versions/${a.version}`);
      expect(res.status).toBe(200);
      const v = (await res.json()) as { id: number; schema: string };
      expect(v.id).toBe(a.id);
      expect(v.schema).toBe(a.schema);
    }
    // versions are dense per subject and every stored id resolves: the log replayed as a clean prefix
    const subjects = (await (await fetch(`${second.url}/subjects`)).json()) as string[];
    const seen = new Set<number>();
    for (const s of subjects) {
      const versions = (await (await fetch(`${second.url}/subjects/${s}/versions`)).json()) as number[];
      expect(versions).toEqual(versions.map((_, i) => i + 1));
      for (const v of versions) {
        const row = (await (await fetch(`${second.url}/subjects/${s}/versions/${v}`)).json()) as { id: number };
        seen.add(row.id);
        expect((await fetch(`${second.url}/schemas/ids/${row.id}`)).status).toBe(200);
      }
    }
    // and it still takes writes, handing out an id never used before
    const fresh = await post(second.url, '/subjects/after/versions', { schema: schemaOf(100_000) });
    expect(fresh.status).toBe(200);
    expect(seen.has(fresh.json.id as number)).toBe(false);
    expect(fresh.json.id as number).toBeGreaterThan(Math.max(...seen));
    second.child.kill('SIGTERM');
  }, 120_000);
});
