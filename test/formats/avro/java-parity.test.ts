// Avro validity against the reference: Apache Avro Java 1.12.1 (Maven Central) reads every file, and
// `schemactl lint` (the built CLI) must refuse exactly the files Java refuses — a fatal finding, exit 2.
//  - generated: seeded .avsc and .avdl files (every subtle construct, at a controlled rate) and a table
//    of edge cases, written here;
//  - the apache/avro corpus in ../shared/corpora (skipped, visibly, without ../shared).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCompatibility, InvalidSchemaError } from '../../../src/compat/index.js';
import { buildCli, ROOT } from '../../cli/support/build.js';
import { generateAvdl, generateAvsc } from '../../support/avro-gen.js';
import { javaVerdicts } from '../../support/avro-java.js';
import { corporaDir, requireShared } from '../../support/conformance.js';

const CORPORA = corporaDir;
const VERDICTS = path.join(CORPORA, 'avro-java-verdicts.tsv');
const WORK = path.join(ROOT, 'test/.work', `avro-java-parity-${process.pid}`);

/** Files lint refuses (a fatal finding), by path relative to `cwd`. */
function lintRefuses(files: readonly string[], cwd: string): Map<string, string | undefined> {
  const r = spawnSync(process.execPath, [buildCli(), 'lint', ...files, '--format', 'json'], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
  if (r.status !== 0 && r.status !== 1 && r.status !== 2) throw new Error(`lint crashed (exit ${String(r.status)}): ${r.stderr}`);
  const out = new Map<string, string | undefined>();
  for (const f of JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ fatal?: boolean; message: string }> }>) {
    out.set(path.relative(cwd, f.filePath), f.messages.find((m) => m.fatal)?.message);
  }
  return out;
}

function disagreements(files: readonly string[], cwd: string): string[] {
  const java = javaVerdicts(files, cwd);
  const ours = lintRefuses(files, cwd);
  const wrong: string[] = [];
  for (const f of files) {
    const ref = java.get(f);
    if (ref === undefined) throw new Error(`no Java verdict for ${f}`);
    const refused = ours.get(f);
    if ((ref === 'ok') !== (refused === undefined)) wrong.push(`${f}: Java says ${ref}; schemactl ${refused === undefined ? 'accepts it' : `refuses it: ${refused}`}\n${readFileSync(path.join(cwd, f), 'utf8').slice(0, 600)}`);
  }
  return wrong;
}

const R = (type: string, def: string): string => `{"type":"record","name":"R","fields":[{"name":"f","type":${type},"default":${def}}]}`;

// Minimal inputs, one per class of difference between the specification and Avro Java.
const EDGE_CASES: Record<string, string> = {
  'union-default-later-branch.avsc': R('["null","string"]', '"x"'),
  'union-default-no-branch.avsc': R('["null","string"]', '5'),
  'union-default-record-branch.avsc': R('["null",{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}]', '{"a":1}'),
  'enum-default-not-a-symbol.avsc': R('{"type":"enum","name":"E","symbols":["A"]}', '"Z"'),
  'enum-default-number.avsc': R('{"type":"enum","name":"E","symbols":["A"]}', '1'),
  'fixed-default-wrong-length.avsc': R('{"type":"fixed","name":"F","size":2}', '"abc"'),
  'bytes-default-above-ff.avsc': R('"bytes"', '"\\u0100"'),
  'int-default-1.0.avsc': R('"int"', '1.0'),
  'int-default-exponent.avsc': R('"int"', '1e2'),
  'long-default-too-big.avsc': R('"long"', '9223372036854775808'),
  'double-default-string.avsc': R('"double"', '"1.5"'),
  'double-default-bad-string.avsc': R('"double"', '"abc"'),
  'double-default-string-in-union.avsc': R('["null","double"]', '"NaN"'),
  'record-default-missing-field.avsc': R('{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}', '{}'),
  'record-default-field-with-default.avsc': R('{"type":"record","name":"S","fields":[{"name":"a","type":"int","default":3}]}', '{}'),
  'recursive-record-default.avsc': '{"type":"record","name":"N","fields":[{"name":"next","type":{"type":"record","name":"M","fields":[{"name":"n","type":"N"}]},"default":{"n":{}}}]}',
  'order-upper-case.avsc': '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"DESCENDING"}]}',
  'order-unknown.avsc': '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"up"}]}',
  'unicode-names.avsc': '{"type":"record","name":"Größe","namespace":"über.ns","fields":[{"name":"名前","type":{"type":"enum","name":"É","symbols":["Ä"]}}]}',
  'name-with-dash.avsc': '{"type":"record","name":"a-b","fields":[]}',
  'namespace-not-a-string.avsc': '{"type":"record","name":"R","namespace":5,"fields":[]}',
  'field-alias-invalid.avsc': '{"type":"record","name":"R","fields":[{"name":"f","type":"int","aliases":["a-b"]}]}',
  'forward-reference.avsc': '{"type":"record","name":"R","fields":[{"name":"f","type":["null","S"]},{"name":"g","type":{"type":"record","name":"S","fields":[]}}]}',
  'comments.avsc': '// a comment\n/* another */ {"type":"int"}',
  'hash-comment.avsc': '# not a comment\n{"type":"int"}',
  'fixed-size-2.0.avsc': '{"type":"fixed","name":"F","size":2.0}',
  'doc-not-a-string.avsc': '{"type":"record","name":"R","doc":5,"fields":[]}',
  'logical-type-on-wrong-base.avsc': '{"type":"int","logicalType":"uuid"}',
  'annotated-reference.avdl': 'protocol P { fixed MD5(16); record R { @foo("bar") MD5 hash; } }',
  'annotated-primitive.avdl': 'protocol P { record R { @foo("bar") string s; } }',
  'order-upper-case.avdl': 'protocol P { record R { int @order("DESCENDING") x; } }',
  'backquoted-annotation.avdl': 'protocol P { record R { @avro.java.`string`("String") string name; } }',
  'unicode.avdl': 'protocol Пример { record Größe { string имя; } }',
  'nan-default.avdl': 'protocol P { record R { double d = NaN; float f = -Infinity; } }',
  'nan-for-string.avdl': 'protocol P { record R { string s = NaN; } }',
  'long-default-1.0.avdl': 'protocol P { record R { long x = 1.0; } }',
  'nullable-array.avdl': 'protocol P { record R { array<long>? xs; } }',
  'union-default-later-branch.avdl': 'protocol P { record R { union { null, int } n = 1; } }',
  'decimal-scale-above-precision.avdl': 'protocol P { record R { decimal(2, 5) d; } }',
  'missing-import.avdl': 'protocol P { import idl "nowhere.avdl"; record R { int x; } }',
  'imports.avdl': 'protocol P { import idl "lib/common.avdl"; import schema "lib/money.avsc"; import protocol "lib/proto.avpr"; record R { common.Id id; com.acme.Money m; org.p.Flag f; } }',
  'lib/common.avdl': '@namespace("common") protocol C { import idl "nested.avdl"; record Id { string value; Deep d; } }',
  'lib/nested.avdl': '@namespace("common") protocol N { record Deep { int x; } }',
  'lib/money.avsc': '{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"cents","type":"long"}]}',
  'lib/proto.avpr': '{"protocol":"Q","namespace":"org.p","types":[{"type":"enum","name":"Flag","symbols":["ON","OFF"]}],"messages":{}}',
  'unresolved-name.avdl': 'protocol P { record R { Missing m; } }',
};

describe('Avro validity: schemactl lint agrees with Apache Avro Java 1.12', () => {
  beforeAll(() => {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(path.join(WORK, 'lib'), { recursive: true });
  });
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  it('on every edge case', () => {
    for (const [name, text] of Object.entries(EDGE_CASES)) writeFileSync(path.join(WORK, name), text);
    const files = Object.keys(EDGE_CASES).filter((f) => !f.endsWith('.avpr'));
    expect(disagreements(files, WORK)).toEqual([]);
    // the table is not trivially one-sided
    const java = javaVerdicts(files, WORK);
    expect([...java.values()].filter((v) => v === 'ok').length).toBeGreaterThan(15);
    expect([...java.values()].filter((v) => v !== 'ok').length).toBeGreaterThan(10);
  }, 300_000);

  it('on 1,200 generated .avsc and 400 generated .avdl files (seeded)', async () => {
    const files: string[] = [];
    for (let i = 0; i < 1200; i++) {
      const f = `gen/s${i}.avsc`;
      mkdirSync(path.join(WORK, 'gen'), { recursive: true });
      writeFileSync(path.join(WORK, f), generateAvsc(20_000 + i));
      files.push(f);
    }
    for (let i = 0; i < 400; i++) {
      const f = `gen/i${i}.avdl`;
      writeFileSync(path.join(WORK, f), generateAvdl(40_000 + i));
      files.push(f);
    }
    expect(disagreements(files, WORK)).toEqual([]);
    const java = javaVerdicts(files, WORK);
    const valid = [...java.values()].filter((v) => v === 'ok').length;
    // both verdicts are well represented
    expect(valid).toBeGreaterThan(files.length * 0.2);
    expect(valid).toBeLessThan(files.length * 0.8);

    // the library's compatibility check (what `check` and the registry run) reads each .avsc as a
    // candidate, and then as a history of two versions, with the same verdict
    const wrong: string[] = [];
    for (const f of files.filter((x) => x.endsWith('.avsc'))) {
      const text = readFileSync(path.join(WORK, f), 'utf8');
      for (const previous of [[], [text]]) {
        let accepted = true;
        try {
          await checkCompatibility({ format: 'AVRO', level: 'BACKWARD', candidate: text, previous });
        } catch (e) {
          if (!(e instanceof InvalidSchemaError)) throw e;
          accepted = false;
        }
        if (accepted !== (java.get(f) === 'ok')) wrong.push(`${f} (history of ${previous.length + 1}): Java ${String(java.get(f))}; check ${accepted ? 'accepts' : 'refuses'}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000);
});

const corpus = requireShared('corpora', 'Avro validity on the apache/avro corpus') && existsSync(VERDICTS);

describe.skipIf(!corpus)('Avro validity on the apache/avro corpus (../shared/corpora/avro)', () => {
  it('agrees with Avro Java on every file: no false parse error, no false accept', () => {
    const reference = new Map(readFileSync(VERDICTS, 'utf8').trim().split('\n').map((l) => l.split('\t') as [string, string]));
    const ours = lintRefuses([...reference.keys()], CORPORA);
    const wrong = [...reference].filter(([f, v]) => (v === 'ok') !== (ours.get(f) === undefined)).map(([f, v]) => `${f}: Java ${v}; schemactl ${ours.get(f) ?? 'accepts'}`);
    expect(wrong).toEqual([]);
    expect(reference.size).toBe(142);
  }, 300_000);
});
