import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openEmbeddedRegistry } from '../../src/registry/index.js';
import { check } from '../../src/check/index.js';
import { ORDER_BREAKING, ORDER_COMPATIBLE, ORDER_V1, cli, scratchDir, write } from './helpers.js';

describe('check --old --new (ad-hoc pair)', () => {
  it('judges a pair at the given level, format from the extension', async () => {
    const dir = scratchDir('pair');
    write(dir, { 'v1.avsc': ORDER_V1, 'v2.avsc': ORDER_COMPATIBLE, 'v3.avsc': ORDER_BREAKING });
    expect((await cli(['check', '--old', 'v1.avsc', '--new', 'v2.avsc', '--level', 'FULL'], dir)).code).toBe(0);
    const broken = await cli(['check', '--old', 'v1.avsc', '--new', 'v3.avsc', '--level', 'FORWARD'], dir);
    // adding a field without a default is FORWARD compatible: old readers ignore it
    expect(broken.code).toBe(0);
    const back = await cli(['check', '--old', 'v1.avsc', '--new', 'v3.avsc', '--level', 'backward'], dir);
    expect(back.code).toBe(1);
    expect(back.stdout).toContain('v3.avsc');
    expect(back.stdout).toContain('old schema here (v1.avsc:3:11)');
  });

  it('anchors a deleted field on the surviving record, with the old field as related location', async () => {
    const dir = scratchDir('pair-del');
    write(dir, { 'v1.avsc': ORDER_V1, 'v2.avsc': ORDER_V1.replace('    { "name": "amount", "type": "long", "doc": "Amount in cents." },\n', '') });
    const r = await check({ cwd: dir, old: 'v1.avsc', new: 'v2.avsc', level: 'FORWARD' });
    expect(r.errorCount).toBe(1);
    const d = r.results[0]!.diagnostics[0]!;
    expect(d.ruleId).toBe('avro-reader-field-missing-default-value');
    expect(d.location.range?.line).toBe(3); // the record's name: the field's lines are gone
    expect(d.related?.[0]).toMatchObject({ file: 'v1.avsc', message: 'old schema here', range: { line: 8 } });
    expect(d.help).toBe('keep field amount; to remove it, first register a version where it has a default');
  });

  it('rejects usage errors with exit 2', async () => {
    const dir = scratchDir('pair-usage');
    write(dir, { 'v1.avsc': ORDER_V1, 'a.proto': 'syntax = "proto3";\nmessage A { string a = 1; }\n', 'x.json': '{}', 'x.txt': 'text' });
    expect((await cli(['check', '--old', 'v1.avsc'], dir)).stderr).toContain('--old and --new go together');
    expect((await cli(['check', '--old', 'v1.avsc', '--new', 'a.proto'], dir)).code).toBe(2);
    expect((await cli(['check', '--old', 'v1.avsc', '--new', 'x.json'], dir)).stderr).toContain('different formats (Avro and JSON Schema)');
    expect((await cli(['check', '--old', 'v1.avsc', '--new', 'x.txt'], dir)).stderr).toContain('use .avsc, .avdl, .proto or .json (JSON Schema)');
    expect((await cli(['check', '--old', 'v1.avsc', '--new', 'v1.avsc', '--level', 'SIDEWAYS'], dir)).stderr).toContain('is not a compatibility level');
    expect((await cli(['check', '--old', 'v1.avsc', '--new', 'missing.avsc'], dir)).code).toBe(2);
  });

  it('checks .avdl event types as the standalone Avro schema a registry stores, anchored in the IDL', async () => {
    const dir = scratchDir('pair-avdl');
    const idl = (extra: string): string => `@namespace("com.acme.orders")
protocol Shipping {
  /** Carrier. */
  enum Carrier { UNKNOWN, DHL } = UNKNOWN;
  /** Shipped. */
  record OrderShipped {
    string order_id;
    Carrier carrier = "UNKNOWN";${extra}
  }
}
`;
    write(dir, { 'v1.avdl': idl(''), 'v2.avdl': idl('\n    long weight;') });
    const r = await check({ cwd: dir, old: 'v1.avdl', new: 'v2.avdl' });
    const d = r.results[0]!.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.ruleId).toBe('avro-reader-field-missing-default-value');
    expect(d.location).toMatchObject({ file: 'v2.avdl', range: { line: 9 } });
    expect(d.message).toContain('field `weight`');
    expect(d.help).toContain('union { null, <type> } weight = null;');
  });

  it('warns about changes the registry accepts but readers feel (logical types)', async () => {
    const dir = scratchDir('pair-adv');
    write(dir, { 'v1.avsc': ORDER_V1, 'v2.avsc': ORDER_V1.replace('timestamp-millis', 'timestamp-micros') });
    const r = await cli(['check', '--old', 'v1.avsc', '--new', 'v2.avsc'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('timestamp-unit-changed');
    expect(r.stdout).toContain('warning');
    const strict = await cli(['check', '--old', 'v1.avsc', '--new', 'v2.avsc', '--advisories', 'error'], dir);
    expect(strict.code).toBe(1);
    const off = await cli(['check', '--old', 'v1.avsc', '--new', 'v2.avsc', '--advisories', 'off'], dir);
    expect(off.stdout).toBe('');
  });
});

describe('history in a registry', () => {
  it('FULL_TRANSITIVE looks at every version, and a field name reused from an earlier version is a warning', async () => {
    const dir = scratchDir('history');
    const dataDir = path.join(dir, '.schemactl/registry');
    const v1 = ORDER_V1.replace('{ "name": "amount", "type": "long"', '{ "name": "amount", "type": "long", "default": 0');
    const v2 = v1.replace('    { "name": "amount", "type": "long", "default": 0, "doc": "Amount in cents." },\n', '');
    const v3 = v1.replace('{ "name": "amount", "type": "long", "default": 0', '{ "name": "amount", "type": "string", "default": ""');
    const store = await openEmbeddedRegistry({ dataDir });
    await store.setConfig('orders.order-placed-value', { compatibility: 'NONE' });
    await store.register('orders.order-placed-value', { schema: v1 });
    await store.register('orders.order-placed-value', { schema: v2 });
    await store.close();
    write(dir, {
      'schemactl.yaml': 'streams:\n  - topic: orders.order-placed\n    schema: order.avsc\n',
      'order.avsc': v3,
    });
    // against the latest only, re-adding `amount` with another type is fine for the registry…
    const latest = await check({ cwd: dir, level: 'FULL' });
    expect(latest.errorCount).toBe(0);
    const reuse = latest.results.flatMap((r) => r.diagnostics).find((d) => d.ruleId === 'field-reused');
    expect(reuse?.message).toContain('in version 1 it had type long');
    expect(reuse?.location.range?.line).toBe(8);
    // …but not for the versions before it
    const all = await check({ cwd: dir, level: 'FULL_TRANSITIVE' });
    expect(all.errorCount).toBeGreaterThan(0);
    expect(all.results.flatMap((r) => r.diagnostics).find((d) => d.severity === 'error')?.message).toContain('version 1');
  });
});
