import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/proto-no-required.js';
import { proto, protoLine } from './schemas.js';

const p2 = (body: string) => proto(body, [], 'acme.test.v1', 'proto2');

new RuleTester().run(rule, {
  protobuf: {
    valid: [
      p2('message OrderPlaced {\n  optional string order_id = 1;\n  repeated string skus = 2;\n}'),
      proto('message OrderPlaced {\n  string order_id = 1;\n}'),
    ],
    invalid: [
      {
        schema: p2('message OrderPlaced {\n  required string order_id = 1;\n  optional string note = 2;\n  required int64 total = 3;\n}'),
        errors: [
          { messageId: 'required', line: protoLine(2), column: 19, symbol: 'acme.test.v1.OrderPlaced.order_id' },
          { messageId: 'required', line: protoLine(4), column: 18 },
        ],
      },
    ],
  },
});
