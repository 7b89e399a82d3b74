// Finds the compatibility engine (src/compat) at run time, so the registry layer builds and runs on its
// own and callers can inject another checker (tests, or a remote registry's rules).
import type { CompatibilityChecker } from './types.js';

let cached: Promise<CompatibilityChecker | undefined> | undefined;

export function loadDefaultChecker(): Promise<CompatibilityChecker | undefined> {
  cached ??= (async () => {
    // a computed specifier keeps the compiler from requiring the module before it exists
    const specifier = ['..', 'compat', 'index.js'].join('/');
    try {
      const mod = (await import(specifier)) as { checkCompatibility?: CompatibilityChecker };
      return typeof mod.checkCompatibility === 'function' ? mod.checkCompatibility : undefined;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ERR_MODULE_NOT_FOUND' || /Cannot find module|Failed to load url|does not exist/i.test(String(e))) return undefined;
      throw e;
    }
  })();
  return cached;
}
