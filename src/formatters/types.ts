// The one formatter signature. Formatters are pure: results in, text out; the CLI decides where the
// text goes and whether colour is allowed.
import type { FileResult } from '../diagnostics/types.js';

/** What a formatter needs to describe a rule: a lint rule's meta or a compatibility rule's (src/compat/rules.ts). */
export interface RuleDescription {
  id: string;
  description: string;
  rationale: string;
  category: string;
  formats: readonly string[];
  defaultSeverity: 'error' | 'warn' | 'off';
  examples?: Partial<Record<string, { valid: string; invalid: string }>>;
  /** absent for lint rules */
  kind?: 'compatibility';
}

/** Rule metadata by rule id, for formatters that describe rules (SARIF descriptors, help links). */
export type RuleMetaLookup = ReadonlyMap<string, RuleDescription>;

export interface FormatterOptions {
  /** absolute working directory; relative result paths are resolved against it */
  cwd: string;
  color: boolean;
  rules?: RuleMetaLookup;
  /** the tool version written into machine-readable reports (SARIF) */
  version?: string;
}

export type Formatter = (results: FileResult[], opts: FormatterOptions) => string;

export const FORMATTER_NAMES = ['stylish', 'json', 'sarif', 'junit', 'github'] as const;
export type FormatterName = (typeof FORMATTER_NAMES)[number];

/** Project home, used in reports that link to rule docs. */
export const HOMEPAGE = 'https://github.com/schemactl/schemactl';

/** Every rule, lint or compatibility, has its own `### <id>` section in docs/rules.md. */
export function ruleDocsUrl(ruleId: string): string {
  return `${HOMEPAGE}/blob/main/docs/rules.md#${encodeURIComponent(ruleId)}`;
}
