// The package's library entry: the CLI is a thin shell over these.
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('library exports', () => {
  it.each(['lint', 'checkCompatibility', 'check', 'register', 'openRegistry', 'serveRegistry', 'publish', 'encodeFrame', 'decodeFrame', 'defineRule', 'redact'])('%s', (name) => {
    expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
  });

  it('compatibility rules and presets', () => {
    expect(api.compatRuleId('AVRO', 'TYPE_MISMATCH')).toBe('avro-type-mismatch');
    expect(api.compatRule('avro-type-mismatch')?.registryType).toBe('TYPE_MISMATCH');
    expect(api.COMPAT_RULES.length).toBeGreaterThan(30);
    expect(api.PRESETS.map((p) => p.name)).toEqual(['schemactl:recommended', 'schemactl:strict', 'schemactl:event-design']);
  });
});
