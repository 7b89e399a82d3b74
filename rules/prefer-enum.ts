// A string or integer that holds a closed set of values should be an enum. Heuristic, so it fires only
// on a head token that names a classification *and* corroboration that the set is closed.
import { defineRule } from '../src/lint/rule.js';
import type { EnumType, Field, PrimitiveType, RecordType, SchemaDocument } from '../src/model/types.js';
import {
  docOf, isIntegerPrimitive, listText, primitiveOf, referencedTypeNames, toPascalCase, toUpperSnakeCase, words,
} from './util.js';

/** Head tokens naming a classification (the last word of the field name). */
const HEAD_TOKENS = new Set([
  'status', 'state', 'type', 'kind', 'category', 'level', 'mode', 'phase', 'stage', 'reason', 'result', 'outcome',
  'priority', 'severity', 'tier', 'channel', 'method', 'role', 'plan', 'unit', 'gender', 'grade', 'class', 'segment',
  'source', 'frequency', 'interval', 'visibility', 'scope', 'action', 'verdict', 'disposition', 'condition',
]);

/** Standardised or identifying codes whose value set is open or owned by someone else. */
const NEVER_NAMES = new Set([
  'mime_type', 'media_type', 'content_type', 'time_zone', 'timezone', 'currency_code', 'country_code', 'postal_code',
  'language_code', 'locale', 'sku', 'name', 'description', 'warehouse_code', 'store_code',
]);
/** A name containing one of these identifies something rather than classifying it. */
const IDENTIFYING_TOKENS = new Set(['id', 'ids', 'uuid', 'sku', 'key', 'ref', 'number']);

/** Acronyms that show up in docs in upper case without being enum symbols. */
const ACRONYMS = new Set([
  'ID', 'IDS', 'UUID', 'URL', 'URI', 'UTC', 'ISO', 'JSON', 'XML', 'HTTP', 'HTTPS', 'API', 'SKU', 'EU', 'US', 'UK',
  'PII', 'GDPR', 'IP', 'TTL', 'SLA', 'VAT', 'ETA', 'RFC', 'IANA', 'MIME', 'UTF', 'ASCII', 'SQL', 'CSV', 'PDF', 'TODO',
  'NOTE', 'N', 'A', 'I', 'OK',
]);

/** A doc naming a standard means the set belongs to that standard (ISO 3166-2 states, UN/ECE units). */
const STANDARD_DOC = /\b(iso[- ]?\d{3,5}|iana|un\/?ece|bcp[- ]?47|rfc[- ]?\d+|alpha-[23]|two-letter|three-letter|postal abbreviation)\b/i;
const FREE_TEXT = /\b(free[- ]?(text|form)|human[- ]readable|as entered|as typed|verbatim|arbitrary text)\b/i;
/**
 * A doc saying the field holds a URL or a resource name (`organizations/{ORGANIZATION_ID}/…`) describes an
 * identifier, whatever classifying word its name ends in (`source`, `health_sources`, `segments`).
 */
const REFERENCE_DOC =
  /^(?:(?:output only|optional|required)\.\s*)*(?:\[output only\]\s*)?(?:the |a list of |a |an )?(?:urls?|uris?|(?:full |relative )?resource names?)\b|\bnames of (?:all|the)\b|\/\{[A-Za-z_]+\}/i;
/** Words that leave the set open: values a producer is only "encouraged" to use, or a user-defined name. */
const OPEN_SET = /\b((strongly )?(encouraged|recommended) to use|non-empty string|any string|(?:user|developer)[- ]defined|an arbitrary)\b/i;
/** "Always contains the value `DenyPolicy`": one constant is not a set to choose from. */
const CONSTANT = /\balways (?:contains|is|holds|has) the value\b/i;
/**
 * A doc that describes an expression language (a filter, a condition, a query) lists the language's operators,
 * attributes and sample literals; those are its grammar, not the values the field may hold.
 */
const EXPRESSION_DOC = /\b(expressions?|syntax|grammar|operators?|query language|CEL)\b|&&|\|\||==|!=|<=|>=/;
/** "The following values are supported": the doc says outright that it lists values, whatever else it mentions. */
const VALUES_MARK =
  /\b(possible|supported|allowed|valid|accepted|permitted|following|available) (?:values|\w+ types)\b|\bvalues? (?:are|is|can be|must be) (?:one of|either)\b|\bvalues? (?:are|is)\s*:/i;
/** Links name pages (`…/dml-syntax#…`), not the field's grammar. */
const LINK = /\]\([^)]*\)|https?:\/\/\S+/g;
/** "e.g. DHL, UPS" lists examples of an open set, not the set. */
const EXAMPLES_MARK = /(?:^|\W)(e\.g\.|eg[.:]|for example|for instance|such as|like|sample values?|examples?(?=:| include)|common [a-z]+ (?:names|values) are)(?=\W|$)/i;

function upperSnakeTokens(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*\b/g)) {
    const t = m[0];
    if (t.length < 2 || ACRONYMS.has(t) || /^[A-Z]\d+$/.test(t) || /^\d/.test(t)) continue;
    if (!found.includes(t)) found.push(t);
  }
  return found;
}

/**
 * Quoted single words. A dotted token (`custom.googleapis.com`, `session.params`) is a host name or a path, not a
 * symbol, unless the doc says it lists values (`google.workspace.chat.message.v1.created` under "supported event types").
 */
function quotedTokens(text: string, keepDotted: boolean): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/["'`]([A-Za-z][A-Za-z0-9_.-]{0,39})["'`]/g)) {
    const t = m[1] ?? '';
    if (!keepDotted && t.includes('.')) continue;
    if (!found.includes(t)) found.push(t);
  }
  return found;
}

/** `1 = CARD, 2 = BANK_TRANSFER` or `0: pending, 1: approved` */
function codeTable(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b(\d+)\s*(?:=|:|->|=>)\s*([A-Za-z][A-Za-z0-9_]*)/g)) {
    found.push(`${m[1]} = ${m[2]}`);
  }
  return found.length >= 2 ? found : [];
}

/** "one of a, b or c" / "either a or b": the listed single-word values. */
function listedAfter(text: string): string[] {
  const m = /\b(?:one of|either|any of)\s*:?\s+([^.;()]+)/i.exec(text);
  if (!m || m[1] === undefined) return [];
  const items = m[1]
    .split(/\s*(?:,|\bor\b|\band\b|\||\/)\s*/i)
    .map((s) => s.trim().replace(/^["'`]|["'`]$/g, ''))
    .filter((s) => s.length > 0);
  if (items.length < 2) return [];
  // every item a single value-like word; a phrase means prose, not a list
  if (!items.every((s) => /^[A-Za-z][A-Za-z0-9_-]{0,39}$/.test(s))) return [];
  return items;
}

/**
 * The values a doc lists, if it lists a closed set. `isFieldName` knows the names of fields (the record's own, and the
 * multi-word ones of the whole file): a doc saying "at least one of `intent` or `condition` must be set" or
 * "see `shipment_type_requirements`" names fields, and names are not values.
 */
function docValues(doc: string, isInteger: boolean, isFieldName: (v: string) => boolean): { values: string[]; how: string } | undefined {
  if (doc.length === 0 || FREE_TEXT.test(doc) || OPEN_SET.test(doc) || CONSTANT.test(doc) || STANDARD_DOC.test(doc)) return undefined;
  const prose = doc.replace(LINK, ' ');
  if (EXPRESSION_DOC.test(prose) && !VALUES_MARK.test(prose)) return undefined;
  const found = docListing(doc, isInteger);
  if (!found) return undefined;
  const values = found.values.filter((v) => !isFieldName(v.replace(/^\d+ = /, '')));
  return values.length >= 2 ? { values, how: found.how } : undefined;
}

function docListing(doc: string, isInteger: boolean): { values: string[]; how: string } | undefined {
  const table = codeTable(doc);
  if (table.length > 0) return { values: table, how: 'doc has a code table' };
  if (isInteger) return undefined;
  const ex = EXAMPLES_MARK.exec(doc);
  // only what is written before an "e.g." counts: the examples after it describe an open set
  const closedPart = ex ? doc.slice(0, ex.index) : doc;
  const listed = listedAfter(closedPart);
  if (listed.length >= 2) {
    return { values: listed, how: 'doc lists' };
  }
  const upper = upperSnakeTokens(closedPart);
  if (upper.length >= 2) return { values: upper, how: 'doc lists' };
  const quoted = quotedTokens(closedPart, VALUES_MARK.test(closedPart));
  if (quoted.length >= 2) return { values: quoted, how: 'doc lists' };
  return undefined;
}

/** `methods` → `method`, `statuses` → `status`: a repeated field names its values in the plural. */
function singular(token: string): string {
  if (HEAD_TOKENS.has(token)) return token;
  if (token.endsWith('es') && HEAD_TOKENS.has(token.slice(0, -2))) return token.slice(0, -2);
  if (token.endsWith('s') && HEAD_TOKENS.has(token.slice(0, -1))) return token.slice(0, -1);
  return token;
}

/** `ShipmentUpdated` → `Shipment`: the entity an event is about, for naming the suggested enum. */
function entityOf(recordName: string): string {
  return recordName.replace(/([a-z0-9])[A-Z][a-z]*(ed|Sent|Paid|Sold|Event)$/, '$1');
}

function isExcluded(tokens: string[]): boolean {
  const snake = tokens.join('_');
  for (const n of NEVER_NAMES) if (snake === n || snake.endsWith(`_${n}`)) return true;
  return tokens.some((t) => IDENTIFYING_TOKENS.has(t));
}

export default defineRule<'stringEnum' | 'integerEnum', Record<string, never>>({
  meta: {
    id: 'prefer-enum',
    description: 'A string or integer field that holds a closed set of values should be an enum',
    defaultSeverity: 'warn',
    category: 'event-design',
    formats: ['avro', 'protobuf'],
    rationale:
      'A closed set written as a string or an integer is a contract nobody can check: producers misspell values, ' +
      'consumers hard-code a list that silently goes stale, and adding a value is invisible to compatibility checks. ' +
      'An enum documents the set in the schema and makes additions an explicit, reviewable change. The rule is a ' +
      'heuristic: it needs a classifying head token (status, type, kind, …) and corroboration (a doc that lists the ' +
      'values or a code table, an UPPER_SNAKE default, an unused enum of the same name) and never fires on ' +
      'identifiers (names and docs saying the field holds a URL or a resource name), free text, standardised codes ' +
      'such as currency or country codes, examples, values a producer is only ' +
      'encouraged to use, or a doc that describes an expression language (its operators and attributes are grammar, ' +
      'not values); names of fields, host names and dotted paths in a doc are not taken for values.',
    messages: {
      stringEnum:
        'Field `{{field}}` holds a closed set as a {{type}} ({{evidence}}); consumers cannot rely on the set and a ' +
        'misspelt value passes every check. Make it an enum `{{enumName}}` with symbols {{values}}{{fix}}.',
      integerEnum:
        'Field `{{field}}` encodes a closed set as {{type}} codes ({{evidence}}); the meaning of each number lives ' +
        'only in prose. Make it an enum `{{enumName}}` with symbols {{values}}{{fix}}.',
    },
    optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
    defaultOptions: {},
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'ShipmentUpdated', namespace: 'com.acme.logistics.v1', fields: [
            { name: 'status', type: { type: 'enum', name: 'ShipmentStatus', symbols: ['UNKNOWN', 'PENDING', 'DELIVERED'], default: 'UNKNOWN' } },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'ShipmentUpdated', namespace: 'com.acme.logistics.v1', fields: [
            { name: 'status', type: 'string', doc: 'One of PENDING, IN_TRANSIT or DELIVERED.' },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.logistics.v1;\n\nenum ShipmentStatus {\n  SHIPMENT_STATUS_UNSPECIFIED = 0;\n  SHIPMENT_STATUS_PENDING = 1;\n}\n\nmessage ShipmentUpdated {\n  ShipmentStatus status = 1;\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.logistics.v1;\n\nmessage ShipmentUpdated {\n  // One of PENDING, IN_TRANSIT or DELIVERED.\n  string status = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    let unusedEnums: EnumType[] = [];
    /** `snake_case` field names of the file: a lone word (`view`, `new`) may well be a value elsewhere */
    let fileFieldNames = new Set<string>();
    const proto = ctx.document.format === 'protobuf';

    const check = (field: Field, record: RecordType, p: PrimitiveType): void => {
      const isInteger = isIntegerPrimitive(p);
      if (p.logicalType !== undefined || !(p.name === 'string' || isInteger)) return;
      const tokens = words(field.name);
      const head = singular(tokens[tokens.length - 1] ?? '');
      if (!HEAD_TOKENS.has(head) || isExcluded(tokens) || REFERENCE_DOC.test(docOf(field))) return;

      const pieces: string[] = [`head token \`${head}\``];
      let values: string[] = [];
      // a lookup, not a set copied per field: copying the file's names would cost fields × file size
      const isFieldName = (v: string): boolean => fileFieldNames.has(v) || record.fields.some((f) => f.name === v);
      const fromDoc = docValues(docOf(field), isInteger, isFieldName);
      if (fromDoc) {
        values = fromDoc.values;
        pieces.push(`${fromDoc.how} ${listText(values)}`);
      }
      if (!isInteger && field.hasDefault && typeof field.default === 'string' && /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{3,}$/.test(field.default) && !ACRONYMS.has(field.default)) {
        pieces.push(`UPPER_SNAKE default ${field.default}`);
        if (!values.includes(field.default)) values = [field.default, ...values];
      }
      const entity = entityOf(record.name);
      const candidates = new Set([
        toPascalCase(field.name), toPascalCase(`${record.name}_${field.name}`), toPascalCase(`${entity}_${field.name}`),
      ]);
      const unused = unusedEnums.find((e) => candidates.has(e.name));
      if (unused) {
        pieces.push(`enum \`${unused.name}\` is declared in this file but unused`);
        if (values.length === 0) values = unused.symbols.map((s) => s.name);
      }
      if (pieces.length < 2) return;

      const prefixed = words(field.name).join('_').startsWith(words(entity).join('_'));
      const enumName = unused?.name ?? toPascalCase(prefixed ? field.name : `${entity}_${field.name}`);
      const fix = proto
        ? ` and a zero value \`${toUpperSnakeCase(enumName)}_UNSPECIFIED\``
        : ' and a default symbol (e.g. UNKNOWN) that readers fall back to when they meet a newer value';
      ctx.report({
        messageId: isInteger ? 'integerEnum' : 'stringEnum',
        node: field,
        data: {
          field: field.name,
          type: p.name,
          evidence: pieces.join('; '),
          enumName,
          values: values.length > 0 ? listText(values.map((v) => v.replace(/^\d+ = /, '')), 6) : '(the documented values)',
          fix,
        },
        symbol: ctx.symbolOf(record, field),
      });
    };

    return {
      document(doc: SchemaDocument) {
        const used = referencedTypeNames(doc);
        unusedEnums = doc.types.filter((t): t is EnumType => t.kind === 'enum' && !used.has(t.fullName));
        fileFieldNames = new Set(doc.types.flatMap((t) => (t.kind === 'record' ? t.fields.map((f) => f.name) : []))
          .filter((n) => /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(n)));
      },
      field(field, record) {
        if (field.type.kind === 'array') {
          const p = primitiveOf(field.type.items);
          if (p) check(field, record, p);
          return;
        }
        const p = primitiveOf(field.type);
        if (p) check(field, record, p);
      },
    };
  },
});
