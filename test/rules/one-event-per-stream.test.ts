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
      // a stage stream may carry several event types by design: no finding by default
      { schema: union, streams: [{ topic: 'orders.raw', kind: 'stage' }] },
      {
        schema: placed,
        files: { 'cancelled.avsc': cancelled },
        streams: [{ topic: 'orders.raw', kind: 'stage', schemas: ['input.avsc', 'cancelled.avsc'] }],
      },
      // a union of shapes that are not events (CardDetails | SepaDetails) beside other fields is data
      avroRecord('PaymentCaptured', [
        '{ "name": "payment_id", "type": "string" }',
        `{ "name": "method", "type": [${rec('CardDetails')}, ${rec('SepaDetails')}] }`,
      ]),
    ],
    invalid: [
      { schema: union, errors: [{ messageId: 'topLevelUnion', line: 1, column: 1, data: { count: 2 } }] },
      // with option `stage`, a stage stream is reported (as a warning) with the reason
      {
        schema: union,
        options: { stage: true },
        streams: [{ topic: 'orders.raw', kind: 'stage' }],
        errors: [{ messageId: 'topLevelUnion', line: 1, column: 1 }],
      },
      {
        schema: placed,
        options: { stage: true },
        files: { 'cancelled.avsc': cancelled },
        streams: [{ topic: 'orders.raw', kind: 'stage', schemas: ['input.avsc', 'cancelled.avsc'] }],
        errors: [
          { messageId: 'severalSchemas', file: 'cancelled.avsc', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL },
          { messageId: 'severalSchemas', line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL, data: { count: 2 } },
        ],
      },
      // an envelope with metadata beside a union of event records
      {
        schema: avroRecord('OrderChanged', [
          '{ "name": "order_id", "type": "string" }',
          `{ "name": "change", "type": [${rec('OrderPlaced')}, ${rec('OrderCancelled')}] }`,
        ]),
        errors: [{ messageId: 'eventVariants', line: 5, column: 15, data: { count: 2, types: 'OrderPlaced, OrderCancelled' } }],
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
      // a oneof that mixes scalars and messages is the shapes of one value (google.protobuf.Value), not a wrapper
      proto(`
message ListValue {
  repeated string values = 1;
}

message MapValue {
  map<string, string> fields = 1;
}

message Value {
  oneof kind {
    string string_value = 1;
    ListValue list_value = 2;
    MapValue map_value = 3;
  }
}`),
      // a message that only wraps a oneof of messages not named like events: shapes of one value
      proto(`
message MaskAnnotation {
  string mask = 1;
}

message PolygonAnnotation {
  repeated string vertices = 1;
}

message ImageAnnotation {
  oneof annotation {
    MaskAnnotation mask = 1;
    PolygonAnnotation polygon = 2;
  }
}`),
      // a oneof of alternative shapes of one value, not events
      proto(`
message CardDetails {
  string pan_last4 = 1;
}

message SepaDetails {
  string iban = 1;
}

message PaymentCaptured {
  string payment_id = 1;
  oneof method {
    CardDetails card = 2;
    SepaDetails sepa = 3;
  }
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
      // a oneof of several event messages is several events in one stream, as an Avro union is
      {
        schema: proto(`
message OrderEvent {
  string order_id = 1;
  oneof change {
    OrderPlaced placed = 2;
    OrderCancelled cancelled = 3;
  }
  message OrderPlaced {
    string sku = 1;
  }
  message OrderCancelled {
    string reason = 1;
  }
}`),
        errors: [{ messageId: 'eventVariants', line: protoLine(3), column: 3, data: { count: 2, types: 'OrderPlaced, OrderCancelled' } }],
      },
      // a message that only wraps a oneof of event messages
      {
        schema: proto(`
message Placed {
  string sku = 1;
}

message Cancelled {
  string reason = 1;
}

message OrderChange {
  oneof change {
    Placed placed = 1;
    Cancelled cancelled = 2;
  }
}`),
        streams: [{ topic: 'orders', schemas: ['input.proto#acme.test.v1.OrderChange'] }],
        errors: [{ messageId: 'eventVariants', line: protoLine(10), column: 3, data: { count: 2 } }],
      },
    ],
  },
});
