import path from 'node:path';

/** Absolute path of a result's file. */
export function absolutePath(file: string, cwd: string): string {
  return path.resolve(cwd, file);
}

/**
 * Path relative to cwd with forward slashes, as CI annotations and SARIF expect; a file outside cwd
 * keeps its absolute path because `../` URIs do not resolve against a source root.
 */
export function relativePosix(file: string, cwd: string): string {
  const abs = path.resolve(cwd, file);
  const rel = path.relative(cwd, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return abs.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}
