// A binary log position: the file and the byte offset after an event. The checkpoint holds one that
// is always at a transaction boundary, printed `binlog.000042:1234`.

export interface BinlogPosition {
  file: string;
  pos: number;
}

export function formatPosition(p: BinlogPosition): string {
  return `${p.file}:${p.pos}`;
}

export function parsePosition(s: string): BinlogPosition {
  const at = s.lastIndexOf(':');
  const pos = Number(s.slice(at + 1));
  if (at <= 0 || !Number.isSafeInteger(pos) || pos < 0) throw new Error(`'${s}' is not a binary log position (file:offset)`);
  return { file: s.slice(0, at), pos };
}

/** The sequence number of a binary log file (`binlog.000042` → 42): files of one server sort by it. */
function fileSeq(file: string): number {
  const m = /\.(\d+)$/.exec(file);
  return m ? Number(m[1]) : -1;
}

/** <0, 0, >0 like a comparator; positions of one server's log. */
export function comparePositions(a: BinlogPosition, b: BinlogPosition): number {
  if (a.file !== b.file) return fileSeq(a.file) - fileSeq(b.file) || (a.file < b.file ? -1 : 1);
  return a.pos - b.pos;
}
