// `schemactl registry serve`: the embedded schema registry behind the Confluent REST API, for local
// development and CI. Runs until SIGINT/SIGTERM, then closes the server so the store is flushed.
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';

function builder(y: Argv): Argv {
  return y
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on' })
    .option('port', { alias: 'p', type: 'number', default: 8081, describe: 'TCP port (0 picks a free one)' })
    .option('data', { type: 'string', default: '.schemactl/registry', describe: 'directory of the durable store' });
}

async function run(a: Args, io: CliIO): Promise<number> {
  const host = String(a.host);
  const port = a.port as number;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects 0..65535, got ${String(a.port)}`);
  const dataDir = path.resolve(io.cwd, String(a.data));
  const { serveRegistry } = await import('../registry/server.js');
  const shutdown = io.waitForShutdown();
  const server = await serveRegistry({ host, port, dataDir });
  // a status line, not a report: stdout carries only a command's report (output discipline)
  io.stderr(`schemactl registry listening on ${server.url} (data: ${path.relative(io.cwd, dataDir) || '.'})\n`);
  const signal = await shutdown;
  io.stderr(`schemactl: ${signal} received, shutting down\n`);
  await server.close();
  return 0;
}

export const registryServeCommand: CommandDef = {
  command: 'serve',
  describe: 'Serve the Confluent-compatible schema registry REST API from a local store',
  builder,
  run,
};
