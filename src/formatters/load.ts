// One formatter by name, importing only its own module: `lint` prints one format per run, and each
// formatter module is a share of start-up (bench/startup).
import type { Formatter, FormatterName } from './types.js';

export async function loadFormatter(name: FormatterName, opts: { color?: boolean } = {}): Promise<Formatter> {
  switch (name) {
    case 'stylish': {
      const m = await import('./stylish.js');
      if (opts.color === true) await m.loadColours();
      return m.stylish;
    }
    case 'json': return (await import('./json.js')).json;
    case 'sarif': return (await import('./sarif.js')).sarif;
    case 'junit': return (await import('./junit.js')).junit;
    case 'github': return (await import('./github.js')).github;
  }
}
