// The trigger-fed change table (`source.pattern: triggers`), drained in commit order.
//
// Reads take only rows whose transaction has ended with no older transaction still open (see
// capture/ddl.ts for why that, and not the sequence alone, is commit order), ordered by sequence.
// Rows are deleted only after the broker acknowledged them, like the outbox: a crash before the
// delete re-publishes the batch (at-least-once), and a late transaction is simply read later.
//
// Values: the change rows hold the row as JSON; every top-level value is handed to the mapper as the
// database's own text (PostgreSQL: jsonb_each_text over to_jsonb, exact for numeric and µs
// timestamps; MySQL: the triggers cast each column to text), never as a JSON number.
//
// Waking: on PostgreSQL the capture's statement trigger notifies the change table's channel and this
// source LISTENs on a dedicated connection (notify-listener.ts), so a commit is read at once; a read
// every wait_ms stays as the fallback (a notification is only a hint). MySQL and MariaDB have no
// NOTIFY: there the change table is polled every 100 ms while it is empty.
import { EXIT, redact } from '../../errors.js';
import type { Source, SourceBatch, SourceOffset, SourceRow } from '../types.js';
import { captureVersion, defaultChangeTable, notifyChannel } from '../capture/ddl.js';
import { compareColumns } from '../capture/drift.js';
import { breakingDdl, breakingRemedies, compareRelation, type ColumnShape, type FieldProbe } from '../drift/relation.js';
import { CaptureError, readRecord, tableColumns, type CaptureSpec, type InstalledRecord } from '../capture/install.js';
import type { NotifyListener } from './notify-listener.js';
import { connect, horizon, SqlSource } from './query.js';
import { dialectOf, quoteIdent, type Dialect } from './sql.js';

export interface ChangeTableConfig extends CaptureSpec {
  /** MySQL/MariaDB only: how far behind the clock to stay, ms (at least 1 s is kept anyway) */
  delayMs?: number;
  /** how often to compare the source table's columns with what install recorded, ms (default 5000) */
  schemaCheckMs?: number;
  /** how long one read() waits on an empty change table before returning, ms (default 500) */
  waitMs?: number;
  /** the stream's mapper: whether a table change can be taken (a gone column's default, a new type) */
  fields?: FieldProbe;
  onLog?(event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }): void;
}

/** The source table's columns with full types (numeric(20,2), decimal(20,2)) and nullability. */
async function tableShape(conn: { query(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> }, d: Dialect, schema: string, table: string): Promise<ColumnShape[]> {
  const rows = d === 'postgres'
    ? await conn.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
         FROM pg_attribute a WHERE a.attrelid = (quote_ident($1) || '.' || quote_ident($2))::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
      [schema, table],
    )
    : await conn.query('SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [schema, table]);
  return rows.map((r) => ({ name: String(r.name), type: String(r.type), nullable: r.nullable === true || r.nullable === 't' || r.nullable === 'YES' }));
}

type Row = Record<string, string | null>;

function parseJsonRow(v: unknown, where: string): Row | null {
  if (v === null || v === undefined) return null;
  const obj = typeof v === 'string' ? (JSON.parse(v) as unknown) : Buffer.isBuffer(v) ? (JSON.parse(v.toString('utf8')) as unknown) : v;
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`${where}: the change row does not hold a JSON object`);
  const out: Row = {};
  for (const [k, x] of Object.entries(obj as Record<string, unknown>)) {
    out[k] = x === null || x === undefined ? null : typeof x === 'string' ? x : JSON.stringify(x);
  }
  return out;
}

export class ChangeTableSource extends SqlSource implements Source {
  private readonly dialect: Dialect;
  private schema = '';
  private table = '';
  private changeTable = '';
  private record: InstalledRecord | null = null;
  private lastSchemaCheck = 0;
  /** the source table's shape as last accepted (kept in every offset); null until the first read */
  private accepted: ColumnShape[] | null = null;
  /** the checkpoint's change-table sequence at start, for the stop message */
  private startedAt: string | null = null;
  /** sequence numbers read but not yet acknowledged, in read order */
  private pending: string[] = [];
  /** PostgreSQL with a capture that notifies: wakes read() on a commit */
  private listener: NotifyListener | null = null;

  constructor(private readonly cfg: ChangeTableConfig) {
    super();
    this.dialect = dialectOf(cfg.connection);
  }

  describe(): string {
    return `${this.dialect} change table ${this.changeTable || this.cfg.changeTable || defaultChangeTable(this.cfg.table)} (triggers on ${this.cfg.table}) on ${redact(this.cfg.connection)}`;
  }

  async open(): Promise<void> {
    this.conn = (await connect(this.cfg.connection)).conn;
    const i = this.cfg.table.indexOf('.');
    this.table = i < 0 ? this.cfg.table : this.cfg.table.slice(i + 1);
    if (i >= 0) this.schema = this.cfg.table.slice(0, i);
    else {
      const [r] = await this.conn.query(this.dialect === 'postgres' ? 'SELECT current_schema() AS s' : 'SELECT DATABASE() AS s', []);
      this.schema = String(r?.s ?? '');
    }
    this.changeTable = this.cfg.changeTable ?? defaultChangeTable(this.table);
    this.record = await readRecord(this.conn, this.dialect, this.schema, this.changeTable);
    if (!this.record) {
      throw new CaptureError(`${this.cfg.name}: capture is not installed on ${this.schema}.${this.table}; run \`schemactl capture install ${this.cfg.name}\` first`);
    }
    // the schema's check needs the checkpoint: it runs on the first read
    await this.checkTriggers();
    if (this.dialect === 'postgres' && !/^pglite:/i.test(this.cfg.connection)) {
      if (this.record.version >= captureVersion('postgres')) {
        const { NotifyListener } = await import('./notify-listener.js');
        this.listener = new NotifyListener(this.cfg.connection, notifyChannel(this.changeTable), this.cfg.onLog ?? (() => {}));
        await this.listener.open();
      } else {
        this.cfg.onLog?.({ level: 'warn', msg: `the capture of ${this.schema}.${this.table} is version ${this.record.version} and does not notify on commit: polling the change table every 50 ms; run \`schemactl capture install ${this.cfg.name}\` to upgrade it`, stream: this.cfg.name });
      }
    }
  }

  override async close(): Promise<void> {
    await this.listener?.close();
    this.listener = null;
    await super.close();
  }

  /** The installed triggers still fit the table (MySQL/MariaDB triggers name each column). */
  private async checkTriggers(): Promise<void> {
    const current = await tableColumns(this.must(), this.dialect, this.schema, this.table);
    const triggers = compareColumns(this.record!.columns, current, [], this.dialect === 'mysql').findings.filter((f) => f.breaking);
    if (triggers.length) {
      throw new CaptureError(
        `${this.cfg.name}: the source table ${this.schema}.${this.table} changed incompatibly since \`capture install\`; publishing stopped:\n${triggers.map((f) => `  - ${f.message}`).join('\n')}`,
        { exitCode: EXIT.FINDINGS, retriable: false, findings: triggers.map((f) => f.message) },
      );
    }
  }

  private probe(): FieldProbe {
    const columns = this.cfg.requiredColumns ?? this.record!.columns.map((c) => c.name);
    return this.cfg.fields ?? { columns: () => columns, fillable: () => false, rejects: () => 'the stream has no schema to judge it against' };
  }

  /**
   * Two checks. The triggers against what install recorded: on MySQL/MariaDB they name each column, so
   * a dropped one breaks them. The stream's schema against the table's shape it last accepted (kept
   * in every offset; on the first start of this version, the shape now): a change the schema cannot
   * take — the same judgement as the log pattern's — stops the stream (not retriable) before a row
   * of the new shape is handed out. On start this governs drift made while the publisher was stopped.
   */
  private async checkSchema(force: boolean): Promise<void> {
    const every = this.cfg.schemaCheckMs ?? 5000;
    if (!force && Date.now() - this.lastSchemaCheck < every) return;
    this.lastSchemaCheck = Date.now();
    const where = `${this.schema}.${this.table}`;
    await this.checkTriggers();
    const now = await tableShape(this.must(), this.dialect, this.schema, this.table);
    // rows captured since the change keep the new shape in the change table
    const verdict = compareRelation(this.accepted, now, this.probe(), { restore: 'if-no-rows' });
    if (verdict.breaking.length) {
      throw new CaptureError(
        `${this.cfg.name}: the source table ${where} changed (${breakingDdl(verdict.breaking)}); publishing stopped. Nothing past change ${this.startedAt === null ? '(none)' : `seq ${this.startedAt}`} of ${this.changeTable} was published; the change table keeps every change after it. ${breakingRemedies(verdict.breaking)}; then publish again`,
        { exitCode: EXIT.FINDINGS, retriable: false, findings: verdict.breaking.map((c) => `${c.ddl}: ${c.reason}`) },
      );
    }
    const taken = verdict.changes.filter((c) => c.read);
    if (taken.length) this.cfg.onLog?.({ level: 'info', msg: 'source table changed; the schema takes it', stream: this.cfg.name, table: where, changes: taken.map((c) => `${c.ddl}: ${c.reason}`) });
    this.accepted = now;
  }

  /**
   * read() waits itself while the change table is empty (up to wait_ms, default half a second), so the
   * engine never sleeps poll_interval_ms between changes: on PostgreSQL until the capture's
   * notification arrives; without one (MySQL/MariaDB, a capture older than v2, the listening
   * connection lost) it polls every 100 ms (50 ms on PostgreSQL). MySQL/MariaDB reads still stay a
   * second behind the clock.
   */
  readonly waitsForData = true;

  async read(offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    const until = Date.now() + (this.cfg.waitMs ?? 500);
    const every = this.dialect === 'postgres' ? 50 : 100;
    let fruitless = 0;
    for (;;) {
      await this.listener?.open();
      const listening = this.listener?.listening ?? false;
      const signalled = listening && this.listener!.take();
      const batch = await this.readOnce(offset, max);
      if (batch.rows.length || !batch.caughtUp) return batch;
      const left = until - Date.now();
      if (left <= 0) return batch;
      // A notification whose rows were not readable: either an earlier read took them already, or an
      // older transaction is still open (rows are read in commit order). Poll briefly for the second
      // case, then wait for the next notification; the wait_ms fallback covers a long-open transaction.
      if (listening && !(signalled && fruitless++ < 2)) await this.listener!.wait(left);
      else await new Promise((r) => setTimeout(r, Math.min(every, left)));
    }
  }

  private async readOnce(offset: SourceOffset | null, max: number): Promise<SourceBatch> {
    const conn = this.must();
    if (this.accepted === null) {
      // first read: the checkpoint's accepted shape (older checkpoints have none: the shape now)
      const stored = offset?.kind === 'triggers' ? offset : null;
      this.startedAt = stored?.lastId ?? null;
      this.accepted = stored?.relation ?? null;
      await this.checkSchema(true);
    } else await this.checkSchema(false);
    const d = this.dialect;
    const q = (n: string) => quoteIdent(n, d);
    const ct = `${q(this.schema)}.${q(this.changeTable)}`;
    const limit = Math.max(1, Math.floor(max));
    let rows: Array<Record<string, unknown>>;
    let bound: string | null;
    if (d === 'postgres') {
      // xmin of the statement's own snapshot: every xid below it has ended, none above it is read
      rows = await conn.query(
        `SELECT c.seq::text AS seq, c.txid::text AS txid, c.op, c.captured_at::text AS captured_at,
                (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each_text(c.key) e)::text AS key_row,
                (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each_text(c.new_row) e)::text AS new_row,
                (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each_text(c.old_row) e)::text AS old_row,
                pg_snapshot_xmin(pg_current_snapshot())::text AS bound
           FROM ${ct} c WHERE c.txid < pg_snapshot_xmin(pg_current_snapshot()) ORDER BY c.seq LIMIT ${limit}`,
        [],
      );
      bound = rows.length ? String(rows[0]!.bound) : String((await conn.query('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS b', []))[0]!.b);
    } else {
      bound = (await horizon(conn, d, this.cfg.delayMs ?? 0)).bound;
      rows = await conn.query(
        `SELECT seq, NULL AS txid, op, DATE_FORMAT(captured_at, '%Y-%m-%d %H:%i:%s.%f') AS captured_at, key_json AS key_row, new_row, old_row
           FROM ${ct} WHERE captured_at < ? ORDER BY seq LIMIT ${limit}`,
        [bound],
      );
    }
    // rows read were committed before this check's catalog read: a change they were written under is seen
    const pending = new Set(this.pending);
    if (rows.some((r) => !pending.has(String(r.seq)))) await this.checkSchema(true);
    const out: SourceRow[] = [];
    for (const r of rows) {
      const seq = String(r.seq);
      if (pending.has(seq)) continue;
      this.pending.push(seq);
      out.push(...this.toSourceRows(r, seq));
    }
    return { rows: out, caughtUp: rows.length < limit, info: { bound } };
  }

  private keyText(row: Row | null, key: string[]): string | null {
    if (!row) return null;
    if (key.length === 1) return row[key[0]!] ?? null;
    return JSON.stringify(Object.fromEntries(key.map((k) => [k, row[k] ?? null])));
  }

  private toSourceRows(r: Record<string, unknown>, seq: string): SourceRow[] {
    const where = `${this.changeTable} (seq=${seq})`;
    const op = String(r.op);
    const key = this.record!.key;
    const newRow = parseJsonRow(r.new_row, where);
    const oldRow = parseJsonRow(r.old_row, where);
    const offset: SourceOffset = this.accepted ? { v: 2, kind: 'triggers', lastId: seq, relation: this.accepted } : { v: 1, kind: 'triggers', lastId: seq };
    const headers = (o: string): Record<string, string> => ({ 'schemactl.seq': seq, 'schemactl.op': o, ...(r.txid ? { 'schemactl.txid': String(r.txid) } : {}) });
    const position = `${this.cfg.name} (seq=${seq}, op=${op})`;
    if (op === 'd') {
      return [{ columns: oldRow ?? {}, offset, position, tombstone: true, key: this.keyText(oldRow ?? parseJsonRow(r.key_row, where), key), headers: headers('d') }];
    }
    if (!newRow) throw new Error(`${where}: a ${op === 'c' ? 'insert' : 'update'} without the new row`);
    const event: SourceRow = { columns: newRow, offset, position, key: this.keyText(newRow, key), headers: headers(op) };
    if (op === 'u' && oldRow) {
      const oldKey = this.keyText(oldRow, key);
      // the row moved to another key: consumers of a compacted topic must forget the old one
      if (oldKey !== event.key) return [{ columns: oldRow, offset, position: `${position} old key`, tombstone: true, key: oldKey, headers: headers('d') }, event];
    }
    return [event];
  }

  /** Delete the change rows up to and including `offset`: the sink acknowledged them. */
  async acknowledge(offset: SourceOffset): Promise<void> {
    // 'outbox': what change-table checkpoints said before they had a kind of their own
    if ((offset.kind !== 'triggers' && offset.kind !== 'outbox') || offset.lastId === null) return;
    const upto = this.pending.indexOf(offset.lastId);
    if (upto < 0) return;
    const done = this.pending.slice(0, upto + 1);
    const d = this.dialect;
    const ct = `${quoteIdent(this.schema, d)}.${quoteIdent(this.changeTable, d)}`;
    for (let i = 0; i < done.length; i += 1000) {
      const chunk = done.slice(i, i + 1000);
      if (d === 'postgres') await this.must().query(`DELETE FROM ${ct} WHERE seq = ANY($1::bigint[])`, [`{${chunk.join(',')}}`]);
      else await this.must().query(`DELETE FROM ${ct} WHERE seq IN (${chunk.map(() => '?').join(', ')})`, chunk);
    }
    // Forgotten only now: the engine reads the next batch while this runs, and a read whose snapshot
    // was taken before the delete still returns these rows; while they are pending it skips them.
    const gone = new Set(done);
    this.pending = this.pending.filter((seq) => !gone.has(seq));
  }

  /** The engine rewinds after a failed send: what was handed out is read again. */
  rewind(): void {
    this.pending = [];
  }
}
