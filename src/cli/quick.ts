// The lint fast path on its own: `schemactl lint` with plain options, without yargs and without the
// other commands. main() tries it first; the build also joins it, with everything a lint run loads,
// into one CommonJS file (scripts/build-cli-bundle.mjs) that the launcher runs from V8's code cache,
// falling back to main() for every other command line.
import { fastArgs } from './fast-argv.js';
import type { CliIO } from './io.js';
import { processIO, redacting, withIO } from './io.js';
import { lintCommand } from './lint.js';
import { report } from './report.js';

/** Resolves once everything written to `stream` so far has been handed to the system. */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write('', () => resolve());
  });
}

/**
 * The exit code of a plain `lint` command line, or undefined when `argv` is not one (main() parses it).
 * It resolves only after what the run printed to stdout and stderr has been written out, so the
 * launcher may end the process right then (bin/schemactl.js).
 */
export function quickLint(argv: readonly string[], ioOverride?: Partial<CliIO>): Promise<number> | undefined {
  const quick = fastArgs(lintCommand, argv);
  if (quick === undefined) return undefined;
  // the process streams this run wrote to (process.stdout is built only when first written to)
  const written = new Set<NodeJS.WritableStream>();
  const base = processIO();
  const tracked = withIO(base, {
    stdout: (text) => { base.stdout(text); written.add(process.stdout); },
    stderr: (text) => { base.stderr(text); written.add(process.stderr); },
  });
  const io = redacting(withIO(tracked, ioOverride));
  return lintCommand.run(quick, io)
    .catch((err: unknown) => report(err, io))
    .then(async (code) => {
      await Promise.all([...written].map(flushed));
      return code;
    });
}
