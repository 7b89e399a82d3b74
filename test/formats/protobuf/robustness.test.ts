import { describe, expect, it } from 'vitest';
import { parseProto } from '../../../src/formats/protobuf/index.js';
import type { ParseResult, SourceRange } from '../../../src/model/types.js';
import { corpus } from './corpus.js';

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

function inBounds(text: string, loc: SourceRange): boolean {
  const lines = text.split('\n');
  const last = lines.length;
  const ok = (line: number, col: number): boolean => line >= 1 && line <= last && col >= 1 && col <= (lines[line - 1]?.length ?? 0) + 1;
  return ok(loc.line, loc.column) && ok(loc.endLine, loc.endColumn) && (loc.endLine > loc.line || loc.endColumn >= loc.column);
}

function check(text: string): ParseResult {
  const r = parseProto(text, 'fuzz.proto', { loadImport: (p) => corpus[p] });
  expect(r.problems.every((p) => typeof p.message === 'string' && p.message.length > 0 && inBounds(text, p.loc)), JSON.stringify(r.problems)).toBe(true);
  if (!r.ok) expect(r.problems.some((p) => p.fatal)).toBe(true);
  expect(r.problems.some((p) => p.code === 'proto-internal-error')).toBe(false);
  return r;
}

describe('bad input never throws and every problem points inside the file', () => {
  const texts = Object.values(corpus);

  it('every truncation of every corpus file', () => {
    let fatal = 0;
    for (const t of texts) {
      for (let cut = 0; cut < t.length; cut += 7) if (!check(t.slice(0, cut)).ok) fatal++;
    }
    expect(fatal).toBeGreaterThan(100);
  });

  it('random character edits', () => {
    const next = rng(42);
    const alphabet = ['{', '}', ';', '=', '"', "'", '<', '>', '[', ']', '(', ')', '.', '-', '/', '*', '\n', ' ', 'a', '9', '0x', 'max', 'to', '\\', '\u0000', '\uFFFD', 'é', '😀'];
    for (let k = 0; k < 1500; k++) {
      const base = texts[k % texts.length] as string;
      const chars = [...base];
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(next() * chars.length);
        const op = next();
        const ch = alphabet[Math.floor(next() * alphabet.length)] as string;
        if (op < 0.4) chars.splice(at, 1);
        else if (op < 0.8) chars.splice(at, 0, ch);
        else chars[at] = ch;
      }
      check(chars.join(''));
    }
  });

  it.each([
    ['empty file', ''],
    ['only comments', '// nothing here\n/* still nothing */'],
    ['a JSON schema given by mistake', '{"type": "record", "name": "A", "fields": []}'],
    ['a PNG header', '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR'],
    ['a lone quote', '"'],
    ['deep braces', '{'.repeat(10000)],
    ['deep messages', 'message A {'.repeat(5000)],
    ['deep aggregate', `option x = ${'{a'.repeat(5000)}`],
    ['huge number', 'syntax = "proto3"; message A { int32 a = 99999999999999999999999999; }'],
    ['a surrogate pair in an identifier position', 'message \uD83D\uDE00 {}'],
  ])('%s', (_name, text) => {
    check(text);
  });

  it('an empty file is a valid proto2 document', () => {
    const r = check('');
    expect(r.ok && r.document.syntax).toBe('proto2');
    expect(r.ok && r.document.types).toEqual([]);
  });
});
