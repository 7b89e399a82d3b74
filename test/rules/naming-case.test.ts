import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/naming-case.js';
import { AVRO_FIELD_COL, AVRO_RECORD_COL, AVRO_RECORD_LINE, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

const camelFile = avroRecord('OrderPlaced', ['{ "name": "orderId", "type": "string" }', '{ "name": "customerId", "type": "string" }', '{ "name": "order_total", "type": "long" }']);

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('OrderPlaced', [
        '{ "name": "order_id", "type": "string" }',
        '{ "name": "status", "type": { "type": "enum", "name": "OrderStatus", "symbols": ["UNKNOWN", "IN_TRANSIT"], "default": "UNKNOWN" } }',
      ]),
      { schema: avroRecord('OrderPlaced', ['{ "name": "orderId", "type": "string" }']), options: { fields: 'camelCase' } },
    ],
    invalid: [
      {
        schema: avroRecord('order_placed', ['{ "name": "OrderId", "type": "string" }']),
        errors: [
          { messageId: 'typeName', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL, data: { suggestion: 'OrderPlaced' } },
          { messageId: 'fieldName', line: avroFieldLine(0), column: AVRO_FIELD_COL, data: { suggestion: 'order_id' } },
        ],
      },
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "status", "type": { "type": "enum", "name": "OrderStatus", "symbols": ["UNKNOWN", "inTransit"], "default": "UNKNOWN" } }']),
        errors: [{ messageId: 'symbolName', line: avroFieldLine(0), column: 97, data: { suggestion: 'IN_TRANSIT' } }],
      },
      // `consistent` follows the file's majority (camelCase here) and flags the odd one out
      {
        schema: camelFile,
        options: { fields: 'consistent' },
        errors: [{ messageId: 'fieldName', line: avroFieldLine(2), column: AVRO_FIELD_COL, data: { suggestion: 'orderTotal' } }],
      },
    ],
  },
  protobuf: {
    valid: [proto('enum OrderStatus {\n  ORDER_STATUS_UNSPECIFIED = 0;\n}\n\nmessage OrderPlaced {\n  string order_id = 1;\n  OrderStatus status = 2;\n}')],
    invalid: [
      {
        schema: proto('message orderPlaced {\n  string orderId = 1;\n}\n\nenum order_status {\n  unspecified = 0;\n}'),
        errors: [
          { messageId: 'typeName', line: protoLine(1), column: 9 },
          { messageId: 'fieldName', line: protoLine(2), column: 10, data: { suggestion: 'order_id' } },
          { messageId: 'typeName', line: protoLine(5), column: 6, data: { suggestion: 'OrderStatus' } },
          { messageId: 'symbolName', line: protoLine(6), column: 3, data: { suggestion: 'UNSPECIFIED' } },
        ],
      },
      {
        // camelCase is an Avro option; Protobuf fields are always snake_case
        schema: proto('message OrderPlaced {\n  string orderId = 1;\n}'),
        options: { fields: 'camelCase' },
        errors: [{ messageId: 'fieldName', line: protoLine(2), column: 10 }],
      },
    ],
  },
});
