// An event says one thing happened. A type-discriminated envelope (a `type` field plus a payload whose
// shape depends on it) hides several events behind one schema. Scored evidence; only strong cases fire.
import { defineRule } from '../src/lint/rule.js';
import type { Field, RecordType } from '../src/model/types.js';
import { docOf, isOptionalField, listText, looksLikeEvent, primitiveOf, toPascalCase, unwrapNullable, words } from './util.js';

type Options = {
  /** minimum score to report */
  threshold: number;
};

const GENERIC_ROOTS = new Set([
  'event', 'domainevent', 'message', 'envelope', 'payload', 'wrapper', 'genericevent', 'baseevent', 'integrationevent',
  'notification', 'record', 'eventenvelope', 'eventwrapper', 'cloudevent', 'changeevent',
]);
const DISCRIMINATOR_NAMES = new Set([
  'type', 'event_type', 'kind', 'event_kind', 'action', 'op', 'operation', 'event_name', 'message_type', 'command',
  'command_type', 'subtype', 'variant', 'discriminator', 'change_type', 'activity', 'event',
]);
const PAYLOAD_NAMES = new Set([
  'payload', 'data', 'body', 'content', 'details', 'detail', 'attributes', 'properties', 'params', 'parameters',
  'fields', 'values', 'extra', 'context', 'event_data', 'metadata_json', 'json',
]);
const DYNAMIC_WKT = new Set(['google.protobuf.Any', 'google.protobuf.Struct', 'google.protobuf.Value']);

/** `OrderEvent`, `CustomerMessage`: an entity plus a generic word, rather than a fact in the past tense. */
const GENERIC_SUFFIX = /[a-z](Event|Events|Envelope|Message|Wrapper|Payload|Change|Changes)$/;
interface Item {
  points: number;
  text: string;
  /** a variant item shows the record's shape depends on the discriminator */
  variant: boolean;
  /** a union or oneof of records that are not named like events */
  weak?: boolean;
  /** a union or oneof of event messages: the variant is chosen by which member is set, a dispatch of its own */
  dispatch?: boolean;
}

export default defineRule<'envelope', Options>({
  meta: {
    id: 'single-purpose-event',
    description: 'An event root describes one kind of fact, not an envelope discriminated by a type field',
    defaultSeverity: 'warn',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'An envelope with a discriminator (`type`, `event_type`, `op` …) and a payload whose shape depends on it — JSON ' +
      'in a string, a free map, google.protobuf.Any, a oneof or union of several events, or many optional fields ' +
      'that only some variants fill — is several events hiding behind one schema. The registry can only check the ' +
      'envelope, so each variant can change incompatibly without any check failing, and every consumer re-implements ' +
      'the dispatch. The rule scores the evidence (generic root name, discriminator, variant payload) and reports ' +
      'only when it is strong; a discriminator alone, or a generic name alone, is not enough, and payload fields ' +
      'alone (a request and a response as Struct) are loose fields, not an envelope, without a discriminator, a ' +
      'generic name or a oneof/union of event messages.',
    messages: {
      envelope:
        '`{{record}}` looks like a type-discriminated envelope rather than one event (score {{score}}: {{evidence}}); ' +
        'the registry checks only the envelope, so each variant can change incompatibly unchecked. Model each variant ' +
        'as its own event type ({{suggestion}}) with explicit fields, on its own stream.',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { threshold: { type: 'integer', minimum: 1, description: 'minimum evidence score to report' } },
    },
    defaultOptions: { threshold: 5 },
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'CustomerRegistered', namespace: 'com.acme.customers.v1', fields: [
            { name: 'customer_id', type: 'string' },
            { name: 'email', type: 'string' },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'DomainEvent', namespace: 'com.acme.platform.v1', fields: [
            { name: 'event_type', type: 'string', doc: 'CUSTOMER_CREATED, CUSTOMER_DELETED, …' },
            { name: 'payload', type: 'string', doc: 'The event itself, as JSON.' },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.customers.v1;\n\nmessage CustomerRegistered {\n  string customer_id = 1;\n  string email = 2;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.platform.v1;\n\nmessage DomainEvent {\n  string event_type = 1;\n  // The event itself, as JSON.\n  string payload = 2;\n}\n',
      },
    },
  },
  create(ctx) {
    const threshold = ctx.options.threshold ?? 5;

    const payloadItem = (f: Field): Item | undefined => {
      const { inner } = unwrapNullable(f.type);
      const snake = words(f.name).join('_');
      const payloadNamed = PAYLOAD_NAMES.has(snake);
      const p = primitiveOf(f.type);
      if (p && (p.name === 'string' || p.name === 'bytes') && p.logicalType === undefined) {
        const json = /\bjson\b|serialized|serialised|encoded (event|payload)/i.test(docOf(f)) || snake.endsWith('json');
        if (payloadNamed || json) {
          return { points: json ? 3 : 2, variant: true, text: `\`${f.name}\` carries the payload as ${p.name}${json ? ' JSON' : ''}` };
        }
      }
      if (inner.kind === 'map' && payloadNamed) {
        const v = inner.values.kind === 'primitive' ? inner.values.name : 'values';
        return { points: 2, variant: true, text: `\`${f.name}\` is a free map of ${v}` };
      }
      if (inner.kind === 'ref' && DYNAMIC_WKT.has(inner.fullName)) {
        return { points: 3, variant: true, text: `\`${f.name}\` is a \`${inner.fullName}\`` };
      }
      return undefined;
    };

    return {
      record(record: RecordType) {
        if (!ctx.isEventRoot(record)) return;
        const items: Item[] = [];
        if (GENERIC_ROOTS.has(record.name.toLowerCase())) {
          items.push({ points: 2, variant: false, text: `generic root name \`${record.name}\`` });
        } else if (GENERIC_SUFFIX.test(record.name)) {
          items.push({ points: 1, variant: false, text: `root name \`${record.name}\` names a category, not a fact` });
        }
        const disc = record.fields.find((f) => DISCRIMINATOR_NAMES.has(words(f.name).join('_')) && f.oneof === undefined);
        if (disc) {
          const p = primitiveOf(disc.type);
          const named = unwrapNullable(disc.type).inner;
          const isDisc = (p && (p.name === 'string' || p.name.startsWith('int') || p.name === 'long'))
            || ((named.kind === 'ref' || named.kind === 'inline') && ctx.resolve(named)?.kind === 'enum');
          if (isDisc) items.push({ points: 2, variant: false, text: `discriminator field \`${disc.name}\`` });
        }
        for (const f of record.fields) {
          const item = payloadItem(f);
          if (item) items.push(item);
        }
        for (const o of record.oneofs) {
          const members = record.fields.filter((f) => f.oneof === o.name && ctx.resolve(f.type)?.kind === 'record');
          if (members.length < 2) continue;
          const events = members.filter((m) => looksLikeEvent(ctx.resolve(m.type)?.name ?? ''));
          // a oneof of detail shapes (CardDetails | SepaDetails) is polymorphic data, not several events
          items.push(events.length >= 2
            ? { points: 4, variant: true, dispatch: true, text: `oneof \`${o.name}\` holds ${events.length} event messages (${listText(events.map((m) => ctx.resolve(m.type)?.name ?? m.name), 4)})` }
            : { points: 1, variant: true, weak: true, text: `oneof \`${o.name}\` holds ${members.length} messages` });
        }
        for (const f of record.fields) {
          const u = unwrapNullable(f.type).union;
          if (!u) continue;
          const recs = u.branches.map((b) => ctx.resolve(b)).filter((t): t is RecordType => t?.kind === 'record');
          if (recs.length < 2) continue;
          const events = recs.filter((t) => looksLikeEvent(t.name));
          items.push(events.length >= 2
            ? { points: 4, variant: true, dispatch: true, text: `field \`${f.name}\` is a union of ${events.length} event records (${listText(events.map((t) => t.name), 4)})` }
            : { points: 1, variant: true, weak: true, text: `field \`${f.name}\` is a union of ${recs.length} records` });
        }
        const optional = record.fields.filter((f) => isOptionalField(f) && f !== disc);
        if (disc && optional.length >= 6 && optional.length * 2 > record.fields.length) {
          items.push({ points: 1, variant: true, text: `${optional.length} of ${record.fields.length} fields are optional` });
        }
        // unions/oneofs of records that are not events are weak evidence: many of them (an ORM-generated
        // record with polymorphic references) still count once, not once per field
        const weak = items.filter((i) => i.weak === true);
        if (weak.length > 1) items.splice(0, items.length, ...items.filter((i) => i.weak !== true), { ...(weak[0] as Item), text: `${weak.length} fields are unions or oneofs of records` });
        const score = items.reduce((s, i) => s + i.points, 0);
        // payloads alone (however many: a request and a response Struct) are loose fields; it takes a
        // discriminator, a generic name or a oneof/union of events to make an envelope
        const hasVariant = items.some((i) => i.variant);
        const hasDispatch = items.some((i) => !i.variant || i.dispatch === true);
        if (score < threshold || !hasVariant || !hasDispatch) return;
        const symbols = disc ? [...docOf(disc).matchAll(/\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b/g)].map((m) => toPascalCase(m[0])) : [];
        const suggestion = symbols.length >= 2
          ? `e.g. ${listText(symbols.map((x) => `\`${x}\``), 3)}`
          : disc ? `one per value of \`${disc.name}\`` : 'one per variant';
        ctx.report({
          messageId: 'envelope',
          node: record,
          data: {
            record: record.name,
            score,
            evidence: items.map((i) => i.text).join('; '),
            suggestion,
          },
        });
      },
    };
  },
});
