// Find, parse and validate schemactl.yaml. Every problem is reported at file:line:column of the
// exact key or value, all at once, with a suggestion where one is plausible.
// node:fs/promises is not imported anywhere on the lint path: loading it costs a few ms of every run
// (it pulls in readline and the file watchers), and the few calls here are cheaper done in place than
// through the thread pool
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as AjvModule from 'ajv/dist/2020.js';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { ConfigError } from '../errors.js';
import type { SourceRange } from '../model/types.js';
import type { Rule, RuleSeverity } from '../lint/rule.js';
import type { OverrideSetting, RuleSetting } from '../lint/types.js';
import { COMPAT_RULES, compatRule } from '../compat/rules.js';
import type { CompatRuleMeta } from '../compat/rules.js';
import { CONFIG_VERSIONS, PRESETS, presetByName } from './presets.js';
import type { PresetSettings } from './presets.js';
import { CONFIG_FILE_NAMES, DEFAULT_INCLUDE_PATHS, DEFAULT_STREAM_KIND } from './defaults.js';
import { interpolateEnv, type InterpolationIssue } from './env.js';
import { didYouMean } from './suggest.js';
import type { CatalogSchema, CatalogStream, CompatibilityLevel, ConfigIssue, ResolvedConfig } from './types.js';
import { parseYamlWithPositions, positionOf, type YamlPosition } from './yaml-source.js';

/** A config that failed validation; `issues` carries each problem with its position. */
export class ConfigValidationError extends ConfigError {
  readonly issues: ConfigIssue[];
  constructor(label: string, issues: ConfigIssue[]) {
    const lines = issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`);
    super(`${label} is not a valid schemactl config (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/** Walk up from `cwd` to the first directory holding schemactl.yaml or schemactl.yml. */
export async function findConfigFile(cwd: string): Promise<string | undefined> {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      try {
        if (statSync(candidate, { throwIfNoEntry: false })?.isFile() === true) return candidate;
      } catch {
        // unreadable here (permissions, a file where a directory is expected); keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

let configValidate: ValidateFunction | undefined;
let ajvInstance: Ajv2020 | undefined;

function readConfigSchema(): unknown {
  // source: src/config → ../../; compiled: dist/src/config → ../../../ (the package root ships it)
  const candidates = ['../../schemactl.schema.json', '../../../schemactl.schema.json'];
  for (const rel of candidates) {
    try {
      return JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8'));
    } catch {
      // try the next layout
    }
  }
  throw new Error('schemactl.schema.json is missing from the installation');
}

// ajv is loaded on first use: `schemactl lint <files>` without a config never pays for it (nor for this
// module's require function)
let requireHere: NodeJS.Require | undefined;
const require = (id: string): unknown => (requireHere ??= createRequire(import.meta.url))(id);

/** The ajv instance for rule options (compiled on demand); options as in scripts/build-config-validator.mjs. */
function ajv(): Ajv2020 {
  if (ajvInstance === undefined) {
    const { Ajv2020: AjvClass } = require('ajv/dist/2020.js') as typeof AjvModule;
    ajvInstance = new AjvClass({ allErrors: true, verbose: true, strict: false });
  }
  return ajvInstance;
}

/**
 * The config file's validator: the one the build precompiled from schemactl.schema.json (compiling
 * the schema on every run cost more than linting a few files), or, from source, compiled now.
 */
export function configValidator(): ValidateFunction {
  if (configValidate === undefined) {
    try {
      configValidate = require('./config-schema-validator.cjs') as ValidateFunction;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      configValidate = ajv().compile(readConfigSchema() as object);
    }
  }
  return configValidate;
}

const optionValidators = new WeakMap<Rule, ValidateFunction>();

function unescapePointer(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `/streams/0/kind` → `streams[0].kind`, for messages */
function describePointer(pointer: string): string {
  if (pointer === '') return 'the config';
  let out = '';
  for (const seg of pointer.split('/').slice(1).map(unescapePointer)) {
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}

function valueAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const seg of pointer.split('/').slice(1).map(unescapePointer)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}

const SEVERITIES: readonly RuleSeverity[] = ['error', 'warn', 'off'];

interface Ctx {
  label: string;
  positions: Map<string, YamlPosition>;
  issues: Array<ConfigIssue & { order: number }>;
}

function add(ctx: Ctx, pointer: string, message: string, at: 'key' | 'value' = 'value'): void {
  const pos = positionOf(ctx.positions, pointer);
  const r = (at === 'key' ? pos?.key : undefined) ?? pos?.value;
  const line = r?.line ?? 1;
  const column = r?.column ?? 1;
  if (ctx.issues.some((i) => i.line === line && i.column === column && i.message === message)) return;
  ctx.issues.push({ file: ctx.label, line, column, message, order: line * 1e6 + column });
}

function quoteRaw(ctx: Ctx, pointer: string, value: unknown): string {
  const raw = ctx.positions.get(pointer)?.raw;
  return JSON.stringify(raw ?? value);
}

function mapAjvError(ctx: Ctx, err: ErrorObject, data: unknown): void {
  const ptr = err.instancePath;
  const where = describePointer(ptr);
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String((err.params as { additionalProperty: string }).additionalProperty);
      const parent = err.parentSchema as { properties?: Record<string, unknown> } | undefined;
      const known = Object.keys(parent?.properties ?? {}).filter((k) => k !== '$schema');
      add(ctx, `${ptr}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        `unknown key "${key}" in ${where}.${didYouMean(key, known)} Allowed keys: ${known.join(', ')}.`, 'key');
      return;
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const v = valueAt(data, ptr);
      add(ctx, ptr, `${quoteRaw(ctx, ptr, v)} is not a valid value for ${where}; use one of ${allowed.join(', ')}.${
        typeof v === 'string' ? didYouMean(v, allowed) : ''}`);
      return;
    }
    case 'type':
      add(ctx, ptr, `${where} must be ${String((err.params as { type: string }).type).replace(/^(object)$/, 'a mapping').replace(/^(array)$/, 'a list').replace(/^(string|number|integer|boolean)$/, 'a $1')}, but it is ${typeName(valueAt(data, ptr))}.`);
      return;
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      add(ctx, ptr, `${where} is missing the required key "${missing}".`);
      return;
    }
    case 'minItems':
      add(ctx, ptr, `${where} must not be empty.`);
      return;
    case 'minLength':
      add(ctx, ptr, `${where} must not be an empty string.`);
      return;
    case 'pattern':
      if (ptr.includes('/schema')) {
        add(ctx, ptr, `${quoteRaw(ctx, ptr, valueAt(data, ptr))} is not a schema reference; write a file path, optionally followed by #package.Type.`);
      } else {
        add(ctx, ptr, `${where} ${err.message ?? 'is invalid'}.`);
      }
      return;
    default:
      add(ctx, ptr, `${where} ${err.message ?? 'is invalid'}.`);
  }
}

/** `version:` is optional (absent means 1); a version this release does not know is an error at its value. */
function readVersion(ctx: Ctx, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !CONFIG_VERSIONS.includes(value)) {
    add(ctx, '/version', `${quoteRaw(ctx, '/version', value)} is not a config version this schemactl reads; write \`version: ${CONFIG_VERSIONS.join(' | ')}\`${
      typeof value === 'number' && value > Math.max(...CONFIG_VERSIONS) ? ', or upgrade schemactl for a newer config' : ''}.`);
  }
}

/** `extends:` one preset name or a list of them; later presets win over earlier ones. */
function readExtends(ctx: Ctx, value: unknown, lintRules: readonly Rule[]): PresetSettings {
  const out: PresetSettings = { rules: {}, compat: {} };
  if (value === undefined || value === null) return out;
  const names: Array<{ name: unknown; ptr: string }> = typeof value === 'string'
    ? [{ name: value, ptr: '/extends' }]
    : Array.isArray(value) ? value.map((name: unknown, i) => ({ name, ptr: `/extends/${i}` })) : [];
  if (names.length === 0) {
    add(ctx, '/extends', `extends must be a preset name or a list of them (${PRESETS.map((p) => p.name).join(', ')}), but it is ${Array.isArray(value) ? 'an empty list' : typeName(value)}.`);
    return out;
  }
  for (const { name, ptr } of names) {
    const preset = typeof name === 'string' ? presetByName(name) : undefined;
    if (preset === undefined) {
      add(ctx, ptr, `${quoteRaw(ctx, ptr, name)} is not a preset; use one of ${PRESETS.map((p) => p.name).join(', ')}.${
        typeof name === 'string' ? didYouMean(name.includes(':') ? name : `schemactl:${name}`, PRESETS.map((p) => p.name)) : ''}`);
      continue;
    }
    const s = preset.settings(lintRules);
    Object.assign(out.rules, s.rules);
    Object.assign(out.compat, s.compat);
  }
  return out;
}

/** Whether `pointer` lies in a skipped section and its value still holds an unexpanded `${VAR}`. */
function skippedReference(pointer: string, data: unknown, skip: (pointer: string) => boolean): boolean {
  const segs = pointer.split('/');
  for (let i = 2; i <= segs.length; i++) {
    if (skip(segs.slice(0, i).join('/'))) {
      const v = valueAt(data, pointer);
      return typeof v === 'string' && v.includes('${');
    }
  }
  return false;
}

/** Rule settings are checked here rather than by the JSON Schema: ids and options depend on the loaded rules. */
function readRules(
  ctx: Ctx,
  value: unknown,
  pointer: string,
  rules: ReadonlyMap<string, Rule>,
  ajv: () => Ajv2020,
  /** where compatibility rule severities go; undefined where they are not allowed (overrides) */
  compat?: Record<string, RuleSeverity>,
): Record<string, RuleSetting> {
  const out: Record<string, RuleSetting> = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' || Array.isArray(value)) {
    add(ctx, pointer, `${describePointer(pointer)} must be a mapping of rule id to severity, e.g. { prefer-enum: warn }.`);
    return out;
  }
  for (const [id, setting] of Object.entries(value as Record<string, unknown>)) {
    const p = `${pointer}/${id.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const rule = rules.get(id);
    const compatMeta = rule === undefined ? compatRule(id) : undefined;
    if (compatMeta !== undefined) {
      readCompatSetting(ctx, setting, p, compatMeta, compat);
      continue;
    }
    if (rule === undefined) {
      add(ctx, p, `unknown rule "${id}".${didYouMean(id, [...rules.keys(), ...COMPAT_RULES.filter((r) => r.configurable).map((r) => r.id)])} Run \`schemactl rules\` for the list.`, 'key');
      continue;
    }
    const parsed = readRuleSetting(ctx, setting, p, rule, ajv);
    if (parsed !== undefined) out[id] = parsed;
  }
  return out;
}

/** A compatibility rule takes a severity only; it applies to every file, so overrides cannot set it. */
function readCompatSetting(ctx: Ctx, setting: unknown, p: string, meta: CompatRuleMeta, out: Record<string, RuleSeverity> | undefined): void {
  if (!meta.configurable) {
    add(ctx, p, `${meta.id} reports input that cannot be checked at all; it is always an error (exit 2) and has no severity to set.`, 'key');
    return;
  }
  if (out === undefined) {
    add(ctx, p, `compatibility rule ${meta.id} is set in the top-level "rules:", not in an override.`, 'key');
    return;
  }
  const severity = Array.isArray(setting) && setting.length === 1 ? setting[0] : setting;
  const sevPtr = Array.isArray(setting) ? `${p}/0` : p;
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity as RuleSeverity)) {
    add(ctx, sevPtr, `${quoteRaw(ctx, sevPtr, severity)} is not a severity for compatibility rule ${meta.id}; use one of ${SEVERITIES.join(', ')} (it takes no options).${
      typeof severity === 'string' ? didYouMean(severity, SEVERITIES) : ''}`);
    return;
  }
  out[meta.id] = severity as RuleSeverity;
}

function readRuleSetting(ctx: Ctx, setting: unknown, p: string, rule: Rule, ajv: () => Ajv2020): RuleSetting | undefined {
  const sevMessage = (v: unknown, ptr: string): string =>
    `${quoteRaw(ctx, ptr, v)} is not a severity for rule ${rule.meta.id}; use one of ${SEVERITIES.join(', ')}.${
      typeof v === 'string' ? didYouMean(v, SEVERITIES) : ''}`;
  let severity: unknown = setting;
  let options: unknown;
  if (Array.isArray(setting)) {
    if (setting.length < 1 || setting.length > 2) {
      add(ctx, p, `rule ${rule.meta.id} takes a severity or [severity, { options }], not a list of ${setting.length}.`);
      return undefined;
    }
    severity = setting[0];
    options = setting[1];
  }
  const sevPtr = Array.isArray(setting) ? `${p}/0` : p;
  if (typeof severity !== 'string' || !SEVERITIES.includes(severity as RuleSeverity)) {
    add(ctx, sevPtr, sevMessage(severity, sevPtr));
    return undefined;
  }
  if (options === undefined) return { severity: severity as RuleSeverity };
  const optPtr = `${p}/1`;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    add(ctx, optPtr, `options of rule ${rule.meta.id} must be a mapping, but they are ${typeName(options)}.`);
    return undefined;
  }
  const schema = rule.meta.optionsSchema;
  if (schema === undefined) {
    const keys = Object.keys(options);
    if (keys.length > 0) add(ctx, optPtr, `rule ${rule.meta.id} takes no options; remove ${keys.map((k) => `"${k}"`).join(', ')}.`);
    return { severity: severity as RuleSeverity };
  }
  let validate = optionValidators.get(rule);
  if (validate === undefined) {
    validate = ajv().compile(schema);
    optionValidators.set(rule, validate);
  }
  if (!validate(options)) {
    const before = ctx.issues.length;
    for (const e of validate.errors ?? []) {
      const fixed = { ...e, instancePath: optPtr + e.instancePath };
      mapAjvError(ctx, fixed, wrapAt(optPtr, options));
    }
    if (ctx.issues.length === before) add(ctx, optPtr, `options of rule ${rule.meta.id} are invalid.`);
    return undefined;
  }
  return { severity: severity as RuleSeverity, options: options as Record<string, unknown> };
}

/** A document holding `value` at `pointer`, so error mapping can read the offending value back. */
function wrapAt(pointer: string, value: unknown): Record<string, unknown> {
  const segs = pointer.split('/').slice(1).map(unescapePointer);
  let cur: unknown = value;
  for (let i = segs.length - 1; i >= 0; i--) {
    const seg = segs[i] as string;
    cur = /^\d+$/.test(seg) ? Object.assign([], { [seg]: cur }) : { [seg]: cur };
  }
  return cur as Record<string, unknown>;
}

function splitRef(ref: string): { file: string; selector?: string } {
  const hash = ref.indexOf('#');
  if (hash < 0) return { file: ref };
  return { file: ref.slice(0, hash), selector: ref.slice(hash + 1) };
}

/**
 * The config sections whose strings may hold `${ENV}` references that only some commands need:
 * `registry` (check against a registry, register, publish), `kafka` (publish) and `sources` (each
 * stream's `source:`, for publish and capture). The rest (streams' topics and schemas, rules,
 * overrides, include_paths) is always interpolated.
 */
export const ENV_SECTIONS = ['registry', 'kafka', 'sources'] as const;
export type EnvSection = (typeof ENV_SECTIONS)[number];

function inSection(pointer: string): EnvSection | undefined {
  if (pointer === '/registry') return 'registry';
  if (pointer === '/kafka') return 'kafka';
  if (/^\/streams\/\d+\/source$/.test(pointer)) return 'sources';
  return undefined;
}

export interface LoadConfigOptions {
  cwd?: string;
  /** explicit config file; otherwise schemactl.yaml is looked for from cwd upwards */
  configPath?: string;
  /** the loaded rules, to check rule ids and options */
  rules: readonly Rule[];
  env?: NodeJS.ProcessEnv;
  /**
   * The sections the command will use, so only their `${ENV}` references are read (and required):
   * `lint` passes none, so a publish source's unset `${DB_URL}` does not stop it. Default: all.
   * A section left out is kept as written, variables unexpanded.
   */
  sections?: readonly EnvSection[];
}

/** Label a path for messages: relative to cwd when inside it. */
function labelOf(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** The config when no file exists: defaults only, no streams. */
export function defaultConfig(dir: string): ResolvedConfig {
  return { dir, streams: [], includePaths: DEFAULT_INCLUDE_PATHS.map((p) => path.resolve(dir, p)), rules: {}, compatRules: {}, overrides: [] };
}

/**
 * Load the config: the explicit `configPath`, else the nearest schemactl.yaml above `cwd`; when
 * neither exists, the defaults (undefined `file`). Throws ConfigValidationError with every problem.
 */
export async function loadConfig(opts: LoadConfigOptions): Promise<ResolvedConfig> {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  let file: string | undefined;
  if (opts.configPath !== undefined) {
    file = path.resolve(cwd, opts.configPath);
  } else {
    file = await findConfigFile(cwd);
    if (file === undefined) return defaultConfig(cwd);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${labelOf(file, cwd)}: cannot read the config file (${code === 'ENOENT' ? 'no such file' : code ?? 'error'}).`, err);
  }
  return parseConfig(text, file, { cwd, rules: opts.rules, env: opts.env, ...(opts.sections ? { sections: opts.sections } : {}) });
}

/** Validate config text; `file` is its absolute path (catalog paths are relative to its directory). */
export function parseConfig(
  text: string,
  file: string,
  opts: { cwd?: string; rules: readonly Rule[]; env?: NodeJS.ProcessEnv; sections?: readonly EnvSection[] },
): ResolvedConfig {
  const cwd = path.resolve(opts.cwd ?? process.cwd());
  const label = labelOf(file, cwd);
  const dir = path.dirname(file);
  const parsed = parseYamlWithPositions(text);
  const ctx: Ctx = { label, positions: parsed.positions, issues: [] };
  const fail = (): never => {
    const sorted = [...ctx.issues].sort((a, b) => a.order - b.order).map(({ order: _o, ...rest }) => rest);
    throw new ConfigValidationError(label, sorted);
  };
  if (parsed.errors.length > 0) {
    for (const e of parsed.errors) {
      ctx.issues.push({ file: label, line: e.range.line, column: e.range.column, message: `YAML: ${e.message}`, order: e.range.line * 1e6 + e.range.column });
    }
    fail();
  }
  const raw = parsed.value ?? {};
  const envIssues: InterpolationIssue[] = [];
  const used = new Set<EnvSection>(opts.sections ?? ENV_SECTIONS);
  const skip = (pointer: string): boolean => {
    const section = inSection(pointer);
    return section !== undefined && !used.has(section);
  };
  const data = interpolateEnv(raw, opts.env ?? process.env, envIssues, '', skip);
  for (const i of envIssues) add(ctx, i.pointer, i.message);

  const validate = configValidator();
  if (!validate(data)) {
    for (const err of validate.errors ?? []) {
      // rule settings get dedicated messages below (they depend on the loaded rules)
      if (/^(\/overrides\/\d+)?\/rules(\/|$)/.test(err.instancePath)) continue;
      // a value kept as written in a section this command does not use: its variable decides it later
      if (skippedReference(err.instancePath, data, skip)) continue;
      // version and extends get dedicated messages below
      if (/^\/(version|extends)(\/|$)/.test(err.instancePath)) continue;
      // an unset variable is already reported there; the empty value it left says nothing more
      if (envIssues.some((i) => i.pointer === err.instancePath)) continue;
      mapAjvError(ctx, err, data);
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail();
  const obj = data as Record<string, unknown>;
  const ruleMap = new Map(opts.rules.map((r) => [r.meta.id, r] as const));

  const streams: CatalogStream[] = [];
  const topics = new Map<string, number>();
  if (Array.isArray(obj.streams)) {
    obj.streams.forEach((s: unknown, i: number) => {
      const p = `/streams/${i}`;
      if (typeof s !== 'object' || s === null || Array.isArray(s)) return;
      const st = s as Record<string, unknown>;
      const hasOne = st.schema !== undefined;
      const hasMany = st.schemas !== undefined;
      if (hasOne && hasMany) add(ctx, `${p}/schemas`, `stream ${describePointer(p)} has both "schema" and "schemas"; keep one.`, 'key');
      if (!hasOne && !hasMany) add(ctx, p, `stream ${describePointer(p)} needs "schema" (one file) or "schemas" (a list of files).`);
      if (typeof st.topic === 'string') {
        const prev = topics.get(st.topic);
        if (prev !== undefined) {
          const first = positionOf(ctx.positions, `/streams/${prev}/topic`)?.value;
          add(ctx, `${p}/topic`, `topic "${st.topic}" is already in the catalog (line ${first?.line ?? '?'}); each topic has one entry.`);
        } else topics.set(st.topic, i);
      }
      const refs: Array<{ ref: string; ptr: string }> = [];
      if (typeof st.schema === 'string') refs.push({ ref: st.schema, ptr: `${p}/schema` });
      if (Array.isArray(st.schemas)) st.schemas.forEach((r: unknown, j: number) => {
        if (typeof r === 'string') refs.push({ ref: r, ptr: `${p}/schemas/${j}` });
      });
      const schemas: CatalogSchema[] = refs.map(({ ref, ptr }) => {
        const { file: f, selector } = splitRef(ref);
        const loc = positionOf(ctx.positions, ptr)?.value as SourceRange;
        const entry: CatalogSchema = { ref, path: path.resolve(dir, f), loc };
        if (selector !== undefined) entry.selector = selector;
        return entry;
      });
      const stream: CatalogStream = {
        topic: String(st.topic ?? ''),
        kind: st.kind === 'stage' ? 'stage' : DEFAULT_STREAM_KIND,
        schemas,
        loc: positionOf(ctx.positions, p)?.value as SourceRange,
      };
      if (typeof st.key === 'string') stream.key = st.key;
      if (typeof st.compatibility === 'string') stream.compatibility = st.compatibility as CompatibilityLevel;
      if (st.schema_type === 'AVRO' || st.schema_type === 'PROTOBUF' || st.schema_type === 'JSON') stream.schemaType = st.schema_type;
      if (typeof st.source === 'object' && st.source !== null) stream.source = st.source as Record<string, unknown>;
      streams.push(stream);
    });
  }

  readVersion(ctx, obj.version);
  const preset = readExtends(ctx, obj.extends, opts.rules);
  // presets first, in the order listed; the file's own `rules:` win over them
  const compatRules: Record<string, RuleSeverity> = { ...preset.compat };
  const rules = { ...preset.rules, ...readRules(ctx, obj.rules, '/rules', ruleMap, ajv, compatRules) };

  const overrides: OverrideSetting[] = [];
  if (Array.isArray(obj.overrides)) {
    obj.overrides.forEach((o: unknown, i: number) => {
      const p = `/overrides/${i}`;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return;
      const ov = o as Record<string, unknown>;
      const files = Array.isArray(ov.files) ? ov.files.filter((x): x is string => typeof x === 'string') : undefined;
      const symbols = Array.isArray(ov.symbols) ? ov.symbols.filter((x): x is string => typeof x === 'string') : undefined;
      if (ov.files === undefined && ov.symbols === undefined) {
        add(ctx, p, `override ${describePointer(p)} applies everywhere; say where with "files" (globs) and/or "symbols", or move its rules to the top-level "rules".`);
      }
      symbols?.forEach((s, j) => {
        const hash = s.indexOf('#');
        if (hash >= 0 && !s.slice(hash + 1).startsWith('/')) {
          add(ctx, `${p}/symbols/${j}`, `"${s}" is not a path selector; write file#/json/pointer (e.g. order.avsc#/fields/3) or a symbol path (com.acme.Order.status).`);
        }
      });
      files?.forEach((g, j) => {
        if (path.isAbsolute(g) || g.startsWith('../')) {
          add(ctx, `${p}/files/${j}`, `"${g}" must be a glob relative to the config directory (${labelOf(dir, cwd) || '.'}).`);
        }
      });
      const entry: OverrideSetting = { rules: readRules(ctx, ov.rules, `${p}/rules`, ruleMap, ajv) };
      if (files !== undefined) entry.files = files.map((g) => g.replace(/^\.\//, ''));
      if (symbols !== undefined) entry.symbols = symbols;
      overrides.push(entry);
    });
  }

  const includeRaw = Array.isArray(obj.include_paths)
    ? obj.include_paths.filter((x): x is string => typeof x === 'string')
    : [...DEFAULT_INCLUDE_PATHS];
  if (ctx.issues.length > 0) fail();

  const config: ResolvedConfig = {
    file,
    dir,
    text,
    streams,
    includePaths: includeRaw.map((p) => path.resolve(dir, p)),
    rules,
    compatRules,
    overrides,
  };
  if (typeof obj.registry === 'object' && obj.registry !== null) config.registry = obj.registry as Record<string, unknown>;
  if (typeof obj.kafka === 'object' && obj.kafka !== null) config.kafka = obj.kafka as ResolvedConfig['kafka'];
  return config;
}

/** Validate rule settings given outside the config file (e.g. `--rule prefer-enum:off`). */
export function resolveRuleOverrides(settings: Record<string, unknown>, rules: readonly Rule[]): Record<string, RuleSetting> {
  const ctx: Ctx = { label: 'rule overrides', positions: new Map(), issues: [] };
  const out = readRules(ctx, settings, '', new Map(rules.map((r) => [r.meta.id, r] as const)), ajv);
  if (ctx.issues.length > 0) {
    throw new ConfigError(ctx.issues.map((i) => i.message).join('\n'));
  }
  return out;
}

