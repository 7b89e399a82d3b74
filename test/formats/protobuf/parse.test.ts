import { describe, expect, it } from 'vitest';
import { parseProto, resolveTypeName, WELL_KNOWN_FILES } from '../../../src/formats/protobuf/index.js';
import type { Field, TypeNode } from '../../../src/model/types.js';
import { corpus } from './corpus.js';
import { enumType, field, message, parseOk, rangeOf } from './helpers.js';

function typeSummary(t: TypeNode): string {
  switch (t.kind) {
    case 'primitive': return t.name;
    case 'ref': return `${t.resolved ? '' : '?'}${t.fullName}`;
    case 'map': return `map<${typeSummary(t.keys)},${typeSummary(t.values)}>`;
    default: return t.kind;
  }
}
const summary = (f: Field): string => `${f.label} ${typeSummary(f.type)} ${f.name} = ${f.number}${f.oneof ? ` in ${f.oneof}` : ''}`;

describe('parseProto on the realistic corpus', () => {
  it.each(Object.keys(corpus))('%s parses without problems', (file) => {
    const { result } = parseOk(corpus[file] as string, file);
    expect(result.problems).toEqual([]);
  });

  it('models an order event: labels, types, oneofs, maps, nested types, reserved', () => {
    const text = corpus['acme/orders/v1/order_placed.proto'] as string;
    const { doc } = parseOk(text, 'order_placed.proto');
    expect(doc.syntax).toBe('proto3');
    expect(doc.namespace).toBe('acme.orders.v1');
    expect(doc.packageLoc).toEqual(rangeOf(text, 'package acme.orders.v1;'));
    expect(doc.options).toEqual({ java_multiple_files: true });
    expect(doc.topLevel).toEqual(['acme.orders.v1.OrderPlaced', 'acme.orders.v1.OrderStatus']);
    expect(doc.types.map((t) => t.fullName)).toEqual([
      'acme.orders.v1.OrderPlaced',
      'acme.orders.v1.OrderPlaced.LineItem',
      'acme.orders.v1.OrderPlaced.LineItem.Kind',
      'acme.orders.v1.OrderPlaced.CardPayment',
      'acme.orders.v1.OrderPlaced.BankTransfer',
      'acme.orders.v1.OrderStatus',
    ]);
    const m = message(doc, 'acme.orders.v1.OrderPlaced');
    expect(m.doc).toBe('Emitted once when a customer places an order.');
    expect(m.path).toBe('/messages/OrderPlaced');
    expect(m.nameLoc).toEqual(rangeOf(text, 'message «OrderPlaced»'));
    expect(m.fields.map(summary)).toEqual([
      'singular string order_id = 1',
      'singular string customer_id = 2',
      'singular acme.orders.v1.OrderStatus status = 3',
      'repeated acme.orders.v1.OrderPlaced.LineItem items = 4',
      'repeated map<string,string> attributes = 5',
      'singular acme.common.v1.Amount total = 6',
      'singular google.type.Money shipping_cost = 7',
      'singular acme.common.v1.Address ship_to = 8',
      'optional acme.orders.v1.OrderPlaced.CardPayment card = 10 in payment',
      'optional acme.orders.v1.OrderPlaced.BankTransfer bank_transfer = 11 in payment',
      'optional string coupon_code = 12',
      'singular google.protobuf.Timestamp updated_at = 15',
      'singular acme.common.v1.Audit audit = 16',
    ]);
    // proto3 `optional` is a synthetic oneof in descriptors, never a real one
    expect(m.oneofs).toEqual([{ name: 'payment', fields: [10, 11], path: '/messages/OrderPlaced/oneofs/payment', loc: rangeOf(text, 'oneof payment {\n    CardPayment card = 10;\n    BankTransfer bank_transfer = 11 [deprecated = true];\n  }') }]);
    expect(m.reserved).toEqual({ ranges: [[9, 9], [13, 14]], names: ['legacy_total'], loc: rangeOf(text, 'reserved 9, 13 to 14;') });

    const orderId = field(m, 'order_id');
    expect(orderId.doc).toBe('Unique order id (UUID).');
    expect(orderId.path).toBe('/messages/OrderPlaced/fields/1');
    expect(orderId.loc).toEqual(rangeOf(text, 'string order_id = 1;'));
    expect(orderId.nameLoc).toEqual(rangeOf(text, 'string «order_id» = 1;'));
    expect(orderId.type).toEqual({ kind: 'primitive', name: 'string', path: '/messages/OrderPlaced/fields/1/type', loc: rangeOf(text, '«string» order_id') });

    const bank = field(m, 'bank_transfer');
    expect(bank.options).toEqual({ deprecated: true });
    expect(bank.loc).toEqual(rangeOf(text, 'BankTransfer bank_transfer = 11 [deprecated = true];'));

    const status = field(m, 'status');
    expect(status.type).toMatchObject({ kind: 'ref', written: 'OrderStatus', fullName: 'acme.orders.v1.OrderStatus', resolved: true });
    // an enum used as a field type is a reference to the EnumType
    expect(enumType(doc, 'acme.orders.v1.OrderStatus').symbols.map((s) => [s.name, s.number])).toEqual([
      ['ORDER_STATUS_UNSPECIFIED', 0], ['ORDER_STATUS_PLACED', 1], ['ORDER_STATUS_PAID', 2], ['ORDER_STATUS_SHIPPED', 3],
    ]);
    const attrs = field(m, 'attributes');
    expect(attrs.type).toMatchObject({ kind: 'map', path: '/messages/OrderPlaced/fields/5/type', loc: rangeOf(text, '«map<string, string>» attributes'), keys: { name: 'string', path: '/messages/OrderPlaced/fields/5/type/keys' } });

    const audit = field(m, 'audit');
    expect(audit.type).toMatchObject({ written: '.acme.common.v1.Audit', fullName: 'acme.common.v1.Audit', loc: rangeOf(text, '«.acme.common.v1.Audit» audit') });

    const item = message(doc, 'acme.orders.v1.OrderPlaced.LineItem');
    expect(item.parent).toBe('acme.orders.v1.OrderPlaced');
    expect(item.path).toBe('/messages/OrderPlaced/messages/LineItem');
    expect(field(item, 'kind').type).toMatchObject({ fullName: 'acme.orders.v1.OrderPlaced.LineItem.Kind', resolved: true });
    expect(field(item, 'kind').path).toBe('/messages/OrderPlaced/messages/LineItem/fields/4');
    const kind = enumType(doc, 'acme.orders.v1.OrderPlaced.LineItem.Kind');
    expect(kind.path).toBe('/messages/OrderPlaced/messages/LineItem/enums/Kind');
    expect(kind.symbols[1]).toEqual({ name: 'PHYSICAL', number: 1, path: '/messages/OrderPlaced/messages/LineItem/enums/Kind/values/PHYSICAL', loc: rangeOf(text, 'PHYSICAL = 1;') });

    const st = enumType(doc, 'acme.orders.v1.OrderStatus');
    expect(st.path).toBe('/enums/OrderStatus');
    expect(st.reserved).toEqual({ ranges: [[4, 4], [6, 8]], names: ['ORDER_STATUS_LOST'], loc: rangeOf(text, 'reserved 4, 6 to 8;') });
    expect(st.loc.line).toBe(rangeOf(text, 'enum OrderStatus').line);
    expect(st.loc.endLine).toBe(text.split('\n').length - 1);

    // imports: public re-exports of all.proto are visible, non-public imports of imports are not
    expect(doc.imports.map((i) => [i.path, i.resolved, i.kind])).toEqual([
      ['google/protobuf/timestamp.proto', true, undefined],
      ['google/type/money.proto', true, undefined],
      ['acme/common/v1/all.proto', true, undefined],
    ]);
    expect([...doc.importedTypes.keys()].sort()).toEqual([
      'acme.common.v1.Address', 'acme.common.v1.Amount', 'acme.common.v1.Audit', 'google.protobuf.Timestamp', 'google.type.Money',
    ]);
  });

  it('models proto2 groups, defaults, extensions, extend blocks and services', () => {
    const text = corpus['legacy/inventory.proto'] as string;
    const { doc } = parseOk(text, 'inventory.proto');
    expect(doc.syntax).toBe('proto2');
    const m = message(doc, 'legacy.inventory.StockAdjusted');
    expect(m.fields.map(summary)).toEqual([
      'required string sku = 1',
      'optional int32 delta = 2',
      'optional string reason = 3',
      'repeated legacy.inventory.StockAdjusted.Batch batch = 4',
      'optional legacy.inventory.StockAdjusted.Warehouse warehouse = 7',
      'optional double ratio = 8',
    ]);
    expect(field(m, 'sku').options).toEqual({ '(pii)': false });
    expect(field(m, 'delta')).toMatchObject({ hasDefault: true, default: -1 });
    expect(field(m, 'reason')).toMatchObject({ hasDefault: true, default: 'manual' });
    expect(field(m, 'warehouse')).toMatchObject({ hasDefault: true, default: 'WAREHOUSE_MAIN' });
    expect(field(m, 'ratio').default).toBe(Infinity);
    const batch = message(doc, 'legacy.inventory.StockAdjusted.Batch');
    expect(batch.fields.map(summary)).toEqual(['required string batch_id = 5', 'optional int64 quantity = 6']);
    expect(batch.path).toBe('/messages/StockAdjusted/messages/Batch');
    expect(field(m, 'batch').loc.endLine).toBe(rangeOf(text, '    optional int64 quantity = 6;\n  }').endLine);
    // extension fields belong to the extendee, not to this file's messages
    expect(doc.types.map((t) => t.fullName)).toEqual(['legacy.inventory.StockAdjusted', 'legacy.inventory.StockAdjusted.Batch', 'legacy.inventory.StockAdjusted.Warehouse']);
    expect(doc.importedTypes.has('google.protobuf.FieldOptions')).toBe(true);
  });

  it('derives editions field presence from file, message and field features', () => {
    const text = corpus['acme/billing/v1/invoice.proto'] as string;
    const { doc } = parseOk(text, 'invoice.proto');
    expect(doc.syntax).toBe('editions');
    expect(doc.options).toEqual({ 'features.field_presence': 'EXPLICIT' });
    const m = message(doc, 'acme.billing.v1.InvoiceIssued');
    expect(m.fields.map(summary)).toEqual([
      'optional string invoice_id = 1',
      'singular int64 amount_minor = 2',
      'required string legacy_code = 3',
      'repeated string lines = 4',
      'optional google.protobuf.Timestamp updated_at = 5',
    ]);
    expect(m.reserved?.names).toEqual(['old_amount', 'old_currency']);
    const note = message(doc, 'acme.billing.v1.InvoiceIssued.Note');
    expect(note.attributes).toEqual({ 'features.field_presence': 'IMPLICIT' });
    expect(field(note, 'text').label).toBe('singular');
    const { doc: implicitFile } = parseOk('edition = "2023";\noption features = { field_presence: IMPLICIT };\nmessage A { string a = 1; }');
    expect(field(message(implicitFile, 'A'), 'a').label).toBe('singular');
  });

  it('keeps block comment docs without decoration and every scalar type', () => {
    const text = corpus['acme/users/v1/user.proto'] as string;
    const { doc } = parseOk(text);
    const m = message(doc, 'acme.users.v1.UserProfileUpdated');
    expect(m.doc).toBe('A user changed their profile.\nCarries the changed fields only.');
    expect(m.oneofs.map((o) => [o.name, o.fields])).toEqual([['contact', [19, 20]], ['locale', [21]]]);
    expect(field(m, 'preferred_day').type).toMatchObject({ fullName: 'google.type.DayOfWeek', resolved: true });
    expect(enumType(doc, 'google.type.Month').symbols).toHaveLength(13);
  });

  it.each([...WELL_KNOWN_FILES.keys()])('well-known import %s resolves offline', (p) => {
    const r = parseProto(`syntax = "proto3";\nimport "${p}";\nmessage A {}`, 'a.proto');
    expect(r.ok && r.problems).toEqual([]);
    expect(r.ok && r.document.imports[0]?.resolved).toBe(true);
    expect(r.ok && r.document.importedTypes.size).toBeGreaterThan(0);
  });

  it('collects disable directives for the next line, with rule ids and reason', () => {
    const text = [
      'syntax = "proto3";',
      '// The event.',
      '// schemactl-disable-next-line prefer-enum, require-updated-at -- legacy topic',
      'message A {',
      '  // schemactl-disable-next-line',
      '  string status = 1;',
      '}',
    ].join('\n');
    const { doc } = parseOk(text);
    expect(doc.disableDirectives).toEqual([
      { line: 4, ruleIds: ['prefer-enum', 'require-updated-at'], reason: 'legacy topic', loc: rangeOf(text, '// schemactl-disable-next-line prefer-enum, require-updated-at -- legacy topic') },
      { line: 6, ruleIds: [], loc: rangeOf(text, '  «// schemactl-disable-next-line»\n') },
    ]);
    // the directive does not cut the doc comment off, and is not part of it
    expect(message(doc, 'A').doc).toBe('The event.');
    expect(field(message(doc, 'A'), 'status').doc).toBeUndefined();
  });

  it('parses options: aggregates, custom names, string concatenation, signed and special numbers', () => {
    const text = `syntax = "proto3";
package p;
option (acme.file_meta) = { owner: "team-orders" tags: ["a", "b"] nested { level: 2 } nested { level: 3 } [ext.x]: 1 };
option java_package = "com." "acme"
  ".orders";
message A {
  option (acme.msg).topic = "orders.v1";
  int32 a = 1 [(acme.field).sub.deep = -0x10, json_name = "aa", (.acme.bounds) = { min: -1.5e3 max: inf }];
  double b = 2 [(x) = nan, (y) = 017, (z) = .5];
}`;
    const { doc } = parseOk(text);
    expect(doc.options).toEqual({
      '(acme.file_meta)': { owner: 'team-orders', tags: ['a', 'b'], nested: [{ level: 2 }, { level: 3 }], '[ext.x]': 1 },
      java_package: 'com.acme.orders',
    });
    const a = message(doc, 'p.A');
    expect(a.attributes).toEqual({ '(acme.msg).topic': 'orders.v1' });
    expect(field(a, 'a').options).toEqual({ '(acme.field).sub.deep': -16, json_name: 'aa', '(.acme.bounds)': { min: -1500, max: Infinity } });
    const b = field(a, 'b').options ?? {};
    expect(Number.isNaN(b['(x)'])).toBe(true);
    expect(b['(y)']).toBe(15);
    expect(b['(z)']).toBe(0.5);
  });

  it('treats a file without a syntax statement as proto2', () => {
    const { doc } = parseOk('message A { optional int32 a = 1; }');
    expect(doc.syntax).toBe('proto2');
    expect(doc.namespace).toBe('');
    expect(field(message(doc, 'A'), 'a').label).toBe('optional');
  });

  it('keeps field names exactly as written', () => {
    const { doc } = parseOk('syntax = "proto3"; message A { string Weird_Name_x = 1; string camelCase = 2; string snake_case_2 = 3; }');
    expect(message(doc, 'A').fields.map((f) => f.name)).toEqual(['Weird_Name_x', 'camelCase', 'snake_case_2']);
  });

  it('reports the location of a field spanning several lines', () => {
    const text = 'syntax = "proto3";\nmessage A {\n  repeated\n    string\n      tags = 7\n  [deprecated = true];\n}';
    const f = field(message(parseOk(text).doc, 'A'), 'tags');
    expect(f.loc).toEqual({ line: 3, column: 3, endLine: 6, endColumn: 23 });
    expect(f.nameLoc).toEqual({ line: 5, column: 7, endLine: 5, endColumn: 11 });
    expect(f.label).toBe('repeated');
  });

  it('supports deep (but bounded) nesting and hex/octal field numbers', () => {
    let body = 'int32 x = 0x1F;';
    for (let k = 9; k >= 0; k--) body = `message M${k} { ${body} }`;
    const { doc } = parseOk(`syntax = "proto3"; package deep; ${body}`);
    expect(doc.types).toHaveLength(10);
    const inner = message(doc, 'deep.M0.M1.M2.M3.M4.M5.M6.M7.M8.M9');
    expect(inner.path).toBe('/messages/M0/messages/M1/messages/M2/messages/M3/messages/M4/messages/M5/messages/M6/messages/M7/messages/M8/messages/M9');
    expect(inner.fields[0]?.number).toBe(31);
    expect(inner.fields[0]?.path).toBe(`${inner.path}/fields/31`);
  });
});

describe('type resolution follows protobuf scoping', () => {
  const text = `syntax = "proto3";
package a.b;
message Outer {
  message Inner { message Deep {} }
  message Sibling {
    Inner inner = 1;
    Inner.Deep deep = 2;
    Outer.Inner qualified = 3;
    b.Outer from_package = 4;
    .a.b.Outer absolute = 5;
    Top top = 6;
    Sibling self = 7;
  }
  // shadows the top-level Top inside Outer
  message Top {}
  Top top = 1;
}
message Top {}
message User { Top top = 1; }
`;
  const { doc } = parseOk(text);
  it.each([
    ['a.b.Outer.Sibling', 'inner', 'a.b.Outer.Inner'],
    ['a.b.Outer.Sibling', 'deep', 'a.b.Outer.Inner.Deep'],
    ['a.b.Outer.Sibling', 'qualified', 'a.b.Outer.Inner'],
    ['a.b.Outer.Sibling', 'from_package', 'a.b.Outer'],
    ['a.b.Outer.Sibling', 'absolute', 'a.b.Outer'],
    ['a.b.Outer.Sibling', 'top', 'a.b.Outer.Top'],
    ['a.b.Outer.Sibling', 'self', 'a.b.Outer.Sibling'],
    ['a.b.Outer', 'top', 'a.b.Outer.Top'],
    ['a.b.User', 'top', 'a.b.Top'],
  ])('%s.%s → %s', (msg, f, expected) => {
    expect(field(message(doc, msg), f).type).toMatchObject({ kind: 'ref', fullName: expected, resolved: true });
  });

  it('stops at the first scope whose first component matches, as protoc does', () => {
    // `Inner.Missing`: `Inner` is found in Outer, so the outer `Inner` is never tried
    const src = 'syntax = "proto3"; message Inner { message Missing {} } message Outer { message Inner {} Inner.Missing x = 1; }';
    const r = parseProto(src, 'a.proto');
    expect(r.ok && r.problems.map((p) => p.code)).toEqual(['proto-unresolved-type']);
    expect(r.ok && field(message(r.document, 'Outer'), 'x').type).toMatchObject({ resolved: false, written: 'Inner.Missing' });
  });

  it('resolveTypeName skips packages for simple names', () => {
    const types = new Map([['x.y', { kind: 'record' } as never]]);
    expect(resolveTypeName('y', 'x.y.z', (n) => types.get(n), new Set(['x', 'x.y.z']))).toBe(types.get('x.y'));
  });

  it('sees imported types transitively only through public imports', () => {
    const files: Record<string, string> = {
      'b.proto': 'syntax = "proto3"; package b; import public "c.proto"; import "d.proto"; message B { d.D d = 1; }',
      'c.proto': 'syntax = "proto3"; package c; message C {}',
      'd.proto': 'syntax = "proto3"; package d; message D {}',
    };
    const src = 'syntax = "proto3";\nimport "b.proto";\nmessage A {\n  b.B b = 1;\n  c.C c = 2;\n  d.D d = 3;\n}';
    const r = parseProto(src, 'a.proto', { loadImport: (p) => files[p] });
    if (!r.ok) throw new Error('fatal');
    expect([...r.document.importedTypes.keys()]).toEqual(['b.B', 'c.C']);
    expect(r.problems).toEqual([
      { code: 'proto-unresolved-type', fatal: true, loc: rangeOf(src, '«d.D» d = 3'), message: "unknown type 'd.D' in field 'd' of message 'A'; declare it or import the file that defines it" },
    ]);
    // the imported message's own references are resolved in its own file
    expect(field(r.document.importedTypes.get('b.B') as never, 'd').type).toMatchObject({ fullName: 'd.D', resolved: true });
  });
});

describe('trailing comments', () => {
  it('document a field or enum value that has no leading comment; a leading comment wins', () => {
    const text = [
      'syntax = "proto3";',
      'package t.v1;',
      'enum Status {',
      '  STATUS_UNSPECIFIED = 0;',
      '  STATUS_PAID = 1; // money received',
      '}',
      'message Invoice {',
      '  int32 status = 1; // 1 = DRAFT, 2 = SENT, 3 = PAID',
      '  // the leading doc',
      '  string note = 2; // not this one',
      '  string plain = 3;',
      '}',
    ].join('\n');
    const { doc } = parseOk(text, 'invoice.proto');
    const m = message(doc, 't.v1.Invoice');
    expect(field(m, 'status').doc).toBe('1 = DRAFT, 2 = SENT, 3 = PAID');
    expect(field(m, 'note').doc).toBe('the leading doc');
    expect(field(m, 'plain').doc).toBeUndefined();
    expect(enumType(doc, 't.v1.Status').symbols.find((s) => s.name === 'STATUS_PAID')?.doc).toBe('money received');
  });
});
