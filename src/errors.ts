// A small error hierarchy: a stable code, an actionable message and a retriable flag. The CLI maps
// these to exit codes in one place (cli/main.ts); anything else is a programming error (exit 2 with a
// short message, never a retry).

export const EXIT = {
  OK: 0,
  FINDINGS: 1,
  USAGE: 2,
  UNREACHABLE: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class SchemactlError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly retriable: boolean;
  constructor(code: string, message: string, opts: { exitCode?: ExitCode; retriable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = opts.exitCode ?? EXIT.USAGE;
    this.retriable = opts.retriable ?? false;
  }
}

/** Bad command line, bad config, unreadable input. Exit 2. */
export class UsageError extends SchemactlError {
  constructor(message: string, code = 'usage', cause?: unknown) {
    super(code, message, { exitCode: EXIT.USAGE, cause });
  }
}

/** Bad schemactl.yaml; the message carries file:line:column of the offending key. Exit 2. */
export class ConfigError extends SchemactlError {
  constructor(message: string, cause?: unknown) {
    super('config', message, { exitCode: EXIT.USAGE, cause });
  }
}

/** A registry, broker or database that cannot be reached. Exit 3; retriable. */
export class UnreachableError extends SchemactlError {
  constructor(message: string, cause?: unknown) {
    super('unreachable', message, { exitCode: EXIT.UNREACHABLE, retriable: true, cause });
  }
}

/** A dependency answered, but not in its protocol (a registry's 200 with a body that is not JSON): exit 3. */
export class InvalidResponseError extends SchemactlError {
  constructor(message: string, cause?: unknown) {
    super('invalid-response', message, { exitCode: EXIT.UNREACHABLE, retriable: false, cause });
  }
}

/**
 * Remove credentials from anything that may be printed: the userinfo of URLs (`scheme://user:pass@host`,
 * also with an empty user or an `@` inside the password: everything up to the last `@` before the
 * host), libpq/JDBC keyword pairs (`password=…`, `sslpassword=…`) and token-like query parameters.
 */
export function redact(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s?#:@]*(?::[^/?#]*)?@(?=[^@/\s?#]*(?:[/?#]|\s|$))/gi, (_m, scheme: string) => `${scheme}***@`)
    .replace(/((?:^|[\s?&;,])(?:ssl)?(?:password|passwd|pass|pwd|token|access_token|api[_-]?key|secret|sslkey)\s*=\s*)('[^']*'|"[^"]*"|[^&\s;,]+)/gi, '$1***');
}
