// JSON Schema subjects in the embedded registry, over its REST API as clients use it: registration with
// the compatibility check on register (the registry's STRICT policy: closed objects may gain optional
// properties, open ones may not), references between subjects resolved for `$ref`, invalid schemas
// refused with 42201 at their line:column, and the official Confluent client registering and reading them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchemaRegistryClient } from '@confluentinc/schemaregistry';
import { serveRegistry } from '../../src/registry/server.js';
import type { ServedRegistry } from '../../src/registry/server.js';

const closedV1 = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
  additionalProperties: false,
};
const closedV2 = { ...closedV1, properties: { ...closedV1.properties, note: { type: 'string' } } };
const openV1 = { type: 'object', properties: { id: { type: 'string' } } };
const openV2 = { type: 'object', properties: { id: { type: 'string' }, note: { type: 'string' } } };
const address = { type: 'object', properties: { street: { type: 'string' }, city: { type: 'string' } }, additionalProperties: false };
const withRef = {
  type: 'object',
  properties: { id: { type: 'string' }, ship_to: { $ref: 'address.json' } },
  additionalProperties: false,
};

let dir: string;
let srv: ServedRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'schemactl-json-'));
  srv = await serveRegistry({ port: 0, dataDir: dir });
});
afterAll(async () => {
  await srv?.close();
  await rm(dir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${srv.url}${path}`, {
    method,
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & unknown[] };
}

describe('JSON Schema subjects in the embedded registry', () => {
  it('lists JSON among the schema types', async () => {
    expect((await call('GET', '/schemas/types')).json).toEqual(['JSON', 'PROTOBUF', 'AVRO']);
  });

  it('registers a closed object and accepts an optional property, with the schema type kept', async () => {
    const r1 = await call('POST', '/subjects/closed-value/versions', { schemaType: 'JSON', schema: JSON.stringify(closedV1) });
    expect(r1.status).toBe(200);
    const r2 = await call('POST', '/subjects/closed-value/versions', { schemaType: 'JSON', schema: JSON.stringify(closedV2) });
    expect(r2.status).toBe(200);
    const latest = await call('GET', '/subjects/closed-value/versions/latest');
    expect(latest.json).toMatchObject({ version: 2, schemaType: 'JSON' });
    expect(JSON.parse(latest.json.schema as string)).toEqual(closedV2);
    // the same schema again is the same version, with no check
    const again = await call('POST', '/subjects/closed-value/versions', { schemaType: 'JSON', schema: JSON.stringify(closedV2, null, 2) });
    expect(again.json).toMatchObject({ id: (r2.json as unknown as { id: number }).id });
  });

  it('refuses a property added to an open object (STRICT) with 409 and the registry message', async () => {
    expect((await call('POST', '/subjects/open-value/versions', { schemaType: 'JSON', schema: JSON.stringify(openV1) })).status).toBe(200);
    const verbose = await call('POST', '/compatibility/subjects/open-value/versions/latest?verbose=true', { schemaType: 'JSON', schema: JSON.stringify(openV2) });
    expect(verbose.json.is_compatible).toBe(false);
    const messages = verbose.json.messages as string[];
    expect(messages[0]).toMatch(/^\{errorType:"OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", description:".*'#\/properties\/note'.*'\}$/);
    expect(messages.at(-1)).toBe("{validateFields: 'false', compatibility: 'BACKWARD'}");
    const refused = await call('POST', '/subjects/open-value/versions', { schemaType: 'JSON', schema: JSON.stringify(openV2) });
    expect(refused.status).toBe(409);
    expect(refused.json.message).toMatch(/OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL/);
    // FORWARD swaps the roles: removing the property from the open object is then what is judged
    expect((await call('PUT', '/config/open-value', { compatibility: 'FORWARD' })).status).toBe(200);
    expect((await call('POST', '/subjects/open-value/versions', { schemaType: 'JSON', schema: JSON.stringify(openV2) })).status).toBe(200);
  });

  it('resolves $ref into a referenced subject, and refuses a $ref that resolves to nothing', async () => {
    expect((await call('POST', '/subjects/address/versions', { schemaType: 'JSON', schema: JSON.stringify(address) })).status).toBe(200);
    const refs = [{ name: 'address.json', subject: 'address', version: 1 }];
    const ok = await call('POST', '/subjects/order-value/versions', { schemaType: 'JSON', schema: JSON.stringify(withRef), references: refs });
    expect(ok.status).toBe(200);
    const byId = await call('GET', `/schemas/ids/${(ok.json as unknown as { id: number }).id}`);
    expect(byId.json).toMatchObject({ schemaType: 'JSON', references: refs });
    // a change inside the referenced schema is seen through the $ref: city → number is TYPE_CHANGED
    const address2 = { ...address, properties: { ...address.properties, city: { type: 'number' } } };
    expect((await call('POST', '/subjects/address2/versions', { schemaType: 'JSON', schema: JSON.stringify(address2) })).status).toBe(200);
    const check = await call('POST', '/compatibility/subjects/order-value/versions/latest?verbose=true', {
      schemaType: 'JSON', schema: JSON.stringify(withRef), references: [{ name: 'address.json', subject: 'address2', version: 1 }],
    });
    expect(check.json.is_compatible).toBe(false);
    expect((check.json.messages as string[])[0]).toMatch(/TYPE_CHANGED.*#\/properties\/ship_to\/properties\/city/);
    const dangling = await call('POST', '/subjects/dangling-value/versions', { schemaType: 'JSON', schema: JSON.stringify(withRef) });
    expect(dangling.status).toBe(422);
    expect(dangling.json).toMatchObject({ error_code: 42201 });
    expect(dangling.json.message).toMatch(/schema\.json:1:\d+: `\$ref` "address\.json" resolves to nothing/);
  });

  it('refuses invalid JSON Schemas with 42201 at line:column', async () => {
    const bad = await call('POST', '/subjects/bad-value/versions', { schemaType: 'JSON', schema: '{\n  "type": "object",\n  "properties": { "a": { "type": "strnig" } }\n}' });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toMatch(/schema\.json:3:\d+: `type` "strnig" is not a JSON Schema type/);
    const pattern = await call('POST', '/subjects/bad-value/versions', { schemaType: 'JSON', schema: '{"type":"string","pattern":"(unclosed"}' });
    expect(pattern.status).toBe(422);
    expect(pattern.json.message).toMatch(/does not compile/);
  });

  it('works with @confluentinc/schemaregistry: register, look up, read back', async () => {
    const client = new SchemaRegistryClient({ baseURLs: [srv.url] });
    const info = { schemaType: 'JSON', schema: JSON.stringify({ ...closedV1, title: 'Client' }) };
    const id = await client.register('client-json-value', info);
    expect(id).toBeGreaterThan(0);
    expect(await client.getId('client-json-value', info)).toBe(id);
    const back = await client.getBySubjectAndId('client-json-value', id);
    expect(back.schemaType).toBe('JSON');
    expect(await client.testSubjectCompatibility('client-json-value', { schemaType: 'JSON', schema: JSON.stringify({ ...closedV2, title: 'Client' }) })).toBe(true);
    expect(await client.testSubjectCompatibility('client-json-value', { schemaType: 'JSON', schema: JSON.stringify({ ...closedV1, title: 'Client', properties: { id: { type: 'integer' } } }) })).toBe(false);
  });
});
