// The default Kafka sink of `publish`: the Kafka client in a worker thread of its own.
//
// Why: on the publisher's one JavaScript thread, the client's part of every event (building the Kafka
// records, lz4 compression, the protocol, and the garbage they leave) was a quarter to a third of the work,
// done in turn with reading and mapping the rows. In a thread of its own it runs beside them, on the
// machine's second core. The thread runs the same KafkaSink (kafka.ts); a batch crosses as one
// transferable buffer (record-pack.ts), so the cost here is one copy of the bytes.
//
// Same contract as KafkaSink: `send` resolves when the broker acknowledged every record of the batch,
// batches to a topic go out in call order. A thread that dies fails the sends it held (the engine
// rewinds and retries them) and the next send starts a fresh one.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SchemactlError, UnreachableError, redact, type ExitCode } from '../../errors.js';
import type { OutRecord, Sink } from '../types.js';
import type { KafkaSinkConfig } from './kafka.js';
import type { ThreadReply, ThreadRequest } from './kafka-thread-main.js';
import { packRecords } from './record-pack.js';

/** The thread's entry, compiled beside this module; absent when running from the TypeScript sources. */
export const THREAD_ENTRY = new URL('./kafka-thread-main.js', import.meta.url);

/** Whether the thread can run here (the compiled build). */
export function threadAvailable(): boolean {
  return existsSync(fileURLToPath(THREAD_ENTRY));
}

/** How long close() waits for the thread to close its producer before stopping the thread. */
const CLOSE_TIMEOUT_MS = 10_000;

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

export class ThreadedKafkaSink implements Sink {
  private worker: Worker | undefined;
  private opened: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private started = false;

  constructor(private readonly cfg: KafkaSinkConfig) {}

  describe(): string {
    return `kafka ${this.cfg.brokers.map((b) => redact(b)).join(',')}`;
  }

  open(): Promise<void> {
    this.started = true;
    return this.ensure();
  }

  send(records: OutRecord[]): Promise<void> {
    if (!this.started) return Promise.reject(new Error('sink not opened'));
    // packed at once: nothing here holds the records while the broker acknowledges them
    let batch: ArrayBuffer;
    try {
      batch = packRecords(records);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return this.ensure().then(() => this.request({ op: 'send', id: 0, batch }, [batch]));
  }

  prepare(topics: string[]): Promise<void> {
    if (!this.started) return Promise.resolve();
    return this.ensure().then(() => this.request({ op: 'prepare', id: 0, topics })).catch(() => {});
  }

  async close(): Promise<void> {
    this.started = false;
    const w = this.worker;
    if (!w) return;
    try {
      // the producer's close waits for the broker; one that went away must not hold the exit forever
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.request({ op: 'close', id: 0 }),
        new Promise<void>((resolve) => { timer = setTimeout(resolve, CLOSE_TIMEOUT_MS); }),
      ]).finally(() => clearTimeout(timer));
    } finally {
      this.worker = undefined;
      this.opened = undefined;
      // nothing is left waiting on a thread that is gone (the engine drains before closing)
      const closed = new UnreachableError("the Kafka sink was closed before the broker answered");
      for (const p of this.pending.values()) p.reject(closed);
      this.pending.clear();
      await w.terminate();
    }
  }

  /** The running thread with its producer open; a fresh one after a thread died. */
  private ensure(): Promise<void> {
    if (this.opened) return this.opened;
    // node's flags pass on to the thread, except one that only applies to the main script's source
    // (`node --input-type=module -e …` would stop the thread at its start)
    const w = startThread(this.cfg);
    this.worker = w;
    // an idle thread does not keep the process alive; a request in flight does (see request)
    w.unref();
    w.on('message', (m: ThreadReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) w.unref();
      if (m.ok) p.resolve();
      else p.reject(asError(m.error));
    });
    const died = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.opened = undefined;
      const err = new UnreachableError(`the Kafka sink's thread stopped: ${why}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', (e) => died(redact(e.message)));
    // a reply that cannot be read leaves its send unanswered: the thread is stopped, and its sends fail
    // once it has (on 'exit': a stopping thread could still produce what it holds)
    w.on('messageerror', () => { void w.terminate(); });
    w.on('exit', (code) => died(`exit code ${code}`));
    this.opened = this.request({ op: 'open', id: 0 }).catch((e: unknown) => {
      if (this.worker === w) {
        this.worker = undefined;
        this.opened = undefined;
        void w.terminate();
      }
      throw e;
    });
    return this.opened;
  }

  private request(req: ThreadRequest, transfer: ArrayBuffer[] = []): Promise<void> {
    const w = this.worker;
    if (!w) return Promise.reject(new UnreachableError("the Kafka sink's thread is not running"));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ ...req, id }, transfer);
    });
  }
}

/**
 * The thread's young generation. What it allocates (a batch's records as views of the transferred
 * buffer, request buffers) is dead by the next collection, so collections stay cheap however small it
 * is; at V8's default size it grew to its maximum and held about 35 MiB of the publisher's RSS for
 * nothing (1,000,000 rows: peak RSS 205 MiB by default, 170 MiB with 8 MiB; 4 MiB saved 7 MiB more
 * for more CPU per row).
 */
const THREAD_YOUNG_GENERATION_MB = 8;

/**
 * The thread, with node's flags. By default a thread inherits them all, which is right except for one
 * that only applies to the main script's source (`node --input-type=module -e …` would stop the thread
 * at its start). Flags given to a thread explicitly are checked, and V8's and other process-wide ones
 * (--trace-gc, --max-old-space-size) are refused there although they already apply to every thread:
 * so the list is given only when it must be filtered, and without those when node refuses it.
 */
function startThread(cfg: KafkaSinkConfig): Worker {
  const own = (a: string, i: number, all: string[]) => !/^--input-type(=|$)/.test(a) && !(all[i - 1] === '--input-type');
  const options = { workerData: cfg, resourceLimits: { maxYoungGenerationSizeMb: THREAD_YOUNG_GENERATION_MB } };
  if (process.execArgv.every(own)) return new Worker(THREAD_ENTRY, options);
  const execArgv = process.execArgv.filter(own);
  try {
    return new Worker(THREAD_ENTRY, { ...options, execArgv });
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw e;
    // node names the flags it refused ("… invalid execArgv flags: --a, --b"): the thread gets the rest
    // (--conditions, --import, --enable-source-maps …); failing that, none
    const refused = new Set(/flags: (.*)$/.exec((e as Error).message)?.[1]?.split(', ') ?? []);
    try {
      return new Worker(THREAD_ENTRY, { ...options, execArgv: execArgv.filter((a) => !refused.has(a)) });
    } catch {
      return new Worker(THREAD_ENTRY, { ...options, execArgv: [] });
    }
  }
}

/** The thread's error as the class the engine and the exit code expect. */
function asError(e: Extract<ThreadReply, { ok: false }>['error']): Error {
  if (e.code === 'unreachable') return new UnreachableError(e.message);
  if (e.code !== undefined) {
    return new SchemactlError(e.code, e.message, {
      ...(e.exitCode !== undefined ? { exitCode: e.exitCode as ExitCode } : {}),
      ...(e.retriable !== undefined ? { retriable: e.retriable } : {}),
    });
  }
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
