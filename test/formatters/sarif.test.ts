// SARIF output checked against the parts of the SARIF 2.1.0 schema (OASIS, sarif-schema-2.1.0.json)
// and of GitHub code scanning's ingestion requirements that our output uses. The subset is written
// here so the test needs no network.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { sarif } from '../../src/formatters/sarif.js';
import { CWD, results, ruleMetas } from './fixtures.js';

const message = { type: 'object', required: ['text'], properties: { text: { type: 'string', minLength: 1 }, markdown: { type: 'string' } } };
const region = {
  type: 'object',
  required: ['startLine'],
  properties: {
    startLine: { type: 'integer', minimum: 1 },
    startColumn: { type: 'integer', minimum: 1 },
    endLine: { type: 'integer', minimum: 1 },
    endColumn: { type: 'integer', minimum: 1 },
  },
};
const physicalLocation = {
  type: 'object',
  required: ['artifactLocation', 'region'],
  properties: {
    artifactLocation: {
      type: 'object',
      required: ['uri', 'uriBaseId'],
      properties: { uri: { type: 'string', pattern: '^(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)(?!\\.\\./)[^\\\\ ]+$' }, uriBaseId: { const: '%SRCROOT%' } },
    },
    region,
  },
};
const level = { enum: ['none', 'note', 'warning', 'error'] };
const sarifSubset = {
  type: 'object',
  required: ['version', 'runs', '$schema'],
  properties: {
    version: { const: '2.1.0' },
    runs: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['tool', 'results'],
        properties: {
          tool: {
            type: 'object',
            required: ['driver'],
            properties: {
              driver: {
                type: 'object',
                required: ['name', 'informationUri', 'version', 'rules'],
                properties: {
                  name: { type: 'string' },
                  informationUri: { type: 'string', format: 'uri', pattern: '^https?://' },
                  version: { type: 'string' },
                  rules: {
                    type: 'array',
                    uniqueItems: true,
                    items: {
                      type: 'object',
                      required: ['id', 'shortDescription', 'fullDescription', 'help', 'defaultConfiguration'],
                      properties: {
                        id: { type: 'string' },
                        shortDescription: message,
                        fullDescription: message,
                        help: { type: 'object', required: ['text', 'markdown'], properties: { text: { type: 'string' }, markdown: { type: 'string' } } },
                        helpUri: { type: 'string', pattern: '^https?://' },
                        defaultConfiguration: { type: 'object', required: ['level'], properties: { level } },
                      },
                    },
                  },
                },
              },
            },
          },
          columnKind: { enum: ['utf16CodeUnits', 'unicodeCodePoints'] },
          results: {
            type: 'array',
            items: {
              type: 'object',
              required: ['ruleId', 'ruleIndex', 'level', 'message', 'locations'],
              properties: {
                ruleId: { type: 'string' },
                ruleIndex: { type: 'integer', minimum: 0 },
                level,
                message,
                locations: { type: 'array', minItems: 1, maxItems: 1, items: { type: 'object', required: ['physicalLocation'], properties: { physicalLocation } } },
                relatedLocations: {
                  type: 'array',
                  items: { type: 'object', required: ['id', 'message', 'physicalLocation'], properties: { id: { type: 'integer', minimum: 0 }, message, physicalLocation } },
                },
                partialFingerprints: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
};

interface SarifLog {
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }>; version: string } };
    results: Array<{ ruleId: string; ruleIndex: number; level: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: Record<string, number> } }> }>;
  }>;
}

describe('sarif', () => {
  const text = sarif(results, { cwd: CWD, color: false, rules: ruleMetas, version: '1.2.3' });
  const log = JSON.parse(text) as SarifLog;

  it('validates against the SARIF 2.1.0 subset', () => {
    const ajv = new Ajv({ allErrors: true, validateFormats: false });
    const validate = ajv.compile(sarifSubset);
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the subset rejects what GitHub rejects', () => {
    const ajv = new Ajv({ allErrors: true, validateFormats: false });
    const validate = ajv.compile(sarifSubset);
    const broken = JSON.parse(text) as SarifLog;
    broken.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri = '/abs/path.avsc';
    expect(validate(broken)).toBe(false);
  });

  it('points every result at its rule descriptor', () => {
    const run = log.runs[0]!;
    expect(run.tool.driver.version).toBe('1.2.3');
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex]!.id).toBe(r.ruleId);
    const ids = run.tool.driver.rules.map((r) => r.id);
    expect(ids).toEqual(['explicit-schema-format', 'parse-error', 'prefer-enum', 'prefer-logical-type', 'require-updated-at']);
  });

  it('uses relative, URI-encoded paths and maps severities', () => {
    const run = log.runs[0]!;
    const uris = run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri);
    expect(uris).toContain('schemas/orders/order-placed.avsc');
    expect(uris).toContain('schemas/ok%2C%20fine%3A%20yes.avsc');
    expect(run.results.map((r) => r.level)).toEqual(['error', 'error', 'warning', 'error', 'warning']);
  });

  it('is pinned', () => {
    expect(log).toMatchSnapshot();
  });
});
