import { github } from './github.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';
import type { Formatter, FormatterName } from './types.js';

export type { Formatter, FormatterName, FormatterOptions, RuleMetaLookup } from './types.js';
export { FORMATTER_NAMES } from './types.js';

export const formatters: Readonly<Record<FormatterName, Formatter>> = { stylish, json, sarif, junit, github };

export function getFormatter(name: FormatterName): Formatter {
  return formatters[name];
}
