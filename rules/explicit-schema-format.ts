// A stream's contract must be an explicit schema that the registry can version and check. Avro and
// Protobuf are; a JSON Schema is too when the catalog declares it (`schema_type: JSON`: the registry then
// stores and checks it), but is still reported as a warning because Avro and Protobuf serve events
// better; an undeclared JSON Schema, a sample payload or prose cannot be governed at all.
import { defineRule } from '../src/lint/rule.js';
import type { NonExplicitFormat } from '../src/lint/rule.js';
import { FILE_START } from './util.js';

type MessageId = 'jsonSchema' | 'jsonSchemaDeclared' | 'jsonSample' | 'text' | 'unknown';

const MESSAGE_BY_KIND: Record<NonExplicitFormat['kind'], MessageId> = {
  'json-schema': 'jsonSchema',
  'json-sample': 'jsonSample',
  text: 'text',
  unknown: 'unknown',
};

export default defineRule<MessageId, Record<string, never>>({
  meta: {
    id: 'explicit-schema-format',
    description: 'A stream\'s schema is written in Avro or Protobuf (or a declared JSON Schema, with a warning), not a JSON sample or text',
    defaultSeverity: 'error',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'Avro and Protobuf schemas have precise types, binary encodings, and schema-evolution rules that the ' +
      'registry enforces: a reader knows how to read data written with an older schema. A JSON Schema has no ' +
      'such resolution rules (open content models make most changes either breaking or unchecked), a sample ' +
      'payload shows one record rather than the set of valid ones, and a text description cannot be checked at ' +
      'all. A JSON Schema the catalog declares (`schema_type: JSON`) is governed like the others — check, register ' +
      'and publish treat it as the Schema Registry does — so it is explicit, but the rule still warns (at most a ' +
      'warning, whatever the configured severity): JSON events repeat every field name in every record where Avro ' +
      'and Protobuf send compact binary; an Avro default or a Protobuf field number lets a field be added or removed ' +
      'safely, while a JSON Schema change is judged by its content model (adding a property to an open object, or ' +
      'removing one from a closed object, is refused under the registry\'s default policy); and JSON numbers carry no ' +
      'int64, decimal or timestamp type. The rule runs per catalog stream and reports on each schema file that is ' +
      'not Avro or Protobuf.',
    messages: {
      jsonSchema:
        'Stream `{{topic}}` is described by a JSON Schema ({{evidence}}); JSON Schema has no reader/writer resolution ' +
        'rules, so the registry cannot tell a safe change from a breaking one. Write the event as an Avro record ' +
        '(.avsc) or a Protobuf message (.proto).',
      jsonSchemaDeclared:
        'Stream `{{topic}}` is a JSON Schema event stream (`schema_type: JSON`); the registry governs it, but Avro or ' +
        'Protobuf are preferred for events: they encode records as compact binary instead of repeating every field ' +
        'name as text, evolve safely through Avro defaults and Protobuf field numbers (a JSON Schema property added to ' +
        'an open object or removed from a closed one is refused by the registry\'s default policy), and have int64, ' +
        'decimal and timestamp types that JSON numbers lack. Consider an Avro record (.avsc) or a Protobuf message (.proto).',
      jsonSample:
        'Stream `{{topic}}` is described by a sample JSON payload ({{evidence}}); a sample shows one record, not the ' +
        'types, optionality or allowed values of every record. Write the event as an Avro record (.avsc) or a ' +
        'Protobuf message (.proto).',
      text:
        'Stream `{{topic}}` is described in text ({{evidence}}); nothing can validate records or evolution against ' +
        'prose. Write the event as an Avro record (.avsc) or a Protobuf message (.proto).',
      unknown:
        'Stream `{{topic}}` names a schema that is neither Avro nor Protobuf ({{evidence}}); it cannot be registered ' +
        'or checked for compatibility. Write the event as an Avro record (.avsc) or a Protobuf message (.proto).',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [{ name: 'order_id', type: 'string' }],
        }, null, 2),
        invalid: JSON.stringify({
          $schema: 'https://json-schema.org/draft/2020-12/schema', title: 'OrderPlaced', type: 'object',
          properties: { order_id: { type: 'string' } },
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n}\n',
        invalid: '{\n  "order_id": "7d1c",\n  "status": "PLACED"\n}\n',
      },
    },
  },
  create() {
    // Avro and Protobuf documents are explicit by construction; everything happens per stream.
    return {};
  },
  checkStream(ctx) {
    const related = ctx.stream.catalogFile
      ? [{ message: 'stream declared here', file: ctx.stream.catalogFile, ...(ctx.stream.catalogLoc ? { loc: ctx.stream.catalogLoc } : {}) }]
      : undefined;
    for (const entry of ctx.documents) {
      if (entry.document || !entry.nonExplicit) continue;
      if (ctx.stream.schemaType === 'JSON' && entry.nonExplicit.kind !== 'text' && entry.nonExplicit.kind !== 'unknown') {
        // declared JSON Schema: explicit (check and register judge its validity), but not the preferred format
        ctx.report(entry.file, {
          messageId: 'jsonSchemaDeclared',
          loc: FILE_START,
          severity: 'warn',
          data: { topic: ctx.stream.topic },
          ...(related ? { related } : {}),
        });
        continue;
      }
      ctx.report(entry.file, {
        messageId: MESSAGE_BY_KIND[entry.nonExplicit.kind],
        loc: FILE_START,
        data: { topic: ctx.stream.topic, evidence: entry.nonExplicit.evidence },
        ...(related ? { related } : {}),
      });
    }
  },
});
