// Compiles just the publishing path (source, engine, mapper, Kafka sink, checkpoints) into a private
// folder, so a separate publisher process can run it without sharing the project's dist/ with other
// builds. Type checking is the job of the project's typecheck; this only emits.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const ENTRIES = [
  'src/liberation/sources/pg-logical.ts',
  'src/liberation/sources/binlog.ts',
  'src/liberation/sources/query.ts',
  'src/liberation/engine.ts',
  'src/liberation/mapping.ts',
  'src/liberation/sinks/kafka.ts',
  'src/liberation/checkpoint/file.ts',
  'src/liberation/dead-letter.ts',
];

/** Emit the publishing path (plus extra project files) into outDir; returns outDir/src/liberation. */
export function buildPublisher(outDir, extra = []) {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc,
    '--ignoreConfig', '--outDir', outDir, '--rootDir', ROOT, '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022',
    '--skipLibCheck', '--esModuleInterop', '--verbatimModuleSyntax', '--types', 'node', '--noCheck', '--declaration', 'false',
    ...[...ENTRIES, ...extra].map((e) => join(ROOT, e)),
  ], { encoding: 'utf8', cwd: ROOT });
  const lib = join(outDir, 'src/liberation');
  if (r.status !== 0 && !existsSync(join(lib, 'sources/pg-logical.js'))) throw new Error(`compiling the publisher failed:\n${r.stdout}${r.stderr}`);
  return lib;
}
