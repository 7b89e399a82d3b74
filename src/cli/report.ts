// How an error that reached the top of a command becomes output and an exit code, shared by the full
// CLI (main.ts) and the lint fast path (quick.ts), so both report alike.
import { EXIT, SchemactlError } from '../errors.js';
import type { CliIO } from './io.js';

/** Thrown from yargs' failure hook so the top-level catch can tell usage errors from crashes. */
export class CliUsageError extends SchemactlError {
  constructor(message: string) {
    super('usage', message, { exitCode: EXIT.USAGE });
  }
}

export function report(err: unknown, io: CliIO): number {
  if (err instanceof CliUsageError) {
    io.stderr(`schemactl: ${err.message}\nRun \`schemactl --help\` for usage.\n`);
    return err.exitCode;
  }
  if (err instanceof SchemactlError) {
    io.stderr(`schemactl: ${err.message}\n`);
    if (io.env.SCHEMACTL_DEBUG && err.cause) io.stderr(`${String((err.cause as Error).stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  // A programming error: one line, not a stack trace, and a way to get the detail for a bug report.
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  io.stderr(`schemactl: internal error: ${message}\nThis is a bug in schemactl; please report it with the command you ran (set SCHEMACTL_DEBUG=1 for the stack trace).\n`);
  if (io.env.SCHEMACTL_DEBUG && err instanceof Error) io.stderr(`${err.stack ?? ''}\n`);
  return EXIT.USAGE;
}
