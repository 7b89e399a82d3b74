import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/avro-enum-default.js';
import { avroRecord } from './schemas.js';

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('OrderPlaced', ['{ "name": "status", "type": { "type": "enum", "name": "OrderStatus", "symbols": ["UNKNOWN", "PLACED"], "default": "UNKNOWN" } }']),
    ],
    invalid: [
      {
        schema: avroRecord('OrderPlaced', ['{ "name": "status", "type": { "type": "enum", "name": "OrderStatus", "symbols": ["PLACED", "SHIPPED"] } }']),
        errors: [{ messageId: 'missingDefault', line: 4, column: 59, data: { suggestion: 'UNKNOWN' } }],
      },
      {
        schema: '{\n  "type": "enum", "name": "OrderStatus", "namespace": "com.acme.test.v1",\n  "symbols": ["PLACED", "OTHER"]\n}\n',
        errors: [{ messageId: 'missingDefault', line: 2, column: 27, data: { suggestion: 'OTHER', addSymbol: '' } }],
      },
    ],
  },
  avdl: {
    valid: ['@namespace("com.acme.test.v1")\nprotocol P {\n  enum OrderStatus {\n    UNKNOWN, PLACED\n  } = UNKNOWN;\n}\n'],
    invalid: [
      {
        schema: '@namespace("com.acme.test.v1")\nprotocol P {\n  enum OrderStatus {\n    UNKNOWN, PLACED\n  }\n}\n',
        errors: [{ messageId: 'missingDefault', line: 3, column: 8 }],
      },
    ],
  },
});
