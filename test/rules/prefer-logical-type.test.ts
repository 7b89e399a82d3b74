import { RuleTester } from '../../src/lint/rule-tester.js';
import rule from '../../rules/prefer-logical-type.js';
import { AVRO_FIELD_COL, avroFieldLine, avroRecord, proto, protoLine } from './schemas.js';

const f = (name: string, type: string, doc?: string): string =>
  `{ "name": "${name}", "type": ${type}${doc === undefined ? '' : `, "doc": ${JSON.stringify(doc)}`} }`;
const one = (field: string) => avroRecord('PaymentCaptured', [field]);
const at = { line: avroFieldLine(0), column: AVRO_FIELD_COL };

new RuleTester().run(rule, {
  avro: {
    valid: [
      avroRecord('PaymentCaptured', [
        f('payment_id', '{ "type": "string", "logicalType": "uuid" }'),
        f('amount', '{ "type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2 }'),
        f('captured_at', '{ "type": "long", "logicalType": "timestamp-millis" }'),
        f('value_date', '{ "type": "int", "logicalType": "date" }'),
      ]),
      // rates, weights, coordinates, durations, minor units, zones and times of day are not the target
      avroRecord('ShipmentDispatched', [
        f('tax_rate', '"double"'),
        f('total_weight_kg', '"double"'),
        f('latitude', '"double"'),
        f('processing_time_ms', '"long"'),
        f('lead_time_days', '"int"'),
        f('amount_minor', '"long"', 'Amount in cents of currency_code.'),
        f('time_zone', '"string"', 'IANA zone, e.g. Europe/Berlin.'),
        f('hub_opening_time', '"string"', 'Local time of day the hub opens, HH:mm.'),
        f('trace_id', '"string"', 'W3C trace id.'),
      ]),
      // a money word in the name, but the doc says the value is a percentage, ratio or basis points
      avroRecord('PriceQuoted', [
        f('discount', '"double"', 'Discount as a percentage of the list price.'),
        f('fee', '"float"', 'Fee in basis points of the amount.'),
        f('tax', '"double"', 'Share of the net price, between 0 and 1.'),
        f('tip', '"double"', 'Tip in % of the bill.'),
        f('refund_fraction', '"double"'),
      ]),
      // an epoch that is a training pass, and a filter whose doc shows timestamps in its examples
      avroRecord('ModelTuned', [
        f('epoch', '"int"', 'The epoch this step was part of.'),
        f('total_cancellations', '"float"'),
        f('attribute_value', '"string"', 'An ISO 8601 duration such as P1DT2H.'),
        f('filter', '"string"', 'For example `create_time > "2021-08-15T14:50:00Z"` (RFC 3339).'),
      ]),
    ],
    invalid: [
      { schema: one(f('captured_at', '"string"')), errors: [{ messageId: 'timeAsString', ...at }] },
      { schema: one(f('captured_at', '"long"')), errors: [{ messageId: 'timeAsInteger', ...at }] },
      { schema: one(f('settled', '"long"', 'Milliseconds since the Unix epoch.')), errors: [{ messageId: 'timeAsInteger', ...at }] },
      { schema: one(f('created_at_ms', '["null", "long"]')), errors: [{ messageId: 'timeAsInteger', ...at }] },
      { schema: one(f('birth_date', '"string"', 'YYYY-MM-DD.')), errors: [{ messageId: 'dateAsString', ...at }] },
      { schema: one(f('amount', '"double"')), errors: [{ messageId: 'moneyAsFloat', ...at }] },
      { schema: one(f('refund_total', '"float"')), errors: [{ messageId: 'moneyAsFloat', ...at }] },
      { schema: one(f('total_price', '"double"')), errors: [{ messageId: 'moneyAsFloat', ...at }] },
      { schema: one(f('customer_uuid', '"string"')), errors: [{ messageId: 'uuidAsString', ...at }] },
      { schema: one(f('settled', '"long"', 'Seconds since the Unix epoch.')), errors: [{ messageId: 'timeAsInteger', ...at }] },
      // a date and a time of day in one string is an instant
      { schema: one(f('approved_end_date_time', '"string"', 'Format: yyyy-mm-dd hh:mm:ss.')), errors: [{ messageId: 'timeAsString', ...at }] },
      { schema: one(f('payment_id', '"string"', 'UUID of the payment.')), errors: [{ messageId: 'uuidAsString', ...at }] },
    ],
  },
  protobuf: {
    valid: [
      proto(`
message PaymentCaptured {
  string payment_id = 1;
  google.type.Money amount = 2;
  google.protobuf.Timestamp captured_at = 3;
  google.type.Date value_date = 4;
  double fee_rate = 5;
  int64 amount_minor = 6;
  int64 processing_time_ms = 7;
}`, ['google/protobuf/timestamp.proto', 'google/type/money.proto', 'google/type/date.proto']),
      proto(`
message PriceQuoted {
  // Discount off the list price, in percent (0-100).
  double discount = 1;
  // Ratio of the refunded to the charged amount.
  float refund = 2;
}`),
    ],
    invalid: [
      {
        schema: proto(`
message PaymentCaptured {
  string captured_at = 1;
  int64 settled_at = 2;
  double amount = 3;
  string value_date = 4;
}`),
        errors: [
          { messageId: 'timeAsString', line: protoLine(2), column: 10 },
          { messageId: 'timeAsInteger', line: protoLine(3), column: 9 },
          { messageId: 'moneyAsFloat', line: protoLine(4), column: 10 },
          { messageId: 'dateAsString', line: protoLine(5), column: 10 },
        ],
      },
    ],
  },
});
