import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/proto-enum-zero-unspecified.js';
import { proto, protoLine } from './schemas.js';

new RuleTester().run(rule, {
  protobuf: {
    valid: [
      proto('enum OrderStatus {\n  ORDER_STATUS_UNSPECIFIED = 0;\n  ORDER_STATUS_PLACED = 1;\n}'),
      { schema: proto('enum OrderStatus {\n  ORDER_STATUS_UNKNOWN = 0;\n  ORDER_STATUS_PLACED = 1;\n}'), options: { suffix: '_UNKNOWN' } },
    ],
    invalid: [
      {
        schema: proto('enum OrderStatus {\n  ORDER_STATUS_PLACED = 0;\n  ORDER_STATUS_SHIPPED = 1;\n}'),
        errors: [{ messageId: 'zeroNotUnspecified', line: protoLine(2), column: 3, data: { expected: 'ORDER_STATUS_UNSPECIFIED' } }],
      },
      {
        schema: proto('message Order {\n  enum State {\n    ACTIVE = 0;\n  }\n  State state = 1;\n}'),
        errors: [{ messageId: 'zeroNotUnspecified', line: protoLine(3), column: 5, data: { expected: 'STATE_UNSPECIFIED' } }],
      },
      {
        schema: proto('enum OrderStatus {\n  ORDER_STATUS_PLACED = 1;\n}', [], 'acme.test.v1', 'proto2'),
        errors: [{ messageId: 'noZero', line: protoLine(1), column: 6 }],
      },
    ],
  },
});
