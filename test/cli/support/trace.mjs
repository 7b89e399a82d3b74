// Preloaded with `node --import`: installs the resolve hook and, at exit, records the CommonJS modules
// and the built-in modules that were loaded (require() does not go through ESM resolve hooks).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);

process.on('exit', () => {
  const file = process.env.SCHEMACTL_TRACE_FILE;
  if (!file) return;
  const require = createRequire(import.meta.url);
  const lines = Object.keys(require.cache).map((p) => `cjs ${p}`);
  for (const m of process.moduleLoadList ?? []) lines.push(`builtin ${m}`);
  appendFileSync(file, `${lines.join('\n')}\n`);
});
