// The MySQL/MariaDB late-commit bound's bookkeeping, on its own: what each call must hold the bound
// at, given what PROCESSLIST and INNODB_TRX showed now and before. (The queries themselves run against
// a real MariaDB in test/integration/query-slow-statement.test.ts and the fault suite.)
import { describe, expect, it } from 'vitest';
import { formatUs, MysqlHorizon } from '../../src/liberation/sources/mysql-horizon.js';
import type { Conn } from '../../src/liberation/sources/query.js';

const S = 1_000_000;
const T0 = Date.UTC(2026, 0, 1) * 1000; // µs
const SKEW = 100_000;
const noConn = {} as Conn;

type Call = { at: number; running?: Array<{ id: string; stmt: string; start: number }>; trx?: Array<{ trx: string; id: string; start: number }> };

function bounds(calls: Call[], delayMs = 0): string[] {
  const h = new MysqlHorizon(noConn, delayMs, 's');
  return calls.map((c) => h.advance(
    T0 + c.at,
    (c.running ?? []).map((r) => ({ id: r.id, stmt: r.stmt, startUs: T0 + r.start })),
    (c.trx ?? []).map((t) => ({ trx: t.trx, id: t.id, startUs: T0 + t.start })),
  ).bound);
}
const at = (us: number) => formatUs(T0 + us - SKEW);

describe('MysqlHorizon', () => {
  it.each<{ name: string; calls: Call[]; want: string[] }>([
    {
      name: 'the first call stays a second behind; later ones at the previous call',
      calls: [{ at: 10 * S }, { at: 11 * S }, { at: 11.2 * S }],
      want: [at(9 * S), at(10 * S), at(11 * S)],
    },
    {
      name: 'a running statement holds the bound at its start',
      calls: [{ at: 10 * S }, { at: 14 * S, running: [{ id: '7', stmt: 'q1', start: 9 * S }] }],
      want: [at(9 * S), at(9 * S)],
    },
    {
      name: 'a statement seen running that left its transaction open: the transaction keeps the statement\'s start, not trx_started',
      calls: [
        { at: 10 * S },
        { at: 11 * S, running: [{ id: '7', stmt: 'q1', start: 10.5 * S }] },
        // the statement ended at 13 s; InnoDB started the transaction at 13 s (after the wait)
        { at: 14 * S, trx: [{ trx: 'T', id: '7', start: 13 * S }] },
        { at: 20 * S, trx: [{ trx: 'T', id: '7', start: 13 * S }] },
        // committed: the bound moves on
        { at: 21 * S },
      ],
      want: [at(9 * S), at(10 * S), at(10.5 * S), at(10.5 * S), at(20 * S)],
    },
    {
      name: 'a transaction first seen whose statement ran unseen between two calls: bound at the previous call',
      calls: [{ at: 10 * S }, { at: 11 * S }, { at: 12 * S, trx: [{ trx: 'T', id: '8', start: 11.9 * S }] }, { at: 30 * S, trx: [{ trx: 'T', id: '8', start: 11.9 * S }] }],
      want: [at(9 * S), at(10 * S), at(11 * S), at(11 * S)],
    },
    {
      name: 'a session running one short statement after another does not hold the bound forever',
      calls: [
        { at: 10 * S, running: [{ id: '9', stmt: 'a', start: 9.99 * S }] },
        { at: 11 * S, running: [{ id: '9', stmt: 'b', start: 10.99 * S }] },
        { at: 12 * S, running: [{ id: '9', stmt: 'c', start: 11.99 * S }] },
        { at: 13 * S, running: [{ id: '9', stmt: 'd', start: 12.99 * S }] },
      ],
      want: [at(9 * S), at(9.99 * S), at(10.99 * S), at(11.99 * S)],
    },
    {
      // its statement started at 10.75 s, waited 0.3 s and ended before the publisher started: InnoDB
      // shows the transaction started at 11 s (whole seconds), after its row's 10.75 s
      name: 'a fresh start: a transaction already open is held a second behind its trx_started',
      calls: [{ at: 11.4 * S, trx: [{ trx: 'T', id: '5', start: 11 * S }] }, { at: 11.65 * S, trx: [{ trx: 'T', id: '5', start: 11 * S }] }],
      want: [at(10 * S), at(10 * S)],
    },
    {
      // open before the first call but missing from the lagging INNODB_TRX cache then
      name: 'a transaction that started before the first call, first seen later, is held the same',
      calls: [{ at: 11.4 * S }, { at: 11.65 * S, trx: [{ trx: 'T', id: '5', start: 11 * S }] }],
      want: [at(10.4 * S), at(10 * S)],
    },
    {
      name: 'a transaction that started after the first call is not',
      calls: [{ at: 11.4 * S }, { at: 13 * S }, { at: 13.5 * S, trx: [{ trx: 'T', id: '5', start: 12 * S }] }],
      want: [at(10.4 * S), at(11.4 * S), at(12 * S)],
    },
  ])('$name', ({ calls, want }) => {
    expect(bounds(calls)).toEqual(want);
  });

  it('delay_ms lowers the bound below the clock', () => {
    expect(bounds([{ at: 10 * S }, { at: 20 * S }], 5000)).toEqual([at(5 * S), at(10 * S)]);
  });

  it('formats microseconds as DATETIME(6) text in UTC', () => {
    expect(formatUs(T0 + 1_234_567)).toBe('2026-01-01 00:00:01.234567');
  });
});
