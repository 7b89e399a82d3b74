import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The package version, found by walking up from this module (src/cli in tests, dist/src/cli when built). */
export function packageVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'schemactl' && pkg.version) return (cached = pkg.version);
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return (cached = '0.0.0');
}
