// The CLI entry point: argv in, exit code out.
//
// Adding a command (check, register, publish follow this pattern):
//   1. create src/cli/<name>.ts exporting `const <name>Command: CommandDef` (see command.ts);
//      its `builder` declares options with yargs, its `run(args, io)` does
//      `await import('../<area>/...')` for the implementation and returns an exit code;
//   2. add it to COMMANDS in commands.ts (or to a group such as `registry`).
// Keep this file and the command modules free of static imports of implementations: the module-load
// test (test/cli/lazy-load.test.ts) fails when `schemactl lint` loads Kafka, pg, mysql2 or HTTP code.
// Print only through `io` (redacted) and report user errors by throwing SchemactlError; the one catch
// below maps them to exit codes.
import type { Argv } from 'yargs';
import { EXIT } from '../errors.js';
import type { Args, CommandDef } from './command.js';
import type { CommandTable } from './commands.js';
import type { CliIO } from './io.js';
import { processIO, redacting, withIO } from './io.js';
import { quickLint } from './quick.js';
import { CliUsageError, report } from './report.js';
import { closest } from './suggest.js';
import { packageVersion } from './version.js';

function register(y: Argv, def: CommandDef, io: CliIO, setCode: (code: number) => void): Argv {
  return y.command(def.command as string | string[], def.describe, (b) => def.builder(b), async (args) => {
    setCode(await def.run(args as Args, io));
  });
}

/** The failure hook receives yargs' usage helper; its descriptions name the options in scope. */
function knownOptions(usage: unknown): string[] {
  const u = usage as { getDescriptions?: () => Record<string, unknown> };
  return Object.keys(u.getDescriptions?.() ?? {}).filter((k) => k.length > 1);
}

function explainFailure(
  { COMMANDS, GROUPS }: CommandTable, msg: string | undefined, err: Error | undefined, usage: unknown, argv: readonly string[],
): string {
  const text = msg ?? err?.message ?? 'invalid command line';
  const unknownArg = /^Unknown arguments?: (.+)$/.exec(text);
  if (unknownArg) {
    const names = unknownArg[1]!.split(', ');
    const known = knownOptions(usage);
    if (argv[0] === names[0] && !argv[0]!.startsWith('-')) {
      return `unknown command "${names[0]}"; the commands are ${[...COMMANDS.map((c) => String(c.command).split(' ')[0]), ...GROUPS.map((g) => g.command)].join(', ')}`;
    }
    const hints = names.map((n) => {
      const written = argv.find((a) => a.replace(/^-+/, '').split('=')[0] === n);
      const isFlag = written?.startsWith('-') ?? false;
      const guess = closest(n, known);
      return `${isFlag ? 'unknown option' : 'unexpected argument'} ${isFlag ? written!.split('=')[0] : `"${n}"`}${guess ? ` (did you mean --${guess}?)` : ''}`;
    });
    return hints.join('; ');
  }
  if (text.startsWith('Did you mean')) {
    const first = argv.find((a) => !a.startsWith('-'));
    return `unknown command "${first ?? ''}". ${text}`;
  }
  if (text.startsWith('Unknown command')) return text;
  return text.replace(/\n\s*/g, ' ');
}

export async function main(argv: string[], ioOverride?: Partial<CliIO>): Promise<number> {
  // `lint` with plain options skips loading yargs, most of its start-up time (see fast-argv.ts)
  const quick = quickLint(argv, ioOverride);
  if (quick !== undefined) return quick;
  const io = redacting(withIO(processIO(), ioOverride));
  let code: number = EXIT.OK;
  const setCode = (c: number): void => { code = c; };
  // yargs and the other commands load only now: the fast path above needs neither
  const [{ default: yargs }, table] = await Promise.all([import('yargs'), import('./commands.js')]);
  const { COMMANDS, GROUPS } = table;
  let parser = yargs(argv)
    .scriptName('schemactl')
    .usage('$0 <command> [options]\n\nLint Avro and Protobuf event schemas, check their evolution like the Schema Registry, and publish database rows as governed Kafka events.')
    .version(packageVersion())
    .alias('h', 'help')
    .alias('v', 'version')
    .strict()
    .recommendCommands()
    .demandCommand(1, 'a command is required')
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .epilogue('Exit codes: 0 ok, 1 findings, 2 usage/config/input error, 3 unreachable dependency.')
    .fail((msg, err, y) => {
      // Without a message, yargs is passing on an exception from a command handler: not a usage error.
      if (err && !msg) throw err;
      throw new CliUsageError(explainFailure(table, msg ?? undefined, err ?? undefined, y, argv));
    });
  for (const def of COMMANDS) parser = register(parser, def, io, setCode);
  for (const group of GROUPS) {
    parser = parser.command(group.command, group.describe, (g) => {
      let sub = g.usage(`$0 ${group.command} <command> [options]`);
      for (const def of group.commands) sub = register(sub, def, io, setCode);
      return sub.demandCommand(1, `a ${group.command} command is required`);
    });
  }
  try {
    let output = '';
    await parser.parseAsync(argv, {}, (_err, _args, out) => { output = out; });
    // yargs hands back help and version text instead of printing it; usage errors throw above.
    if (output) io.stdout(output.endsWith('\n') ? output : `${output}\n`);
    return code;
  } catch (err) {
    return report(err, io);
  }
}
