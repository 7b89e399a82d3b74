// Builds the CLI into test/.work/build with the real launcher and the bundled proto-include/ next
// to it (bin/schemactl.js imports ../dist/src/cli/main.js), so end-to-end tests run exactly what `npm run build` + the bin would,
// without racing other builds of the shared dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../../..');
export const BUILD_DIR = path.join(ROOT, 'test/.work/build');
export const BIN = path.join(BUILD_DIR, 'bin/schemactl.js');

let built = false;

export function buildCli(): string {
  if (built) return BIN;
  mkdirSync(path.join(BUILD_DIR, 'bin'), { recursive: true });
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(BUILD_DIR, 'dist')], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch (err) {
    // Type errors elsewhere in the tree still emit JavaScript; only a missing entry point is fatal.
    if (!existsSync(path.join(BUILD_DIR, 'dist/src/cli/main.js'))) throw err;
  }
  // the build's second step, as `npm run build` runs it
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-config-validator.mjs'), path.join(BUILD_DIR, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  // and its third
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-yaml-bundle.mjs'), path.join(BUILD_DIR, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-rules-bundle.mjs'), path.join(BUILD_DIR, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  // and the lint fast path joined into dist/cli/
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-cli-bundle.mjs'), path.join(BUILD_DIR, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  // the launcher with bin/package.json, which makes it CommonJS
  cpSync(path.join(ROOT, 'bin'), path.join(BUILD_DIR, 'bin'), { recursive: true });
  // the package ships these beside dist/ (the config schema, the bundled well-known .proto files)
  copyFileSync(path.join(ROOT, 'schemactl.schema.json'), path.join(BUILD_DIR, 'schemactl.schema.json'));
  cpSync(path.join(ROOT, 'proto-include'), path.join(BUILD_DIR, 'proto-include'), { recursive: true });
  built = true;
  return BIN;
}
