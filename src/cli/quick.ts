// The lint fast path on its own: `schemactl lint` with plain options, without yargs and without the
// other commands. main() tries it first; the build also joins it, with everything a lint run loads,
// into one CommonJS file (scripts/build-cli-bundle.mjs) that the launcher runs from V8's code cache,
// falling back to main() for every other command line.
import { fastArgs } from './fast-argv.js';
import type { CliIO } from './io.js';
import { processIO, redacting, withIO } from './io.js';
import { lintCommand } from './lint.js';
import { report } from './report.js';

/** The exit code of a plain `lint` command line, or undefined when `argv` is not one (main() parses it). */
export function quickLint(argv: readonly string[], ioOverride?: Partial<CliIO>): Promise<number> | undefined {
  const quick = fastArgs(lintCommand, argv);
  if (quick === undefined) return undefined;
  const io = redacting(withIO(processIO(), ioOverride));
  return lintCommand.run(quick, io).catch((err: unknown) => report(err, io));
}
