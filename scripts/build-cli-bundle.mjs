#!/usr/bin/env node
// Build step: joins what a plain `schemactl lint` loads (the lint fast path of src/cli/quick.ts, the
// lint API, the parsers, the config loader, the stylish formatter and the compiled rules) into one
// CommonJS file under dist/cli/, with the rarely used parts (the other formatters, --fix-dry-run's diff,
// baselines, SARIF rule docs) in small files of their own loaded on demand. bin/schemactl.js runs these
// files from V8's code cache (see there). Why: Node 20 compiles an ES module from source on every run
// and its loader costs about 1 ms of CPU per module; a pre-commit hook pays that on every commit. The
// code is the compiled modules' own; rolldown (a dev dependency) only joins it. Without rolldown the
// step is skipped and the launcher imports dist/src as before.
//
// Each module keeps its own import.meta.url (rewritten to the URL of its compiled file), so paths it
// resolves relative to itself (rules/, proto-include/, the config schema, createRequire) are unchanged.
// The build fails if the joined files would hold code that `lint` must not load (servers, databases,
// Kafka, yargs); dist/cli/modules.json lists the modules of each file for the tests.
//
//   node scripts/build-cli-bundle.mjs [dist directory, default: dist]
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.resolve(ROOT, process.argv[2] ?? 'dist');
const outDir = path.join(dist, 'cli');
rmSync(outDir, { recursive: true, force: true });

let build;
try {
  ({ build } = await import('rolldown'));
} catch {
  process.stderr.write('build-cli-bundle: rolldown is not installed; the launcher imports dist/src module by module\n');
  process.exit(0);
}

// loaded only by the options that need them: each stays a file of its own, read when used
const ON_DEMAND = /[\\/]dist[\\/]src[\\/](formatters[\\/](sarif|json|junit|github|unified-diff)|lint[\\/]baseline|cli[\\/]rule-docs)\.js$/;
// never on the lint path (the e2e tests check the same with a module trace)
const FORBIDDEN = /[\\/]src[\\/](registry[\\/](server|embedded)|liberation|check|register)[\\/]|[\\/]src[\\/]cli[\\/](main|commands|check|register|publish|capture|registry-serve|init)\.js$/;

// the rule files as the loader lists them (src/config/rules.ts listRuleFiles): <id>.js, no helpers
const HELPER_NAMES = new Set(['util', 'utils', 'helpers', 'index', 'types']);
const rulesDir = path.join(dist, 'rules');
const ids = readdirSync(rulesDir)
  .filter((f) => f.endsWith('.js') && !f.includes('.test.'))
  .map((f) => f.slice(0, -3))
  .filter((id) => !HELPER_NAMES.has(id) && !id.startsWith('_'))
  .sort((a, b) => a.localeCompare(b));
const entry = path.join(dist, 'src/cli/_quick-lint-entry.js');
writeFileSync(entry, `${ids.map((id, i) => `import r${i} from '../../rules/${id}.js';`).join('\n')}
import { provideBundledRules } from '../config/rules.js';
provideBundledRules([${ids.map((id, i) => `[${JSON.stringify(id)}, r${i}]`).join(', ')}]);
// what every lint run loads, in the joined file rather than behind a dynamic import
import '../api/lint.js';
import '../formatters/load.js';
import '../formatters/stylish.js';
import './version.js';
export { quickLint } from './quick.js';
`);

const META = '\0schemactl-meta-url';
const posix = (p) => p.split(path.sep).join('/');
let output;
try {
  output = await build({
    input: { 'quick-lint': entry },
    platform: 'node',
    // packages and built-ins load as they would from dist/src (require, createRequire)
    external: [/^node:/, /^[@a-z][^:]*$/],
    plugins: [{
      name: 'schemactl-meta-url',
      resolveId: (id) => (id === META ? META : null),
      load: (id) => (id === META
        ? "import path from 'node:path';\nimport { pathToFileURL } from 'node:url';\n// the URL of a module's compiled file, from the joined file's directory\nexport function metaUrl(rel) { return pathToFileURL(path.join(__dirname, rel)).href; }\n"
        : null),
      // what is still imported dynamically (packages such as chalk, a custom rules directory) goes
      // through the launcher's import(): a script V8 restores from a code cache has no dynamic import
      renderChunk: (code) => code.replace(/\bimport\(/g, '__schemactlImport('),
      transform(code, id) {
        if (!code.includes('import.meta.url')) return null;
        const rel = posix(path.relative(outDir, id));
        return `import { metaUrl as __schemactlMetaUrl } from ${JSON.stringify(META)};\n${code.replaceAll('import.meta.url', `__schemactlMetaUrl(${JSON.stringify(rel)})`)}`;
      },
    }],
    output: {
      dir: outDir,
      format: 'cjs',
      entryFileNames: '[name].cjs',
      // the content hash in the name keys the code cache (bin/schemactl.js)
      chunkFileNames: '[name]-[hash].cjs',
      codeSplitting: { groups: [{ name: 'lint', test: (id) => !ON_DEMAND.test(id) && id !== entry }] },
      banner: '// generated by scripts/build-cli-bundle.mjs: compiled modules of dist/ joined for `schemactl lint`',
      // ASCII only (non-ASCII characters written as \\u escapes) and no comments: the launcher reads the
      // files as Latin-1, which needs no UTF-8 decoding and gives V8 a one-byte string to hash and scan
      charset: 'ascii',
      comments: false,
    },
    logLevel: 'warn',
    onLog: (level, log, handler) => { if (log.code !== 'INEFFECTIVE_DYNAMIC_IMPORT') handler(level, log); },
  });
} finally {
  rmSync(entry, { force: true });
}

const modules = {};
for (const chunk of output.output) {
  if (chunk.type !== 'chunk') continue;
  const ids = chunk.moduleIds.filter((id) => id !== META).map((id) => posix(path.relative(dist, id)));
  const bad = chunk.moduleIds.filter((id) => FORBIDDEN.test(id) || /node_modules/.test(id));
  if (bad.length > 0) {
    throw new Error(`build-cli-bundle: ${chunk.fileName} would hold modules lint must not load: ${bad.join(', ')}`);
  }
  modules[chunk.fileName] = ids;
}
for (const f of readdirSync(outDir)) {
  const bytes = readFileSync(path.join(outDir, f));
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`build-cli-bundle: ${f} holds a non-ASCII byte at offset ${at}; the launcher reads these files as Latin-1`);
}
writeFileSync(path.join(outDir, 'modules.json'), `${JSON.stringify(modules, null, 2)}\n`);
// the entry is small and names the joined file it needs; the launcher must find both
const entryText = readFileSync(path.join(outDir, 'quick-lint.cjs'), 'utf8');
if (!/require\("\.\/lint-[\w-]+\.cjs"\)/.test(entryText)) throw new Error('build-cli-bundle: quick-lint.cjs does not load the joined lint file');
