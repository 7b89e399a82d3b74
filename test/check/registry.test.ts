import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveRegistry } from '../../src/registry/index.js';
import type { ServedRegistry } from '../../src/registry/index.js';
import { CATALOG, ORDER_BREAKING, ORDER_COMPATIBLE, ORDER_V1, cli, scratchDir, write } from './helpers.js';

const MONEY = `syntax = "proto3";
package acme.common;

// An amount of money.
message Money {
  string currency = 1;
  int64 units = 2;
}
`;

const PAYMENT_V1 = `syntax = "proto3";
package acme.payments.v1;

import "common/money.proto";
import "google/protobuf/timestamp.proto";

// A payment was captured.
message PaymentCaptured {
  string payment_id = 1;
  acme.common.Money amount = 2;
  string legacy_id = 4;
  google.protobuf.Timestamp updated_at = 3;
}
`;

const PROTO_CATALOG = `streams:
  - topic: payments.payment-captured
    schema: schemas/payment-captured.proto
    compatibility: FULL
include_paths:
  - schemas
`;

describe('check and register against a served registry', () => {
  let served: ServedRegistry;
  let url: string;
  beforeAll(async () => {
    served = await serveRegistry({ port: 0, dataDir: path.join(scratchDir('registry-data'), 'store') });
    url = served.url;
  });
  afterAll(async () => {
    await served.close();
  });

  it('registers, is idempotent, then gates breaking and compatible changes with the registry agreeing', async () => {
    const dir = scratchDir('check-reg');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const first = await cli(['register', '--registry', url], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/orders\.order-placed-value\s+1\s+(\d+)\s+registered/);
    const id = /orders\.order-placed-value\s+1\s+(\d+)/.exec(first.stdout)![1];
    const again = await cli(['register', '--registry', url], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`orders\\.order-placed-value\\s+1\\s+${id}\\s+unchanged`));

    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    const broken = await cli(['check', '--registry', url], dir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    expect(broken.stdout).toContain('version 1');
    expect(broken.stderr).toContain('NOT compatible (BACKWARD) with registry');
    expect(broken.stderr).toContain('the registry says incompatible');
    const refused = await cli(['register', '--registry', url], dir);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('REFUSED: not compatible with the registered versions');

    write(dir, { 'schemas/order-placed.avsc': ORDER_COMPATIBLE });
    const ok = await cli(['check', '--registry', url], dir);
    expect(ok.stderr).toContain('compatible (BACKWARD) with registry');
    expect(ok.stderr).toContain('the registry says compatible');
    expect(ok.code).toBe(0);
    const second = await cli(['register', '--registry', url], dir);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/orders\.order-placed-value\s+2\s+\d+\s+registered/);
  });

  it('registers Protobuf imports first, under subjects named by the import path', async () => {
    const dir = scratchDir('check-proto');
    write(dir, { 'schemactl.yaml': PROTO_CATALOG, 'schemas/common/money.proto': MONEY, 'schemas/payment-captured.proto': PAYMENT_V1 });
    const r = await cli(['register', '--registry', url], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const money = lines.findIndex((l) => /^common\/money\.proto\s+1\s+\d+\s+registered \(import\)/.test(l));
    const event = lines.findIndex((l) => /^payments\.payment-captured-value\s+1\s+\d+\s+registered/.test(l));
    expect(money).toBeGreaterThan(0);
    expect(event).toBeGreaterThan(money);
    const stored = await served.store.getLatest('payments.payment-captured-value');
    expect(stored.references).toEqual([{ name: 'common/money.proto', subject: 'common/money.proto', version: 1 }]);
    expect((await served.store.getConfig('payments.payment-captured-value')).compatibilityLevel).toBe('FULL');

    const again = await cli(['register', '--registry', url], dir);
    expect(again.stdout).toMatch(/common\/money\.proto\s+1\s+\d+\s+unchanged \(import\)/);
    expect(again.stdout).toMatch(/payments\.payment-captured-value\s+1\s+\d+\s+unchanged/);

    // a changed field type breaks the FULL level; the fix names the number and name to reserve
    write(dir, { 'schemas/payment-captured.proto': PAYMENT_V1.replace('string legacy_id = 4;', 'int64 legacy_id = 4;') });
    const broken = await cli(['check', '--registry', url], dir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('FIELD_SCALAR_KIND_CHANGED');
    expect(broken.stdout).toMatch(/11:3\s+error/);
    expect(broken.stdout).toContain("reserve field number 4 and name 'legacy_id'");

    // removing a field is compatible, but it should be reserved
    write(dir, { 'schemas/payment-captured.proto': PAYMENT_V1.replace('  string legacy_id = 4;\n', '') });
    const removed = await cli(['check', '--registry', url], dir);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain('field-removed-without-reserve');
    expect(removed.stdout).toContain('add reserved 4; reserved "legacy_id";');
    expect(removed.stdout).toMatch(/8:9\s+warning/);
  });

  it('fails closed with exit 3 and a redacted URL when the registry cannot be reached', async () => {
    const dir = scratchDir('check-down');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = await cli(['check', '--registry', 'http://alice:s3cret@127.0.0.1:1'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Cannot reach the schema registry at http://***@127.0.0.1:1');
    expect(r.stderr).not.toContain('s3cret');
    expect(r.stdout).toBe('');
  });

  it('sends credentials from the environment and never prints them', async () => {
    const guarded = await serveRegistry({ port: 0, dataDir: path.join(scratchDir('registry-auth'), 'store'), auth: { username: 'ci', password: 'hunter2' } });
    try {
      const dir = scratchDir('check-auth');
      write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
      const denied = await cli(['register', '--registry', guarded.url], dir);
      expect(denied.code).toBe(2);
      expect(denied.stderr).toContain('rejected the credentials');
      const ok = await cli(['register', '--registry', guarded.url], dir, { SCHEMACTL_REGISTRY_USER: 'ci', SCHEMACTL_REGISTRY_PASSWORD: 'hunter2' });
      expect(ok.code).toBe(0);
      expect(ok.stdout + ok.stderr).not.toContain('hunter2');
    } finally {
      await guarded.close();
    }
  });
});

describe('the embedded store (no registry configured)', () => {
  it('passes on a fresh clone, then checks against what register stored', async () => {
    const dir = scratchDir('check-embedded');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const fresh = await cli(['check'], dir);
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain('is empty (nothing registered yet)');
    expect(fresh.stderr).toContain('✓ orders.order-placed (orders.order-placed-value): new');
    const reg = await cli(['register'], dir);
    expect(reg.code).toBe(0);
    expect(reg.stdout).toContain('Registry: ');
    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    const broken = await cli(['check'], dir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
  });

  it('refuses to register a stream whose lint fails', async () => {
    const dir = scratchDir('check-lint');
    write(dir, {
      'schemactl.yaml': CATALOG,
      'schemas/order-placed.avsc': ORDER_V1.replace('"name": "OrderPlaced"', '"name": "order-placed"'),
    });
    const r = await cli(['register'], dir);
    // "order-placed" is not a valid Avro name: not a valid schema, exit 2 as for lint
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/orders\.order-placed-value\s+-\s+-\s+REFUSED: lint found/);
  });
});
