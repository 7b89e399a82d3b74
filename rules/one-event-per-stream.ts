// A store stream is the history of one kind of event: one schema, one root type. Several roots turn a
// stream into a mixed bag that consumers must dispatch on and compatibility cannot govern per type.
import { defineRule } from '../src/lint/rule.js';
import type { StreamInfo } from '../src/lint/rule.js';
import type { NamedType, RecordType, SchemaDocument, SourceRange, TypeNode } from '../src/model/types.js';
import { FILE_START, listText, simpleName, unwrapNullable } from './util.js';

type MessageId = 'severalSchemas' | 'topLevelUnion' | 'wrapperUnion' | 'severalRoots';

function recordBranches(union: TypeNode, lookup: (n: string) => NamedType | undefined): string[] {
  if (union.kind !== 'union') return [];
  const out: string[] = [];
  for (const b of union.branches) {
    if (b.kind !== 'ref' && b.kind !== 'inline') continue;
    const t = lookup(b.fullName);
    if (t === undefined || t.kind === 'record') out.push(b.fullName);
  }
  return out;
}

/** The consequence sentence: a store stream must split; a stage stream is allowed, downgraded. */
function verdict(streams: readonly StreamInfo[]): { tail: string; stage: boolean } {
  const store = streams.filter((s) => s.kind === 'store');
  if (store.length > 0 || streams.length === 0) {
    const where = store[0] ? `store stream \`${store[0].topic}\`` : 'a store stream';
    return { stage: false, tail: `On ${where} give each event type its own stream and schema.` };
  }
  const first = streams[0];
  return {
    stage: true,
    tail: `Reported as a warning because stage stream \`${first?.topic ?? ''}\` may carry several event types while ` +
      'they are being sorted out; give each its own store stream before consumers depend on it.',
  };
}

function rootLoc(doc: SchemaDocument | undefined, selector: string | undefined): SourceRange {
  if (!doc) return FILE_START;
  const name = selector ?? doc.topLevel[0];
  const t = doc.types.find((x) => x.fullName === name || x.name === name);
  return t?.nameLoc ?? doc.topLevelType?.loc ?? FILE_START;
}

export default defineRule<MessageId, Record<string, never>>({
  meta: {
    id: 'one-event-per-stream',
    description: 'A store stream carries exactly one event type',
    defaultSeverity: 'error',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'A store stream is the history of one kind of fact, keyed by its entity. When one stream carries several ' +
      'event types — several schemas in its catalog entry, a top-level union of records, a record that only wraps ' +
      'such a union, or a .proto with several candidate root messages — every consumer must dispatch on the type, ' +
      'compaction mixes unrelated facts under one key, and compatibility can no longer be checked per event type. ' +
      'Stage streams may carry several types while data is being sorted out; there the finding is downgraded to a ' +
      'warning and says why.',
    messages: {
      severalSchemas:
        'Stream `{{topic}}` names {{count}} schemas ({{files}}), so it carries several event types and consumers must ' +
        'dispatch on each record. {{tail}}',
      topLevelUnion:
        'This schema is a top-level union of {{count}} records ({{types}}), so one stream carries several event ' +
        'types and the registry checks compatibility for the union, not for each event. {{tail}}',
      wrapperUnion:
        'Record `{{record}}` only wraps a union of {{count}} records ({{types}}) in field `{{field}}`; it is several ' +
        'event types in one envelope. {{tail}}',
      severalRoots:
        'Message `{{type}}` is one of {{count}} candidate event roots in this file ({{types}}) and stream `{{topic}}` ' +
        'does not say which one it carries. Name the event in the catalog as `{{file}}#{{type}}`, or move the other ' +
        'messages to their own files. {{tail}}',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [
            { name: 'order_id', type: 'string' },
          ],
        }, null, 2),
        invalid: JSON.stringify([
          { type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders.v1', fields: [{ name: 'order_id', type: 'string' }] },
          { type: 'record', name: 'OrderCancelled', namespace: 'com.acme.orders.v1', fields: [{ name: 'order_id', type: 'string' }] },
        ], null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderLine {\n  string sku = 1;\n}\n\nmessage OrderPlaced {\n  string order_id = 1;\n  repeated OrderLine lines = 2;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.orders.v1;\n\nmessage OrderPlaced {\n  string order_id = 1;\n}\n\nmessage OrderCancelled {\n  string order_id = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    const doc = ctx.document;
    const { tail, stage } = verdict(ctx.streams);
    const cap = stage ? { severity: 'warn' as const } : {};
    let unionReported = false;

    return {
      document() {
        if (!doc.topLevelUnion) return;
        const branches = recordBranches(doc.topLevelUnion, (n) => ctx.lookup(n));
        if (branches.length < 2) return;
        unionReported = true;
        ctx.report({
          messageId: 'topLevelUnion',
          loc: doc.topLevelUnion.loc,
          path: doc.topLevelUnion.path,
          data: { count: branches.length, types: listText(branches.map(simpleName)), tail },
          ...cap,
        });
      },
      record(record: RecordType) {
        if (!ctx.isEventRoot(record) || record.fields.length !== 1) return;
        const field = record.fields[0];
        if (!field) return;
        const branches = recordBranches(unwrapNullable(field.type).union ?? field.type, (n) => ctx.lookup(n));
        if (branches.length < 2) return;
        ctx.report({
          messageId: 'wrapperUnion',
          node: record,
          data: { record: record.name, field: field.name, count: branches.length, types: listText(branches.map(simpleName)), tail },
          ...cap,
        });
      },
      'document:exit'() {
        // outside any stream a file of several messages is a normal library of types
        if (unionReported || ctx.streams.length === 0) return;
        const roots = doc.types.filter((t) => t.kind === 'record' && ctx.eventRoots.has(t.fullName));
        if (roots.length < 2) return;
        const topic = ctx.streams.find((s) => s.kind === 'store')?.topic ?? ctx.streams[0]?.topic ?? '';
        const fileName = doc.file.split('/').pop() ?? doc.file;
        for (const root of roots) {
          ctx.report({
            messageId: 'severalRoots',
            node: root,
            data: {
              type: root.name, count: roots.length, types: listText(roots.map((r) => r.name)), topic, file: fileName,
              tail,
            },
            ...cap,
          });
        }
      },
    };
  },
  checkStream(ctx) {
    const entries = ctx.documents;
    if (entries.length < 2) return;
    const { tail, stage } = verdict([ctx.stream]);
    const files = listText(entries.map((e) => (e.selector ? `${e.file}#${e.selector}` : e.file)));
    const related = ctx.stream.catalogFile
      ? [{ message: 'stream declared here', file: ctx.stream.catalogFile, ...(ctx.stream.catalogLoc ? { loc: ctx.stream.catalogLoc } : {}) }]
      : undefined;
    for (const entry of entries) {
      ctx.report(entry.file, {
        messageId: 'severalSchemas',
        loc: rootLoc(entry.document, entry.selector),
        data: { topic: ctx.stream.topic, count: entries.length, files, tail },
        ...(related ? { related } : {}),
        ...(stage ? { severity: 'warn' as const } : {}),
      });
    }
  },
});
