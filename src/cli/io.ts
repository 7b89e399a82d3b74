// Where the CLI reads its environment and writes its output. main() takes an optional override so
// tests run commands in-process and capture exactly what a user would see.
import { redact, UsageError } from '../errors.js';

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** whether stdout is a terminal (colour is off otherwise unless FORCE_COLOR says so) */
  stdoutIsTTY: boolean;
  /** resolves when the user asks a long-running command to stop (SIGINT/SIGTERM) */
  waitForShutdown(): Promise<string>;
}

export function processIO(): CliIO {
  return {
    stdout: (text) => { process.stdout.write(redact(text)); },
    stderr: (text) => { process.stderr.write(redact(text)); },
    cwd: process.cwd(),
    env: process.env,
    // read when asked: process.stdout builds a stream (and loads Node's stream modules), which a lint
    // run that prints nothing, as a clean pre-commit run, never needs
    get stdoutIsTTY() {
      return Boolean(process.stdout.isTTY);
    },
    waitForShutdown: () => new Promise<string>((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        resolve(signal);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }),
  };
}

/** `base` with the members of `over` in place of its own; unlike a spread, getters stay getters. */
export function withIO(base: CliIO, over: Partial<CliIO> = {}): CliIO {
  const io = Object.defineProperties({}, Object.getOwnPropertyDescriptors(base));
  return Object.defineProperties(io, Object.getOwnPropertyDescriptors(over)) as CliIO;
}

/** Wrap an IO so every printed string is redacted, whatever the caller supplied. */
export function redacting(io: CliIO): CliIO {
  return withIO(io, { stdout: (t) => io.stdout(redact(t)), stderr: (t) => io.stderr(redact(t)) });
}

/**
 * Colour follows the no-color.org and FORCE_COLOR conventions: an explicit --no-color wins, then
 * FORCE_COLOR (0 disables), then NO_COLOR (any non-empty value disables), then whether stdout is a TTY.
 */
export function colorEnabled(io: CliIO, flag: boolean | undefined, toFile: boolean): boolean {
  if (flag === false || toFile) return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return !(force === '0' || force.toLowerCase() === 'false');
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  if (io.env.TERM === 'dumb') return false;
  return io.stdoutIsTTY;
}

/**
 * Writes a report to `output` (relative to the working directory), creating its directory. A file that
 * cannot be written is the user's to fix, so it is a usage error naming the path, not a crash.
 */
export async function writeOutputFile(io: CliIO, output: string, text: string): Promise<void> {
  // loaded on demand: most runs print to stdout and need neither module
  const [{ mkdir, writeFile }, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  const target = path.resolve(io.cwd, output);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, text);
  } catch (err) {
    throw new UsageError(`cannot write ${output}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'output', err);
  }
}
