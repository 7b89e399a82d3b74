// A throwaway PostgreSQL cluster with wal_level=logical for change-data-capture tests and benchmarks:
// initdb into a temp folder, trust auth, a free port on 127.0.0.1, the unix socket inside the folder.
// PostgreSQL refuses to run as root, so when the tests run as root the server runs as the `postgres`
// OS user; the folder is handed to that user first. stop() ends the server and removes the folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export const PG_BIN = process.env.SCHEMACTL_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  url: string;
  port: number;
  dir: string;
  /** run SQL through psql as the superuser (setup that must not depend on the code under test) */
  psql(sql: string): string;
  /** crash the server (immediate shutdown: no checkpoint, clients cut off) and start it again on the same data */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

function ids(user: string): { uid: number; gid: number } | null {
  const u = spawnSync('id', ['-u', user], { encoding: 'utf8' });
  const g = spawnSync('id', ['-g', user], { encoding: 'utf8' });
  if (u.status !== 0 || g.status !== 0) return null;
  return { uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim()) };
}

// The port opens while the server is still starting up (recovery after a crash, or just slow under
// load), when connections are refused with "the database system is starting up": ready means
// pg_isready's answer that it accepts connections.
const accepting = (port: number) =>
  new Promise<boolean>((res) => {
    const c = spawn(join(PG_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-t', '5'], { stdio: 'ignore' });
    c.once('error', () => res(false));
    c.once('exit', (code) => res(code === 0));
  });

export async function startPgCluster(opts: { settings?: Record<string, string> } = {}): Promise<PgCluster> {
  if (!existsSync(join(PG_BIN, 'initdb'))) throw new Error(`no PostgreSQL binaries in ${PG_BIN}; set SCHEMACTL_PG_BIN`);
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? ids('postgres') : null;
  if (asRoot && !owner) throw new Error('running as root needs a `postgres` OS user to run the server');
  const dir = mkdtempSync(join(tmpdir(), 'schemactl-pg-'));
  chmodSync(dir, 0o700);
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const run = (cmd: string, args: string[]) => (owner ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args });
  const data = join(dir, 'data');
  const init = run(join(PG_BIN, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const r = spawnSync(init.cmd, init.args, { encoding: 'utf8' });
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${r.stderr || r.stdout}`);
  }
  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    wal_level: 'logical',
    max_wal_senders: '10',
    max_replication_slots: '10',
    fsync: 'off',
    synchronous_commit: 'on',
    full_page_writes: 'off',
    shared_buffers: '64MB',
    wal_sender_timeout: '60s',
    ...opts.settings,
  };
  const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const start = run(join(PG_BIN, 'postgres'), args);
  const log = join(dir, 'server.log');
  let child: ChildProcess = spawn('sh', ['-c', `exec "$@" >>'${log}' 2>&1`, 'sh', start.cmd, ...start.args], { stdio: 'ignore' });
  const pgCtl = (mode: 'fast' | 'immediate') => {
    const c = run(join(PG_BIN, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '20', 'stop']);
    return spawnSync(c.cmd, c.args, { encoding: 'utf8' });
  };
  // the server runs under runuser, so signals go to it through pg_ctl, which knows the postmaster pid
  const killOnExit = () => { pgCtl('immediate'); };
  process.once('exit', killOnExit);
  const deadline = Date.now() + 90_000;
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const text = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
      pgCtl('immediate');
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PostgreSQL did not start on port ${port}:\n${text}`);
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url,
    port,
    dir,
    psql(sql: string): string {
      const p = spawnSync(join(PG_BIN, 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', sql], { encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`psql failed: ${p.stderr}`);
      return p.stdout.trim();
    },
    async restart() {
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise<void>((res) => child.once('exit', () => res()));
      pgCtl('immediate');
      await exited;
      child = spawn('sh', ['-c', `exec "$@" >>'${log}' 2>&1`, 'sh', start.cmd, ...start.args], { stdio: 'ignore' });
      const until = Date.now() + 120_000;
      while (!(await accepting(port))) {
        if (child.exitCode !== null || Date.now() > until) throw new Error(`PostgreSQL did not come back on port ${port}:\n${readFileSync(log, 'utf8').slice(-2000)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    },
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((res) => child.once('exit', () => res()));
        // fast shutdown: disconnects clients (walsenders included) and exits
        if (pgCtl('fast').status !== 0) pgCtl('immediate');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
