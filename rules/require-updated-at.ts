// Every event root says when the state it carries was last changed, as a zoned instant that is always
// present: consumers order versions of the same key and compute freshness from it.
import { defineRule } from '../src/lint/rule.js';
import type { Field, RecordType } from '../src/model/types.js';
import { appendField } from '../src/lint/edits/avsc.js';
import { appendTimestampField } from '../src/lint/edits/protobuf.js';
import { toCamelCase, toSnakeCase, typeLabel, unwrapNullable } from './util.js';

type Options = {
  field: string;
};

const ZONED = new Set(['timestamp-millis', 'timestamp-micros', 'timestamp-nanos']);

export default defineRule<'missing' | 'nullable' | 'localTimestamp' | 'wrongType' | 'optional' | 'inOneof', Options>({
  meta: {
    id: 'require-updated-at',
    description: 'Every event root has a non-null, zoned `updated_at` timestamp',
    defaultSeverity: 'error',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'Events on a store stream are versions of an entity. Consumers need to order versions of the same key, detect ' +
      'stale data and join streams by time; all of that needs the moment the state changed, recorded by the ' +
      'producer, in UTC, and always present. A local timestamp has no zone, a nullable one can be missing exactly ' +
      'when it matters, and a string or bare long leaves the unit to guesswork. The field name is configurable ' +
      '(option `field`, default `updated_at`; its camelCase spelling is accepted too).',
    messages: {
      missing:
        'Event `{{record}}` has no `{{expected}}` field; consumers cannot order versions of the same key or tell how ' +
        'fresh the data is. {{fix}}',
      nullable:
        'Field `{{field}}` of event `{{record}}` is nullable ({{type}}); a version without a change time cannot be ' +
        'ordered. Make it a plain {{expectedType}} set by the producer on every write.',
      localTimestamp:
        'Field `{{field}}` of event `{{record}}` is a {{type}}, which has no zone; consumers in other zones read a ' +
        'different instant. Use {{expectedType}} holding UTC.',
      wrongType:
        'Field `{{field}}` of event `{{record}}` is {{type}}, not a timestamp; its unit and zone are guesswork. Use ' +
        '{{expectedType}}.',
      optional:
        'Field `{{field}}` of event `{{record}}` is declared `optional`, so producers may leave it unset. Drop ' +
        '`optional` and always set it.',
      inOneof:
        'Field `{{field}}` of event `{{record}}` is in oneof `{{oneof}}`, so it is absent whenever another member is ' +
        'set. Move it out of the oneof and always set it.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { field: { type: 'string', minLength: 1, description: 'name of the change-time field' } },
    },
    defaultOptions: { field: 'updated_at' },
    fixable:
      'A missing field is added by `--fix` as the event\'s last field: in .avsc ' +
      '`{"name": "updated_at", "type": {"type": "long", "logicalType": "timestamp-millis"}}` laid out like the other ' +
      'fields, in .proto `google.protobuf.Timestamp updated_at = <next free number>;` and the import of ' +
      '`google/protobuf/timestamp.proto`. Producers must then set it; a field of the wrong type is left to you.',
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'CustomerUpdated', namespace: 'com.acme.customers.v1', fields: [
            { name: 'customer_id', type: { type: 'string', logicalType: 'uuid' } },
            { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'CustomerUpdated', namespace: 'com.acme.customers.v1', fields: [
            { name: 'customer_id', type: { type: 'string', logicalType: 'uuid' } },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.customers.v1;\n\nimport "google/protobuf/timestamp.proto";\n\nmessage CustomerUpdated {\n  string customer_id = 1;\n  google.protobuf.Timestamp updated_at = 2;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.customers.v1;\n\nimport "google/protobuf/timestamp.proto";\n\nmessage CustomerUpdated {\n  string customer_id = 1;\n  optional google.protobuf.Timestamp updated_at = 2;\n}\n',
      },
    },
  },
  create(ctx) {
    const expected = ctx.options.field ?? 'updated_at';
    const names = new Set([expected, toCamelCase(expected), toSnakeCase(expected)]);
    const proto = ctx.document.format === 'protobuf';
    const expectedType = proto
      ? '`google.protobuf.Timestamp`'
      : '`{"type": "long", "logicalType": "timestamp-millis"}` (or timestamp-micros)';

    const checkAvro = (record: RecordType, field: Field): void => {
      const { inner, nullable } = unwrapNullable(field.type);
      const data = { field: field.name, record: record.name, type: typeLabel(field.type), expectedType };
      if (nullable) {
        ctx.report({ messageId: 'nullable', node: field, data, symbol: ctx.symbolOf(record, field) });
        return;
      }
      if (inner.kind === 'primitive' && inner.name === 'long' && inner.logicalType && ZONED.has(inner.logicalType)) return;
      const local = inner.kind === 'primitive' && inner.logicalType?.startsWith('local-timestamp');
      ctx.report({ messageId: local ? 'localTimestamp' : 'wrongType', node: field, data, symbol: ctx.symbolOf(record, field) });
    };

    const checkProto = (record: RecordType, field: Field): void => {
      const data = { field: field.name, record: record.name, type: typeLabel(field.type), expectedType, oneof: field.oneof ?? '' };
      const isTimestamp = field.type.kind === 'ref' && field.type.fullName === 'google.protobuf.Timestamp';
      if (!isTimestamp || field.label === 'repeated') {
        ctx.report({
          messageId: 'wrongType', node: field, symbol: ctx.symbolOf(record, field),
          data: { ...data, type: field.label === 'repeated' ? `repeated ${data.type}` : data.type },
        });
        return;
      }
      if (field.oneof !== undefined) {
        ctx.report({ messageId: 'inOneof', node: field, data, symbol: ctx.symbolOf(record, field) });
      } else if (field.label === 'optional') {
        ctx.report({ messageId: 'optional', node: field, data, symbol: ctx.symbolOf(record, field) });
      }
    };

    return {
      record(record) {
        if (!ctx.isEventRoot(record)) return;
        const field = record.fields.find((f) => names.has(f.name));
        if (!field) {
          const fix = proto
            ? `Add \`google.protobuf.Timestamp ${expected} = <next number>;\` and set it on every write.`
            : `Add \`{"name": "${expected}", "type": {"type": "long", "logicalType": "timestamp-millis"}}\` and set it on every write.`;
          ctx.report({
            messageId: 'missing', node: record, data: { record: record.name, expected, fix },
            fix: proto
              ? appendTimestampField(ctx.document, record, expected)
              : appendField(ctx.document, record, { name: expected, type: { type: 'long', logicalType: 'timestamp-millis' } }),
          });
          return;
        }
        if (proto) checkProto(record, field);
        else checkAvro(record, field);
      },
    };
  },
});
