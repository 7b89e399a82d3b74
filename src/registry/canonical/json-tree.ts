// A JSON tree that keeps what Jackson (the JSON library of Avro Java and the Confluent registry) keeps
// and JSON.parse loses: whether a number was written as an integer or a float, and integers of any
// size. Written back the way Jackson writes a tree, so a canonical string built from it is the one
// Java builds (`1.0` stays `1.0`, `1e10` becomes `1.0E10`, control characters escape as `\u001F`).
// Comments between tokens are skipped, as Avro's parser allows them. Input is already validated JSON;
// a syntax error here throws.

export type JsonTree =
  | { k: 'obj'; entries: Array<[string, JsonTree]> }
  | { k: 'arr'; items: JsonTree[] }
  | { k: 'str'; v: string }
  | { k: 'num'; raw: string; int: boolean }
  | { k: 'bool'; v: boolean }
  | { k: 'null' };

export function parseJsonTree(text: string): JsonTree {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at offset ${pos}`);
  };
  const skip = (): void => {
    for (;;) {
      const c = text[pos];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') pos++;
      else if (c === '/' && text[pos + 1] === '/') {
        while (pos < text.length && text[pos] !== '\n') pos++;
      } else if (c === '/' && text[pos + 1] === '*') {
        const end = text.indexOf('*/', pos + 2);
        if (end < 0) fail('unterminated comment');
        pos = end + 2;
      } else return;
    }
  };
  const str = (): string => {
    // the JSON string grammar is JSON.parse's; find the closing quote and let it decode
    const start = pos;
    pos++;
    for (;;) {
      const c = text.charCodeAt(pos);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 92) pos += 2;
      else if (c === 34) break;
      else pos++;
    }
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const value = (depth: number): JsonTree => {
    if (depth > 2000) fail('nesting too deep');
    skip();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const entries: Array<[string, JsonTree]> = [];
      const index = new Map<string, number>();
      skip();
      if (text[pos] === '}') {
        pos++;
        return { k: 'obj', entries };
      }
      for (;;) {
        skip();
        if (text[pos] !== '"') fail('expected a key');
        const key = str();
        skip();
        if (text[pos] !== ':') fail('expected ":"');
        pos++;
        const v = value(depth + 1);
        // a repeated key: the last value wins, in the first one's place (Jackson's ObjectNode.set)
        const at = index.get(key);
        if (at === undefined) {
          index.set(key, entries.length);
          entries.push([key, v]);
        } else entries[at] = [key, v];
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return { k: 'obj', entries };
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      pos++;
      const items: JsonTree[] = [];
      skip();
      if (text[pos] === ']') {
        pos++;
        return { k: 'arr', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        skip();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return { k: 'arr', items };
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return { k: 'str', v: str() };
    if (text.startsWith('true', pos)) {
      pos += 4;
      return { k: 'bool', v: true };
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return { k: 'bool', v: false };
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return { k: 'null' };
    }
    const m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 400));
    if (!m) return fail('unexpected character');
    pos += m[0].length;
    return { k: 'num', raw: m[0], int: m[1] === undefined && m[2] === undefined };
  };
  const root = value(0);
  skip();
  if (pos < text.length) fail('trailing characters');
  return root;
}

/** A JSON string literal as Jackson writes it: `"` `\` and control characters escaped, nothing else. */
export function quote(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 34 && c !== 92) continue;
    out += s.slice(from, i);
    from = i + 1;
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c === 8) out += '\\b';
    else if (c === 9) out += '\\t';
    else if (c === 10) out += '\\n';
    else if (c === 12) out += '\\f';
    else if (c === 13) out += '\\r';
    else out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out + s.slice(from) + '"';
}

/** Java's Double.toString: plain between 10^-3 and 10^7, else `d.dddE±n`; always a fraction digit. */
export function javaDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  const a = Math.abs(d);
  // shortest round-trip digits and exponent, from the engine's exponential form
  const [mant, expText] = a.toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (a >= 1e-3 && a < 1e7) {
    if (exp >= 0) {
      const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = digits.slice(exp + 1);
      return `${sign}${int}.${frac === '' ? '0' : frac}`;
    }
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return `${sign}${digits[0] as string}.${digits.length > 1 ? digits.slice(1) : '0'}E${exp}`;
}

function writeNumber(n: { raw: string; int: boolean }): string {
  if (n.int) return BigInt(n.raw).toString();
  return javaDouble(Number(n.raw));
}

/** The tree as compact JSON, as Jackson's `writeTree` prints it. */
export function writeJsonTree(t: JsonTree): string {
  switch (t.k) {
    case 'obj':
      return `{${t.entries.map(([k, v]) => `${quote(k)}:${writeJsonTree(v)}`).join(',')}}`;
    case 'arr':
      return `[${t.items.map(writeJsonTree).join(',')}]`;
    case 'str':
      return quote(t.v);
    case 'num':
      return writeNumber(t);
    case 'bool':
      return t.v ? 'true' : 'false';
    case 'null':
      return 'null';
  }
}

export function member(t: JsonTree, key: string): JsonTree | undefined {
  if (t.k !== 'obj') return undefined;
  for (const [k, v] of t.entries) if (k === key) return v;
  return undefined;
}

export function text(t: JsonTree | undefined): string | undefined {
  return t !== undefined && t.k === 'str' ? t.v : undefined;
}
