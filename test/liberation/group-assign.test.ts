// The group leader's assignment (assignStreams) over members whose catalogs may differ, the members'
// subscription metadata, the definition fingerprint, and the metrics' Prometheus text: pure functions,
// tested as tables.
import { describe, expect, it } from 'vitest';
import { assignStreams, definitionFingerprint, streamOrder, type MemberInfo } from '../../src/liberation/group/assign.js';
import { decodeMember } from '../../src/liberation/group/membership.js';
import { PublishMetrics } from '../../src/liberation/metrics/registry.js';
import type { SourceSpec } from '../../src/liberation/source-config.js';

const S = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`);
/** a catalog where every stream has the same definition "d1" */
const cat = (names: string[], fp = 'd1') => Object.fromEntries(names.map((s) => [s, fp]));
const m = (memberId: string, streams: Record<string, string>, owned: string[] = [], startedAt = 1): MemberInfo => ({ memberId, streams, owned, startedAt });

describe('assignStreams', () => {
  const cases: Array<{ name: string; members: MemberInfo[]; want: Record<string, string[]>; conflicts?: Array<{ stream: string; runsOn: string[]; standingBy: string[] }> }> = [
    // one catalog everywhere: balanced and sticky
    { name: 'one member takes everything', members: [m('a', cat(S(6)))], want: { a: S(6) } },
    { name: 'fresh group: balanced', members: [m('a', cat(S(6))), m('b', cat(S(6))), m('c', cat(S(6)))], want: { a: ['s0', 's3'], b: ['s1', 's4'], c: ['s2', 's5'] } },
    { name: 'a joining member takes only what it must', members: [m('a', cat(S(6)), S(6)), m('b', cat(S(6)))], want: { a: ['s0', 's1', 's2'], b: ['s3', 's4', 's5'] } },
    { name: 'a third member: the two keep 2 each of theirs', members: [m('a', cat(S(6)), ['s0', 's1', 's2']), m('b', cat(S(6)), ['s3', 's4', 's5']), m('c', cat(S(6)))], want: { a: ['s0', 's1'], b: ['s3', 's4'], c: ['s2', 's5'] } },
    { name: 'a member died: its streams go to the others, nothing else moves', members: [m('a', cat(S(6)), ['s0', 's3']), m('c', cat(S(6)), ['s2', 's5'])], want: { a: ['s0', 's1', 's3'], c: ['s2', 's4', 's5'] } },
    { name: '7 streams, a third member joins 4+3: quotas 3/2/2 to the largest holders', members: [m('a', cat(S(7)), ['s0', 's1', 's2', 's3']), m('b', cat(S(7)), ['s4', 's5', 's6']), m('c', cat(S(7)))], want: { a: ['s0', 's1', 's2'], b: ['s4', 's5'], c: ['s3', 's6'] } },
    { name: 'a stream claimed twice (a stale claim) is given once, to the claimant with more room', members: [m('a', cat(S(4)), ['s0', 's1']), m('b', cat(S(4)), ['s1', 's2'])], want: { a: ['s0', 's3'], b: ['s1', 's2'] } },
    { name: 'claims of streams nobody has are ignored', members: [m('a', cat(S(2)), ['s0', 'gone']), m('b', cat(S(2)))], want: { a: ['s0'], b: ['s1'] } },
    { name: 'more members than streams: some get none', members: [m('a', cat(S(2))), m('b', cat(S(2))), m('c', cat(S(2)))], want: { a: ['s0'], b: ['s1'], c: [] } },
    // differing catalogs (a rolling upgrade, a stream refused on one instance)
    { name: 'a stream only the upgraded member has goes to it; the shared ones balance around it', members: [m('a', cat(['s1', 's2'])), m('b', cat(['s1', 's2', 's3']))], want: { a: ['s1', 's2'], b: ['s3'] } },
    { name: 'the upgraded member joins a running one: it takes its new stream and at most one shared one moves', members: [m('a', cat(['s1', 's2']), ['s1', 's2']), m('b', cat(['s1', 's2', 's3']))], want: { a: ['s1', 's2'], b: ['s3'] } },
    { name: 'a member full of shared streams does not crowd out a stream only it has', members: [m('a', cat(['s1', 's2'])), m('b', cat(['s1', 's2', 's3']), ['s1', 's2'])], want: { a: ['s2'], b: ['s1', 's3'] } },
    { name: 'a removed stream (still on the old member) runs there; the new catalog takes the rest', members: [m('a', cat(['s1', 's2', 'old'])), m('b', cat(['s1', 's2']))], want: { a: ['old', 's1'], b: ['s2'] } },
    { name: 'quotas impossible under the catalogs: streams go to whoever can run them', members: [m('a', cat(['s1'])), m('b', cat(['s1', 's2', 's3', 's4']))], want: { a: ['s1'], b: ['s2', 's3', 's4'] } },
    { name: 'disjoint catalogs: each runs its own', members: [m('a', cat(['x1', 'x2'])), m('b', cat(['y1']))], want: { a: ['x1', 'x2'], b: ['y1'] } },
    { name: 'an empty catalog (unreadable metadata) gets nothing', members: [m('a', {}), m('b', cat(S(2)))], want: { a: [], b: ['s0', 's1'] } },
    // differing definitions of one stream
    {
      name: 'a changed definition: only members with the newest started member\'s definition run it',
      members: [m('a', { s1: 'old', s2: 'd1' }, ['s1', 's2'], 100), m('b', { s1: 'new', s2: 'd1' }, [], 200)],
      want: { a: ['s2'], b: ['s1'] }, conflicts: [{ stream: 's1', runsOn: ['b'], standingBy: ['a'] }],
    },
    {
      name: 'the newest definition wins even against a majority (the upgrade goes one way)',
      members: [m('a', { s1: 'old' }, ['s1'], 100), m('b', { s1: 'old' }, [], 150), m('c', { s1: 'new' }, [], 200)],
      want: { a: [], b: [], c: ['s1'] }, conflicts: [{ stream: 's1', runsOn: ['c'], standingBy: ['a', 'b'] }],
    },
    {
      name: 'two members with the new definition share it; the old one stands by',
      members: [m('a', { s1: 'old', s2: 'd' }, ['s1'], 100), m('b', { s1: 'new', s2: 'd' }, [], 200), m('c', { s1: 'new', s2: 'd' }, [], 300)],
      want: { a: ['s2'], b: ['s1'], c: [] }, conflicts: [{ stream: 's1', runsOn: ['b', 'c'], standingBy: ['a'] }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = assignStreams(c.members);
      expect(Object.fromEntries(got.owned)).toEqual(c.want);
      // every stream of the union exactly once, and only to a member that has it
      const union = [...new Set(c.members.flatMap((x) => Object.keys(x.streams)))].sort();
      expect([...got.owned.values()].flat().sort()).toEqual(union);
      for (const [id, list] of got.owned) for (const s of list) expect(Object.keys(c.members.find((x) => x.memberId === id)!.streams)).toContain(s);
      expect(got.conflicts.map(({ stream, runsOn, standingBy }) => ({ stream, runsOn, standingBy }))).toEqual(c.conflicts ?? []);
    });
  }

  it('is a function of the members, not of their order (every leader computes the same)', () => {
    const ms = [m('b', cat(['s1', 's2', 's3']), ['s3'], 5), m('a', cat(['s1', 's2']), ['s1'], 9), m('c', cat(['s2', 's3', 's4']), [], 7)];
    const want = Object.fromEntries(assignStreams(ms).owned);
    expect(Object.fromEntries(assignStreams([...ms].reverse()).owned)).toEqual(want);
    expect(Object.fromEntries(assignStreams([ms[1]!, ms[2]!, ms[0]!]).owned)).toEqual(want);
  });

  it('streamOrder is the sorted set of names: partition i of a member\'s assignment is stream i of its own catalog', () => {
    expect(streamOrder(['b.orders', 'a.items', 'b.orders', 'a.customers'])).toEqual(['a.customers', 'a.items', 'b.orders']);
  });
});

describe('decodeMember', () => {
  const cases: Array<{ name: string; meta: string; want: MemberInfo }> = [
    { name: 'a member\'s catalog, start time and running streams', meta: '{"startedAt":42,"streams":{"s1":"f1","s2":"f2"},"owned":["s2"]}', want: m('x', { s1: 'f1', s2: 'f2' }, ['s2'], 42) },
    { name: 'garbage is an empty catalog', meta: 'not json', want: m('x', {}, [], 0) },
    { name: 'a previous format (a list of partition numbers) is an empty catalog', meta: '[0,1]', want: m('x', {}, [], 0) },
    { name: 'fields of the wrong type are dropped', meta: '{"startedAt":"x","streams":{"s1":3,"s2":"f"},"owned":[1,"s2"]}', want: m('x', { s2: 'f' }, ['s2'], 0) },
  ];
  for (const c of cases) it(c.name, () => expect(decodeMember('x', Buffer.from(c.meta))).toEqual(c.want));
});

describe('definitionFingerprint', () => {
  const spec = (o: Record<string, unknown> = {}) => ({ pattern: 'query', connection: 'postgres://u:secret@db1/x', batchSize: 2000, pollIntervalMs: 200, delayMs: 0, deadLetter: 'dl.jsonl', mapping: {}, table: 'items', timestamp: 'updated_at', id: 'id', lookbackMs: 0, ...o }) as unknown as SourceSpec;
  const base = definitionFingerprint('t.items', 7, spec());
  const cases: Array<{ name: string; fp: string; same: boolean }> = [
    { name: 'the same definition', fp: definitionFingerprint('t.items', 7, spec()), same: true },
    { name: 'another host\'s connection, batch size, poll interval and dead-letter file', fp: definitionFingerprint('t.items', 7, spec({ connection: 'postgres://u:other@replica/x', batchSize: 500, pollIntervalMs: 1000, deadLetter: 'other.jsonl' })), same: true },
    { name: 'another table', fp: definitionFingerprint('t.items', 7, spec({ table: 'items_v2' })), same: false },
    { name: 'another schema', fp: definitionFingerprint('t.items', 8, spec()), same: false },
    { name: 'another mapping', fp: definitionFingerprint('t.items', 7, spec({ mapping: { a: 'b' } })), same: false },
    { name: 'another pattern setting', fp: definitionFingerprint('t.items', 7, spec({ softDelete: 'deleted' })), same: false },
  ];
  for (const c of cases) it(`${c.name}: ${c.same ? 'same' : 'different'} fingerprint`, () => expect(c.fp === base).toBe(c.same));
  it('does not carry the connection\'s secret', () => expect(base).toMatch(/^[0-9a-f]{16}$/));
});

describe('PublishMetrics', () => {
  it('renders counters, the batch histogram, lag gauges and owned streams in the Prometheus text format', async () => {
    const m = new PublishMetrics(['s.a', 's.b'], 'g1');
    m.batch('s.a', { read: 10, published: 8, tombstones: 1, deadLettered: 1, ms: 30 });
    m.batch('s.a', { read: 5, published: 5, tombstones: 0, deadLettered: 0, ms: 2000 });
    m.owned('s.a', true);
    m.attach({ lag: async () => [{ stream: 's.a', lag: { kind: 'slot_bytes', value: 4096 } }], leaseValid: () => true });
    const text = await m.render();
    for (const line of [
      'schemactl_rows_read_total{stream="s.a"} 15',
      'schemactl_events_published_total{stream="s.a"} 13',
      'schemactl_tombstones_total{stream="s.a"} 1',
      'schemactl_dead_letters_total{stream="s.a"} 1',
      'schemactl_events_published_total{stream="s.b"} 0',
      'schemactl_batches_total{stream="s.a"} 2',
      'schemactl_batch_duration_seconds_bucket{stream="s.a",le="0.05"} 1',
      'schemactl_batch_duration_seconds_bucket{stream="s.a",le="2.5"} 2',
      'schemactl_batch_duration_seconds_bucket{stream="s.a",le="+Inf"} 2',
      'schemactl_batch_duration_seconds_sum{stream="s.a"} 2.03',
      'schemactl_batch_duration_seconds_count{stream="s.a"} 2',
      'schemactl_source_slot_lag_bytes{stream="s.a"} 4096',
      'schemactl_stream_owned{stream="s.a"} 1',
      'schemactl_stream_owned{stream="s.b"} 0',
      'schemactl_owned_streams 1',
      'schemactl_group_lease_valid{group="g1"} 1',
      '# TYPE schemactl_batch_duration_seconds histogram',
    ]) expect(text.split('\n')).toContain(line);
    expect(m.totals('s.a')).toEqual({ read: 15, published: 13, tombstones: 1, deadLettered: 1, batches: 2 });
    // every sample line is `name{labels} value` or `name value`
    for (const l of text.trim().split('\n')) expect(l).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? [-+\w.]+)$/);
  });
});
