// Which instance owns which stream: pure functions, run by the group leader during the rebalance.
//
// Streams are named, never numbered by a shared order: the instances of one group may run different
// catalogs for a while (a rolling upgrade that adds, removes or changes a stream; `--keep-going` with a
// stream refused on one instance). Each member tells the leader, in its subscription, the streams it
// has with a fingerprint of each one's definition; the leader gives a member only streams it has, and
// a stream whose definition differs between members only to members with the newest definition.
//
// "Newest" is the definition of the most recently started member that has the stream: a rolling
// upgrade restarts instances with the new catalog, so the new definition takes the stream over at the
// first restart and keeps it (one handover, no back and forth while the others are upgraded). Members
// with the older definition stand by for that stream; the leader logs the difference on every
// rebalance until the catalogs agree again.
import { createHash } from 'node:crypto';
import type { SourceSpec } from '../source-config.js';

/** A stream's names and their (sorted) order in one member's catalog: partition i of its assignment is stream i. */
export function streamOrder(topics: readonly string[]): string[] {
  return [...new Set(topics)].sort();
}

/** source keys that tune how a stream runs on this host, not what it publishes */
const OPERATIONAL = new Set(['connection', 'batchSize', 'batch_size', 'pollIntervalMs', 'poll_interval_ms', 'deadLetter', 'dead_letter', 'seed', 'delayMs', 'delay_ms']);

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).filter((k) => !OPERATIONAL.has(k)).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * What a stream publishes: its topic, registered schema id and source (table or query, columns,
 * mapping, pattern settings). The connection (it may name a host-local replica, and holds secrets),
 * batch size, poll interval, delay and dead-letter target are left out: they may differ per host.
 */
export function definitionFingerprint(topic: string, schemaId: number, spec: SourceSpec): string {
  return createHash('sha256').update(JSON.stringify(canonical({ topic, schemaId, spec }))).digest('hex').slice(0, 16);
}

export interface MemberInfo {
  memberId: string;
  /** when the member's process started (ms since the epoch): the newest definition of a stream wins */
  startedAt: number;
  /** stream name → fingerprint of its definition, for every stream of the member's catalog */
  streams: Record<string, string>;
  /** the streams this member was running when it joined, for stickiness */
  owned: string[];
}

export interface DefinitionConflict {
  stream: string;
  /** the fingerprint that runs, and the members that have it */
  chosen: string;
  runsOn: string[];
  /** members whose definition differs: they do not get the stream */
  standingBy: string[];
}

export interface Assignment {
  /** member id → the stream names it runs, sorted */
  owned: Map<string, string[]>;
  conflicts: DefinitionConflict[];
}

/**
 * Balanced and sticky within what each member can run. Every stream of the union of the members'
 * catalogs goes to exactly one member that has it (with the chosen definition). Members get quotas of
 * ⌊n/m⌋ or ⌈n/m⌉ (the larger ones to those that already hold the most, so fewer streams move); a
 * stream only one member can run is placed first, so it does not find that member already full of
 * streams others could have run. A stream stays with a member that ran it
 * while that member is under its quota, so a rebalance moves only what it has to (a moved stream costs
 * a fence, a checkpoint read and a source reopen). When the catalogs make the quotas impossible the
 * stream goes to its least-loaded eligible member.
 */
export function assignStreams(members: readonly MemberInfo[]): Assignment {
  const ids = members.map((m) => m.memberId).sort();
  const owned = new Map<string, string[]>(ids.map((id) => [id, []]));
  const conflicts: DefinitionConflict[] = [];
  if (ids.length === 0) return { owned, conflicts };
  const newestFirst = [...members].sort((a, b) => b.startedAt - a.startedAt || (a.memberId < b.memberId ? -1 : 1));

  // who may run each stream
  const eligible = new Map<string, string[]>();
  for (const stream of [...new Set(members.flatMap((m) => Object.keys(m.streams)))].sort()) {
    const having = newestFirst.filter((m) => Object.hasOwn(m.streams, stream));
    const chosen = having[0]!.streams[stream]!;
    const runsOn = having.filter((m) => m.streams[stream] === chosen).map((m) => m.memberId).sort();
    const standingBy = having.filter((m) => m.streams[stream] !== chosen).map((m) => m.memberId).sort();
    if (standingBy.length > 0) conflicts.push({ stream, chosen, runsOn, standingBy });
    eligible.set(stream, runsOn);
  }

  const n = eligible.size;
  const base = Math.floor(n / ids.length);
  let extra = n % ids.length;
  const byHeld = [...members].sort((a, b) => b.owned.length - a.owned.length || (a.memberId < b.memberId ? -1 : 1));
  const quota = new Map<string, number>();
  for (const m of byHeld) quota.set(m.memberId, base + (extra-- > 0 ? 1 : 0));
  const claims = new Map(members.map((m) => [m.memberId, new Set(m.owned)]));
  const room = (id: string) => quota.get(id)! - owned.get(id)!.length;
  const best = (cands: string[]) => cands.reduce((a, b) => (room(b) > room(a) ? b : a));

  // three passes, each over the streams that fewest members can run first: a stream only one member
  // can run goes to it; then each stream stays with a member that ran it while that member is under its
  // quota; then the rest go to the eligible member with the most room left
  const order = [...eligible.keys()].sort((a, b) => eligible.get(a)!.length - eligible.get(b)!.length || (a < b ? -1 : 1));
  const placed = new Set<string>();
  const place = (stream: string, to: string) => { owned.get(to)!.push(stream); placed.add(stream); };
  for (const stream of order) if (eligible.get(stream)!.length === 1) place(stream, eligible.get(stream)![0]!);
  for (const stream of order) {
    if (placed.has(stream)) continue;
    const holders = eligible.get(stream)!.filter((id) => claims.get(id)!.has(stream) && room(id) > 0);
    if (holders.length > 0) place(stream, best(holders));
  }
  for (const stream of order) if (!placed.has(stream)) place(stream, best(eligible.get(stream)!));
  for (const list of owned.values()) list.sort();
  return { owned, conflicts };
}
