// Symbol paths (`com.acme.OrderPlaced.status`) for model nodes, looked up by structural path so a
// report that names only a JSON pointer still gets the symbol of its nearest enclosing node.
import type { SchemaDocument } from '../model/types.js';

export class SymbolIndex {
  private readonly byPath = new Map<string, string>();

  constructor(doc: SchemaDocument) {
    for (const t of doc.types) {
      this.byPath.set(t.path, t.fullName);
      if (t.kind === 'record') {
        for (const f of t.fields) this.byPath.set(f.path, `${t.fullName}.${f.name}`);
      } else if (t.kind === 'enum') {
        for (const s of t.symbols) this.byPath.set(s.path, `${t.fullName}.${s.name}`);
      }
    }
  }

  /** symbol of the node at `path`, or of its nearest ancestor that has one */
  lookup(path: string | undefined): string | undefined {
    if (path === undefined) return undefined;
    let p = path;
    for (;;) {
      const hit = this.byPath.get(p);
      if (hit !== undefined) return hit;
      if (p === '') return undefined;
      const cut = p.lastIndexOf('/');
      if (cut < 0) return undefined;
      p = p.slice(0, cut);
    }
  }
}

/** true when `path` is `prefix` or a descendant of it (JSON pointers; '' is the root) */
export function isPathWithin(path: string, prefix: string): boolean {
  return prefix === '' || path === prefix || path.startsWith(prefix + '/');
}
