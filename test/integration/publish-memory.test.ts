// The publisher's memory does not follow the table: the real `schemactl publish` binary at default
// settings (batch size, lz4 compression) publishes a 100,000-row and a 500,000-row PostgreSQL table to a
// real Kafka broker, and its peak RSS (the kernel's high-water mark, VmHWM) for the larger table stays
// within 10 % of the smaller one's. Without a bound on V8's heap growth the first full collection came
// after ~70,000 rows and the larger run peaked higher (50,000 vs 300,000 rows: 185 vs 226 MiB, +22 %;
// with the bound 178 vs 182 MiB; bench/publish/memory.mjs has the method). The smaller run is 100,000
// rows, not fewer: the publisher's two threads reach their working size within the first ~100,000 rows,
// and with pipelined produce requests 50,000 rows take about a third of a second (a clean-clone CI run
// measured 182 vs 201 MiB at 50,000 vs 300,000 rows; the bench, 190–200 MiB at 100,000 rows and 193–209
// MiB at 1,000,000).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafka, type KafkaBroker } from '../support/kafka.js';
import { buildPublisherCli, PG_URL, spawnPublisher, tempDir, writeFiles } from '../support/publisher.js';

const SMALL = 100_000;
const LARGE = 500_000;
const sfx = `${process.pid % 100000}_${Date.now() % 100000}`;
const tables: Record<number, string> = { [SMALL]: `pub_mem_small_${sfx}`, [LARGE]: `pub_mem_large_${sfx}` };
let broker: KafkaBroker;
let admin: pg.Client;
let work: string;

// ~200-byte events: int8, uuid, decimal, enum, 120 characters of text, two µs instants
const schema = JSON.stringify({
  type: 'record', name: 'EntryBooked', namespace: 'com.acme.memory.v1', doc: 'A ledger entry was booked.',
  fields: [
    { name: 'id', type: 'long', doc: 'Entry id.' },
    { name: 'account_id', type: { type: 'string', logicalType: 'uuid' }, doc: 'Account.' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }, doc: 'Amount.' },
    { name: 'status', type: { type: 'enum', name: 'EntryStatus', symbols: ['UNKNOWN', 'PENDING', 'BOOKED', 'REVERSED'], default: 'UNKNOWN', doc: 'State.' }, default: 'UNKNOWN', doc: 'State.' },
    { name: 'description', type: 'string', doc: 'Text.' },
    { name: 'occurred_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When it happened.' },
    { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When written.' },
  ],
}, null, 2);

async function fill(table: string, rows: number): Promise<void> {
  await admin.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, account_id uuid NOT NULL, amount numeric(12,2) NOT NULL, status text NOT NULL,
    description text NOT NULL, occurred_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
  await admin.query(`INSERT INTO ${table}
    SELECT g, md5(g::text)::uuid, (g % 100000) / 100.0, (ARRAY['PENDING','BOOKED','REVERSED'])[1 + g % 3],
           repeat(md5((g * 7)::text), 4) || left(md5(g::text), 8), '2024-01-01 00:00:00+00'::timestamptz + g * interval '17 microseconds',
           '2024-01-01 00:00:00+00'::timestamptz + (g / 3) * interval '1 microsecond'
    FROM generate_series(1, ${rows}) g`);
  await admin.query(`CREATE INDEX ON ${table} (updated_at, id)`);
  await admin.query(`ANALYZE ${table}`);
}

/** `publish --once` of one table at default settings; its peak RSS in MiB, read from /proc until it exits. */
async function peakRss(rows: number): Promise<{ peakMiB: number; published: number }> {
  const dir = path.join(work, `p${rows}`);
  writeFiles(dir, {
    'entry.avsc': schema,
    'schemactl.yaml': `streams:\n  - topic: memory-${rows}-${sfx}\n    kind: store\n    schema: entry.avsc\n    key: id\n    source:\n      connection: ${PG_URL}\n      table: ${tables[rows]}\n`,
  });
  const p = spawnPublisher(['--once', '--brokers', broker.bootstrap, '--log-format', 'json'], { cwd: dir });
  let hwmKb = 0;
  const sample = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
      if (m) hwmKb = Math.max(hwmKb, Number(m[1]));
    } catch {
      // exited between two samples
    }
  }, 25);
  const kill = setTimeout(() => p.child.kill('SIGKILL'), 150_000);
  const r = await p.done.finally(() => { clearInterval(sample); clearTimeout(kill); });
  expect(r.code, r.stderr + r.stdout.slice(-2000)).toBe(0);
  const summary = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg?: string; streams?: Array<{ published: number }> }).find((l) => l.msg === 'summary');
  return { peakMiB: hwmKb / 1024, published: summary?.streams?.[0]?.published ?? -1 };
}

// VmHWM comes from Linux's /proc
describe.skipIf(process.platform !== 'linux')('publish memory', () => {
  beforeAll(async () => {
    work = tempDir('publish-memory');
    admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    // one client: the two tables are filled one after the other, beside the broker's start and the build
    const filled = (async () => { await fill(tables[SMALL]!, SMALL); await fill(tables[LARGE]!, LARGE); })();
    [broker] = await Promise.all([startKafka({ workDir: path.join(work, 'kafka') }), buildPublisherCli(), filled]);
  }, 300_000);

  afterAll(async () => {
    for (const t of Object.values(tables)) await admin?.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {});
    await admin?.end();
    await broker?.stop();
  });

  it(`peak RSS at ${LARGE.toLocaleString('en-US')} rows stays within 10 % of ${SMALL.toLocaleString('en-US')} rows at default settings`, async () => {
    const small = await peakRss(SMALL);
    const large = await peakRss(LARGE);
    expect(small.published).toBe(SMALL);
    expect(large.published).toBe(LARGE);
    expect(large.peakMiB, `peak RSS ${large.peakMiB.toFixed(0)} MiB at ${LARGE} rows vs ${small.peakMiB.toFixed(0)} MiB at ${SMALL}`).toBeLessThanOrEqual(small.peakMiB * 1.1);
  }, 300_000);
});
