// One resolution of Protobuf imports for every entry point: the import roots only (`include_paths`,
// default the config's directory), as protoc's -I — never beside the importing file. A catalog whose
// .proto imports a sibling by a path valid only relative to the importing file is refused by lint, check
// and register alike (the built CLI, exit 2, the import named at file:line:column), and accepted by all
// three once the sibling's directory is an import root.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, ROOT } from '../cli/support/build.js';

const ORDER = [
  'syntax = "proto3";',
  'package acme.orders.v1;',
  'import "google/protobuf/timestamp.proto";',
  'import "money.proto";',
  '// An order was placed.',
  'message OrderPlaced {',
  '  // the order',
  '  string id = 1;',
  '  // its total',
  '  acme.orders.v1.Money total = 2;',
  '  // when it was last written',
  '  google.protobuf.Timestamp updated_at = 3;',
  '}',
  '',
].join('\n');
const MONEY = 'syntax = "proto3";\npackage acme.orders.v1;\n// An amount.\nmessage Money {\n  // in cents\n  int64 cents = 1;\n}\n';
/** where `import "money.proto"` stands in ORDER */
const IMPORT_AT = 'protos/acme/orders/v1/order.proto:4:1';

let base: string;

function project(name: string, includePaths: string | undefined): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, 'protos/acme/orders/v1'), { recursive: true });
  writeFileSync(path.join(dir, 'protos/acme/orders/v1/order.proto'), ORDER);
  writeFileSync(path.join(dir, 'protos/acme/orders/v1/money.proto'), MONEY);
  const streams = 'streams:\n  - topic: orders.order-placed\n    kind: store\n    schema: protos/acme/orders/v1/order.proto\n';
  writeFileSync(path.join(dir, 'schemactl.yaml'), `${streams}${includePaths !== undefined ? `include_paths: [${includePaths}]\n` : ''}`);
  return dir;
}

function cli(cwd: string, args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [buildCli(), ...args, '--format', 'json'], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** `file:line:column: message` of every fatal finding in a json formatter's results, the file relative to `dir` */
function fatalAt(json: string, dir: string): string[] {
  const results = JSON.parse(json) as Array<{ filePath: string; messages: Array<{ fatal?: boolean; line: number; column: number; message: string }> }>;
  return results.flatMap((f) => f.messages.filter((m) => m.fatal).map((m) => `${path.relative(dir, path.resolve(dir, f.filePath))}:${String(m.line)}:${String(m.column)}: ${m.message}`));
}

beforeAll(() => {
  mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
  base = mkdtempSync(path.join(ROOT, 'test/.work/proto-roots-'));
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

const COMMANDS: Array<{ command: string; findings: (stdout: string) => string }> = [
  { command: 'lint', findings: (s) => s },
  { command: 'check', findings: (s) => s },
  // register's json report carries the formatter's findings in `findings`
  { command: 'register', findings: (s) => JSON.stringify((JSON.parse(s) as { findings: unknown }).findings) },
];

describe.each(COMMANDS)('$command resolves Protobuf imports against the import roots only', ({ command, findings }) => {
  it('refuses an import valid only beside the importing file: exit 2, the import at file:line:column', () => {
    const dir = project(`${command}-default-root`, undefined);
    const r = spawnSync(process.execPath, [buildCli(), command, '--format', 'json'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(2);
    const fatal = fatalAt(findings(r.stdout), dir);
    expect(fatal).toContainEqual(expect.stringMatching(new RegExp(`^${IMPORT_AT}: import "money\\.proto" was not found`)));
  }, 180_000);

  it('accepts it once the directory is an import root', () => {
    const dir = project(`${command}-sibling-root`, 'protos/acme/orders/v1');
    const r = cli(dir, [command]);
    expect(r.code, r.out).toBe(0);
  }, 180_000);
});
