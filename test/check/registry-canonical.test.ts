// `register` and `check` against the embedded store compare schemas by canonical form, as the
// Confluent registry does: a schema file re-serialised by a build tool (other key order, other
// whitespace) is already registered, not a new version.
import { describe, expect, it } from 'vitest';
import { CATALOG, ORDER_V1, cli, scratchDir, write } from './helpers.js';

/** ORDER_V1 with every object's keys reversed and all on one line. */
function reordered(text: string): string {
  const rev = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(rev) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, rev(x)])) : v;
  return JSON.stringify(rev(JSON.parse(text)));
}

describe('canonical identity through register and check', () => {
  it('a re-serialised schema file is unchanged, same version and id', async () => {
    const dir = scratchDir('register-canonical');
    write(dir, { 'schemactl.yaml': CATALOG, 'schemas/order-placed.avsc': ORDER_V1 });
    const first = await cli(['register'], dir);
    expect(first.code).toBe(0);
    const id = /orders\.order-placed-value\s+1\s+(\d+)\s+registered/.exec(first.stdout)?.[1];
    expect(id).toBeDefined();
    const respelled = reordered(ORDER_V1);
    expect(respelled).not.toBe(JSON.stringify(JSON.parse(ORDER_V1)));
    write(dir, { 'schemas/order-placed.avsc': respelled });
    const again = await cli(['register'], dir);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`orders\\.order-placed-value\\s+1\\s+${id as string}\\s+unchanged`));
    const check = await cli(['check'], dir);
    expect(check.code).toBe(0);
  }, 60_000);
});
