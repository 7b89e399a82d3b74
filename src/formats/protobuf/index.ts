// .proto text → SchemaDocument. Pure: imported files are read by the caller through `loadImport`
// (the lint layer backs it with include paths, the compatibility layer with registry references);
// well-known and Google common types resolve from embedded copies.
import type { NamedType, ParseProblem, ParseResult, SourceRange } from '../../model/types.js';
import { parseSyntaxTree } from './parser.js';
import type { ParsedFile, PendingRef } from './parser.js';
import { WELL_KNOWN_FILES } from './well-known.js';

export { MAX_FIELD_NUMBER, MAX_NESTING } from './parser.js';
export { WELL_KNOWN_FILES } from './well-known.js';

export interface ParseProtoOptions {
  /** Returns the text of an imported file (`import "a/b.proto"` → loadImport('a/b.proto')), or undefined when not found. */
  loadImport?: (importPath: string) => string | undefined;
}

/** What a file makes visible to a file importing it: its own types plus those of its public imports. */
interface FileExports {
  types: Map<string, NamedType>;
  packages: Set<string>;
  /** the reason the file could not be used, when it could not */
  failure?: string;
}

const LOADING = Symbol('loading');
const wellKnownExports = new Map<string, FileExports>();

export function isWellKnownImport(importPath: string): boolean {
  return WELL_KNOWN_FILES.has(importPath);
}

/**
 * Parses a .proto file into the format-neutral model. Never throws on bad input: syntax errors come
 * back as a fatal problem with its location, everything else as non-fatal problems next to the document.
 */
export function parseProto(text: string, file: string, opts: ParseProtoOptions = {}): ParseResult {
  try {
    const session = new Session(opts.loadImport, file);
    const r = session.analyse(text, file);
    if ('fatal' in r) return { ok: false, problems: [...r.problems, r.fatal] };
    return { ok: true, document: r.parsed.document, problems: r.parsed.problems };
  } catch (e) {
    // A defect in this parser must still surface as a finding on the file rather than a crash.
    const message = e instanceof Error ? e.message : String(e);
    return {
      ok: false,
      problems: [{ code: 'proto-internal-error', message: `the file could not be parsed (${message}); please report this with the file`, loc: { line: 1, column: 1, endLine: 1, endColumn: 1 }, fatal: true }],
    };
  }
}

class Session {
  private readonly cache = new Map<string, FileExports | typeof LOADING>();
  /** files being read, the root first */
  private readonly stack: string[] = [];
  private rootCycle: string[] | undefined;

  constructor(
    private readonly loadImport: ((p: string) => string | undefined) | undefined,
    rootFile: string,
  ) {
    // An import path equal to the root file's name can only come back to it through a cycle.
    this.cache.set(rootFile, LOADING);
    this.stack.push(rootFile);
  }

  analyse(text: string, file: string): { parsed: ParsedFile; exports: FileExports } | { fatal: ParseProblem; problems: ParseProblem[] } {
    const parsed = parseSyntaxTree(text, file);
    if ('fatal' in parsed) return parsed;
    const { document, problems } = parsed;
    const visible = new Map<string, NamedType>();
    const packages = new Set<string>();
    addPackagePrefixes(packages, document.namespace);
    const exports: FileExports = { types: new Map(), packages: new Set(packages) };
    for (const t of document.types) exports.types.set(t.fullName, t);
    document.imports.forEach((imp, k) => {
      const ex = this.load(imp.path, imp.loc, problems);
      if (!ex) return;
      imp.resolved = true;
      const stmt = parsed.importStmts[k];
      for (const [name, t] of ex.types) {
        visible.set(name, t);
        if (stmt?.kind === 'public') exports.types.set(name, t);
      }
      for (const p of ex.packages) {
        packages.add(p);
        if (stmt?.kind === 'public') exports.packages.add(p);
      }
    });
    document.importedTypes = visible;
    const local = new Map<string, NamedType>();
    for (const t of document.types) local.set(t.fullName, t);
    const lookup = (name: string): NamedType | undefined => local.get(name) ?? visible.get(name);
    for (const r of parsed.refs) resolveRef(r, lookup, packages, problems);
    return { parsed, exports };
  }

  private load(importPath: string, loc: SourceRange, problems: ParseProblem[]): FileExports | undefined {
    const cached = this.cache.get(importPath) ?? wellKnownExports.get(importPath);
    if (cached === LOADING) {
      const chain = [...this.stack.slice(this.stack.indexOf(importPath)), importPath];
      if (this.stack.length === 1) {
        problems.push(cycleProblem(chain, loc));
      } else if (importPath === this.stack[0] && !this.rootCycle) {
        this.rootCycle = chain;
      }
      return undefined;
    }
    let ex = cached;
    if (!ex) {
      const wellKnown = WELL_KNOWN_FILES.get(importPath);
      let text: string | undefined = wellKnown;
      if (text === undefined && this.loadImport) {
        try {
          text = this.loadImport(importPath);
        } catch (e) {
          // A loader failure (unreadable file, registry error) is a finding on the import, not a crash.
          const reason = e instanceof Error ? e.message : String(e);
          problems.push({ code: 'proto-import-error', message: `import "${importPath}" could not be read: ${reason}`, loc, fatal: false });
          return undefined;
        }
      }
      if (text === undefined) {
        problems.push({
          code: 'proto-missing-import',
          message: `import "${importPath}" was not found${this.loadImport ? '' : ' (no import paths were given)'}; check the path or add its directory to the import paths`,
          loc,
          fatal: false,
        });
        return undefined;
      }
      this.cache.set(importPath, LOADING);
      const hadCycle = this.rootCycle !== undefined;
      this.stack.push(importPath);
      const r = this.analyse(text, importPath);
      this.stack.pop();
      // The cycle is reported once, on the root file's import that leads into it.
      if (!hadCycle && this.rootCycle && this.stack.length === 1) problems.push(cycleProblem(this.rootCycle, loc));
      if ('fatal' in r) {
        const f = r.fatal;
        ex = { types: new Map(), packages: new Set(), failure: `${f.message} (${importPath}:${f.loc.line}:${f.loc.column})` };
      } else {
        ex = r.exports;
      }
      this.cache.set(importPath, ex);
      if (wellKnown !== undefined && !ex.failure) wellKnownExports.set(importPath, ex);
    }
    if (ex.failure) {
      problems.push({ code: 'proto-import-error', message: `imported file "${importPath}" cannot be parsed: ${ex.failure}`, loc, fatal: false });
      return undefined;
    }
    return ex;
  }
}

function cycleProblem(chain: string[], loc: SourceRange): ParseProblem {
  return { code: 'proto-import-cycle', message: `imports form a cycle (${chain.join(' → ')}); files cannot import each other, so move the shared types into a third file`, loc, fatal: false };
}

function addPackagePrefixes(into: Set<string>, pkg: string): void {
  if (pkg === '') return;
  let at = pkg.indexOf('.');
  while (at >= 0) {
    into.add(pkg.slice(0, at));
    at = pkg.indexOf('.', at + 1);
  }
  into.add(pkg);
}

/**
 * Protobuf name resolution: a leading dot means fully qualified; otherwise the first component is
 * looked up from the innermost scope outward, and once it names a message or package the rest must
 * resolve inside it (protoc does not keep searching outer scopes then).
 */
export function resolveTypeName(
  written: string,
  scope: string,
  lookup: (fullName: string) => NamedType | undefined,
  packages: ReadonlySet<string>,
): NamedType | undefined {
  if (written.startsWith('.')) return lookup(written.slice(1));
  const dot = written.indexOf('.');
  const first = dot < 0 ? written : written.slice(0, dot);
  let s = scope;
  for (;;) {
    const candidate = s === '' ? first : `${s}.${first}`;
    const found = lookup(candidate);
    if (dot < 0) {
      if (found) return found;
    } else if (found || packages.has(candidate)) {
      const full = s === '' ? written : `${s}.${written}`;
      const t = lookup(full);
      if (t) return t;
      if (!found || found.kind === 'record') return undefined;
    }
    if (s === '') return undefined;
    const cut = s.lastIndexOf('.');
    s = cut < 0 ? '' : s.slice(0, cut);
  }
}

function resolveRef(
  r: PendingRef,
  lookup: (fullName: string) => NamedType | undefined,
  packages: ReadonlySet<string>,
  problems: ParseProblem[],
): void {
  const t = resolveTypeName(r.ref.written, r.scope, lookup, packages);
  if (t) {
    r.ref.fullName = t.fullName;
    r.ref.resolved = true;
    return;
  }
  problems.push({
    code: 'proto-unresolved-type',
    message: `unknown type '${r.ref.written}' in ${r.usage}; declare it or import the file that defines it`,
    loc: r.ref.loc,
    fatal: false,
  });
}
