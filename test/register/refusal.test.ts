// Why `register` refuses a stream, table-driven: the reason names the file whose lint failed (the
// stream's own or an imported one, with its count) or the compatibility findings; the findings of
// that file are in the report. Also: the imports registered first are the ones the parser finds.
import { describe, expect, it } from 'vitest';
import { protobufImports } from '../../src/check/units.js';
import { cli, scratchDir, write } from '../check/helpers.js';

// also a stream of its own, so the catalog's lint covers it
const MONEY = `syntax = "proto3";
package acme.common.v1;

import "google/protobuf/timestamp.proto";

// An amount of money.
message Money {
  // ISO 4217 code.
  string currency_code = 1;
  // Whole units.
  int64 units = 2;
  // Write time.
  google.protobuf.Timestamp updated_at = 3;
}
`;

const BAD_MONEY = MONEY.replace('message Money {', 'enum Kind {\n  CASH = 0;\n}\n\n// An amount of money.\nmessage Money {');

const PAYMENT = `syntax = "proto3";
package acme.payments.v1;

import "common/money.proto";
import "google/protobuf/timestamp.proto";

// A payment was captured.
message PaymentCaptured {
  // Payment id.
  string payment_id = 1;
  // Amount captured.
  acme.common.v1.Money amount = 2;
  // Write time.
  google.protobuf.Timestamp updated_at = 3;
}
`;

const CATALOG = `streams:
  - topic: common.money
    schema: schemas/common/money.proto
  - topic: payments.payment-captured
    schema: schemas/payment-captured.proto
include_paths:
  - schemas
`;

describe('register: refusal reasons', () => {
  it.each([
    ['the stream passes', MONEY, PAYMENT, 0, /payments\.payment-captured-value\s+1\s+\d+\s+registered/, [], ['already registered', 'already registered']],
    ['an imported file fails lint', BAD_MONEY, PAYMENT, 1, /payments\.payment-captured-value\s+-\s+-\s+REFUSED: lint found 1 error in imported schemas\/common\/money\.proto\n/, ['schemas/common/money.proto'], ['refused', 'refused']],
    ['its own file fails lint', MONEY, PAYMENT.replace('  // Write time.\n  google.protobuf.Timestamp updated_at = 3;\n', ''), 1, /payments\.payment-captured-value\s+-\s+-\s+REFUSED: lint found \d+ errors? in schemas\/payment-captured\.proto\n/, ['schemas/payment-captured.proto'], ['already registered', 'refused']],
  ])('%s', async (_label, money, payment, code, line, reported, statuses) => {
    const dir = scratchDir('register-refusal');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/common/money.proto': money, 'schemas/payment-captured.proto': payment });
    const r = await cli(['register'], dir);
    expect(r.stdout).toMatch(line);
    expect(r.code).toBe(code);
    expect(r.stdout).not.toContain('lint found 0');
    for (const f of reported) expect(r.stdout).toContain(f);
    const json = await cli(['register', '--format', 'json'], dir);
    const subjects = (JSON.parse(json.stdout) as { subjects: Array<{ status: string; reasons?: string[] }> }).subjects;
    expect(subjects.map((s) => s.status)).toEqual(statuses);
  });
});

describe('Protobuf imports come from the parser', () => {
  it.each([
    ['plain, public and weak', 'import "a.proto";\nimport public "b.proto";\nimport weak "c.proto";\n', ['a.proto', 'b.proto', 'c.proto']],
    ['a commented-out import is none', '// import "old.proto";\n/* import "older.proto"; */\nimport "a.proto";\n', ['a.proto']],
    ['two on one line', 'import "a.proto"; import "b.proto";\n', ['a.proto', 'b.proto']],
    ['a file that does not parse has none', 'import "a.proto"\nmessage {', []],
  ])('%s', (_label, body, expected) => {
    expect(protobufImports(`syntax = "proto3";\n${body}`)).toEqual(expected);
  });
});
