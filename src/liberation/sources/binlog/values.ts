// Row values from the binary log, as the text the snapshot's queries return for the same value: the
// mapper reads database text (mapping.ts), and a row must read the same from a chunk as from the log.
// The reader already decodes DECIMAL as its exact digits, BIGINT UNSIGNED beyond 2^53 as a string,
// DATETIME(6)/TIMESTAMP(6) with their microseconds (TIMESTAMP in UTC, as the snapshot session prints
// it), JSON as the server's text, ENUM/SET as their labels and BIT/BINARY as bytes. What is left:
//  - FLOAT is stored as 32 bits and arrives widened to a double (1.1 → 1.100000023841858); the server
//    prints the shortest decimal that reads back as the same 32-bit value, and so does this.
//  - integers arrive as numbers: printed as their digits.

/** MySQL column type codes (binlog TABLE_MAP), for the few that need care. */
export const MYSQL_TYPE = { FLOAT: 4, DOUBLE: 5 } as const;

/** The shortest decimal text that reads back as the same float32 (what the server prints for FLOAT). */
export function float32Text(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const target = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = target.toPrecision(p);
    if (Math.fround(Number(s)) === target) return String(Number(s));
  }
  return String(x);
}

export function binlogValue(v: unknown, columnType: number): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return columnType === MYSQL_TYPE.FLOAT ? float32Text(v) : String(v);
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/** A snapshot row from mysql2 (dateStrings, bigNumberStrings, jsonStrings, UTC): numbers as digits, FLOAT as the server printed it. */
export function snapshotValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return v;
}
