import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/avro-union-null-first.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord } from './schemas.js';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('OrderPlaced', ['{ "name": "coupon_code", "type": ["null", "string"], "default": null }']),
      avroRecord('OrderPlaced', ['{ "name": "choice", "type": ["int", "string"] }']),
    ],
    invalid: [
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "coupon_code", "type": ["string", "null"], "default": "" }']),
        errors: [{ messageId: 'nullNotFirst', line: avroFieldLine(0), column: AVRO_FIELD_COL, data: { position: 2, fixed: '["null", "string"]' } }],
      },
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }', '{ "name": "note", "type": ["string", "int", "null"], "default": "" }']),
        errors: [{ messageId: 'nullNotFirst', line: avroFieldLine(1), column: AVRO_FIELD_COL, data: { position: 3 } }],
      },
    ],
  },
});
