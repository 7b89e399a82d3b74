// The group leader's assignment (stickyAssign) and the stream ↔ partition order, and the metrics'
// Prometheus text: pure functions, tested as tables.
import { describe, expect, it } from 'vitest';
import { stickyAssign, streamOrder } from '../../src/liberation/group/assign.js';
import { PublishMetrics } from '../../src/liberation/metrics/registry.js';

const asObj = (m: Map<string, number[]>) => Object.fromEntries(m);

describe('stickyAssign', () => {
  const cases: Array<{ name: string; partitions: number; members: Array<[string, number[]]>; want: Record<string, number[]> }> = [
    { name: 'one member takes everything', partitions: 6, members: [['a', []]], want: { a: [0, 1, 2, 3, 4, 5] } },
    { name: 'fresh group: balanced, in partition order', partitions: 6, members: [['a', []], ['b', []], ['c', []]], want: { a: [0, 3], b: [1, 4], c: [2, 5] } },
    { name: 'a joining member takes only what it must', partitions: 6, members: [['a', [0, 1, 2, 3, 4, 5]], ['b', []]], want: { a: [0, 1, 2], b: [3, 4, 5] } },
    { name: 'a third member: the two keep 2 each of theirs', partitions: 6, members: [['a', [0, 1, 2]], ['b', [3, 4, 5]], ['c', []]], want: { a: [0, 1], b: [3, 4], c: [2, 5] } },
    { name: 'a member died: its streams go to the others, nothing else moves', partitions: 6, members: [['a', [0, 3]], ['c', [2, 5]]], want: { a: [0, 1, 3], c: [2, 4, 5] } },
    { name: 'a partition claimed twice (a stale claim) is given once', partitions: 4, members: [['a', [0, 1]], ['b', [1, 2]]], want: { a: [0, 1], b: [2, 3] } },
    { name: 'claims beyond the partition count are ignored', partitions: 2, members: [['a', [0, 7]], ['b', []]], want: { a: [0], b: [1] } },
    { name: 'more members than streams: some get none', partitions: 2, members: [['a', []], ['b', []], ['c', []]], want: { a: [0], b: [1], c: [] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = stickyAssign(c.partitions, c.members.map(([memberId, owned]) => ({ memberId, owned })));
      expect(asObj(got)).toEqual(c.want);
      // every partition exactly once
      expect([...got.values()].flat().sort((x, y) => x - y)).toEqual(Array.from({ length: c.partitions }, (_, i) => i));
    });
  }

  it('streamOrder is the sorted set of names: every instance of a catalog agrees without talking', () => {
    expect(streamOrder(['b.orders', 'a.items', 'b.orders', 'a.customers'])).toEqual(['a.customers', 'a.items', 'b.orders']);
  });
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
