// Tests of the install paths (npm pack, npm install from git, pre-commit from a git URL) need this
// repository as a git repository at a commit. Committing the working tree into a throwaway repository
// makes them test what is on disk: in CI (a clean clone) that is HEAD; locally it includes uncommitted
// edits and new files that git does not ignore.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** A commit identity for throwaway repositories, so tests need no git configuration of the machine. */
export const GIT_IDENTITY: Record<string, string> = {
  GIT_AUTHOR_NAME: 'schemactl tests',
  GIT_AUTHOR_EMAIL: 'tests@schemactl.invalid',
  GIT_COMMITTER_NAME: 'schemactl tests',
  GIT_COMMITTER_EMAIL: 'tests@schemactl.invalid',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_IDENTITY }, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** A new directory outside the repository, so nothing installed there resolves the repository's node_modules. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `schemactl-${prefix}-`));
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

export interface Snapshot {
  /** the throwaway repository (a git URL: `file://${dir}`) */
  dir: string;
  /** the commit holding the working tree */
  sha: string;
}

/** Commits the repository's files as they are on disk (tracked, plus untracked ones git does not ignore) into `dest`. */
export function snapshotRepository(dest: string): Snapshot {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  mkdirSync(dest, { recursive: true });
  for (const file of new Set(listed.split('\0').filter(Boolean))) {
    const from = path.join(ROOT, file);
    // a tracked file deleted on disk is not part of the working tree
    if (!existsSync(from) || !lstatSync(from).isFile()) continue;
    mkdirSync(path.dirname(path.join(dest, file)), { recursive: true });
    copyFileSync(from, path.join(dest, file));
  }
  git(dest, 'init', '-q', '-b', 'main');
  git(dest, 'add', '-A');
  git(dest, 'commit', '-q', '--no-verify', '-m', 'working tree of schemactl under test');
  return { dir: dest, sha: git(dest, 'rev-parse', 'HEAD') };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr, for assertion messages */
  output: string;
}

export function run(cmd: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}, timeoutMs = 600_000): Run {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: timeoutMs });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, output: `${r.stdout}\n${r.stderr}` };
}

/** npm settings for the scratch projects: the registry is reachable, the local cache answers first. */
export const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=warn'];

export function hasCommand(cmd: string, ...args: string[]): boolean {
  return spawnSync(cmd, args.length ? args : ['--version'], { encoding: 'utf8' }).status === 0;
}
