// Basic-auth users for `registry serve`: `username:password` lines from a file or the environment;
// a malformed line is reported by position, never by content (it may hold a password).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadUsers, parseUsers, USERS_ENV } from '../../src/registry/serve-users.js';

describe('registry serve users', () => {
  it.each([
    ['a:b', [{ username: 'a', password: 'b' }]],
    ['# comment\n\nci:pa:ss:word\r\nother:x\n', [{ username: 'ci', password: 'pa:ss:word' }, { username: 'other', password: 'x' }]],
  ])('parses %j', (text, users) => {
    expect(parseUsers(text, 'users')).toEqual(users);
  });

  it.each([['nopassword-hunter2'], ['user:'], [':hunter2'], ['# only a comment\n']])('refuses %j without echoing it', (text) => {
    let message = '';
    try {
      parseUsers(text, 'users');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^users(:\d+)?/);
    expect(message).not.toContain('hunter2');
  });

  it('reads the file first, else the environment, else no auth', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'serve-users-'));
    writeFileSync(path.join(dir, 'users'), 'f:1\n');
    expect(await loadUsers(path.join(dir, 'users'), { [USERS_ENV]: 'e:2' })).toEqual([{ username: 'f', password: '1' }]);
    expect(await loadUsers(undefined, { [USERS_ENV]: 'e:2' })).toEqual([{ username: 'e', password: '2' }]);
    expect(await loadUsers(undefined, {})).toBeUndefined();
    await expect(loadUsers(path.join(dir, 'missing'), {})).rejects.toThrow(/Cannot read the users file .*ENOENT/);
  });
});
