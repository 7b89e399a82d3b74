// ESLint-style RuleTester for vitest: per-format tables of valid and invalid cases become describe/it
// blocks. The table itself is checked too: duplicate cases, invalid cases without errors and unknown
// message ids fail, and so does a rule whose meta examples do not behave as documented.
// vitest is an optional peer dependency (package.json): only a project that runs rule tests with it
// loads this module, and nothing the CLI or the library entry imports reaches it.
import { describe as vitestDescribe, it as vitestIt } from 'vitest';
import type { Diagnostic } from '../diagnostics/types.js';
import { parseSchemaText, type SchemaFile } from '../formats/index.js';
import type { SchemaFormat } from '../model/types.js';
import { runLint } from './engine.js';
import type { ReportDescriptor, Rule } from './rule.js';
import type { LintTarget, StreamSetting } from './types.js';

export interface TestCase {
  schema: string;
  /** shown as the test name (default: the start of the schema) */
  name?: string;
  /** default: input.avsc / input.avdl / input.proto */
  filename?: string;
  options?: Record<string, unknown>;
  /**
   * catalog streams; `schemas` defaults to [filename]. Without `streams`, a rule with `checkStream`
   * gets one store stream of the case file; other rules get none.
   */
  streams?: Array<{ topic: string; kind?: 'store' | 'stage'; schemas?: string[]; schemaType?: 'AVRO' | 'PROTOBUF' | 'JSON' }>;
  /** other files by name: Protobuf imports, further schemas of a stream */
  files?: Record<string, string>;
}

export interface ExpectedError {
  messageId: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** subset of the report's data, compared as strings */
  data?: Record<string, string | number>;
  symbol?: string;
  /** the file the finding is on (stream checks may report on other files); default: the case file */
  file?: string;
  /** the finding's severity, when the rule caps it (rules run at `error` in the tester) */
  severity?: 'warn' | 'error';
}

export interface InvalidCase extends TestCase {
  errors: ExpectedError[];
}

export interface FormatCases {
  valid: Array<string | TestCase>;
  invalid: InvalidCase[];
}

export interface RuleTests {
  avro?: FormatCases;
  avdl?: FormatCases;
  protobuf?: FormatCases;
}

type TableKey = keyof RuleTests;
const DEFAULT_FILE: Record<TableKey, string> = { avro: 'input.avsc', avdl: 'input.avdl', protobuf: 'input.proto' };
const FORMAT_OF: Record<TableKey, SchemaFormat> = { avro: 'avro', avdl: 'avro', protobuf: 'protobuf' };

interface Finding {
  diagnostic: Diagnostic;
  messageId: string;
  data: Record<string, string | number>;
}

export interface RunOutcome {
  findings: Finding[];
  /** fatal parse problems of the case's files (a broken fixture) */
  parseErrors: string[];
}

/** Lint one case with only `rule` enabled (at severity error, whatever its default). */
export function runCase(rule: Rule, c: TestCase, defaultFile: string): RunOutcome {
  const file = c.filename ?? defaultFile;
  const texts: Record<string, string> = { ...(c.files ?? {}), [file]: c.schema };
  const loadImport = (p: string): string | undefined => texts[p];
  const parsed: SchemaFile[] = Object.entries(texts).map(([f, t]) => parseSchemaText(f, t, { loadImport }));
  const parseErrors = parsed.flatMap((p) => p.problems.filter((x) => x.fatal).map((x) => `${p.file}:${x.loc.line}:${x.loc.column}: ${x.message}`));
  const targets: LintTarget[] = parsed.map((p) => ({
    file: p.file, configRelative: p.file, document: p.document, problems: [], nonExplicit: p.nonExplicit,
  }));
  const streamDefs = c.streams ?? (rule.checkStream !== undefined ? [{ topic: 'test-topic', kind: 'store' as const }] : []);
  const streams: StreamSetting[] = streamDefs.map((s) => ({
    topic: s.topic,
    kind: s.kind ?? 'store',
    schemas: (s.schemas ?? [file]).map((ref) => {
      const hash = ref.indexOf('#');
      return hash < 0 ? { ref, file: ref } : { ref, file: ref.slice(0, hash), selector: ref.slice(hash + 1) };
    }),
    catalogFile: 'schemactl.yaml',
    ...(s.schemaType !== undefined ? { schemaType: s.schemaType } : {}),
  }));
  const ids = new Map<Diagnostic, ReportDescriptor<string>>();
  const out = runLint({
    targets,
    rules: [rule],
    settings: { rules: { [rule.meta.id]: { severity: 'error', options: c.options } }, overrides: [], streams },
    onReport: (d, desc) => ids.set(d, desc),
  });
  const findings: Finding[] = [];
  for (const f of out.files) {
    for (const d of f.diagnostics) {
      const desc = ids.get(d);
      if (desc !== undefined) findings.push({ diagnostic: d, messageId: desc.messageId, data: desc.data ?? {} });
    }
  }
  return { findings, parseErrors };
}

function describeFinding(f: Finding): string {
  const r = f.diagnostic.location.range;
  return `${f.diagnostic.location.file}:${r?.line ?? '?'}:${r?.column ?? '?'} ${f.messageId}: ${f.diagnostic.message}`;
}

function caseName(c: TestCase): string {
  if (c.name !== undefined) return c.name;
  const oneLine = c.schema.replace(/\s+/g, ' ').trim();
  return oneLine.length > 70 ? `${oneLine.slice(0, 67)}...` : oneLine;
}

function caseKey(c: TestCase): string {
  return JSON.stringify([c.schema, c.filename, c.options, c.streams, c.files]);
}

/** Pick a file name for a meta example from its content, so JSON and IDL examples are read as such. */
function exampleFile(format: SchemaFormat, text: string): string {
  const t = text.trimStart();
  if (format === 'protobuf') return t.startsWith('{') || t.startsWith('[') ? 'example.json' : 'example.proto';
  if (/^(@|protocol\b|\/\*\*|\/\/)/.test(t) || /\bprotocol\s+\w+\s*\{/.test(t)) return 'example.avdl';
  try {
    const v = JSON.parse(t) as unknown;
    const isSchemaObject = typeof v === 'object' && v !== null && !Array.isArray(v)
      && ('$schema' in v || ('properties' in v && !('fields' in v)));
    const isSample = typeof v === 'object' && v !== null && !Array.isArray(v) && !('type' in v);
    return isSchemaObject || isSample ? 'example.json' : 'example.avsc';
  } catch {
    return 'example.txt';
  }
}

export interface RuleTesterOptions {
  describe?: (name: string, fn: () => void) => void;
  it?: (name: string, fn: () => void) => void;
}

export class RuleTester {
  private readonly describe: (name: string, fn: () => void) => void;
  private readonly it: (name: string, fn: () => void) => void;

  constructor(opts: RuleTesterOptions = {}) {
    this.describe = opts.describe ?? vitestDescribe;
    this.it = opts.it ?? vitestIt;
  }

  run(rule: Rule, tests: RuleTests): void {
    const id = rule.meta.id;
    const messageIds = new Set(Object.keys(rule.meta.messages));
    this.describe(id, () => {
      this.describe('meta examples', () => {
        for (const format of rule.meta.formats) {
          const ex = rule.meta.examples[format];
          this.it(`${format}: has a valid and an invalid example`, () => {
            if (ex === undefined) throw new Error(`${id}: meta.examples.${format} is missing`);
          });
          if (ex === undefined) continue;
          this.it(`${format}: the valid example has no finding`, () => {
            const file = exampleFile(format, ex.valid);
            const r = runCase(rule, { schema: ex.valid, filename: file }, file);
            if (r.parseErrors.length > 0) throw new Error(`the valid example does not parse:\n${r.parseErrors.join('\n')}`);
            if (r.findings.length > 0) throw new Error(`the valid example has findings:\n${r.findings.map(describeFinding).join('\n')}`);
          });
          this.it(`${format}: the invalid example has a finding`, () => {
            const file = exampleFile(format, ex.invalid);
            const r = runCase(rule, { schema: ex.invalid, filename: file }, file);
            if (r.parseErrors.length > 0) throw new Error(`the invalid example does not parse:\n${r.parseErrors.join('\n')}`);
            if (r.findings.length === 0) throw new Error('the invalid example has no finding');
          });
        }
      });
      for (const key of Object.keys(tests) as TableKey[]) {
        const table = tests[key];
        if (table === undefined) continue;
        if (!rule.meta.formats.includes(FORMAT_OF[key])) {
          this.it(`${key}: the rule supports this format`, () => {
            throw new Error(`${id} has ${key} cases but meta.formats is [${rule.meta.formats.join(', ')}]`);
          });
          continue;
        }
        this.describe(key, () => this.runTable(rule, key, table, messageIds));
      }
    });
  }

  private runTable(rule: Rule, key: TableKey, table: FormatCases, messageIds: ReadonlySet<string>): void {
    const seen = new Map<string, string>();
    const checkDuplicate = (c: TestCase, kind: string): string | undefined => {
      const k = caseKey(c);
      const prev = seen.get(k);
      seen.set(k, kind);
      return prev;
    };
    this.describe('valid', () => {
      for (const raw of table.valid) {
        const c: TestCase = typeof raw === 'string' ? { schema: raw } : raw;
        const dup = checkDuplicate(c, 'valid');
        this.it(caseName(c), () => {
          if (dup !== undefined) throw new Error(`duplicate test case (already listed as ${dup})`);
          const r = runCase(rule, c, DEFAULT_FILE[key]);
          if (r.parseErrors.length > 0) throw new Error(`the case does not parse:\n${r.parseErrors.join('\n')}`);
          if (r.findings.length > 0) {
            throw new Error(`expected no findings, got ${r.findings.length}:\n${r.findings.map(describeFinding).join('\n')}`);
          }
        });
      }
    });
    this.describe('invalid', () => {
      for (const c of table.invalid) {
        const dup = checkDuplicate(c, 'invalid');
        this.it(caseName(c), () => {
          if (dup !== undefined) throw new Error(`duplicate test case (already listed as ${dup})`);
          if (!Array.isArray(c.errors) || c.errors.length === 0) throw new Error('an invalid case must list at least one expected error');
          for (const e of c.errors) {
            if (!messageIds.has(e.messageId)) {
              throw new Error(`unknown messageId "${e.messageId}"; the rule has ${[...messageIds].join(', ')}`);
            }
          }
          const file = c.filename ?? DEFAULT_FILE[key];
          const r = runCase(rule, c, DEFAULT_FILE[key]);
          if (r.parseErrors.length > 0) throw new Error(`the case does not parse:\n${r.parseErrors.join('\n')}`);
          if (r.findings.length !== c.errors.length) {
            throw new Error(`expected ${c.errors.length} finding(s), got ${r.findings.length}:\n${r.findings.map(describeFinding).join('\n') || '(none)'}`);
          }
          c.errors.forEach((e, i) => {
            const f = r.findings[i] as Finding;
            const range = f.diagnostic.location.range;
            const problems: string[] = [];
            if (f.messageId !== e.messageId) problems.push(`messageId ${f.messageId}, expected ${e.messageId}`);
            if ((e.file ?? file) !== f.diagnostic.location.file) problems.push(`file ${f.diagnostic.location.file}, expected ${e.file ?? file}`);
            const pos: Array<[keyof ExpectedError, number | undefined]> = [
              ['line', range?.line], ['column', range?.column], ['endLine', range?.endLine], ['endColumn', range?.endColumn],
            ];
            for (const [k, actual] of pos) {
              if (e[k] !== undefined && e[k] !== actual) problems.push(`${k} ${String(actual)}, expected ${String(e[k])}`);
            }
            if (e.symbol !== undefined && e.symbol !== f.diagnostic.symbol) problems.push(`symbol ${String(f.diagnostic.symbol)}, expected ${e.symbol}`);
            if (e.severity !== undefined && e.severity !== f.diagnostic.severity) problems.push(`severity ${f.diagnostic.severity}, expected ${e.severity}`);
            for (const [k, v] of Object.entries(e.data ?? {})) {
              if (String(f.data[k]) !== String(v)) problems.push(`data.${k} ${JSON.stringify(f.data[k])}, expected ${JSON.stringify(v)}`);
            }
            if (problems.length > 0) throw new Error(`error ${i + 1} (${describeFinding(f)}): ${problems.join('; ')}`);
          });
        });
      }
    });
  }
}
