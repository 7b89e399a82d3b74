// Checkpoints in a local state file, one per stream, replaced atomically. Offsets are versioned value
// objects; the loader accepts every version this engine has written.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckpointStore, SourceOffset } from '../types.js';
import { writeFileDurable } from '../fsutil.js';

function fileName(stream: string): string {
  return `${stream.replace(/[^A-Za-z0-9._-]/g, '_')}.offset.json`;
}

export function parseOffset(raw: unknown, where: string): SourceOffset {
  const o = raw as Partial<SourceOffset> & { v?: number };
  if (!o || typeof o !== 'object' || o.v !== 1 || !['query', 'outbox', 'log'].includes(String(o.kind))) {
    throw new Error(`${where}: not a schemactl offset (version ${String(o?.v)}); move it away to start from the beginning`);
  }
  return o as SourceOffset;
}

export class FileCheckpointStore implements CheckpointStore {
  constructor(private readonly dir: string) {}

  async load(stream: string): Promise<SourceOffset | null> {
    const path = join(this.dir, fileName(stream));
    if (!existsSync(path)) return null;
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { offset: unknown };
    return parseOffset(doc.offset, path);
  }

  async save(stream: string, offset: SourceOffset): Promise<void> {
    writeFileDurable(join(this.dir, fileName(stream)), JSON.stringify({ stream, offset, savedAt: new Date().toISOString() }, null, 2) + '\n');
  }

  async close(): Promise<void> {}
}
