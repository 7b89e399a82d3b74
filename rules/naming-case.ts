// One spelling per kind of name: generated code, JSON mappings and SQL sinks derive identifiers from
// these names, and mixed conventions produce mixed (or colliding) identifiers downstream.
import { defineRule } from '../src/lint/rule.js';
import type { Field, NamedType, RecordType, SchemaDocument } from '../src/model/types.js';
import {
  isCamelCase, isPascalCase, isSnakeCase, isUpperSnakeCase, records, toCamelCase, toPascalCase, toSnakeCase,
  toUpperSnakeCase,
} from './util.js';

type FieldCase = 'snake_case' | 'camelCase' | 'consistent';

type Options = {
  fields: FieldCase;
};

const CHECK: Record<'snake_case' | 'camelCase', (n: string) => boolean> = { snake_case: isSnakeCase, camelCase: isCamelCase };
const CONVERT: Record<'snake_case' | 'camelCase', (n: string) => string> = { snake_case: toSnakeCase, camelCase: toCamelCase };

/** The majority convention of a file's field names; single words count for both, ties go to snake_case. */
function majority(doc: SchemaDocument): 'snake_case' | 'camelCase' {
  let snake = 0;
  let camel = 0;
  for (const r of records(doc)) {
    for (const f of r.fields) {
      if (/_/.test(f.name) && isSnakeCase(f.name)) snake++;
      else if (/[A-Z]/.test(f.name) && isCamelCase(f.name)) camel++;
    }
  }
  return camel > snake ? 'camelCase' : 'snake_case';
}

export default defineRule<'typeName' | 'fieldName' | 'symbolName', Options>({
  meta: {
    id: 'naming-case',
    description: 'Types are PascalCase, fields snake_case (or camelCase, consistently), enum symbols UPPER_SNAKE_CASE',
    defaultSeverity: 'warn',
    category: 'naming',
    formats: ['avro', 'protobuf'],
    rationale:
      'Code generators, JSON mappings and SQL sinks turn schema names into identifiers. A consistent convention ' +
      'gives predictable identifiers in every language, avoids collisions such as `orderId` and `order_id` in one ' +
      'record, and is what Protobuf style (buf) and most Avro catalogs expect: PascalCase types, lower_snake_case ' +
      'fields, UPPER_SNAKE_CASE enum symbols. Avro catalogs written for Java often use camelCase fields; set ' +
      '`fields: camelCase`, or `consistent` to follow the majority of each file. Protobuf fields are always ' +
      'checked as snake_case, because protoc derives the camelCase JSON name from it.',
    messages: {
      typeName:
        '{{what}} `{{name}}` is not PascalCase; generated class names will not follow the language\'s conventions. ' +
        'Rename it to `{{suggestion}}` (add the old name to `aliases` in Avro to keep reading old data).',
      fieldName:
        'Field `{{name}}` is not {{convention}}, unlike the {{convention}} names expected in this file; mixed ' +
        'conventions give inconsistent generated accessors and JSON keys. Rename it to `{{suggestion}}`{{aliasHint}}.',
      symbolName:
        'Enum symbol `{{name}}` of `{{enum}}` is not UPPER_SNAKE_CASE; symbols read as constants in every generated ' +
        'language. Rename it to `{{suggestion}}`.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { fields: { enum: ['snake_case', 'camelCase', 'consistent'] } },
    },
    defaultOptions: { fields: 'snake_case' },
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'order_id', type: 'string' },
            { name: 'status', type: { type: 'enum', name: 'OrderStatus', symbols: ['UNKNOWN', 'PLACED'], default: 'UNKNOWN' } },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'order_placed', namespace: 'com.acme.orders.v1', fields: [
            { name: 'OrderId', type: 'string' },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage orderPlaced {\n  string OrderId = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    const proto = ctx.document.format === 'protobuf';
    let convention: 'snake_case' | 'camelCase' = 'snake_case';
    const typeWhat = (t: NamedType): string =>
      t.kind === 'enum' ? 'Enum' : t.kind === 'fixed' ? 'Fixed type' : proto ? 'Message' : 'Record';
    const checkType = (t: NamedType): void => {
      if (isPascalCase(t.name)) return;
      ctx.report({ messageId: 'typeName', node: t, data: { what: typeWhat(t), name: t.name, suggestion: toPascalCase(t.name) } });
    };
    return {
      document(doc) {
        const opt = ctx.options.fields ?? 'snake_case';
        convention = proto ? 'snake_case' : opt === 'consistent' ? majority(doc) : opt;
      },
      record: checkType,
      fixed: checkType,
      enum(t) {
        checkType(t);
        for (const s of t.symbols) {
          if (isUpperSnakeCase(s.name)) continue;
          ctx.report({
            messageId: 'symbolName',
            loc: s.loc,
            path: s.path,
            symbol: `${t.fullName}.${s.name}`,
            data: { name: s.name, enum: t.name, suggestion: toUpperSnakeCase(s.name) },
          });
        }
      },
      field(field: Field, record: RecordType) {
        if (CHECK[convention](field.name)) return;
        ctx.report({
          messageId: 'fieldName',
          node: field,
          symbol: ctx.symbolOf(record, field),
          data: {
            name: field.name,
            convention,
            suggestion: CONVERT[convention](field.name),
            aliasHint: proto ? ' (the wire format uses numbers, but JSON readers see the new name)' : ' and keep the old name in `aliases`',
          },
        });
      },
    };
  },
});
