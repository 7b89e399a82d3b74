// JSON Schema streams through the built CLI, as users run it: a catalog declares `schema_type: JSON`;
// lint warns that Avro/Protobuf are preferred (exit 0), register registers the `$ref`ed file first and
// then the event, check compares a change with the embedded registry and with a git revision (the
// registry's verdict, at the changed line), an invalid schema is exit 2 at its line:column, and an
// ad-hoc `--old a.json --new b.json` pair is checked as JSON Schema.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../cli/support/build.js';
import { commitAll, git, scratchDir, write } from './helpers.js';

const ORDER = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "OrderPlaced",
  "type": "object",
  "properties": {
    "order_id": { "type": "string" },
    "total": { "type": "number" },
    "ship_to": { "$ref": "address.json" }
  },
  "required": ["order_id"],
  "additionalProperties": false
}
`;
const ADDRESS = '{ "type": "object", "properties": { "city": { "type": "string" } }, "additionalProperties": false }\n';
const CATALOG = `streams:
  - topic: orders.order-placed
    schema: orders/order-placed.json
    schema_type: JSON
    key: order_id
`;

let bin: string;
beforeAll(() => {
  bin = buildCli();
}, 180_000);

function run(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('JSON Schema streams through the CLI', () => {
  it('lint warns, register registers the reference first, check refuses an incompatible change at its line', () => {
    const dir = scratchDir('json-cli');
    write(dir, { 'schemactl.yaml': CATALOG, 'orders/order-placed.json': ORDER, 'orders/address.json': ADDRESS });
    git(dir, 'init', '-q');
    commitAll(dir, 'v1');

    const lint = run(dir, 'lint', '--format', 'json');
    expect(lint.code).toBe(0);
    const findings = (JSON.parse(lint.stdout) as Array<{ messages: Array<{ ruleId: string; severity: number; message: string }> }>).flatMap((f) => f.messages);
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'explicit-schema-format', severity: 1 })]);
    expect(findings[0]!.message).toMatch(/compact binary.*Avro defaults and Protobuf field numbers/);

    const reg = run(dir, 'register', '--format', 'json');
    expect(reg.code).toBe(0);
    const registered = JSON.parse(reg.stdout) as { subjects: Array<{ subject: string; status: string; references: Array<{ subject: string; status: string }> }> };
    expect(registered.subjects).toEqual([expect.objectContaining({
      subject: 'orders.order-placed-value', status: 'registered', references: [expect.objectContaining({ subject: 'address.json', status: 'registered' })],
    })]);
    expect(run(dir, 'register').code).toBe(0);

    // a closed object may gain an optional property; changing a type is refused
    write(dir, { 'orders/order-placed.json': ORDER.replace('"total": { "type": "number" },', '"total": { "type": "number" },\n    "note": { "type": "string" },') });
    expect(run(dir, 'check').code).toBe(0);
    write(dir, { 'orders/order-placed.json': ORDER.replace('"total": { "type": "number" }', '"total": { "type": "string" }') });
    const checked = run(dir, 'check', '--format', 'json');
    expect(checked.code).toBe(1);
    const diags = (JSON.parse(checked.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number; message: string }> }>)
      .flatMap((f) => f.messages.map((m) => ({ file: path.basename(f.filePath), ...m })));
    expect(diags).toEqual([expect.objectContaining({ file: 'order-placed.json', ruleId: 'json-type-changed', line: 7 })]);
    expect(diags[0]!.message).toMatch(/registry reports TYPE_CHANGED at #\/properties\/total/);
    expect(checked.stderr).toMatch(/✗ orders\.order-placed \(orders\.order-placed-value\): NOT compatible \(BACKWARD\)/);

    // against the committed version: the same verdict from git
    const vsGit = run(dir, 'check', '--against', 'git:HEAD');
    expect(vsGit.code).toBe(1);
    expect(vsGit.stdout).toMatch(/json-type-changed/);

    // a change inside the referenced file is seen through the $ref
    write(dir, { 'orders/order-placed.json': ORDER, 'orders/address.json': ADDRESS.replace('"city": { "type": "string" }', '"city": { "type": "integer" }') });
    const viaRef = run(dir, 'check');
    expect(viaRef.code).toBe(1);
    expect(viaRef.stdout).toMatch(/#\/properties\/ship_to\/properties\/city/);
  });

  it('an invalid JSON Schema is exit 2 at its line:column, for check and register', () => {
    const dir = scratchDir('json-cli-bad');
    write(dir, {
      'schemactl.yaml': CATALOG,
      'orders/order-placed.json': ORDER.replace('"type": "number"', '"type": "numbr"'),
      'orders/address.json': ADDRESS,
    });
    const checked = run(dir, 'check');
    expect(checked.code).toBe(2);
    expect(checked.stdout).toMatch(/7:\d+ +error +`type` "numbr" is not a JSON Schema type/);
    expect(run(dir, 'register').code).toBe(2);
    // a $ref to a file that does not exist is the same kind of error
    write(dir, { 'orders/order-placed.json': ORDER.replace('address.json', 'adress.json') });
    const dangling = run(dir, 'check');
    expect(dangling.code).toBe(2);
    expect(dangling.stdout).toMatch(/8:\d+ +error +`\$ref` "adress\.json" resolves to nothing/);
  });

  it('checks an ad-hoc pair of .json files as JSON Schema (open content model: STRICT refuses a new property)', () => {
    const dir = scratchDir('json-cli-pair');
    write(dir, {
      'old.json': '{"type":"object","properties":{"a":{"type":"string"}}}',
      'new.json': '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}}',
      'closed-old.json': '{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}',
      'closed-new.json': '{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"additionalProperties":false}',
    });
    const open = run(dir, 'check', '--old', 'old.json', '--new', 'new.json');
    expect(open.code).toBe(1);
    expect(open.stdout).toMatch(/json-optional-property-added-to-open-content-model/);
    expect(open.stdout).toMatch(/help: the old object is open/);
    expect(run(dir, 'check', '--old', 'closed-old.json', '--new', 'closed-new.json').code).toBe(0);
    // FORWARD swaps the roles: removing `b` from the closed object is what is judged
    expect(run(dir, 'check', '--old', 'closed-old.json', '--new', 'closed-new.json', '--level', 'FORWARD').code).toBe(1);
    expect(run(dir, 'check', '--old', 'old.json', '--new', 'closed-new.json').code).toBe(1);
  });
});
