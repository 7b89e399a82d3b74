import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/avro-field-default.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord } from './schemas.js';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('OrderPlaced', ['{ "name": "coupon_code", "type": ["null", "string"], "default": null }']),
      // required fields are not optional: no default needed
      avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }', '{ "name": "choice", "type": ["int", "string"] }']),
    ],
    invalid: [
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }', '{ "name": "coupon_code", "type": ["null", "string"] }']),
        errors: [{ messageId: 'missingDefault', line: avroFieldLine(1), column: AVRO_FIELD_COL, data: { order: '' } }],
      },
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "coupon_code", "type": ["string", "null"] }']),
        errors: [{ messageId: 'missingDefault', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
    ],
  },
  avdl: {
    valid: ['@namespace("com.acme.test.v1")\nprotocol P {\n  record OrderPlaced {\n    union { null, string } coupon_code = null;\n  }\n}\n'],
    invalid: [
      {
        schema: '@namespace("com.acme.test.v1")\nprotocol P {\n  record OrderPlaced {\n    union { null, string } coupon_code;\n  }\n}\n',
        errors: [{ messageId: 'missingDefault', line: 4, column: 28 }],
      },
    ],
  },
});
