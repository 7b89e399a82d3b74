// The one formatter signature. Formatters are pure: results in, text out; the CLI decides where the
// text goes and whether colour is allowed.
import type { FileResult } from '../diagnostics/types.js';
import type { RuleMeta } from '../lint/rule.js';

/** Rule metadata by rule id, for formatters that describe rules (SARIF descriptors, help links). */
export type RuleMetaLookup = ReadonlyMap<string, RuleMeta<string>>;

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

export function ruleDocsUrl(ruleId: string): string {
  return `${HOMEPAGE}/blob/main/rules/README.md#${encodeURIComponent(ruleId)}`;
}
