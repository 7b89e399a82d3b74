// The parser already rejects decimals whose precision/scale break the Avro spec; what remains are
// valid-but-surprising declarations: an omitted scale (which means 0) and precisions no common
// consumer can hold.
import { defineRule } from '../src/lint/rule.js';
import type { Field, RecordType, TypeNode } from '../src/model/types.js';

type Options = {
  /** largest precision that consumers (warehouses, JVM/SQL decimals) are expected to hold */
  maxPrecision: number;
};

interface DecimalSite {
  precision: number;
  scale?: number;
  node: { path: string; loc: TypeNode['loc'] };
}

function decimalsIn(type: TypeNode, lookup: (n: string) => { kind: string; logicalType?: string; precision?: number; scale?: number; path: string; loc: TypeNode['loc'] } | undefined): DecimalSite[] {
  switch (type.kind) {
    case 'primitive':
      return type.logicalType === 'decimal' && type.precision !== undefined
        ? [{ precision: type.precision, ...(type.scale !== undefined ? { scale: type.scale } : {}), node: type }]
        : [];
    case 'inline':
    case 'ref': {
      const t = lookup(type.fullName);
      return t && t.kind === 'fixed' && t.logicalType === 'decimal' && t.precision !== undefined
        ? [{ precision: t.precision, ...(t.scale !== undefined ? { scale: t.scale } : {}), node: type }]
        : [];
    }
    case 'array':
      return decimalsIn(type.items, lookup);
    case 'map':
      return decimalsIn(type.values, lookup);
    case 'union':
      return type.branches.flatMap((b) => decimalsIn(b, lookup));
  }
}

export default defineRule<'implicitScale' | 'tooPrecise', Options>({
  meta: {
    id: 'decimal-precision-scale',
    description: 'Avro decimals state their scale and keep a precision consumers can hold',
    defaultSeverity: 'warn',
    category: 'hygiene',
    formats: ['avro'],
    rationale:
      'An Avro decimal without `scale` has scale 0: it holds whole numbers only, which is rarely what a price or ' +
      'amount field means and is easy to miss in review. A precision above 38 digits does not fit the decimal types ' +
      'of most consumers (Java BigDecimal maps fine, but Spark, BigQuery NUMERIC, SQL Server and many JDBC sinks ' +
      'stop at 38), so records fail at the sink instead of at the producer. Spec violations (a scale above the ' +
      'precision, a precision that does not fit a fixed) are reported by the parser.',
    messages: {
      implicitScale:
        'Field `{{field}}` is a decimal with precision {{precision}} and no `scale`, so it holds whole numbers only ' +
        '(scale defaults to 0). Write the scale explicitly, e.g. `"scale": 2` for amounts in cents.',
      tooPrecise:
        'Field `{{field}}` is a decimal with precision {{precision}}, more than the {{max}} digits most warehouses and ' +
        'SQL sinks can store, so records fail when they are loaded. Lower the precision to at most {{max}}.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { maxPrecision: { type: 'integer', minimum: 1 } },
    },
    defaultOptions: { maxPrecision: 38 },
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'PaymentCaptured', namespace: 'com.acme.payments.v1', fields: [
            { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'PaymentCaptured', namespace: 'com.acme.payments.v1', fields: [
            { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12 } },
          ],
        }, null, 2),
      },
    },
  },
  create(ctx) {
    const max = ctx.options.maxPrecision ?? 38;
    return {
      field(field: Field, record: RecordType) {
        const lookup = (n: string) => {
          const t = ctx.lookup(n);
          return t && t.kind === 'fixed' ? t : undefined;
        };
        for (const site of decimalsIn(field.type, lookup)) {
          const data = { field: field.name, precision: site.precision, max };
          if (site.precision > max) {
            ctx.report({ messageId: 'tooPrecise', loc: site.node.loc, path: site.node.path, data, symbol: ctx.symbolOf(record, field) });
          } else if (site.scale === undefined) {
            ctx.report({ messageId: 'implicitScale', loc: site.node.loc, path: site.node.path, data, symbol: ctx.symbolOf(record, field) });
          }
        }
      },
    };
  },
});
