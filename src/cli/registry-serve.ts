// `schemactl registry serve`: the embedded schema registry behind the Confluent REST API, for local
// development and CI. Runs until SIGINT/SIGTERM, then closes the server so the store is flushed.
// Basic auth users come from a file (--users-file, registry.serve.users_file) or the environment
// (SCHEMACTL_REGISTRY_SERVE_USERS), never from a flag value; the body limit from --max-body-bytes or
// registry.serve.max_body_bytes.
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';

function builder(y: Argv): Argv {
  return y
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'interface to listen on' })
    .option('port', { alias: 'p', type: 'number', default: 8081, describe: 'TCP port (0 picks a free one)' })
    .option('data', { type: 'string', default: '.schemactl/registry', describe: 'directory of the durable store' })
    .option('users-file', { type: 'string', describe: 'turn on basic auth: a file of "username:password" lines (or set SCHEMACTL_REGISTRY_SERVE_USERS)' })
    .option('max-body-bytes', { type: 'number', describe: 'largest request body accepted, in bytes (default 8388608; larger: 413)' })
    .option('config', { alias: 'c', type: 'string', describe: 'schemactl.yaml with a registry.serve section (default: searched upwards)' });
}

function positiveInt(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UsageError(`${what} expects a whole number of bytes above 0, got ${String(v)}`);
  return v;
}

async function run(a: Args, io: CliIO): Promise<number> {
  const host = String(a.host);
  const port = a.port as number;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port expects 0..65535, got ${String(a.port)}`);
  const dataDir = path.resolve(io.cwd, String(a.data));
  const [{ loadConfig }, { loadRules }, { loadUsers }] = await Promise.all([
    import('../config/load.js'),
    import('../config/rules.js'),
    import('../registry/serve-users.js'),
  ]);
  const config = await loadConfig({ cwd: io.cwd, configPath: typeof a.config === 'string' ? a.config : undefined, rules: await loadRules(), env: io.env, sections: ['registry'] });
  const serveCfg = (config.registry?.serve ?? {}) as Record<string, unknown>;
  const usersFile =
    typeof a['users-file'] === 'string'
      ? path.resolve(io.cwd, a['users-file'])
      : typeof serveCfg.users_file === 'string'
        ? path.resolve(config.file ? path.dirname(config.file) : io.cwd, serveCfg.users_file)
        : undefined;
  const users = await loadUsers(usersFile, io.env);
  const maxBodyBytes = positiveInt(a['max-body-bytes'], '--max-body-bytes') ?? positiveInt(serveCfg.max_body_bytes, 'registry.serve.max_body_bytes');
  const { serveRegistry } = await import('../registry/server.js');
  const shutdown = io.waitForShutdown();
  const server = await serveRegistry({ host, port, dataDir, ...(users ? { users } : {}), ...(maxBodyBytes !== undefined ? { maxBodyBytes } : {}) });
  const auth = users ? `, basic auth: ${users.length} user${users.length === 1 ? '' : 's'}` : '';
  io.stdout(`schemactl registry listening on ${server.url} (data: ${path.relative(io.cwd, dataDir) || '.'}${auth})\n`);
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
