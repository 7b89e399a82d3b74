// Time, money and UUIDs have types of their own in both formats; a bare string, long or double loses
// the unit, the zone or the exactness. Heuristic on names and docs, tuned for precision.
import { defineRule } from '../src/lint/rule.js';
import type { Field, PrimitiveType, RecordType } from '../src/model/types.js';
import { docOf, isFloatingPrimitive, isIntegerPrimitive, primitiveOf, words } from './util.js';

type MessageId = 'timeAsString' | 'timeAsInteger' | 'dateAsString' | 'moneyAsFloat' | 'uuidAsString';

/** Last tokens that mark an instant. */
const INSTANT_TAIL = new Set(['at', 'time', 'timestamp', 'ts', 'datetime']);
/** Last tokens that mark a calendar date. */
const DATE_TAIL = new Set(['date', 'day', 'dob', 'birthday']);
/** Tokens that make a time-ish name a duration or a count, never an instant. */
const DURATION_TOKENS = new Set([
  'duration', 'elapsed', 'latency', 'ttl', 'timeout', 'interval', 'delay', 'lead', 'age', 'period', 'window',
  'days', 'hours', 'minutes', 'seconds', 'count', 'zone', 'timezone', 'format', 'spent', 'processing', 'retention',
  'offset', 'of', 'per', 'slot', 'slots',
]);
/** Unit suffixes after which the preceding token decides (`created_at_ms` is an instant, `time_ms` may not be). */
const UNIT_SUFFIX = new Set(['ms', 'millis', 'micros', 'us', 'nanos', 'ns', 'sec', 'secs', 'epoch', 'utc', 'iso']);

// `epoch` alone is also a training pass ("the epoch this step was part of"): only the Unix epoch counts
const TIME_DOC = /\b(iso[- ]?8601|rfc[- ]?3339|(since|from) the (unix )?epoch|unix epoch|epoch (milli|micro|nano)?seconds|epoch time|unix time|since 1970|milliseconds since|microseconds since|seconds since|utc timestamp)\b/i;
/**
 * Names of fields whose text may *mention* timestamps without being one: a filter or query doc shows
 * `create_time > "2021-08-15T14:50:00Z"` as an example. Their docs are not evidence.
 */
const TEXT_FIELD_TOKENS = new Set(['filter', 'query', 'expression', 'expr', 'order', 'pattern', 'format', 'description', 'comment', 'message', 'text', 'template']);
const DATE_DOC = /\b(yyyy-mm-dd|iso[- ]?8601 date|calendar date)\b/i;

const MONEY_TOKENS = new Set([
  'amount', 'price', 'cost', 'total', 'subtotal', 'fee', 'fees', 'tax', 'balance', 'revenue', 'discount', 'refund',
  'charge', 'money', 'payout', 'tip', 'surcharge', 'shipping', 'gross', 'net', 'paid', 'due',
]);
/** Money words that also qualify counts (`total_cancellations`, `net_views`): evidence only as the last word. */
const WEAK_MONEY_TOKENS = new Set(['total', 'subtotal', 'gross', 'net', 'paid', 'due']);
/** Ratios, measures and scores are legitimately floating point even next to money words. */
const NOT_MONEY_TOKENS = new Set([
  'rate', 'percent', 'percentage', 'pct', 'ratio', 'factor', 'score', 'weight', 'kg', 'lb', 'grams', 'volume',
  'probability', 'confidence', 'share', 'multiplier', 'count', 'quantity', 'qty', 'latitude', 'longitude', 'lat',
  'lng', 'lon', 'distance', 'km', 'miles', 'basis', 'bps', 'points', 'fraction', 'proportion', 'coefficient',
]);
/**
 * A doc that calls the value a percentage, ratio or fraction: a `discount` documented as "percentage of
 * the list price" is not an amount of money, whatever its name says.
 */
const NOT_MONEY_DOC = /\b(percent|percentage|percentages|per cent|ratio|fraction|basis points?|bps|multiplier|coefficient)\b|%|\bbetween 0(\.0)? and (1|100)(\.0)?\b/i;
const MONEY_DOC = /\b(currency|monetary|money|in (eur|usd|gbp|the order's currency)|cents|minor units)\b/i;

const UUID_DOC = /\buuid\b|\bguid\b|rfc[- ]?4122/i;

export interface Finding {
  messageId: MessageId;
  evidence: string;
}

function timeFinding(field: Field, p: PrimitiveType, proto: boolean): Finding | undefined {
  const tokens = words(field.name);
  if (tokens.some((t) => DURATION_TOKENS.has(t))) return undefined;
  let tail = tokens[tokens.length - 1] ?? '';
  let evidenceName = '';
  if (UNIT_SUFFIX.has(tail) && tokens.length >= 2) {
    const before = tokens[tokens.length - 2] ?? '';
    // `created_at_ms`, `event_ts_millis`: an instant with its unit in the name
    if (before === 'at' || before === 'ts' || before === 'timestamp') tail = 'at';
  }
  const doc = tokens.some((t) => TEXT_FIELD_TOKENS.has(t)) ? '' : docOf(field);
  if (INSTANT_TAIL.has(tail)) evidenceName = `name \`${field.name}\` ends in \`${tokens[tokens.length - 1]}\``;
  // "an ISO 8601 duration" names the standard, not an instant
  const docSaysTime = TIME_DOC.test(doc) && !/\bduration\b/i.test(doc);
  const docSaysDate = DATE_DOC.test(doc);
  const isDate = DATE_TAIL.has(tail) || docSaysDate;

  if (p.name === 'string') {
    // `start_date_time`, documented as "yyyy-mm-dd hh:mm:ss": an instant, not a calendar date
    if (isDate && !(INSTANT_TAIL.has(tail) && docSaysDate && !DATE_TAIL.has(tail))) {
      return {
        messageId: 'dateAsString',
        evidence: DATE_TAIL.has(tail) ? `name \`${field.name}\` ends in \`${tail}\`` : 'doc describes a calendar date',
      };
    }
    if (tail === 'time' && !docSaysDate && /\b(time of day|hh:mm|local time|opening|closing)\b/i.test(doc)) return undefined;
    if (evidenceName || docSaysTime) {
      return { messageId: 'timeAsString', evidence: evidenceName || 'doc describes a timestamp' };
    }
    return undefined;
  }
  if (isIntegerPrimitive(p)) {
    // a bare int/long named like an instant; `*_time` alone is too often a duration in seconds
    if (tail === 'at' || tail === 'timestamp' || tail === 'ts' || tail === 'datetime' || docSaysTime) {
      if (tail === 'time' && !docSaysTime) return undefined;
      return { messageId: 'timeAsInteger', evidence: docSaysTime && !evidenceName ? 'doc describes an epoch timestamp' : evidenceName };
    }
    if (!proto && p.name === 'int' && DATE_TAIL.has(tail) && /\bdays since\b|\bepoch\b/i.test(doc)) {
      return { messageId: 'timeAsInteger', evidence: 'doc counts days since the epoch' };
    }
  }
  return undefined;
}

function moneyFinding(field: Field, p: PrimitiveType): Finding | undefined {
  if (!isFloatingPrimitive(p)) return undefined;
  const tokens = words(field.name);
  if (tokens.some((t) => NOT_MONEY_TOKENS.has(t))) return undefined;
  if (NOT_MONEY_DOC.test(docOf(field))) return undefined;
  const last = tokens.length - 1;
  const moneyToken = tokens.find((t, i) => MONEY_TOKENS.has(t) && (i === last || !WEAK_MONEY_TOKENS.has(t)));
  if (moneyToken) return { messageId: 'moneyAsFloat', evidence: `name \`${field.name}\` contains \`${moneyToken}\`` };
  if (MONEY_DOC.test(docOf(field))) return { messageId: 'moneyAsFloat', evidence: 'doc describes a monetary amount' };
  return undefined;
}

function uuidFinding(field: Field, p: PrimitiveType, proto: boolean): Finding | undefined {
  // Protobuf has no UUID type; a string there is the usual and accepted encoding.
  if (proto || p.name !== 'string') return undefined;
  const tokens = words(field.name);
  const last = tokens[tokens.length - 1] ?? '';
  if (last === 'uuid' || last === 'guid') return { messageId: 'uuidAsString', evidence: `name \`${field.name}\`` };
  if ((last === 'id' || last === 'ids') && UUID_DOC.test(docOf(field))) {
    return { messageId: 'uuidAsString', evidence: 'doc says the value is a UUID' };
  }
  return undefined;
}

/** The finding for a field, if any; exported for the corpus precision test. */
export function logicalTypeFinding(field: Field, proto: boolean): Finding | undefined {
  const p = primitiveOf(field.type);
  if (!p || p.logicalType !== undefined) return undefined;
  // Kafka Connect / Debezium semantic types already say what a bare long means to their consumers
  const connectName = p.attributes?.['connect.name'];
  if (typeof connectName === 'string' && /time|date/i.test(connectName)) return undefined;
  return moneyFinding(field, p) ?? uuidFinding(field, p, proto) ?? timeFinding(field, p, proto);
}

export default defineRule<MessageId, Record<string, never>>({
  meta: {
    id: 'prefer-logical-type',
    description: 'Time, money and UUIDs use the logical or well-known types made for them',
    defaultSeverity: 'error',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'A timestamp written as a string or a bare long leaves the format, unit and zone to guesswork, and every ' +
      'consumer parses it differently. Money in a float or double cannot hold 0.10 exactly, so sums drift. Avro has ' +
      'logical types (timestamp-millis/micros, date, decimal, uuid) and Protobuf has well-known types ' +
      '(google.protobuf.Timestamp, google.type.Date, google.type.Money) that carry the meaning in the schema, so ' +
      'code generators and registries map them to native types. Evidence comes from field names and docs; ' +
      'durations, ratios and weights are left alone, and so is a float named or documented as a percentage, ratio, ' +
      'fraction or basis points. A UUID string without the uuid logical type is reported at ' +
      'warning level only, because it is a missed hint rather than a wrong value.',
    messages: {
      timeAsString:
        'Field `{{field}}` holds a point in time as a string ({{evidence}}); consumers must guess the format and ' +
        'zone, and ordering compares text. {{fix}}',
      timeAsInteger:
        'Field `{{field}}` holds a point in time as a bare {{type}} ({{evidence}}); nothing in the schema says the ' +
        'unit or that it is UTC. {{fix}}',
      dateAsString:
        'Field `{{field}}` holds a calendar date as a string ({{evidence}}); the format is a convention, not a ' +
        'contract. {{fix}}',
      moneyAsFloat:
        'Field `{{field}}` holds money as a {{type}} ({{evidence}}); binary floating point cannot represent most ' +
        'decimal amounts exactly, so totals drift. {{fix}}',
      uuidAsString:
        'Field `{{field}}` holds a UUID as a plain string ({{evidence}}); readers cannot tell it is a UUID. Declare ' +
        'it as `{"type": "string", "logicalType": "uuid"}`.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'PaymentCaptured', namespace: 'com.acme.payments.v1', fields: [
            { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
            { name: 'captured_at', type: { type: 'long', logicalType: 'timestamp-millis' } },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'PaymentCaptured', namespace: 'com.acme.payments.v1', fields: [
            { name: 'amount', type: 'double' },
            { name: 'captured_at', type: 'string', doc: 'ISO 8601 timestamp.' },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.payments.v1;\n\nimport "google/protobuf/timestamp.proto";\nimport "google/type/money.proto";\n\nmessage PaymentCaptured {\n  google.type.Money amount = 1;\n  google.protobuf.Timestamp captured_at = 2;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.payments.v1;\n\nmessage PaymentCaptured {\n  double amount = 1;\n  string captured_at = 2;\n}\n',
      },
    },
  },
  create(ctx) {
    const proto = ctx.document.format === 'protobuf';
    const fixFor = (id: MessageId, p: PrimitiveType): string => {
      switch (id) {
        case 'timeAsString':
        case 'timeAsInteger':
          return proto
            ? 'Use `google.protobuf.Timestamp` (import "google/protobuf/timestamp.proto").'
            : 'Use `{"type": "long", "logicalType": "timestamp-millis"}` (or timestamp-micros).';
        case 'dateAsString':
          return proto
            ? 'Use `google.type.Date` (import "google/type/date.proto").'
            : 'Use `{"type": "int", "logicalType": "date"}`.';
        case 'moneyAsFloat':
          return proto
            ? 'Use `google.type.Money` (import "google/type/money.proto"), or an int64 amount in minor units beside a currency code.'
            : `Use \`{"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 2}\`, or a long amount in minor units beside a currency code, instead of \`${p.name}\`.`;
        case 'uuidAsString':
          return '';
      }
    };
    return {
      field(field: Field, record: RecordType) {
        const finding = logicalTypeFinding(field, proto);
        if (!finding) return;
        const p = primitiveOf(field.type);
        if (!p) return;
        ctx.report({
          messageId: finding.messageId,
          node: field,
          data: { field: field.name, type: p.name, evidence: finding.evidence, fix: fixFor(finding.messageId, p) },
          symbol: ctx.symbolOf(record, field),
          ...(finding.messageId === 'uuidAsString' ? { severity: 'warn' as const } : {}),
        });
      },
    };
  },
});
