// Who may call `registry serve` when basic auth is on: `username:password` lines, from a file or from
// the SCHEMACTL_REGISTRY_SERVE_USERS environment variable. Never from the command line, where other
// users of the machine see it in the process list and shells keep it in their history.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export interface ServeUser {
  username: string;
  password: string;
}

export const USERS_ENV = 'SCHEMACTL_REGISTRY_SERVE_USERS';

/** Parses `user:password` lines (blank lines and `#` comments skipped); `where` names the source in errors. */
export function parseUsers(text: string, where: string): ServeUser[] {
  const users: ServeUser[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    if (colon <= 0 || colon === line.length - 1) {
      // the line itself is not shown: it may hold a password
      throw new UsageError(`${where}:${i + 1}: expected "username:password" (a user name, a colon, a non-empty password)`, 'registry-users');
    }
    users.push({ username: line.slice(0, colon), password: line.slice(colon + 1) });
  });
  if (users.length === 0) throw new UsageError(`${where} lists no users ("username:password" per line)`, 'registry-users');
  return users;
}

/** The users from `file` when given, else from the environment variable; undefined: no auth. */
export async function loadUsers(file: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<ServeUser[] | undefined> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UsageError(`Cannot read the users file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'registry-users', e);
    }
    return parseUsers(text, file);
  }
  const fromEnv = env[USERS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseUsers(fromEnv, USERS_ENV);
  return undefined;
}
