// Rule metadata for `schemactl rules` and SARIF descriptors, and the text renderings of a rule's docs.
// Both kinds are here: lint rules (rules/*.ts) and compatibility rules (src/compat/rules.ts).
import type { RuleMeta } from '../lint/rule.js';
import { COMPAT_RULES } from '../compat/rules.js';
import type { CompatRuleMeta } from '../compat/rules.js';
import type { RuleMetaLookup } from '../formatters/types.js';

export type AnyRuleMeta = RuleMeta<string>;
export type AnyMeta = AnyRuleMeta | CompatRuleMeta;

export async function loadRuleMetas(): Promise<AnyRuleMeta[]> {
  const { loadRules } = await import('../config/rules.js');
  const rules = await loadRules();
  return rules.map((r) => r.meta as AnyRuleMeta).sort((a, b) => a.id.localeCompare(b.id));
}

/** Lint rules, then compatibility rules, each sorted by id. */
export async function loadAllMetas(): Promise<AnyMeta[]> {
  return [...(await loadRuleMetas()), ...[...COMPAT_RULES].sort((a, b) => a.id.localeCompare(b.id))];
}

/** Lint rules only: what `lint` can report. */
export async function ruleMetaLookup(): Promise<RuleMetaLookup> {
  return new Map((await loadRuleMetas()).map((m) => [m.id, m]));
}

/** Both kinds: what `register` can report. */
export async function allMetaLookup(): Promise<RuleMetaLookup> {
  return new Map((await loadAllMetas()).map((m) => [m.id, m]));
}

/** Compatibility rules only: what `check` can report. */
export function compatMetaLookup(): RuleMetaLookup {
  return new Map(COMPAT_RULES.map((m) => [m.id, m]));
}

function isCompat(m: AnyMeta): m is CompatRuleMeta {
  return 'kind' in m && m.kind === 'compatibility';
}

function kindLabel(m: AnyMeta): string {
  return isCompat(m) ? `compatibility/${m.category}` : `lint/${m.category}`;
}

const FORMAT_LABEL: Record<string, string> = { avro: 'Avro', protobuf: 'Protobuf', json: 'JSON Schema' };
const FENCE: Record<string, string> = { avro: 'json', protobuf: 'protobuf' };

function severityLabel(s: string): string {
  return s === 'warn' ? 'warning' : s;
}

export function ruleTable(metas: readonly AnyMeta[]): string {
  const fix = (m: AnyMeta): string => (!isCompat(m) && m.fixable !== undefined ? 'yes' : '');
  const rows = metas.map((m) => [m.id, kindLabel(m), isCompat(m) && !m.configurable ? 'error (fixed)' : severityLabel(m.defaultSeverity), m.formats.join(','), fix(m), m.description]);
  const head = ['RULE', 'KIND', 'DEFAULT', 'FORMATS', 'FIX', 'DESCRIPTION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const lint = metas.filter((m) => !isCompat(m)).length;
  return `${[line(head), ...rows.map(line)].join('\n')}\n\n${lint} lint rules and ${metas.length - lint} compatibility rules; FIX marks those whose findings \`schemactl lint --fix\` can fix. \`schemactl rules <id>\` shows one rule's documentation.\n`;
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

function compatDetails(m: CompatRuleMeta): string[] {
  const out = [];
  if (m.registryType) out.push(`The registry reports it as ${m.registryType}.`);
  out.push(m.configurable
    ? `Set its severity in schemactl.yaml: \`rules: { ${m.id}: error | warn | off }\`.`
    : 'It is always an error and makes the run exit 2; it has no severity to set.');
  return out;
}

/** One rule's documentation as plain text for the terminal. */
export function ruleText(meta: AnyMeta): string {
  if (isCompat(meta)) {
    return `${[
      `${meta.id} — ${meta.description}`,
      '',
      `Default severity: ${severityLabel(meta.defaultSeverity)}   Kind: ${kindLabel(meta)}   Formats: ${meta.formats.map((f) => FORMAT_LABEL[f] ?? f).join(', ')}`,
      '',
      meta.rationale.trim(),
      '',
      ...compatDetails(meta),
    ].join('\n')}\n`;
  }
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

/** The rule reference in Markdown (docs/rules.md): a table, then one `### <id>` section per rule, the anchor every docs URL points at. */
export function rulesMarkdown(metas: readonly AnyMeta[]): string {
  const out = [
    '| Rule | Kind | Default | Formats | Fix | Description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...metas.map((m) => `| [\`${m.id}\`](#${m.id}) | ${kindLabel(m)} | ${severityLabel(m.defaultSeverity)} | ${m.formats.map((f) => FORMAT_LABEL[f] ?? f).join(', ')} | ${!isCompat(m) && m.fixable !== undefined ? 'yes' : ''} | ${m.description.replace(/\|/g, '\\|')} |`),
  ];
  for (const m of metas) {
    if (isCompat(m)) {
      out.push('', `### ${m.id}`, '', `${m.description}. Default: **${severityLabel(m.defaultSeverity)}**; kind: ${kindLabel(m)}.`, '', m.rationale.trim(), '', ...compatDetails(m));
      continue;
    }
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
