// Personal data must be findable: erasure requests, retention and masking in sinks all start from a
// list of which fields hold it. A tag in the schema is that list, kept next to the data it describes.
import { defineRule } from '../src/lint/rule.js';
import type { Field, RecordType } from '../src/model/types.js';
import { docOf, words } from './util.js';

type Options = {
  /** extra field-name patterns (regular expressions, matched against the snake_case name) */
  patterns: string[];
};

/** snake_case names (or name endings) that hold personal data, with what they hold. */
const PII: Array<[RegExp, string]> = [
  [/(^|_)e?mail(_address)?$/, 'an e-mail address'],
  [/(^|_)(phone|mobile)(_number)?$/, 'a phone number'],
  [/^(first|last|middle|full|given|family|sur)_?name$/, "a person's name"],
  [/(^|_)(customer|contact|recipient|billing|shipping|holder)_name$/, "a person's name"],
  [/(^|_)(street|address_line_?\d?|home_address)$/, 'a postal address'],
  [/(^|_)(date_of_birth|birth_date|birthdate|dob)$/, 'a date of birth'],
  [/(^|_)(ssn|social_security_number|national_id|tax_id|passport_number)$/, 'a national identifier'],
  [/(^|_)ip(_address)?$/, 'an IP address'],
  [/(^|_)(iban|card_number|pan|account_number)$/, 'a financial account number'],
  [/(^|_)(gender|ethnicity|religion)$/, 'a special category of personal data'],
  [/(^|_)(latitude|longitude|geo_location)$/, 'a location'],
  [/(^|_)(device_id|advertising_id)$/, 'a device identifier'],
];

const TAG_KEYS = /pii|sensitive|classification|personal|gdpr|confidential|tags|redact/i;

function isTagged(field: Field): boolean {
  for (const [k, v] of Object.entries({ ...(field.attributes ?? {}), ...(field.options ?? {}) })) {
    if (!TAG_KEYS.test(k)) continue;
    if (/tags/i.test(k) && !/pii|personal|sensitive|confidential/i.test(JSON.stringify(v))) continue;
    if (v === false) continue;
    return true;
  }
  return /\bpii\b|personal data|personally identifiable/i.test(docOf(field));
}

export default defineRule<'untagged', Options>({
  meta: {
    id: 'pii-tagged',
    description: 'Fields that look like personal data are tagged as PII',
    defaultSeverity: 'off',
    category: 'hygiene',
    formats: ['avro', 'protobuf'],
    rationale:
      'Erasure requests, retention policies and masking in downstream sinks all need to know which fields hold ' +
      'personal data. Tagging them in the schema keeps that list next to the data and lets tools act on it ' +
      '(Confluent data contracts read `confluent:tags`; Protobuf has `debug_redact` and custom options). The rule ' +
      'matches common personal-data field names; a field counts as tagged when an attribute or option whose name ' +
      'mentions pii/sensitive/classification/redact is set, a tags list contains PII, or its doc says PII. It is ' +
      'off by default: turn it on where the catalog adopts a tagging convention.',
    messages: {
      untagged:
        'Field `{{field}}` looks like personal data ({{evidence}}) but is not tagged, so erasure, retention and ' +
        'masking tools cannot find it. {{fix}}',
    },
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { patterns: { type: 'array', items: { type: 'string' } } },
    },
    defaultOptions: { patterns: [] },
    examples: {
      avro: {
        valid: JSON.stringify({
          type: 'record', name: 'CustomerRegistered', namespace: 'com.acme.customers.v1', fields: [
            { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
          ],
        }, null, 2),
        invalid: JSON.stringify({
          type: 'record', name: 'CustomerRegistered', namespace: 'com.acme.customers.v1', fields: [
            { name: 'email', type: 'string' },
          ],
        }, null, 2),
      },
      protobuf: {
        valid: 'syntax = "proto3";\npackage acme.customers.v1;\n\nmessage CustomerRegistered {\n  string email = 1 [debug_redact = true];\n}\n',
        invalid: 'syntax = "proto3";\npackage acme.customers.v1;\n\nmessage CustomerRegistered {\n  string email = 1;\n}\n',
      },
    },
  },
  create(ctx) {
    const extra: RegExp[] = [];
    for (const p of ctx.options.patterns ?? []) {
      try {
        extra.push(new RegExp(p));
      } catch {
        // an invalid user pattern is ignored rather than failing the whole lint run
      }
    }
    const proto = ctx.document.format === 'protobuf';
    return {
      field(field: Field, record: RecordType) {
        const snake = words(field.name).join('_');
        const hit = [...PII, ...extra.map((re): [RegExp, string] => [re, `configured pattern /${re.source}/`])]
          .find(([re]) => re.test(snake));
        if (!hit || isTagged(field)) return;
        ctx.report({
          messageId: 'untagged',
          node: field,
          symbol: ctx.symbolOf(record, field),
          data: {
            field: field.name,
            evidence: hit[1].startsWith('configured') ? `name matches ${hit[1]}` : `its name suggests ${hit[1]}`,
            fix: proto
              ? 'Add `[debug_redact = true]` or your organisation\'s PII option to the field.'
              : 'Add `"confluent:tags": ["PII"]` to the field.',
          },
        });
      },
    };
  },
});
