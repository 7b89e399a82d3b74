// Compiles just the publishing path (source, engine, mapper, Kafka sink, checkpoints) into a private
// folder, so a separate publisher process can run it without sharing the project's dist/ with other
// builds. Type checking is the job of the project's typecheck; this only emits.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  // the broker helper finds its jars next to itself
  const jars = join(outDir, 'test/support/kafka');
  if (extra.includes('test/support/kafka.ts') && !existsSync(jars)) symlinkSync(join(ROOT, 'test/support/kafka'), jars);
  return lib;
}

/**
 * A fresh bench/.work/<name>/ with the publishing path and these test helpers built into its build/.
 * `load` imports a built file by its place in the project ('test/support/kafka.js').
 */
export function prepareWork(name, extra) {
  const work = join(ROOT, 'bench/.work', name);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const out = join(work, 'build');
  buildPublisher(out, extra);
  return { work, load: (p) => import(pathToFileURL(join(out, p)).href) };
}

/** What a bench needs of the built publishing path besides its source. */
export async function loadEngine(load) {
  const [{ runStream }, { AvroRowMapper }, { KafkaSink }, { FileCheckpointStore }, { FileDeadLetter }] = await Promise.all(
    ['engine.js', 'mapping.js', 'sinks/kafka.js', 'checkpoint/file.js', 'dead-letter.js'].map((f) => load(`src/liberation/${f}`)),
  );
  return { runStream, AvroRowMapper, KafkaSink, FileCheckpointStore, FileDeadLetter };
}
