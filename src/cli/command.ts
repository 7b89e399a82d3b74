import type { Argv } from 'yargs';
import type { CliIO } from './io.js';

/** Parsed arguments as yargs hands them to a command. */
export type Args = Record<string, unknown> & { _: Array<string | number>; $0: string };

/**
 * One CLI command. The module that exports it must be cheap to import: `builder` only declares
 * options, and `run` loads the implementation with `await import(...)` so other commands' heavy
 * dependencies (Kafka, database drivers, HTTP servers) never load.
 */
export interface CommandDef {
  command: string | readonly string[];
  describe: string;
  builder(y: Argv): Argv;
  /** returns the exit code; throws SchemactlError for user errors */
  run(args: Args, io: CliIO): Promise<number>;
}
