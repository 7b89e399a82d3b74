#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in dist/ (built by `npm run build`, run by `prepare`).
// main() handles every error itself; what reaches this file is a broken installation.
//
// `schemactl lint …`, which a pre-commit hook runs on every commit, first tries the lint fast path the
// build joined into dist/cli/ (scripts/build-cli-bundle.mjs): one CommonJS file run from V8's code
// cache, so neither Node's ES module loader nor V8's compiler pay for its ~70 modules on each run.
// The cache is written by the first run after install into .cache/ of this package (V8 rejects a cache
// made by another Node version, another V8 flag set or for other source, and the file is then
// rewritten; a package directory that cannot be written just runs without it; NODE_DISABLE_COMPILE_CACHE
// turns it off, as for Node's own compile cache). Any other command line, or a build without
// dist/cli/, goes through dist/src/cli/main.js.
//
// CommonJS (bin/package.json): an ES module entry costs Node's ES module loader and, for each built-in
// it imports, a facade that reads every export (node:fs's lazy streams among them) before any work.
const { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

// node:module's createRequire without loading node:module, whose facade also loads Node's ES module
// loader and source maps (about 1 ms): node:module is this same constructor with those added
const Module = module.constructor;
const launcherRequire = require;

const argv = process.argv.slice(2);

function broken(err) {
  const missing = err && (err.code === 'ERR_MODULE_NOT_FOUND' || err.code === 'MODULE_NOT_FOUND');
  process.stderr.write(missing
    ? 'schemactl: the CLI is not built (dist/ is missing); run `npm run build` in the package directory.\n'
    : `schemactl: internal error while loading the CLI: ${err && err.message ? err.message.split('\n')[0] : String(err)}\n`);
  process.exitCode = 2;
}

const PACKAGE = path.join(__dirname, '..');
const JOINED = path.join(PACKAGE, 'dist/cli');
const CACHE = path.join(PACKAGE, '.cache/v8');
// rolldown names the joined files <name>-<8-character content hash>.cjs: the hash keys their cache
const HASHED = /^(.+)-([\w-]{8})\.cjs$/;

const dynamicImport = (specifier) => import(specifier);

/** Runs the joined files as CommonJS modules from V8's code cache; they require one another by ./name. */
function joinedLoader() {
  const loaded = new Map();
  const toCache = [];
  const useCache = !process.env.NODE_DISABLE_COMPILE_CACHE;
  const tag = `${process.version}-${process.arch}`;
  function load(file) {
    const hit = loaded.get(file);
    if (hit !== undefined) return hit.exports;
    // ASCII by construction (the build checks): Latin-1 reads it without UTF-8 decoding
    const source = readFileSync(file, 'latin1');
    const hashed = HASHED.exec(path.basename(file));
    const cacheFile = useCache && hashed ? path.join(CACHE, `${hashed[1]}-${hashed[2]}-${tag}.v8`) : undefined;
    let cachedData;
    if (cacheFile !== undefined) {
      try {
        cachedData = readFileSync(cacheFile);
      } catch {
        // first run, or no cache: compile from source and write it at exit
      }
    }
    // the wrapper Node puts around a CommonJS module, on the source's first line so lines stay the same
    // (a function compiled by vm has no dynamic import() of its own once restored from a code cache, so
    // the build turns the joined files' import() into calls of this module's, the last parameter)
    const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __schemactlImport) {${source}\n})`, { filename: file, cachedData });
    if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) toCache.push({ script, cacheFile, stem: hashed[1], hash: hashed[2] });
    const module = { exports: {} };
    loaded.set(file, module);
    const dir = path.dirname(file);
    // built-ins resolve alike from anywhere; packages from the joined file's place (made when first needed)
    let nodeRequire;
    const require = (spec) => (spec.startsWith('./') && spec.endsWith('.cjs') ? load(path.join(dir, spec))
      : spec === 'node:module' ? Module
        : spec.startsWith('node:') ? launcherRequire(spec) : (nodeRequire ??= Module.createRequire(file))(spec));
    script.runInThisContext()(module.exports, require, module, file, dir, dynamicImport);
    return module.exports;
  }
  // after the run, so the cache also holds the functions V8 compiled lazily while linting
  process.once('exit', () => {
    for (const { script, cacheFile, stem, hash } of toCache) {
      try {
        mkdirSync(CACHE, { recursive: true });
        for (const old of readdirSync(CACHE)) {
          const m = /^(.+)-([\w-]{8})-v\d/.exec(old);
          if (m && m[1] === stem && m[2] !== hash) rmSync(path.join(CACHE, old), { force: true });
        }
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // a read-only installation runs without the cache
      }
    }
  });
  return load;
}

/** The exit code of a plain `lint` run through the joined files, or undefined for main() to handle. */
function quickLint() {
  if (argv[0] !== 'lint') return undefined;
  const entry = path.join(JOINED, 'quick-lint.cjs');
  // absent when built without rolldown
  return existsSync(entry) ? joinedLoader()(entry).quickLint(argv) : undefined;
}

let quick;
try {
  quick = quickLint();
} catch (err) {
  broken(err);
}
if (quick !== undefined) {
  // quickLint resolves once its output is written out: end the process right away rather than let Node
  // free the heap and its environment first, which costs a lint of 5 files several ms of CPU (the 'exit'
  // handlers, the code cache's among them, still run)
  quick.then((code) => process.exit(code), broken);
} else if (process.exitCode === undefined) {
  import('../dist/src/cli/main.js').then(
    ({ main }) => main(argv).then((code) => {
      process.exitCode = code;
      // the command is done and has printed its summary: a client socket or timer left open by a library
      // (a Kafka connection of a stopped stream) must not keep the process alive; unref'd, so a normal
      // exit is not delayed
      setTimeout(() => process.exit(code), 10_000).unref();
    }),
    broken,
  );
}
