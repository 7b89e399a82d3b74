// YAML parsed with positions: every value (and every mapping key) gets a source range by JSON
// pointer, so a validation error can point at the exact key or value.
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';
import type { Node } from 'yaml';
import type { SourceRange } from '../model/types.js';

export interface YamlPosition {
  value: SourceRange;
  /** the key of the pair holding the value, for mapping entries */
  key?: SourceRange;
  /** the scalar as written (before `${ENV}` interpolation), for messages that quote it */
  raw?: string;
}

export interface YamlSource {
  value: unknown;
  positions: Map<string, YamlPosition>;
  errors: Array<{ message: string; range: SourceRange }>;
}

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

// loaded on first use, like ajv: linting files without a config never needs a YAML parser (nor this
// module's require function)
let requireHere: NodeJS.Require | undefined;
const require = (id: string): unknown => (requireHere ??= createRequire(import.meta.url))(id);
let yamlModule: typeof YamlModule | undefined;

/**
 * The `yaml` package: as the one file the build joins its modules into (scripts/build-yaml-bundle.mjs;
 * requiring its 74 files one by one cost more than the rest of a catalog run), or, from source, the
 * package itself.
 */
function yaml(): typeof YamlModule {
  if (yamlModule === undefined) {
    try {
      yamlModule = require('./yaml-bundle.cjs') as typeof YamlModule;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      yamlModule = require('yaml') as typeof YamlModule;
    }
  }
  return yamlModule;
}

export function parseYamlWithPositions(text: string): YamlSource {
  const { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, visit: visitYaml } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const rangeOf = (start: number, end: number): SourceRange => {
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  };
  const errors = [...doc.errors, ...doc.warnings].map((e) => ({
    message: e.message.split('\n')[0] ?? e.message,
    range: rangeOf(e.pos[0], e.pos[1]),
  }));
  const positions = new Map<string, YamlPosition>();
  const visit = (node: Node | null | undefined, pointer: string, key?: SourceRange): void => {
    if (node === null || node === undefined) return;
    const r = node.range;
    if (r === undefined || r === null) return;
    const pos: YamlPosition = { value: rangeOf(r[0], r[1]) };
    if (key !== undefined) pos.key = key;
    if (isScalar(node)) pos.raw = node.source ?? String(node.value);
    positions.set(pointer, pos);
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const k = item.key as Node | null;
        const keyName = isScalar(k) ? String(k.value) : String(k);
        const keyRange = k?.range ? rangeOf(k.range[0], k.range[1]) : pos.value;
        const child = `${pointer}/${escapePointer(keyName)}`;
        const v = item.value as Node | null;
        if (v === null || v.range === undefined || v.range === null) positions.set(child, { value: keyRange, key: keyRange });
        else visit(v, child, keyRange);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item as Node, `${pointer}/${i}`));
    }
  };
  visit(doc.contents as Node | null, '');
  let value: unknown;
  if (errors.length === 0) {
    const firstAlias = (): SourceRange => {
      let at: SourceRange = { line: 1, column: 1, endLine: 1, endColumn: 1 };
      visitYaml(doc, {
        Alias(_k, n) {
          if (isAlias(n) && n.range) {
            at = rangeOf(n.range[0], n.range[1]);
            return visitYaml.BREAK;
          }
          return undefined;
        },
      });
      return at;
    };
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
      // a recursive alias (`a: &x [*x]`) yields a cyclic value, which no config can mean
      if (isCyclic(value)) {
        value = undefined;
        errors.push({ message: 'a YAML alias refers to a node that contains it; write the value out instead', range: firstAlias() });
      }
    } catch (e) {
      errors.push({ message: `the YAML aliases cannot be expanded (${(e as Error).message.split('\n')[0]}); write the values out or use fewer aliases`, range: firstAlias() });
    }
  }
  return { value, positions, errors };
}

/** The position of a pointer, or of its nearest ancestor that has one. */
export function positionOf(positions: Map<string, YamlPosition>, pointer: string): YamlPosition | undefined {
  let p = pointer;
  for (;;) {
    const hit = positions.get(p);
    if (hit !== undefined) return hit;
    if (p === '') return undefined;
    p = p.slice(0, Math.max(0, p.lastIndexOf('/')));
  }
}

function isCyclic(v: unknown, onPath: Set<object> = new Set()): boolean {
  if (typeof v !== 'object' || v === null) return false;
  if (onPath.has(v)) return true;
  onPath.add(v);
  const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  for (const c of children) if (isCyclic(c, onPath)) return true;
  onPath.delete(v);
  return false;
}
