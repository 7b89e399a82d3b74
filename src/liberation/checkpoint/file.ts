// Checkpoints in a local state file, one per stream, replaced atomically. Offsets are versioned value
// objects; the loader accepts every version this engine has written.
import { existsSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointStore, SourceOffset } from '../types.js';
import { writeFileDurable } from '../fsutil.js';

function fileName(stream: string): string {
  return `${stream.replace(/[^A-Za-z0-9._-]/g, '_')}.offset.json`;
}

/** Offset versions this engine reads, per kind: v2 (log, triggers) adds the last accepted table shape. */
const VERSIONS: Record<string, number[]> = { query: [1], outbox: [1], triggers: [1, 2], log: [1, 2] };

function isShape(x: unknown): boolean {
  return Array.isArray(x) && x.every((c) => {
    const o = c as Record<string, unknown> | null;
    return !!o && typeof o.name === 'string' && typeof o.type === 'string' && typeof o.nullable === 'boolean';
  });
}

export function parseOffset(raw: unknown, where: string): SourceOffset {
  const o = raw as (Partial<SourceOffset> & { v?: number; relations?: unknown; relation?: unknown }) | null;
  if (!o || typeof o !== 'object' || !(VERSIONS[String(o.kind)] ?? []).includes(o.v as number)) {
    throw new Error(`${where}: not a schemactl offset (version ${String(o?.v)}); move it away to start from the beginning`);
  }
  const shapesOk = o.kind === 'log'
    ? o.relations === undefined || (typeof o.relations === 'object' && o.relations !== null && Object.values(o.relations).every(isShape))
    : o.relation === undefined || isShape(o.relation);
  if (!shapesOk) throw new Error(`${where}: the offset's recorded table shape is malformed; move it away to start from the beginning`);
  return o as SourceOffset;
}

export class FileCheckpointStore implements CheckpointStore {
  private dirReady = false;

  constructor(private readonly dir: string) {}

  async load(stream: string): Promise<SourceOffset | null> {
    const path = join(this.dir, fileName(stream));
    if (!existsSync(path)) return null;
    const doc = JSON.parse(readFileSync(path, 'utf8')) as { offset: unknown };
    return parseOffset(doc.offset, path);
  }

  async save(stream: string, offset: SourceOffset): Promise<void> {
    const path = join(this.dir, fileName(stream));
    const data = JSON.stringify({ stream, offset, savedAt: new Date().toISOString() }, null, 2) + '\n';
    if (!this.dirReady) {
      // the first save creates the folder and goes through the synchronous helper once
      writeFileDurable(path, data);
      this.dirReady = true;
      return;
    }
    // Same protocol as writeFileDurable (temp file, fsync, rename, fsync the folder) without blocking
    // the event loop: the engine reads the next batch while this batch's checkpoint is made durable.
    const tmp = `${path}.tmp-${process.pid}`;
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
    const dh = await open(this.dir, 'r');
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  }

  async close(): Promise<void> {}
}
