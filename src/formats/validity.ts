// One notion of validity per format. A parse problem either makes the schema invalid (the reference
// toolchain — Apache Avro Java 1.12, protoc — and so the Schema Registry refuse the file) or is
// advisory (the reference accepts it; the specification is stricter, or the construct is ignored).
// lint, check, register, the embedded registry and the publish gate all ask here, so they accept and
// refuse the same files.
import type { ParseProblem } from '../model/types.js';

/** The problems that make a schema invalid: every fatal problem and every non-advisory one. */
export function invalidProblems(problems: readonly ParseProblem[]): ParseProblem[] {
  return problems.filter((p) => p.fatal || p.advisory !== true);
}

/** True when none of the problems makes the schema invalid. */
export function isValidSchema(problems: readonly ParseProblem[]): boolean {
  return problems.every((p) => !p.fatal && p.advisory === true);
}
