// `schemactl rules [id]`: the rule catalogue, one rule's docs, or the Markdown reference.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';
import { closest } from './suggest.js';

/** JSON consumers tell the two kinds apart by `kind`: lint metas do not carry one of their own. */
function withKind(meta: { id: string; kind?: string }): object {
  return { ...meta, kind: meta.kind ?? 'lint' };
}

async function run(a: Args, io: CliIO): Promise<number> {
  const docs = await import('./rule-docs.js');
  const metas = await docs.loadAllMetas();
  const id = a.id as string | undefined;
  const format = a.format as 'text' | 'markdown' | 'json';
  if (id !== undefined) {
    const meta = metas.find((m) => m.id === id);
    if (!meta) {
      const guess = closest(id, metas.map((m) => m.id));
      throw new UsageError(`no rule named "${id}"${guess ? `; did you mean ${guess}?` : ''} (\`schemactl rules\` lists them)`, 'unknown-rule');
    }
    if (format === 'json') io.stdout(`${JSON.stringify(withKind(meta), null, 2)}\n`);
    else io.stdout(format === 'markdown' ? docs.rulesMarkdown([meta]) : docs.ruleText(meta));
    return 0;
  }
  if (format === 'json') io.stdout(`${JSON.stringify(metas.map(withKind), null, 2)}\n`);
  else io.stdout(format === 'markdown' ? docs.rulesMarkdown(metas) : docs.ruleTable(metas));
  return 0;
}

export const rulesCommand: CommandDef = {
  command: 'rules [id]',
  describe: 'List the lint and compatibility rules, or show one rule\'s documentation',
  builder: (y: Argv) => y
    .positional('id', { type: 'string', describe: 'a rule id' })
    .option('format', { choices: ['text', 'markdown', 'json'] as const, default: 'text' as const, describe: 'output format (markdown renders the README rule reference)' }),
  run,
};
