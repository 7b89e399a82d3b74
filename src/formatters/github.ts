// GitHub Actions workflow commands: one `::error`/`::warning` line per finding, which the runner turns
// into annotations on the pull request diff.
import type { Formatter } from './types.js';
import { relativePosix } from './paths.js';
import { sortDiagnostics } from './stylish.js';

/** Message data: the runner decodes %25, %0D, %0A. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Property values additionally cannot hold the `:` and `,` that delimit them. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const github: Formatter = (results, opts) => {
  const lines: string[] = [];
  for (const result of results) {
    for (const d of sortDiagnostics(result.diagnostics)) {
      const props: string[] = [`file=${escapeProperty(relativePosix(d.location.file || result.file, opts.cwd))}`];
      const r = d.location.range;
      if (r) {
        props.push(`line=${r.line}`, `col=${r.column}`, `endLine=${r.endLine}`, `endColumn=${r.endColumn}`);
      }
      props.push(`title=${escapeProperty(`schemactl ${d.ruleId}`)}`);
      const message = d.help && !d.message.includes(d.help) ? `${d.message}\n${d.help}` : d.message;
      lines.push(`::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(message)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
};
