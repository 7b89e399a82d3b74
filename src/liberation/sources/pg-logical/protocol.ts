// Wire formats of PostgreSQL's streaming replication protocol (the CopyBoth framing: XLogData,
// primary keepalive, standby status update) and of the pgoutput logical replication messages
// (protocol versions 1 and 2 without streamed transactions). Pure functions over Buffers; the
// source owns the connection.

/** LSN `X/Y` (two hex halves) → 64-bit integer. */
export function parseLsn(s: string): bigint {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(s.trim());
  if (!m) throw new Error(`'${s}' is not a PostgreSQL LSN (X/Y)`);
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

export function formatLsn(n: bigint): string {
  return `${(n >> 32n).toString(16).toUpperCase()}/${(n & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** Microseconds since 2000-01-01 UTC, PostgreSQL's timestamp epoch, → ISO text (µs kept). */
export function pgTimestampToIso(us: bigint): string {
  const unixUs = us + 946_684_800_000_000n;
  const ms = unixUs / 1000n;
  const frac = ((unixUs % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  return `${base}.${frac.toString().padStart(6, '0')}Z`;
}

export function nowPgMicros(): bigint {
  return BigInt(Date.now()) * 1000n - 946_684_800_000_000n;
}

export type CopyMessage =
  | { type: 'xlog'; start: bigint; walEnd: bigint; sendTime: bigint; data: Buffer }
  | { type: 'keepalive'; walEnd: bigint; sendTime: bigint; replyRequested: boolean }
  | { type: 'unknown'; tag: number };

export function parseCopyData(b: Buffer): CopyMessage {
  const tag = b[0];
  if (tag === 0x77 /* w */) {
    return { type: 'xlog', start: b.readBigUInt64BE(1), walEnd: b.readBigUInt64BE(9), sendTime: b.readBigInt64BE(17), data: b.subarray(25) };
  }
  if (tag === 0x6b /* k */) {
    return { type: 'keepalive', walEnd: b.readBigUInt64BE(1), sendTime: b.readBigInt64BE(9), replyRequested: b[17] === 1 };
  }
  return { type: 'unknown', tag: tag ?? -1 };
}

/** Standby status update ('r'): written, flushed, applied positions, client clock, reply request. */
export function standbyStatus(written: bigint, flushed: bigint, applied: bigint, requestReply = false): Buffer {
  const b = Buffer.alloc(34);
  b[0] = 0x72;
  b.writeBigUInt64BE(written, 1);
  b.writeBigUInt64BE(flushed, 9);
  b.writeBigUInt64BE(applied, 17);
  b.writeBigInt64BE(nowPgMicros(), 25);
  b[33] = requestReply ? 1 : 0;
  return b;
}

export interface RelationColumn {
  name: string;
  key: boolean;
  typeOid: number;
  typmod: number;
}

/** Replica identity as pgoutput reports it: d(efault), n(othing), f(ull), i(ndex). */
export type ReplicaIdentity = 'd' | 'n' | 'f' | 'i';

/** One column value of a TupleData: text, NULL, or the unchanged-TOAST marker. */
export type TupleValue = { kind: 'text'; text: string } | { kind: 'null' } | { kind: 'unchanged' } | { kind: 'binary'; bytes: Buffer };

export type PgOutputMessage =
  | { tag: 'begin'; finalLsn: bigint; commitTime: bigint; xid: number }
  | { tag: 'commit'; flags: number; commitLsn: bigint; endLsn: bigint; commitTime: bigint }
  | { tag: 'origin'; commitLsn: bigint; name: string }
  | { tag: 'relation'; oid: number; namespace: string; name: string; replicaIdentity: ReplicaIdentity; columns: RelationColumn[] }
  | { tag: 'type'; oid: number; namespace: string; name: string }
  | { tag: 'insert'; oid: number; tuple: TupleValue[] }
  | { tag: 'update'; oid: number; old: TupleValue[] | null; oldKind: 'K' | 'O' | null; tuple: TupleValue[] }
  | { tag: 'delete'; oid: number; old: TupleValue[]; oldKind: 'K' | 'O' }
  | { tag: 'truncate'; options: number; oids: number[] }
  | { tag: 'message'; transactional: boolean; lsn: bigint; prefix: string; content: Buffer }
  | { tag: 'unsupported'; code: string };

class Reader {
  pos = 0;
  constructor(private readonly b: Buffer) {}
  u8(): number {
    return this.b.readUInt8(this.pos++);
  }
  i16(): number {
    const v = this.b.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    const v = this.b.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    const v = this.b.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.b.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  i64(): bigint {
    const v = this.b.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  cstring(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw new Error('pgoutput: unterminated string');
    const s = this.b.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const v = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  tuple(): TupleValue[] {
    const n = this.i16();
    const out: TupleValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const kind = String.fromCharCode(this.u8());
      if (kind === 'n') out[i] = { kind: 'null' };
      else if (kind === 'u') out[i] = { kind: 'unchanged' };
      else if (kind === 't') out[i] = { kind: 'text', text: this.bytes(this.i32()).toString('utf8') };
      else if (kind === 'b') out[i] = { kind: 'binary', bytes: Buffer.from(this.bytes(this.i32())) };
      else throw new Error(`pgoutput: unknown tuple column kind '${kind}'`);
    }
    return out;
  }
}

/** Decode one pgoutput message (the payload of an XLogData frame). */
export function decodePgOutput(data: Buffer): PgOutputMessage {
  const r = new Reader(data);
  const code = String.fromCharCode(r.u8());
  switch (code) {
    case 'B':
      return { tag: 'begin', finalLsn: r.u64(), commitTime: r.i64(), xid: r.u32() };
    case 'C':
      return { tag: 'commit', flags: r.u8(), commitLsn: r.u64(), endLsn: r.u64(), commitTime: r.i64() };
    case 'O':
      return { tag: 'origin', commitLsn: r.u64(), name: r.cstring() };
    case 'R': {
      const oid = r.u32();
      const namespace = r.cstring();
      const name = r.cstring();
      const replicaIdentity = String.fromCharCode(r.u8()) as ReplicaIdentity;
      const n = r.i16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.u8();
        columns.push({ key: (flags & 1) === 1, name: r.cstring(), typeOid: r.u32(), typmod: r.i32() });
      }
      return { tag: 'relation', oid, namespace, name, replicaIdentity, columns };
    }
    case 'Y':
      return { tag: 'type', oid: r.u32(), namespace: r.cstring(), name: r.cstring() };
    case 'I': {
      const oid = r.u32();
      const n = String.fromCharCode(r.u8());
      if (n !== 'N') throw new Error(`pgoutput: insert without a new tuple ('${n}')`);
      return { tag: 'insert', oid, tuple: r.tuple() };
    }
    case 'U': {
      const oid = r.u32();
      let kind = String.fromCharCode(r.u8());
      let old: TupleValue[] | null = null;
      let oldKind: 'K' | 'O' | null = null;
      if (kind === 'K' || kind === 'O') {
        oldKind = kind;
        old = r.tuple();
        kind = String.fromCharCode(r.u8());
      }
      if (kind !== 'N') throw new Error(`pgoutput: update without a new tuple ('${kind}')`);
      return { tag: 'update', oid, old, oldKind, tuple: r.tuple() };
    }
    case 'D': {
      const oid = r.u32();
      const kind = String.fromCharCode(r.u8());
      if (kind !== 'K' && kind !== 'O') throw new Error(`pgoutput: delete without an old tuple ('${kind}')`);
      return { tag: 'delete', oid, oldKind: kind, old: r.tuple() };
    }
    case 'T': {
      const n = r.i32();
      const options = r.u8();
      const oids: number[] = [];
      for (let i = 0; i < n; i++) oids.push(r.u32());
      return { tag: 'truncate', options, oids };
    }
    case 'M': {
      const flags = r.u8();
      const lsn = r.u64();
      const prefix = r.cstring();
      const content = Buffer.from(r.bytes(r.i32()));
      return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content };
    }
    default:
      // stream start/stop/commit/abort ('S','E','c','A') only appear when streaming is requested,
      // which this source never does: it needs whole committed transactions in commit order
      return { tag: 'unsupported', code };
  }
}

/** Quote an identifier for replication commands and SQL (always quoted: exact case). */
export function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** `schema.table` or `table` (→ public) into its two parts; quoted parts keep their case. */
export function splitTable(qualified: string): { schema: string; table: string } {
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < qualified.length; i++) {
    const c = qualified[i]!;
    if (c === '"') {
      if (quoted && qualified[i + 1] === '"') {
        cur += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === '.' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += quoted ? c : c.toLowerCase();
  }
  parts.push(cur);
  if (parts.length === 1) return { schema: 'public', table: parts[0]! };
  if (parts.length === 2 && parts[0] && parts[1]) return { schema: parts[0], table: parts[1] };
  throw new Error(`'${qualified}' is not a table name (schema.table)`);
}
