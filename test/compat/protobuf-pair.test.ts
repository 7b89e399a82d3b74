// Table-driven checks of the Protobuf pair checker in both directions. BACKWARD runs
// (reader = new, writer = old); FORWARD is the registry's swap (reader = old, writer = new), so every
// asymmetric rule flips. Expected lists are "TYPE path", compared as multisets.
import { describe, expect, it } from 'vitest';
import {
  PROTOBUF_DIFFERENCE_TYPES,
  checkProtobufPair,
  diffProtobufDocuments,
  explainProtobufChange,
  registryProtobufMessage,
} from '../../src/compat/protobuf/index.js';
import { parseProto } from '../../src/formats/protobuf/index.js';
import type { SchemaDocument } from '../../src/model/types.js';

interface Row {
  name: string;
  old: string;
  new: string;
  backward: { compatible: boolean; diffs: string[] };
  forward: { compatible: boolean; diffs: string[] };
}

const p3 = (body: string) => `syntax = "proto3";\n${body}\n`;
const p2 = (body: string) => `syntax = "proto2";\n${body}\n`;

const rows: Row[] = [
  {
    name: 'adding a message type',
    old: p3('message A { int32 x = 1; }'),
    new: p3('message A { int32 x = 1; }\nmessage B { int32 y = 1; }'),
    backward: { compatible: true, diffs: ['MESSAGE_ADDED #/B'] },
    forward: { compatible: false, diffs: ['MESSAGE_REMOVED #/B'] },
  },
  {
    name: 'adding a member to an existing oneof',
    old: p3('message A { oneof o { int32 x = 1; } }'),
    new: p3('message A { oneof o { int32 x = 1; string y = 2; } }'),
    backward: { compatible: true, diffs: ['ONEOF_FIELD_ADDED #/A/o/2'] },
    forward: { compatible: false, diffs: ['ONEOF_FIELD_REMOVED #/A/o/2'] },
  },
  {
    name: 'adding a proto2 required field',
    old: p2('message A { optional int32 x = 1; }'),
    new: p2('message A { optional int32 x = 1; required string y = 2; }'),
    backward: { compatible: false, diffs: ['REQUIRED_FIELD_ADDED #/A/2'] },
    forward: { compatible: false, diffs: ['REQUIRED_FIELD_REMOVED #/A/2'] },
  },
  {
    name: 'adding an optional field',
    old: p3('message A { int32 x = 1; }'),
    new: p3('message A { int32 x = 1; optional string y = 2; }'),
    backward: { compatible: true, diffs: ['FIELD_ADDED #/A/2'] },
    forward: { compatible: true, diffs: ['FIELD_REMOVED #/A/2'] },
  },
  {
    name: 'removing an enum value',
    old: p3('enum E { E_UNKNOWN = 0; E_A = 1; E_B = 2; }\nmessage A { E e = 1; }'),
    new: p3('enum E { E_UNKNOWN = 0; E_A = 1; }\nmessage A { E e = 1; }'),
    backward: { compatible: true, diffs: ['ENUM_CONST_REMOVED #/E/2'] },
    forward: { compatible: true, diffs: ['ENUM_CONST_ADDED #/E/2'] },
  },
  {
    name: 'renaming an enum value and a field',
    old: p3('enum E { E_UNKNOWN = 0; E_A = 1; }\nmessage A { E e = 1; }'),
    new: p3('enum E { E_UNKNOWN = 0; E_ALPHA = 1; }\nmessage A { E kind = 1; }'),
    backward: { compatible: true, diffs: ['FIELD_NAME_CHANGED #/A/1', 'ENUM_CONST_CHANGED #/E/1'] },
    forward: { compatible: true, diffs: ['FIELD_NAME_CHANGED #/A/1', 'ENUM_CONST_CHANGED #/E/1'] },
  },
  {
    name: 'widening int32 to int64 and uint64 (same group, silent)',
    old: p3('message A { int32 x = 1; int32 y = 2; bool z = 3; }'),
    new: p3('message A { int64 x = 1; uint64 y = 2; int32 z = 3; }'),
    backward: { compatible: true, diffs: [] },
    forward: { compatible: true, diffs: [] },
  },
  {
    name: 'int32 to sint32 crosses scalar groups',
    old: p3('message A { int32 x = 1; }'),
    new: p3('message A { sint32 x = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/1'] },
    forward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/1'] },
  },
  {
    name: 'fixed and sfixed of one width are one group; float and double are not',
    old: p3('message A { fixed32 a = 1; sfixed64 b = 2; float c = 3; sint64 d = 4; }'),
    new: p3('message A { sfixed32 a = 1; fixed64 b = 2; double c = 3; sint32 d = 4; }'),
    backward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/3'] },
    forward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/3'] },
  },
  {
    name: 'string to bytes is silent; fixed32 to fixed64 is not',
    old: p3('message A { string s = 1; fixed32 f = 2; }'),
    new: p3('message A { bytes s = 1; fixed64 f = 2; }'),
    backward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/2'] },
    forward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/2'] },
  },
  {
    name: 'an enum reads like int32 (kind scalar, general-number group)',
    old: p3('message A { int32 status = 1; }'),
    new: p3('enum Status { S_UNKNOWN = 0; }\nmessage A { Status status = 1; }'),
    backward: { compatible: true, diffs: ['ENUM_ADDED #/Status'] },
    forward: { compatible: true, diffs: ['ENUM_REMOVED #/Status'] },
  },
  {
    name: 'an enum does not read like sint32',
    old: p3('message A { sint32 status = 1; }'),
    new: p3('enum Status { S_UNKNOWN = 0; }\nmessage A { Status status = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/1', 'ENUM_ADDED #/Status'] },
    forward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/1', 'ENUM_REMOVED #/Status'] },
  },
  {
    name: 'message field to bytes is a kind change',
    old: p3('message B { int32 y = 1; }\nmessage A { B b = 1; }'),
    new: p3('message B { int32 y = 1; }\nmessage A { bytes b = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_KIND_CHANGED #/A/1'] },
    forward: { compatible: false, diffs: ['FIELD_KIND_CHANGED #/A/1'] },
  },
  {
    name: 'explicit label changes: numeric incompatible, string compatible',
    old: p3('message A { optional int32 n = 1; optional string s = 2; }'),
    new: p3('message A { repeated int32 n = 1; repeated string s = 2; }'),
    backward: { compatible: false, diffs: ['FIELD_NUMERIC_LABEL_CHANGED #/A/1', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED #/A/2'] },
    forward: { compatible: false, diffs: ['FIELD_NUMERIC_LABEL_CHANGED #/A/1', 'FIELD_STRING_OR_BYTES_LABEL_CHANGED #/A/2'] },
  },
  {
    name: 'adding proto3 optional to an unlabelled field is not a label change',
    old: p3('message A { int32 n = 1; }'),
    new: p3('message A { optional int32 n = 1; }'),
    backward: { compatible: true, diffs: [] },
    forward: { compatible: true, diffs: [] },
  },
  {
    name: 'map value types follow the scalar rules',
    old: p3('message A { map<string, int32> m = 1; map<int32, string> k = 2; }'),
    new: p3('message A { map<string, int64> m = 1; map<int32, double> k = 2; }'),
    backward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/2'] },
    forward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/2'] },
  },
  {
    name: 'map to repeated message is a kind change',
    old: p3('message A { map<string, int32> m = 1; }'),
    new: p3('message E { string key = 1; int32 value = 2; }\nmessage A { repeated E m = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_KIND_CHANGED #/A/1', 'MESSAGE_ADDED #/E', 'MESSAGE_MOVED #/A'] },
    forward: { compatible: false, diffs: ['FIELD_KIND_CHANGED #/A/1', 'MESSAGE_REMOVED #/E', 'MESSAGE_MOVED #/A'] },
  },
  {
    name: 'renaming a referenced message',
    old: p3('message A { B b = 1; }\nmessage B { int32 y = 1; }'),
    new: p3('message A { C b = 1; }\nmessage C { int32 y = 1; }'),
    backward: { compatible: false, diffs: ['MESSAGE_REMOVED #/B', 'MESSAGE_ADDED #/C', 'FIELD_NAMED_TYPE_CHANGED #/A/1'] },
    forward: { compatible: false, diffs: ['MESSAGE_REMOVED #/C', 'MESSAGE_ADDED #/B', 'FIELD_NAMED_TYPE_CHANGED #/A/1'] },
  },
  {
    name: 'moving one top-level field into a new oneof',
    old: p3('message A { int32 x = 1; int32 y = 2; }'),
    new: p3('message A { int32 x = 1; oneof o { int32 y = 2; } }'),
    backward: { compatible: true, diffs: ['ONEOF_ADDED #/A/o'] },
    forward: { compatible: true, diffs: ['ONEOF_REMOVED #/A/o', 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL #/A/2'] },
  },
  {
    name: 'moving two top-level fields into a oneof',
    old: p3('message A { int32 x = 1; int32 y = 2; }'),
    new: p3('message A { oneof o { int32 x = 1; int32 y = 2; } }'),
    backward: { compatible: false, diffs: ['MULTIPLE_FIELDS_MOVED_TO_ONEOF #/A/o', 'ONEOF_ADDED #/A/o'] },
    forward: {
      compatible: true,
      diffs: ['ONEOF_REMOVED #/A/o', 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL #/A/1', 'ONEOF_FIELD_MOVED_TO_TOP_LEVEL #/A/2'],
    },
  },
  {
    name: 'deleting a whole oneof with its members',
    old: p3('message A { int32 x = 1; oneof o { int32 y = 2; string z = 3; } }'),
    new: p3('message A { int32 x = 1; }'),
    backward: { compatible: true, diffs: ['ONEOF_REMOVED #/A/o'] },
    forward: { compatible: true, diffs: ['ONEOF_ADDED #/A/o', 'ONEOF_FIELD_ADDED #/A/o/2', 'ONEOF_FIELD_ADDED #/A/o/3'] },
  },
  {
    name: 'changing the package',
    old: p3('package a.v1;\nmessage A { int32 x = 1; }'),
    new: p3('package a.v2;\nmessage A { int32 x = 1; }'),
    backward: { compatible: false, diffs: ['PACKAGE_CHANGED #/'] },
    forward: { compatible: false, diffs: ['PACKAGE_CHANGED #/'] },
  },
  {
    name: 'nested message changes carry the nesting in the path',
    old: p3('message A { message Inner { int32 x = 1; } Inner i = 1; }'),
    new: p3('message A { message Inner { string x = 1; } Inner i = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/Inner/1'] },
    forward: { compatible: false, diffs: ['FIELD_SCALAR_KIND_CHANGED #/A/Inner/1'] },
  },
  {
    name: 'switching between well-known types',
    old: p3('import "google/protobuf/timestamp.proto";\nmessage A { google.protobuf.Timestamp at = 1; }'),
    new: p3('import "google/protobuf/duration.proto";\nmessage A { google.protobuf.Duration at = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_NAMED_TYPE_CHANGED #/A/1'] },
    forward: { compatible: false, diffs: ['FIELD_NAMED_TYPE_CHANGED #/A/1'] },
  },
  {
    name: 'a wrapper type replaced by its scalar',
    old: p3('import "google/protobuf/wrappers.proto";\nmessage A { google.protobuf.Int64Value n = 1; }'),
    new: p3('message A { int64 n = 1; }'),
    backward: { compatible: false, diffs: ['FIELD_KIND_CHANGED #/A/1'] },
    forward: { compatible: false, diffs: ['FIELD_KIND_CHANGED #/A/1'] },
  },
  {
    // The registry's parser keeps groups out of both the fields and the nested types, so its diff
    // never sees them, whatever changes inside.
    name: 'proto2 groups are invisible to the diff',
    old: p2('message A { optional int32 x = 1; optional group G = 2 { optional int32 y = 3; } }'),
    new: p2('message A { optional int32 x = 1; repeated group H = 4 { optional string y = 3; } }'),
    backward: { compatible: true, diffs: [] },
    forward: { compatible: true, diffs: [] },
  },
  {
    // Confluent's diff fixture 023 has this shape; kept here so a clone without ../shared still tests it.
    name: 'moving a top-level field into an existing oneof',
    old: p3('message Order { string id = 1; oneof payment { string card = 2; string iban = 3; } }'),
    new: p3('message Order { oneof payment { string id = 1; string card = 2; string iban = 3; } }'),
    backward: { compatible: false, diffs: ['FIELD_MOVED_TO_EXISTING_ONEOF #/Order/payment'] },
    forward: { compatible: true, diffs: ['ONEOF_FIELD_MOVED_TO_TOP_LEVEL #/Order/1'] },
  },
  {
    name: 'a self-referencing message compares once',
    old: p3('message Node { int32 v = 1; repeated Node children = 2; }'),
    new: p3('message Node { int64 v = 1; repeated Node kids = 2; }'),
    backward: { compatible: true, diffs: ['FIELD_NAME_CHANGED #/Node/2'] },
    forward: { compatible: true, diffs: ['FIELD_NAME_CHANGED #/Node/2'] },
  },
];

function diffs(reader: string, writer: string, direction: 'backward' | 'forward') {
  const r = checkProtobufPair({ text: reader }, { text: writer }, { direction });
  expect(r.problems).toBeUndefined();
  return r;
}

describe('checkProtobufPair, BACKWARD and FORWARD', () => {
  // The project's own cases, so a clone without ../shared/conformance still tests every change type.
  it('the table produces every Difference type of the registry', () => {
    const produced = new Set(rows.flatMap((r) => [...r.backward.diffs, ...r.forward.diffs]).map((d) => d.split(' ')[0]));
    expect(PROTOBUF_DIFFERENCE_TYPES.filter((t) => !produced.has(t))).toEqual([]);
  });

  for (const row of rows) {
    it(`${row.name}: BACKWARD`, () => {
      const r = diffs(row.new, row.old, 'backward');
      expect(r.compatible).toBe(row.backward.compatible);
      expect(r.differences.map((d) => `${d.type} ${d.path}`).sort()).toEqual([...row.backward.diffs].sort());
    });
    it(`${row.name}: FORWARD (swapped)`, () => {
      const r = diffs(row.old, row.new, 'forward');
      expect(r.compatible).toBe(row.forward.compatible);
      expect(r.differences.map((d) => `${d.type} ${d.path}`).sort()).toEqual([...row.forward.diffs].sort());
    });
  }

  it('words FORWARD messages with the slots swapped', () => {
    const old = p3('message A { int32 x = 1; }');
    const neu = p3('message A { int32 x = 1; }\nmessage B { int32 y = 1; }');
    expect(diffs(old, neu, 'forward').messages).toEqual([
      {
        type: 'MESSAGE_REMOVED',
        path: '#/B',
        message: `{errorType:"MESSAGE_REMOVED", description:"The old schema is missing a MESSAGE type at path '#/B' in the new schema"}`,
      },
    ]);
    expect(registryProtobufMessage('REQUIRED_FIELD_ADDED', '#/A/2')).toBe(
      `{errorType:"REQUIRED_FIELD_ADDED", description:"A required field  at path '#/A/2' in the new schema is missing in the old schema"}`,
    );
    expect(registryProtobufMessage('FIELD_ADDED', '#/A/2')).toBe(`{errorType:"FIELD_ADDED", description:""}`);
  });

  it('reports unreadable input as an incompatible finding with a position, not a throw', () => {
    const r = checkProtobufPair({ text: 'syntax = "proto3";\nmessage A { int32 x = ; }', file: 'new.proto' }, { text: p3('message A {}') });
    expect(r.compatible).toBe(false);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]?.type).toBe('PARSE_ERROR');
    expect(r.messages[0]?.message).toMatch(/^The new schema is not valid Protobuf: new\.proto:2:\d+: /);
    expect(r.problems?.some((p) => p.fatal)).toBe(true);
  });

  it('serves imports from the references and compares imported definitions that differ', () => {
    const v1 = 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; string currency = 2; }';
    const v2 = 'syntax = "proto3";\npackage common;\nmessage Money { double units = 1; string currency = 2; }';
    const schema = p3('import "common/money.proto";\nmessage Order { common.Money total = 1; }');
    const r = checkProtobufPair(
      { text: schema, references: [{ name: 'common/money.proto', schema: v2 }] },
      { text: schema, references: [{ name: 'common/money.proto', schema: v1 }] },
    );
    expect(r.differences.map((d) => `${d.type} ${d.path}`)).toEqual([
      'FIELD_SCALAR_KIND_CHANGED #/Money/1',
      'FIELD_NAMED_TYPE_CHANGED #/Order/1',
    ]);
    // The same subject and version on both sides is not re-compared, as in the registry.
    const same = checkProtobufPair(
      { text: schema, references: [{ name: 'common/money.proto', schema: v1, subject: 'money', version: 1 }] },
      { text: schema, references: [{ name: 'common/money.proto', schema: v1, subject: 'money', version: 1 }] },
    );
    expect(same.differences).toEqual([]);
  });
});

function doc(text: string, file: string): SchemaDocument {
  const r = parseProto(text, file);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.document;
}

describe('diffProtobufDocuments', () => {
  const oldText = p3('package shop;\nmessage Order {\n  int32 id = 1;\n  string note = 2;\n}\nmessage Gone { int32 x = 1; }');
  const newText = p3('package shop;\nmessage Order {\n  int64 id = 1;\n  sint32 qty = 3;\n}');
  const changes = diffProtobufDocuments(doc(newText, 'new.proto'), doc(oldText, 'old.proto'));

  it('anchors removed things on the surviving parent in the new document', () => {
    const removed = changes.find((c) => c.type === 'FIELD_REMOVED');
    expect(removed?.path).toBe('#/Order/2');
    expect(removed?.newNode).toBeUndefined();
    expect(removed?.oldNode?.file).toBe('old.proto');
    expect(removed?.oldNode?.node.loc.line).toBe(5);
    expect(removed?.anchor?.loc.line).toBe(3); // `message Order {` in new.proto

    const gone = changes.find((c) => c.type === 'MESSAGE_REMOVED');
    expect(gone?.path).toBe('#/Gone');
    expect(gone?.anchor?.loc.line).toBe(2); // the package line: nothing nearer survives
  });

  it('anchors surviving things on themselves', () => {
    const added = changes.find((c) => c.type === 'FIELD_ADDED');
    expect(added?.path).toBe('#/Order/3');
    expect(added?.newNode?.file).toBe('new.proto');
    expect(added?.anchor?.loc.line).toBe(5);
    expect(changes.map((c) => c.type).sort()).toEqual(['FIELD_ADDED', 'FIELD_REMOVED', 'MESSAGE_REMOVED']);
  });

  it('explains each change with the names involved, roles following the direction', () => {
    const removed = changes.find((c) => c.type === 'FIELD_REMOVED');
    expect(removed && explainProtobufChange(removed)).toBe(
      'Field `note` (number 2) of message `Order` was removed. Reserve its number and name so they are never reused with another type.',
    );
    const kind = changes.find((c) => c.type === 'MESSAGE_REMOVED');
    expect(kind && explainProtobufChange(kind)).toContain('Message `shop.Gone` exists in the old schema but not in the new schema');
    expect(kind && explainProtobufChange(kind, 'forward')).toContain('exists in the new schema but not in the old schema');
  });

  it('has a sentence for every change the table rows produce', () => {
    for (const row of rows) {
      for (const [n, o] of [[row.new, row.old], [row.old, row.new]] as const) {
        for (const c of diffProtobufDocuments(doc(n, 'a.proto'), doc(o, 'b.proto'))) {
          const text = explainProtobufChange(c);
          expect(text.length).toBeGreaterThan(10);
          expect(text).not.toContain('undefined');
        }
      }
    }
  });

  it('reports changes inside an imported type with that file, anchored on the field that uses it', () => {
    const v1 = 'syntax = "proto3";\npackage common;\nmessage Money { int64 units = 1; }';
    const v2 = 'syntax = "proto3";\npackage common;\nmessage Money { double units = 1; }';
    const root = p3('import "common/money.proto";\nmessage Order {\n  common.Money total = 1;\n}');
    const parseWith = (dep: string) => {
      const r = parseProto(root, 'order.proto', { loadImport: (p) => (p === 'common/money.proto' ? dep : undefined) });
      if (!r.ok) throw new Error('unparseable');
      return r.document;
    };
    const got = diffProtobufDocuments(parseWith(v2), parseWith(v1), {
      newImports: [{ doc: doc(v2, 'common/money.proto'), origin: 'money@2' }],
      oldImports: [{ doc: doc(v1, 'common/money.proto'), origin: 'money@1' }],
    });
    expect(got.map((c) => `${c.type} ${c.path}`)).toEqual(['FIELD_SCALAR_KIND_CHANGED #/Money/1', 'FIELD_NAMED_TYPE_CHANGED #/Order/1']);
    expect(got[0]?.newNode?.file).toBe('common/money.proto');
    expect(got[0]?.anchor?.loc.line).toBe(4); // `common.Money total = 1;` in order.proto
    expect(got[1]?.newNode?.file).toBe('order.proto');
  });
});
