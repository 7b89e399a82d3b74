// Rule discovery: every module in rules/ is a rule whose id is its file name. Resolved relative to
// this module, so it works from source (rules/*.ts under the test runner) and compiled
// (dist/rules/*.js); both trees keep rules/ two levels above src/config/.
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';
import type { Rule } from '../lint/rule.js';
import { RULE_ID_PATTERN, assertRule } from '../lint/validate-rule.js';

/** Modules in rules/ that are helpers, not rules. */
const HELPER_NAMES = new Set(['util', 'utils', 'helpers', 'index', 'types']);

let rulesDirectory: string | undefined;

export function defaultRulesDirectory(): string {
  return (rulesDirectory ??= fileURLToPath(new URL('../../rules/', import.meta.url)));
}

/** Rule files of a directory: `<id>.ts`/`<id>.js`, without helpers, declarations and tests. */
export async function listRuleFiles(dir: string = defaultRulesDirectory()): Promise<Array<{ id: string; file: string }>> {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const entries = readdirSync(dir, { withFileTypes: true });
  const out: Array<{ id: string; file: string }> = [];
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith(ext) || e.name.endsWith('.d.ts') || e.name.includes('.test.')) continue;
    const id = e.name.slice(0, -ext.length);
    if (HELPER_NAMES.has(id) || id.startsWith('_')) continue;
    out.push({ id, file: path.join(dir, e.name) });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

const cache = new Map<string, Promise<Rule[]>>();

/** The compiled rules as [id, module default] pairs, when the build joined them into this module's file. */
let provided: ReadonlyArray<readonly [string, unknown]> | undefined;

/**
 * Hands over the bundled rules from a file the build joined them into together with this module (the
 * CLI's lint file, scripts/build-cli-bundle.mjs), so loading them imports nothing more.
 */
export function provideBundledRules(rules: ReadonlyArray<readonly [string, unknown]>): void {
  provided = rules;
}

/**
 * The bundled rules from the one module the build joins them into (scripts/build-rules-bundle.mjs):
 * each ES module costs about 1 ms of start-up whatever its size, and the rules with their helpers are
 * two dozen. Absent when running from source or when the build had no rolldown.
 */
async function joinedRules(dir: string): Promise<Rule[] | undefined> {
  if (provided !== undefined) return provided.map(([id, rule]) => assertRule(rule, id, path.join(dir, `${id}.js`)));
  const file = path.join(dir, '_bundle.js');
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { default: Array<[string, unknown]> };
  return mod.default.map(([id, rule]) => assertRule(rule, id, path.join(dir, `${id}.js`)));
}

/**
 * Import and validate every rule of a directory (the bundled rules by default). A rule with an
 * incomplete meta or a mismatched id is a RuleDefinitionError naming the file.
 */
export function loadRules(dir: string = defaultRulesDirectory()): Promise<Rule[]> {
  let p = cache.get(dir);
  if (p === undefined) {
    p = (async () => {
      const joined = dir === defaultRulesDirectory() ? await joinedRules(dir) : undefined;
      if (joined !== undefined) return joined;
      const files = await listRuleFiles(dir);
      return Promise.all(files.map(async ({ id, file }) => {
        if (!RULE_ID_PATTERN.test(id)) {
          throw new Error(`rules/${path.basename(file)}: a rule file name must be a kebab-case rule id`);
        }
        const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
        return assertRule(mod.default, id, file);
      }));
    })();
    // a failed load (e.g. a broken rule being edited) must not poison later attempts
    p.catch(() => cache.delete(dir));
    cache.set(dir, p);
  }
  return p;
}
