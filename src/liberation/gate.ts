// The publish gate for one stream's schema, after lint: the schema must be one the compatibility
// checker accepts against everything the registry holds for the subject, it must be registered (or,
// on a dry run, looked up), and it must be mappable from rows. It reuses the `check` and `register`
// building blocks, so publish refuses exactly what `schemactl check` reports and registers exactly
// what `schemactl register` would, with the same file:line findings.
import { readFile } from 'node:fs/promises';
import type { CompatibilityLevel } from '../compat/levels.js';
import type { Diagnostic } from '../diagnostics/types.js';
import type { Registry, SchemaReference } from '../registry/types.js';
import { compareUnit, parseStored, storedExtension, type PreviousSchema } from '../check/compare.js';
import { registerUnit } from '../register/index.js';
import { registryLevel, subjectHistory } from '../check/registry.js';
import { buildUnit } from '../check/units.js';
import { invalidProblems } from '../formats/validity.js';
import { AvroRowMapper } from './mapping.js';
import { ProtoRowMapper } from './proto-mapping.js';
import { JsonRowMapper } from './json-mapping.js';

/** What a stream's rows are mapped and encoded with: its schema's format decides. */
export type RowMapper = AvroRowMapper | ProtoRowMapper | JsonRowMapper;

export interface GateInput {
  topic: string;
  /** absolute path of the schema file */
  file: string;
  /** display path for findings */
  label?: string;
  selector?: string;
  includePaths: readonly string[];
  registry: Registry;
  /** the catalog's level; the registry's own level wins once the subject has versions */
  level?: CompatibilityLevel;
  dryRun?: boolean;
  /** column → field renames */
  mapping?: Record<string, string>;
  /** the stream's `schema_type:` (JSON: the file is a JSON Schema) */
  schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON';
}

export type GateResult =
  | { ok: true; mapper: RowMapper; schemaId: number; subject: string; references: SchemaReference[]; warnings: Diagnostic[] }
  | { ok: false; findings: Diagnostic[]; reason: string };


export async function gateSchema(input: GateInput): Promise<GateResult> {
  const label = input.label ?? input.file;
  const refuse = (reason: string, findings: Diagnostic[] = []): GateResult => ({
    ok: false,
    reason,
    findings: findings.length ? findings : [{ ruleId: 'publish-gate', severity: 'error', message: reason, location: { file: label } }],
  });
  const unit = await buildUnit(
    {
      topic: input.topic, role: 'value', abs: input.file, strategy: 'TopicNameStrategy', ...(input.selector ? { selector: input.selector } : {}), ...(input.level ? { level: input.level } : {}),
      ...(input.schemaType ? { schemaType: input.schemaType } : {}),
    },
    { strategy: 'TopicNameStrategy', includePaths: input.includePaths, read: (abs) => readFile(abs, 'utf8').catch(() => undefined), label: () => label },
  );
  if (unit.text === undefined) return refuse(`${label} cannot be read`);
  // the format layer's verdict: what lint and check refuse, and the registry would, is refused here
  const blocking = invalidProblems(unit.problems);
  if (blocking.length || unit.registryText === undefined) {
    return refuse(`${label} does not parse or resolve`, blocking.map((p) => ({ ruleId: p.code, severity: 'error' as const, message: p.message, location: { file: label, range: p.loc } })));
  }

  // the mapper first: a schema rows cannot be mapped to is refused before anything is registered
  let mapper: RowMapper;
  try {
    mapper = unit.format === 'AVRO'
      ? AvroRowMapper.fromText(unit.registryText, input.mapping ?? {})
      : unit.format === 'JSON'
      ? new JsonRowMapper(JSON.parse(unit.registryText), unit.references, input.mapping ?? {})
      : new ProtoRowMapper({ text: unit.text, file: input.file, references: unit.references }, { ...(input.selector ? { selector: input.selector } : {}), ...(input.mapping ? { mapping: input.mapping } : {}) });
  } catch (e) {
    return refuse(`${label}: ${(e as Error).message}`);
  }

  const history = await subjectHistory(input.registry, unit.subject);
  const fromRegistry = history.length > 0 ? await registryLevel(input.registry, unit.subject) : undefined;
  const level = fromRegistry?.level ?? input.level ?? (await registryLevel(input.registry, unit.subject))?.level ?? 'BACKWARD';
  const previous: PreviousSchema[] = history.map((h) => {
    const file = `${unit.subject}@${String(h.version)}${storedExtension(unit.format)}`;
    const document = parseStored(unit.format, file, h.schema, h.referenceTexts);
    return { version: h.version, label: `version ${String(h.version)}`, file, text: h.schema, references: h.referenceTexts, ...(document ? { document } : {}) };
  });
  const cmp = await compareUnit(unit, previous, { level, advisories: 'warn' });
  const errors = cmp.diagnostics.filter((d) => d.severity === 'error');
  if (!cmp.compatible || errors.length) return refuse(`${label} is not ${level}-compatible with ${unit.subject}`, errors);
  const warnings = cmp.diagnostics.filter((d) => d.severity !== 'error');

  // a dry run only looks up: schema id 0 when the schema (or an import of it) is not registered yet
  const done = await registerUnit(input.registry, unit, false, { topic: input.topic, subject: unit.subject, file: label, references: [] }, { lookupOnly: input.dryRun === true });
  return { ok: true, mapper, schemaId: done.id ?? 0, subject: unit.subject, references: done.eventReferences, warnings };
}
