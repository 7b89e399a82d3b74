import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/pii-tagged.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('CustomerRegistered', [
        '{ "name": "email", "type": "string", "confluent:tags": ["PII"] }',
        '{ "name": "phone_number", "type": "string", "pii": true }',
        '{ "name": "last_name", "type": "string", "doc": "Family name (PII)." }',
        '{ "name": "customer_id", "type": "string" }',
        '{ "name": "email_verified", "type": "boolean" }',
      ]),
    ],
    invalid: [
      {
        schema: avroRecord('CustomerRegistered', ['{ "name": "customer_id", "type": "string" }', '{ "name": "email", "type": "string" }', '{ "name": "shipping_name", "type": "string", "confluent:tags": ["INTERNAL"] }']),
        errors: [
          { messageId: 'untagged', line: avroFieldLine(1), column: AVRO_FIELD_COL },
          { messageId: 'untagged', line: avroFieldLine(2), column: AVRO_FIELD_COL },
        ],
      },
      {
        schema: avroRecord('CustomerRegistered', ['{ "name": "loyalty_number", "type": "string" }']),
        options: { patterns: ['loyalty_number$'] },
        errors: [{ messageId: 'untagged', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
    ],
  },
  protobuf: {
    valid: [proto('message CustomerRegistered {\n  string email = 1 [debug_redact = true];\n}')],
    invalid: [
      {
        schema: proto('message CustomerRegistered {\n  string email = 1;\n  string ip_address = 2;\n}'),
        errors: [
          { messageId: 'untagged', line: protoLine(2), column: 10 },
          { messageId: 'untagged', line: protoLine(3), column: 10 },
        ],
      },
    ],
  },
});
