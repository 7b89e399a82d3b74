// Reading the previous schemas from a git revision (`check --against git:REF`), the way `buf breaking
// --against` does: `git show REF:path`, nothing checked out. CI clones are often shallow, so a missing
// ref is fetched once (`--depth=1`) before giving up with the exact command to run.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { UsageError } from '../errors.js';

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[], opts: { encoding?: 'buffer' } = {}): Promise<GitResult & { bytes?: Buffer }> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, maxBuffer: 64 * 1024 * 1024, encoding: 'buffer', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && e.code === 'ENOENT') {
        reject(new UsageError('`git` is not installed or not on PATH; --against git:REF needs it.', 'git-missing', e));
        return;
      }
      const out: GitResult & { bytes?: Buffer } = { ok: !e, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
      if (opts.encoding === 'buffer') out.bytes = stdout;
      resolve(out);
    });
  });
}

export interface GitRevision {
  /** the ref as the user wrote it (`origin/main`) */
  ref: string;
  /** the commit it resolved to */
  commit: string;
  /** absolute path of the repository's top level */
  root: string;
  /** set when the ref had to be fetched, or resolved through `origin/<ref>` */
  note?: string;
}

async function verify(root: string, ref: string): Promise<string | undefined> {
  const r = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  return r.ok ? r.stdout.trim() : undefined;
}

/** `origin/main` → remote `origin`, branch `main`; `main` → remote `origin`, branch `main`. */
function fetchTarget(ref: string, remotes: string[]): { remote: string; branch: string } {
  const slash = ref.indexOf('/');
  if (slash > 0 && remotes.includes(ref.slice(0, slash))) return { remote: ref.slice(0, slash), branch: ref.slice(slash + 1) };
  return { remote: 'origin', branch: ref.replace(/^refs\/heads\//, '') };
}

/**
 * Resolve REF in the repository containing `cwd`. When it is missing (a shallow CI clone), fetch it
 * once with `--depth=1`; if that fails too, throw a UsageError (exit 2) naming the command to run.
 */
export async function resolveRevision(cwd: string, ref: string): Promise<GitRevision> {
  if (ref === '' || ref.startsWith('-')) throw new UsageError(`--against git:${ref} does not name a git revision; write e.g. --against git:origin/main.`, 'git-ref');
  const top = await git(cwd, ['rev-parse', '--show-toplevel']);
  if (!top.ok) {
    throw new UsageError(`--against git:${ref} needs a git repository, but ${cwd} is not inside one (${top.stderr.trim() || 'git rev-parse failed'}).`, 'git-repo');
  }
  const root = top.stdout.trim();
  const direct = await verify(root, ref);
  if (direct) return { ref, commit: direct, root };
  const remotes = (await git(root, ['remote'])).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const { remote, branch } = fetchTarget(ref, remotes);
  // A local branch name that only exists as a remote-tracking branch (a fresh clone) resolves there.
  if (!ref.startsWith(`${remote}/`)) {
    const tracking = await verify(root, `${remote}/${branch}`);
    if (tracking) return { ref, commit: tracking, root, note: `resolved ${ref} as ${remote}/${branch}` };
  }
  const fetchArgs = ['fetch', '--depth=1', remote, `${branch}:refs/remotes/${remote}/${branch}`];
  const command = `git ${fetchArgs.join(' ')}`;
  if (remotes.includes(remote)) {
    const fetched = await git(root, ['-c', 'advice.detachedHead=false', ...fetchArgs]);
    if (fetched.ok) {
      const again = (await verify(root, ref)) ?? (await verify(root, `${remote}/${branch}`));
      if (again) return { ref, commit: again, root, note: `fetched ${remote}/${branch} (${command})` };
    }
    const why = fetched.stderr.trim().split('\n').pop() ?? '';
    throw new UsageError(
      `The git revision "${ref}" is not in this clone, and \`${command}\` failed${why ? ` (${why})` : ''}. ` +
        `Fetch the base branch first — in GitHub Actions use actions/checkout with fetch-depth: 0, or run \`${command}\` — then retry.`,
      'git-ref',
    );
  }
  throw new UsageError(
    `The git revision "${ref}" is not in this clone and there is no remote "${remote}" to fetch it from. ` +
      `Check the name (\`git branch -a\` lists them) or run \`${command}\` after adding the remote.`,
    'git-ref',
  );
}

/** Path of `abs` relative to the repository root, in git's `/` form; undefined when outside it. */
export function repoPath(rev: GitRevision, abs: string): string | undefined {
  const rel = path.relative(rev.root, abs);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** The text of `abs` at the revision; undefined when the file did not exist there. */
export async function showFile(rev: GitRevision, abs: string): Promise<string | undefined> {
  const rel = repoPath(rev, abs);
  if (rel === undefined) return undefined;
  const r = await git(rev.root, ['show', `${rev.commit}:${rel}`]);
  return r.ok ? r.stdout : undefined;
}
