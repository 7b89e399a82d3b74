// Human output: findings grouped by file, each with a code frame, related locations and help, then a
// one-line summary. Colour only when the caller allows it (NO_COLOR, FORCE_COLOR and TTY are decided
// by the CLI).
import { createRequire } from 'node:module';
import type * as ChalkModule from 'chalk';
import type { Diagnostic } from '../diagnostics/types.js';
import { codeFrame, splitLines } from './code-frame.js';
import type { Formatter } from './types.js';
import { relativePosix } from './paths.js';

type Paint = (text: string) => string;

/** The styles this formatter uses; a chalk instance is one, `PLAIN` the colourless one. */
interface Palette {
  underline: Paint;
  dim: Paint;
  cyan: Paint;
  green: Paint;
  red: Paint & { bold: Paint };
  yellow: Paint & { bold: Paint };
}

const same: Paint = (text) => text;
// what chalk at level 0 does with a string: returns it unchanged
const PLAIN: Palette = {
  underline: same, dim: same, cyan: same, green: same, red: Object.assign((t: string) => t, { bold: same }),
  yellow: Object.assign((t: string) => t, { bold: same }),
};

// chalk (four modules) loads only when colour is on: hooks, CI and pipes print plain text, and
// every module is a share of `lint` start-up (bench/startup)
let colours: Palette | undefined;

/** Load chalk ahead of a coloured run (loadFormatter does); without it the first coloured call loads it synchronously. */
export async function loadColours(): Promise<void> {
  const { Chalk } = await import('chalk');
  colours ??= new Chalk({ level: 1 });
}

function palette(color: boolean): Palette {
  if (!color) return PLAIN;
  if (colours === undefined) {
    const { Chalk } = createRequire(import.meta.url)('chalk') as typeof ChalkModule;
    colours = new Chalk({ level: 1 });
  }
  return colours;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function position(d: { location: Diagnostic['location'] }): string {
  const r = d.location.range;
  return r ? `${r.line}:${r.column}` : '';
}

export function sortDiagnostics(diags: readonly Diagnostic[]): Diagnostic[] {
  return [...diags].sort((a, b) => {
    const ra = a.location.range;
    const rb = b.location.range;
    return (ra?.line ?? 0) - (rb?.line ?? 0) || (ra?.column ?? 0) - (rb?.column ?? 0) || a.ruleId.localeCompare(b.ruleId);
  });
}

export const stylish: Formatter = (results, opts) => {
  const c = palette(opts.color);
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  let fatal = 0;
  let suppressed = 0;
  for (const result of results) {
    suppressed += result.suppressedCount ?? 0;
    if (result.diagnostics.length === 0) continue;
    const lines = result.source === undefined ? undefined : splitLines(result.source);
    const file = relativePosix(result.file, opts.cwd);
    out.push(c.underline(file));
    for (const d of sortDiagnostics(result.diagnostics)) {
      if (d.severity === 'error') errors++;
      else warnings++;
      if (d.fatal) fatal++;
      const sev = d.severity === 'error' ? c.red('error') : c.yellow('warning');
      const pos = position(d);
      out.push(`  ${c.dim(pos || '-')}  ${sev}  ${d.message.replace(/\r?\n/g, '\n      ')}  ${c.dim(d.ruleId)}`);
      const range = d.location.range;
      if (lines && range && d.location.file === result.file) {
        const marker = d.severity === 'error' ? c.red : c.yellow;
        out.push(indent(codeFrame(lines, range, { gutter: c.dim, marker }), 4));
      }
      for (const rel of d.related ?? []) {
        const where = `${relativePosix(rel.file, opts.cwd)}${rel.range ? `:${rel.range.line}:${rel.range.column}` : ''}`;
        out.push(`    ${c.cyan('ℹ')} ${rel.message} ${c.dim(`(${where})`)}`);
        if (rel.range && rel.file === result.file && lines) {
          out.push(indent(codeFrame(lines, rel.range, { gutter: c.dim, marker: c.cyan }), 6));
        }
      }
      if (d.help) out.push(`    ${c.green('help:')} ${d.help}`);
      out.push('');
    }
  }
  const total = errors + warnings;
  if (total > 0) {
    const mark = errors > 0 ? c.red.bold('✖') : c.yellow.bold('⚠');
    let summary = `${mark} ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`;
    if (fatal > 0) summary += `, ${fatal} file${fatal === 1 ? '' : 's'} could not be read`;
    out.push(errors > 0 ? c.red.bold(summary) : c.yellow.bold(summary));
  }
  if (suppressed > 0) out.push(c.dim(`${suppressed} suppressed by baseline or disable directives`));
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
};

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text.split('\n').map((l) => (l === '' ? l : pad + l)).join('\n');
}
