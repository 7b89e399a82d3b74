// `register` as a library: each catalog stream's schema is registered once it passes lint and the
// same compatibility check `check` runs against the registry (its building blocks are shared with
// check and the publish gate); the rest are refused with their findings. Idempotent.
import path from 'node:path';
import type { FileResult } from '../diagnostics/types.js';
import { againstRegistry, Collector } from '../check/index.js';
import { connectOptions, displayPath, loadCatalog, readWorkingTree, selectStreams, strategyOf, streamEntries } from '../check/catalog.js';
import { isNotFound, openTarget, registryTarget } from '../check/registry.js';
import { buildUnits, protobufImports } from '../check/units.js';
import { jsonSchemaRefNames } from '../formats/jsonschema/index.js';
import type { SchemaUnit } from '../check/units.js';
import type { Registry } from '../registry/types.js';

export interface RegisterOptions {
  cwd?: string;
  configFile?: string;
  topics?: string[];
  registry?: string;
  normalize?: boolean;
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
  retries?: number;
}

export interface RegisteredSubject {
  topic: string;
  subject: string;
  file: string;
  /** `missing`: a look-up-only call found it (or an import of it) not registered */
  status: 'registered' | 'unchanged' | 'refused' | 'missing';
  version?: number;
  id?: number;
  /** why a stream was refused: `reasons` joined with `; ` */
  reason?: string;
  /** why a stream was refused, one entry per cause (lint of its file, lint of an import, compatibility) */
  reasons?: string[];
  /** Protobuf imports registered (or found) first */
  references: Array<{ subject: string; version: number; id: number; status: 'registered' | 'unchanged' }>;
}

export interface RegisterOutcome {
  /** lint and check findings of the refused (and warned) streams */
  results: FileResult[];
  subjects: RegisteredSubject[];
  refused: number;
  /** refused streams whose schema, or a file it imports, is not a valid schema (or is missing): exit 2, as lint */
  invalid: number;
  target: string;
  notes: string[];
}

/** Register what passes lint and check; refuse the rest. Idempotent: a registered schema is found, not re-added. */
export async function register(opts: RegisterOptions = {}): Promise<RegisterOutcome> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const env = opts.env ?? process.env;
  const config = await loadCatalog(cwd, opts.configFile, env);
  const catalogLabel = displayPath(config.file!, cwd);
  const strategy = strategyOf(config.registry, catalogLabel);
  const entries = selectStreams(streamEntries(config), opts.topics, catalogLabel);
  const units = await buildUnits(entries, { strategy, includePaths: config.includePaths, read: readWorkingTree, label: (abs) => displayPath(abs, cwd) });

  const { lint } = await import('../api/lint.js');
  const linted = await lint({ cwd, ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}), ...(env ? { env: env as NodeJS.ProcessEnv } : {}) });
  const lintErrors = new Map<string, FileResult>();
  for (const r of linted.results) if (r.diagnostics.some((d) => d.severity === 'error')) lintErrors.set(r.file, { ...r, diagnostics: r.diagnostics.filter((d) => d.severity === 'error') });

  const connect = connectOptions(config, env, opts);
  const target = registryTarget(connect);
  const reg = (await openTarget(target, connect, true))!;
  const out = new Collector(config.compatRules);
  const subjects: RegisteredSubject[] = [];
  let invalid = 0;
  try {
    const verdicts = await againstRegistry(reg, target, units, catalogLabel, { override: undefined, advisories: 'warn' }, out, config.text);
    const checked = out.outcome();
    const byFile = new Map(checked.results.map((r) => [r.file, r] as const));
    const results: FileResult[] = [];
    for (const unit of units) {
      const lintResult = lintErrors.get(unit.file);
      // an import is refused with the stream that uses it: the registry would store it as a reference
      const importLint = unit.references
        .map((r) => [...lintErrors.values()].find((f) => f.file !== unit.file && (f.file === r.name || f.file.endsWith(`/${r.name}`))))
        .filter((f): f is FileResult => f !== undefined);
      const verdict = verdicts.get(unit.subject);
      const checkResult = byFile.get(unit.file);
      const checkErrors = checkResult?.diagnostics.filter((d) => d.severity === 'error') ?? [];
      const base = { topic: unit.topic, subject: unit.subject, file: unit.file, references: [] as RegisteredSubject['references'] };
      if (lintResult || importLint.length > 0 || !verdict?.compatible || checkErrors.length > 0) {
        const reasons: string[] = [];
        const errors = (n: number): string => `${String(n)} error${n === 1 ? '' : 's'}`;
        if (lintResult) reasons.push(`lint found ${errors(lintResult.diagnostics.length)} in ${lintResult.file}`);
        for (const f of importLint) reasons.push(`lint found ${errors(f.diagnostics.length)} in imported ${f.file}`);
        if (unit.text === undefined) reasons.push(`${unit.file} does not exist`);
        else if (checkErrors.some((d) => d.fatal)) reasons.push(`${unit.file} cannot be checked (${[...new Set(checkErrors.filter((d) => d.fatal).map((d) => d.ruleId))].join(', ')})`);
        else if (!verdict?.compatible || checkErrors.length > 0) {
          const ids = [...new Set(checkErrors.map((d) => d.ruleId))];
          reasons.push(`not compatible with the registered versions${ids.length > 0 ? ` (${ids.join(', ')})` : ''}`);
        }
        subjects.push({ ...base, status: 'refused', reason: reasons.join('; '), reasons });
        const fatal = (f: FileResult | undefined): boolean => f?.diagnostics.some((d) => d.fatal) === true;
        if (unit.text === undefined || fatal(lintResult) || importLint.some(fatal) || checkErrors.some((d) => d.fatal)) invalid += 1;
        if (lintResult) results.push(lintResult);
        results.push(...importLint);
        if (checkResult && checkErrors.length > 0) results.push({ ...checkResult, diagnostics: checkErrors });
        if (!lintResult && checkErrors.length === 0 && unit.text === undefined) {
          const missing = checked.results.find((r) => r.diagnostics.some((d) => d.message.includes(unit.file)));
          if (missing) results.push(missing);
        }
        continue;
      }
      subjects.push(await registerUnit(reg, unit, opts.normalize === true, base));
    }
    return { results: mergeResults(results), subjects, refused: subjects.filter((s) => s.status === 'refused').length, invalid, target: target.display, notes: checked.notes };
  } finally {
    await reg.close();
  }
}

function mergeResults(results: FileResult[]): FileResult[] {
  const byFile = new Map<string, FileResult>();
  const seen = new Set<FileResult>();
  for (const r of results) {
    // an import shared by several refused streams is reported once
    if (seen.has(r)) continue;
    seen.add(r);
    const prev = byFile.get(r.file);
    if (!prev) byFile.set(r.file, { ...r, diagnostics: [...r.diagnostics] });
    else prev.diagnostics.push(...r.diagnostics);
  }
  return [...byFile.values()];
}

/**
 * Registers one stream's schema, its imports first (each under a subject named by its import path), and
 * seeds the subject's level from the catalog when the registry has none. Every step looks up before it
 * registers, so a schema already there is reported `unchanged`. `base.references` is filled in, and
 * `eventReferences` are the references the event itself carries. With `lookupOnly` nothing is written:
 * the result has no id (status `missing`) as soon as the event or one of its imports is not registered.
 */
export async function registerUnit(
  reg: Registry,
  unit: SchemaUnit,
  normalize: boolean,
  base: Omit<RegisteredSubject, 'status'>,
  opts: { lookupOnly?: boolean } = {},
): Promise<RegisteredSubject & { eventReferences: Array<{ name: string; subject: string; version: number }> }> {
  const ensure = async (subject: string, input: RegistrationInput) =>
    opts.lookupOnly ? await findRegistered(reg, subject, input, normalize).then((f) => (f ? { ...f, status: 'unchanged' as const } : undefined)) : await registerOne(reg, subject, input, normalize);
  // imports first, each under a subject named by its import path, so the event can reference them
  const registeredRefs = new Map<string, { subject: string; version: number }>();
  // what a schema text refers to: Protobuf imports, or the documents a JSON Schema's `$ref`s name
  const namesIn = (text: string): string[] => (unit.format === 'JSON' ? jsonSchemaRefNames(text) : protobufImports(text));
  for (const r of unit.references) {
    const own = namesIn(r.schema).filter((n) => registeredRefs.has(n)).map((n) => ({ name: n, ...registeredRefs.get(n)! }));
    const input = { schema: r.schema, schemaType: unit.format === 'JSON' ? 'JSON' as const : 'PROTOBUF' as const, ...(own.length > 0 ? { references: own } : {}) };
    const done = await ensure(r.name, input);
    if (!done) return { ...base, status: 'missing', eventReferences: [] };
    registeredRefs.set(r.name, { subject: r.name, version: done.version });
    base.references.push({ subject: r.name, version: done.version, id: done.id, status: done.status });
  }
  // the event's own imports, as its parse found them (its document; the text when there is none)
  const own = new Set(unit.document?.format === 'protobuf' ? unit.document.imports.map((i) => i.path) : namesIn(unit.text ?? ''));
  const refs = unit.references.filter((r) => own.has(r.name))
    .map((r) => ({ name: r.name, ...registeredRefs.get(r.name)! }));
  const input = { schema: unit.registryText!, schemaType: unit.format, ...(refs.length > 0 ? { references: refs } : {}) };
  if (unit.level !== undefined && !opts.lookupOnly) {
    // the catalog's level becomes the subject's, unless the registry already has one for it
    try {
      await reg.getConfig(unit.subject);
    } catch (err) {
      if (isNotFound(err)) await reg.setConfig(unit.subject, { compatibility: unit.level });
      else throw err;
    }
  }
  const done = await ensure(unit.subject, input);
  if (!done) return { ...base, status: 'missing', eventReferences: refs };
  return { ...base, status: done.status, version: done.version, id: done.id, eventReferences: refs };
}

/** A schema to register: the registry's request body for the formats `register` handles. */
export interface RegistrationInput {
  schema: string;
  schemaType: 'AVRO' | 'PROTOBUF' | 'JSON';
  references?: Array<{ name: string; subject: string; version: number }>;
}

/**
 * The version of `subject` that already holds this schema, or undefined when the subject (or the
 * schema under it) is not registered. `normalize` left out means the registry's default.
 */
export async function findRegistered(
  reg: Registry,
  subject: string,
  input: RegistrationInput,
  normalize?: boolean,
): Promise<{ version: number; id: number } | undefined> {
  try {
    const found = await reg.lookup(subject, input, normalize === undefined ? {} : { normalize });
    return { version: found.version, id: found.id };
  } catch (err) {
    if (!isNotFound(err)) throw err;
    return undefined;
  }
}

/**
 * Look up, else register: idempotent, so a second run reports `unchanged`. When the registry's answer
 * to a registration carries no version (older registries), the version is looked up.
 */
export async function registerOne(
  reg: Registry,
  subject: string,
  input: RegistrationInput,
  normalize?: boolean,
): Promise<{ version: number; id: number; status: 'registered' | 'unchanged' }> {
  const found = await findRegistered(reg, subject, input, normalize);
  if (found) return { ...found, status: 'unchanged' };
  const opts = normalize === undefined ? {} : { normalize };
  const res = await reg.register(subject, input, opts);
  const version = res.version ?? (await reg.lookup(subject, input, opts)).version;
  return { version, id: res.id, status: 'registered' };
}
