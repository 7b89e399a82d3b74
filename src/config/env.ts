// `${ENV_VAR}` interpolation in string values of the config (connection strings, registry auth).
// Values never appear in messages: errors name the variable only.

export interface InterpolationIssue {
  pointer: string;
  message: string;
}

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{([^}]*)\}?/g;

function interpolateString(s: string, env: NodeJS.ProcessEnv, pointer: string, issues: InterpolationIssue[]): string {
  if (!s.includes('${')) return s;
  return s.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined, bad: string | undefined) => {
    if (whole === '$${') return '${';
    if (name === undefined) {
      issues.push({ pointer, message: `"\${${bad ?? ''}" is not a valid environment reference; write \${NAME} with letters, digits and _ (or $\${ for a literal \${).` });
      return whole;
    }
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (fallback !== undefined) return fallback;
    issues.push({ pointer, message: `environment variable ${name} is not set (referenced as \${${name}}); set it or write \${${name}:-default}.` });
    return '';
  });
}

/**
 * A copy of `value` with every string interpolated; problems are collected, not thrown. Subtrees for
 * which `skip(pointer)` is true are kept as written: their variables are neither read nor required.
 */
export function interpolateEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: InterpolationIssue[],
  pointer = '',
  skip: (pointer: string) => boolean = () => false,
): unknown {
  if (pointer !== '' && skip(pointer)) return value;
  if (typeof value === 'string') return interpolateString(value, env, pointer, issues);
  if (Array.isArray(value)) return value.map((v, i) => interpolateEnv(v, env, issues, `${pointer}/${i}`, skip));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = interpolateEnv(v, env, issues, `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, skip);
    }
    return out;
  }
  return value;
}
