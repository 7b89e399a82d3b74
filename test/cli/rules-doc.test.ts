// docs/rules.md is generated from the rules' own meta; this fails when a rule changes and the
// reference was not regenerated (`node bin/schemactl.js rules --format markdown`).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

describe('docs/rules.md', () => {
  it('matches `schemactl rules --format markdown`', async () => {
    let out = '';
    const code = await main(['rules', '--format', 'markdown'], { cwd: process.cwd(), env: {}, stdout: (t) => { out += t; }, stderr: () => {} });
    expect(code).toBe(0);
    const doc = readFileSync('docs/rules.md', 'utf8');
    expect(doc.slice(doc.indexOf('| Rule |'))).toBe(out.slice(out.indexOf('| Rule |')));
  });
});
