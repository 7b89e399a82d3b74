// Findings shaped like the engine's output, covering the cases formatters must get right: a multi-line
// span, related locations, help text, a fatal parse error, a file-level finding, a clean file and
// characters that need escaping in XML, JSON and workflow commands.
import type { FileResult } from '../../src/diagnostics/types.js';
import type { RuleMeta } from '../../src/lint/rule.js';

export const CWD = '/repo';

const orderSource = [
  '{',
  '  "type": "record",',
  '  "name": "OrderPlaced",',
  '  "namespace": "com.acme",',
  '  "fields": [',
  '    {"name": "order_id", "type": "string"},',
  '    {"name": "status", "type": "string", "doc": "one of PAID, SHIPPED"},',
  '\t{"name": "total", "type": "double"}',
  '  ]',
  '}',
].join('\n');

export const results: FileResult[] = [
  {
    file: 'schemas/orders/order-placed.avsc',
    source: orderSource,
    diagnostics: [
      {
        ruleId: 'prefer-logical-type',
        severity: 'warn',
        message: 'Field `total` holds money as double; rounding loses cents.',
        help: 'Use {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}.',
        location: { file: 'schemas/orders/order-placed.avsc', range: { line: 8, column: 12, endLine: 8, endColumn: 19 }, path: '/fields/2' },
        symbol: 'com.acme.OrderPlaced.total',
      },
      {
        ruleId: 'prefer-enum',
        severity: 'error',
        message: 'Field `status` holds one of PAID, SHIPPED as a string; consumers cannot rely on the set. Make it an enum `OrderStatus` with a default symbol.',
        location: { file: 'schemas/orders/order-placed.avsc', range: { line: 7, column: 14, endLine: 7, endColumn: 22 }, path: '/fields/1' },
        related: [{ file: 'schemas/orders/order-placed.avsc', message: 'the doc lists the values here', range: { line: 7, column: 50, endLine: 7, endColumn: 71 } }],
        symbol: 'com.acme.OrderPlaced.status',
      },
      {
        ruleId: 'require-updated-at',
        severity: 'error',
        message: 'Event root `OrderPlaced` has no `updated_at`, so consumers cannot order versions of "the same" entity.',
        location: { file: 'schemas/orders/order-placed.avsc', range: { line: 1, column: 1, endLine: 10, endColumn: 2 }, path: '' },
      },
    ],
  },
  {
    file: 'schemas/bad/broken.proto',
    source: 'syntax = "proto3";\nmessage Broken {\n  string a = 1\n}\n',
    diagnostics: [
      {
        ruleId: 'parse-error',
        severity: 'error',
        fatal: true,
        message: 'Expected ";" after field number, found "}" <here> & "there".',
        location: { file: 'schemas/bad/broken.proto', range: { line: 4, column: 1, endLine: 4, endColumn: 2 } },
      },
    ],
  },
  {
    file: 'schemas/ok, fine: yes.avsc',
    source: '{"type": "string"}',
    diagnostics: [
      {
        ruleId: 'explicit-schema-format',
        severity: 'warn',
        message: '50% of this file\nis not a schema, really: check it',
        location: { file: 'schemas/ok, fine: yes.avsc' },
      },
    ],
  },
  { file: 'schemas/clean.avsc', source: '{"type": "record", "name": "A", "fields": []}', diagnostics: [] },
];

export const ruleMetas = new Map<string, RuleMeta<string>>([
  ['prefer-enum', {
    id: 'prefer-enum',
    description: 'Model a closed set of values as an enum',
    defaultSeverity: 'error',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale: 'A string that holds one of a few values hides the set from consumers.',
    messages: { stringEnum: 'x' },
    examples: { avro: { valid: '{"type": "enum", "name": "S", "symbols": ["A"]}', invalid: '{"type": "string"}' } },
  }],
]);
