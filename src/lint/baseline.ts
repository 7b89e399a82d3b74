// A baseline lets a team adopt the linter on an existing catalog: known findings are recorded and
// hidden, new ones fail. Entries are keyed by rule + file + symbol path + a hash of the offending
// node's text — never by line number, so edits elsewhere in the file do not resurrect them.
import { createHash } from 'node:crypto';
import type { Diagnostic, FileResult } from '../diagnostics/types.js';
import type { SchemaDocument, SourceRange } from '../model/types.js';
import { UsageError } from '../errors.js';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  rule: string;
  /** path relative to the baseline file's directory, posix separators */
  file: string;
  symbol?: string;
  /** hash of the offending node's text with whitespace collapsed */
  hash: string;
  /** how many identical findings are accepted */
  count: number;
}

export interface Baseline {
  version: number;
  entries: BaselineEntry[];
}

function offsetsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function slice(text: string, starts: number[], r: SourceRange): string {
  const a = (starts[r.line - 1] ?? text.length) + r.column - 1;
  const b = (starts[r.endLine - 1] ?? text.length) + r.endColumn - 1;
  return text.slice(a, Math.max(a, b));
}

/** Locations of the document's structural nodes by path, to find the node a finding is about. */
function nodeRanges(doc: SchemaDocument): Map<string, SourceRange> {
  const m = new Map<string, SourceRange>();
  for (const t of doc.types) {
    m.set(t.path, t.loc);
    if (t.kind === 'record') for (const f of t.fields) m.set(f.path, f.loc);
    else if (t.kind === 'enum') for (const s of t.symbols) m.set(s.path, s.loc);
  }
  return m;
}

/** Computes the content hash of findings in one file. */
export class Fingerprinter {
  private starts: number[] | undefined;
  private ranges: Map<string, SourceRange> | undefined;

  constructor(private readonly source: string | undefined, private readonly doc?: SchemaDocument) {}

  private nodeRange(d: Diagnostic): SourceRange | undefined {
    const path = d.location.path;
    if (path !== undefined && this.doc !== undefined) {
      this.ranges ??= nodeRanges(this.doc);
      let p = path;
      for (;;) {
        const r = this.ranges.get(p);
        if (r !== undefined) return r;
        const cut = p.lastIndexOf('/');
        if (cut < 0) break;
        p = p.slice(0, cut);
      }
    }
    return d.location.range;
  }

  hash(d: Diagnostic): string {
    const r = this.nodeRange(d);
    let text = '';
    if (r !== undefined && this.source !== undefined) {
      this.starts ??= offsetsOf(this.source);
      text = slice(this.source, this.starts, r);
    }
    const normalized = text.replace(/\s+/g, ' ').trim();
    return createHash('sha256').update(normalized).digest('hex').slice(0, 16);
  }
}

function keyOf(rule: string, file: string, symbol: string | undefined, hash: string): string {
  return `${rule}\u0000${file}\u0000${symbol ?? ''}\u0000${hash}`;
}

/** Parse a baseline file's text; `label` names the file in error messages. */
export function parseBaseline(text: string, label: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${label}: the baseline is not valid JSON (${(err as Error).message}). Regenerate it with --update-baseline.`, 'baseline');
  }
  const bad = (why: string): never => {
    throw new UsageError(`${label}: ${why}. Regenerate it with --update-baseline.`, 'baseline');
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return bad('the baseline must be a JSON object');
  const obj = data as { version?: unknown; entries?: unknown };
  if (obj.version !== BASELINE_VERSION) return bad(`unsupported baseline version ${JSON.stringify(obj.version)} (expected ${BASELINE_VERSION})`);
  if (!Array.isArray(obj.entries)) return bad('"entries" must be a list');
  const entries: BaselineEntry[] = [];
  obj.entries.forEach((e: unknown, i: number) => {
    const x = e as Partial<BaselineEntry> | null;
    if (x === null || typeof x !== 'object' || typeof x.rule !== 'string' || typeof x.file !== 'string'
      || typeof x.hash !== 'string' || (x.symbol !== undefined && typeof x.symbol !== 'string')
      || (x.count !== undefined && (typeof x.count !== 'number' || !Number.isInteger(x.count) || x.count < 1))) {
      bad(`entry ${i} needs "rule", "file", "hash" strings, an optional "symbol" and a positive integer "count"`);
      return;
    }
    entries.push({ rule: x.rule, file: x.file, symbol: x.symbol, hash: x.hash, count: x.count ?? 1 });
  });
  return { version: BASELINE_VERSION, entries };
}

export interface BaselineFileInput {
  result: FileResult;
  /** the file as recorded in the baseline (relative to the baseline's directory) */
  key: string;
  document?: SchemaDocument;
}

function eligible(d: Diagnostic): boolean {
  return d.fatal !== true;
}

/** Hide findings the baseline records; returns new results with suppressedCount increased. */
export function filterByBaseline(files: readonly BaselineFileInput[], baseline: Baseline): FileResult[] {
  const budget = new Map<string, number>();
  for (const e of baseline.entries) {
    const k = keyOf(e.rule, e.file, e.symbol, e.hash);
    budget.set(k, (budget.get(k) ?? 0) + e.count);
  }
  return files.map(({ result, key, document }) => {
    const fp = new Fingerprinter(result.source, document);
    const kept: Diagnostic[] = [];
    let hidden = 0;
    for (const d of result.diagnostics) {
      if (eligible(d)) {
        const k = keyOf(d.ruleId, key, d.symbol, fp.hash(d));
        const left = budget.get(k) ?? 0;
        if (left > 0) {
          budget.set(k, left - 1);
          hidden++;
          continue;
        }
      }
      kept.push(d);
    }
    return { ...result, diagnostics: kept, suppressedCount: (result.suppressedCount ?? 0) + hidden };
  });
}

/** A baseline accepting every current (non-fatal) finding, sorted for stable diffs. */
export function buildBaseline(files: readonly BaselineFileInput[]): Baseline {
  const counts = new Map<string, BaselineEntry>();
  for (const { result, key, document } of files) {
    const fp = new Fingerprinter(result.source, document);
    for (const d of result.diagnostics) {
      if (!eligible(d)) continue;
      const hash = fp.hash(d);
      const k = keyOf(d.ruleId, key, d.symbol, hash);
      const e = counts.get(k);
      if (e !== undefined) e.count++;
      else counts.set(k, { rule: d.ruleId, file: key, symbol: d.symbol, hash, count: 1 });
    }
  }
  const entries = [...counts.values()].sort((a, b) =>
    a.file.localeCompare(b.file) || a.rule.localeCompare(b.rule) || (a.symbol ?? '').localeCompare(b.symbol ?? '') || a.hash.localeCompare(b.hash));
  return { version: BASELINE_VERSION, entries };
}

export function serializeBaseline(b: Baseline): string {
  return JSON.stringify(b, null, 2) + '\n';
}
