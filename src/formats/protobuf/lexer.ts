// Tokenizer for .proto text. Hand-written over char codes because the lint benchmark parses
// thousands of files; every token carries its 1-based start/end position for diagnostics.
import type { DisableDirective, ParseProblem, SourceRange } from '../../model/types.js';

export const T = { Ident: 0, Int: 1, Float: 2, String: 3, Symbol: 4, EOF: 5 } as const;
export type T = (typeof T)[keyof typeof T];

export interface Token {
  t: T;
  /** identifier / symbol / number text; decoded value for strings */
  v: string;
  start: number;
  end: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** leading comment block directly above the token (no blank line between) */
  doc?: string;
  /** a `//` comment after the token on the same line (protoc's trailing comment) */
  trailing?: string;
}

export class LexError extends Error {
  constructor(
    message: string,
    readonly loc: SourceRange,
    readonly code = 'proto-syntax',
  ) {
    super(message);
  }
}

export interface LexResult {
  tokens: Token[];
  directives: DisableDirective[];
  problems: ParseProblem[];
}

const DIRECTIVE = 'schemactl-disable-next-line';

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function parseDirective(body: string, line: number, loc: SourceRange): DisableDirective | undefined {
  const at = body.indexOf(DIRECTIVE);
  if (at < 0 || body.slice(0, at).trim() !== '') return undefined;
  let rest = body.slice(at + DIRECTIVE.length);
  if (rest !== '' && !/^\s/.test(rest)) return undefined;
  let reason: string | undefined;
  const dash = rest.indexOf('--');
  if (dash >= 0) {
    reason = rest.slice(dash + 2).trim() || undefined;
    rest = rest.slice(0, dash);
  }
  const ruleIds = rest.split(/[\s,]+/).filter((s) => s !== '');
  const d: DisableDirective = { line: line + 1, ruleIds, loc };
  if (reason !== undefined) d.reason = reason;
  return d;
}

function blockCommentText(raw: string): string {
  // Drop the conventional leading " * " decoration of block comments.
  return raw
    .split('\n')
    .map((l) => l.replace(/^\s*\*(?!\/) ?/, ''))
    .join('\n');
}

export function tokenize(text: string): LexResult {
  const tokens: Token[] = [];
  const directives: DisableDirective[] = [];
  const problems: ParseProblem[] = [];
  const n = text.length;
  let pos = 0;
  let line = 1;
  let lineStart = 0;

  // Pending leading comment block: text lines and the line its last comment ended on.
  let docParts: string[] = [];
  let docEndLine = -1;
  let lastTokLine = -1;

  const loc = (sPos: number, sLine: number, sLineStart: number): SourceRange => ({
    line: sLine,
    column: sPos - sLineStart + 1,
    endLine: line,
    endColumn: pos - lineStart + 1,
  });
  const mk = (t: T, v: string, sPos: number, sLine: number, sCol: number): Token => ({
    t, v, start: sPos, end: pos, line: sLine, col: sCol, endLine: line, endCol: pos - lineStart + 1, doc: undefined,
  });
  const fail = (message: string, sPos: number, sLine: number, sLineStart: number): never => {
    throw new LexError(message, loc(sPos, sLine, sLineStart));
  };

  while (pos < n) {
    const c = text.charCodeAt(pos);
    if (c === 10) {
      pos++;
      line++;
      lineStart = pos;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      pos++;
      continue;
    }
    const sPos = pos;
    const sLine = line;
    const sLineStart = lineStart;
    const sCol = pos - lineStart + 1;
    if (c === 47 && text.charCodeAt(pos + 1) === 47) {
      let e = text.indexOf('\n', pos);
      if (e < 0) e = n;
      let body = text.slice(pos + 2, e);
      if (body.endsWith('\r')) body = body.slice(0, -1);
      pos = e;
      const dloc = loc(sPos, sLine, sLineStart);
      const directive = parseDirective(body, sLine, dloc);
      if (directive) {
        directives.push(directive);
        // A directive between a doc comment and its declaration must not cut the doc off.
        if (docEndLine === sLine - 1) docEndLine = sLine;
        continue;
      }
      if (sLine === lastTokLine) {
        // trailing comment of the previous token: kept for declarations that have no leading doc
        const prev = tokens[tokens.length - 1];
        if (prev) prev.trailing = body.startsWith(' ') ? body.slice(1) : body;
        continue;
      }
      if (docEndLine !== sLine - 1) docParts = [];
      docParts.push(body.startsWith(' ') ? body.slice(1) : body);
      docEndLine = sLine;
      continue;
    }
    if (c === 47 && text.charCodeAt(pos + 1) === 42) {
      const e = text.indexOf('*/', pos + 2);
      if (e < 0) {
        pos += 2;
        fail('unterminated block comment: add the closing */', sPos, sLine, sLineStart);
      }
      const raw = text.slice(pos + 2, e);
      for (let k = pos; k < e; k++) {
        if (text.charCodeAt(k) === 10) {
          line++;
          lineStart = k + 1;
        }
      }
      pos = e + 2;
      if (sLine === lastTokLine) continue;
      if (docEndLine !== sLine - 1 && docEndLine !== sLine) docParts = [];
      docParts.push(blockCommentText(raw.replace(/^\*/, '')).trim());
      docEndLine = line;
      continue;
    }

    let tok: Token;
    if (isIdentStart(c)) {
      pos++;
      while (pos < n && isIdentPart(text.charCodeAt(pos))) pos++;
      tok = mk(T.Ident, text.slice(sPos, pos), sPos, sLine, sCol);
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(pos + 1)))) {
      let kind: T = T.Int;
      if (c === 48 && (text.charCodeAt(pos + 1) === 120 || text.charCodeAt(pos + 1) === 88)) {
        pos += 2;
        while (pos < n && isHex(text.charCodeAt(pos))) pos++;
      } else {
        while (pos < n && isDigit(text.charCodeAt(pos))) pos++;
        if (text.charCodeAt(pos) === 46) {
          kind = T.Float;
          pos++;
          while (pos < n && isDigit(text.charCodeAt(pos))) pos++;
        }
        const e = text.charCodeAt(pos);
        if (e === 101 || e === 69) {
          kind = T.Float;
          pos++;
          const s = text.charCodeAt(pos);
          if (s === 43 || s === 45) pos++;
          if (!isDigit(text.charCodeAt(pos))) fail(`invalid number '${text.slice(sPos, pos)}': the exponent has no digits`, sPos, sLine, sLineStart);
          while (pos < n && isDigit(text.charCodeAt(pos))) pos++;
        }
      }
      if (pos < n && isIdentPart(text.charCodeAt(pos))) {
        while (pos < n && isIdentPart(text.charCodeAt(pos))) pos++;
        fail(`invalid number '${text.slice(sPos, pos)}'`, sPos, sLine, sLineStart);
      }
      tok = mk(kind, text.slice(sPos, pos), sPos, sLine, sCol);
    } else if (c === 34 || c === 39) {
      tok = mk(T.String, readString(c), sPos, sLine, sCol);
    } else if (c === 0 || (c < 32 && c !== 9) || c === 0xfffd || c === 0xfeff) {
      if (c === 0xfeff && pos === 0) {
        pos++; // byte-order mark
        continue;
      }
      pos++;
      const what = c === 0xfffd ? 'bytes that are not valid UTF-8' : 'binary data';
      throw new LexError(
        `the file contains ${what} at ${sLine}:${sCol}; a .proto file must be UTF-8 text`,
        loc(sPos, sLine, sLineStart),
        c === 0xfffd ? 'proto-invalid-utf8' : 'proto-binary',
      );
    } else {
      pos++;
      if (c >= 0xd800 && c <= 0xdbff) pos++;
      const ch = text.slice(sPos, pos);
      // '/' only appears in type URLs inside option values (`[type.googleapis.com/pkg.Msg]`)
      if (!'{}[]()<>;,=.:-+/'.includes(ch)) {
        fail(`unexpected character '${ch}'`, sPos, sLine, sLineStart);
      }
      tok = mk(T.Symbol, ch, sPos, sLine, sCol);
    }
    if (docParts.length > 0) {
      if (docEndLine === sLine - 1 || docEndLine === sLine) tok.doc = docParts.join('\n').trim();
      docParts = [];
      docEndLine = -1;
    }
    tokens.push(tok);
    lastTokLine = line;
  }
  const eofCol = pos - lineStart + 1;
  tokens.push({ t: T.EOF, v: '', start: n, end: n, line, col: eofCol, endLine: line, endCol: eofCol });
  return { tokens, directives, problems };

  function readString(q: number): string {
    const sPos = pos;
    const sLine = line;
    const sLineStart = lineStart;
    pos++;
    let out = '';
    let chunk = pos;
    for (;;) {
      if (pos >= n) fail('unterminated string literal', sPos, sLine, sLineStart);
      const c = text.charCodeAt(pos);
      if (c === q) {
        out += text.slice(chunk, pos);
        pos++;
        return out;
      }
      if (c === 10) fail('unterminated string literal: strings cannot span lines', sPos, sLine, sLineStart);
      if (c === 0 || c === 0xfffd) {
        throw new LexError(
          'the string literal contains bytes that are not valid UTF-8 text; use escapes (\\xNN) for binary values',
          { line, column: pos - lineStart + 1, endLine: line, endColumn: pos - lineStart + 2 },
          'proto-invalid-utf8',
        );
      }
      if (c !== 92) {
        pos++;
        continue;
      }
      out += text.slice(chunk, pos);
      pos++;
      const e = text.charCodeAt(pos);
      pos++;
      switch (e) {
        case 110: out += '\n'; break;
        case 116: out += '\t'; break;
        case 114: out += '\r'; break;
        case 97: out += '\x07'; break;
        case 98: out += '\b'; break;
        case 102: out += '\f'; break;
        case 118: out += '\v'; break;
        case 92: out += '\\'; break;
        case 39: out += "'"; break;
        case 34: out += '"'; break;
        case 63: out += '?'; break;
        case 120: case 88: {
          let h = '';
          while (h.length < 2 && isHex(text.charCodeAt(pos))) h += text[pos++];
          if (h === '') fail('invalid \\x escape: expected hex digits', sPos, sLine, sLineStart);
          out += String.fromCharCode(parseInt(h, 16));
          break;
        }
        case 117: case 85: {
          const len = e === 117 ? 4 : 8;
          const h = text.slice(pos, pos + len);
          if (h.length !== len || !/^[0-9a-fA-F]+$/.test(h)) fail(`invalid \\${String.fromCharCode(e)} escape: expected ${len} hex digits`, sPos, sLine, sLineStart);
          const cp = parseInt(h, 16);
          if (cp > 0x10ffff) fail('invalid unicode escape: code point out of range', sPos, sLine, sLineStart);
          out += String.fromCodePoint(cp);
          pos += len;
          break;
        }
        default:
          if (e >= 48 && e <= 55) {
            let o = String.fromCharCode(e);
            while (o.length < 3 && text.charCodeAt(pos) >= 48 && text.charCodeAt(pos) <= 55) o += text[pos++];
            out += String.fromCharCode(parseInt(o, 8) & 0xff);
          } else {
            fail(`invalid escape '\\${Number.isNaN(e) ? '' : String.fromCharCode(e)}' in string literal`, sPos, sLine, sLineStart);
          }
      }
      chunk = pos;
    }
  }
}
