// What the server must provide before a binlog stream can promise anything, checked rather than
// assumed; each refusal names the exact setting or GRANT to apply.
import type { Connection } from 'mysql2/promise';
import { CdcStopError } from '../pg-logical/types.js';
import { comparePositions, formatPosition, type BinlogPosition } from './position.js';

export interface ServerInfo {
  mariadb: boolean;
  version: string;
  /** retention in seconds (0: binary logs are never removed by age) */
  retentionSeconds: number;
  /** the binary log files the server still has, oldest first */
  files: Array<{ file: string; size: number }>;
}

type Log = (event: { level: 'info' | 'warn' | 'error'; msg: string; [k: string]: unknown }) => void;

async function variables(conn: Connection, names: string[]): Promise<Map<string, string>> {
  const [rows] = await conn.query(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map(() => '?').join(', ')})`, names);
  return new Map((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name.toLowerCase(), String(r.Value)]));
}

/** `'user'@'host'` of the session, for GRANT statements. */
async function grantee(conn: Connection): Promise<string> {
  const [rows] = await conn.query('SELECT CURRENT_USER() AS who');
  const w = String((rows as Array<{ who: string }>)[0]?.who ?? 'user@%');
  const at = w.lastIndexOf('@');
  return `'${w.slice(0, at)}'@'${w.slice(at + 1)}'`;
}

export async function checkServer(conn: Connection, stream: string): Promise<ServerInfo> {
  const v = await variables(conn, ['version', 'log_bin', 'binlog_format', 'binlog_row_image', 'binlog_row_metadata', 'binlog_expire_logs_seconds', 'expire_logs_days', 'binlog_transaction_compression', 'binlog_row_value_options']);
  const version = v.get('version') ?? '';
  const mariadb = /mariadb/i.test(version);
  const refuse = (code: string, what: string, fix: string): never => {
    throw new CdcStopError(code, `stream ${stream}: log-based capture needs ${what}. ${fix}`);
  };
  if (!/^(on|1)$/i.test(v.get('log_bin') ?? '')) {
    refuse('cdc-log-bin', 'the binary log (log_bin = OFF on this server)', 'Add log_bin (and a unique server_id) to the [mysqld] section of the server\'s configuration and restart it');
  }
  const format = (v.get('binlog_format') ?? '').toUpperCase();
  if (format !== 'ROW') refuse('cdc-binlog-format', `binlog_format = ROW (the server has ${format})`, "Run SET GLOBAL binlog_format = 'ROW'; and set binlog_format = ROW in the server's configuration (sessions opened before keep the old format until they reconnect)");
  const image = (v.get('binlog_row_image') ?? 'FULL').toUpperCase();
  if (image !== 'FULL') refuse('cdc-binlog-row-image', `binlog_row_image = FULL (the server has ${image}: updates and deletes would leave out columns)`, "Run SET GLOBAL binlog_row_image = 'FULL'; and set it in the server's configuration");
  const metadata = v.get('binlog_row_metadata');
  if (metadata !== undefined && metadata.toUpperCase() !== 'FULL') {
    refuse('cdc-binlog-row-metadata', `binlog_row_metadata = FULL (the server has ${metadata.toUpperCase()}): each row event must carry the column names and types in force when it was written, or an ALTER TABLE makes later rows decode against the wrong columns`, "Run SET GLOBAL binlog_row_metadata = 'FULL'; and set it in the server's configuration");
  }
  if (metadata === undefined) refuse('cdc-version', `MySQL 8.0 or MariaDB 10.5 or later (binlog_row_metadata); the server is ${version}`, 'Use pattern: triggers on this server');
  if (/^(on|1)$/i.test(v.get('binlog_transaction_compression') ?? '')) {
    refuse('cdc-binlog-compression', 'uncompressed transactions (binlog_transaction_compression = ON sends row events the reader cannot decode)', 'Run SET GLOBAL binlog_transaction_compression = OFF;');
  }
  if (/partial_json/i.test(v.get('binlog_row_value_options') ?? '')) {
    refuse('cdc-partial-json', "whole JSON values (binlog_row_value_options = PARTIAL_JSON logs JSON updates as diffs)", "Run SET GLOBAL binlog_row_value_options = '';");
  }
  // the grants: REPLICATION SLAVE to read the log, REPLICATION CLIENT (MariaDB 10.5+: BINLOG MONITOR) to list it
  const [grants] = await conn.query('SHOW GRANTS');
  const text = (grants as Array<Record<string, string>>).map((g) => Object.values(g)[0] ?? '').filter((g) => / ON \*\.\* TO /i.test(g)).join('\n').toUpperCase();
  const has = (p: string) => text.includes('ALL PRIVILEGES') || new RegExp(`\\b${p}\\b`).test(text);
  const missing = [
    ...(has('REPLICATION SLAVE') || has('REPLICATION REPLICA') ? [] : ['REPLICATION SLAVE']),
    ...(has('REPLICATION CLIENT') || has('BINLOG MONITOR') || has('SUPER') ? [] : ['REPLICATION CLIENT']),
    // MySQL has no lock-free snapshot position: each chunk starts under a brief FLUSH TABLES WITH READ LOCK
    ...(mariadb || has('RELOAD') ? [] : ['RELOAD']),
  ];
  if (missing.length) {
    const who = await grantee(conn);
    throw new CdcStopError('permission', `stream ${stream}: ${who} may not read the binary log (missing ${missing.join(', ')}). Run: GRANT ${missing.join(', ')} ON *.* TO ${who};`);
  }
  const [logs] = await conn.query('SHOW BINARY LOGS');
  const files = (logs as Array<{ Log_name: string; File_size: string | number }>).map((l) => ({ file: l.Log_name, size: Number(l.File_size) }));
  const seconds = Number(v.get('binlog_expire_logs_seconds') ?? 0);
  const days = Number(v.get('expire_logs_days') ?? 0);
  return { mariadb, version, retentionSeconds: seconds > 0 ? seconds : Math.round(days * 86_400), files };
}

/**
 * A checkpoint whose file the server no longer has cannot be resumed: the changes in between are
 * gone. Never a silent skip: the operator chooses.
 */
export function checkRetention(info: ServerInfo, checkpoint: BinlogPosition, stream: string, log: Log): void {
  const oldest = info.files[0];
  const has = info.files.some((f) => f.file === checkpoint.file);
  if (!has || !oldest || comparePositions(checkpoint, { file: oldest.file, pos: 0 }) < 0) {
    throw new CdcStopError(
      'cdc-binlog-purged',
      `stream ${stream}: the checkpoint is at ${formatPosition(checkpoint)}, but the server no longer has that binary log file (oldest: ${oldest?.file ?? 'none'}); the changes after the checkpoint are gone. Choose: re-snapshot (delete the checkpoint of stream ${stream} and publish again: the tables are read again and streaming starts from now), or give up on this stream. To keep this from happening, raise ${info.mariadb ? 'binlog_expire_logs_seconds' : 'binlog_expire_logs_seconds'} above the longest time the publisher may be stopped`,
    );
  }
  if (info.retentionSeconds > 0 && checkpoint.file === oldest.file && info.files.length > 1) {
    log({ level: 'warn', msg: `the checkpoint's binary log ${checkpoint.file} is the oldest the server keeps; it is removed ${info.retentionSeconds} s after it was closed (binlog_expire_logs_seconds)`, stream });
  }
}
