import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/proto-reserve-removed.js';
import { proto, protoLine } from './schemas.js';

new RuleTester().run(rule, {
  protobuf: {
    valid: [
      proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 2;\n}'),
      proto('message OrderPlaced {\n  reserved 2, 3;\n  reserved "coupon", "gift_note";\n  string order_id = 1;\n  string note = 4;\n}'),
      { schema: proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 5;\n}'), options: { gaps: false } },
    ],
    invalid: [
      {
        schema: proto('message OrderPlaced {\n  string order_id = 1;\n  string note = 4;\n}'),
        errors: [{ messageId: 'gap', line: protoLine(1), column: 9, data: { numbers: '2 to 3', plural: 's' } }],
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
