// Memory stays bounded under many distinct large lookups (issue #13: 600 lookups of distinct 0.8 MB
// schemas took the server to 3.4 GB RSS, about 10 MB kept per lookup, never released). The caches that
// kept them (prepared schemas in the store, parsed Avro documents in the compatibility layer) are now
// bounded by the characters they hold (16 Mi + 8 Mi characters), so after warm-up the RSS may grow by
// those budgets and their parsed structures, not with the number of lookups.
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serveRegistry } from '../../src/registry/server.js';

const LOOKUPS = 600;
const SIZE = 800_000;
/** the stated bound: RSS growth from after warm-up to the end of the 600 lookups */
const BOUND_MB = 300;

/** A valid, distinct Avro schema of about 0.8 MB: 40 fields with long docs (cheap to parse, large to keep). */
function bigSchema(i: number): string {
  const doc = `Schema ${i}. ${'All work and no play makes a schema large. '.repeat(Math.ceil(SIZE / 40 / 44))}`.slice(0, Math.floor(SIZE / 40));
  const fields = Array.from({ length: 40 }, (_, f) => `{"name":"f${f}_${i}","type":["null","string"],"default":null,"doc":${JSON.stringify(doc)}}`);
  return `{"type":"record","name":"Big${i}","namespace":"acme","fields":[${fields.join(',')}]}`;
}

const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;

describe('registry memory under many distinct large lookups', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'schemactl-mem-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${LOOKUPS} lookups of distinct 0.8 MB schemas grow RSS by less than ${BOUND_MB} MB after warm-up`, async () => {
    const served = await serveRegistry({ port: 0, dataDir: path.join(dir, 'data') });
    try {
      const post = async (p: string, schema: string): Promise<number> => {
        const res = await fetch(served.url + p, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify({ schema }) });
        await res.arrayBuffer();
        return res.status;
      };
      expect(await post('/subjects/big-value/versions', bigSchema(0))).toBe(200);
      const started = Date.now();
      let warm = 0;
      let peak = 0;
      for (let i = 1; i <= LOOKUPS; i++) {
        // each one distinct and not registered: 404 40403 after the full parse, validation and canonical form
        expect(await post('/subjects/big-value', bigSchema(i))).toBe(404);
        if (i === 60) warm = rssMb();
        if (i > 60) peak = Math.max(peak, rssMb());
      }
      const growth = peak - warm;
      const load = execSync('uptime', { encoding: 'utf8' }).trim();
      console.log(
        `memory: ${LOOKUPS} lookups of ${(bigSchema(1).length / 1e6).toFixed(2)} MB schemas in ${((Date.now() - started) / 1000).toFixed(1)} s; ` +
          `RSS after 60 (warm-up) ${warm.toFixed(0)} MB, peak after ${peak.toFixed(0)} MB, growth ${growth.toFixed(0)} MB (bound ${BOUND_MB} MB); ${load}`,
      );
      expect(growth).toBeLessThan(BOUND_MB);
    } finally {
      await served.close();
    }
  }, 180_000);
});
