// The pure parts of trigger capture: names that fit the identifier limits, the generated DDL, drift
// judged against the columns the schema reads, and reading a stream's `source:`.
import { describe, expect, it } from 'vitest';
import { captureSpecOf, isTriggerStream } from '../../src/liberation/capture/config.js';
import { captureVersion, defaultChangeTable, fitName, objectNames, plan, type CaptureTarget, type ColumnInfo } from '../../src/liberation/capture/ddl.js';
import { compareColumns } from '../../src/liberation/capture/drift.js';
import type { CatalogStream } from '../../src/config/types.js';

const cols: ColumnInfo[] = [
  { name: 'id', type: 'bigint', nullable: false, position: 1 },
  { name: 'amount', type: 'decimal', nullable: false, position: 2 },
  { name: 'created', type: 'timestamp', nullable: true, position: 3 },
  { name: 'photo', type: 'blob', nullable: true, position: 4 },
  { name: "o'dd`name", type: 'varchar', nullable: true, position: 5 },
];

const target = (dialect: 'postgres' | 'mysql'): CaptureTarget => ({
  dialect, schema: 'shop', table: 'orders', changeTable: defaultChangeTable('orders'), key: ['id'], columns: cols, topic: 'shop.orders',
});

describe('names', () => {
  it('keeps short names and shortens long ones deterministically within 63 bytes', () => {
    expect(fitName('schemactl_ct_', 'orders')).toBe('schemactl_ct_orders');
    const long = 'x'.repeat(80);
    const a = fitName(`schemactl_ct_${long}`, '_trg');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(a.endsWith('_trg')).toBe(true);
    expect(fitName(`schemactl_ct_${long}`, '_trg')).toBe(a);
    expect(fitName(`schemactl_ct_${'x'.repeat(79)}y`, '_trg')).not.toBe(a);
  });

  it('names one trigger and a function on PostgreSQL, three triggers on MySQL', () => {
    expect(objectNames(target('postgres')).map((o) => o.kind)).toEqual(['table', 'function', 'trigger', 'trigger']);
    expect(objectNames(target('mysql')).map((o) => `${o.kind}:${o.name}`)).toEqual([
      'table:schemactl_ct_orders', 'trigger:schemactl_ct_orders_ins', 'trigger:schemactl_ct_orders_upd', 'trigger:schemactl_ct_orders_del',
    ]);
  });
});

describe('generated DDL', () => {
  it('PostgreSQL: one AFTER row trigger recording op, key, rows as jsonb and the writer xid; one statement trigger that notifies', () => {
    const p = plan(target('postgres'));
    const all = p.create.join('\n');
    expect(all).toContain('AFTER INSERT OR UPDATE OR DELETE ON "shop"."orders" FOR EACH ROW EXECUTE FUNCTION "shop"."schemactl_ct_orders_fn"()');
    expect(all).toContain('txid xid8 NOT NULL DEFAULT pg_current_xact_id()');
    expect(all).toContain(`-- schemactl capture v${captureVersion('postgres')}`);
    // one notification per statement (not per row) on the change table's channel
    expect(all).toContain('AFTER INSERT OR UPDATE OR DELETE ON "shop"."orders" FOR EACH STATEMENT EXECUTE FUNCTION "shop"."schemactl_ct_orders_fn"()');
    expect(all).toContain("IF TG_LEVEL = 'STATEMENT' THEN\n    PERFORM pg_notify('schemactl_ct_orders', '');");
    // a v1 install is upgraded in place by the trigger replacement
    expect(p.replaceTriggers.join('\n')).toContain('FOR EACH STATEMENT');
    expect(all).toContain("VALUES ('u', jsonb_build_object('id', NEW.\"id\"), to_jsonb(NEW), to_jsonb(OLD))");
    expect(all).toContain("VALUES ('d', jsonb_build_object('id', OLD.\"id\"), to_jsonb(OLD))");
    expect(p.drop).toEqual([
      'DROP TRIGGER IF EXISTS "schemactl_ct_orders_trg" ON "shop"."orders"',
      'DROP TRIGGER IF EXISTS "schemactl_ct_orders_ntf" ON "shop"."orders"',
      'DROP FUNCTION IF EXISTS "shop"."schemactl_ct_orders_fn"()',
      'DROP TABLE IF EXISTS "shop"."schemactl_ct_orders"',
    ]);
  });

  it('MySQL: every value as text (DECIMAL exact, TIMESTAMP in UTC, BLOB as hex), identifiers quoted', () => {
    const p = plan(target('mysql'));
    const upd = p.create.find((s) => s.includes('AFTER UPDATE'))!;
    expect(upd).toContain("'amount', CAST(NEW.`amount` AS CHAR CHARACTER SET utf8mb4)");
    expect(upd).toContain("'created', DATE_FORMAT(CONVERT_TZ(NEW.`created`, @@session.time_zone, '+00:00'), '%Y-%m-%d %H:%i:%s.%f')");
    expect(upd).toContain("'photo', CONCAT(CHAR(92 USING utf8mb4), 'x', LOWER(HEX(NEW.`photo`)))");
    expect(upd).toContain("'o''dd`name', CAST(NEW.`o'dd``name` AS CHAR CHARACTER SET utf8mb4)");
    expect(upd).toContain('JSON_OBJECT(\'id\', CAST(OLD.`id` AS CHAR CHARACTER SET utf8mb4)');
    expect(p.create.filter((s) => s.startsWith('CREATE OR REPLACE TRIGGER'))).toHaveLength(3);
  });

  it('changes the fingerprint when the columns change (MySQL triggers list them) but not on PostgreSQL', () => {
    const fewer = (d: 'postgres' | 'mysql') => plan({ ...target(d), columns: cols.slice(0, 2) }).fingerprint;
    expect(fewer('mysql')).not.toBe(plan(target('mysql')).fingerprint);
    expect(fewer('postgres')).toBe(plan(target('postgres')).fingerprint);
  });
});

describe('drift', () => {
  const recorded = cols.slice(0, 3);
  it('is quiet when nothing changed', () => {
    expect(compareColumns(recorded, recorded, ['id', 'amount'], false)).toEqual({ changed: false, findings: [] });
  });

  it('breaks on a dropped, retyped or newly nullable column the schema reads; notes the rest', () => {
    const now: ColumnInfo[] = [
      { name: 'id', type: 'bigint', nullable: true, position: 1 },
      { name: 'created', type: 'text', nullable: true, position: 3 },
      { name: 'added', type: 'int', nullable: true, position: 4 },
    ];
    const d = compareColumns(recorded, now, ['id', 'amount'], false);
    expect(d.findings.map((f) => [f.column, f.breaking])).toEqual([['id', true], ['amount', true], ['created', false], ['added', false]]);
    expect(d.findings[1]!.message).toMatch(/dropped or renamed, but the stream's schema reads it/);
  });

  it('treats any dropped column as breaking where triggers name each column', () => {
    const d = compareColumns(recorded, recorded.slice(0, 2), ['id'], true);
    expect(d.findings).toEqual([expect.objectContaining({ column: 'created', breaking: true })]);
    expect(d.findings[0]!.message).toMatch(/will fail on every write/);
  });

  it('treats every recorded column as read when the schema is unknown', () => {
    expect(compareColumns(recorded, recorded.slice(0, 2), undefined, false).findings[0]!.breaking).toBe(true);
  });
});

describe('source spec', () => {
  const stream = (source: Record<string, unknown>): CatalogStream => ({ topic: 'shop.orders', kind: 'store', schemas: [], source, loc: { line: 7, column: 5, endLine: 12, endColumn: 1 } });

  it('reads a triggers source', () => {
    expect(isTriggerStream(stream({ pattern: 'triggers' }))).toBe(true);
    expect(isTriggerStream(stream({ pattern: 'query' }))).toBe(false);
    expect(captureSpecOf(stream({ pattern: 'triggers', connection: 'postgres://u@h/db', table: 'shop.orders', key: 'id' }), 'schemactl.yaml')).toEqual({
      spec: { connection: 'postgres://u@h/db', table: 'shop.orders', name: 'shop.orders', key: ['id'] }, problems: [],
    });
  });

  it('reports every problem at the stream', () => {
    const r = captureSpecOf(stream({ pattern: 'triggers', connection: 'oracle://x', key: [], delay_ms: -1 }), 'schemactl.yaml');
    expect(r.spec).toBeUndefined();
    expect(r.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`)).toEqual([
      'schemactl.yaml:7:5: stream shop.orders: source.table is required for pattern: triggers',
      expect.stringMatching(/^schemactl\.yaml:7:5: stream shop\.orders: unsupported connection string oracle:\/\/x: use postgres:\/\//),
      'schemactl.yaml:7:5: stream shop.orders: source.key must be a column name or a list of column names',
      'schemactl.yaml:7:5: stream shop.orders: source.delay_ms must be a number of milliseconds ≥ 0',
    ]);
  });
});
