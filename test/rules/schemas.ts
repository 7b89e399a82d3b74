// Builders for compact test schemas with predictable positions, so error tables can state
// line:column without counting by hand:
//  - avroRecord: the record name is at 2:29; field i (0-based) starts on line 4 + i and, written as
//    `{ "name": …`, has its name at column 15;
//  - proto: the file header takes `3 + imports.length` lines, then the body follows verbatim.

export function avroRecord(name: string, fields: string[], extra = ''): string {
  return [
    '{',
    `  "type": "record", "name": "${name}", "namespace": "com.acme.test.v1",${extra}`,
    '  "fields": [',
    ...fields.map((f, i) => `    ${f}${i < fields.length - 1 ? ',' : ''}`),
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** Line of field `i` in an avroRecord. */
export const avroFieldLine = (i: number): number => 4 + i;
export const AVRO_FIELD_COL = 15;
export const AVRO_RECORD_LINE = 2;
export const AVRO_RECORD_COL = 29;

/** A proto3 file: `syntax`, `package`, one line per import, a blank line, then `body`. */
export function proto(body: string, imports: string[] = [], pkg = 'acme.test.v1', syntax = 'proto3'): string {
  return [`syntax = "${syntax}";`, `package ${pkg};`, ...imports.map((i) => `import "${i}";`), '', body.trim(), ''].join('\n');
}

/** Line of body line `n` (1-based) in a proto() file. */
export const protoLine = (n: number, imports = 0): number => 3 + imports + n;
