// The log sources' shared drift bookkeeping, without a database: the shape the schema accepted, judged
// at start against the checkpoint's and while streaming against the last accepted, and stamped into
// offsets so the next start knows it.
import { describe, expect, it } from 'vitest';
import type { ColumnShape, FieldProbe } from '../../src/liberation/drift/relation.js';
import { AcceptedShapes } from '../../src/liberation/sources/log/accepted-shapes.js';
import type { LogOffset } from '../../src/liberation/sources/log/snapshot-chunks.js';
import { CdcStopError } from '../../src/liberation/sources/pg-logical/types.js';

const col = (name: string, type = 'integer', nullable = false): ColumnShape => ({ name, type, nullable });
const base = [col('id'), col('amount', 'numeric(10,2)')];
/** the schema reads id and amount; amount has a default; any value fits */
const probe: FieldProbe = { columns: () => ['id', 'amount'], fillable: (c) => c === 'amount', rejects: () => undefined };
const stop = () => new CdcStopError('cdc-schema-drift', 'stop');
const offset = (relations?: Record<string, ColumnShape[]>): LogOffset => ({ v: relations ? 2 : 1, kind: 'log', position: 'P', snapshotDone: true, ...(relations ? { relations } : {}) });

describe('accepted shapes', () => {
  it.each<{ name: string; start: LogOffset | null; now: ColumnShape[]; accepted: ColumnShape[] | null; stops?: boolean; logs: string[] }>([
    { name: 'no checkpoint: the shape now is the start', start: null, now: base, accepted: base, logs: [] },
    { name: 'a checkpoint from before shapes were kept: the first one met in the log', start: offset(), now: base, accepted: null, logs: [] },
    { name: 'unchanged since the checkpoint', start: offset({ t: base }), now: base, accepted: base, logs: [] },
    { name: 'a column the schema does not read was added while stopped: the checkpoint\'s shape stays', start: offset({ t: base }), now: [...base, col('note', 'text', true)], accepted: base, logs: [] },
    { name: 'a column the schema reads was dropped while stopped: it stops', start: offset({ t: base }), now: [col('amount', 'numeric(10,2)')], accepted: null, stops: true, logs: [] },
  ])('at start: $name', ({ start, now, accepted, stops, logs }) => {
    const seen: string[] = [];
    const s = new AcceptedShapes('orders', (e) => seen.push(e.msg));
    const run = () => s.atStart('t', start, now, probe, stop);
    if (stops) expect(run).toThrow(CdcStopError);
    else run();
    expect(s.get('t')).toEqual(accepted);
    expect(seen).toEqual(logs);
  });

  it.each<{ name: string; now: ColumnShape[]; stops: boolean; accepted: ColumnShape[]; logs: string[] }>([
    { name: 'the same shape is taken silently', now: base, stops: false, accepted: base, logs: [] },
    { name: 'an added column is taken and said not to be published', now: [...base, col('note', 'text', true)], stops: false, accepted: [...base, col('note', 'text', true)], logs: ['table gained columns the schema does not read; they are not published'] },
    { name: 'a dropped column the schema reads stops the stream and keeps the accepted shape', now: [col('amount', 'numeric(10,2)')], stops: true, accepted: base, logs: [] },
  ])('streamed: $name', ({ now, stops, accepted, logs }) => {
    const seen: string[] = [];
    const s = new AcceptedShapes('orders', (e) => seen.push(e.msg));
    s.atStart('t', null, base, probe, stop);
    const err = s.streamed('t', now, probe, { at: 'P' }, stop);
    expect(err !== null).toBe(stops);
    expect(s.get('t')).toEqual(accepted);
    expect(seen).toEqual(logs);
  });

  it('offsets carry the known shapes (version 2), and only when one is known', () => {
    const s = new AcceptedShapes('orders', () => {});
    const o = offset();
    s.atStart('t', o, base, probe, stop);
    expect(s.stamp(o)).toBe(o);
    s.atStart('u', null, base, probe, stop);
    expect(s.stamp(o)).toEqual({ ...o, v: 2, relations: { u: base } });
    s.clear();
    expect(s.stamp(o)).toBe(o);
  });
});
