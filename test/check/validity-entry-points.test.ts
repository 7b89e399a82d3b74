// One notion of validity per format: every entry point — lint, check and register (the built CLI),
// `registry serve` (the CLI's server, over HTTP) and the publish gate (its API, on a dry run) — accepts
// and refuses the same files. The corpus: valid and invalid Avro and Protobuf files written here, each
// with the verdict of its reference (Avro Java 1.12, protoc), plus the apache/avro corpus's .avsc files
// with Avro Java's verdicts when ../shared is present.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gateSchema } from '../../src/liberation/gate.js';
import { openEmbeddedRegistry } from '../../src/registry/index.js';
import { buildCli, ROOT } from '../cli/support/build.js';
import { corporaDir, requireShared } from '../support/conformance.js';

const VERDICTS = path.join(corporaDir, 'avro-java-verdicts.tsv');
// the apache/avro corpus part needs ../shared: without it, a visible SKIP line and the files written here only
const corpus = requireShared('corpora', 'the apache/avro corpus part of the entry-point agreement') && existsSync(VERDICTS);

const R = (fields: string, extra = ''): string => `{"type":"record","name":"R","namespace":"com.acme"${extra},"fields":[${fields}]}`;

/** file → valid per the reference */
const OWN: Record<string, { text: string; valid: boolean }> = {
  'avro/plain.avsc': { valid: true, text: R('{"name":"id","type":"string"},{"name":"n","type":"int","default":0}') },
  'avro/union-default-later-branch.avsc': { valid: true, text: R('{"name":"note","type":["null","string"],"default":"none"}') },
  'avro/unicode-names.avsc': { valid: true, text: '{"type":"record","name":"Größe","namespace":"com.acme","fields":[{"name":"名前","type":"string"}]}' },
  'avro/forward-reference.avsc': { valid: true, text: R('{"name":"a","type":["null","S"],"default":null},{"name":"b","type":{"type":"record","name":"S","fields":[]}}') },
  'avro/comments.avsc': { valid: true, text: `// an event\n${R('{"name":"id","type":"string"}')}` },
  'avro/order-upper-case.avsc': { valid: true, text: R('{"name":"id","type":"string","order":"DESCENDING"}') },
  'avro/enum-default-not-a-symbol.avsc': { valid: true, text: R('{"name":"s","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"Z"}') },
  'avro/int-default-1.0.avsc': { valid: false, text: R('{"name":"n","type":"int","default":1.0}') },
  'avro/undefined-name.avsc': { valid: false, text: R('{"name":"m","type":"com.acme.Missing"}') },
  'avro/duplicate-field.avsc': { valid: false, text: R('{"name":"id","type":"string"},{"name":"id","type":"int"}') },
  'avro/bad-name.avsc': { valid: false, text: '{"type":"record","name":"a-b","fields":[]}' },
  'avro/union-default-no-branch.avsc': { valid: false, text: R('{"name":"x","type":["null","string"],"default":5}') },
  'avro/json-syntax.avsc': { valid: false, text: R('{"name":"id","type":"string"},') },
  'avro/order.avdl': { valid: true, text: '@namespace("com.acme") protocol P { import schema "lib/money.avsc"; record Order { string id; Money total; union { null, string } note = "none"; } }' },
  'avro/lib/money.avsc': { valid: true, text: '{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"cents","type":"long"}]}' },
  'avro/missing-import.avdl': { valid: false, text: '@namespace("com.acme") protocol P { import idl "nowhere.avdl"; record Order { string id; } }' },
  'avro/annotated-reference.avdl': { valid: false, text: '@namespace("com.acme") protocol P { fixed MD5(16); record Order { @foo("bar") MD5 hash; } }' },
  'proto/plain.proto': { valid: true, text: 'syntax = "proto3";\npackage acme.v1;\nmessage Plain { string id = 1; int64 n = 2; }\n' },
  'proto/well-known.proto': { valid: true, text: 'syntax = "proto3";\npackage acme.v1;\nimport "google/protobuf/timestamp.proto";\nmessage Stamped { string id = 1; google.protobuf.Timestamp at = 2; }\n' },
  'proto/duplicate-number.proto': { valid: false, text: 'syntax = "proto3";\npackage acme.v1;\nmessage Dup { string a = 1; string b = 1; }\n' },
  'proto/missing-import.proto': { valid: false, text: 'syntax = "proto3";\npackage acme.v1;\nimport "acme/nowhere.proto";\nmessage M { acme.Nowhere n = 1; }\n' },
  'proto/unknown-type.proto': { valid: false, text: 'syntax = "proto3";\npackage acme.v1;\nmessage M { Missing m = 1; }\n' },
  'proto/syntax-error.proto': { valid: false, text: 'syntax = "proto3";\nmessage M { string id = 1 }\n' },
};

interface Entry { file: string; valid: boolean }

/** The gate's refusal of a valid schema that is not a record: rows cannot be published with it. */
const NOT_A_ROW = /publishing needs an Avro record schema at the top level|declares no message to publish/;

let dir: string;
let entries: Entry[];
const bin = (): string => buildCli();

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin(), ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const topicOf = (i: number): string => `t${i}`;

beforeAll(() => {
  mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
  dir = mkdtempSync(path.join(ROOT, 'test/.work/validity-'));
  entries = [];
  for (const [file, { text, valid }] of Object.entries(OWN)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
    if (!file.includes('/lib/')) entries.push({ file, valid });
  }
  if (corpus) {
    // the corpus's .avsc files (the .avdl ones name no single event type to register)
    for (const line of readFileSync(VERDICTS, 'utf8').trim().split('\n')) {
      const [rel, verdict] = line.split('\t') as [string, string];
      if (!rel.endsWith('.avsc')) continue;
      const file = `corpus/${entries.length}-${path.basename(rel)}`;
      mkdirSync(path.join(dir, 'corpus'), { recursive: true });
      copyFileSync(path.join(corporaDir, rel), path.join(dir, file));
      entries.push({ file, valid: verdict === 'ok' });
    }
  }
  // every rule off: only validity decides, so register's "lint passes" is the format layer's verdict
  const rules = readdirSync(path.join(ROOT, 'rules')).filter((f) => f.endsWith('.ts') && f !== 'util.ts').map((f) => `  ${f.slice(0, -3)}: off`);
  const streams = entries.map((e, i) => `  - topic: ${topicOf(i)}\n    kind: store\n    schema: ${e.file}\n    compatibility: NONE`);
  writeFileSync(path.join(dir, 'schemactl.yaml'), `streams:\n${streams.join('\n')}\nrules:\n${rules.join('\n')}\n`);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('every entry point accepts and refuses the same files', () => {
  const verdicts = new Map<string, Map<string, boolean>>();
  const record = (entryPoint: string, file: string, valid: boolean): void => {
    let m = verdicts.get(entryPoint);
    if (!m) verdicts.set(entryPoint, (m = new Map()));
    m.set(file, valid);
  };
  const expectReference = (entryPoint: string, only?: (e: Entry) => boolean): void => {
    const got = verdicts.get(entryPoint)!;
    const wrong = entries.filter((e) => !only || only(e)).filter((e) => got.get(e.file) !== e.valid).map((e) => `${e.file}: reference ${e.valid ? 'valid' : 'invalid'}, ${entryPoint} ${String(got.get(e.file))}`);
    expect(wrong).toEqual([]);
  };

  it('lint: refuses (a fatal finding, exit 2) exactly the invalid files', () => {
    const r = cli(['lint', ...entries.map((e) => e.file), '--format', 'json']);
    expect(r.code).toBe(2);
    const results = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ fatal?: boolean }> }>;
    for (const f of results) record('lint', path.relative(dir, f.filePath), !f.messages.some((m) => m.fatal));
    expectReference('lint');
  }, 300_000);

  it('check: reports exactly the invalid files as not checkable (exit 2)', () => {
    const r = cli(['check', '--format', 'json']);
    expect(r.code).toBe(2);
    entries.forEach((e, i) => {
      const line = r.stderr.split('\n').find((l) => l.includes(` ${topicOf(i)} (`));
      expect(line, `no verdict line for ${topicOf(i)} in:\n${r.stderr}`).toBeDefined();
      record('check', e.file, !line!.startsWith('✗'));
    });
    expectReference('check');
  }, 300_000);

  it('register: registers exactly the valid files into the embedded store (exit 2: some are invalid)', () => {
    const r = cli(['register']);
    expect(r.code).toBe(2);
    entries.forEach((e, i) => {
      const row = r.stdout.split('\n').find((l) => l.startsWith(`${topicOf(i)}-value `));
      expect(row, `no row for ${topicOf(i)} in:\n${r.stdout}`).toBeDefined();
      record('register', e.file, !row!.includes('REFUSED'));
    });
    expectReference('register');
  }, 300_000);

  it('registry serve: accepts exactly the valid .avsc and .proto texts over HTTP (200, else 422)', async () => {
    const child = spawn(process.execPath, [bin(), 'registry', 'serve', '--port', '0', '--data', 'served-registry'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stderr.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /listening on (\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`registry serve exited ${String(code)}`)));
      });
      for (const [i, e] of entries.entries()) {
        if (e.file.endsWith('.avdl')) continue;
        const body = { schema: readFileSync(path.join(dir, e.file), 'utf8'), ...(e.file.endsWith('.proto') ? { schemaType: 'PROTOBUF' } : {}) };
        const res = await fetch(`${url}/subjects/served-${topicOf(i)}/versions`, { method: 'POST', headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: JSON.stringify(body) });
        expect([200, 422], `${e.file}: HTTP ${res.status}`).toContain(res.status);
        record('registry serve', e.file, res.status === 200);
      }
    } finally {
      child.kill('SIGTERM');
    }
    expectReference('registry serve', (e) => !e.file.endsWith('.avdl'));
  }, 300_000);

  it('publish gate (dry run): accepts exactly the valid files', async () => {
    const gateOther: string[] = [];
    const registry = await openEmbeddedRegistry({ dataDir: path.join(dir, 'gate-registry') });
    try {
      for (const [i, e] of entries.entries()) {
        const r = await gateSchema({ topic: `gate-${topicOf(i)}`, file: path.join(dir, e.file), label: e.file, includePaths: [], registry, level: 'NONE', dryRun: true });
        // every refusal counts, the encoder's included; only a schema rows cannot be published with at
        // all (a top-level enum or array is valid but carries no row) is no validity verdict
        if (!r.ok && !r.reason.endsWith('does not parse or resolve')) gateOther.push(`${e.file}: ${r.reason}`);
        record('publish gate', e.file, r.ok || NOT_A_ROW.test(r.reason));
      }
    } finally {
      await registry.close();
    }
    // what the gate refused for a reason other than validity: only schemas that carry no row
    expect(gateOther.filter((o) => !NOT_A_ROW.test(o))).toEqual([]);
    expectReference('publish gate');
  }, 300_000);

  it('all entry points agree file by file', () => {
    const names = [...verdicts.keys()];
    expect(names).toEqual(['lint', 'check', 'register', 'registry serve', 'publish gate']);
    const disagreements = entries.filter((e) => new Set(names.map((n) => verdicts.get(n)!.get(e.file)).filter((v) => v !== undefined)).size > 1);
    expect(disagreements).toEqual([]);
    expect(entries.filter((e) => e.valid).length).toBeGreaterThan(5);
    expect(entries.filter((e) => !e.valid).length).toBeGreaterThan(5);
  });
});
