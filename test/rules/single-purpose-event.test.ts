import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/single-purpose-event.js';
import { AVRO_RECORD_COL, AVRO_RECORD_LINE, avroRecord, proto, protoLine } from './schemas.js';

const rec = (name: string) => `{ "type": "record", "name": "${name}", "fields": [{ "name": "order_id", "type": "string" }] }`;
const root = { line: AVRO_RECORD_LINE, column: AVRO_RECORD_COL };

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('CustomerRegistered', ['{ "name": "customer_id", "type": "string" }', '{ "name": "email", "type": "string" }']),
      // a change-data-capture envelope: `op` discriminates, but before/after have one shape
      avroRecord('Envelope', [
        `{ "name": "before", "type": ["null", ${rec('Value')}], "default": null }`,
        '{ "name": "after", "type": ["null", "Value"], "default": null }',
        '{ "name": "op", "type": "string" }',
      ]),
      // polymorphic details of one fact are not several events
      avroRecord('PaymentMethodAdded', [
        '{ "name": "type", "type": "string" }',
        `{ "name": "details", "type": [${rec('CardDetails')}, ${rec('SepaDetails')}] }`,
      ]),
      // a discriminator alone, or a payload alone, is weak evidence
      avroRecord('Event', ['{ "name": "event_type", "type": "string" }', '{ "name": "order_id", "type": "string" }']),
      avroRecord('OrderPlaced', ['{ "name": "order_id", "type": "string" }', '{ "name": "attributes", "type": { "type": "map", "values": "string" } }']),
      // a request and a response carried as JSON are loose payloads, not a type-discriminated envelope
      avroRecord('RequestLogged', [
        '{ "name": "request", "type": "string", "doc": "The request, as JSON." }',
        '{ "name": "response", "type": "string", "doc": "The response, as JSON." }',
      ]),
      // many polymorphic references (unions of records that are not events) are one weak piece of evidence
      avroRecord('Shipment', [0, 1, 2, 3, 4, 5].map((i) => `{ "name": "ref${i}", "type": [${rec(`A${i}`)}, ${rec(`B${i}`)}] }`)),
    ],
    invalid: [
      {
        schema: avroRecord('DomainEvent', [
          '{ "name": "event_type", "type": "string", "doc": "CUSTOMER_CREATED or CUSTOMER_DELETED." }',
          '{ "name": "payload", "type": "string", "doc": "The event itself, as JSON." }',
        ]),
        errors: [{ messageId: 'envelope', ...root, data: { score: 7 } }],
      },
      {
        schema: avroRecord('OrderEvent', [`{ "name": "event", "type": [${rec('OrderPlaced')}, ${rec('OrderCancelled')}] }`]),
        errors: [{ messageId: 'envelope', ...root }],
      },
      {
        schema: avroRecord('Message', ['{ "name": "type", "type": "string" }', '{ "name": "data", "type": { "type": "map", "values": "string" } }']),
        errors: [{ messageId: 'envelope', ...root }],
      },
    ],
  },
  protobuf: {
    valid: [
      proto(`
message CardDetails {
  string last4 = 1;
}

message SepaDetails {
  string iban_masked = 1;
}

message PaymentMethodAdded {
  string type = 1;
  oneof details {
    CardDetails card = 2;
    SepaDetails sepa = 3;
  }
}`),
    ],
    invalid: [
      {
        schema: proto(`
message DomainEvent {
  string event_type = 1;
  // The event itself, as JSON.
  string payload = 2;
}`),
        errors: [{ messageId: 'envelope', line: protoLine(1), column: 9 }],
      },
      {
        schema: proto(`
message OrderPlaced {
  string order_id = 1;
}

message OrderCancelled {
  string order_id = 1;
}

message OrderEvent {
  oneof event {
    OrderPlaced placed = 1;
    OrderCancelled cancelled = 2;
  }
}`),
        errors: [{ messageId: 'envelope', line: protoLine(9), column: 9 }],
      },
      {
        schema: proto(`
message Envelope {
  string type = 1;
  google.protobuf.Any payload = 2;
}`, ['google/protobuf/any.proto']),
        errors: [{ messageId: 'envelope', line: protoLine(1, 1), column: 9 }],
      },
    ],
  },
});
