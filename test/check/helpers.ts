// Scratch git repositories and catalogs for check/register tests: real git, real files, no mocks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/cli/main.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export function scratchDir(prefix: string): string {
  mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
  return mkdtempSync(path.join(ROOT, `test/.work/${prefix}-`));
}

export function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

export function remove(dir: string, name: string): void {
  rmSync(path.join(dir, name), { force: true });
}

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function commitAll(dir: string, message: string): void {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], cwd: string, env: Record<string, string | undefined> = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env: { NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    stdoutIsTTY: false,
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
  });
  const norm = (t: string): string => t.split(cwd).join('<cwd>');
  return { code, stdout: norm(stdout), stderr: norm(stderr) };
}

export const ORDER_V1 = `{
  "type": "record",
  "name": "OrderPlaced",
  "namespace": "com.acme.orders",
  "doc": "An order was placed.",
  "fields": [
    { "name": "order_id", "type": "string", "doc": "Order id." },
    { "name": "amount", "type": "long", "doc": "Amount in cents." },
    { "name": "updated_at", "type": { "type": "long", "logicalType": "timestamp-millis" }, "doc": "Write time." }
  ]
}
`;

/** v1 plus a field without a default: not BACKWARD compatible. */
export const ORDER_BREAKING = ORDER_V1.replace(
  '    { "name": "updated_at"',
  '    { "name": "total", "type": "long", "doc": "Total in cents." },\n    { "name": "updated_at"',
);

/** v1 plus an optional field with a default: BACKWARD compatible. */
export const ORDER_COMPATIBLE = ORDER_V1.replace(
  '    { "name": "updated_at"',
  '    { "name": "note", "type": ["null", "string"], "default": null, "doc": "Free text." },\n    { "name": "updated_at"',
);

export const CATALOG = `streams:
  - topic: orders.order-placed
    schema: schemas/order-placed.avsc
    key: order_id
    compatibility: BACKWARD
`;
