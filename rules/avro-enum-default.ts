// Without an enum default, a reader that meets a symbol it does not know fails; with one, adding a
// symbol is a compatible change.
import { defineRule } from '../src/lint/rule.js';

export default defineRule<'missingDefault', Record<string, never>>({
  meta: {
    id: 'avro-enum-default',
    description: 'Avro enums declare a default symbol for readers that meet an unknown symbol',
    defaultSeverity: 'error',
    category: 'evolution',
    formats: ['avro'],
    rationale:
      'Since Avro 1.9 an enum may name a default symbol that a reader uses when the writer\'s symbol is not in the ' +
      'reader\'s enum. Without it, adding a symbol breaks every consumer still on the old schema, so closed sets ' +
      'can never grow. The default is usually an UNKNOWN symbol placed first.',
    messages: {
      missingDefault:
        'Enum `{{enum}}` has no default symbol, so a consumer on this schema fails on any symbol added later. Add ' +
        '`"default": "{{suggestion}}"`{{addSymbol}}.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'enum', name: 'OrderStatus', namespace: 'com.acme.orders.v1',
          symbols: ['UNKNOWN', 'PLACED', 'SHIPPED'], default: 'UNKNOWN',
        }, null, 2),
        invalid: JSON.stringify({
          type: 'enum', name: 'OrderStatus', namespace: 'com.acme.orders.v1', symbols: ['PLACED', 'SHIPPED'],
        }, null, 2),
      },
    },
  },
  create(ctx) {
    return {
      enum(type) {
        if (type.default !== undefined) return;
        const known = type.symbols.find((s) => /^(UNKNOWN|UNSPECIFIED|OTHER)$/.test(s.name));
        ctx.report({
          messageId: 'missingDefault',
          node: type,
          data: {
            enum: type.name,
            suggestion: known?.name ?? 'UNKNOWN',
            addSymbol: known ? '' : ' and add `UNKNOWN` to its symbols',
          },
        });
      },
    };
  },
});
