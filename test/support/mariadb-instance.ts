// A throwaway MariaDB server for tests that restart or kill the database: mariadb-install-db into a
// temp folder, mariadbd on a free port of 127.0.0.1, root without a password. The machine's shared
// server is never touched. kill() is a crash (SIGKILL), start() brings it back on the same data.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface MariadbInstance {
  url: string;
  port: number;
  dir: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const portOpen = (port: number) =>
  new Promise<boolean>((res) => {
    const s = createConnection({ port, host: '127.0.0.1' });
    s.once('connect', () => { s.destroy(); res(true); });
    s.once('error', () => res(false));
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function mariadbAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v mariadb-install-db'], { encoding: 'utf8' }).status === 0 && existsSync('/usr/sbin/mariadbd');
}

/**
 * `logBin`: write a row-based binary log (log-based capture reads it) with full row images and full
 * row metadata; `args` are added to the server's command line.
 */
export async function startMariadb(opts: { database?: string; logBin?: boolean; args?: string[] } = {}): Promise<MariadbInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'schemactl-mariadb-'));
  const data = join(dir, 'data');
  const user = process.getuid?.() === 0 ? 'root' : (process.env.USER ?? 'root');
  // a private temporary folder: bootstraps running at once in the shared /tmp removed each other's temporary tables
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const env = { ...process.env, TMPDIR: tmp };
  const init = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db', `--user=${user}`], { encoding: 'utf8', env });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mariadb-install-db failed: ${init.stderr || init.stdout}`);
  }
  const port = await freePort();
  const log = join(dir, 'server.log');
  let child: ChildProcess | undefined;
  const start = async () => {
    const out = openSync(log, 'a');
    child = spawn('/usr/sbin/mariadbd', [
      '--no-defaults', `--datadir=${data}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dir, 'sock')}`, `--user=${user}`,
      ...(opts.logBin
        ? [`--log-bin=${join(dir, 'binlog')}`, '--binlog-format=ROW', '--binlog-row-image=FULL', '--binlog-row-metadata=FULL', '--server-id=1']
        : ['--skip-log-bin']),
      ...(opts.args ?? []),
      '--innodb-buffer-pool-size=32M', '--innodb-log-file-size=16M', '--skip-name-resolve', '--max-connections=200',
    ], { stdio: ['ignore', out, out], env });
    const deadline = Date.now() + 60_000;
    while (!(await portOpen(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`mariadbd did not start on port ${port}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
      await sleep(100);
    }
  };
  const waitExit = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((r) => c.once('exit', () => r()));
  };
  await start();
  const killOnExit = () => { child?.kill('SIGKILL'); };
  process.once('exit', killOnExit);
  const db = opts.database ?? 'test';
  const cli = spawnSync('mariadb', ['-h', '127.0.0.1', '-P', String(port), '-uroot', '-e', `CREATE DATABASE IF NOT EXISTS \`${db}\``], { encoding: 'utf8' });
  if (cli.status !== 0) throw new Error(`creating database ${db} failed: ${cli.stderr}`);
  return {
    url: `mysql://root@127.0.0.1:${port}/${db}`,
    port,
    dir,
    start,
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await waitExit(child);
      while (await portOpen(port)) await sleep(50);
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child && child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const c = child;
        const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
        await waitExit(c);
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
