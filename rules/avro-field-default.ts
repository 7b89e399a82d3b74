// An optional Avro field without a default cannot be added or removed compatibly: a reader whose
// schema has the field needs a default to fill it in when reading data written without it.
import { defineRule } from '../src/lint/rule.js';
import { nullFirstWithDefault } from '../src/lint/edits/avsc.js';
import { typeLabel, unwrapNullable } from './util.js';

export default defineRule<'missingDefault', Record<string, never>>({
  meta: {
    id: 'avro-field-default',
    description: 'Nullable Avro fields declare a default',
    defaultSeverity: 'error',
    category: 'evolution',
    formats: ['avro'],
    rationale:
      'Avro schema resolution fills a field the writer did not have from the reader\'s default; a field without ' +
      'one makes the reader fail. A nullable field is by intent optional, so it should always be safe to add or ' +
      'drop — which it is only with `"default": null` (and `null` as the first branch, since a union default must ' +
      'match the first branch). Invalid defaults are reported by the parser itself.',
    messages: {
      missingDefault:
        'Field `{{field}}` is nullable ({{type}}) but has no default, so adding or removing it breaks readers of ' +
        'older or newer data. Add `"default": null`{{order}}.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fixable:
      'In .avsc files `--fix` adds `"default": null` after the field\'s type and moves `null` to the front of ' +
      'the union when it is not there.',
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'coupon_code', type: ['null', 'string'], default: null },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'coupon_code', type: ['null', 'string'] },
          ],
        }, null, 2),
      },
    },
  },
  create(ctx) {
    return {
      field(field, record) {
        if (field.hasDefault) return;
        const { nullable, nullIndex } = unwrapNullable(field.type);
        if (!nullable) return;
        ctx.report({
          messageId: 'missingDefault',
          node: field,
          data: {
            field: field.name,
            type: typeLabel(field.type),
            order: nullIndex > 0 ? ' and move `"null"` to the first branch of the union' : '',
          },
          symbol: ctx.symbolOf(record, field),
          fix: nullFirstWithDefault(ctx.document, field),
        });
      },
    };
  },
});
