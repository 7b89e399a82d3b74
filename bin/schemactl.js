#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare`).
// main() handles every error itself; what reaches this file is a broken installation.
import('../dist/src/cli/main.js').then(
  ({ main }) => main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // the command is done and has printed its summary: a client socket or timer left open by a library
    // (a Kafka connection of a stopped stream) must not keep the process alive; unref'd, so a normal
    // exit is not delayed
    setTimeout(() => process.exit(code), 10_000).unref();
  }),
  (err) => {
    const missing = err && err.code === 'ERR_MODULE_NOT_FOUND';
    process.stderr.write(missing
      ? 'schemactl: the CLI is not built (dist/ is missing); run `npm run build` in the package directory.\n'
      : `schemactl: internal error while loading the CLI: ${err && err.message ? err.message.split('\n')[0] : String(err)}\n`);
    process.exitCode = 2;
  },
);
