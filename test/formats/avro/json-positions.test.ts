import { describe, expect, it } from 'vitest';
import { escapePointerToken, locateInTree, parseJsonWithPositions } from '../../../src/formats/avro/json-positions.js';
import { rangeOf } from './helpers.js';

describe('parseJsonWithPositions', () => {
  const samples = [
    '{"a":[1,2.5,-3e2,0,-0.0,1E+2],"b":{"c":null,"d":true,"e":false},"f":"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"}',
    '  [ ]  ',
    '{}',
    '"plain"',
    '{"__proto__":{"x":1},"constructor":2}',
    '[[[[[]]]],{"":""}]',
    '123456789012345678901234567890',
  ];
  it.each(samples)('agrees with JSON.parse on %s', (text) => {
    const result = parseJsonWithPositions(text);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).toEqual(JSON.parse(text));
  });

  it('records value and key ranges, reachable by JSON pointer (with ~0 and ~1 escapes)', () => {
    const text = '{\n  "a/b": {"m~n": [10, "x"]},\n  "k": true\n}';
    const result = parseJsonWithPositions(text);
    if (!result.ok) throw new Error('parse failed');
    const pointer = `/${escapePointerToken('a/b')}/${escapePointerToken('m~n')}/1`;
    expect(pointer).toBe('/a~1b/m~0n/1');
    expect(locateInTree(result.locations, pointer)?.value).toEqual(rangeOf(text, '"x"'));
    expect(locateInTree(result.locations, '/a~1b')?.key).toEqual(rangeOf(text, '"a/b"'));
    expect(locateInTree(result.locations, '/k')?.value).toEqual(rangeOf(text, 'true'));
    expect(locateInTree(result.locations, '')?.value).toEqual({ line: 1, column: 1, endLine: 4, endColumn: 2 });
    expect(locateInTree(result.locations, '/a~1b/m~0n/2')).toBeUndefined();
    expect(locateInTree(result.locations, '/k/x')).toBeUndefined();
  });

  it('keeps integers a double cannot hold exactly as written', () => {
    const result = parseJsonWithPositions('[9223372036854775807, 5]');
    if (!result.ok) throw new Error('parse failed');
    expect(locateInTree(result.locations, '/0')?.raw).toBe('9223372036854775807');
    expect(locateInTree(result.locations, '/1')?.raw).toBeUndefined();
  });

  it('reports duplicate keys without failing; the last value wins and is located', () => {
    const text = '{"a":1,"a":2}';
    const result = parseJsonWithPositions(text);
    if (!result.ok) throw new Error('parse failed');
    expect(result.value).toEqual({ a: 2 });
    expect(result.problems).toMatchObject([{ code: 'json-duplicate-key', fatal: false, loc: rangeOf(text, '"a"', 2) }]);
    expect(locateInTree(result.locations, '/a')?.value).toEqual(rangeOf(text, '2'));
  });

  it('honours a custom depth limit', () => {
    expect(parseJsonWithPositions('[[[1]]]', 3).ok).toBe(true);
    const deep = parseJsonWithPositions('[[[[1]]]]', 3);
    expect(deep.ok).toBe(false);
    if (!deep.ok) expect(deep.problems[0]).toMatchObject({ code: 'json-too-deep', loc: { line: 1, column: 4 } });
  });

  it.each(['tru', 'truex', 'nul', '-', '1.', '1e', '.5', '+1', '[1 2]', '{"a" 1}', '{"a":1,}', '"\\u00"'])('rejects %s', (text) => {
    const result = parseJsonWithPositions(text);
    expect(result.ok).toBe(false);
    let native = true;
    try {
      JSON.parse(text);
    } catch {
      native = false;
    }
    expect(native).toBe(false);
  });
});
