// Slot and publication administration: the publication holds exactly the catalog tables, the slot is
// read by one consumer only (our own stale walsender is waited for, then ended), and its state is
// reported for operators.
import type pg from 'pg';
import { UnreachableError } from '../../../errors.js';
import { quoteIdent } from './protocol.js';
import type { TableInfo } from './catalog.js';
import { CdcStopError } from './types.js';

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

export interface SlotStatus {
  slot: string;
  exists: boolean;
  plugin: string | null;
  active: boolean;
  activePid: number | null;
  confirmedFlush: string | null;
  restartLsn: string | null;
  /** reserved | extended | unreserved | lost */
  walStatus: string | null;
  /** bytes of WAL between the slot's confirmed position and the server's current position */
  lagBytes: number | null;
}

export async function readSlotStatus(client: pg.Client, slot: string): Promise<SlotStatus> {
  const res = await client.query(
    `SELECT plugin, active, active_pid, confirmed_flush_lsn::text AS confirmed, restart_lsn::text AS restart, wal_status,
            pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::text AS lag
       FROM pg_replication_slots WHERE slot_name = $1 AND database = current_database()`,
    [slot],
  );
  const r = res.rows[0] as { plugin: string; active: string; active_pid: string | null; confirmed: string | null; restart: string | null; wal_status: string | null; lag: string | null } | undefined;
  if (!r) return { slot, exists: false, plugin: null, active: false, activePid: null, confirmedFlush: null, restartLsn: null, walStatus: null, lagBytes: null };
  return {
    slot, exists: true, plugin: r.plugin, active: r.active === 't', activePid: r.active_pid === null ? null : Number(r.active_pid),
    confirmedFlush: r.confirmed, restartLsn: r.restart, walStatus: r.wal_status, lagBytes: r.lag === null ? null : Number(r.lag),
  };
}

/** The operator's way back after the slot's changes are gone. */
export function resnapshotHint(slot: string, stream: string): string {
  return `To re-snapshot: SELECT pg_drop_replication_slot('${slot.replace(/'/g, "''")}'); then delete the checkpoint of stream ${stream} and publish again with snapshot enabled`;
}

/** Create the publication for exactly these tables, or set an existing one's table list to them. */
export async function ensurePublication(admin: pg.Client, publication: string, tables: TableInfo[], log: Log): Promise<void> {
  const pub = (await admin.query('SELECT puballtables FROM pg_publication WHERE pubname = $1', [publication])).rows[0] as { puballtables: string } | undefined;
  const list = tables.map((t) => `${quoteIdent(t.schema)}.${quoteIdent(t.table)}`).join(', ');
  if (!pub) {
    await admin.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${list}`);
    log({ level: 'info', msg: 'publication created', publication, tables: tables.map((t) => t.qualified) });
    return;
  }
  if (pub.puballtables === 't') {
    throw new CdcStopError('cdc-publication', `publication ${publication} is FOR ALL TABLES; a stream publishes only its catalog tables. Name another publication in the catalog or run: DROP PUBLICATION ${quoteIdent(publication)}`);
  }
  const have = (await admin.query('SELECT schemaname || \'.\' || tablename AS t FROM pg_publication_tables WHERE pubname = $1', [publication])).rows as Array<{ t: string }>;
  const want = new Set(tables.map((t) => t.qualified));
  const got = new Set(have.map((r) => r.t));
  if (want.size !== got.size || [...want].some((t) => !got.has(t))) {
    await admin.query(`ALTER PUBLICATION ${quoteIdent(publication)} SET TABLE ${list}`);
    log({ level: 'info', msg: 'publication tables set to the catalog tables', publication, before: [...got], after: [...want] });
  }
}

/** Make sure nobody else streams from the slot: wait for our own dead walsender, then end it. */
export async function claimSlot(admin: pg.Client, status: SlotStatus, applicationName: string, graceMs: number, log: Log, stream: string): Promise<SlotStatus> {
  if (!status.active || status.activePid === null) return status;
  const who = (await admin.query('SELECT application_name, client_addr::text AS addr FROM pg_stat_activity WHERE pid = $1', [status.activePid])).rows[0] as
    | { application_name: string; addr: string | null }
    | undefined;
  if (who && who.application_name !== applicationName) {
    throw new CdcStopError('cdc-slot-active', `replication slot ${status.slot} is active for PID ${status.activePid} (application_name '${who.application_name}', client ${who.addr ?? 'local'}): another consumer is reading it. Stop that consumer or give this stream its own slot`);
  }
  // Our own application name: a publisher that crashed leaves its walsender until the server notices
  // (wal_sender_timeout). Give it a moment to go, then end it.
  const deadline = Date.now() + graceMs;
  let s = status;
  while (s.active && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    s = await readSlotStatus(admin, status.slot);
  }
  if (s.active && s.activePid !== null) {
    log({ level: 'warn', msg: 'terminating a stale walsender of this stream', stream, pid: s.activePid });
    await admin.query('SELECT pg_terminate_backend($1)', [s.activePid]);
    const end = Date.now() + 10_000;
    while (s.active && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      s = await readSlotStatus(admin, status.slot);
    }
    if (s.active) throw new UnreachableError(`replication slot ${status.slot} is still active for PID ${s.activePid} after terminating it`);
  }
  return s;
}
