// Each captured table's shape as the stream's schema last accepted it, the same for both log sources:
// a shape met in the log (a pgoutput Relation, a binary log TABLE_MAP) is judged against it before any
// row of that shape is handed out, and it travels in every offset (version 2), so the next start can
// judge against the catalog what changed while the publisher was stopped. How a shape is read and
// what the stop error says is the database's part.
import { compareRelation, type ColumnShape, type FieldProbe, type RelationVerdict } from '../../drift/relation.js';
import type { CdcStopError } from '../pg-logical/types.js';
import type { LogOffset } from './snapshot-chunks.js';

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

export class AcceptedShapes {
  /** null: not known yet (an offset from before shapes were kept: the first shape met in the log is taken) */
  private accepted: Record<string, ColumnShape[] | null> = {};

  constructor(private readonly stream: string, private readonly log: Log) {}

  get(table: string): ColumnShape[] | null {
    return this.accepted[table] ?? null;
  }

  /**
   * Drift while stopped: the catalog's shape `now` against the one the checkpoint accepted, judged
   * exactly as a shape met while streaming; throws the stop error when the schema cannot take it.
   * Call once per table at start, after clear().
   */
  atStart(table: string, offset: LogOffset | null, now: ColumnShape[], probe: FieldProbe, stop: (verdict: RelationVerdict) => CdcStopError): void {
    const before = offset?.relations?.[table];
    if (before) {
      const verdict = compareRelation(before, now, probe, { restore: 'if-no-rows' });
      if (verdict.breaking.length) throw stop(verdict);
      const taken = verdict.changes.filter((c) => c.read);
      if (taken.length) this.log({ level: 'info', msg: 'table changed while stopped; the schema takes it', stream: this.stream, table, changes: taken.map((c) => `${c.ddl}: ${c.reason}`) });
    }
    // no checkpoint: the shape now is the start; an older checkpoint without shapes: the first one met in the log
    this.accepted[table] = before ?? (offset ? null : now);
  }

  clear(): void {
    this.accepted = {};
  }

  /**
   * A shape met in the log: the stop error when the schema cannot take it (nothing changes), null when
   * it can (it becomes the accepted shape). `where` says where in the log, for the log line.
   */
  streamed(table: string, now: ColumnShape[], probe: FieldProbe, where: Record<string, unknown>, stop: (verdict: RelationVerdict) => CdcStopError): CdcStopError | null {
    // rows of the new shape follow in the log: restoring the column would not change them
    const verdict = compareRelation(this.get(table), now, probe, { restore: 'no' });
    if (verdict.breaking.length) return stop(verdict);
    const read = verdict.changes.filter((c) => c.read).map((c) => `${c.ddl}: ${c.reason}`);
    const added = verdict.changes.filter((c) => c.kind === 'added').map((c) => c.column);
    if (read.length) this.log({ level: 'info', msg: 'table changed; the schema takes it', stream: this.stream, table, ...where, changes: read });
    if (added.length) this.log({ level: 'info', msg: 'table gained columns the schema does not read; they are not published', table, columns: added });
    this.accepted = { ...this.accepted, [table]: now };
    return null;
  }

  /** The offset with the accepted shapes in it (version 2) when any is known. */
  stamp(o: LogOffset): LogOffset {
    const relations: Record<string, ColumnShape[]> = {};
    for (const [t, shape] of Object.entries(this.accepted)) if (shape) relations[t] = shape;
    return Object.keys(relations).length ? { ...o, v: 2, relations } : o;
  }
}
