import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/proto-reserve-removed.js';
import { proto, protoLine } from './schemas.js';

new RuleTester().run(rule, {
  protobuf: {
    valid: [
      proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 2;\n}'),
      proto('message OrderPlaced {\n  reserved 2, 3;\n  reserved "coupon", "gift_note";\n  string order_id = 1;\n  string note = 4;\n}'),
      { schema: proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 5;\n}'), options: { gaps: false } },
      // generated or hashed numbering: the runs between fields are far longer than any removal
      proto('message Instance {\n  string name = 3373707;\n  string zone = 3744684;\n  string id = 3355;\n}'),
      proto('message OrderPlaced {\n  string order_id = 1;\n  string b = 536870911;\n}'),
      // a block starting at 100 is deliberate numbering
      proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 2;\n  string ext_a = 100;\n  string ext_b = 101;\n}'),
      // the implementation range 19000-19999 is never a gap, nor a reserved range
      proto('message OrderPlaced {\n  reserved 2 to 18999;\n  reserved "old";\n  string order_id = 1;\n  string note = 20000;\n}'),
      { schema: proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 4;\n}'), options: { maxGap: 1 } },
      // extension ranges are not gaps
      proto('message Options {\n  extensions 1 to 2, 4;\n  optional string a = 3;\n  optional string b = 5;\n}', [], 'acme.test.v1', 'proto2'),
      // a group's fields continue the enclosing message's numbering; the group numbers from its own
      proto('message Order {\n  optional int32 a = 1;\n  optional group Data = 2 {\n    optional int32 x = 3;\n    optional int32 y = 4;\n  }\n  optional int32 b = 5;\n}', [], 'acme.test.v1', 'proto2'),
      // a block reserved by policy (`1000 to max`) names no removed field
      proto('message OrderPlaced {\n  reserved 1000 to max;\n  string order_id = 1;\n}'),
      proto('message Empty {\n  reserved 1 to max;\n}'),
    ],
    invalid: [
      // a nested message of the same name is no group
      {
        schema: proto('message Options {\n  message Declaration {\n    string a = 1;\n    string b = 2;\n  }\n  Declaration declaration = 3;\n  string c = 4;\n}'),
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '1 to 2' } }],
      },
      {
        schema: proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 4;\n}'),
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '2 to 3', plural: 's' } }],
      },
      {
        // only the unreserved part of a gap is proposed
        schema: proto('message OrderPlaced {\n  reserved 3 to 5;\n  reserved "a", "b";\n  string order_id = 1;\n  string note = 7;\n}'),
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '2, 6', plural: 's' } }],
      },
      {
        // a short run after a long reserved one is still a likely removal
        schema: proto('message OrderPlaced {\n  reserved 2 to 1000;\n  reserved "a";\n  string order_id = 1;\n  string note = 1002;\n}'),
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '1001', plural: '' } }],
      },
      {
        // a field missing before the first one
        schema: proto('message OrderPlaced {\n  string order_id = 2;\n  string note = 3;\n}'),
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '1', plural: '' } }],
      },
      {
        schema: proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 10;\n}'),
        options: { maxGap: 8 },
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '2 to 9', plural: 's' } }],
      },
      {
        schema: proto('message OrderPlaced {\n  reserved 2;\n  string order_id = 1;\n  string note = 3;\n}'),
        errors: [{ messageId: 'numbersWithoutNames', line: protoLine(1), column: 9, data: { numbers: '2' } }],
      },
      {
        schema: proto('message OrderPlaced {\n  reserved "coupon";\n  string order_id = 1;\n  string note = 2;\n}'),
        errors: [{ messageId: 'namesWithoutNumbers', line: protoLine(1), column: 9 }],
      },
    ],
  },
});
