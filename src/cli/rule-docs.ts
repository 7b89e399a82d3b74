// Rule metadata for `schemactl rules` and SARIF descriptors, and the text renderings of a rule's docs.
import type { RuleMeta } from '../lint/rule.js';
import type { RuleMetaLookup } from '../formatters/types.js';

export type AnyRuleMeta = RuleMeta<string>;

export async function loadRuleMetas(): Promise<AnyRuleMeta[]> {
  const { loadRules } = await import('../config/rules.js');
  const rules = await loadRules();
  return rules.map((r) => r.meta as AnyRuleMeta).sort((a, b) => a.id.localeCompare(b.id));
}

export async function ruleMetaLookup(): Promise<RuleMetaLookup> {
  return new Map((await loadRuleMetas()).map((m) => [m.id, m]));
}

const FORMAT_LABEL: Record<string, string> = { avro: 'Avro', protobuf: 'Protobuf' };
const FENCE: Record<string, string> = { avro: 'json', protobuf: 'protobuf' };

function severityLabel(s: string): string {
  return s === 'warn' ? 'warning' : s;
}

export function ruleTable(metas: readonly AnyRuleMeta[]): string {
  const rows = metas.map((m) => [m.id, severityLabel(m.defaultSeverity), m.formats.join(','), m.fixable !== undefined ? 'yes' : '', m.description]);
  const head = ['RULE', 'DEFAULT', 'FORMATS', 'FIX', 'DESCRIPTION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(head), ...rows.map(line)].join('\n')}\n\n${metas.length} rules; FIX marks those whose findings \`schemactl lint --fix\` can fix. \`schemactl rules <id>\` shows one rule's documentation.\n`;
}

function optionsText(meta: AnyRuleMeta): string[] {
  const props = (meta.optionsSchema?.properties ?? {}) as Record<string, { type?: unknown; description?: string }>;
  const names = Object.keys(props);
  if (names.length === 0) return ['This rule has no options.'];
  return names.map((n) => {
    const p = props[n]!;
    const def = meta.defaultOptions && n in meta.defaultOptions ? ` (default: ${JSON.stringify(meta.defaultOptions[n])})` : '';
    const type = p.type ? ` ${Array.isArray(p.type) ? p.type.join('|') : String(p.type)}` : '';
    return `- \`${n}\`${type}${def}${p.description ? `: ${p.description}` : ''}`;
  });
}

/** One rule's documentation as plain text for the terminal. */
export function ruleText(meta: AnyRuleMeta): string {
  const out = [
    `${meta.id} — ${meta.description}`,
    '',
    `Default severity: ${severityLabel(meta.defaultSeverity)}   Category: ${meta.category}   Formats: ${meta.formats.map((f) => FORMAT_LABEL[f] ?? f).join(', ')}`,
    '',
    meta.rationale.trim(),
    '',
    'Options:',
    ...optionsText(meta).map((l) => `  ${l}`),
  ];
  if (meta.fixable !== undefined) out.push('', `Fixable: ${meta.fixable}`);
  for (const [format, ex] of Object.entries(meta.examples)) {
    if (!ex) continue;
    out.push('', `${FORMAT_LABEL[format] ?? format}, invalid:`, ...indent(ex.invalid), '', `${FORMAT_LABEL[format] ?? format}, valid:`, ...indent(ex.valid));
  }
  return `${out.join('\n')}\n`;
}

function indent(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => (l === '' ? '' : `    ${l}`));
}

/** The rule reference in Markdown, the source of the README's rules section. */
export function rulesMarkdown(metas: readonly AnyRuleMeta[]): string {
  const out = [
    '| Rule | Default | Formats | Fix | Description |',
    '| --- | --- | --- | --- | --- |',
    ...metas.map((m) => `| [\`${m.id}\`](#${m.id}) | ${severityLabel(m.defaultSeverity)} | ${m.formats.map((f) => FORMAT_LABEL[f] ?? f).join(', ')} | ${m.fixable !== undefined ? 'yes' : ''} | ${m.description.replace(/\|/g, '\\|')} |`),
  ];
  for (const m of metas) {
    out.push('', `### ${m.id}`, '', `${m.description}. Default: **${severityLabel(m.defaultSeverity)}**; category: ${m.category}.`, '', m.rationale.trim(), '', '**Options**', '', ...optionsText(m));
    if (m.fixable !== undefined) out.push('', `**Fix** (\`schemactl lint --fix\`): ${m.fixable}`);
    for (const [format, ex] of Object.entries(m.examples)) {
      if (!ex) continue;
      const fence = FENCE[format] ?? '';
      out.push('', `**${FORMAT_LABEL[format] ?? format}** — invalid:`, '', `\`\`\`${fence}`, ex.invalid.trimEnd(), '```', '', 'valid:', '', `\`\`\`${fence}`, ex.valid.trimEnd(), '```');
    }
  }
  return `${out.join('\n')}\n`;
}
