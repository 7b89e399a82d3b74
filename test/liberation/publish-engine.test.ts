// The engine loop over a real PostgreSQL (PGlite, in process), the real query source, file sink,
// checkpoint store and dead-letter file, with faults injected around them: a send that fails, a read
// (the read-ahead) that fails, a stop request. No row may be lost or skipped, and duplicates may only
// come from a batch that was not acknowledged.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REPEATED_BATCHES, runStream } from '../../src/liberation/engine.js';
import { FileCheckpointStore } from '../../src/liberation/checkpoint/file.js';
import { FileDeadLetter } from '../../src/liberation/dead-letter.js';
import { AvroRowMapper, MappingError } from '../../src/liberation/mapping.js';
import { FileSink } from '../../src/liberation/sinks/file.js';
import { QuerySource } from '../../src/liberation/sources/query.js';
import type { OutRecord, RowConsumer, Sink, SourceOffset } from '../../src/liberation/types.js';
import { tempDir } from '../support/publisher.js';

const ROWS = 1000;
const BATCH = 64;
const schema = {
  type: 'record', name: 'NoteChanged', namespace: 'com.acme.notes.v1',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' } },
  ],
};

const opened: QuerySource[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

/** A fresh in-process database per test (PGlite directory), seeded with ROWS rows, five per timestamp. */
async function setup(name: string) {
  const dir = tempDir(`engine-${name}`);
  const seed = path.join(dir, 'seed.sql');
  writeFileSync(seed, `CREATE TABLE notes (id bigint PRIMARY KEY, note text, updated_at timestamptz NOT NULL, deleted_at timestamptz);
INSERT INTO notes SELECT g, CASE WHEN g % 97 = 0 THEN NULL ELSE 'n' || g END, '2024-01-01 00:00:00+00'::timestamptz + (g / 5) * interval '1 microsecond', NULL FROM generate_series(1, ${ROWS}) g;
UPDATE notes SET deleted_at = updated_at WHERE id = 500;`);
  const source = new QuerySource({ connection: `pglite:${path.join(dir, 'db')}`, seed, table: 'notes', timestamp: 'updated_at', id: 'id', delayMs: 0, name: 'notes', softDelete: 'deleted_at' });
  await source.open();
  opened.push(source);
  const mapper = new AvroRowMapper(schema as ConstructorParameters<typeof AvroRowMapper>[0]);
  const out = path.join(dir, 'out.ndjson');
  const serialize = (row: { columns: Record<string, unknown>; position: string; tombstone?: boolean }): OutRecord => {
    const key = Buffer.from(String(row.columns.id));
    if (row.tombstone) return { topic: 'notes', key, value: null, position: row.position };
    const value = mapper.map(row.columns);
    return { topic: 'notes', key, value: mapper.encode(value), decoded: value, position: row.position };
  };
  const ids = () => readFileSync(out, 'utf8').trim().split('\n').map((l) => Number(Buffer.from((JSON.parse(l) as { key: string }).key, 'base64').toString()));
  return {
    dir, source, out, serialize, ids,
    sink: new FileSink(out),
    checkpoints: new FileCheckpointStore(path.join(dir, 'state')),
    deadLetter: new FileDeadLetter(path.join(dir, 'dead.ndjson')),
  };
}

/** Fails the sends whose 1-based numbers are listed, before anything is written (a broker that went away). */
class FailingSends implements Sink {
  calls = 0;
  constructor(private readonly inner: Sink, private readonly failOn: Set<number>) {}
  describe(): string { return this.inner.describe(); }
  open(): Promise<void> { return this.inner.open(); }
  close(): Promise<void> { return this.inner.close(); }
  async send(records: OutRecord[]): Promise<void> {
    this.calls++;
    if (this.failOn.has(this.calls)) throw new Error(`injected failure of send ${this.calls}`);
    await this.inner.send(records);
  }
}

const all = Array.from({ length: ROWS }, (_, i) => i + 1);

describe('engine', () => {
  it('publishes every row once, in keyset order, across pages that split equal timestamps', async () => {
    const t = await setup('plain');
    const stats = await runStream({ stream: 'notes', source: t.source, sink: t.sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true });
    expect(t.ids()).toEqual(all);
    expect(stats).toMatchObject({ read: ROWS, published: ROWS - 1, tombstones: 1, deadLettered: 0, batches: Math.ceil(ROWS / BATCH), retries: 0 });
    expect(await t.checkpoints.load('notes')).toMatchObject({ kind: 'query', id: String(ROWS) });
  });

  it('a failed send rewinds to the committed offset, drops the read-ahead page, and loses nothing', async () => {
    const t = await setup('send');
    const sink = new FailingSends(t.sink, new Set([3, 4, 9]));
    const stats = await runStream({ stream: 'notes', source: t.source, sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, retryBaseMs: 1 });
    // nothing of a failed batch reached the file; a batch sent behind a failed one (the pipeline) may
    // have, and is sent again after the rewind: every row's last copy in keyset order, repeats only of such batches
    const ids = t.ids();
    const lastSeen = ids.filter((id, i) => ids.indexOf(id, i + 1) === -1);
    expect(lastSeen).toEqual(all);
    expect(ids.length - ROWS).toBeLessThanOrEqual(3 * (MAX_REPEATED_BATCHES - 1) * BATCH);
    // one rewind per failed send: a batch is not sent behind one known to have failed
    expect(stats.retries).toBe(3);
  });

  it('checkpoints move in order, each only after its batch and every one before it was acknowledged', async () => {
    const t = await setup('order');
    // acknowledgements come back after seeded random delays, so a later batch can be acknowledged first
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const acked: number[] = [];
    const sink: Sink = {
      describe: () => 'slow acks', open: async () => {}, close: async () => {},
      send: async (records) => {
        await t.sink.send(records);
        await new Promise((r) => setTimeout(r, rnd() * 15));
        acked.push(Number(records.at(-1)!.key!.toString()));
      },
    };
    const saved: number[] = [];
    const violations: string[] = [];
    const checkpoints = {
      load: (s: string) => t.checkpoints.load(s),
      close: () => t.checkpoints.close(),
      save: async (s: string, offset: SourceOffset) => {
        const id = Number((offset as { id: string }).id);
        // every batch up to this one is acknowledged (collected: an assertion thrown here would only
        // look like a failed batch to the engine, which retries it)
        const ackedUpTo = acked.filter((a) => a <= id).length;
        if (ackedUpTo !== Math.ceil(id / BATCH)) violations.push(`checkpoint ${id} with ${ackedUpTo} batches acknowledged`);
        saved.push(id);
        await t.checkpoints.save(s, offset);
      },
    };
    let maxPending = 0;
    const stats = await runStream({
      stream: 'notes', source: t.source, sink, checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true,
      onBatch: () => { maxPending = Math.max(maxPending, acked.length - saved.length); },
    });
    expect(violations).toEqual([]);
    expect(stats.retries).toBe(0);
    expect(t.ids()).toEqual(all);
    // saves move forward over batch ends only, to the last row (one that was asked for while another was
    // running covers every batch acknowledged meanwhile: coalesced, never behind)
    const ends = new Set(Array.from({ length: Math.ceil(ROWS / BATCH) }, (_, i) => Math.min(ROWS, (i + 1) * BATCH)));
    for (const [i, id] of saved.entries()) {
      expect(ends.has(id)).toBe(true);
      if (i) expect(id).toBeGreaterThan(saved[i - 1]!);
    }
    expect(saved.at(-1)).toBe(ROWS);
    expect(stats.committed).toMatchObject({ id: String(ROWS) });
    // the pipeline was used: a batch was acknowledged before the one ahead of it was checkpointed
    expect(maxPending).toBeGreaterThan(0);
  });

  it('a failed checkpoint save fails the batches behind it too: each is counted once, when its own save and every earlier one succeeded', async () => {
    const t = await setup('save-fails');
    let calls = 0;
    const checkpoints = {
      load: (s: string) => t.checkpoints.load(s),
      close: () => t.checkpoints.close(),
      save: async (s: string, offset: SourceOffset) => {
        // every third save fails, after a delay so that later batches are acknowledged meanwhile
        await new Promise((r) => setTimeout(r, 3));
        if (++calls % 3 === 0) throw new Error('injected: disk full');
        await t.checkpoints.save(s, offset);
      },
    };
    const stats = await runStream({ stream: 'notes', source: t.source, sink: t.sink, checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, retryBaseMs: 1 });
    expect(stats.retries).toBeGreaterThan(0);
    // counted once each, although batches behind a failed save were sent (and some saved) again
    expect(stats.read).toBe(ROWS);
    expect(stats.published + stats.tombstones).toBe(ROWS);
    const ids = t.ids();
    expect(ids.filter((id, i) => ids.indexOf(id, i + 1) === -1)).toEqual(all);
    expect(stats.committed).toMatchObject({ id: String(ROWS) });
  });

  it('a failed read (also of the page read ahead) retries from the committed offset', async () => {
    const t = await setup('read');
    // the engine reads through readEach (rows mapped as they arrive)
    const real = t.source.readEach.bind(t.source);
    let calls = 0;
    t.source.readEach = async (offset: SourceOffset | null, max: number, to: RowConsumer) => {
      calls++;
      if (calls === 4 || calls === 7) {
        // fails after handing over part of the page: what was mapped of it must not be sent
        await real(offset, Math.max(1, Math.floor(max / 2)), to);
        throw Object.assign(new Error('injected: connection reset'), { code: 'ECONNRESET' });
      }
      return real(offset, max, to);
    };
    const stats = await runStream({ stream: 'notes', source: t.source, sink: t.sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, retryBaseMs: 1 });
    expect(t.ids()).toEqual(all);
    expect(stats.retries).toBe(2);
  });

  it('a statement error the database will repeat is not retried: the stream stops with it', async () => {
    const t = await setup('fatal');
    const broken = new QuerySource({ connection: `pglite:${path.join(t.dir, 'db')}`, table: 'no_such_table', timestamp: 'updated_at', id: 'id', delayMs: 0, name: 'notes' });
    await broken.open();
    opened.push(broken);
    await expect(runStream({ stream: 'notes', source: broken, sink: t.sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, retryBaseMs: 1 }))
      .rejects.toThrow(/no_such_table/);
  });

  it('a stop request finishes the batches in flight; the checkpoint is the last row written', async () => {
    const t = await setup('stop');
    const ctl = new AbortController();
    let batches = 0;
    const stats = await runStream({
      stream: 'notes', source: t.source, sink: t.sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10,
      once: false, signal: ctl.signal, onProgress: () => { if (++batches === 5) ctl.abort(); },
    });
    const ids = t.ids();
    // the stop came with batch 5's checkpoint; the batches sent behind it still complete, each once
    const done = Number((stats.committed as { id: string }).id);
    expect(done).toBeGreaterThanOrEqual(5 * BATCH);
    expect(done).toBeLessThanOrEqual((5 + MAX_REPEATED_BATCHES) * BATCH);
    expect(ids).toEqual(all.slice(0, done));
    expect(stats.committed).toMatchObject({ id: String(done) });
    expect(await t.checkpoints.load('notes')).toMatchObject({ id: String(done) });
    // resuming publishes the rest, nothing twice
    const rest = await runStream({ stream: 'notes', source: t.source, sink: t.sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true });
    expect(rest.read).toBe(ROWS - done);
    expect(t.ids()).toEqual(all);
  });

  it('a batch with slow dead letters is still handed to the sink before the batch after it', async () => {
    const t = await setup('dead-order');
    // two rows (in the 3rd and 11th batches) do not map; their dead letters take a while to become
    // durable, while the batches after them have none
    const bad = (id: number) => id % 500 === 150;
    const serialize: typeof t.serialize = (row) => {
      if (bad(Number(row.columns.id))) throw new MappingError('note', 'injected: does not fit');
      return t.serialize(row);
    };
    const firstIds: number[] = [];
    let sawNext: () => void = () => {};
    const deadLetter = new FileDeadLetter(path.join(t.dir, 'dead-slow.ndjson'));
    const write = deadLetter.write.bind(deadLetter);
    // a dead letter becomes durable only once the sink has been handed the batch after its own (or
    // after 2 s, should that never happen): handing a batch over only after its dead letters would
    // put the next batch first
    deadLetter.write = async (entries) => {
      const after = Math.max(...entries.map((e) => Number((e.row as { id: unknown }).id)));
      const nextStart = (Math.floor((after - 1) / BATCH) + 1) * BATCH + 1;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        sawNext = () => { if (firstIds.includes(nextStart)) { clearTimeout(timer); resolve(); } };
        sawNext();
      });
      await write(entries);
    };
    const sink: Sink = {
      describe: () => 'order', open: async () => {}, close: async () => {},
      send: async (records) => {
        firstIds.push(Number(records[0]!.key!.toString()));
        sawNext();
        await t.sink.send(records);
      },
    };
    const stats = await runStream({ stream: 'notes', source: t.source, sink, checkpoints: t.checkpoints, deadLetter, serialize, batchSize: BATCH, pollIntervalMs: 10, once: true });
    expect(firstIds).toEqual([...firstIds].sort((a, b) => a - b));
    expect(t.ids()).toEqual(all.filter((id) => !bad(id)));
    expect(stats.deadLettered).toBe(2);
    expect(stats.retries).toBe(0);
  });

  it('after a failed batch, nothing is read or sent again until every batch sent behind it has ended', async () => {
    const t = await setup('settle');
    let calls = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((r) => { open = r; });
    const events: string[] = [];
    const sink: Sink = {
      describe: () => 'gated', open: async () => {}, close: async () => {},
      send: async (records) => {
        const n = ++calls;
        events.push(`send ${n}`);
        if (n === 3) {
          // fails a little later, while send 4 is already on its way
          await new Promise((r) => setTimeout(r, 30));
          events.push('send 3 failed');
          throw new Error('injected failure of send 3');
        }
        if (n === 4) {
          await gate;
          events.push('send 4 ended');
        }
        await t.sink.send(records);
      },
    };
    const read = t.source.readEach.bind(t.source);
    t.source.readEach = async (offset, max, to) => {
      events.push('read');
      return read(offset, max, to);
    };
    setTimeout(() => open(), 300);
    const stats = await runStream({ stream: 'notes', source: t.source, sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, retryBaseMs: 1 });
    const failedAt = events.indexOf('send 3 failed');
    const endedAt = events.indexOf('send 4 ended');
    expect(failedAt).toBeGreaterThan(-1);
    expect(endedAt).toBeGreaterThan(failedAt);
    // between the failure and the end of send 4: no read, no send
    expect(events.slice(failedAt + 1, endedAt)).toEqual([]);
    expect(stats.retries).toBe(1);
    const ids = t.ids();
    expect(ids.filter((id, i) => ids.indexOf(id, i + 1) === -1)).toEqual(all);
  });

  it('a batch is not sent once an earlier one is known to have failed', async () => {
    const t = await setup('known');
    let calls = 0;
    const sink: Sink = {
      describe: () => 'fails', open: async () => {}, close: async () => {},
      // send 3 fails at once: by the time batch 4 is mapped the engine knows, and does not send it
      send: async (records) => {
        if (++calls === 3) throw new Error('injected failure of send 3');
        await t.sink.send(records);
      },
    };
    const stats = await runStream({ stream: 'notes', source: t.source, sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, retryBaseMs: 1 });
    expect(stats.retries).toBe(1);
    // nothing on the file twice: batch 4 never went out before the resend of batch 3
    expect(t.ids()).toEqual(all);
  });

  it('dry run maps every row and writes nothing: no records, no checkpoint', async () => {
    const t = await setup('dry');
    const stats = await runStream({ stream: 'notes', source: t.source, sink: t.sink, checkpoints: t.checkpoints, deadLetter: t.deadLetter, serialize: t.serialize, batchSize: BATCH, pollIntervalMs: 10, once: true, dryRun: true });
    expect(stats).toMatchObject({ read: ROWS, published: 0 });
    expect(() => readFileSync(t.out)).toThrow();
    expect(await t.checkpoints.load('notes')).toBeNull();
  });
});
