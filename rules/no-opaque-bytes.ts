// Bytes hide their encoding. Some data is bytes by nature (hashes, signatures, keys, images); anything
// else needs a doc saying what the bytes are, or better a real type.
import { defineRule } from '../src/lint/rule.js';
import type { Field, RecordType } from '../src/model/types.js';
import { docOf, primitiveOf, words } from './util.js';

/** Tokens of names whose values are bytes by nature. */
const NATURALLY_BINARY = new Set([
  'hash', 'digest', 'checksum', 'signature', 'sig', 'hmac', 'mac', 'nonce', 'salt', 'iv', 'key', 'cipher',
  'ciphertext', 'encrypted', 'certificate', 'cert', 'fingerprint', 'thumbnail', 'image', 'photo', 'picture', 'avatar',
  'icon', 'blob', 'file', 'attachment', 'pdf', 'png', 'jpeg', 'jpg', 'sha256', 'sha1', 'md5', 'token', 'bloom',
  'bitmap', 'bitset', 'protobuf', 'avro', 'compressed', 'gzip', 'zstd',
]);

export default defineRule<'opaqueBytes', Record<string, never>>({
  meta: {
    id: 'no-opaque-bytes',
    description: 'Bytes fields say what the bytes are, unless they are binary by nature',
    defaultSeverity: 'warn',
    category: 'hygiene',
    formats: ['avro', 'protobuf'],
    rationale:
      'A bytes field can hold anything — JSON, a nested serialized message, text in an unknown charset — and the ' +
      'schema says none of it, so the registry checks nothing and consumers decode by folklore. Hashes, ' +
      'signatures, keys and images are bytes by nature and are left alone; any other bytes field needs a doc ' +
      'that states the encoding, or better a typed field. Avro decimals (bytes with a logical type) are not opaque.',
    messages: {
      opaqueBytes:
        'Field `{{field}}` is opaque bytes with no doc saying what they contain; consumers cannot decode it from ' +
        'the schema and the registry checks nothing inside it. Model the content as typed fields, or document the ' +
        'encoding (e.g. "UTF-8 CSV line", "gzip of an OrderLine list").',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'DocumentSigned', namespace: 'com.acme.legal.v1', fields: [
            { name: 'signature', type: 'bytes' },
            { name: 'attachment_body', type: 'bytes', doc: 'The signed PDF, as uploaded.' },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'DocumentSigned', namespace: 'com.acme.legal.v1', fields: [
            { name: 'content', type: 'bytes' },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.legal.v1;\n\nmessage DocumentSigned {\n  bytes signature = 1;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.legal.v1;\n\nmessage DocumentSigned {\n  bytes content = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    return {
      field(field: Field, record: RecordType) {
        const p = primitiveOf(field.type.kind === 'array' ? field.type.items : field.type);
        if (!p || p.name !== 'bytes' || p.logicalType !== undefined) return;
        if (docOf(field).length > 0) return;
        if (words(field.name).some((w) => NATURALLY_BINARY.has(w))) return;
        ctx.report({ messageId: 'opaqueBytes', node: field, data: { field: field.name }, symbol: ctx.symbolOf(record, field) });
      },
    };
  },
});
