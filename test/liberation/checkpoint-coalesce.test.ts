// Checkpoint saves one at a time, the newest offset each time (checkpoint/coalesce.ts), with a store
// whose saves end when the test says.
import { describe, expect, it } from 'vitest';
import { coalescingSaves } from '../../src/liberation/checkpoint/coalesce.js';
import type { CheckpointStore, SourceOffset } from '../../src/liberation/types.js';

class CuedStore implements CheckpointStore {
  saves: Array<{ id: string; end(error?: Error): void }> = [];
  durable: string | undefined;
  running = 0;
  maxRunning = 0;
  async load() { return null; }
  save(_stream: string, offset: SourceOffset): Promise<void> {
    const id = (offset as { id: string }).id;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return new Promise<void>((resolve, reject) => {
      this.saves.push({ id, end: (error) => {
        this.running--;
        if (error) return reject(error);
        this.durable = id;
        resolve();
      } });
    });
  }
  async close() {}
}

const at = (id: number): SourceOffset => ({ v: 1, kind: 'query', ts: '2024-01-01 00:00:00+00', id: String(id), snapshotDone: false });
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('coalesced checkpoint saves', () => {
  it('saves one at a time; offsets asked for meanwhile are covered by one save of the newest', async () => {
    const store = new CuedStore();
    const save = coalescingSaves(store, 's');
    const done: number[] = [];
    const saves = [1, 2, 3, 4].map((i) => save(at(i)).then(() => { done.push(i); }));
    await tick();
    expect(store.saves.map((s) => s.id)).toEqual(['1']);
    store.saves[0]!.end();
    await tick();
    // 2, 3 and 4 asked while 1 was being saved: only 4 is written
    expect(done).toEqual([1]);
    expect(store.saves.map((s) => s.id)).toEqual(['1', '4']);
    store.saves[1]!.end();
    await Promise.all(saves);
    expect(done).toEqual([1, 2, 3, 4]);
    expect(store.durable).toBe('4');
    expect(store.maxRunning).toBe(1);
  });

  it('a failed save fails the offsets it covered; the next one still runs', async () => {
    const store = new CuedStore();
    const save = coalescingSaves(store, 's');
    const first = save(at(1));
    await tick();
    const second = save(at(2));
    store.saves[0]!.end(new Error('disk full'));
    await expect(first).rejects.toThrow('disk full');
    await tick();
    expect(store.saves.map((s) => s.id)).toEqual(['1', '2']);
    store.saves[1]!.end();
    await second;
    expect(store.durable).toBe('2');
  });

  it('a save asked for when none is running starts at once', async () => {
    const store = new CuedStore();
    const save = coalescingSaves(store, 's');
    for (let i = 1; i <= 3; i++) {
      const p = save(at(i));
      await tick();
      expect(store.saves.at(-1)!.id).toBe(String(i));
      store.saves.at(-1)!.end();
      await p;
    }
    expect(store.saves).toHaveLength(3);
  });

  it('a store that throws instead of rejecting fails that save only; the next one still runs', async () => {
    const store = new CuedStore();
    const real = store.save.bind(store);
    let first = true;
    store.save = (stream: string, offset: SourceOffset) => {
      if (first) {
        first = false;
        throw new Error('thrown, not rejected');
      }
      return real(stream, offset);
    };
    const save = coalescingSaves(store, 's');
    await expect(save(at(1))).rejects.toThrow('thrown, not rejected');
    const second = save(at(2));
    await tick();
    store.saves[0]!.end();
    await second;
    expect(store.durable).toBe('2');
  });
});
