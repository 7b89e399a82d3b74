// Module resolve hook (runs on the loader thread): records every resolved module URL to the file
// named by SCHEMACTL_TRACE_FILE, so a test can see what a command pulled in.
import { appendFileSync } from 'node:fs';

export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (process.env.SCHEMACTL_TRACE_FILE) appendFileSync(process.env.SCHEMACTL_TRACE_FILE, `esm ${result.url}\n`);
  return result;
}
