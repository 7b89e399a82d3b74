// The JSON Schema checker on the project's own cases (these run on a fresh clone, without ../shared):
// drafts 4, 6, 2019-09 and 2020-12 as the registry reads them, references, recursive schemas, levels,
// the LENIENT policy, and the format layer's validity with line:column.
import { describe, expect, it } from 'vitest';
import { checkCompatibility, InvalidSchemaError } from '../../src/compat/index.js';
import { checkJsonSchemaPair } from '../../src/compat/jsonschema/index.js';
import { draftOf, jsonSchemaRefNames, locateRegistryPath, parseJsonSchema } from '../../src/formats/jsonschema/index.js';
import { invalidProblems } from '../../src/formats/validity.js';

const diffs = (previous: object, candidate: object, references: Array<{ name: string; schema: string }> = []) =>
  checkJsonSchemaPair({ text: JSON.stringify(candidate), references }, { text: JSON.stringify(previous), references }).differences.map((d) => `${d.type} ${d.path}`);

describe('JSON Schema diff (BACKWARD: original = previous, update = candidate)', () => {
  it.each([
    ['closed object gains an optional property', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false },
      { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, additionalProperties: false }, ['OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'], true],
    ['open object gains a required property', { type: 'object', properties: { a: { type: 'string' } } },
      { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, required: ['b'] }, ['REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b'], false],
    ['open object gains a required property with a default', { type: 'object', properties: {} },
      { type: 'object', properties: { b: { type: 'string', default: 'x' } }, required: ['b'] }, ['REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL #/properties/b'], false],
    ['closed object gains a required property with a default', { type: 'object', properties: {}, additionalProperties: false },
      { type: 'object', properties: { b: { type: 'string', default: 'x' } }, required: ['b'], additionalProperties: false }, ['REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL #/properties/b'], true],
    ['T becomes nullable through a type list', { type: 'string' }, { type: ['string', 'null'] }, ['SUM_TYPE_EXTENDED #/'], true],
    ['multipleOf compared as exact decimals', { type: 'number', multipleOf: 0.5 }, { type: 'number', multipleOf: 0.25 }, ['MULTIPLE_OF_REDUCED #/multipleOf'], true],
    ['multipleOf 2 → 4 refuses 6', { type: 'number', multipleOf: 2 }, { type: 'number', multipleOf: 4 }, ['MULTIPLE_OF_EXPANDED #/multipleOf'], false],
    ['draft 4: id and boolean exclusiveMaximum', { $schema: 'http://json-schema.org/draft-04/schema#', id: 'a', type: 'number', maximum: 5, exclusiveMaximum: true },
      { $schema: 'http://json-schema.org/draft-04/schema#', id: 'b', type: 'number', maximum: 6 }, ['ID_CHANGED #/', 'MAXIMUM_INCREASED #/maximum'], true],
    ['draft 6: const changes', { $schema: 'http://json-schema.org/draft-06/schema#', const: 1 }, { $schema: 'http://json-schema.org/draft-06/schema#', const: 2 }, ['ENUM_ARRAY_CHANGED #/const'], false],
    ['2019-09: $defs and dependentRequired', { $schema: 'https://json-schema.org/draft/2019-09/schema', $ref: '#/$defs/o', $defs: { o: { type: 'object', dependentRequired: { a: ['b'] } } } },
      { $schema: 'https://json-schema.org/draft/2019-09/schema', type: 'object', dependentRequired: { a: ['b', 'c'] } }, ['DEPENDENCY_ARRAY_EXTENDED #/dependencies/a'], false],
    ['2020-12: unevaluatedProperties false → schema', { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { a: { type: 'string' } }, unevaluatedProperties: false },
      { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { a: { type: 'string' } }, unevaluatedProperties: { type: 'string' } }, ['UNEVALUATED_PROPERTIES_ADDED #/unevaluatedProperties'], true],
  ])('%s', (_name, previous, candidate, expected, compatible) => {
    expect(diffs(previous, candidate).sort()).toEqual([...expected].sort());
    expect(checkJsonSchemaPair({ text: JSON.stringify(candidate) }, { text: JSON.stringify(previous) }).compatible).toBe(compatible);
  });

  it('follows $ref into references, and terminates on recursive schemas', () => {
    const address = { type: 'object', properties: { city: { type: 'string' } }, additionalProperties: false };
    const order = { type: 'object', properties: { ship_to: { $ref: 'address.json' } }, additionalProperties: false };
    const refs = [{ name: 'address.json', schema: JSON.stringify(address) }];
    const changed = [{ name: 'address.json', schema: JSON.stringify({ ...address, properties: { city: { type: 'integer' } } }) }];
    expect(checkJsonSchemaPair({ text: JSON.stringify(order), references: changed }, { text: JSON.stringify(order), references: refs }).differences.map((d) => `${d.type} ${d.path}`))
      .toEqual(['TYPE_CHANGED #/properties/ship_to/properties/city']);
    const tree = { $ref: '#/definitions/node', definitions: { node: { type: 'object', properties: { children: { type: 'array', items: { $ref: '#/definitions/node' } }, v: { type: 'string' } } } } };
    const tree2 = JSON.parse(JSON.stringify(tree).replace('"v":{"type":"string"}', '"v":{"type":"number"}')) as object;
    expect(diffs(tree, tree)).toEqual([]);
    expect(diffs(tree, tree2)).toContain('TYPE_CHANGED #/properties/v');
  });

  it('applies levels: FORWARD swaps the roles, FULL checks both, NONE checks nothing', async () => {
    const closed = JSON.stringify({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false });
    const closedPlus = JSON.stringify({ type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, additionalProperties: false });
    const req = (level: string) => checkCompatibility({ format: 'JSON', level, previous: [closed], candidate: closedPlus });
    expect((await req('BACKWARD')).compatible).toBe(true);
    const forward = await req('FORWARD');
    expect(forward.compatible).toBe(false);
    expect(forward.messages.map((m) => [m.type, m.direction])).toEqual([['PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', 'forward']]);
    expect((await req('FULL')).compatible).toBe(false);
    expect((await req('NONE')).compatible).toBe(true);
    expect((await checkCompatibility({ format: 'JSON', level: 'FORWARD', previous: [closed], candidate: closedPlus, jsonPolicy: 'LENIENT' })).compatible).toBe(true);
    await expect(checkCompatibility({ format: 'JSON', level: 'NONE', previous: [], candidate: '{"type":"nope"}' })).rejects.toBeInstanceOf(InvalidSchemaError);
  });
});

describe('JSON Schema documents (formats/jsonschema)', () => {
  it('reads the draft from $schema; a document without one is draft 7', () => {
    expect(draftOf({}).draft).toBe('draft-07');
    expect(draftOf({ $schema: 'http://json-schema.org/draft-04/schema#' }).draft).toBe('draft-04');
    expect(draftOf({ $schema: 'https://json-schema.org/draft/2020-12/schema' }).draft).toBe('draft-2020-12');
    expect(draftOf({ $schema: 'https://example.com/my-meta' })).toEqual({ draft: 'draft-07', unknown: 'https://example.com/my-meta' });
  });

  it.each([
    ['{\n  "type": "strnig"\n}', 2, /`type` "strnig" is not a JSON Schema type/],
    ['{\n  "properties": { "a": 5 }\n}', 2, /A schema must be a JSON object or a boolean, found a number/],
    ['{"required": "a"}', 1, /`required` must be an array of property names/],
    ['{"minLength": -1}', 1, /non-negative integer/],
    ['{"pattern": "(a"}', 1, /does not compile/],
    ['{"$schema":"http://json-schema.org/draft-04/schema#","properties":{"a":true}}', 1, /boolean schema .* needs draft 6/],
    ['{"$schema":"https://json-schema.org/draft/2020-12/schema","items":[{}]}', 1, /`prefixItems`/],
    ['{"properties":{"a":{"$ref":"#/definitions/missing"}}}', 1, /resolves to nothing/],
    ['[1, 2]', 1, /must be a JSON object/],
  ])('refuses %j at its line', (text, line, message) => {
    const parsed = parseJsonSchema(text, 's.json');
    const problems = parsed.ok ? invalidProblems(parsed.problems) : parsed.problems;
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.message).toMatch(message);
    expect(problems[0]!.loc.line).toBe(line);
  });

  it('accepts what the registry accepts (unknown keywords, an unknown $schema as a warning)', () => {
    for (const text of ['{}', 'true', '{"x-custom": 1, "type": "object"}', '{"$schema":"https://example.com/meta","type":"string"}']) {
      const parsed = parseJsonSchema(text, 's.json');
      expect(parsed.ok && invalidProblems(parsed.problems)).toEqual([]);
    }
  });

  it('lists the files $refs name and locates registry paths in the text', () => {
    expect(jsonSchemaRefNames('{"a":{"$ref":"common/x.json#/definitions/y"},"b":{"$ref":"#/definitions/z"},"c":{"$ref":"https://example.com/s.json"},"enum":[{"$ref":"not.json"}]}'))
      .toEqual(['common/x.json']);
    const text = '{\n  "type": "object",\n  "properties": {\n    "total": { "type": "number", "maximum": 5 }\n  }\n}';
    expect(locateRegistryPath(text, '#/properties/total')).toMatchObject({ line: 4, column: 5 });
    expect(locateRegistryPath(text, '#/properties/total/maximum')).toMatchObject({ line: 4, column: 45 });
    expect(locateRegistryPath(text, '#/properties/gone')).toMatchObject({ line: 3 });
  });
});
