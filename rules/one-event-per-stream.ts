// A store stream is the history of one kind of event: one schema, one root type. Several roots turn a
// stream into a mixed bag that consumers must dispatch on and compatibility cannot govern per type.
import { defineRule } from '../src/lint/rule.js';
import type { StreamInfo } from '../src/lint/rule.js';
import type { NamedType, RecordType, SchemaDocument, SourceRange, TypeNode } from '../src/model/types.js';
import { FILE_START, listText, looksLikeEvent, simpleName, unwrapNullable } from './util.js';

type MessageId = 'severalSchemas' | 'topLevelUnion' | 'wrapperUnion' | 'eventVariants' | 'severalRoots';

type Options = {
  /** also report on stage streams (as warnings); by default a stage stream may carry several event types */
  stage: boolean;
};

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

/**
 * The consequence sentence, and whether to report at all: a store stream (or a file in no stream) must
 * split; a stage stream may carry several event types by design, so it is left alone unless the
 * `stage` option asks for a warning.
 */
function verdict(streams: readonly StreamInfo[], reportStage: boolean): { tail: string; stage: boolean; skip: boolean } {
  const store = streams.filter((s) => s.kind === 'store');
  if (store.length > 0 || streams.length === 0) {
    const where = store[0] ? `store stream \`${store[0].topic}\`` : 'a store stream';
    return { stage: false, skip: false, tail: `On ${where} give each event type its own stream and schema.` };
  }
  const first = streams[0];
  return {
    stage: true,
    skip: !reportStage,
    tail: `Reported as a warning because stage stream \`${first?.topic ?? ''}\` may carry several event types while ` +
      'they are being sorted out; give each its own store stream before consumers depend on it.',
  };
}

/** Record-typed members of a oneof, with the types they resolve to. */
function oneofRecords(record: RecordType, oneof: string, lookup: (n: string) => NamedType | undefined): RecordType[] {
  const out: RecordType[] = [];
  for (const f of record.fields) {
    if (f.oneof !== oneof || (f.type.kind !== 'ref' && f.type.kind !== 'inline')) continue;
    const t = lookup(f.type.fullName);
    if (t?.kind === 'record') out.push(t);
  }
  return out;
}

function rootLoc(doc: SchemaDocument | undefined, selector: string | undefined): SourceRange {
  if (!doc) return FILE_START;
  const name = selector ?? doc.topLevel[0];
  const t = doc.types.find((x) => x.fullName === name || x.name === name);
  return t?.nameLoc ?? doc.topLevelType?.loc ?? FILE_START;
}

export default defineRule<MessageId, Options>({
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
      'An event root whose oneof or union field holds several event messages (past-tense or `…Event` names such ' +
      'as `OrderPlaced`, `OrderCancelled`) is the same thing in Protobuf: several events in one stream; a oneof of ' +
      'other messages is taken for the shapes of one value. Stage streams ' +
      'may carry several types by design while data is being sorted out, so they get no finding unless option ' +
      '`stage` is true (then a warning that says why).',
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
      eventVariants:
        '{{what}} of event `{{record}}` holds {{count}} event messages ({{types}}), so one stream carries several ' +
        'event types and compatibility is checked for the envelope, not for each event. {{tail}}',
      severalRoots:
        'Message `{{type}}` is one of {{count}} candidate event roots in this file ({{types}}) and stream `{{topic}}` ' +
        'does not say which one it carries. Name the event in the catalog as `{{file}}#{{type}}`, or move the other ' +
        'messages to their own files. {{tail}}',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { stage: { type: 'boolean', description: 'also report stage streams, as warnings' } },
    },
    defaultOptions: { stage: false },
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
    const { tail, stage, skip } = verdict(ctx.streams, ctx.options.stage ?? false);
    if (skip) return {};
    const cap = stage ? { severity: 'warn' as const } : {};
    const lookup = (n: string): NamedType | undefined => ctx.lookup(n);
    let unionReported = false;

    return {
      document() {
        if (!doc.topLevelUnion) return;
        const branches = recordBranches(doc.topLevelUnion, lookup);
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
        if (!ctx.isEventRoot(record)) return;
        if (record.fields.length === 1 && record.oneofs.length === 0) {
          const field = record.fields[0];
          const branches = field ? recordBranches(unwrapNullable(field.type).union ?? field.type, lookup) : [];
          if (field && branches.length >= 2) {
            ctx.report({
              messageId: 'wrapperUnion',
              node: record,
              data: { record: record.name, field: field.name, count: branches.length, types: listText(branches.map(simpleName)), tail },
              ...cap,
            });
            return;
          }
        }
        // a oneof (or a union beside other fields) takes event-like member names to be sure the members
        // are events and not alternative shapes of one value (CardDetails | SepaDetails, Mask | Polygon):
        // oneofs are Protobuf's everyday polymorphism, far more often data than several events
        for (const o of record.oneofs) {
          const events = oneofRecords(record, o.name, lookup).filter((t) => looksLikeEvent(t.name));
          if (events.length < 2) continue;
          ctx.report({
            messageId: 'eventVariants',
            loc: o.loc,
            data: { what: `Oneof \`${o.name}\``, record: record.name, count: events.length, types: listText(events.map((t) => t.name)), tail },
            ...cap,
          });
        }
        for (const f of record.fields) {
          const u = unwrapNullable(f.type).union;
          if (!u) continue;
          const events = recordBranches(u, lookup).map((n) => lookup(n)).filter((t): t is RecordType => t?.kind === 'record' && looksLikeEvent(t.name));
          if (events.length < 2) continue;
          ctx.report({
            messageId: 'eventVariants',
            node: f,
            data: { what: `Field \`${f.name}\``, record: record.name, count: events.length, types: listText(events.map((t) => t.name)), tail },
            symbol: ctx.symbolOf(record, f),
            ...cap,
          });
        }
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
    const { tail, stage, skip } = verdict([ctx.stream], ctx.options.stage ?? false);
    if (skip) return;
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
