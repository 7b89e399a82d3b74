// Fault injection for `schemactl publish`, reusable by every pattern's tests and the soak in bench/:
// a seeded random source, a supervisor that SIGKILLs and restarts the built publisher binary, and the
// oracle that replays the topic with an independent decoder (the Confluent registry client of kafkajs)
// and compares it with the database.
//
// The oracle's two checks:
//  - last event per key = the table: a live row's last event carries the row's version, a deleted row's
//    last event is a tombstone (for the query pattern only soft deletes are visible);
//  - no committed change is missing: every change the workload committed (key, version) is on the
//    topic — for patterns that publish every change (outbox, triggers). The query pattern publishes
//    states, so an overwritten intermediate version may legitimately never be seen; its check is the first.
// Duplicates (the same key and version more than once) are counted, not failed: delivery is
// at-least-once and a restart re-sends the batch that was not acknowledged.
import { readTopic, registryDecoder, spawnPublisher, type PublisherChild } from './publisher.js';

/** A deterministic sequence from a seed (mulberry32): a failing run is replayed by its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the database holds at the end: key → version, or null when the row is deleted. */
export type Truth = Map<string, string | null>;

export interface OracleReport {
  events: number;
  tombstones: number;
  keys: number;
  /** committed changes (key@version) not on the topic, and keys whose last event disagrees with the table */
  lost: string[];
  duplicates: number;
}

export interface OracleInput {
  bootstrap: string;
  registryUrl: string;
  topic: string;
  /** the value field that carries the row's version */
  versionField: string;
  truth: Truth;
  /** every change the workload committed, for patterns that publish every change */
  committed?: Array<{ key: string; version: string }>;
  /** the key as the topic carries it, from the table's key (default: the same text) */
  keyOf?(tableKey: string): string;
}

export async function oracle(o: OracleInput): Promise<OracleReport> {
  const decode = registryDecoder(o.registryUrl);
  const msgs = await readTopic(o.bootstrap, o.topic);
  const last = new Map<string, string | null>();
  const seen = new Set<string>();
  let duplicates = 0;
  let tombstones = 0;
  for (const m of msgs) {
    const key = m.key?.toString() ?? '';
    let version: string | null = null;
    if (m.value) {
      const v = await decode(m.value);
      version = String(v[o.versionField]);
    } else tombstones++;
    const id = `${key}@${version ?? 'tombstone'}`;
    if (seen.has(id)) duplicates++;
    seen.add(id);
    last.set(key, version);
  }
  const lost: string[] = [];
  const k = o.keyOf ?? ((x: string) => x);
  for (const [tableKey, version] of o.truth) {
    const key = k(tableKey);
    if (!last.has(key)) {
      // a row deleted before it was ever published leaves nothing to retract
      if (version !== null) lost.push(`${key}: never published (table has version ${version})`);
      continue;
    }
    const got = last.get(key)!;
    if (got !== version) lost.push(`${key}: last event ${got === null ? 'tombstone' : `version ${got}`}, table ${version === null ? 'deleted' : `version ${version}`}`);
  }
  for (const c of o.committed ?? []) if (!seen.has(`${k(c.key)}@${c.version}`)) lost.push(`${k(c.key)}@${c.version}: committed change missing`);
  return { events: msgs.length, tombstones, keys: last.size, lost, duplicates };
}

/**
 * The publisher as operators run it (continuous `schemactl publish`), restarted whenever it is killed.
 * kill() SIGKILLs it at the current moment and starts it again after `downMs`.
 */
export class Supervisor {
  private p: PublisherChild | undefined;
  kills = 0;
  readonly outputs: string[] = [];

  constructor(private readonly args: string[], private readonly cwd: string) {}

  /** restarts after the publisher gave up on an unreachable dependency (exit 3), as a service manager does */
  restarts = 0;
  private failure: Error | undefined;
  private stopping = false;

  /** between an exit 3 and its restart there is no process: wait for the new one */
  private async current(): Promise<PublisherChild | undefined> {
    for (let i = 0; i < 40 && !this.p; i++) await sleep(50);
    return this.p;
  }

  start(): void {
    const p = spawnPublisher(this.args, { cwd: this.cwd });
    this.p = p;
    void p.done.then(async (r) => {
      if (this.p !== p || r.signal) return;
      this.outputs.push(r.stdout.slice(-4000) + r.stderr.slice(-4000));
      // started while the broker or the database was down: exit 3, restarted (Restart=on-failure)
      if (r.code === 3) {
        this.restarts++;
        this.p = undefined;
        await sleep(500);
        if (!this.p && !this.stopping) this.start();
      } else {
        this.failure = new Error(`the publisher exited with ${r.code} on its own:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-3000)}`);
      }
    });
  }

  async kill(downMs = 0): Promise<void> {
    const p = await this.current();
    if (!p) return;
    this.p = undefined;
    p.child.kill('SIGKILL');
    const r = await p.done;
    this.outputs.push(r.stdout.slice(-4000) + r.stderr.slice(-4000));
    if (r.signal === 'SIGKILL') this.kills++;
    if (downMs) await sleep(downMs);
    this.start();
  }

  /** SIGTERM: finish the batch and exit 0. */
  async stop(): Promise<void> {
    if (this.failure) throw this.failure;
    const p = await this.current();
    this.stopping = true;
    if (!p) return;
    this.p = undefined;
    p.child.kill('SIGTERM');
    const r = await p.done;
    this.outputs.push(r.stdout.slice(-4000) + r.stderr.slice(-4000));
    if (r.code !== 0) throw new Error(`the publisher exited with ${r.code ?? r.signal} on SIGTERM:\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-3000)}`);
  }

  /** Resolves once the running publisher printed `n` progress lines (batches acknowledged); false if it exited first. */
  async progressed(n: number, timeoutMs = 60_000): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (!this.alive()) return false;
      const count = this.p!.output().stdout.split('\n').filter((l) => l.includes('"msg":"progress"')).length;
      if (count >= n) return true;
      await sleep(50);
    }
    return false;
  }

  alive(): boolean {
    return !!this.p && this.p.child.exitCode === null && this.p.child.signalCode === null;
  }

  lastOutput(): string {
    const now = this.p?.output();
    return [...this.outputs, now ? now.stdout.slice(-4000) + now.stderr.slice(-4000) : ''].join('\n---\n');
  }
}

/** A fault plan drawn from the seed: when (ms into the run) each fault fires. */
export interface FaultPlan {
  kills: number[];
  broker: number[];
  database: number[];
}

export function planFaults(rand: () => number, durationMs: number, want: { kills: number; broker: number; database: number }): FaultPlan {
  const at = (n: number) => Array.from({ length: n }, () => Math.floor(200 + rand() * (durationMs - 400))).sort((a, b) => a - b);
  return { kills: at(want.kills), broker: at(want.broker), database: at(want.database) };
}

/**
 * Fire the plan's faults at their times while the workload runs. Faults are serialised: a broker
 * restart and a kill never overlap (each is a real process coming back).
 */
export async function runFaults(plan: FaultPlan, f: {
  sup: Supervisor;
  broker?: { kill(): Promise<void>; start(): Promise<void> };
  database?: () => Promise<void>;
  rand: () => number;
}): Promise<{ kills: number; brokerRestarts: number; databaseRestarts: number }> {
  const events = [
    ...plan.kills.map((t) => ({ t, kind: 'kill' as const })),
    ...plan.broker.map((t) => ({ t, kind: 'broker' as const })),
    ...plan.database.map((t) => ({ t, kind: 'database' as const })),
  ].sort((a, b) => a.t - b.t);
  const t0 = Date.now();
  const done = { kills: 0, brokerRestarts: 0, databaseRestarts: 0 };
  for (const e of events) {
    const wait = t0 + e.t - Date.now();
    if (wait > 0) await sleep(wait);
    if (e.kind === 'kill') {
      await f.sup.kill(Math.floor(f.rand() * 300));
      done.kills++;
    } else if (e.kind === 'broker' && f.broker) {
      await f.broker.kill();
      await sleep(300 + Math.floor(f.rand() * 700));
      await f.broker.start();
      done.brokerRestarts++;
    } else if (e.kind === 'database' && f.database) {
      await f.database();
      done.databaseRestarts++;
    }
  }
  return done;
}
