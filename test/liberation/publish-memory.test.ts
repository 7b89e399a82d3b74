// The publisher's memory controls: the heap growth bound's setting (environment, node's own flag) and
// the memory gauges on /metrics. That the bound keeps peak RSS flat is tested end to end in
// test/integration/publish-memory.test.ts.
import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, DEFAULT_HEAP_GROWING_PERCENT, HEAP_GROWING_ENV, heapGrowingPercent } from '../../src/liberation/heap-growth.js';
import { PublishMetrics } from '../../src/liberation/metrics/registry.js';
import { UsageError } from '../../src/errors.js';

describe('heapGrowingPercent', () => {
  it('defaults to the bound, takes 0 (V8\'s own growth) and whole percents from the environment', () => {
    expect(heapGrowingPercent({}, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent({ [HEAP_GROWING_ENV]: '' }, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent({ [HEAP_GROWING_ENV]: '0' }, [])).toBe(0);
    expect(heapGrowingPercent({ [HEAP_GROWING_ENV]: ' 100 ' }, [])).toBe(100);
  });

  it('leaves a flag given to node on its command line alone', () => {
    expect(heapGrowingPercent({ [HEAP_GROWING_ENV]: '50' }, ['--heap-growing-percent=80'])).toBeUndefined();
    expect(heapGrowingPercent({}, ['--heap_growing_percent', '80'])).toBeUndefined();
    expect(heapGrowingPercent({}, ['--max-old-space-size=512'])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
  });

  for (const bad of ['-5', '1.5', 'lots', '401', '30%']) {
    it(`refuses ${HEAP_GROWING_ENV}=${bad} as a usage error naming the variable`, () => {
      expect(() => heapGrowingPercent({ [HEAP_GROWING_ENV]: bad }, [])).toThrow(UsageError);
      expect(() => heapGrowingPercent({ [HEAP_GROWING_ENV]: bad }, [])).toThrow(new RegExp(`${HEAP_GROWING_ENV}=`));
    });
  }

  it('boundHeapGrowth reports what it set, and sets nothing when node was given the flag', () => {
    expect(boundHeapGrowth({}, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(boundHeapGrowth({}, ['--heap-growing-percent=80'])).toBeUndefined();
    // back to V8's own heuristics for the rest of this test process
    expect(boundHeapGrowth({ [HEAP_GROWING_ENV]: '0' }, [])).toBe(0);
  });
});

describe('memory on /metrics', () => {
  it('renders RSS, the JS heap, external memory and ArrayBuffers under the Node.js client\'s names', async () => {
    const text = await new PublishMetrics(['s.a']).render();
    const value = (name: string) => {
      const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
      expect(m, `${name} in\n${text}`).not.toBeNull();
      expect(text).toContain(`# TYPE ${name} gauge`);
      return Number(m![1]);
    };
    const rss = value('process_resident_memory_bytes');
    const used = value('nodejs_heap_size_used_bytes');
    const total = value('nodejs_heap_size_total_bytes');
    const external = value('nodejs_external_memory_bytes');
    const arrayBuffers = value('nodejs_array_buffers_bytes');
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(total);
    expect(rss).toBeGreaterThan(used);
    expect(arrayBuffers).toBeLessThanOrEqual(external);
  });
});
