import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/one-event-per-stream.js';
import { AVRO_RECORD_COL, AVRO_RECORD_LINE, avroRecord, proto, protoLine } from './schemas.js';

const rec = (name: string) => `{ "type": "record", "name": "${name}", "namespace": "com.acme.test.v1", "fields": [{ "name": "order_id", "type": "string" }] }`;
const union = `[\n  ${rec('OrderPlaced')},\n  ${rec('OrderCancelled')}\n]\n`;
const placed = avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }']);
const cancelled = avroRecord('OrderCancelled', ['{ "name": "order_id", "type": "string" }']);
const twoMessages = proto(`
message OrderPlaced {
  string order_id = 1;
}

message OrderCancelled {
  string order_id = 1;
}`);

new RuleTester().run(rule, {
  avro: {
    valid: [
      placed,
      // a union of one record and null is an optional record, not several events
      `["null", ${rec('OrderPlaced')}]`,
      { schema: placed, streams: [{ topic: 'orders.placed', kind: 'store' }] },
    ],
    invalid: [
      { schema: union, errors: [{ messageId: 'topLevelUnion', line: 1, column: 1, data: { count: 2 } }] },
      // a stage stream may carry several types: still reported (as a warning) with the reason
      {
        schema: union,
        streams: [{ topic: 'orders.raw', kind: 'stage' }],
        errors: [{ messageId: 'topLevelUnion', line: 1, column: 1 }],
      },
      {
        schema: avroRecord('OrderChanged', [`{ "name": "change", "type": [${rec('OrderPlaced')}, ${rec('OrderCancelled')}] }`]),
        errors: [{ messageId: 'wrapperUnion', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL }],
      },
      {
        schema: placed,
        files: { 'cancelled.avsc': cancelled },
        streams: [{ topic: 'orders', kind: 'store', schemas: ['input.avsc', 'cancelled.avsc'] }],
        errors: [
          { messageId: 'severalSchemas', file: 'cancelled.avsc', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL },
          { messageId: 'severalSchemas', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL, data: { count: 2 } },
        ],
      },
    ],
  },
  protobuf: {
    valid: [
      // the catalog names the event: one root
      { schema: twoMessages, streams: [{ topic: 'orders', schemas: ['input.proto#acme.test.v1.OrderPlaced'] }] },
      // outside any stream a file of several messages is a library of types
      { schema: twoMessages, streams: [] },
      proto(`
message OrderLine {
  string sku = 1;
}

message OrderPlaced {
  string order_id = 1;
  repeated OrderLine lines = 2;
}`),
    ],
    invalid: [
      {
        schema: twoMessages,
        errors: [
          { messageId: 'severalRoots', line: protoLine(1), column: 9, data: { count: 2 } },
          { messageId: 'severalRoots', line: protoLine(5), column: 9 },
        ],
      },
    ],
  },
});
