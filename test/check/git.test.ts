import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG, ORDER_BREAKING, ORDER_COMPATIBLE, ORDER_V1, cli, commitAll, git, remove, scratchDir, write } from './helpers.js';

function repoWithMain(): string {
  const dir = scratchDir('check-git');
  git(dir, 'init', '-q');
  write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
  commitAll(dir, 'v1');
  git(dir, 'checkout', '-q', '-b', 'feature');
  return dir;
}

describe('check --against git:REF', () => {
  it('catches a breaking change on a branch, with the finding on the new line', async () => {
    const dir = repoWithMain();
    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    commitAll(dir, 'add total');
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('schemas/order-placed.avsc');
    expect(r.stdout).toMatch(/9:\d+\s+error\s+The new schema adds field `total` without a default/);
    expect(r.stdout).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
    expect(r.stdout).toContain('add a default to field total');
    expect(r.stderr).toContain('✗ orders.order-placed (orders.order-placed-value): NOT compatible (BACKWARD) with main');
  });

  it('passes a compatible change', async () => {
    const dir = repoWithMain();
    write(dir, { 'schemas/order-placed.avsc': ORDER_COMPATIBLE });
    commitAll(dir, 'add note');
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.stderr).toContain('✓ orders.order-placed (orders.order-placed-value): compatible (BACKWARD) with main');
    expect(r.code).toBe(0);
  });

  it('checks uncommitted working-tree changes too', async () => {
    const dir = repoWithMain();
    write(dir, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    const r = await cli(['check', '--against', 'git:main', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number }> }>;
    expect(report).toHaveLength(1);
    expect(report[0]!.messages.map((m) => [m.ruleId, m.line])).toEqual([['avro-reader-field-missing-default-value', 9]]);
  });

  it('reports a removed stream', async () => {
    const dir = repoWithMain();
    write(dir, {
      'schemactl.yaml': `${CATALOG}  - topic: orders.order-cancelled\n    schema: schemas/order-placed.avsc\n`,
    });
    git(dir, 'checkout', '-q', 'main');
    commitAll(dir, 'second stream');
    git(dir, 'checkout', '-q', '-b', 'drop');
    write(dir, { 'schemactl.yaml': CATALOG });
    commitAll(dir, 'drop stream');
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('schemactl.yaml');
    expect(r.stdout).toContain('Stream "orders.order-cancelled" was removed from the catalog');
    expect(r.stdout).toContain('stream-removed');
    const allowed = await cli(['check', '--against', 'git:main', '--allow-removal'], dir);
    expect(allowed.code).toBe(0);
  });

  it('works in a shallow clone by fetching the base branch once', async () => {
    const upstream = repoWithMain();
    write(upstream, { 'schemas/order-placed.avsc': ORDER_BREAKING });
    commitAll(upstream, 'breaking');
    const parent = scratchDir('check-clone');
    const clone = path.join(parent, 'repo');
    execFileSync('git', ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${upstream}`, clone]);
    expect(() => git(clone, 'rev-parse', '--verify', '--quiet', 'origin/main')).toThrow();
    const r = await cli(['check', '--against', 'git:origin/main'], clone);
    expect(r.stderr).toContain('fetched origin/main (git fetch --depth=1 origin main:refs/remotes/origin/main)');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('READER_FIELD_MISSING_DEFAULT_VALUE');
  });

  it('names the exact fetch command when the base cannot be fetched', async () => {
    const dir = repoWithMain();
    git(dir, 'remote', 'add', 'origin', `file://${dir}/does-not-exist`);
    const r = await cli(['check', '--against', 'git:origin/release'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('git fetch --depth=1 origin release:refs/remotes/origin/release');
    expect(r.stderr).toContain('fetch-depth: 0');
  });

  it('reports a schema that no longer parses as an input error (exit 2) at its line', async () => {
    const dir = repoWithMain();
    write(dir, { 'schemas/order-placed.avsc': ORDER_V1.replace('"long"', '"long",,') });
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/schemas\/order-placed\.avsc\n\s+8:\d+\s+error/);
  });

  it('reports a removed schema file referenced by the catalog', async () => {
    const dir = repoWithMain();
    remove(dir, 'schemas/order-placed.avsc');
    const r = await cli(['check', '--against', 'git:main'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('schemactl.yaml');
    expect(r.stdout).toContain('names schemas/order-placed.avsc, but the file does not exist');
  });
});
