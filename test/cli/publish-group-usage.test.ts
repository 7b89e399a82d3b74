// `publish --group` refuses settings it cannot honour before anything is read or registered: exit 2
// with what to change (no broker or database is needed to get there).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const ITEM = JSON.stringify({
  type: 'record', name: 'Item', namespace: 'test.grpcli.v1', doc: 'An item.',
  fields: [{ name: 'id', type: 'long', doc: 'Id.' }, { name: 'updated_at', type: { type: 'long', logicalType: 'timestamp-micros' }, doc: 'When.' }],
});

function project(kafka: string[]): string {
  const dir = mkdtempSync(join(process.cwd(), 'test/.work-group-cli-'));
  writeFileSync(join(dir, 'item.avsc'), ITEM);
  writeFileSync(join(dir, 'schemactl.yaml'), [
    ...(kafka.length ? ['kafka:', ...kafka.map((l) => `  ${l}`)] : []),
    'streams:', '  - topic: t.items', '    schema: item.avsc', '    key: id', '    source:', '      connection: postgres://nobody@127.0.0.1:1/none', '      table: items', '',
  ].join('\n'));
  return dir;
}

describe('publish --group: usage', () => {
  const cases: Array<{ name: string; kafka: string[]; args: string[]; message: RegExp }> = [
    { name: 'no brokers', kafka: [], args: ['--group', 'g1'], message: /--group needs Kafka brokers/ },
    { name: 'no checkpoint topic', kafka: ['brokers: ["127.0.0.1:1"]'], args: ['--group', 'g1'], message: /--group needs kafka\.checkpoint_topic/ },
    { name: 'exactly_once switched off', kafka: ['brokers: ["127.0.0.1:1"]', 'checkpoint_topic: offs', 'exactly_once: false'], args: ['--group', 'g1'], message: /publishes with Kafka transactions/ },
    { name: '--once', kafka: ['brokers: ["127.0.0.1:1"]', 'checkpoint_topic: offs'], args: ['--group', 'g1', '--once'], message: /--once cannot be used/ },
    { name: '--state-dir', kafka: ['brokers: ["127.0.0.1:1"]', 'checkpoint_topic: offs'], args: ['--group', 'g1', '--state-dir', 'st'], message: /--state-dir cannot be used/ },
    { name: 'a group name Kafka cannot carry', kafka: ['brokers: ["127.0.0.1:1"]', 'checkpoint_topic: offs'], args: ['--group', 'a b'], message: /the group name may use/ },
    { name: 'kafka.group in the catalog is checked the same way', kafka: ['brokers: ["127.0.0.1:1"]', 'group: g1'], args: [], message: /kafka\.group needs kafka\.checkpoint_topic/ },
    { name: 'a metrics port out of range', kafka: [], args: ['--metrics-port', '70000'], message: /--metrics-port needs a port number/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      let out = '';
      const code = await main(['publish', ...c.args], { cwd: project(c.kafka), env: {}, stdout: (t) => { out += t; }, stderr: (t) => { out += t; } });
      expect(code, out).toBe(2);
      expect(out).toMatch(c.message);
    }, 30_000);
  }
});
