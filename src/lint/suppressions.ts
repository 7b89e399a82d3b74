// In-file suppressions: the `"schemactl:disable"` attribute on an Avro type or field (covers that
// node and everything under it) and `// schemactl-disable-next-line` directives in .proto/.avdl.
import type { Diagnostic } from '../diagnostics/types.js';
import type { SchemaDocument, SourceRange } from '../model/types.js';
import { isPathWithin } from './symbols.js';

export const DISABLE_ATTRIBUTE = 'schemactl:disable';

interface Suppression {
  kind: 'attribute' | 'directive';
  /** rule ids; empty = every rule (directives only) */
  ruleIds: string[];
  used: Set<string>;
  loc: SourceRange;
  /** attribute: the node's structural path */
  path?: string;
  /** directive: the line it covers */
  line?: number;
}

function within(r: SourceRange, outer: SourceRange): boolean {
  const startsAfter = r.line > outer.line || (r.line === outer.line && r.column >= outer.column);
  const endsBefore = r.endLine < outer.endLine || (r.endLine === outer.endLine && r.endColumn <= outer.endColumn);
  return startsAfter && endsBefore;
}

export class Suppressions {
  private readonly entries: Suppression[] = [];
  /** malformed attributes, reported as warnings */
  readonly problems: Diagnostic[] = [];

  // keeps the file name only, so a linted document can be released while its suppressions live on
  private readonly file: string;

  constructor(doc: SchemaDocument, knownRuleIds: ReadonlySet<string>) {
    this.file = doc.file;
    const addAttribute = (value: unknown, path: string, loc: SourceRange): void => {
      let ids: string[] | undefined;
      if (typeof value === 'string') ids = [value];
      else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) ids = value as string[];
      else if (typeof value === 'object' && value !== null && !Array.isArray(value)) ids = Object.keys(value);
      if (ids === undefined || ids.length === 0) {
        this.problems.push(this.problem(loc, path,
          `"${DISABLE_ATTRIBUTE}" must be a list of rule ids or an object mapping rule ids to reasons, e.g. {"prefer-enum": "free text by contract"}.`));
        return;
      }
      this.checkIds(ids, loc, path, knownRuleIds);
      this.entries.push({ kind: 'attribute', ruleIds: ids, used: new Set(), loc, path });
    };
    for (const t of doc.types) {
      const a = t.attributes?.[DISABLE_ATTRIBUTE];
      if (a !== undefined) addAttribute(a, t.path, t.loc);
      if (t.kind === 'record') {
        for (const f of t.fields) {
          const fa = f.attributes?.[DISABLE_ATTRIBUTE];
          if (fa !== undefined) addAttribute(fa, f.path, f.loc);
        }
      }
    }
    for (const d of doc.disableDirectives) {
      this.checkIds(d.ruleIds, d.loc, undefined, knownRuleIds);
      this.entries.push({ kind: 'directive', ruleIds: d.ruleIds, used: new Set(), loc: d.loc, line: d.line });
    }
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  private problem(loc: SourceRange, path: string | undefined, message: string): Diagnostic {
    return { ruleId: 'invalid-disable', severity: 'warn', message, location: { file: this.file, range: loc, path } };
  }

  private checkIds(ids: string[], loc: SourceRange, path: string | undefined, known: ReadonlySet<string>): void {
    for (const id of ids) {
      if (!known.has(id)) {
        this.problems.push(this.problem(loc, path, `Unknown rule "${id}" in a suppression; it suppresses nothing. Check the id with \`schemactl rules\`.`));
      }
    }
  }

  /** true when the finding is suppressed; marks the suppression as used */
  suppresses(d: Diagnostic): boolean {
    let hit = false;
    const range = d.location.range;
    for (const s of this.entries) {
      const covers = s.ruleIds.length === 0 || s.ruleIds.includes(d.ruleId);
      if (!covers) continue;
      let applies: boolean;
      if (s.kind === 'directive') {
        applies = range !== undefined && range.line === s.line;
      } else if (d.location.path !== undefined && s.path !== undefined) {
        applies = isPathWithin(d.location.path, s.path);
      } else {
        applies = range !== undefined && within(range, s.loc);
      }
      if (applies) {
        s.used.add(s.ruleIds.length === 0 ? '*' : d.ruleId);
        hit = true;
      }
    }
    return hit;
  }

  /** warnings for suppressions (per rule id) that suppressed nothing */
  unused(knownRuleIds: ReadonlySet<string>): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const s of this.entries) {
      const form = s.kind === 'directive' ? '`schemactl-disable-next-line`' : `"${DISABLE_ATTRIBUTE}"`;
      if (s.ruleIds.length === 0) {
        if (s.used.size === 0) {
          out.push(this.problem(s.loc, s.path, `This ${form} suppressed nothing; remove it so it cannot hide a future finding.`));
        }
        continue;
      }
      for (const id of s.ruleIds) {
        // unknown ids were already reported as invalid
        if (!s.used.has(id) && knownRuleIds.has(id)) {
          out.push(this.problem(s.loc, s.path, `${form} for "${id}" suppressed nothing; remove it so it cannot hide a future finding.`));
        }
      }
    }
    for (const d of out) d.ruleId = 'unused-disable';
    return out;
  }
}
