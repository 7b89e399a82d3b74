// A small JSON parser that records where every value (and every object key) sits in the text.
// JSON.parse gives no positions, and .avsc findings must point at exact line:column, so the Avro
// format layer parses JSON itself. Hot path of `schemactl lint`: keep it allocation-light.

import type { SourceRange } from '../../model/types.js';

export interface JsonLocation {
  /** range of the value */
  value: SourceRange;
  /** range of the key (quotes included) when the value is an object member */
  key?: SourceRange;
}

/**
 * Positions as a tree parallel to the parsed value: walking it alongside the value avoids building
 * and hashing a JSON pointer string for every lookup (the lint benchmark parses 10,000 files).
 */
export interface LocNode {
  value: SourceRange;
  key?: SourceRange;
  /** object members (in the order of `keys`) or array elements */
  children?: LocNode[];
  /** member names, for an object (arrays are cheaper than a Map per object) */
  keys?: string[];
  /** an integer literal that a double cannot hold exactly, as written */
  raw?: string;
}

/** The child node at `key`, or a node standing for the nearest recorded ancestor's range. */
export function childLoc(node: LocNode, key: string | number): LocNode {
  const children = node.children;
  let found: LocNode | undefined;
  if (children !== undefined) {
    const keys = node.keys;
    if (keys !== undefined) {
      // The last occurrence wins, as for the parsed value when a key is duplicated.
      const index = keys.lastIndexOf(typeof key === 'string' ? key : String(key));
      if (index !== -1) found = children[index];
    } else if (typeof key === 'number') {
      found = children[key];
    }
  }
  return found ?? { value: node.value };
}

/** Walks a JSON pointer down a location tree; undefined when some token is not there. */
export function locateInTree(root: LocNode, pointer: string): LocNode | undefined {
  if (pointer === '') return root;
  if (!pointer.startsWith('/')) return undefined;
  let node: LocNode = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node.children === undefined) return undefined;
    let next: LocNode | undefined;
    if (node.keys !== undefined) {
      const index = node.keys.lastIndexOf(token);
      next = index === -1 ? undefined : node.children[index];
    } else if (/^(0|[1-9][0-9]*)$/.test(token)) {
      next = node.children[Number(token)];
    }
    if (next === undefined) return undefined;
    node = next;
  }
  return node;
}

/** Flattens a location tree into pointer → node entries (for small trees, e.g. IDL values). */
export function flattenLocTree(node: LocNode, prefix: string, out: Array<[string, LocNode]>): void {
  out.push([prefix, node]);
  const keys = node.keys;
  node.children?.forEach((child, i) => flattenLocTree(child, `${prefix}/${keys ? escapePointerToken(keys[i] ?? '') : i}`, out));
}

/** Builds a location tree from pointer → range entries (missing parents take their parent's range). */
export function treeFromPointers(entries: Iterable<[string, JsonLocation & { raw?: string }]>, rootRange: SourceRange): LocNode {
  const UNSET: SourceRange = { line: 0, column: 0, endLine: 0, endColumn: 0 };
  const root: LocNode = { value: rootRange };
  for (const [pointer, loc] of entries) {
    let node = root;
    if (pointer !== '') {
      for (const raw of pointer.slice(1).split('/')) {
        const token = raw.indexOf('~') === -1 ? raw : raw.replace(/~1/g, '/').replace(/~0/g, '~');
        // Object members and array elements alike are keyed by name: childLoc looks numbers up as strings.
        const keys = (node.keys ??= []);
        const children = (node.children ??= []);
        let index = keys.lastIndexOf(token);
        if (index === -1) {
          index = keys.push(token) - 1;
          children[index] = { value: UNSET };
        }
        node = children[index] as LocNode;
      }
    }
    node.value = loc.value;
    if (loc.key) node.key = loc.key;
    if (loc.raw !== undefined) node.raw = loc.raw;
  }
  // Nodes that only exist as parents of recorded ones stand for their nearest recorded ancestor.
  const fill = (node: LocNode, inherited: SourceRange): void => {
    if (node.value === UNSET) node.value = inherited;
    node.children?.forEach((child) => fill(child, node.value));
  };
  fill(root, rootRange);
  return root;
}

export interface JsonProblem {
  message: string;
  loc: SourceRange;
  code: 'json-syntax' | 'json-too-deep' | 'json-duplicate-key';
  fatal: boolean;
  /** the reference reader accepts the document anyway (see ParseProblem) */
  advisory?: boolean;
}

export type JsonParseResult =
  | {
      ok: true;
      value: unknown;
      /** positions of the root value and, through `children`, of everything inside it */
      locations: LocNode;
      /** non-fatal findings, e.g. duplicate keys (the last one wins, as with JSON.parse) */
      problems: JsonProblem[];
    }
  | { ok: false; problems: JsonProblem[] };

export const DEFAULT_MAX_DEPTH = 256;
const NON_FINITE: ReadonlyArray<[string, number]> = [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]];

/** Escape one reference token of a JSON pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  if (token.indexOf('~') === -1 && token.indexOf('/') === -1) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly loc: SourceRange,
    readonly code: 'json-syntax' | 'json-too-deep',
  ) {
    super(message);
  }
}

function describeChar(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0) || code === 0xfffd) {
    return `character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `'${String.fromCodePoint(code)}'`;
}

/**
 * Parses JSON with positions. Used on whole .avsc files and, through `parseValueAt`, on the JSON
 * values embedded in Avro IDL (defaults and annotation arguments).
 */
export class PositionalJsonParser {
  pos = 0;
  line = 1;
  /** offset of the first character of the current line; column = pos - lineStart + 1 */
  lineStart = 0;
  depth = 0;
  readonly problems: JsonProblem[] = [];

  /** location node of the value parsed last */
  node: LocNode = { value: { line: 1, column: 1, endLine: 1, endColumn: 1 } };
  private children: LocNode[] | undefined;
  private keys: string[] | undefined;
  private raw: string | undefined;

  constructor(
    readonly text: string,
    readonly maxDepth = DEFAULT_MAX_DEPTH,
    /** `//` and `/* *\/` comments between tokens, as Avro Java's JSON reader allows in .avsc */
    readonly allowComments = false,
    /** `NaN`, `Infinity` and `-Infinity` as values (Avro IDL) */
    readonly allowNonFinite = false,
  ) {}

  private here(): SourceRange {
    const column = this.pos - this.lineStart + 1;
    return { line: this.line, column, endLine: this.line, endColumn: column + 1 };
  }

  private fail(message: string, code: 'json-syntax' | 'json-too-deep' = 'json-syntax', loc?: SourceRange): never {
    throw new JsonSyntaxError(message, loc ?? this.here(), code);
  }

  private unexpected(expected: string): never {
    if (this.pos >= this.text.length) this.fail(`Unexpected end of JSON input: expected ${expected}.`);
    const ch = String.fromCodePoint(this.text.codePointAt(this.pos) ?? 0);
    this.fail(`Unexpected ${describeChar(ch)}: expected ${expected}.`);
  }

  skipWhitespace(): void {
    const text = this.text;
    const len = text.length;
    let pos = this.pos;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9) {
        pos++;
      } else if (c === 10) {
        pos++;
        this.line++;
        this.lineStart = pos;
      } else if (c === 13) {
        pos++;
        if (text.charCodeAt(pos) === 10) pos++;
        this.line++;
        this.lineStart = pos;
      } else if (c === 47 && this.allowComments && text.charCodeAt(pos + 1) === 47) {
        while (pos < len && text.charCodeAt(pos) !== 10 && text.charCodeAt(pos) !== 13) pos++;
      } else if (c === 47 && this.allowComments && text.charCodeAt(pos + 1) === 42) {
        const end = text.indexOf('*/', pos + 2);
        if (end === -1) {
          this.pos = pos;
          this.fail('Unterminated comment: add the closing */.');
        }
        for (pos += 2; pos < end; pos++) {
          const d = text.charCodeAt(pos);
          if (d === 10 || (d === 13 && text.charCodeAt(pos + 1) !== 10)) {
            this.line++;
            this.lineStart = pos + 1;
          }
        }
        pos = end + 2;
      } else {
        break;
      }
    }
    this.pos = pos;
  }

  /** Parses the one value starting at `pos` (after whitespace); its location node is left in `node`. */
  parseValue(key?: SourceRange): unknown {
    this.skipWhitespace();
    const startLine = this.line;
    const startColumn = this.pos - this.lineStart + 1;
    this.children = undefined;
    this.keys = undefined;
    this.raw = undefined;
    const value = this.parseAny();
    const node: LocNode = {
      value: { line: startLine, column: startColumn, endLine: this.line, endColumn: this.pos - this.lineStart + 1 },
    };
    if (key !== undefined) node.key = key;
    if (this.children !== undefined) {
      node.children = this.children;
      this.children = undefined;
      if (this.keys !== undefined) {
        node.keys = this.keys;
        this.keys = undefined;
      }
    }
    if (this.raw !== undefined) {
      node.raw = this.raw;
      this.raw = undefined;
    }
    this.node = node;
    return value;
  }

  private parseAny(): unknown {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 123: // {
        return this.parseObject();
      case 91: // [
        return this.parseArray();
      case 34: // "
        return this.parseString();
      case 116: // t
        return this.parseLiteral('true', true);
      case 102: // f
        return this.parseLiteral('false', false);
      case 110: // n
        return this.parseLiteral('null', null);
      default:
        if (this.allowNonFinite) {
          // Avro IDL's JSON takes NaN and ±Infinity (numbers: a string field cannot default to them)
          for (const [word, value] of NON_FINITE) {
            if (this.text.startsWith(word, this.pos)) {
              this.raw = word;
              return this.parseLiteral(word, value);
            }
          }
        }
        if (c === 45 || (c >= 48 && c <= 57)) return this.parseNumber();
        return this.unexpected('a JSON value');
    }
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) {
      this.fail(`JSON nesting is deeper than ${this.maxDepth} levels.`, 'json-too-deep');
    }
  }

  private parseObject(): Record<string, unknown> {
    this.enter();
    this.pos++;
    const result: Record<string, unknown> = {};
    const children: LocNode[] = [];
    const keys: string[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 125) {
      this.pos++;
      this.depth--;
      this.children = children;
      this.keys = keys;
      return result;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 34) this.unexpected('a property name in double quotes');
      const keyLine = this.line;
      const keyColumn = this.pos - this.lineStart + 1;
      const key = this.parseString();
      const keyRange: SourceRange = { line: keyLine, column: keyColumn, endLine: keyLine, endColumn: this.pos - this.lineStart + 1 };
      this.skipWhitespace();
      if (this.text.charCodeAt(this.pos) !== 58) this.unexpected(`':' after property name "${key}"`);
      this.pos++;
      if (Object.prototype.hasOwnProperty.call(result, key)) {
        this.problems.push({
          message: `Duplicate key "${key}": JSON readers disagree on which value wins (most keep the last).`,
          loc: keyRange,
          code: 'json-duplicate-key',
          advisory: true,
          fatal: false,
        });
      }
      const value = this.parseValue(keyRange);
      children.push(this.node);
      keys.push(key);
      if (key === '__proto__') {
        Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        result[key] = value;
      }
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 125) {
        this.pos++;
        this.depth--;
        this.children = children;
        this.keys = keys;
        return result;
      }
      this.unexpected("',' or '}'");
    }
  }

  private parseArray(): unknown[] {
    this.enter();
    this.pos++;
    const result: unknown[] = [];
    const children: LocNode[] = [];
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) === 93) {
      this.pos++;
      this.depth--;
      this.children = children;
      return result;
    }
    for (;;) {
      result.push(this.parseValue());
      children.push(this.node);
      this.skipWhitespace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        this.depth--;
        this.children = children;
        return result;
      }
      this.unexpected("',' or ']'");
    }
  }

  private parseString(): string {
    const text = this.text;
    const start = ++this.pos;
    let pos = start;
    // Fast path: no escapes, the common case for schema names and docs.
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 34) {
        this.pos = pos + 1;
        return text.slice(start, pos);
      }
      if (c === 92 || c < 32 || Number.isNaN(c)) break;
      pos++;
    }
    let out = text.slice(start, pos);
    for (;;) {
      this.pos = pos;
      if (pos >= text.length) this.fail('Unterminated string: the closing \'"\' is missing.');
      const c = text.charCodeAt(pos);
      if (c === 34) {
        this.pos = pos + 1;
        return out;
      }
      if (c < 32) {
        this.fail(`Unescaped ${describeChar(text[pos] ?? '')} in string; write it as an escape sequence.`);
      }
      if (c !== 92) {
        out += text[pos];
        pos++;
        continue;
      }
      const e = text[pos + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const hex = text.slice(pos + 2, pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.fail(`Invalid unicode escape '\\u${hex.replace(/[^0-9a-zA-Z]/g, '')}': expected four hex digits.`);
          }
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 6;
          continue;
        }
        default:
          if (e === undefined) this.fail('Unterminated string: the closing \'"\' is missing.');
          this.fail(`Invalid escape '\\${e}' in string; valid escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX.`);
      }
      pos += 2;
    }
  }

  private parseNumber(): number {
    const text = this.text;
    const start = this.pos;
    let pos = start;
    let integer = true;
    if (text.charCodeAt(pos) === 45) pos++;
    let c = text.charCodeAt(pos);
    if (c === 48) {
      pos++;
      c = text.charCodeAt(pos);
      if (c >= 48 && c <= 57) {
        this.pos = pos;
        this.fail('Numbers cannot have leading zeros.');
      }
    } else if (c >= 49 && c <= 57) {
      do c = text.charCodeAt(++pos); while (c >= 48 && c <= 57);
    } else {
      this.pos = pos;
      this.unexpected('a digit');
    }
    if (c === 46) {
      integer = false;
      c = text.charCodeAt(++pos);
      if (!(c >= 48 && c <= 57)) {
        this.pos = pos;
        this.unexpected("a digit after '.'");
      }
      do c = text.charCodeAt(++pos); while (c >= 48 && c <= 57);
    }
    if (c === 101 || c === 69) {
      integer = false;
      c = text.charCodeAt(++pos);
      if (c === 43 || c === 45) c = text.charCodeAt(++pos);
      if (!(c >= 48 && c <= 57)) {
        this.pos = pos;
        this.unexpected('a digit in the exponent');
      }
      do c = text.charCodeAt(++pos); while (c >= 48 && c <= 57);
    }
    this.pos = pos;
    const raw = text.slice(start, pos);
    const value = Number(raw);
    // the written form matters where the value does not say it: `1.0` and `1e2` are not integers to
    // Avro Java (Jackson keeps the token's kind), and unsafe integers lose digits as numbers
    if (!integer || !Number.isSafeInteger(value)) this.raw = raw;
    return value;
  }

  private parseLiteral<T>(word: string, value: T): T {
    if (this.text.startsWith(word, this.pos)) {
      const next = this.text.charCodeAt(this.pos + word.length);
      // `trueish` is garbage, not `true` followed by garbage: report it at the literal.
      if (!((next >= 97 && next <= 122) || (next >= 65 && next <= 90) || (next >= 48 && next <= 57) || next === 95)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.unexpected('a JSON value');
  }

  /** Runs `fn`, converting syntax errors into problems. */
  guard<T>(fn: () => T): { ok: true; value: T } | { ok: false; problem: JsonProblem } {
    try {
      return { ok: true, value: fn() };
    } catch (err) {
      if (err instanceof JsonSyntaxError) {
        return { ok: false, problem: { message: err.message, loc: err.loc, code: err.code, fatal: true } };
      }
      throw err;
    }
  }

  /** Positions the parser at `offset`, which must be at `line` with `lineStart` as given. */
  seek(offset: number, line: number, lineStart: number): void {
    this.pos = offset;
    this.line = line;
    this.lineStart = lineStart;
    this.depth = 0;
  }
}

/** Parses a whole JSON document (a leading UTF-8 BOM is skipped). */
export function parseJsonWithPositions(text: string, maxDepth = DEFAULT_MAX_DEPTH, allowComments = false): JsonParseResult {
  const parser = new PositionalJsonParser(text, maxDepth, allowComments);
  if (text.charCodeAt(0) === 0xfeff) {
    // Columns count from after the BOM: editors do not show it.
    parser.pos = 1;
    parser.lineStart = 1;
  }
  const result = parser.guard(() => {
    const value = parser.parseValue();
    parser.skipWhitespace();
    if (parser.pos < text.length) {
      const ch = String.fromCodePoint(text.codePointAt(parser.pos) ?? 0);
      const column = parser.pos - parser.lineStart + 1;
      throw new JsonSyntaxError(
        `Unexpected ${describeChar(ch)} after the end of the JSON value: a schema file holds exactly one JSON value.`,
        { line: parser.line, column, endLine: parser.line, endColumn: column + 1 },
        'json-syntax',
      );
    }
    return value;
  });
  if (!result.ok) return { ok: false, problems: [...parser.problems, result.problem] };
  return { ok: true, value: result.value, locations: parser.node, problems: parser.problems };
}
