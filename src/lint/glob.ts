// picomatch, loaded on first use: a lint of a few literal paths without `overrides` never needs it,
// and loading it is a measurable part of `schemactl lint`'s start-up (bench/startup).
import { createRequire } from 'node:module';
import type Picomatch from 'picomatch';

let loaded: typeof Picomatch | undefined;

export function picomatch(): typeof Picomatch {
  // picomatch is CommonJS, so a synchronous require keeps the callers synchronous
  return (loaded ??= createRequire(import.meta.url)('picomatch') as typeof Picomatch);
}

/** Characters without which picomatch.scan() never sees a glob (escapes included, to be safe). */
export const MAY_BE_GLOB = /[*?[\]{}()!+@\\]/;
