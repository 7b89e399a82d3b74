import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/no-any-payload.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('OrderPlaced', ['{ "name": "labels", "type": { "type": "map", "values": "string" } }']),
      avroRecord('OrderPlaced', ['{ "name": "quantities", "type": { "type": "map", "values": "int" } }']),
    ],
    invalid: [
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }', '{ "name": "data", "type": { "type": "map", "values": "string" } }']),
        errors: [{ messageId: 'freeMap', line: avroFieldLine(1), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "properties", "type": ["null", { "type": "map", "values": "string" }], "default": null }']),
        errors: [{ messageId: 'freeMap', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
    ],
  },
  protobuf: {
    valid: [
      proto('message OrderPlaced {\n  string order_id = 1;\n  map<string, string> labels = 2;\n  google.protobuf.Timestamp updated_at = 3;\n}', ['google/protobuf/timestamp.proto']),
    ],
    invalid: [
      {
        schema: proto('message OrderPlaced {\n  google.protobuf.Any payload = 1;\n  google.protobuf.Struct attributes = 2;\n  map<string, string> details = 3;\n}', ['google/protobuf/any.proto', 'google/protobuf/struct.proto']),
        errors: [
          { messageId: 'dynamicType', line: protoLine(2, 2), column: 23, data: { type: 'google.protobuf.Any' } },
          { messageId: 'dynamicType', line: protoLine(3, 2), column: 26, data: { type: 'google.protobuf.Struct' } },
          { messageId: 'freeMap', line: protoLine(4, 2), column: 23 },
        ],
      },
    ],
  },
});
