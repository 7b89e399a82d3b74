#!/usr/bin/env node
// The build, in order: tsc, then the steps that precompile and join what the CLI loads (see each
// script). `npm run build` always runs it. `prepare` runs it with --if-stale, which skips it when dist/
// was built after the last change to any of its inputs: pre-commit's node installer runs `npm install`
// and then `npm pack` in its clone of the repository, and each of them runs `prepare`.
//
//   node scripts/build.mjs [--if-stale]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = path.join(ROOT, 'dist/.build-stamp');
const INPUTS = ['src', 'rules', 'scripts', 'bin', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'schemactl.schema.json'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(p).reduce((m, e) => Math.max(m, newest(path.join(p, e))), s.mtimeMs);
}

if (process.argv.includes('--if-stale') && existsSync(STAMP) && existsSync(path.join(ROOT, 'dist/src/cli/main.js'))
  && statSync(STAMP).mtimeMs >= Math.max(...INPUTS.map((i) => newest(path.join(ROOT, i))))) {
  process.exit(0);
}

const run = (args) => execFileSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
run([createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
for (const step of ['build-config-validator', 'build-yaml-bundle', 'build-rules-bundle', 'build-cli-bundle']) run([path.join(ROOT, `scripts/${step}.mjs`)]);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
