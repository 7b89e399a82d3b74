import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/no-opaque-bytes.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('DocumentSigned', [
        '{ "name": "signature", "type": "bytes" }',
        '{ "name": "content_sha256", "type": "bytes" }',
        '{ "name": "body", "type": "bytes", "doc": "The signed PDF as uploaded." }',
        '{ "name": "amount", "type": { "type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2 } }',
      ]),
    ],
    invalid: [
      {
        schema: avroRecord('DocumentSigned', ['{ "name": "content", "type": "bytes" }', '{ "name": "extra", "type": ["null", "bytes"], "default": null }']),
        errors: [
          { messageId: 'opaqueBytes', line: avroFieldLine(0), column: AVRO_FIELD_COL },
          { messageId: 'opaqueBytes', line: avroFieldLine(1), column: AVRO_FIELD_COL },
        ],
      },
    ],
  },
  protobuf: {
    valid: [proto('message DocumentSigned {\n  bytes signature = 1;\n  // gzip of the CSV export.\n  bytes export = 2;\n}')],
    invalid: [
      {
        schema: proto('message DocumentSigned {\n  bytes content = 1;\n  repeated bytes chunks = 2;\n}'),
        errors: [
          { messageId: 'opaqueBytes', line: protoLine(2), column: 9 },
          { messageId: 'opaqueBytes', line: protoLine(3), column: 18 },
        ],
      },
    ],
  },
});
