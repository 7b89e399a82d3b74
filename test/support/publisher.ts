// Helpers for end-to-end tests of `schemactl publish`: the real CLI built into a private folder and run
// as a child process (so it can be SIGKILLed and restarted), temp catalogs, and a Kafka reader that
// reads a topic up to its end offset and decodes values through a real schema registry client.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Admin, Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const BUILD_DIR = path.join(ROOT, 'test/.work/build-publish');
export const BIN = path.join(BUILD_DIR, 'bin/schemactl.js');

export const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MY_URL = process.env.SCHEMACTL_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestMtime(dir: string): number {
  let max = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) max = Math.max(max, newestMtime(p));
    else if (e.name.endsWith('.ts')) max = Math.max(max, statSync(p).mtimeMs);
  }
  return max;
}

/**
 * Build the CLI into test/.work/build-publish (never the shared dist/, which others rebuild), once for
 * all test files of a run: a lock file serialises concurrent builders, a stamp newer than every source
 * file skips the build.
 */
export async function buildPublisherCli(): Promise<string> {
  mkdirSync(path.join(BUILD_DIR, 'bin'), { recursive: true });
  const lock = path.join(BUILD_DIR, '.lock');
  const stamp = path.join(BUILD_DIR, '.stamp');
  const deadline = Date.now() + 240_000;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      // a builder that died leaves its lock behind: take it over after a generous wait
      if (Date.now() > deadline || Date.now() - statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) {
        rmSync(lock, { force: true });
        continue;
      }
      await sleep(250);
    }
  }
  try {
    const sources = Math.max(newestMtime(path.join(ROOT, 'src')), newestMtime(path.join(ROOT, 'rules')));
    const built = existsSync(stamp) && existsSync(path.join(BUILD_DIR, 'dist/src/cli/main.js')) ? statSync(stamp).mtimeMs : 0;
    if (built < sources) {
      try {
        execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(BUILD_DIR, 'dist')], { cwd: ROOT, stdio: 'pipe' });
      } catch (err) {
        // type errors in files being edited elsewhere still emit JavaScript; a missing entry point is fatal
        if (!existsSync(path.join(BUILD_DIR, 'dist/src/cli/main.js'))) throw err;
      }
      writeFileSync(stamp, new Date().toISOString());
    }
    // the installed layout: the launcher, and the files the CLI reads beside dist/
    // the launcher with bin/package.json, which makes it CommonJS
    cpSync(path.join(ROOT, 'bin'), path.join(BUILD_DIR, 'bin'), { recursive: true });
    for (const f of ['package.json', 'schemactl.schema.json']) copyFileSync(path.join(ROOT, f), path.join(BUILD_DIR, f));
  } finally {
    rmSync(lock, { force: true });
  }
  return BIN;
}

export function tempDir(prefix: string): string {
  mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
  return mkdtempSync(path.join(ROOT, 'test/.work', `${prefix}-`));
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

export interface PublisherResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface PublisherChild {
  child: ChildProcess;
  done: Promise<PublisherResult>;
  /** everything printed so far */
  output(): { stdout: string; stderr: string };
}

/** Start `node bin/schemactl.js publish …` (the built CLI) in `cwd`. */
export function spawnPublisher(args: string[], opts: { cwd: string; env?: Record<string, string> }): PublisherChild {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, 'publish', ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<PublisherResult>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, done, output: () => ({ stdout, stderr }) };
}

export async function runPublisher(args: string[], opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<PublisherResult> {
  const p = spawnPublisher(args, opts);
  const t = setTimeout(() => p.child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  try {
    return await p.done;
  } finally {
    clearTimeout(t);
  }
}

export interface TopicMessage {
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** Every message of every partition of `topic`, from the beginning up to the end offset at call time. */
export async function readTopic(bootstrap: string, topic: string, timeoutMs = 60_000): Promise<TopicMessage[]> {
  const admin = new Admin({ clientId: 'verify-admin', bootstrapBrokers: [bootstrap] });
  let exists: boolean;
  try {
    exists = (await admin.listTopics()).includes(topic);
  } finally {
    await admin.close();
  }
  if (!exists) return [];
  const consumer = new Consumer<Buffer, Buffer, Buffer, Buffer>({
    groupId: `verify-${topic}-${process.pid}-${Date.now()}`,
    clientId: 'verify',
    bootstrapBrokers: [bootstrap],
  });
  try {
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const remaining = new Map<number, bigint>();
    ends.forEach((end, partition) => { if (end > 0n) remaining.set(partition, end); });
    const out: TopicMessage[] = [];
    if (remaining.size === 0) return out;
    const stream = await consumer.consume({ topics: [topic], mode: MessagesStreamModes.EARLIEST, autocommit: false, maxWaitTime: 200, maxBytes: 16 * 1024 * 1024 });
    const timer = setTimeout(() => { void stream.close(); }, timeoutMs);
    try {
      for await (const m of stream) {
        const end = remaining.get(m.partition);
        if (end === undefined || m.offset >= end) continue;
        const headers: Record<string, string> = {};
        for (const [k, v] of m.headers ?? new Map<Buffer, Buffer>()) headers[String(k)] = String(v);
        out.push({ offset: m.offset, key: m.key && m.key.length ? m.key : null, value: m.value && m.value.length ? m.value : null, headers });
        if (m.offset + 1n >= end) remaining.delete(m.partition);
        if (remaining.size === 0) break;
      }
    } finally {
      clearTimeout(timer);
      await stream.close();
    }
    if (remaining.size) throw new Error(`reading ${topic} timed out before its end offset`);
    return out;
  } finally {
    await consumer.close(true);
  }
}

/** 64-bit longs as bigint: the decoder must not round int8 ids or µs timestamps. */
const BigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(n);
    return b;
  },
  fromJSON: (v: unknown) => BigInt(v as string),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint',
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** A Confluent-wire-format decoder backed by the registry over HTTP (the consumer's view). */
export function registryDecoder(url: string): (buf: Buffer) => Promise<Record<string, unknown>> {
  // a hook rather than a shared type registry: each schema id gets a fresh namespace of named types
  const typeHook = (schema: unknown) => (schema && typeof schema === 'object' && (schema as { type?: unknown }).type === 'long' ? BigLong : undefined);
  const reg = new SchemaRegistry({ host: url }, { [SchemaType.AVRO]: { typeHook } } as unknown as ConstructorParameters<typeof SchemaRegistry>[1]);
  return async (buf) => (await reg.decode(buf)) as Record<string, unknown>;
}

/** Avro decimal bytes (big-endian two's complement) → unscaled integer. */
export function unscaled(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  let v = BigInt('0x' + b.toString('hex'));
  if (b[0]! & 0x80) v -= 1n << BigInt(b.length * 8);
  return v;
}
