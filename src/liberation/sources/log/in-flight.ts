// What a log source handed to the engine and has not yet seen acknowledged, kept in hand-out order.
// The log's own reader places a transaction's rows only at its commit, every row's offset being the end
// of the transaction before it and the last row's the end of its own, so any offset handed out is a
// transaction boundary. The engine checkpoints a batch only after the sink acknowledged it and then
// acknowledges the batch's last offset here: that covers every item handed out before it. A failed send
// rewinds: every item handed out since, and only those, goes back in front of the queue, unchanged.
import type { CdcRow } from '../pg-logical/types.js';
import type { LogOffset } from './snapshot-chunks.js';

export class InFlight<Item extends object> {
  private items: Item[] = [];
  /** rows whose offset already carries the snapshot progress and shapes of their first hand-out */
  private stamped = new WeakSet<CdcRow>();
  /** the progress key of the last offset saved (acknowledged, or saved while idle) */
  private savedKey = '';
  private last: LogOffset | null = null;

  /** `progressKey`: what of an offset, when unchanged, needs no saving again while idle */
  constructor(private readonly progressKey: (o: LogOffset | null) => string) {}

  /** Start (again) from the committed offset: nothing is in flight. */
  reset(committed: LogOffset | null): void {
    this.items = [];
    this.savedKey = this.progressKey(committed);
    this.last = committed;
  }

  /** Forget what is in flight: its reader is gone, the next start reads it from the log again. */
  clear(): void {
    this.items = [];
  }

  /** The offset the last acknowledgement covered: the highest acknowledged boundary. */
  get committed(): LogOffset | null {
    return this.last;
  }

  /** Something handed out is not acknowledged yet: no position past it may be saved or confirmed. */
  get busy(): boolean {
    return this.items.length > 0;
  }

  /**
   * Hand an item out. A row's offset is stamped once, at its first hand-out: a rewind hands the same row
   * out again with the same offset, so the engine's acknowledgement still finds it.
   */
  handOut(item: Item, stamp?: (row: CdcRow) => LogOffset): void {
    const row = rowOf(item);
    if (row && stamp && !this.stamped.has(row)) {
      row.offset = stamp(row);
      this.stamped.add(row);
    }
    this.items.push(item);
  }

  /**
   * The engine acknowledged `offset` (the last of a batch): it and everything handed out before it are
   * done. An offset no longer in flight (already covered by a later acknowledgement) changes nothing:
   * what was handed out after it is still unacknowledged and must survive a rewind. Returns whether the
   * offset moved the acknowledged boundary.
   */
  acknowledge(offset: LogOffset): boolean {
    const idx = this.items.findIndex((i) => rowOf(i)?.offset === offset);
    if (idx < 0) return false;
    this.items = this.items.slice(idx + 1);
    this.savedKey = this.progressKey(offset);
    this.last = offset;
    return true;
  }

  /** Everything handed out since the last acknowledgement, in order, to be queued again; and how many are snapshot rows. */
  takeBack(): { items: Item[]; snapshotRows: number } {
    const items = this.items;
    this.items = [];
    return { items, snapshotRows: items.filter((i) => rowOf(i)?.op === 'r').length };
  }

  /** Saving this offset while idle would record something new. */
  unsaved(offset: LogOffset): boolean {
    return this.progressKey(offset) !== this.savedKey;
  }

  /** This offset was saved (while idle). */
  markSaved(offset: LogOffset): void {
    this.savedKey = this.progressKey(offset);
  }
}

function rowOf(item: object): CdcRow | undefined {
  return 'row' in item ? (item as { row: CdcRow }).row : undefined;
}
