// The pre-commit hook as users take it: examples/pre-commit/.pre-commit-config.yaml pointing at a git
// URL of this repository and a commit; the real `pre-commit` clones it, builds the node environment
// (`language: node`: npm install, npm pack, npm install -g of the tarball) and runs the hook on the
// staged files of a scratch repository.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT, git, hasCommand, removeDir, run, scratchDir, snapshotRepository, type Snapshot } from '../support/snapshot.js';

const hasPreCommit = hasCommand('pre-commit');
if (!hasPreCommit && process.env.CI) throw new Error('pre-commit is not installed (.ci/run installs the Debian package)');

const GOOD = readFileSync(path.join(ROOT, 'schemas/orders/order-placed.avsc'), 'utf8');
const BROKEN = '{ "type": "record", "name": "Broken", "fields": [ }\n';

describe.skipIf(!hasPreCommit)('pre-commit hook from a git URL (skipped when the pre-commit tool is not installed)', () => {
  let work: string;
  let snap: Snapshot;
  let project: string;
  // pre-commit keeps its clones and environments here: a fresh one, so the hook is installed from scratch
  const env = (): Record<string, string> => ({ PRE_COMMIT_HOME: path.join(work, 'pre-commit-home'), npm_config_prefer_offline: 'true' });

  beforeAll(() => {
    work = scratchDir('pre-commit');
    snap = snapshotRepository(path.join(work, 'schemactl'));
    project = path.join(work, 'project');
    mkdirSync(path.join(project, 'schemas'), { recursive: true });
    git(project, 'init', '-q', '-b', 'main');
    const config = parse(readFileSync(path.join(ROOT, 'examples/pre-commit/.pre-commit-config.yaml'), 'utf8')) as { repos: Array<{ repo: string; rev: string; hooks: Array<{ id: string }> }> };
    expect(config.repos[0]!.hooks[0]!.id).toBe('schemactl-lint');
    // the two lines a user fills in: where the hook's repository is and which commit
    config.repos[0]!.repo = `file://${snap.dir}`;
    config.repos[0]!.rev = snap.sha;
    writeFileSync(path.join(project, '.pre-commit-config.yaml'), stringify(config));
  });

  afterAll(() => removeDir(work));

  it('the manifest is valid for pre-commit', () => {
    const r = run('pre-commit', ['validate-manifest', path.join(ROOT, '.pre-commit-hooks.yaml')], ROOT);
    expect(r.output.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('installs the hook, passes staged good schemas and stops staged bad ones', () => {
    writeFileSync(path.join(project, 'schemas/order-placed.avsc'), GOOD);
    writeFileSync(path.join(project, 'README.md'), 'not a schema {');
    git(project, 'add', '.');
    const ok = run('pre-commit', ['run'], project, env());
    expect(ok.stdout, ok.output).toMatch(/schemactl lint\.+Passed/);
    expect(ok.status).toBe(0);
    git(project, 'commit', '-q', '--no-verify', '-m', 'good');

    copyFileSync(path.join(ROOT, 'schemas/bad/shipment-updated.avsc'), path.join(project, 'schemas/shipment-updated.avsc'));
    writeFileSync(path.join(project, 'schemas/broken.avsc'), BROKEN);
    git(project, 'add', '.');
    const bad = run('pre-commit', ['run'], project, env());
    expect(bad.stdout, bad.output).toMatch(/schemactl lint\.+Failed/);
    expect(bad.stdout).toContain('schemas/broken.avsc');
    expect(bad.stdout).toContain('parse-error');
    expect(bad.stdout).toContain('prefer-enum');
    expect(bad.status).toBe(1);
  }, 900_000);

  it('a staged catalog in a subfolder is linted with the streams it names', () => {
    git(project, 'reset', '-q', '--hard');
    git(project, 'clean', '-qfd');
    mkdirSync(path.join(project, 'services/shipping'), { recursive: true });
    copyFileSync(path.join(ROOT, 'schemas/bad/shipment-updated.avsc'), path.join(project, 'services/shipping/shipment-updated.avsc'));
    writeFileSync(path.join(project, 'services/shipping/schemactl.yaml'), [
      'streams:',
      '  - topic: shipping.shipment-updated',
      '    kind: store',
      '    schema: shipment-updated.avsc',
      '',
    ].join('\n'));
    git(project, 'add', 'services/shipping/schemactl.yaml');
    const r = run('pre-commit', ['run'], project, env());
    expect(r.stdout, r.output).toMatch(/schemactl lint\.+Failed/);
    expect(r.stdout).toContain('shipment-updated.avsc');
    expect(r.status).toBe(1);
  }, 300_000);
});
