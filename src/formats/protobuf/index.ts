// .proto text → SchemaDocument. Pure: imported files are read by the caller through `loadImport`
// (the lint layer backs it with include paths, the compatibility layer with registry references);
// well-known and Google common types resolve from bundled copies when the import roots lack them.
import type { NamedType, ParseProblem, ParseResult, SourceRange } from '../../model/types.js';
import { inRanges, parseSyntaxTree, sortedRanges } from './parser.js';
import type { ParsedFile, PendingRef } from './parser.js';
import { WELL_KNOWN_FILES } from './well-known.js';

export { MAX_FIELD_NUMBER, MAX_NESTING } from './parser.js';
export { WELL_KNOWN_FILES } from './well-known.js';

export interface ParseProtoOptions {
  /** Returns the text of an imported file (`import "a/b.proto"` → loadImport('a/b.proto')), or undefined when not found. */
  loadImport?: (importPath: string) => string | undefined;
  /**
   * Imported files already analysed by earlier files of the same run, by import path, so a tree
   * whose files share imports parses each import once instead of once per importing file. Only
   * valid while every file resolves import paths the same way (one set of import roots).
   */
  importCache?: ProtoImportCache;
}

/** An extension as an importing file sees it: the message it extends and its number. */
interface ExtensionInfo {
  extendee: string;
  number: number;
}

/** What a file makes visible to a file importing it: its own types plus those of its public imports. */
interface FileExports {
  types: Map<string, NamedType>;
  packages: Set<string>;
  extensions: Map<string, ExtensionInfo>;
  /** the reason the file cannot be used (it does not parse, or protoc would reject it), when it cannot */
  failure?: string;
}

/** Opaque to callers: create one per run with createProtoImportCache(). */
export type ProtoImportCache = Map<string, FileExports>;

export function createProtoImportCache(): ProtoImportCache {
  return new Map();
}

const LOADING = Symbol('loading');
const wellKnownExports = new Map<string, FileExports>();

export function isWellKnownImport(importPath: string): boolean {
  return WELL_KNOWN_FILES.has(importPath);
}

/**
 * Parses a .proto file into the format-neutral model. Never throws on bad input: syntax errors come
 * back as a fatal problem with its location, everything else as problems next to the document (a
 * missing import or an unresolved type is fatal too: protoc cannot compile the file).
 */
export function parseProto(text: string, file: string, opts: ParseProtoOptions = {}): ParseResult {
  try {
    const session = new Session(opts.loadImport, file, opts.importCache);
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
  /** a cycle leaves the exports of the files on it incomplete: none of this session's results are shared then */
  private sawCycle = false;
  private readonly fresh: Array<[string, FileExports]> = [];

  constructor(
    private readonly loadImport: ((p: string) => string | undefined) | undefined,
    rootFile: string,
    private readonly shared: ProtoImportCache | undefined,
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
    const exports: FileExports = { types: new Map(), packages: new Set(packages), extensions: new Map() };
    for (const t of document.types) exports.types.set(t.fullName, t);
    const visibleExtensions = new Map<string, ExtensionInfo>();
    document.imports.forEach((imp, k) => {
      const ex = this.load(imp.path, imp.loc, problems);
      if (!ex) return;
      imp.resolved = true;
      const kind = parsed.importStmts[k]?.kind;
      for (const [name, e] of ex.extensions) {
        visibleExtensions.set(name, e);
        if (kind === 'public') exports.extensions.set(name, e);
      }
      // an option import serves option names only: its types are not visible to fields
      if (kind === 'option') return;
      for (const [name, t] of ex.types) {
        visible.set(name, t);
        if (kind === 'public') exports.types.set(name, t);
      }
      for (const p of ex.packages) {
        packages.add(p);
        if (kind === 'public') exports.packages.add(p);
      }
    });
    document.importedTypes = visible;
    const local = new Map<string, NamedType>();
    for (const t of document.types) local.set(t.fullName, t);
    const lookup = (name: string): NamedType | undefined => local.get(name) ?? visible.get(name);
    for (const r of parsed.refs) resolveRef(r, lookup, packages, problems);
    checkExtensions(parsed, lookup, visibleExtensions, exports.extensions, problems);
    return { parsed, exports };
  }

  private load(importPath: string, loc: SourceRange, problems: ParseProblem[]): FileExports | undefined {
    const cached = this.cache.get(importPath) ?? this.shared?.get(importPath);
    if (cached === LOADING) {
      this.sawCycle = true;
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
      let text: string | undefined;
      if (this.loadImport) {
        try {
          text = this.loadImport(importPath);
        } catch (e) {
          // A loader failure (unreadable file, registry error) is a finding on the import, not a crash.
          const reason = e instanceof Error ? e.message : String(e);
          problems.push({ code: 'proto-import-error', message: `import "${importPath}" could not be read: ${reason}`, loc, fatal: true });
          return undefined;
        }
      }
      // The import roots win over the bundled well-known files, as with protoc's -I: a tree that
      // carries its own google/protobuf or google/type files is read with them.
      const bundled = text === undefined ? wellKnownExports.get(importPath) : undefined;
      if (bundled) return this.accept(importPath, bundled, loc, problems);
      const wellKnown = text === undefined ? WELL_KNOWN_FILES.get(importPath) : undefined;
      text ??= wellKnown;
      if (text === undefined) {
        problems.push({
          code: 'proto-missing-import',
          message: `import "${importPath}" was not found${this.loadImport ? '' : ' (no import paths were given)'}; check the path or add its directory to the import paths`,
          loc,
          fatal: true,
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
        ex = { types: new Map(), packages: new Set(), extensions: new Map(), failure: `${f.message} (${importPath}:${f.loc.line}:${f.loc.column})` };
      } else {
        ex = r.exports;
        // protoc refuses a file whose imports have errors ("was not found or had errors")
        const first = r.parsed.problems[0];
        if (first) ex.failure = `${first.message} (${importPath}:${first.loc.line}:${first.loc.column})`;
      }
      this.cache.set(importPath, ex);
      if (wellKnown !== undefined && !ex.failure) wellKnownExports.set(importPath, ex);
      else if (this.shared) this.fresh.push([importPath, ex]);
      if (this.stack.length === 1 && this.shared && !this.sawCycle) {
        for (const [p, e] of this.fresh) this.shared.set(p, e);
        this.fresh.length = 0;
      }
    }
    return this.accept(importPath, ex, loc, problems);
  }

  private accept(importPath: string, ex: FileExports, loc: SourceRange, problems: ParseProblem[]): FileExports | undefined {
    if (ex.failure) {
      problems.push({ code: 'proto-import-error', message: `imported file "${importPath}" has errors: ${ex.failure}`, loc, fatal: true });
      return undefined;
    }
    return ex;
  }
}

/**
 * Extensions, checked as protoc does once the extendee is known: the number must lie in one of the
 * extendee's extension ranges and be used once per extendee; an extension of a message-set message
 * cannot be used inside an option value.
 */
function checkExtensions(
  parsed: ParsedFile,
  lookup: (fullName: string) => NamedType | undefined,
  visible: Map<string, ExtensionInfo>,
  exported: Map<string, ExtensionInfo>,
  problems: ParseProblem[],
): void {
  if (parsed.extensions.length === 0 && parsed.optionExtensionRefs.length === 0) return;
  const taken = new Map<string, string>();
  for (const [name, e] of visible) taken.set(`${e.extendee}#${e.number}`, name);
  for (const ext of parsed.extensions) {
    if (!ext.extendee.resolved) continue;
    const target = lookup(ext.extendee.fullName);
    if (target?.kind !== 'record') continue;
    const info = { extendee: target.fullName, number: ext.number };
    visible.set(ext.fullName, info);
    exported.set(ext.fullName, info);
    if (!inRanges(sortedRanges(target.extensionRanges ?? []), ext.number)) {
      problems.push({
        code: 'proto-extension-out-of-range',
        message: `extension '${ext.fullName}' uses number ${ext.number}, which message '${target.fullName}' does not declare as an extension range; use a number from its 'extensions' ranges`,
        loc: ext.numLoc,
        fatal: false,
      });
    }
    const key = `${target.fullName}#${ext.number}`;
    const prev = taken.get(key);
    if (prev !== undefined && prev !== ext.fullName) {
      problems.push({
        code: 'proto-duplicate-extension-number',
        message: `extension '${ext.fullName}' uses number ${ext.number} of message '${target.fullName}', which extension '${prev}' already uses; give each extension its own number`,
        loc: ext.numLoc,
        fatal: false,
      });
    } else taken.set(key, ext.fullName);
  }
  for (const ref of parsed.optionExtensionRefs) {
    const name = findExtension(ref.written, ref.scope, visible);
    if (name === undefined) continue;
    const target = lookup((visible.get(name) as ExtensionInfo).extendee);
    if (target?.attributes?.message_set_wire_format === true) {
      problems.push({
        code: 'proto-message-set-option',
        message: `extension '${name}' cannot be used in an option value: it extends '${target.fullName}', which uses the legacy message-set wire format`,
        loc: ref.loc,
        fatal: false,
      });
    }
  }
}

/** An extension name as written in an option value: fully qualified, or relative to the enclosing scopes. */
function findExtension(written: string, scope: string, visible: ReadonlyMap<string, ExtensionInfo>): string | undefined {
  const name = written.startsWith('.') ? written.slice(1) : written;
  if (visible.has(name)) return name;
  if (written.startsWith('.')) return undefined;
  for (let s = scope; s !== ''; s = s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : '') {
    if (visible.has(`${s}.${name}`)) return `${s}.${name}`;
  }
  return undefined;
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
    fatal: true,
  });
}
