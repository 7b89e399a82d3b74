// The package's library entry: the CLI is a thin shell over these.
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('library exports', () => {
  it.each(['lint', 'checkCompatibility', 'check', 'register', 'openRegistry', 'serveRegistry', 'publish', 'encodeFrame', 'decodeFrame', 'defineRule', 'redact'])('%s', (name) => {
    expect(typeof (api as Record<string, unknown>)[name]).toBe('function');
  });
});
