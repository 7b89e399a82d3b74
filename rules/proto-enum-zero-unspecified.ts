// Protobuf decodes an unset or unknown enum as its zero value; if zero is a real state, "not set"
// becomes indistinguishable from that state.
import { defineRule } from '../src/lint/rule.js';
import { unspecifiedZero } from '../src/lint/edits/protobuf.js';
import { toUpperSnakeCase } from './util.js';

type Options = {
  suffix: string;
};

export default defineRule<'zeroNotUnspecified' | 'noZero', Options>({
  meta: {
    id: 'proto-enum-zero-unspecified',
    description: 'The zero value of a Protobuf enum is `<ENUM>_UNSPECIFIED`',
    defaultSeverity: 'error',
    category: 'evolution',
    formats: ['protobuf'],
    rationale:
      'In proto3 the first value must be zero and it is what readers see for an unset field; an old reader also ' +
      'maps values it does not know onto it in some languages. If the zero value is a real state such as ACTIVE, ' +
      'an unset field silently reads as ACTIVE. Reserving zero for `<ENUM>_UNSPECIFIED` keeps "not set" distinct ' +
      '(buf\'s ENUM_ZERO_VALUE_SUFFIX, Google AIP-126).',
    messages: {
      zeroNotUnspecified:
        'Enum `{{enum}}` uses `{{value}}` as its zero value, so an unset field reads as {{value}}. Rename the zero ' +
        'value to `{{expected}}` and give `{{value}}` a new number.',
      noZero:
        'Enum `{{enum}}` has no zero value, so an unset field has no meaningful symbol. Add `{{expected}} = 0;` as ' +
        'its first value.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { suffix: { type: 'string', minLength: 1, description: 'required suffix of the zero value' } },
    },
    defaultOptions: { suffix: '_UNSPECIFIED' },
    fixable:
      '`--fix` inserts `<ENUM>_UNSPECIFIED = 0;` above the current zero value and gives that value the next free ' +
      'number. Data already written with 0 then reads as unspecified; on a published enum `schemactl check` ' +
      'reports the renumbering. An enum without a zero value (proto2) is not fixed: a new first value would change ' +
      'the default of every field of that type.',
    examples: {
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nenum OrderStatus {\n  ORDER_STATUS_UNSPECIFIED = 0;\n  ORDER_STATUS_PLACED = 1;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nenum OrderStatus {\n  ORDER_STATUS_PLACED = 0;\n  ORDER_STATUS_SHIPPED = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    const suffix = ctx.options.suffix ?? '_UNSPECIFIED';
    return {
      enum(type) {
        const expected = `${toUpperSnakeCase(type.name)}${suffix}`;
        const zero = type.symbols.find((s) => s.number === 0);
        if (!zero) {
          ctx.report({ messageId: 'noZero', node: type, data: { enum: type.name, expected } });
          return;
        }
        if (zero.name.endsWith(suffix)) return;
        ctx.report({
          messageId: 'zeroNotUnspecified',
          loc: zero.loc,
          path: zero.path,
          symbol: `${type.fullName}.${zero.name}`,
          data: { enum: type.name, value: zero.name, expected },
          fix: unspecifiedZero(ctx.document, type, zero.name, expected),
        });
      },
    };
  },
});
