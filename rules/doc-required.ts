// An event is a public contract read by teams who never talk to its producer; its doc strings are the
// only documentation that travels with it into the registry and generated code.
import { defineRule } from '../src/lint/rule.js';
import { docOf } from './util.js';

type Options = {
  /** also require docs on the fields of event roots */
  fields: boolean;
};

export default defineRule<'rootDoc' | 'fieldDoc', Options>({
  meta: {
    id: 'doc-required',
    description: 'Event roots and their fields carry documentation',
    defaultSeverity: 'warn',
    category: 'hygiene',
    formats: ['avro', 'protobuf'],
    rationale:
      'Consumers of an event learn what it means from the schema: when it is emitted, what each field holds, in ' +
      'which unit. Avro `doc` attributes and Protobuf leading comments travel with the schema into the registry ' +
      'and generated code; a wiki page does not. Only event roots and their own fields are required to have docs, ' +
      'so helper types are not held to it.',
    messages: {
      rootDoc:
        'Event `{{name}}` has no documentation, so consumers cannot tell when it is emitted or what it means. Add ' +
        '{{how}} describing the fact it records and when it is published.',
      fieldDoc:
        'Field `{{field}}` of event `{{record}}` has no documentation, so its meaning and unit are guesswork. Add {{how}}.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { fields: { type: 'boolean' } },
    },
    defaultOptions: { fields: true },
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', doc: 'A customer placed an order.', fields: [
            { name: 'order_id', type: 'string', doc: 'Identifier of the order.' },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [{ name: 'order_id', type: 'string' }],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\n// A customer placed an order.\nmessage OrderPlaced {\n  // Identifier of the order.\n  string order_id = 1;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    const withFields = ctx.options.fields ?? true;
    const proto = ctx.document.format === 'protobuf';
    const how = proto ? 'a `//` comment on the line above' : 'a `"doc"` attribute';
    return {
      record(record) {
        if (!ctx.isEventRoot(record)) return;
        if (docOf(record) === '') ctx.report({ messageId: 'rootDoc', node: record, data: { name: record.name, how } });
        if (!withFields) return;
        for (const f of record.fields) {
          if (docOf(f) !== '') continue;
          ctx.report({
            messageId: 'fieldDoc', node: f, symbol: ctx.symbolOf(record, f), data: { field: f.name, record: record.name, how },
          });
        }
      },
    };
  },
});
