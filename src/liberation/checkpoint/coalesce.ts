// One checkpoint save at a time per stream, the newest offset each time.
//
// Batches are acknowledged faster than a durable save completes (a file save is eight file-system
// round trips through the event loop, each one waiting behind whatever the loop is doing, such as
// mapping the next batch). Saving every batch's offset in turn made the saves the slowest link of the
// publisher: each batch waited for the save of the one before it. Here a save that is asked for while
// another is running waits, and when it may start it writes only the newest offset asked for by then;
// every batch it covers is durable with it. Offsets only move forward, so nothing is skipped: the file
// holds an offset at or after every batch whose save has resolved.
import type { CheckpointStore, SourceOffset } from '../types.js';

interface Waiter {
  resolve(): void;
  reject(e: unknown): void;
}

export type SaveCheckpoint = (offset: SourceOffset) => Promise<void>;

/** `save(offset)` resolves once `offset`, or a later one, is durable in `store`. Call it with offsets in order. */
export function coalescingSaves(store: CheckpointStore, stream: string): SaveCheckpoint {
  let running = false;
  let next: { offset: SourceOffset; waiters: Waiter[] } | undefined;

  const run = (offset: SourceOffset, waiters: Waiter[]): void => {
    running = true;
    // (a store that throws instead of rejecting must not leave `running` set)
    Promise.resolve().then(() => store.save(stream, offset)).then(
      () => { for (const w of waiters) w.resolve(); },
      (e: unknown) => { for (const w of waiters) w.reject(e); },
    ).finally(() => {
      running = false;
      const queued = next;
      next = undefined;
      if (queued) run(queued.offset, queued.waiters);
    });
  };

  return (offset) => new Promise<void>((resolve, reject) => {
    const waiter = { resolve, reject };
    if (!running) run(offset, [waiter]);
    else if (next) {
      next.offset = offset;
      next.waiters.push(waiter);
    } else {
      next = { offset, waiters: [waiter] };
    }
  });
}
