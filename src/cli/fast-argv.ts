// A fast path past yargs for the commands a pre-commit hook runs many times a day (`lint`). Loading
// yargs and its helpers costs more than linting five files, so a command line made only of the
// command's own options in their plain forms is parsed here instead. The option table is read from
// the command's yargs builder itself (a recorder stands in for yargs), so the two cannot drift apart.
// Anything else — help, version, unknown or repeated options, values that need yargs' coercion or its
// error messages — returns undefined and goes through yargs as before, so behaviour is unchanged.
import type { Argv } from 'yargs';
import type { Args, CommandDef } from './command.js';

interface OptionSpec {
  key: string;
  type: 'string' | 'number' | 'boolean';
  choices?: readonly string[];
  default?: unknown;
}

interface Table {
  positional?: string;
  /** `--name` and `-a` spellings → option */
  byFlag: Map<string, OptionSpec>;
  options: OptionSpec[];
}

const tables = new WeakMap<CommandDef, Table | null>();

/** The options a builder declares, read by handing it a recorder instead of yargs. */
function tableOf(def: CommandDef): Table | undefined {
  let table = tables.get(def);
  if (table !== undefined) return table ?? undefined;
  const t: Table = { byFlag: new Map(), options: [] };
  let supported = true;
  const recorder: Record<string, unknown> = {
    positional(name: string, o: { type?: string; array?: boolean }) {
      if (o.type !== 'string' || o.array !== true || t.positional !== undefined) supported = false;
      t.positional = name;
      return recorder;
    },
    option(name: string, o: { alias?: string; type?: string; choices?: readonly string[]; default?: unknown }) {
      const type = o.choices !== undefined ? 'string' : o.type;
      if (type !== 'string' && type !== 'number' && type !== 'boolean') {
        supported = false;
        return recorder;
      }
      const spec: OptionSpec = { key: name, type, choices: o.choices, default: o.default };
      t.options.push(spec);
      t.byFlag.set(`--${name}`, spec);
      if (o.alias !== undefined) t.byFlag.set(o.alias.length === 1 ? `-${o.alias}` : `--${o.alias}`, spec);
      return recorder;
    },
    example: () => recorder,
  };
  try {
    def.builder(recorder as unknown as Argv);
  } catch {
    // the builder used something the recorder does not know: always go through yargs
    supported = false;
  }
  table = supported ? t : null;
  tables.set(def, table);
  return table ?? undefined;
}

/**
 * The arguments yargs would hand `def.run` for `argv` (the command name first), or undefined when the
 * command line is not one this fast path is sure to read exactly as yargs does.
 */
export function fastArgs(def: CommandDef, argv: readonly string[]): Args | undefined {
  const name = String(def.command).split(' ')[0];
  if (argv[0] !== name) return undefined;
  const table = tableOf(def);
  if (table === undefined) return undefined;
  const positionals: string[] = [];
  const values = new Map<OptionSpec, unknown>();
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('-')) {
      // yargs turns number-like positionals into numbers; keep those for it
      if (table.positional === undefined || /^-?(\d|\.\d)/.test(a) || /^0x/i.test(a)) return undefined;
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq > 0 && a.startsWith('--') ? a.slice(0, eq) : a;
    let spec = table.byFlag.get(flag);
    let negated = false;
    if (spec === undefined && flag.startsWith('--no-')) {
      spec = table.byFlag.get(`--${flag.slice(5)}`);
      negated = spec !== undefined;
      if (spec?.type !== 'boolean' || eq > 0) return undefined;
    }
    if (spec === undefined || values.has(spec)) return undefined;
    if (spec.type === 'boolean') {
      // `--flag=false`, `--flag true`: yargs reads these; leave them to it
      const next = argv[i + 1];
      if (eq > 0 || next === 'true' || next === 'false') return undefined;
      values.set(spec, !negated);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('-'))) return undefined;
    if (spec.type === 'number') {
      if (!/^-?\d+$/.test(value)) return undefined;
      values.set(spec, Number(value));
    } else {
      if (spec.choices !== undefined && !spec.choices.includes(value)) return undefined;
      values.set(spec, value);
    }
  }
  const args: Args = { _: [name as string], $0: 'schemactl' };
  if (table.positional !== undefined) args[table.positional] = positionals;
  for (const spec of table.options) {
    const v = values.has(spec) ? values.get(spec) : spec.default;
    if (v !== undefined) args[spec.key] = v;
  }
  return args;
}
