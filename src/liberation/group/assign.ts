// Which instance owns which stream: pure functions, run by the group leader during the rebalance.
//
// A stream is a partition of the control topic. The mapping is the catalog's stream names in sorted
// order, so every instance of the same catalog agrees on it without talking; adding a stream to the
// catalog appends or inserts a name, which is why the control topic is (re)sized to the stream count
// before joining and why every member checks the partition count against its own catalog.

/** Stream i of the group is partition i of the control topic. */
export function streamOrder(topics: readonly string[]): string[] {
  return [...new Set(topics)].sort();
}

export interface MemberClaim {
  memberId: string;
  /** the partitions this member was running when it joined (its user data), for stickiness */
  owned: number[];
}

/**
 * Balanced and sticky: every member gets ⌊n/m⌋ or ⌈n/m⌉ partitions; a partition stays with the member
 * that ran it as long as that member is under its quota, so a rebalance (a new instance, a restart)
 * moves only the streams it has to. A moved stream costs a fence, a checkpoint read and a source
 * reopen; a log stream's replication slot has to be released by one instance and claimed by the other.
 */
export function stickyAssign(partitions: number, members: MemberClaim[]): Map<string, number[]> {
  const ids = members.map((m) => m.memberId).sort();
  const out = new Map<string, number[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const base = Math.floor(partitions / ids.length);
  let extra = partitions % ids.length;
  // members that already hold the most keep the ⌈n/m⌉ quotas, so fewer partitions have to move
  const byHeld = [...members].sort((a, b) => b.owned.length - a.owned.length || (a.memberId < b.memberId ? -1 : 1));
  const quota = new Map<string, number>();
  for (const m of byHeld) quota.set(m.memberId, base + (extra-- > 0 ? 1 : 0));
  const taken = new Set<number>();
  for (const m of byHeld) {
    const mine = out.get(m.memberId)!;
    for (const p of [...new Set(m.owned)].sort((a, b) => a - b)) {
      if (p < 0 || p >= partitions || taken.has(p) || mine.length >= quota.get(m.memberId)!) continue;
      mine.push(p);
      taken.add(p);
    }
  }
  // the rest go to whoever is furthest under quota, in partition order (deterministic)
  for (let p = 0; p < partitions; p++) {
    if (taken.has(p)) continue;
    let best: string | undefined;
    for (const id of ids) {
      const room = quota.get(id)! - out.get(id)!.length;
      if (room > 0 && (best === undefined || room > quota.get(best)! - out.get(best)!.length)) best = id;
    }
    out.get(best!)!.push(p);
    taken.add(p);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}
