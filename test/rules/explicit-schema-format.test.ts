import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/explicit-schema-format.js';
import { avroRecord, proto } from './schemas.js';

const jsonSchema = JSON.stringify({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'OrderPlaced',
  type: 'object',
  properties: { order_id: { type: 'string' } },
}, null, 2);
const sample = '{\n  "order_id": "7d1c",\n  "status": "PLACED"\n}\n';
const placed = avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }']);

new RuleTester().run(rule, {
  avro: {
    valid: [
      placed,
      // several explicit schemas are one-event-per-stream's business, not this rule's
      { schema: placed, files: { 'b.avsc': avroRecord('OrderCancelled', ['{ "name": "order_id", "type": "string" }']) }, streams: [{ topic: 't', schemas: ['input.avsc', 'b.avsc'] }] },
    ],
    invalid: [
      { schema: jsonSchema, filename: 'order.json', errors: [{ messageId: 'jsonSchema', line: 1, column: 1, severity: 'error' }] },
      {
        // declared as JSON Schema: governed, so explicit, but a warning says why Avro or Protobuf are preferred
        schema: jsonSchema,
        filename: 'order.json',
        streams: [{ topic: 'orders', schemas: ['order.json'], schemaType: 'JSON' }],
        errors: [{ messageId: 'jsonSchemaDeclared', line: 1, column: 1, severity: 'warn', data: { topic: 'orders' } }],
      },
      {
        // a text file stays an error even when the stream says JSON
        schema: 'An order was placed.\n',
        filename: 'order.txt',
        streams: [{ topic: 'orders', schemas: ['order.txt'], schemaType: 'JSON' }],
        errors: [{ messageId: 'text', line: 1, column: 1, severity: 'error' }],
      },
      { schema: sample, filename: 'order.json', errors: [{ messageId: 'jsonSample', line: 1, column: 1 }] },
      { schema: 'An order was placed. It has an id and a status.\n', filename: 'order.txt', errors: [{ messageId: 'text', line: 1, column: 1 }] },
      {
        // only the non-explicit file of the stream is reported
        schema: placed,
        files: { 'sample.json': sample },
        streams: [{ topic: 'orders', kind: 'stage', schemas: ['input.avsc', 'sample.json'] }],
        errors: [{ messageId: 'jsonSample', file: 'sample.json', line: 1, column: 1, data: { topic: 'orders' } }],
      },
    ],
  },
  protobuf: {
    valid: [proto('message OrderPlaced {\n  string order_id = 1;\n}')],
    invalid: [
      {
        schema: proto('message OrderPlaced {\n  string order_id = 1;\n}'),
        files: { 'order.schema.json': jsonSchema },
        streams: [{ topic: 'orders', schemas: ['input.proto', 'order.schema.json'] }],
        errors: [{ messageId: 'jsonSchema', file: 'order.schema.json', line: 1, column: 1 }],
      },
    ],
  },
});
