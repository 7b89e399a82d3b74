// Presets for `extends:` in schemactl.yaml, as ESLint's shareable configs and buf's categories: a named
// set of rule severities that `rules:` then adjusts. They are defined by rule category, not by listing
// ids, so a rule added to rules/ joins the right presets without an edit here.
import { COMPAT_RULES } from '../compat/rules.js';
import type { Rule, RuleSeverity } from '../lint/rule.js';
import type { RuleSetting } from '../lint/types.js';

export interface PresetSettings {
  rules: Record<string, RuleSetting>;
  compat: Record<string, RuleSeverity>;
}

export interface Preset {
  name: string;
  description: string;
  settings(lintRules: readonly Rule[]): PresetSettings;
}

function each(lintRules: readonly Rule[], severity: (rule: Rule) => RuleSeverity): Record<string, RuleSetting> {
  return Object.fromEntries(lintRules.map((r) => [r.meta.id, { severity: severity(r) }] as const));
}

export const PRESETS: readonly Preset[] = [
  {
    name: 'schemactl:recommended',
    description: 'every rule at its default severity (what applies without extends)',
    settings: (lintRules) => ({ rules: each(lintRules, (r) => r.meta.defaultSeverity), compat: {} }),
  },
  {
    name: 'schemactl:strict',
    description: 'every lint rule an error, pii-tagged included; compatibility advisories and level mismatches errors too',
    settings: (lintRules) => ({
      rules: each(lintRules, () => 'error'),
      compat: Object.fromEntries(COMPAT_RULES.filter((r) => r.configurable && (r.category === 'advisory' || r.id === 'level-mismatch')).map((r) => [r.id, 'error' as const])),
    }),
  },
  {
    name: 'schemactl:event-design',
    description: 'only the event-design rules (one event per stream, enums, logical types, single-purpose events, updated_at, explicit formats, no Any payloads), as errors; the others off',
    settings: (lintRules) => ({ rules: each(lintRules, (r) => (r.meta.category === 'event-design' ? 'error' : 'off')), compat: {} }),
  },
];

export function presetByName(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}

/** The config versions this release reads. */
export const CONFIG_VERSIONS: readonly number[] = [1];
