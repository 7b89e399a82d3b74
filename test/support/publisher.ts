// Helpers for end-to-end tests of `schemactl publish`: the real CLI built into a private folder and run
// as a child process (so it can be SIGKILLed and restarted), temp catalogs, and a Kafka reader that
// reads a topic up to its end offset and decodes values through a real schema registry client.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Admin, Consumer, MessagesStreamModes } from '@platformatic/kafka';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';

import { BIN, buildCliAsync, ROOT } from '../cli/support/build.js';

export { BIN, BUILD_DIR, ROOT } from '../cli/support/build.js';

export const PG_URL = process.env.SCHEMACTL_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export const MY_URL = process.env.SCHEMACTL_TEST_MYSQL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * The built CLI (test/cli/support/build.ts: test/.work/build, never the shared dist/, which others
 * rebuild), built once for all test files of a run.
 */
export async function buildPublisherCli(): Promise<string> {
  return buildCliAsync();
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
