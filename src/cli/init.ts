// `schemactl init`: propose a starter schemactl.yaml from the schema files under the working
// directory, one `store` stream per file with a topic derived from its path.
import path from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import type { Args, CommandDef } from './command.js';
import type { CliIO } from './io.js';

const SCHEMA_EXT = new Set(['.avsc', '.avdl', '.proto']);
// Dependencies and VCS internals hold other people's schemas; the registry store holds copies.
const SKIP_DIRS = new Set(['node_modules', '.git', '.schemactl']);
export const CONFIG_NAME = 'schemactl.yaml';

export async function findSchemaFiles(root: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable directory: nothing to propose from it
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) await walk(path.join(dir, e.name));
      } else if (e.isFile() && SCHEMA_EXT.has(path.extname(e.name).toLowerCase())) {
        found.push(path.relative(root, path.join(dir, e.name)).split(path.sep).join('/'));
      }
    }
  };
  await walk(root);
  return found;
}

/** Kafka topic names allow [a-zA-Z0-9._-] up to 249 characters. */
function topicOf(file: string, dropPrefix: number): string {
  const parts = file.replace(/\.[^./]+$/, '').split('/').slice(dropPrefix);
  return parts.join('.').replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 249) || 'events';
}

/** Directories every file sits under add nothing to a topic name; drop them. */
function commonDirDepth(files: readonly string[]): number {
  if (files.length === 0) return 0;
  const dirs = files.map((f) => f.split('/').slice(0, -1));
  let depth = 0;
  for (;;) {
    const seg = dirs[0]![depth];
    if (seg === undefined || !dirs.every((d) => d[depth] === seg)) return depth;
    depth++;
  }
}

function yamlScalar(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) && !/^[-.]/.test(s) ? s : JSON.stringify(s);
}

export function proposeConfig(files: readonly string[]): string {
  const depth = commonDirDepth(files);
  const used = new Map<string, number>();
  const lines = [
    '# yaml-language-server: $schema=./node_modules/schemactl/schemactl.schema.json',
    '# Starter catalog proposed by `schemactl init`: one store stream per schema file.',
    '# Review the topics, add `key:` for keyed streams, and adjust compatibility per stream.',
    'version: 1',
    '# presets: schemactl:recommended (defaults), schemactl:strict, schemactl:event-design; `rules:` adjusts them',
    'extends:',
    '  - schemactl:recommended',
  ];
  if (files.length === 0) {
    lines.push('# No .avsc, .avdl or .proto files were found; add streams here.', 'streams: []');
  } else {
    lines.push('streams:');
    for (const file of files) {
      let topic = topicOf(file, depth);
      const n = (used.get(topic) ?? 0) + 1;
      used.set(topic, n);
      if (n > 1) topic = `${topic}-${n}`;
      lines.push(`  - topic: ${yamlScalar(topic)}`, '    kind: store', `    schema: ${yamlScalar(file)}`, '    compatibility: BACKWARD');
    }
  }
  return `${lines.join('\n')}\n`;
}

async function run(a: Args, io: CliIO): Promise<number> {
  const { writeFile, access } = await import('node:fs/promises');
  const files = await findSchemaFiles(io.cwd);
  const text = proposeConfig(files);
  if (a.print) {
    io.stdout(text);
    return 0;
  }
  const target = path.join(io.cwd, CONFIG_NAME);
  const exists = await access(target).then(() => true, () => false);
  if (exists && !a.force) {
    throw new UsageError(`${CONFIG_NAME} already exists; use --force to overwrite it or --print to see the proposal`, 'exists');
  }
  await writeFile(target, text);
  // a message, not a report: stdout carries only what a command produces (--print's proposal)
  io.stderr(`Wrote ${CONFIG_NAME} with ${files.length} stream${files.length === 1 ? '' : 's'}${files.length === 0 ? ' (no schema files found)' : ''}.\n` +
    'Next: review the topics, then run `schemactl lint`.\n');
  return 0;
}

export const initCommand: CommandDef = {
  command: 'init',
  describe: `Propose a starter ${CONFIG_NAME} from the schema files in this directory`,
  builder: (y: Argv) => y
    .option('force', { type: 'boolean', default: false, describe: `overwrite an existing ${CONFIG_NAME}` })
    .option('print', { type: 'boolean', default: false, describe: 'print the proposal instead of writing it' }),
  run,
};
