// The `lint` fast path reads plain command lines without yargs; for those it must produce exactly
// the arguments yargs would (checked against yargs with the same builder), and hand everything else
// to yargs.
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import type { Args } from '../../src/cli/command.js';
import { fastArgs } from '../../src/cli/fast-argv.js';
import { lintCommand } from '../../src/cli/lint.js';

/** What the lint command reads from its arguments. */
const KEYS = ['paths', 'config', 'format', 'output', 'max-warnings', 'quiet', 'baseline', 'update-baseline', 'report-unused-disables', 'color', 'fix', 'fix-dry-run'];

async function viaYargs(argv: string[]): Promise<Record<string, unknown>> {
  let seen: Args | undefined;
  await yargs(argv).strict().exitProcess(false)
    .command(lintCommand.command as string, lintCommand.describe, (b) => lintCommand.builder(b), (a) => { seen = a as Args; })
    .fail((msg, err) => { throw err ?? new Error(msg); })
    .parseAsync();
  return pick(seen!);
}

function pick(a: Args): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEYS) out[k] = k === 'paths' ? ((a[k] as unknown[] | undefined) ?? []).map(String) : a[k];
  return out;
}

const TAKEN: string[][] = [
  ['lint'],
  ['lint', 'a.proto', 'b.avsc', 'schemas/'],
  ['lint', '-c', 'cfg/schemactl.yaml', '-f', 'json', '-o', 'out.json', 'a.proto'],
  ['lint', '--config=cfg.yaml', '--format=sarif', '--output=r.sarif', '--max-warnings', '3', 'a.proto'],
  ['lint', '--max-warnings=-1', '-q', '--no-color', 'x/**/*.proto'],
  ['lint', '--color', '--report-unused-disables', '--baseline', 'b.json', 'a.avsc'],
  ['lint', '--fix', 'a.avsc', '--update-baseline'],
  ['lint', '--fix-dry-run', 'a.avsc'],
];

const LEFT_TO_YARGS: string[][] = [
  ['lint', '--help'],
  ['lint', '-h'],
  ['lint', '--version'],
  ['lint', '--unknown'],
  ['lint', '--quiet', 'false', 'a.proto'],
  ['lint', '--quiet=true'],
  ['lint', '-f', 'json', '-f', 'sarif'],
  ['lint', '--format', 'yaml'],
  ['lint', '--max-warnings', 'many'],
  ['lint', '--max-warnings', '-1'],
  ['lint', '-qf', 'json'],
  ['lint', '--', 'a.proto'],
  ['lint', '2024/a.proto'],
  ['lint', '--config'],
  ['lint', '--maxWarnings', '3'],
  ['check', 'a.proto'],
  [],
];

describe('lint fast path', () => {
  for (const argv of TAKEN) {
    it(`reads ${argv.join(' ')} as yargs does`, async () => {
      const fast = fastArgs(lintCommand, argv);
      expect(fast).toBeDefined();
      expect(pick(fast!)).toEqual(await viaYargs(argv));
    });
  }
  for (const argv of LEFT_TO_YARGS) {
    it(`leaves "${argv.join(' ')}" to yargs`, () => {
      expect(fastArgs(lintCommand, argv)).toBeUndefined();
    });
  }
});
