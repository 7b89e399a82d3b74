// proto2 `required` can never be removed or relaxed without breaking every reader that still has it,
// which is why proto3 dropped it.
import { defineRule } from '../src/lint/rule.js';

export default defineRule<'required', Record<string, never>>({
  meta: {
    id: 'proto-no-required',
    description: 'Protobuf fields are never declared `required`',
    defaultSeverity: 'error',
    category: 'evolution',
    formats: ['protobuf'],
    rationale:
      'A proto2 `required` field makes a message without it unparseable. Once published, the field can never be ' +
      'removed or made optional: any reader still holding the old schema rejects the new messages. Google\'s own ' +
      'guidance is "required is forever", and proto3 removed the label. Validate presence in the producer instead.',
    messages: {
      required:
        'Field `{{field}}` is declared `required`; it can never be removed or relaxed, because readers with this ' +
        'schema reject every message without it. Declare it `optional` and validate presence in the producer.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      protobuf: {
        valid: 'syntax = "proto2";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  optional string order_id = 1;\n}\n',
        invalid: 'syntax = "proto2";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  required string order_id = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    return {
      field(field, record) {
        if (field.label !== 'required') return;
        ctx.report({ messageId: 'required', node: field, data: { field: field.name }, symbol: ctx.symbolOf(record, field) });
      },
    };
  },
});
