import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/prefer-enum.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

const f = (name: string, type: string, doc?: string, extra = ''): string =>
  `{ "name": "${name}", "type": ${type}${doc === undefined ? '' : `, "doc": ${JSON.stringify(doc)}`}${extra} }`;

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('ShipmentUpdated', [
        f('status', '{ "type": "enum", "name": "ShipmentStatus", "symbols": ["UNKNOWN", "PENDING"], "default": "UNKNOWN" }', 'Where the shipment is.'),
      ]),
      // identifiers, standard codes and free text never fire, whatever their docs say
      avroRecord('OrderPlaced', [
        f('order_id', '"string"', 'One of the ids issued by CHECKOUT or POS.'),
        f('currency_code', '"string"', 'One of EUR, USD or GBP.'),
        f('status_message', '"string"', 'Status text from the carrier, e.g. DELIVERED or HELD.'),
        f('cancellation_reason', '"string"', 'Free-text reason such as DAMAGED or LATE, as typed by the customer.'),
        f('content_type', '"string"', 'MIME type: APPLICATION_JSON or TEXT_PLAIN.'),
      ]),
      // a classifying name without corroboration is not enough
      avroRecord('CustomerUpdated', [
        f('loyalty_tier', '"string"', 'Loyalty tier name as configured in the CRM.'),
        f('priority', '"int"', 'Lower numbers are picked first.'),
      ]),
      // examples after "e.g." describe an open set; a standard's codes belong to the standard
      avroRecord('ProductUpdated', [
        f('product_type', '"string"', 'Merchandising type, e.g. SHIRT or TROUSERS.'),
        f('state', '"string"', 'For US addresses the two-letter postal abbreviation (CA, NY).'),
        f('unit', '"string"', 'UN/ECE Recommendation 20 code (KGM, LTR).'),
        f('payout_type', '"string"', 'Which type of payout: either card or bank transfer details are set.'),
      ]),
      // a doc that spells out an expression language lists its operators and attributes, not values
      avroRecord('RuleMatched', [
        f('condition', '"string"', 'Evaluated per event. Supported operators: `&&`, `||`, `==`. Example: `"country" == "DE" && "tier" == "GOLD"`.'),
        f('match_condition', '"string"', 'A filter expression over ANY("red", "blue") AND NOT "archived".'),
      ]),
      // dotted tokens are host names or paths, not symbols
      avroRecord('MetricWritten', [
        f('metric_type', '"string"', 'User-defined types live under `custom.example.com` or `external.example.com`.'),
      ]),
      // "Example:" introduces examples; values a producer is only encouraged to use leave the set open
      avroRecord('ProductChanged', [
        f('data_source', '"string"', 'Name of the data source. Example: `salesforce`, `jira`, `bigquery`.'),
        f('condition', '"string"', 'Strongly encouraged to use the standard values: "new", "refurbished", "used".'),
      ]),
      // a URL or a resource name identifies something, even beside an enum of the same name
      avroRecord('DiskAttached', [
        f('source', '"string"', 'The URL of the disk resource; its health is HEALTHY or DEGRADED.'),
        f('workload_source', '"string"', 'Formatted as "organizations/{ORGANIZATION_ID}/workloads/{WORKLOAD_ID}".'),
        f('gpu_type', '"string"', 'Sample values are "nvidia-tesla-t4" and "nvidia-tesla-a100".'),
      ]),
      // "eg:", "Examples include", "Common type names are" introduce examples; a single constant is no set
      avroRecord('AssessmentStarted', [
        f('data_source', '"string"', 'The data warehouse type (eg: TERADATA/REDSHIFT) the data comes from.'),
        f('resource_type', '"string"', 'Examples include: APPLICATION, PROJECT, and ORGANIZATION.'),
        f('column_type', '"string"', 'As reported by the driver. Common type names are "VARCHAR", "TEXT" and "BIGINT".'),
        f('kind', '"string"', 'Always contains the value `DenyPolicy`, never `Policy`.'),
        f('game_object_type', '"int"', 'An arbitrary, developer-defined type, e.g. 1 = monster, 2 = powerup.'),
      ]),
      // a unit grammar that mentions what the values "are typically" still describes a grammar
      avroRecord('MetricDescribed', [
        f('unit', '"string"', 'The grammar: `Expression = Component { "." Component }`; with `%` the values are typically "PERCENT" or "RATIO".'),
      ]),
      // names of the record's own fields are not values: "one of `card` or `bank` is set"
      avroRecord('PayoutSent', [
        f('card', '["null", "string"]', undefined, ', "default": null'),
        f('bank', '["null", "string"]', undefined, ', "default": null'),
        f('payout_type', '"string"', 'Says which of `card` or `bank` carries the details.'),
      ]),
    ],
    invalid: [
      {
        schema: avroRecord('ShipmentUpdated', [f('status', '"string"', 'One of PENDING, IN_TRANSIT or DELIVERED.')]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('OrderPlaced', [f('order_status', '"string"', 'Lifecycle state.', ', "default": "PLACED"')]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('OrderPlaced', [
          f('order_id', '"string"'),
          f('delivery_mode', '["null", "string"]', "Either 'standard' or 'express'.", ', "default": null'),
        ]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(1), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('TicketOpened', [f('priority', '"int"', '1 = LOW, 2 = MEDIUM, 3 = HIGH.')]),
        errors: [{ messageId: 'integerEnum', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
      {
        schema: avroRecord('OrderPlaced', [f('accepted_payment_methods', '{ "type": "array", "items": "string" }', 'Each one of "card", "sepa", "paypal".')]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(0), column: AVRO_FIELD_COL }],
      },
      {
        // "the following values are" outweighs the comparison that says when they apply
        schema: avroRecord('ComplianceChecked', [
          f('compliance_state', '"string"'),
          f('state_reason', '"string"', 'The following values are supported when `compliance_state == "unknown"`: `"agent-error"`, `"skipped"`.'),
        ]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(1), column: AVRO_FIELD_COL, data: { values: 'unknown, agent-error, skipped' } }],
      },
      {
        // a link to a page whose address says "syntax" does not make the doc a grammar
        schema: avroRecord('QueryFinished', [f('statement_type', '"string"', 'SELECT, INSERT or DELETE; see [the reference](https://example.com/dml-syntax#statements).')]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(0), column: AVRO_FIELD_COL, data: { values: 'SELECT, INSERT, DELETE' } }],
      },
      {
        // …unless the doc says outright that it lists values
        schema: avroRecord('SpaceChanged', [f('event_type', '"string"', 'Supported event types: `chat.message.created`, `chat.message.deleted`.')]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(0), column: AVRO_FIELD_COL, data: { values: 'chat.message.created, chat.message.deleted' } }],
      },
      {
        // a field name among the listed values is dropped; the values stay
        schema: avroRecord('OrderPlaced', [
          f('express', '"boolean"'),
          f('delivery_mode', '"string"', 'One of STANDARD, NEXT_DAY or SAME_DAY; `express` must then be false.'),
        ]),
        errors: [{ messageId: 'stringEnum', line: avroFieldLine(1), column: AVRO_FIELD_COL, data: { values: 'STANDARD, NEXT_DAY, SAME_DAY' } }],
      },
    ],
  },
  avdl: {
    valid: [
      '@namespace("com.acme.test.v1")\nprotocol P {\n  enum ShipmentStatus { UNKNOWN, PENDING } = UNKNOWN;\n  record ShipmentUpdated {\n    ShipmentStatus status = "UNKNOWN";\n  }\n}\n',
    ],
    invalid: [
      {
        schema: '@namespace("com.acme.test.v1")\nprotocol P {\n  record ShipmentUpdated {\n    /** One of PENDING, IN_TRANSIT or DELIVERED. */\n    string status;\n  }\n}\n',
        errors: [{ messageId: 'stringEnum', line: 5, column: 12, data: { enumName: 'ShipmentStatus' } }],
      },
      {
        // the enum exists but the field does not use it
        schema: '@namespace("com.acme.test.v1")\nprotocol P {\n  enum ShipmentStatus { UNKNOWN, PENDING } = UNKNOWN;\n  record ShipmentUpdated {\n    string status;\n  }\n}\n',
        errors: [{ messageId: 'stringEnum', line: 5, column: 12, data: { values: 'UNKNOWN, PENDING' } }],
      },
    ],
  },
  protobuf: {
    valid: [
      proto(`
enum ShipmentStatus {
  SHIPMENT_STATUS_UNSPECIFIED = 0;
  SHIPMENT_STATUS_PENDING = 1;
}

message ShipmentUpdated {
  ShipmentStatus status = 1;
  // Warehouse code, one of BER1, HAM2.
  string warehouse_code = 2;
  // Stock level after the change.
  int32 stock_level = 3;
}`),
      proto(`
message TransitionRoute {
  string intent = 1;
  // The condition to evaluate. At least one of \`intent\` or \`condition\` must be set.
  string condition = 2;
}

message ConditionalEvent {
  // The following boolean operators are supported:
  //   \`&&\` - \`session.params.fruit == "Apple" || session.params.fruit == "Pear"\`
  //   \`in\` - "Melon" in \`session.params.list\`
  string condition = 1;
}

message ShipmentModel {
  repeated string shipment_type_requirements = 1;
  repeated string shipment_type_incompatibilities = 2;
}

message Shipment {
  // A "type" for this shipment, used by \`shipment_type_requirements\` and \`shipment_type_incompatibilities\`.
  string shipment_type = 1;
}

message Disk {
  enum Source {
    SOURCE_UNSPECIFIED = 0;
    SOURCE_IMAGE = 1;
  }
  // The URL of the image or snapshot the disk is created from.
  string source = 1;
}

message TypeDescriptor {
  // Exactly one of \`type_class\` and \`type_name\` names the type.
  string type = 1;
  string type_class = 2;
  string type_name = 3;
}`),
    ],
    invalid: [
      {
        schema: proto(`
message ShipmentUpdated {
  // One of PENDING, IN_TRANSIT or DELIVERED.
  string status = 1;
}`),
        errors: [{ messageId: 'stringEnum', line: protoLine(3), column: 10 }],
      },
      {
        // an enum of the matching name is declared but the field does not use it
        schema: proto(`
enum ShipmentStatus {
  SHIPMENT_STATUS_UNSPECIFIED = 0;
  SHIPMENT_STATUS_PENDING = 1;
}

message ShipmentUpdated {
  string status = 1;
}`),
        errors: [{ messageId: 'stringEnum', line: protoLine(7), column: 10 }],
      },
      {
        schema: proto(`
message TicketOpened {
  // Severity code: 1 = LOW, 2 = HIGH, 3 = CRITICAL.
  int32 severity = 1;
}`),
        errors: [{ messageId: 'integerEnum', line: protoLine(3), column: 9 }],
      },
      {
        schema: proto(`
message ResourceReport {
  string compliance_state = 1;
  // The following values are supported when \`compliance_state == UNKNOWN\`:
  // * \`execution-errors\`: the agent failed.
  // * \`execution-skipped\`: the agent skipped it.
  string compliance_state_reason = 2;
}`),
        errors: [{ messageId: 'stringEnum', line: protoLine(6), column: 10 }],
      },
    ],
  },
});
