// Apache Avro Java 1.12 (Maven Central, test/support/avro-java/pom.xml) as the reference verdict on
// Avro files: `ok` or `invalid: message` per file, from Verdict.java run as a single-file program.
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path, { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(path.dirname(fileURLToPath(import.meta.url)), 'avro-java');
const LIB = join(DIR, 'target', 'lib');

/** Fetches the jars once (they are cached in ~/.m2 afterwards). */
export function ensureAvroJava(): void {
  if (existsSync(LIB) && readdirSync(LIB).some((f) => f.startsWith('avro-idl-'))) return;
  const r = spawnSync('mvn', ['-q', '-B', '-f', join(DIR, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${LIB}`], { stdio: 'inherit', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`fetching Apache Avro Java with Maven failed (exit ${String(r.status)}); run: mvn -f ${join(DIR, 'pom.xml')} dependency:copy-dependencies -DoutputDirectory=${LIB}`);
}

/** Java's verdict per file (absolute or cwd-relative paths), in one JVM. */
export function javaVerdicts(files: readonly string[], cwd = process.cwd()): Map<string, string> {
  ensureAvroJava();
  const r = spawnSync('java', ['-cp', `${LIB}/*`, join(DIR, 'Verdict.java')], { cwd, input: files.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`Verdict.java failed (exit ${String(r.status)}): ${r.stderr}`);
  const out = new Map<string, string>();
  for (const line of r.stdout.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out.set(line.slice(0, tab), line.slice(tab + 1));
  }
  return out;
}
