// Avro requires a union's default to match its first branch, so only a null-first union can default
// to null; `["string", "null"]` silently forces a non-null default or none at all.
import { defineRule } from '../src/lint/rule.js';
import { nullFirstWithDefault } from '../src/lint/edits/avsc.js';
import { typeLabel, unwrapNullable } from './util.js';

export default defineRule<'nullNotFirst', Record<string, never>>({
  meta: {
    id: 'avro-union-null-first',
    description: 'Nullable Avro unions list `null` first so the field can default to null',
    defaultSeverity: 'warn',
    category: 'evolution',
    formats: ['avro'],
    rationale:
      'The Avro specification says a union field\'s default must match the first branch. With `null` anywhere but ' +
      'first, the field cannot default to null, so it is either given a misleading non-null default or no default ' +
      'at all, and in both cases "optional" stops meaning "absent by default". Putting `null` first is the ' +
      'convention every Avro code generator and the Confluent tooling expect.',
    messages: {
      nullNotFirst:
        'Field `{{field}}` is {{type}} with `null` at position {{position}}; a union default must match the first ' +
        'branch, so this field cannot default to null. Write it as {{fixed}} with `"default": null`.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    fixable:
      'In .avsc files `--fix` moves `null` to the front of the union (each branch kept as written) and adds ' +
      '`"default": null` when the field has no default. A field with a non-null default is left to you: ' +
      'switching it to null changes what readers fill in.',
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'coupon_code', type: ['null', 'string'], default: null },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'coupon_code', type: ['string', 'null'], default: '' },
          ],
        }, null, 2),
      },
    },
  },
  create(ctx) {
    return {
      field(field, record) {
        const { nullIndex, union } = unwrapNullable(field.type);
        if (!union || nullIndex <= 0) return;
        const rest = union.branches.filter((_, i) => i !== nullIndex).map(typeLabel);
        ctx.report({
          messageId: 'nullNotFirst',
          node: field,
          data: {
            field: field.name,
            type: typeLabel(union),
            position: nullIndex + 1,
            fixed: `[${['null', ...rest].map((b) => JSON.stringify(b)).join(', ')}]`,
          },
          symbol: ctx.symbolOf(record, field),
          fix: nullFirstWithDefault(ctx.document, field),
        });
      },
    };
  },
});
