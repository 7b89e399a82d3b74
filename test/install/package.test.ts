// The package as users get it: `npm pack` of the working tree, installed with `npm i -D` into a scratch
// project from the tarball and from a git URL, then run through `npx schemactl` there, and through the
// husky + lint-staged hook of examples/husky/ on a real `git commit`. Scratch projects
// live outside the repository so nothing resolves the repository's own node_modules.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { GIT_IDENTITY, NPM_FLAGS, ROOT, git, removeDir, run, scratchDir, snapshotRepository, type Snapshot } from '../support/snapshot.js';

const GOOD = readFileSync(path.join(ROOT, 'schemas/orders/order-placed.avsc'), 'utf8');
const BAD = readFileSync(path.join(ROOT, 'schemas/bad/shipment-updated.avsc'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; dependencies: Record<string, string> };

let work: string;
let snap: Snapshot;
let tarball: string;
let packStdout: string;

beforeAll(() => {
  work = scratchDir('install');
  snap = snapshotRepository(path.join(work, 'repo'));
  // The repository's installed dependencies stand in for `npm ci` in the snapshot (same lockfile);
  // `npm pack` then runs the package's own `prepare` build there, as it does for a maintainer.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(snap.dir, 'node_modules'), 'dir');
  const r = run('npm', ['pack', '--pack-destination', work], snap.dir);
  expect(r.status, r.output).toBe(0);
  packStdout = r.stdout;
  tarball = path.join(work, packStdout.trim());
}, 300_000);

afterAll(() => removeDir(work));

function scratchProject(name: string): string {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'schemas'), { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  writeFileSync(path.join(dir, 'schemas/order-placed.avsc'), GOOD);
  writeFileSync(path.join(dir, 'schemas/shipment-updated.avsc'), BAD);
  return dir;
}

/** Every installed package that declares a script npm would run at install time. */
function installScripts(project: string): string[] {
  const found: string[] = [];
  const visit = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(path.join(modules, entry))) inspect(path.join(modules, entry, scoped));
      } else inspect(path.join(modules, entry));
    }
  };
  const inspect = (dir: string): void => {
    const file = path.join(dir, 'package.json');
    if (!existsSync(file)) return;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name: string; scripts?: Record<string, string>; gypfile?: boolean };
    for (const event of ['preinstall', 'install', 'postinstall']) {
      if (manifest.scripts?.[event]) found.push(`${manifest.name} (${event}: ${manifest.scripts[event]})`);
    }
    if (existsSync(path.join(dir, 'binding.gyp')) && manifest.gypfile !== false) found.push(`${manifest.name} (node-gyp)`);
    visit(path.join(dir, 'node_modules'));
  };
  visit(path.join(project, 'node_modules'));
  return found;
}

/** Lints through `npx schemactl` in the scratch project: a clean schema passes, a bad one fails. */
function expectLintWorks(project: string): void {
  const good = run('npx', ['--no-install', 'schemactl', 'lint', 'schemas/order-placed.avsc'], project);
  expect(good.status, good.output).toBe(0);
  const bad = run('npx', ['--no-install', 'schemactl', 'lint', '--max-warnings', '0', 'schemas/shipment-updated.avsc'], project);
  expect(bad.status, bad.output).toBe(1);
  expect(bad.stdout).toContain('prefer-enum');
}

describe('npm pack', () => {
  it('prints only the tarball name on stdout (tools such as pre-commit read it from there)', () => {
    expect(packStdout).toBe(`${pkg.name}-${pkg.version}.tgz\n`);
    expect(existsSync(tarball)).toBe(true);
  });

  it('ships the built CLI, the launcher and the config schema, not the sources or tests', () => {
    const r = run('tar', ['tzf', tarball], work);
    const files = r.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['package.json', 'bin/schemactl.js', 'dist/src/cli/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'schemactl.schema.json', 'README.md']));
    expect(files.filter((f) => /^(src|test|bench)\//.test(f) || f.endsWith('.test.js') || f === '.npmrc')).toEqual([]);
  });

  it('declares as runtime dependencies exactly the packages the CLI and the library entry import', () => {
    // Walk the compiled module graph from the entry points, as Node would load it, collecting bare imports.
    const dist = path.join(snap.dir, 'dist');
    const seen = new Set<string>();
    const packages = new Set<string>();
    const pending = [path.join(snap.dir, 'bin/schemactl.js'), path.join(dist, 'src/index.js'), path.join(dist, 'src/cli/main.js')];
    // static imports/re-exports (`from` only in an import or export statement, not in a message text),
    // bare imports, and import()/require()/createRequire(…)() with a literal
    const specifier = /(?:^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bcreateRequire\([^)]*\)\s*\(\s*)['"]([^'"]+)['"]/gm;
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const raw = readFileSync(file, 'utf8');
      // a module the build joined from a package (scripts/build-yaml-bundle.mjs): its inner requires name
      // modules inside the joined file, not files on disk; the package it holds is what it brings in
      const joined = /^\/\/ generated by scripts\/build-yaml-bundle\.mjs: the modules of (\S+) /.exec(raw);
      if (joined) { packages.add(joined[1]!); continue; }
      const text = raw
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '')
        .replace(/^\s*import\s+type\b.*$/gm, '');
      for (const [, spec] of text.matchAll(specifier)) {
        if (spec!.startsWith('node:')) continue;
        if (spec!.startsWith('.')) pending.push(path.resolve(path.dirname(file), spec!));
        else packages.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
      }
    }
    expect(seen.size).toBeGreaterThan(50); // the walk followed the graph
    expect([...packages].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it('every package a shipped module imports is a runtime dependency, or an optional peer (vitest, for the rule tester only)', () => {
    const manifest = pkg as typeof pkg & { peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
    const optionalPeers = Object.keys(manifest.peerDependencies ?? {}).filter((p) => manifest.peerDependenciesMeta?.[p]?.optional === true);
    expect(optionalPeers).toEqual(['vitest']);
    const shipped = run('tar', ['tzf', tarball], work).stdout.split('\n').filter((f) => /^package\/(dist|bin)\/.+\.c?js$/.test(f)).map((f) => f.slice('package/'.length));
    expect(shipped).toEqual(expect.arrayContaining(['dist/src/lint/rule-tester.js', 'dist/cli/quick-lint.cjs']));
    // as in the walk above: `from` only in an import or export statement, not in a message text
    const bare = /(?:^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*|^\s*import\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bcreateRequire\([^)]*\)\s*\(\s*)['"]([^'"./][^'"]*)['"]/gm;
    const importers = new Map<string, string>();
    for (const f of shipped) {
      const text = readFileSync(path.join(snap.dir, f), 'utf8');
      // the yaml package's own modules, joined into one file: their requires name each other
      if (text.startsWith('// generated by scripts/build-yaml-bundle.mjs')) continue;
      for (const [, spec] of text.matchAll(bare)) {
        if (spec!.startsWith('node:')) continue;
        const name = spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!;
        if (!importers.has(name)) importers.set(name, f);
      }
    }
    const undeclared = [...importers].filter(([name]) => !(name in pkg.dependencies) && !optionalPeers.includes(name));
    expect(undeclared).toEqual([]);
    expect(importers.get('vitest')).toBe('dist/src/lint/rule-tester.js');
  });
});

describe('npm i -D <tarball>', () => {
  let project: string;
  let install: ReturnType<typeof run>;

  beforeAll(() => {
    project = scratchProject('from-tarball');
    install = run('npm', ['install', '--save-dev', ...NPM_FLAGS, tarball], project);
  }, 300_000);

  it('installs with no dependency install script', () => {
    expect(install.status, install.output).toBe(0);
    expect(installScripts(project)).toEqual([]);
  });

  it('`npx schemactl lint` works in the project', () => {
    expectLintWorks(project);
  });

  it('`schemactl init` writes a $schema path that exists after the install', () => {
    const r = run('npx', ['--no-install', 'schemactl', 'init'], project);
    expect(r.status, r.output).toBe(0);
    const config = readFileSync(path.join(project, 'schemactl.yaml'), 'utf8');
    const ref = /\$schema=(\S+)/.exec(config)?.[1];
    expect(ref).toBeDefined();
    const schemaFile = path.resolve(project, ref!);
    expect(existsSync(schemaFile), `${ref} does not exist`).toBe(true);
    expect((JSON.parse(readFileSync(schemaFile, 'utf8')) as { $schema: string }).$schema).toMatch(/json-schema\.org/);
    // the starter catalog is itself usable: lint reads it and finds the bad schema
    const lint = run('npx', ['--no-install', 'schemactl', 'lint', '--max-warnings', '0'], project);
    expect(lint.status, lint.output).toBe(1);
    expect(lint.stdout).toContain('schemas/shipment-updated.avsc');
  });
});

describe('npm i -D git+file://<clone>#<sha>', () => {
  let project: string;
  let install: ReturnType<typeof run>;

  beforeAll(() => {
    project = scratchProject('from-git');
    // npm clones the commit, installs its devDependencies and runs its `prepare` (the tsc build) there
    install = run('npm', ['install', '--save-dev', ...NPM_FLAGS, `git+file://${snap.dir}#${snap.sha}`], project);
  }, 600_000);

  it('installs the built package with no dependency install script', () => {
    expect(install.status, install.output).toBe(0);
    expect(existsSync(path.join(project, 'node_modules/schemactl/dist/src/cli/main.js'))).toBe(true);
    expect(installScripts(project)).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies.schemactl).toContain(snap.sha);
  });

  it('`npx schemactl lint` works in the project', () => {
    expectLintWorks(project);
  });
});

// examples/husky/ as a project adopts it: husky and lint-staged from the registry, the example hook and
// lint-staged config copied in, and a real `git commit` that runs them.
describe('husky + lint-staged (examples/husky/)', () => {
  const HUSKY = 'husky@9.1.7';
  const LINT_STAGED = 'lint-staged@16.4.0';
  let project: string;

  beforeAll(() => {
    project = scratchProject('with-husky');
    git(project, 'init', '-q', '-b', 'main');
    const install = run('npm', ['install', '--save-dev', ...NPM_FLAGS, tarball, HUSKY, LINT_STAGED], project);
    expect(install.status, install.output).toBe(0);
    mkdirSync(path.join(project, '.husky'), { recursive: true });
    copyFileSync(path.join(ROOT, 'examples/husky/pre-commit'), path.join(project, '.husky/pre-commit'));
    copyFileSync(path.join(ROOT, 'examples/husky/lint-staged.config.mjs'), path.join(project, 'lint-staged.config.mjs'));
    // what `npx husky init` sets up: the hooks path, and a prepare script so clones get it too
    const setup = run('npx', ['--no-install', 'husky'], project);
    expect(setup.status, setup.output).toBe(0);
    expect(git(project, 'config', 'core.hooksPath')).toBe('.husky/_');
  }, 300_000);

  it('a commit of a clean schema goes through; one of a bad schema is stopped with the findings', () => {
    git(project, 'add', 'package.json', 'package-lock.json', '.husky/pre-commit', 'lint-staged.config.mjs', 'schemas/order-placed.avsc');
    const ok = run('git', ['commit', '-m', 'order placed'], project, GIT_IDENTITY);
    expect(ok.status, ok.output).toBe(0);
    const head = git(project, 'rev-parse', 'HEAD');

    git(project, 'add', 'schemas/shipment-updated.avsc');
    const bad = run('git', ['commit', '-m', 'shipment updated'], project, GIT_IDENTITY);
    expect(bad.status, bad.output).not.toBe(0);
    expect(bad.output).toContain('prefer-enum');
    expect(bad.output).toContain('schemactl lint --max-warnings 0');
    expect(git(project, 'rev-parse', 'HEAD')).toBe(head);
  }, 120_000);
});

// The run steps of examples/github-actions/schemactl.yml on a pull request, in order and with its `if:`
// conditions, in a depth-1 clone of the pull request branch as actions/checkout leaves it (`uses:` steps
// are the checkout itself, a no-op for setup-node, and a check of the SARIF file for the uploads).
describe('examples/github-actions/schemactl.yml steps on a pull request', () => {
  interface Step { name?: string; id?: string; if?: string; uses?: string; run?: string; 'continue-on-error'?: boolean; with?: Record<string, unknown> }
  const workflow = parse(readFileSync(path.join(ROOT, 'examples/github-actions/schemactl.yml'), 'utf8')) as { env: Record<string, string>; jobs: { schemas: { steps: Step[] } } };
  let clone: string;

  beforeAll(() => {
    const origin = path.join(work, 'gh-origin');
    mkdirSync(path.join(origin, 'services/orders'), { recursive: true });
    git(origin, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(origin, 'package.json'), JSON.stringify({ name: 'shop', version: '1.0.0', private: true, devDependencies: { schemactl: `file:${tarball}` } }, null, 2));
    const lock = run('npm', ['install', ...NPM_FLAGS], origin);
    expect(lock.status, lock.output).toBe(0);
    writeFileSync(path.join(origin, '.gitignore'), 'node_modules/\n');
    writeFileSync(path.join(origin, 'services/orders/order-placed.avsc'), GOOD);
    writeFileSync(path.join(origin, 'services/orders/schemactl.yaml'), 'streams:\n  - topic: orders.order-placed\n    kind: store\n    schema: order-placed.avsc\n    compatibility: BACKWARD\n');
    git(origin, 'add', '.');
    git(origin, 'commit', '-q', '-m', 'orders');
    // the pull request: a new required field without a default breaks BACKWARD compatibility
    git(origin, 'checkout', '-q', '-b', 'add-channel');
    const schema = JSON.parse(GOOD) as { fields: unknown[] };
    schema.fields.push({ name: 'channel', type: 'string', doc: 'Sales channel.' });
    writeFileSync(path.join(origin, 'services/orders/order-placed.avsc'), `${JSON.stringify(schema, null, 2)}\n`);
    git(origin, 'commit', '-q', '-am', 'add channel');
    clone = path.join(work, 'gh-checkout');
    const r = run('git', ['clone', '-q', '--depth=1', '--branch', 'add-channel', `file://${origin}`, clone], work);
    expect(r.status, r.output).toBe(0);
  }, 300_000);

  it('lints, finds the breaking change against the base branch, uploads SARIF and fails the job', () => {
    const env: Record<string, string> = {
      ...Object.fromEntries(Object.entries(workflow.env).map(([k, v]) => [k, v.replace('${{ github.base_ref }}', 'main')])),
      CATALOG: 'services/orders/schemactl.yaml', // the catalog is in a subfolder here
    };
    expect(env.BASE).toBe('main');
    const outcome: Record<string, string> = {};
    const log: string[] = [];
    const condition = (expr: string | undefined): boolean => {
      if (!expr) return true;
      const js = expr
        .replace(/github\.event_name/g, "'pull_request'")
        .replace(/steps\.(\w+)\.outcome/g, (_m, id: string) => JSON.stringify(outcome[id] ?? 'skipped'))
        .replace(/always\(\)/g, 'true')
        .replace(/hashFiles\('([^']+)'\)/g, (_m, f: string) => (existsSync(path.join(clone, f)) ? "'h'" : "''"))
        .replace(/==/g, '===').replace(/!===/g, '!==');
      return Boolean(new Function(`return (${js});`)());
    };
    let failed = false;
    for (const step of workflow.jobs.schemas.steps) {
      const label = step.name ?? step.uses ?? step.run!;
      if (!condition(step.if)) { log.push(`skipped: ${label}`); continue; }
      if (step.uses) {
        if (step.uses.startsWith('github/codeql-action/upload-sarif')) {
          const sarif = JSON.parse(readFileSync(path.join(clone, String(step.with!.sarif_file)), 'utf8')) as { version: string; runs: unknown[] };
          expect(sarif.version).toBe('2.1.0');
        }
        log.push(`uses: ${label}`);
        continue;
      }
      const r = run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], clone, { ...env, ...GIT_IDENTITY }, 300_000);
      log.push(`ran (exit ${r.status}): ${label}\n${r.output}`);
      if (step.id) outcome[step.id] = r.status === 0 ? 'success' : 'failure';
      if (r.status !== 0 && !step['continue-on-error']) { failed = true; break; }
    }
    const text = log.join('\n');
    expect(outcome, text).toEqual({ lint: 'success', check: 'failure' });
    expect(failed, text).toBe(true);
    expect(text).toContain('ran (exit 1): Fail on findings');
    expect(text).toMatch(/::error file=services\/orders\/order-placed\.avsc,line=\d+/);
    const check = JSON.parse(readFileSync(path.join(clone, 'check.sarif'), 'utf8')) as { runs: Array<{ results: unknown[] }> };
    expect(check.runs[0]!.results.length).toBeGreaterThan(0);
  }, 300_000);
});
