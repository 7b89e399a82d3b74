// `schemactl lint --fix` and `--fix-dry-run` through the built launcher, on temp copies: what is
// written, what is reported, the exit status, and that the fixed files are still valid for the
// reference tools (buf for .proto, the avsc library for .avsc).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ROOT, buildCli } from './support/build.js';

const BUF = path.join(ROOT, 'node_modules/@bufbuild/buf/bin/buf');
let tmp: string;

beforeAll(() => {
  buildCli();
  mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
  tmp = mkdtempSync(path.join(ROOT, 'test/.work/cli-fix-'));
}, 300_000); // tsc and the build steps; minutes on a loaded machine

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const ORDER_AVSC = `{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "com.acme.orders.v1",
  "doc": "A customer placed an order.",
  "fields": [
    {"name": "order_id", "type": {"type": "string", "logicalType": "uuid"}, "doc": "Order id."},
    {"name": "coupon_code", "type": ["string", "null"], "doc": "Coupon applied at checkout."},
    {"name": "gift_note", "type": ["null", "string"], "doc": "Note printed on the gift card."}
  ]
}
`;

const ORDER_AVSC_FIXED = `{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "com.acme.orders.v1",
  "doc": "A customer placed an order.",
  "fields": [
    {"name": "order_id", "type": {"type": "string", "logicalType": "uuid"}, "doc": "Order id."},
    {"name": "coupon_code", "type": ["null", "string"], "default": null, "doc": "Coupon applied at checkout."},
    {"name": "gift_note", "type": ["null", "string"], "default": null, "doc": "Note printed on the gift card."},
    {"name": "updated_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}
  ]
}
`;

const SHIPMENT_PROTO = `syntax = "proto3";

package acme.shipping.v1;

import "google/protobuf/duration.proto";

// Where a shipment is.
enum ShipmentStatus {
  // Handed to the carrier.
  SHIPMENT_STATUS_DISPATCHED = 0;
  // Delivered to the recipient.
  SHIPMENT_STATUS_DELIVERED = 1;
}

// A shipment moved.
message ShipmentUpdated {
  // Shipment id.
  string shipment_id = 1;
  // Current status.
  ShipmentStatus status = 2;
  // Time in transit so far.
  google.protobuf.Duration in_transit = 3;
  reserved 4;
  reserved "carrier";
}
`;

const SHIPMENT_PROTO_FIXED = `syntax = "proto3";

package acme.shipping.v1;

import "google/protobuf/duration.proto";
import "google/protobuf/timestamp.proto";

// Where a shipment is.
enum ShipmentStatus {
  SHIPMENT_STATUS_UNSPECIFIED = 0;
  // Handed to the carrier.
  SHIPMENT_STATUS_DISPATCHED = 2;
  // Delivered to the recipient.
  SHIPMENT_STATUS_DELIVERED = 1;
}

// A shipment moved.
message ShipmentUpdated {
  // Shipment id.
  string shipment_id = 1;
  // Current status.
  ShipmentStatus status = 2;
  // Time in transit so far.
  google.protobuf.Duration in_transit = 3;
  reserved 4;
  reserved "carrier";
  google.protobuf.Timestamp updated_at = 5;
}
`;

const FIXABLE = ['avro-field-default', 'avro-union-null-first', 'proto-enum-zero-unspecified', 'require-updated-at'];

function project(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
  return dir;
}

function schemactl(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ruleIds(jsonReport: string): string[] {
  return (JSON.parse(jsonReport) as Array<{ messages: Array<{ ruleId: string }> }>).flatMap((r) => r.messages.map((m) => m.ruleId));
}

describe('schemactl lint --fix', () => {
  it('fixes in place, reports only what remains, and the files stay valid for buf and Avro', () => {
    const dir = project('fix', { 'order.avsc': ORDER_AVSC, 'shipment.proto': SHIPMENT_PROTO });
    const before = schemactl(['lint', '--format', 'json', 'order.avsc', 'shipment.proto'], dir);
    expect(before.status).toBe(1);
    expect(ruleIds(before.stdout)).toEqual(expect.arrayContaining(FIXABLE));

    const r = schemactl(['lint', '--fix', '--format', 'json', 'order.avsc', 'shipment.proto'], dir);
    expect(r.stderr).toBe('');
    expect(readFileSync(path.join(dir, 'order.avsc'), 'utf8')).toBe(ORDER_AVSC_FIXED);
    expect(readFileSync(path.join(dir, 'shipment.proto'), 'utf8')).toBe(SHIPMENT_PROTO_FIXED);
    const remaining = ruleIds(r.stdout);
    for (const id of FIXABLE) expect(remaining).not.toContain(id);
    // only warnings remain (doc-required on the new field): exit 0, like a plain lint of the result
    expect(r.status).toBe(0);
    const after = schemactl(['lint', '--format', 'json', 'order.avsc', 'shipment.proto'], dir);
    expect(after.status).toBe(0);
    expect(ruleIds(after.stdout)).toEqual(remaining);

    expect(() => avro.Type.forSchema(JSON.parse(readFileSync(path.join(dir, 'order.avsc'), 'utf8')) as avro.Schema)).not.toThrow();
    const buf = spawnSync(BUF, ['build', 'shipment.proto', '-o', '/dev/null'], { cwd: dir, encoding: 'utf8' });
    expect(buf.stderr).toBe('');
    expect(buf.status).toBe(0);
  });

  it('exits 1 when errors remain that --fix cannot fix', () => {
    const dir = project('remaining', {
      'order.avsc': ORDER_AVSC.replace('"type": ["string", "null"], "doc"', '"type": ["string", "null"], "default": "", "doc"'),
    });
    const r = schemactl(['lint', '--fix', '--format', 'json', 'order.avsc'], dir);
    expect(r.status).toBe(0); // the unfixable finding is a warning
    expect(ruleIds(r.stdout)).toContain('avro-union-null-first');
    const bad = project('remaining-error', {
      'a.proto': 'syntax = "proto3";\npackage acme.v1;\n\nimport "google/protobuf/any.proto";\n\n// A thing happened.\nmessage A {\n  // Id.\n  string id = 1;\n  // Anything.\n  google.protobuf.Any payload = 2;\n}\n',
    });
    const e = schemactl(['lint', '--fix', '--format', 'json', 'a.proto'], bad);
    expect(e.status).toBe(1);
    expect(ruleIds(e.stdout)).toContain('no-any-payload');
    expect(ruleIds(e.stdout)).not.toContain('require-updated-at');
  });

  it('--fix-dry-run prints a diff that patch applies to the --fix result, and writes nothing', () => {
    const dir = project('dry', { 'order.avsc': ORDER_AVSC, 'shipment.proto': SHIPMENT_PROTO });
    const r = schemactl(['lint', '--fix-dry-run', 'order.avsc', 'shipment.proto'], dir);
    expect(r.status).toBe(0);
    expect(readFileSync(path.join(dir, 'order.avsc'), 'utf8')).toBe(ORDER_AVSC);
    expect(readFileSync(path.join(dir, 'shipment.proto'), 'utf8')).toBe(SHIPMENT_PROTO);
    expect(r.stdout).toMatch(/^--- a\/order\.avsc\n\+\+\+ b\/order\.avsc\n@@ /);
    expect(r.stdout).toContain('--- a/shipment.proto\n+++ b/shipment.proto\n');
    // the diff is a real unified diff: patch -p1 turns the originals into the fixed files
    const copy = project('dry-patched', { 'order.avsc': ORDER_AVSC, 'shipment.proto': SHIPMENT_PROTO });
    const patch = spawnSync('patch', ['-p1', '--no-backup-if-mismatch'], { cwd: copy, input: r.stdout, encoding: 'utf8' });
    expect(patch.status).toBe(0);
    expect(readFileSync(path.join(copy, 'order.avsc'), 'utf8')).toBe(ORDER_AVSC_FIXED);
    expect(readFileSync(path.join(copy, 'shipment.proto'), 'utf8')).toBe(SHIPMENT_PROTO_FIXED);
  });

  it('--fix-dry-run writes the report of what would remain to --output only', () => {
    const dir = project('dry-output', { 'order.avsc': ORDER_AVSC });
    const r = schemactl(['lint', '--fix-dry-run', '--format', 'json', '-o', 'report.json', 'order.avsc'], dir);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('--- a/order.avsc')).toBe(true);
    const remaining = ruleIds(readFileSync(path.join(dir, 'report.json'), 'utf8'));
    for (const id of FIXABLE) expect(remaining).not.toContain(id);
    expect(readFileSync(path.join(dir, 'order.avsc'), 'utf8')).toBe(ORDER_AVSC);
  });

  it('nothing to fix: --fix-dry-run prints nothing, --fix leaves the file untouched', () => {
    const dir = project('clean', { 'order.avsc': ORDER_AVSC_FIXED });
    expect(schemactl(['lint', '--fix-dry-run', 'order.avsc'], dir).stdout).toBe('');
    expect(schemactl(['lint', '--fix', 'order.avsc'], dir).status).toBe(0);
    expect(readFileSync(path.join(dir, 'order.avsc'), 'utf8')).toBe(ORDER_AVSC_FIXED);
  });

  it('--fix with --fix-dry-run is a usage error', () => {
    const dir = project('both', { 'order.avsc': ORDER_AVSC });
    const r = schemactl(['lint', '--fix', '--fix-dry-run', 'order.avsc'], dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--fix writes the fixes and --fix-dry-run only shows them');
    expect(readFileSync(path.join(dir, 'order.avsc'), 'utf8')).toBe(ORDER_AVSC);
  });
});
