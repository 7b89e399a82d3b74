// Reading a schema file: bytes → text → model, dispatched by extension. Unreadable input (missing,
// binary, not UTF-8, empty) becomes a located ParseProblem, never an exception. Files that are not
// an explicit schema format (JSON Schema, JSON samples, text) are classified instead of parsed, so the
// explicit-schema-format rule can say what they are.
import { Buffer, isUtf8 } from 'node:buffer';
import { closeSync, open, read, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { NonExplicitFormat } from '../lint/rule.js';
import type { ParseProblem, ParseResult, SchemaDocument, SourceRange } from '../model/types.js';
import { parseAvdl, parseAvsc } from './avro/index.js';
import type { AvroImportLoader } from './avro/index.js';
import { parseProto, type ProtoImportCache } from './protobuf/index.js';

export interface SchemaFile {
  /** the path as given (used in every location) */
  file: string;
  /** decoded text; absent when the bytes are not text */
  text?: string;
  document?: SchemaDocument;
  /** fatal problems mean no document */
  problems: ParseProblem[];
  /** set when the file is not Avro or Protobuf */
  nonExplicit?: NonExplicitFormat;
}

export interface ReadSchemaOptions {
  /**
   * absolute Protobuf import roots, searched in order as protoc's -I (an import is never looked up
   * beside the importing file unless that directory is a root); default: the working directory
   */
  includePaths?: readonly string[];
  /** shared across files of one run so an imported file is read once */
  importCache?: Map<string, string | null>;
  /** shared across files of one run (same include paths) so an imported file is parsed once */
  protoImports?: ProtoImportCache;
  /** resolve a relative `file` against this directory (default: process.cwd()) */
  cwd?: string;
  /** the absolute path to read, when the caller already has it (saves resolving `file` again) */
  absolutePath?: string;
  /** Protobuf imports from memory instead of include paths (tests, registry references) */
  loadImport?: (importPath: string) => string | undefined;
  /** .avdl imports from memory (a git revision) instead of the file system */
  loadAvroImport?: AvroImportLoader;
}

const START: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };

function problem(code: string, message: string, loc: SourceRange = START): ParseProblem {
  return { code, message, loc, fatal: true };
}

function positionOfOffset(bytes: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  // columns count characters; continuation bytes (10xxxxxx) do not start one
  let column = 1;
  for (let i = lineStart; i < offset; i++) if (((bytes[i] as number) & 0xc0) !== 0x80) column++;
  return { line, column };
}

/** Offset of the first byte that breaks UTF-8 (only called once decoding failed). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    let need = 0;
    let min = 0;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return bytes.length;
}


/** Decode bytes as UTF-8 text, or explain precisely why they are not schema text. */
export function decodeSchemaBytes(bytes: Uint8Array): { text: string } | { problem: ParseProblem } {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const p = positionOfOffset(bytes, nul);
    return {
      problem: problem('binary-file', 'This is a binary file (it contains NUL bytes), not a schema. Point the catalog or the command line at the .avsc, .avdl or .proto source.',
        { line: p.line, column: p.column, endLine: p.line, endColumn: p.column + 1 }),
    };
  }
  // Buffer's UTF-8 check and decoder rather than a TextDecoder: the same strict UTF-8, without building
  // Node's encoding module and an ICU converter on each run
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text: string;
  if (isUtf8(buffer)) {
    text = buffer.toString('utf8');
    // a byte order mark is not part of the text (TextDecoder's default)
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  } else {
    const at = firstInvalidUtf8(bytes);
    const p = positionOfOffset(bytes, at);
    return {
      problem: problem('invalid-utf8', `The file is not valid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}). Schemas must be UTF-8; re-save the file as UTF-8.`,
        { line: p.line, column: p.column, endLine: p.line, endColumn: p.column + 1 }),
    };
  }
  if (text.trim() === '') {
    return { problem: problem('empty-file', 'The file is empty; a schema file must declare at least one type.') };
  }
  return { text };
}

type Dispatch = 'avsc' | 'avdl' | 'proto' | 'json' | 'yaml' | 'text' | 'unknown';

const BY_EXTENSION: Record<string, Dispatch> = {
  '.avsc': 'avsc',
  '.avdl': 'avdl',
  '.proto': 'proto',
  '.json': 'json',
  '.jsonschema': 'json',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.txt': 'text',
  '.md': 'text',
  '.csv': 'text',
};

export function dispatchOf(file: string): Dispatch {
  return BY_EXTENSION[path.extname(file).toLowerCase()] ?? 'unknown';
}

const AVRO_NAMED = new Set(['record', 'error', 'enum', 'fixed']);

function looksLikeAvro(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0 && v.every((b) => typeof b === 'string' || looksLikeAvro(b));
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.type === 'string' && AVRO_NAMED.has(o.type) && typeof o.name === 'string'
    && (o.type !== 'record' || Array.isArray(o.fields));
}

function classifyJson(file: string, text: string): { avro: true } | NonExplicitFormat {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'text', evidence: `extension ${path.extname(file)} but the content is not JSON` };
  }
  if (looksLikeAvro(v)) return { avro: true };
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (typeof o.$schema === 'string' && /json-schema/.test(o.$schema)) return { kind: 'json-schema', evidence: '`$schema` names a JSON Schema draft' };
    if ('$defs' in o || 'definitions' in o || (o.type === 'object' && typeof o.properties === 'object')) {
      return { kind: 'json-schema', evidence: 'JSON Schema keywords (`type: object` with `properties`, `$defs`)' };
    }
  }
  return { kind: 'json-sample', evidence: 'a JSON document with data rather than a schema' };
}

function classifyYaml(text: string): NonExplicitFormat {
  if (/^\s*\$schema\s*:.*json-schema/m.test(text) || (/^\s*type\s*:\s*object\s*$/m.test(text) && /^\s*properties\s*:/m.test(text))) {
    return { kind: 'json-schema', evidence: 'JSON Schema keywords written as YAML' };
  }
  return { kind: 'json-sample', evidence: 'a YAML document with data rather than a schema' };
}

/**
 * Where a Protobuf `import "<importPath>"` is looked for, in order: under each import root, as protoc's
 * -I. Never beside the importing file (unless its directory is a root), for nested imports too. Every
 * entry point (lint, check, register, the publish gate) resolves through this, so they accept the same files.
 */
export function protoImportCandidates(importPath: string, roots: readonly string[]): string[] {
  return roots.map((root) => path.resolve(root, importPath));
}

function makeImportLoader(opts: ReadSchemaOptions): (importPath: string) => string | undefined {
  const cwd = opts.cwd ?? process.cwd();
  const roots = opts.includePaths ?? [cwd];
  const cache = opts.importCache ?? new Map<string, string | null>();
  return (importPath) => {
    for (const candidate of protoImportCandidates(importPath, roots)) {
      let hit = cache.get(candidate);
      if (hit === undefined) {
        try {
          const decoded = decodeSchemaBytes(readFileSync(candidate));
          hit = 'text' in decoded ? decoded.text : null;
        } catch {
          hit = null;
        }
        cache.set(candidate, hit);
      }
      if (hit !== null) return hit;
    }
    return undefined;
  };
}

/**
 * `.avdl` imports as Avro Java's IdlReader resolves them: relative to the importing file, then the
 * include paths (Java's classpath); nested imports relative to the imported file.
 */
export function makeAvroImportLoader(file: string, opts: ReadSchemaOptions, read: (abs: string) => string | undefined = readTextFile): AvroImportLoader {
  const root = opts.absolutePath ?? path.resolve(opts.cwd ?? process.cwd(), file);
  return (importPath, fromFile) => {
    const from = fromFile === file ? root : fromFile;
    for (const dir of [path.dirname(from), ...(opts.includePaths ?? [])]) {
      const candidate = path.resolve(dir, importPath);
      const text = read(candidate);
      if (text !== undefined) return { text, file: candidate };
    }
    return undefined;
  };
}

function readTextFile(abs: string): string | undefined {
  try {
    const decoded = decodeSchemaBytes(readFileSync(abs));
    return 'text' in decoded ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}

function fromParse(file: string, text: string, r: ParseResult): SchemaFile {
  return r.ok ? { file, text, document: r.document, problems: r.problems } : { file, text, problems: r.problems };
}

/** Parse text already in memory, dispatching on the file name. */
export function parseSchemaText(file: string, text: string, opts: ReadSchemaOptions = {}): SchemaFile {
  try {
    return dispatch(file, text, opts);
  } catch (err) {
    // a parser defect on one file must not abort a run over thousands; it becomes a finding there
    const message = err instanceof Error ? err.message : String(err);
    return { file, text, problems: [problem('internal-parser-error', `The file could not be parsed because of an internal error (${message}); please report it with the file.`)] };
  }
}

function dispatch(file: string, text: string, opts: ReadSchemaOptions): SchemaFile {
  switch (dispatchOf(file)) {
    case 'avsc':
      return fromParse(file, text, parseAvsc(text, file));
    case 'avdl':
      return fromParse(file, text, parseAvdl(text, file, { loadImport: opts.loadAvroImport ?? makeAvroImportLoader(file, opts) }));
    case 'proto':
      return fromParse(file, text, parseProto(text, file, {
        loadImport: opts.loadImport ?? makeImportLoader(opts),
        importCache: opts.loadImport === undefined ? opts.protoImports : undefined,
      }));
    case 'json': {
      const c = classifyJson(file, text);
      if ('avro' in c) return fromParse(file, text, parseAvsc(text, file));
      return { file, text, problems: [], nonExplicit: c };
    }
    case 'yaml':
      return { file, text, problems: [], nonExplicit: classifyYaml(text) };
    case 'text':
      return { file, text, problems: [], nonExplicit: { kind: 'text', evidence: `extension ${path.extname(file)}` } };
    case 'unknown': {
      const ext = path.extname(file);
      return { file, text, problems: [], nonExplicit: { kind: 'unknown', evidence: ext === '' ? 'no file extension' : `extension ${ext}` } };
    }
  }
}

// Reading a small file with fs.readFile costs four thread-pool round trips (open, fstat, read,
// close); on 10,000 files that overhead dominated. Here: open and read asynchronously into a reused
// buffer, then confirm end-of-file and close synchronously (both are immediate for regular files).
const BUFFER_SIZE = 64 * 1024;
const spareBuffers: Buffer[] = [];

function openAsync(file: string): Promise<number> {
  return new Promise((resolve, reject) => open(file, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}

function readAsync(fd: number, buf: Buffer, offset: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, offset, buf.length - offset, null, (e, n) => (e ? reject(e) : resolve(n))));
}

/** Read a whole file and hand its bytes to `use` (valid only during the call). */
async function withFileBytes<T>(file: string, use: (bytes: Uint8Array) => T): Promise<T> {
  const fd = await openAsync(file);
  let buf = spareBuffers.pop() ?? Buffer.allocUnsafe(BUFFER_SIZE);
  try {
    let len = await readAsync(fd, buf, 0);
    if (len > 0) {
      for (;;) {
        if (len === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, len);
          buf = bigger;
        }
        const n = readSync(fd, buf, len, buf.length - len, null);
        if (n === 0) break;
        len += n;
      }
    }
    return use(buf.subarray(0, len));
  } finally {
    closeSync(fd);
    if (buf.length === BUFFER_SIZE) spareBuffers.push(buf);
  }
}

function unreadable(file: string, err: unknown): SchemaFile {
  const code = (err as NodeJS.ErrnoException).code;
  const message = code === 'ENOENT'
    ? 'The file does not exist.'
    : code === 'EISDIR' ? 'This is a directory, not a schema file.' : `The file cannot be read (${code ?? 'error'}).`;
  return { file, problems: [problem(code === 'ENOENT' ? 'file-not-found' : 'unreadable-file', message)] };
}

function fromDecoded(file: string, decoded: ReturnType<typeof decodeSchemaBytes>, opts: ReadSchemaOptions): SchemaFile {
  if ('problem' in decoded) return { file, problems: [decoded.problem] };
  return parseSchemaText(file, decoded.text, opts);
}

/** Read and parse one schema file. Never throws for bad input. */
export async function readSchemaFile(file: string, opts: ReadSchemaOptions = {}): Promise<SchemaFile> {
  const abs = opts.absolutePath ?? path.resolve(opts.cwd ?? process.cwd(), file);
  let decoded: ReturnType<typeof decodeSchemaBytes>;
  try {
    decoded = await withFileBytes(abs, decodeSchemaBytes);
  } catch (err) {
    return unreadable(file, err);
  }
  return fromDecoded(file, decoded, opts);
}

function msSince(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

/**
 * readSchemaFile, reading synchronously. For a file in the page cache this is several times cheaper
 * than any asynchronous read; `readMs` reports the time spent reading so a caller can switch to
 * concurrent reads when the disk is slow.
 */
export function readSchemaFileSync(file: string, opts: ReadSchemaOptions = {}): { result: SchemaFile; readMs: number } {
  const abs = opts.absolutePath ?? path.resolve(opts.cwd ?? process.cwd(), file);
  // process.hrtime, not performance.now(): the global `performance` loads Node's perf_hooks on first use
  const t0 = process.hrtime.bigint();
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(abs);
  } catch (err) {
    return { result: unreadable(file, err), readMs: msSince(t0) };
  }
  const readMs = msSince(t0);
  return { result: fromDecoded(file, decodeSchemaBytes(bytes), opts), readMs };
}
