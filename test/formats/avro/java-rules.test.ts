// Each class of difference between the Avro specification and Apache Avro Java 1.12 (the registry's
// reader), with a minimal input: `valid` is Java's verdict (isValidSchema); `advice` names the advisory
// problem reported where the specification is stricter than Java.
import { describe, expect, it } from 'vitest';
import { parseAvdl, parseAvsc } from '../../../src/formats/avro/index.js';
import { parseSchemaText } from '../../../src/formats/index.js';
import { isValidSchema } from '../../../src/formats/validity.js';
import { AvroRowMapper } from '../../../src/liberation/mapping.js';

const R = (type: string, def: string): string => `{"type":"record","name":"R","fields":[{"name":"f","type":${type},"default":${def}}]}`;

const avsc: Array<{ name: string; text: string; valid: boolean; advice?: string; invalid?: string }> = [
  { name: 'union default on a later branch', text: R('["null","string"]', '"x"'), valid: true, advice: 'avro-default-spec' },
  { name: 'union default matching no branch', text: R('["null","string"]', '5'), valid: false, invalid: 'avro-invalid-default' },
  { name: 'enum default outside the symbols', text: R('{"type":"enum","name":"E","symbols":["A"]}', '"Z"'), valid: true, advice: 'avro-default-spec' },
  { name: 'fixed default of the wrong length', text: R('{"type":"fixed","name":"F","size":2}', '"abc"'), valid: true, advice: 'avro-default-spec' },
  { name: 'bytes default above \\u00ff', text: R('"bytes"', '"\\u0100"'), valid: true, advice: 'avro-default-spec' },
  { name: 'int default 1.0 (a float token)', text: R('"int"', '1.0'), valid: false, invalid: 'avro-invalid-default' },
  { name: 'long default 1e3', text: R('"long"', '1e3'), valid: false, invalid: 'avro-invalid-default' },
  { name: 'double default as a numeric string', text: R('"double"', '"1.5"'), valid: true, advice: 'avro-default-spec' },
  { name: 'double default "NaN" inside a union', text: R('["null","double"]', '"NaN"'), valid: false, invalid: 'avro-invalid-default' },
  { name: 'record default lacking a field without default', text: R('{"type":"record","name":"S","fields":[{"name":"a","type":"int"}]}', '{}'), valid: false, invalid: 'avro-invalid-default' },
  { name: 'default of a record still being defined', text: '{"type":"record","name":"N","fields":[{"name":"m","type":{"type":"record","name":"M","fields":[{"name":"n","type":["null","N"]}]},"default":{"n":{}}}]}', valid: false, invalid: 'avro-invalid-default' },
  { name: 'order in upper case', text: '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"DESCENDING"}]}', valid: true, advice: 'avro-invalid-order' },
  { name: 'unknown order', text: '{"type":"record","name":"R","fields":[{"name":"f","type":"int","order":"up"}]}', valid: false, invalid: 'avro-invalid-order' },
  { name: 'names outside ASCII', text: '{"type":"record","name":"Größe","fields":[{"name":"名前","type":"int"}]}', valid: true, advice: 'avro-non-ascii-name' },
  { name: 'a name with a dash', text: '{"type":"record","name":"a-b","fields":[]}', valid: false, invalid: 'avro-invalid-name' },
  { name: 'a field alias with a dash (Java does not check field aliases)', text: '{"type":"record","name":"R","fields":[{"name":"f","type":"int","aliases":["a-b"]}]}', valid: true, advice: 'avro-invalid-name' },
  { name: 'a namespace that is not a string', text: '{"type":"record","name":"R","namespace":5,"fields":[]}', valid: true, advice: 'avro-invalid-namespace' },
  { name: 'a forward reference', text: '{"type":"record","name":"R","fields":[{"name":"a","type":["null","S"]},{"name":"b","type":{"type":"record","name":"S","fields":[]}}]}', valid: true, advice: 'avro-forward-reference' },
  { name: 'a complete null-namespace type named from a namespace', text: '{"type":"record","name":"A","namespace":"x","fields":[{"name":"b","type":{"type":"record","name":"B","namespace":"","fields":[]}},{"name":"c","type":"B"}]}', valid: true },
  { name: 'an enclosing null-namespace record named from a namespace', text: '{"type":"record","name":"A","fields":[{"name":"b","type":{"type":"record","name":"B","namespace":"x","fields":[{"name":"a","type":["null","A"]}]}}]}', valid: false, invalid: 'avro-undefined-name' },
  { name: '// and /* */ comments', text: '// c\n/* d */ {"type":"int"}', valid: true },
  { name: 'fixed size 2.0', text: '{"type":"fixed","name":"F","size":2.0}', valid: false, invalid: 'avro-fixed-size' },
  { name: 'a non-string doc (ignored by Java)', text: '{"type":"record","name":"R","doc":5,"fields":[]}', valid: true, advice: 'avro-invalid-doc' },
  { name: 'a logical type on the wrong base (ignored by Java)', text: '{"type":"int","logicalType":"uuid"}', valid: true, advice: 'avro-invalid-logical-type' },
  { name: 'a duplicate JSON key (the last wins, as in Java)', text: '{"type":"record","name":"R","name":"S","fields":[]}', valid: true, advice: 'json-duplicate-key' },
];

const avdl: Array<{ name: string; text: string; valid: boolean; advice?: string; invalid?: string }> = [
  { name: 'an annotated type reference', text: 'protocol P { fixed MD5(16); record R { @foo("bar") MD5 hash; } }', valid: false, invalid: 'avdl-syntax' },
  { name: 'an annotated primitive', text: 'protocol P { record R { @foo("bar") string s; } }', valid: true },
  { name: '@order in upper case', text: 'protocol P { record R { int @order("DESCENDING") x; } }', valid: true, advice: 'avro-invalid-order' },
  { name: 'a backquoted segment in an annotation name', text: 'protocol P { record R { @avro.java.`string`("String") string name; } }', valid: true },
  { name: 'Unicode identifiers', text: 'protocol Пример { record Größe { string имя; } }', valid: true, advice: 'avro-non-ascii-name' },
  { name: 'NaN and -Infinity defaults of floats', text: 'protocol P { record R { double d = NaN; float f = -Infinity; } }', valid: true },
  { name: 'NaN as a string default', text: 'protocol P { record R { string s = NaN; } }', valid: false, invalid: 'avro-invalid-default' },
  { name: 'long default 1.0', text: 'protocol P { record R { long x = 1.0; } }', valid: false, invalid: 'avro-invalid-default' },
  { name: "'?' on an array", text: 'protocol P { record R { array<long>? xs; } }', valid: false, invalid: 'avdl-syntax' },
  { name: 'decimal scale above precision', text: 'protocol P { record R { decimal(2, 5) d; } }', valid: false, invalid: 'avro-invalid-decimal' },
  { name: 'union default on a later branch', text: 'protocol P { record R { union { null, int } n = 1; } }', valid: true, advice: 'avro-default-spec' },
  { name: 'an import that does not exist', text: 'protocol P { import idl "nowhere.avdl"; record R { int x; } }', valid: false, invalid: 'avdl-unresolved-import' },
  { name: 'an unresolved name', text: 'protocol P { record R { Missing m; } }', valid: false, invalid: 'avro-undefined-name' },
];

describe('.avsc as Avro Java reads it', () => {
  it.each(avsc)('$name: valid=$valid', ({ text, valid, advice, invalid }) => {
    const r = parseAvsc(text, 'x.avsc');
    expect(isValidSchema(r.problems), JSON.stringify(r.problems)).toBe(valid);
    if (advice) expect(r.problems.find((p) => p.code === advice)?.advisory).toBe(true);
    if (invalid) expect(r.problems.find((p) => p.code === invalid && p.advisory !== true), JSON.stringify(r.problems)).toBeDefined();
    if (valid && !advice) expect(r.problems).toEqual([]);
  });
});

describe('.avdl as Avro Java\'s IdlReader reads it', () => {
  it.each(avdl)('$name: valid=$valid', ({ text, valid, advice, invalid }) => {
    const r = parseAvdl(text, 'x.avdl');
    expect(isValidSchema(r.problems), JSON.stringify(r.problems)).toBe(valid);
    if (advice) expect(r.problems.find((p) => p.code === advice)?.advisory).toBe(true);
    if (invalid) expect(r.problems.find((p) => p.code === invalid && p.advisory !== true), JSON.stringify(r.problems)).toBeDefined();
    if (valid && !advice) expect(r.problems).toEqual([]);
  });
});

describe('.avdl imports', () => {
  const files: Record<string, string> = {
    '/p/main.avdl': '@namespace("app") protocol Main { import idl "lib/common.avdl"; import schema "money.avsc"; import protocol "flags.avpr"; record Order { common.Id id; com.acme.Money total; org.p.Flag flag; } }',
    '/p/lib/common.avdl': '@namespace("common") protocol C { import idl "../deep/deep.avdl"; record Id { string value; Deep deep; } }',
    '/p/deep/deep.avdl': '@namespace("common") protocol D { record Deep { int x; } }',
    '/p/money.avsc': '{"type":"record","name":"Money","namespace":"com.acme","fields":[{"name":"cents","type":"long"}]}',
    '/inc/flags.avpr': '{"protocol":"Q","namespace":"org.p","types":[{"type":"enum","name":"Flag","symbols":["ON","OFF"]}],"messages":{}}',
  };
  const read = (abs: string): string | undefined => files[abs];

  it('resolves idl, schema and protocol imports relative to the importing file, then the include paths', () => {
    const r = parseSchemaText('main.avdl', files['/p/main.avdl']!, { absolutePath: '/p/main.avdl', includePaths: ['/inc'], loadAvroImport: undefined });
    // no file system here: the default loader finds nothing, so every import is unresolved (exit 2)
    expect(r.problems.filter((p) => p.code === 'avdl-unresolved-import')).toHaveLength(3);
    const loader = (importPath: string, from: string) => {
      const base = from === 'main.avdl' ? '/p/main.avdl' : from;
      for (const dir of [base.slice(0, base.lastIndexOf('/')), '/inc']) {
        const abs = new URL(importPath, `file://${dir}/`).pathname;
        const text = read(abs);
        if (text !== undefined) return { text, file: abs };
      }
      return undefined;
    };
    const ok = parseAvdl(files['/p/main.avdl']!, 'main.avdl', { loadImport: loader });
    expect(ok.problems).toEqual([]);
    if (!ok.ok) throw new Error('no document');
    expect(ok.document.types.map((t) => t.fullName)).toEqual(['app.Order']);
    expect([...ok.document.importedTypes.keys()].sort()).toEqual(['com.acme.Money', 'common.Deep', 'common.Id', 'org.p.Flag']);
    expect(ok.document.imports.every((i) => i.resolved)).toBe(true);
  });

  it('reports a broken imported file at the import statement, as invalid', () => {
    const r = parseAvdl('protocol P { import idl "bad.avdl"; record R { int x; } }', 'p.avdl', { loadImport: () => ({ text: 'protocol Q { record', file: '/bad.avdl' }) });
    const p = r.problems.find((x) => x.code === 'avdl-unresolved-import');
    expect(p?.message).toMatch(/\/bad\.avdl:1:\d+/);
    expect(p?.loc).toMatchObject({ line: 1, column: 14 });
    expect(isValidSchema(r.problems)).toBe(false);
  });
});

describe('the publish encoder takes defaults as Avro Java reads them', () => {
  it('fills a union default on a later branch', () => {
    const mapper = new AvroRowMapper(JSON.parse('{"type":"record","name":"R","fields":[{"name":"id","type":"string"},{"name":"note","type":["null","string"],"default":"none"},{"name":"n","type":"int","order":"DESCENDING","default":3}]}'));
    const value = mapper.map({ id: 'a' });
    expect(value).toEqual({ id: 'a', note: { string: 'none' }, n: 3 });
    expect(mapper.encode(value).length).toBeGreaterThan(0);
  });
});
