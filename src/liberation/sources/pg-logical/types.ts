// What the log-based source hands to the engine, and the error that asks the operator to choose.
import { SchemactlError } from '../../../errors.js';
import type { SourceRow } from '../../types.js';

export type CdcOp = 'r' | 'c' | 'u' | 'd' | 't';

/** A change as this source hands it to the engine: a SourceRow plus what the log told us. */
export interface CdcRow extends SourceRow {
  op: CdcOp;
  /** schema.table */
  table: string;
  /** commit LSN of the transaction (snapshot rows: the watermark that closed their chunk) */
  lsn: string;
  /** top-level transaction id (absent on snapshot rows) */
  xid?: number;
  /** old row values (REPLICA IDENTITY FULL: every column; otherwise the key columns), for updates and deletes */
  before?: Record<string, string | null>;
  headers: Record<string, string>;
}

export function isCdcRow(row: SourceRow): row is CdcRow {
  return typeof (row as Partial<CdcRow>).op === 'string' && typeof (row as Partial<CdcRow>).table === 'string';
}

/** A stream that must not be retried as is: the operator has to choose. */
export class CdcStopError extends SchemactlError {
  constructor(code: string, message: string) {
    super(code, message, { retriable: false });
  }
}
