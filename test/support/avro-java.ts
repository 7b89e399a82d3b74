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

/** Java's reading of encoded values: each `bytes` decoded with a reader built from `schemaFile`'s text, in one JVM. */
export function javaDecode(values: ReadonlyArray<{ schemaFile: string; bytes: Buffer }>): Array<{ ok: true; json: string } | { ok: false; error: string }> {
  ensureAvroJava();
  const input = values.map((v) => `${v.schemaFile}\t${v.bytes.toString('hex')}`).join('\n') + '\n';
  const r = spawnSync('java', ['-cp', `${LIB}/*`, join(DIR, 'Decode.java')], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`Decode.java failed (exit ${String(r.status)}): ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => {
    const tab = l.indexOf('\t');
    return l.slice(0, tab) === 'ok' ? { ok: true as const, json: l.slice(tab + 1) } : { ok: false as const, error: l.slice(tab + 1) };
  });
}
