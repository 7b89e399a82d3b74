// The Protobuf files linted together form one namespace, as a buf module or one protoc invocation
// does: a fully qualified name may be declared by one file only. Each file is checked on its own
// by the parser; this table finds the names that two files of a run both declare.
import type { ParseProblem, SchemaDocument, SourceRange } from '../../model/types.js';

interface Declaration {
  file: string;
  loc: SourceRange;
}

export class ProtoSymbolTable {
  private readonly first = new Map<string, Declaration>();
  /** names declared by more than one file: every declaration after the first one seen */
  private readonly again = new Map<string, Declaration[]>();

  add(doc: SchemaDocument): void {
    for (const t of doc.types) {
      this.declare(t.fullName, doc.file, t.nameLoc);
      if (t.kind !== 'enum') continue;
      // enum values are scoped like C++: siblings of their enum
      const scope = t.fullName.slice(0, Math.max(0, t.fullName.length - t.name.length - 1));
      for (const v of t.symbols) this.declare(scope === '' ? v.name : `${scope}.${v.name}`, doc.file, v.loc);
    }
  }

  private declare(name: string, file: string, loc: SourceRange): void {
    const prev = this.first.get(name);
    if (prev === undefined) {
      this.first.set(name, { file, loc });
      return;
    }
    if (prev.file === file) return; // a duplicate inside one file is the parser's finding
    let list = this.again.get(name);
    if (list === undefined) this.again.set(name, (list = []));
    list.push({ file, loc });
  }

  /**
   * One finding per name declared by several files, on the file whose path sorts first (where buf
   * reports it), naming the other declarations. Linear in the number of declarations.
   */
  conflicts(): Array<{ file: string; problem: ParseProblem }> {
    const out: Array<{ file: string; problem: ParseProblem }> = [];
    for (const [name, later] of this.again) {
      const all = [this.first.get(name) as Declaration, ...later].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
      const [blamed, ...others] = all as [Declaration, ...Declaration[]];
      const where = others.map((d) => `${d.file}:${d.loc.line}:${d.loc.column}`).join(', ');
      out.push({
        file: blamed.file,
        problem: {
          code: 'proto-duplicate-symbol',
          message: `'${name}' is declared in this file and in ${where}; files compiled together share one namespace, so rename one or change its package`,
          loc: blamed.loc,
          fatal: false,
        },
      });
    }
    return out;
  }
}
