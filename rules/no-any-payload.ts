// A payload typed as "anything" opts out of the schema: the registry checks nothing about it and
// every consumer reverse-engineers its shape.
import { defineRule } from '../src/lint/rule.js';
import type { Field, RecordType } from '../src/model/types.js';
import { typeLabel, unwrapNullable, words } from './util.js';

const DYNAMIC = new Map([
  ['google.protobuf.Any', 'packs a message of any type, named only at run time'],
  ['google.protobuf.Struct', 'is an untyped JSON object'],
  ['google.protobuf.Value', 'is an untyped JSON value'],
  ['google.protobuf.ListValue', 'is an untyped JSON array'],
]);

/** Map fields with these names carry data rather than tags or headers. */
const PAYLOAD_NAMES = new Set([
  'payload', 'data', 'body', 'content', 'details', 'detail', 'event', 'event_data', 'fields', 'values', 'params',
  'parameters', 'properties', 'extra', 'extras', 'info', 'state', 'record', 'object', 'attributes_json',
]);

export default defineRule<'dynamicType' | 'freeMap', Record<string, never>>({
  meta: {
    id: 'no-any-payload',
    description: 'Event data is not typed as google.protobuf.Any/Struct or carried in a free string map',
    defaultSeverity: 'error',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'google.protobuf.Any, Struct and Value, and a map of strings used as the payload, move the real shape of the ' +
      'data out of the schema. The registry then checks only the wrapper: a producer can rename or retype anything ' +
      'inside without a compatibility failure, and consumers decode by convention. Maps of tags or headers ' +
      '(labels, metadata) are fine; the rule looks at payload-like names only for maps.',
    messages: {
      dynamicType:
        'Field `{{field}}` is a `{{type}}`, which {{why}}; the registry cannot check what it contains and consumers ' +
        'must guess. Replace it with a message that declares the fields.',
      freeMap:
        'Field `{{field}}` carries data as a free {{type}}; every key and value type is a convention the schema ' +
        'cannot check. Declare the keys as fields of a record or message.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'labels', type: { type: 'map', values: 'string' } },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'data', type: { type: 'map', values: 'string' } },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n  map<string, string> labels = 2;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nimport "google/protobuf/any.proto";\n\nmessage OrderPlaced {\n  google.protobuf.Any payload = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    return {
      field(field: Field, record: RecordType) {
        let { inner } = unwrapNullable(field.type);
        if (inner.kind === 'array') inner = inner.items;
        if (inner.kind === 'ref' && DYNAMIC.has(inner.fullName)) {
          ctx.report({
            messageId: 'dynamicType',
            node: field,
            data: { field: field.name, type: inner.fullName, why: DYNAMIC.get(inner.fullName) ?? '' },
            symbol: ctx.symbolOf(record, field),
          });
          return;
        }
        if (inner.kind === 'map' && inner.values.kind === 'primitive' && PAYLOAD_NAMES.has(words(field.name).join('_'))) {
          ctx.report({
            messageId: 'freeMap',
            node: field,
            data: { field: field.name, type: typeLabel(inner) },
            symbol: ctx.symbolOf(record, field),
          });
        }
      },
    };
  },
});
