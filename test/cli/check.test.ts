// Golden scenarios for `schemactl check`: input files + command line → exit status and the exact
// output a user sees (temp paths normalised to <cwd>).
import { describe, expect, it } from 'vitest';
import { CATALOG, ORDER_BREAKING, ORDER_V1, cli, commitAll, git, scratchDir, write } from '../check/helpers.js';

const PROTO_V1 = `syntax = "proto3";
package acme.payments.v1;

// A payment was captured.
message PaymentCaptured {
  string payment_id = 1;
  int64 amount_units = 2;
  string legacy_id = 4;
}
`;

function branchOf(files: Record<string, string>): string {
  const dir = scratchDir('golden');
  git(dir, 'init', '-q');
  write(dir, files);
  commitAll(dir, 'base');
  git(dir, 'checkout', '-q', '-b', 'change');
  return dir;
}

describe('schemactl check (golden)', () => {
  it('Avro: a field added without a default', async () => {
    const dir = branchOf({ 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatchInlineSnapshot(`
      "schemas/order-placed.avsc
        9:5  error  The new schema adds field \`total\` without a default, so it cannot read records written with main, which do not have it. Stream \`orders.order-placed\` (subject \`orders.order-placed-value\`) must be BACKWARD compatible with the version from main; the registry reports READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2.  avro-reader-field-missing-default-value
             8 │     { "name": "amount", "type": "long", "doc": "Amount in cents." },
          >  9 │     { "name": "total", "type": "long", "doc": "Total in cents." },
               │     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
            10 │     { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-millis" }, "doc": "Write time." }
          ℹ old schema here (main:schemas/order-placed.avsc:3:11)
          help: add a default to field total (e.g. make it ["null", …] with "default": null, or give a value of its type)

      ✖ 1 problem (1 error, 0 warnings)
      "
    `);
    expect(r.stderr).toMatchInlineSnapshot(`
      "✗ orders.order-placed (orders.order-placed-value): NOT compatible (BACKWARD) with main
      "
    `);
  });

  it('Protobuf: a changed field type under FULL, and a removed field that was not reserved', async () => {
    const catalog = 'streams:\n  - topic: payments.payment-captured\n    schema: payment.proto\n    compatibility: FULL\n';
    const dir = branchOf({ 'schemactl.yaml': catalog, 'payment.proto': PROTO_V1 });
    write(dir, { 'payment.proto': PROTO_V1.replace('int64 amount_units = 2;', 'string amount_units = 2;').replace('  string legacy_id = 4;\n', '') });
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatchInlineSnapshot(`
      "payment.proto
        5:9  warning  Field \`legacy_id\` (number 4) was removed from \`acme.payments.v1.PaymentCaptured\` without reserving its number or its name, so a later change can reuse them and misread old records.  field-removed-without-reserve
            4 │ // A payment was captured.
          > 5 │ message PaymentCaptured {
              │         ^^^^^^^^^^^^^^^
            6 │   string payment_id = 1;
          ℹ old schema here (main:payment.proto:8:3)
          help: add reserved 4; reserved "legacy_id";

        7:3  error  Field \`amount_units\` (number 2) of message \`PaymentCaptured\` changed from int64 to string, which is encoded differently on the wire, so the old schema misreads values written with the new schema. Keep the old type and add a new field with a new number. Stream \`payments.payment-captured\` (subject \`payments.payment-captured-value\`) must be FULL compatible with the version from main; the registry reports FIELD_SCALAR_KIND_CHANGED at #/PaymentCaptured/2 (old schema reading new data).  proto-field-scalar-kind-changed
            6 │   string payment_id = 1;
          > 7 │   string amount_units = 2;
              │   ^^^^^^^^^^^^^^^^^^^^^^^^
            8 │ }
          ℹ old schema here (main:payment.proto:7:3)
          help: keep the type of field amount_units (number 2); to change it, add a new field with a new number, and if you drop the old one, reserve field number 2 and name 'amount_units'

        7:3  error  Field \`amount_units\` (number 2) of message \`PaymentCaptured\` changed from int64 to string, which is encoded differently on the wire, so the new schema misreads values written with the old schema. Keep the old type and add a new field with a new number. Stream \`payments.payment-captured\` (subject \`payments.payment-captured-value\`) must be FULL compatible with the version from main; the registry reports FIELD_SCALAR_KIND_CHANGED at #/PaymentCaptured/2.  proto-field-scalar-kind-changed
            6 │   string payment_id = 1;
          > 7 │   string amount_units = 2;
              │   ^^^^^^^^^^^^^^^^^^^^^^^^
            8 │ }
          ℹ old schema here (main:payment.proto:7:3)
          help: keep the type of field amount_units (number 2); to change it, add a new field with a new number, and if you drop the old one, reserve field number 2 and name 'amount_units'

      ✖ 3 problems (2 errors, 1 warning)
      "
    `);
  });

  it('SARIF output names the registry difference type as the rule and points at the new line', async () => {
    const dir = branchOf({ 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    const r = await cli(['check', '--against', 'git:main', '--format', 'sarif'], dir);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout) as { runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }> };
    const [result] = sarif.runs[0]!.results;
    expect(result!.ruleId).toBe('avro-reader-field-missing-default-value');
    expect(result!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('schemas/order-placed.avsc');
    expect(result!.locations[0]!.physicalLocation.region.startLine).toBe(9);
  });

  it('an unknown topic is a usage error with a suggestion', async () => {
    const dir = branchOf({ 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = await cli(['check', 'orders.order-placd', '--against', 'git:main'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "schemactl: schemactl.yaml has no stream "orders.order-placd". Did you mean "orders.order-placed"?
      "
    `);
  });

  it('--against without git: says what to write', async () => {
    const dir = branchOf({ 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const r = await cli(['check', '--against', 'main'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatchInlineSnapshot(`
      "schemactl: --against expects git:REF (e.g. git:origin/main), got "main". To compare with a registry, use --registry URL.
      "
    `);
  });
});
