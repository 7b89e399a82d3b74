// The registry's Avro identity against its oracle: Apache Avro Java's Schema.toString (what Confluent's
// AvroSchema.canonicalString returns) on every Avro schema of the conformance cases and the corpus,
// plus hand-made spellings that stress key order, namespaces, aliases, properties and numbers.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { avroCanonicalString } from '../../src/registry/canonical/avro.js';
import { protobufCanonicalString } from '../../src/registry/canonical/protobuf.js';
import { ensureAvroJava } from '../support/avro-java.js';
import { conformanceCases, corporaDir, hasSharedCorpora } from '../support/conformance.js';

const LIB = path.resolve('test/support/avro-java/target/lib');

/** Java's canonical string for each [schema, ...references], in one JVM. */
function javaCanonical(inputs: string[][]): string[] {
  ensureAvroJava();
  const r = spawnSync('java', ['-cp', `${LIB}/*`, path.resolve('test/support/avro-java/Canonical.java')], {
    input: inputs.map((i) => JSON.stringify(i)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 120_000,
  });
  if (r.status !== 0) throw new Error(`Canonical.java failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as string);
}

function avscFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...avscFiles(p));
    else if (e.endsWith('.avsc')) out.push(p);
  }
  return out;
}

// spellings that differ from the canonical string in every way Java's writer normalises
const HANDMADE: string[][] = [
  ['{"fields":[{"type":"int","name":"a"}],"name":"R","type":"record"}'],
  ['  {"namespace":"com.acme", "type" : "record", "name":"R", /* comment */ "fields":[{"name":"n","type":{"type":"record","name":"Inner","fields":[]}},{"name":"m","type":"Inner"},{"name":"o","type":"com.acme.Inner"}]}'],
  ['{"type":"record","name":"a.b.R","namespace":"x.y","fields":[{"name":"e","type":{"type":"enum","name":"E","namespace":"","symbols":["A","B"],"default":"A","doc":"d"}},{"name":"f","type":{"type":"fixed","size":16,"name":"F","aliases":["G","q.H"]}}],"aliases":["Old","p.Older"]}'],
  ['{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1},{"name":"e","type":"double","default":1.50},{"name":"g","type":"double","default":1e10},{"name":"h","type":"long","default":1234567890123},{"name":"i","type":"float","default":0.000001},{"aliases":["y","x","y"],"name":"s","type":"string","default":"tab\\there\\u0001é","order":"DESCENDING","doc":"","custom":{"b":1,"a":[1.0,2]}}],"zprop":true,"aprop":null}'],
  ['{"type":"record","name":"R","fields":[{"name":"t","type":{"logicalType":"timestamp-millis","type":"long","extra":"x"}},{"name":"d","type":{"type":"bytes","scale":2,"precision":9,"logicalType":"decimal"}},{"name":"u","type":["null",{"type":"string","avro.java.string":"String"}],"default":null},{"name":"a","type":{"values":{"type":"array","items":"int"},"type":"map"}}]}'],
  ['{"type":"record","name":"int","namespace":"n","fields":[{"name":"self","type":["null","n.int"]}]}'],
  ['{"type":"record","name":"Uses","fields":[{"name":"m","type":"com.acme.Money"},{"name":"n","type":"com.acme.Money"}]}', '{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"units","type":"long"}]}'],
  ['"string"'],
  ['{"type":"int"}'],
  ['["null","string",{"type":"array","items":"long"}]'],
];

describe('Avro canonical string (Java Schema.toString as the oracle)', () => {
  it('matches Avro Java on the hand-made spellings, references included', () => {
    const want = javaCanonical(HANDMADE);
    const got = HANDMADE.map(([s, ...refs]) => avroCanonicalString(s as string, refs));
    expect(got).toEqual(want);
  });

  it('matches Avro Java on every valid schema of the conformance cases and the corpus', () => {
    const inputs: string[][] = [];
    for (const c of conformanceCases('AVRO')) for (const s of [...c.previous, c.candidate]) inputs.push([s]);
    if (hasSharedCorpora) for (const f of avscFiles(path.join(corporaDir, 'avro'))) inputs.push([readFileSync(f, 'utf8')]);
    const want = javaCanonical(inputs);
    let compared = 0;
    const mismatches: string[] = [];
    inputs.forEach(([s], i) => {
      const w = want[i] as string;
      if (w.startsWith('invalid: ')) return;
      compared++;
      let got: string;
      try {
        got = avroCanonicalString(s as string);
      } catch (e) {
        got = `threw ${(e as Error).message}`;
      }
      if (got !== w) mismatches.push(`${(s as string).slice(0, 300)}\n  java: ${w.slice(0, 300)}\n  ours: ${got.slice(0, 300)}`);
    });
    console.log(`Avro canonical strings compared with Avro Java: ${compared} (of ${inputs.length} schemas; the rest Java refuses)`);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBeGreaterThan(200);
  }, 120_000);

  it('normalize sorts what canonical keeps as written, and is idempotent', () => {
    const a = '{"type":"record","name":"R","aliases":["Z","A"],"doc":"","fields":[{"name":"d","type":"double","default":1,"b":2,"a":{"y":1,"x":2}}],"zz":1,"aa":2}';
    const b = '{"aa":2,"zz":1,"fields":[{"a":{"x":2,"y":1},"b":2,"default":1.0,"type":"double","name":"d"}],"name":"R","type":"record","aliases":["A","Z"]}';
    expect(avroCanonicalString(a)).not.toBe(avroCanonicalString(b));
    const na = avroCanonicalString(a, [], true);
    expect(na).toBe(avroCanonicalString(b, [], true));
    expect(na).toBe('{"type":"record","name":"R","fields":[{"name":"d","type":"double","default":1.0,"a":{"x":2,"y":1},"b":2}],"aa":2,"zz":1,"aliases":["A","Z"]}');
    expect(avroCanonicalString(na, [], true)).toBe(na);
    const dec = '{"type":"bytes","scale":2,"zeta":1,"precision":9,"logicalType":"decimal"}';
    expect(avroCanonicalString(dec, [], true)).toBe('{"type":"bytes","logicalType":"decimal","precision":9,"scale":2,"zeta":1}');
  });
});

function protoFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out.push(...protoFiles(p));
    else if (e.endsWith('.proto')) out.push(p);
  }
  return out;
}

describe('Protobuf canonical text (the registry printer layout)', () => {
  it('renders the layout Confluent stores: fixed sections, two-space indent, default and json_name last', () => {
    const src = [
      '// header comment',
      'syntax = "proto3";  package acme.v1;',
      'import "b.proto"; import public "a.proto";',
      'option java_package = "com.acme";',
      'enum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1 [deprecated = true]; }',
      'message Order {',
      '  message Line { string sku = 1; }',
      '  oneof pay { string card = 5; string iban = 6; }',
      '  string id = 1 [json_name = "ID", deprecated = true];',
      '  reserved 3, 4 to 6; reserved "old";',
      '  map<string, Line> lines = 2;',
      '  option (acme.opt) = { a: 1 b: "x" };',
      '}',
      'service S { rpc Get (Order) returns (stream Order); }',
    ].join('\n');
    expect(protobufCanonicalString(src)).toBe(
      [
        'syntax = "proto3";',
        'package acme.v1;',
        '',
        'import "b.proto";',
        'import public "a.proto";',
        '',
        'option java_package = "com.acme";',
        '',
        'message Order {',
        '  reserved 3, 4 to 6;',
        '  reserved "old";',
        '',
        '  option (acme.opt) = {',
        '    a: 1,',
        '    b: "x"',
        '  };',
        '',
        '  string id = 1 [',
        '    deprecated = true,',
        '    json_name = "ID"',
        '  ];',
        '  map<string, Line> lines = 2;',
        '',
        '  oneof pay {',
        '    string card = 5;',
        '    string iban = 6;',
        '  }',
        '',
        '  message Line {',
        '    string sku = 1;',
        '  }',
        '}',
        'enum Kind {',
        '  KIND_UNSPECIFIED = 0;',
        '  KIND_A = 1 [deprecated = true];',
        '}',
        '',
        'service S {',
        '  rpc Get (Order) returns (stream Order);',
        '}',
        '',
      ].join('\n'),
    );
    // normalize: sorted fields, reserved entries, full type names with a leading dot
    const n = protobufCanonicalString(src, [], true);
    expect(n).toContain('  reserved 3;\n  reserved 4 to 6;\n  reserved "old";\n');
    expect(n).toContain('  map<string, .acme.v1.Order.Line> lines = 2;\n');
    expect(n).toContain('rpc Get (.acme.v1.Order) returns (stream .acme.v1.Order);');
  });

  it('re-reads as a valid file with the same canonical text, on the Protobuf corpus and conformance schemas', async () => {
    const { parseProto } = await import('../../src/formats/protobuf/index.js');
    const { invalidProblems } = await import('../../src/formats/validity.js');
    const texts = conformanceCases('PROTOBUF').flatMap((c) => [...c.previous, c.candidate]);
    if (hasSharedCorpora) for (const f of protoFiles(path.join(corporaDir, 'protobuf'))) texts.push(readFileSync(f, 'utf8'));
    // the repository's own .proto files (the shipped well-known types, the bundled catalog): a clone
    // without ../shared still runs the printer on real files
    const root = path.resolve(import.meta.dirname, '../..');
    for (const dir of ['proto-include', 'schemas']) for (const f of protoFiles(path.join(root, dir))) texts.push(readFileSync(f, 'utf8'));
    let checked = 0;
    const bad: string[] = [];
    for (const t of texts) {
      // only files the format layer accepts reach the printer
      if (invalidProblems(parseProto(t, 'in.proto', { loadImport: () => undefined }).problems).some((p) => !/import|not defined|unknown|resolve/i.test(p.message))) continue;
      checked++;
      const c = protobufCanonicalString(t);
      const problems = invalidProblems(parseProto(c, 'in.proto', { loadImport: () => undefined }).problems).filter((p) => !/import|not defined|unknown|resolve/i.test(p.message));
      // string options holding binary bytes (\\xNN) print raw, as the registry prints them, and do not
      // re-read as UTF-8: the registry stores such a file as written (schema-text.ts falls back)
      if (problems.some((p) => /not valid UTF-8/.test(p.message))) continue;
      if (problems.length > 0 || protobufCanonicalString(c) !== c) bad.push(`${t.slice(0, 200)}\n=> ${problems[0]?.message ?? 'not idempotent'}`);
    }
    console.log(`Protobuf canonical texts re-read: ${checked}`);
    expect(bad.slice(0, 3)).toEqual([]);
    expect(checked).toBeGreaterThan(hasSharedCorpora ? 50 : 15);
  }, 60_000);
});
