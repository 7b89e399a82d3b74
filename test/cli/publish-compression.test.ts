// `publish` with kafka.compression: zstd on a Node.js whose zlib cannot write it: exit 2 before anything
// is read or registered, instead of every batch failing at its first send (no broker is needed).
import zlib from 'node:zlib';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const ITEM = JSON.stringify({
  type: 'record', name: 'Item', namespace: 'test.zstdcli.v1', doc: 'An item.',
  fields: [{ name: 'id', type: 'long', doc: 'Id.' }, { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' }],
});
const zstd = typeof (zlib as { zstdCompressSync?: unknown }).zstdCompressSync === 'function';

describe('publish: kafka.compression', () => {
  it.skipIf(zstd)(`zstd on Node.js ${process.version} (no zstd in zlib) is refused with exit 2`, async () => {
    const dir = mkdtempSync(join(process.cwd(), 'test/.work-zstd-cli-'));
    writeFileSync(join(dir, 'item.avsc'), ITEM);
    writeFileSync(join(dir, 'schemactl.yaml'), [
      'kafka:', '  brokers: ["127.0.0.1:1"]', '  compression: zstd',
      'streams:', '  - topic: t.items', '    schema: item.avsc', '    key: id', '    source:', '      connection: postgres://nobody@127.0.0.1:1/none', '      table: items', '',
    ].join('\n'));
    let out = '';
    const code = await main(['publish', '--once'], { cwd: dir, env: {}, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
    expect(code, out).toBe(2);
    expect(out).toMatch(/kafka\.compression: zstd needs Node\.js 22\.15 or later/);
    expect(out).toMatch(/schemactl\.yaml/);
  }, 30_000);
});
