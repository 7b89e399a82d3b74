import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/decimal-precision-scale.js';
import { avroFieldLine, avroRecord } from './schemas.js';

const dec = (attrs: string) => avroRecord('PaymentCaptured', [`{ "name": "amount", "type": { "type": "bytes", "logicalType": "decimal", ${attrs} } }`]);
// the type object of field 0 starts after `    { "name": "amount", "type": `
const TYPE_COL = 33;

new RuleTester().run(rule, {
  avro: {
    valid: [
      dec('"precision": 12, "scale": 2'),
      dec('"precision": 10, "scale": 0'),
      avroRecord('PaymentCaptured', ['{ "name": "amount", "type": { "type": "fixed", "name": "Amount", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4 } }']),
    ],
    invalid: [
      { schema: dec('"precision": 12'), errors: [{ messageId: 'implicitScale', line: avroFieldLine(0), column: TYPE_COL }] },
      { schema: dec('"precision": 60, "scale": 2'), errors: [{ messageId: 'tooPrecise', line: avroFieldLine(0), column: TYPE_COL, data: { max: 38 } }] },
      {
        schema: dec('"precision": 20, "scale": 2'),
        options: { maxPrecision: 18 },
        errors: [{ messageId: 'tooPrecise', line: avroFieldLine(0), column: TYPE_COL, data: { max: 18 } }],
      },
      {
        schema: avroRecord('PaymentCaptured', ['{ "name": "fees", "type": ["null", { "type": "array", "items": { "type": "bytes", "logicalType": "decimal", "precision": 9 } }], "default": null }']),
        errors: [{ messageId: 'implicitScale', line: avroFieldLine(0), column: 68 }],
      },
    ],
  },
});
