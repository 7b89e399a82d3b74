import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/doc-required.js';
import { AVRO_FIELD_COL, AVRO_RECORD_COL, AVRO_RECORD_LINE, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

const documented = ' "doc": "A customer placed an order.",';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string", "doc": "Identifier of the order." }'], documented),
      { schema: avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }'], documented), options: { fields: false } },
    ],
    invalid: [
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }']),
        errors: [
          { messageId: 'rootDoc', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL },
          { messageId: 'fieldDoc', line: avroFieldLine(0), column: AVRO_FIELD_COL },
        ],
      },
    ],
  },
  protobuf: {
    valid: [
      proto('// A customer placed an order.\nmessage OrderPlaced {\n  // Identifier of the order.\n  string order_id = 1;\n  // What was ordered.\n  repeated Line lines = 2;\n}\n\n// Helper types need no docs.\nmessage Line {\n  string sku = 1;\n}'),
    ],
    invalid: [
      {
        schema: proto('// A customer placed an order.\nmessage OrderPlaced {\n  string order_id = 1;\n}'),
        errors: [{ messageId: 'fieldDoc', line: protoLine(3), column: 10 }],
      },
    ],
  },
});
