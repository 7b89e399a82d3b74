// Baseline: adopt the linter on an existing catalog by recording today's findings and reporting only
// new ones. Entries are keyed by rule + file + symbol path + a hash of the offending source text, never
// by line number, so unrelated edits that move lines do not resurrect old findings, while changing the
// offending node itself does.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Diagnostic, FileResult } from '../diagnostics/types.js';
import { UsageError } from '../errors.js';
import type { SourceRange } from '../model/types.js';

export interface BaselineEntry {
  ruleId: string;
  /** posix path relative to the baseline file's directory */
  file: string;
  symbol: string;
  hash: string;
}

export interface BaselineFile {
  version: 1;
  entries: BaselineEntry[];
}

function sliceRange(source: string, r: SourceRange): string {
  const lines = source.split(/\r\n|\r|\n/);
  const out: string[] = [];
  for (let n = r.line; n <= r.endLine && n <= lines.length; n++) {
    const text = lines[n - 1] ?? '';
    const from = n === r.line ? r.column - 1 : 0;
    const to = n === r.endLine ? r.endColumn - 1 : text.length;
    out.push(text.slice(from, to));
  }
  return out.join('\n');
}

function keyOf(d: Diagnostic, result: FileResult, cwd: string, baseDir: string): BaselineEntry {
  const abs = path.resolve(cwd, d.location.file || result.file);
  const file = path.relative(baseDir, abs).split(path.sep).join('/');
  const symbol = d.symbol ?? d.location.path ?? '';
  const r = d.location.range;
  const content = result.source !== undefined && r && d.location.file === result.file ? sliceRange(result.source, r) : d.message;
  const hash = createHash('sha256').update(content.replace(/\s+/g, ' ').trim()).digest('hex').slice(0, 16);
  return { ruleId: d.ruleId, file, symbol, hash };
}

const entryKey = (e: BaselineEntry): string => `${e.ruleId}\0${e.file}\0${e.symbol}\0${e.hash}`;

export async function readBaseline(file: string): Promise<BaselineFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read baseline ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Create it with --update-baseline.`, 'baseline', err);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`baseline ${file} is not valid JSON (${(err as Error).message}); regenerate it with --update-baseline.`, 'baseline', err);
  }
  const b = data as Partial<BaselineFile>;
  if (b.version !== 1 || !Array.isArray(b.entries)) {
    throw new UsageError(`baseline ${file} is not a schemactl baseline (expected {"version": 1, "entries": [...]}); regenerate it with --update-baseline.`, 'baseline');
  }
  return b as BaselineFile;
}

/** Every non-fatal finding, as baseline entries; unreadable files are never baselined. */
export function baselineOf(results: readonly FileResult[], cwd: string, baselinePath: string): BaselineFile {
  const baseDir = path.dirname(path.resolve(cwd, baselinePath));
  const entries: BaselineEntry[] = [];
  for (const r of results) for (const d of r.diagnostics) if (!d.fatal) entries.push(keyOf(d, r, cwd, baseDir));
  entries.sort((a, b) => entryKey(a).localeCompare(entryKey(b)));
  return { version: 1, entries };
}

export async function writeBaseline(file: string, baseline: BaselineFile): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

/** Drop findings recorded in the baseline (each entry absorbs one finding) and count them as suppressed. */
export function applyBaseline(results: readonly FileResult[], baseline: BaselineFile, cwd: string, baselinePath: string): FileResult[] {
  const baseDir = path.dirname(path.resolve(cwd, baselinePath));
  const budget = new Map<string, number>();
  for (const e of baseline.entries) budget.set(entryKey(e), (budget.get(entryKey(e)) ?? 0) + 1);
  return results.map((r) => {
    let suppressed = r.suppressedCount ?? 0;
    const diagnostics = r.diagnostics.filter((d) => {
      if (d.fatal) return true;
      const k = entryKey(keyOf(d, r, cwd, baseDir));
      const left = budget.get(k) ?? 0;
      if (left === 0) return true;
      budget.set(k, left - 1);
      suppressed++;
      return false;
    });
    return { ...r, diagnostics, suppressedCount: suppressed };
  });
}
