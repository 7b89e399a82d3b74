// Governed schema drift through the built `schemactl publish` binary, pattern: log, on a throwaway
// wal_level=logical cluster with a real broker and the embedded registry:
//  1. a read column dropped while streaming stops the stream (the DDL and LSN shown); a restart with
//     the same schema stops again; a schema version giving the field a default (registered by the
//     gate) resumes, and the rows written meanwhile arrive carrying the default;
//  2. a read column retyped while the publisher is stopped stops the next start with the DDL shown,
//     nothing dead-lettered; a schema version whose field takes the new type resumes, and the rows
//     arrive exactly (oracle: the last event per key against the table).
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedKafka, type SharedKafka } from '../support/shared-kafka.js';
import { startPgCluster, type PgCluster } from '../support/pg-cluster.js';
import { buildPublisherCli, readTopic, runPublisher, spawnPublisher, tempDir, writeFiles, type TopicMessage } from '../support/publisher.js';

const TOPIC = 'shop.items';
const field = (name: string, type: unknown, extra: Record<string, unknown> = {}) => ({ name, type, doc: `The ${name}.`, ...extra });
const schema = (qty: unknown, label: Record<string, unknown> | null) => ({
  type: 'record', name: 'ItemChanged', namespace: 'com.acme.shop.v1', doc: 'An item changed.',
  fields: [field('id', 'long'), field('qty', qty), ...(label ? [label] : []), field('updated_at', { type: 'long', logicalType: 'timestamp-micros' })],
});
const V1 = schema('long', field('label', 'string'));
const V2 = schema('long', field('label', 'string', { default: '(none)' }));
const V3 = schema(['long', 'string'], field('label', 'string', { default: '(none)' }));

let cluster: PgCluster;
let broker: SharedKafka;
let dir: string;

beforeAll(async () => {
  dir = tempDir('drift-cli');
  // one after the other: the build and the broker's storage format block the event loop (synchronous
  // child processes), which under load outlasts the cluster's start-up poll
  await buildPublisherCli();
  cluster = await startPgCluster();
  broker = await sharedKafka();
  cluster.psql("CREATE TABLE items (id bigint PRIMARY KEY, qty bigint NOT NULL, label text NOT NULL, updated_at timestamptz NOT NULL DEFAULT '2026-01-01 00:00:00+00')");
  cluster.psql("INSERT INTO items SELECT g, g * 10, 'item ' || g FROM generate_series(1, 5) g");
  writeFiles(dir, {
    'schemactl.yaml': ['streams:', `  - topic: ${TOPIC}`, '    kind: store', '    schema: item.avsc', '    key: id', '    source:',
      `      connection: ${cluster.url}`, '      pattern: log', '      table: items', '      slot: shop_items', ''].join('\n'),
  });
  useSchema(V1);
}, 480_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), broker?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function useSchema(s: object): void {
  writeFileSync(join(dir, 'item.avsc'), JSON.stringify(s, null, 2));
}

const publish = (once = true) => runPublisher([...(once ? ['--once'] : []), '--brokers', broker.bootstrap, '--log-format', 'json'], { cwd: dir, timeoutMs: 90_000 });

function summary(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'summary');
  return ((line?.streams as Array<Record<string, unknown>>) ?? [])[0] ?? {};
}

function deadLetters(): string[] {
  const d = join(dir, '.schemactl/dead-letter');
  return existsSync(d) ? readdirSync(d) : [];
}

/** Decode every event by its schema id: ids are registered in the order V1, V2, V3. */
function decodeAll(msgs: TopicMessage[], versions: object[]): Array<{ key: string; id: number; value: Record<string, unknown> | null }> {
  const ids = [...new Set(msgs.filter((m) => m.value).map((m) => m.value!.readInt32BE(1)))].sort((a, b) => a - b);
  const types = new Map(ids.map((id, i) => [id, avro.Type.forSchema(versions[i] as avro.Schema)]));
  return msgs.map((m) => ({
    key: m.key!.toString(),
    id: m.value ? m.value.readInt32BE(1) : 0,
    value: m.value ? (types.get(m.value.readInt32BE(1))!.fromBuffer(m.value.subarray(5)) as Record<string, unknown>) : null,
  }));
}

describe('schema drift through schemactl publish (pattern: log)', () => {
  it('dropped read column: stops while streaming and again on restart; a default registered by the gate resumes with the default filled', async () => {
    const first = await publish();
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(summary(first.stdout)).toMatchObject({ published: 5 });

    const running = spawnPublisher(['--brokers', broker.bootstrap, '--log-format', 'json'], { cwd: dir });
    // let it reach the stream before the change
    for (let i = 0; i < 100 && !running.output().stdout.includes('"streaming"'); i++) await new Promise((r) => setTimeout(r, 100));
    cluster.psql('ALTER TABLE items DROP COLUMN label');
    cluster.psql('INSERT INTO items SELECT g, g * 10 FROM generate_series(6, 25) g');
    const stopped = await Promise.race([running.done, new Promise<null>((r) => setTimeout(() => r(null), 60_000))]);
    if (!stopped) running.child.kill('SIGKILL');
    expect(stopped?.code, running.output().stdout + running.output().stderr).toBe(2);
    const said = stopped!.stdout + stopped!.stderr;
    expect(said).toMatch(/table public\.items changed before the transaction at LSN [0-9A-F]+\/[0-9A-F]+ \(label: text → \(dropped\)\)\. Nothing of the new shape was published; the slot keeps every change from [0-9A-F]+\/[0-9A-F]+\. label: the field has no default\. To resume: register a schema version that drops the field or gives it a default; then publish again/);

    // the same schema: the next start stops on the same change
    const again = await publish();
    expect(again.code).toBe(2);
    expect(again.stdout + again.stderr).toMatch(/label: text → \(dropped\)/);

    // the remedy the message names: a default, registered as a new version by the gate
    useSchema(V2);
    const resumed = await publish();
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(summary(resumed.stdout)).toMatchObject({ published: 20, deadLettered: 0 });
    const events = decodeAll(await readTopic(broker.bootstrap, TOPIC), [V1, V2]);
    expect(events.map((e) => e.key)).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(new Set(events.slice(0, 5).map((e) => e.id)).size).toBe(1);
    expect(events[5]!.id).toBeGreaterThan(events[0]!.id);
    expect(events.slice(5).map((e) => ({ id: e.value!.id, qty: e.value!.qty, label: e.value!.label }))).toEqual(Array.from({ length: 20 }, (_, i) => ({ id: i + 6, qty: (i + 6) * 10, label: '(none)' })));
    expect(deadLetters()).toEqual([]);
  }, 150_000);

  it('retyped while stopped: the start stops with the DDL, nothing dead-lettered; a schema taking the new type delivers every row exactly', async () => {
    cluster.psql('ALTER TABLE items ALTER COLUMN qty TYPE numeric(20,2)');
    cluster.psql("INSERT INTO items VALUES (26, 7.00), (27, 12.50), (28, 999999999999999999.99); UPDATE items SET qty = 3.25 WHERE id = 1");
    const stopped = await publish();
    expect(stopped.code, stopped.stdout + stopped.stderr).toBe(2);
    expect(stopped.stdout + stopped.stderr).toMatch(/table public\.items changed while the publisher was stopped \(qty: bigint → numeric\(20,2\)\)\. Nothing was published past LSN [0-9A-F]+\/[0-9A-F]+; the slot keeps every change from there\. qty: a numeric\(20,2\) value '999999999999999999\.99' does not map into the field/);
    // stopped before reading a row: nothing published, nothing dead-lettered
    expect(summary(stopped.stdout)).toMatchObject({ status: 'failed', committed: null });
    expect(deadLetters()).toEqual([]);
    expect(await readTopic(broker.bootstrap, TOPIC)).toHaveLength(25);

    // a BACKWARD-compatible version whose field takes numeric(20,2) values as text
    useSchema(V3);
    const resumed = await publish();
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(summary(resumed.stdout)).toMatchObject({ published: 4, deadLettered: 0 });
    expect(deadLetters()).toEqual([]);

    // oracle: the last event per key against the table, qty as the exact decimal text
    const last = new Map<string, Record<string, unknown>>();
    for (const e of decodeAll(await readTopic(broker.bootstrap, TOPIC), [V1, V2, V3])) last.set(e.key, e.value!);
    const rows = cluster.psql('SELECT id, qty FROM items ORDER BY id').trim().split('\n').map((l) => l.split('|'));
    expect(rows).toHaveLength(28);
    expect([...last.keys()].sort((a, b) => Number(a) - Number(b))).toEqual(rows.map(([id]) => id));
    const asText = (q: unknown) => (typeof q === 'object' && q !== null ? String(Object.values(q)[0]) : String(q));
    for (const [id, qty] of rows) {
      const got = asText(last.get(id!)!.qty);
      // events published before the retype carry the long; the ones after it the numeric's exact text
      if (Number(id) === 1 || Number(id) > 25) expect(got, `id ${id}`).toBe(qty);
      else expect(`${got}.00`, `id ${id}`).toBe(qty);
    }
    expect(last.get('27')).toMatchObject({ id: 27, qty: '12.50', label: '(none)' });
  }, 150_000);
});
