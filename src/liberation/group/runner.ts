// Starts and stops the engine loops of the streams this instance owns. It knows nothing about how a
// stream runs (publish.ts hands it `run`), and the loops know nothing about the group: a loop only
// sees its abort signal, exactly as on SIGTERM.
//
// Order of a start, enforced by `run` (publish.ts): fence the stream's transactional.id, read its
// checkpoint, open the source, loop. Order of a stop: abort, wait until the loop has finished or
// abandoned its in-flight batch and closed its source (a PostgreSQL slot's walsender goes with it).
// A loop that fails is started again after a back-off as long as the stream is still owned; each
// restart fences and reloads the checkpoint, so a loop never continues from in-memory state that a
// fence may have made stale. A stream whose failure needs an operator (drift, a slot ahead of the
// checkpoint, a bad setting) stays stopped and is reported.

export interface RunnerOptions {
  /** run the stream until the signal aborts (resolve) or it fails (reject) */
  run(stream: string, signal: AbortSignal): Promise<void>;
  /** is the stream still ours (assigned, lease valid)? asked before a restart */
  owns(stream: string): boolean;
  restartBaseMs?: number;
  restartMaxMs?: number;
  onLog?(e: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
  /** the stream's loop state changed (metrics: owned streams, up/down) */
  onState?(stream: string, state: 'starting' | 'stopped' | 'failed'): void;
}

interface Task {
  ctrl: AbortController;
  done: Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = () => { clearTimeout(t); resolve(); };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** restartable: the loop lost its producer (fenced, broker trouble) or a dependency was unreachable */
function restartable(e: unknown): boolean {
  const err = e as { code?: string; retriable?: boolean };
  return err.code === 'tx-restart' || err.retriable === true || err.retriable === undefined;
}

export class OwnedStreams {
  private readonly tasks = new Map<string, Task>();
  /** streams stopped for good in this process (a failure that needs an operator), with the reason */
  readonly failures = new Map<string, string>();
  /** serialises set() calls: a rebalance that arrives while the previous one is being applied waits */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly o: RunnerOptions) {}

  running(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Make the running set equal `owned`: stop the others first (and wait for them), then start the new ones. */
  set(owned: string[]): Promise<void> {
    const next = this.applying.then(() => this.apply(new Set(owned)));
    this.applying = next.catch(() => {});
    return next;
  }

  private async apply(owned: Set<string>): Promise<void> {
    const leaving = [...this.tasks.keys()].filter((s) => !owned.has(s));
    await Promise.all(leaving.map((s) => this.stop(s)));
    for (const s of owned) if (!this.tasks.has(s) && !this.failures.has(s)) this.start(s);
  }

  private async stop(stream: string): Promise<void> {
    const t = this.tasks.get(stream);
    if (!t) return;
    t.ctrl.abort();
    await t.done;
    this.tasks.delete(stream);
    this.o.onState?.(stream, 'stopped');
    this.o.onLog?.({ level: 'info', msg: 'stream released', topic: stream });
  }

  private start(stream: string): void {
    const ctrl = new AbortController();
    const base = this.o.restartBaseMs ?? 500;
    const cap = this.o.restartMaxMs ?? 10_000;
    const done = (async () => {
      let attempt = 0;
      while (!ctrl.signal.aborted) {
        this.o.onState?.(stream, 'starting');
        try {
          await this.o.run(stream, ctrl.signal);
          if (ctrl.signal.aborted) break;
          attempt = 0;
        } catch (e) {
          if (ctrl.signal.aborted) break;
          if (!restartable(e)) {
            this.failures.set(stream, (e as Error).message);
            this.o.onLog?.({ level: 'error', msg: 'stream failed; it stays stopped on this instance until restarted', topic: stream, error: (e as Error).message });
            return;
          }
          attempt++;
          this.o.onLog?.({ level: 'warn', msg: 'stream loop ended; starting it again from its checkpoint', topic: stream, attempt, error: (e as Error).message });
        }
        await sleep(Math.min(cap, base * 2 ** Math.max(0, attempt - 1)), ctrl.signal);
        if (!this.o.owns(stream)) break;
      }
    })().finally(() => {
      // ended on its own (no longer owned, failed for good): a later assignment may start it again
      if (!ctrl.signal.aborted && this.tasks.get(stream)?.ctrl === ctrl) {
        this.tasks.delete(stream);
        this.o.onState?.(stream, this.failures.has(stream) ? 'failed' : 'stopped');
      }
    });
    this.tasks.set(stream, { ctrl, done });
  }

  /** Stop every loop (shutdown, lost lease). */
  async stopAll(): Promise<void> {
    await this.set([]);
  }
}
