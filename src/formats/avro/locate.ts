// Rules and the compatibility checker report JSON pointers; the range is resolved only when a
// finding is rendered. Keeping every document's location tree alive until then costs the lint run
// far more (memory, GC) than re-reading the few files that have findings, so the tree is rebuilt
// on demand and only the last one is cached.

import type { SchemaDocument, SourceRange } from '../../model/types.js';
import type { LocNode } from './json-positions.js';
import { locateInTree, parseJsonWithPositions } from './json-positions.js';

let cached: { text: string; syntax: string; root: LocNode } | undefined;
let idlLocations: ((text: string) => LocNode | undefined) | undefined;

/** Lets the IDL module provide its location trees without an import cycle. */
export function registerIdlLocator(fn: (text: string) => LocNode | undefined): void {
  idlLocations = fn;
}

function treeOf(document: SchemaDocument): LocNode | undefined {
  if (cached && cached.text === document.text && cached.syntax === document.syntax) return cached.root;
  let root: LocNode | undefined;
  if (document.syntax === 'avsc') {
    const parsed = parseJsonWithPositions(document.text, undefined, true);
    root = parsed.ok ? parsed.locations : undefined;
  } else if (document.syntax === 'avdl') {
    root = idlLocations?.(document.text);
  }
  if (root !== undefined) cached = { text: document.text, syntax: document.syntax, root };
  return root;
}

/**
 * The source range of the JSON value at `pointer` in an Avro document (`/fields/2/type` for
 * .avsc, `/types/0/fields/1` for .avdl), or of its nearest ancestor that has one. With
 * `key: true`, the range of the member's key when there is one (.avsc). Undefined when the
 * document is not Avro or its text no longer parses.
 */
export function locateAvroPointer(document: SchemaDocument, pointer: string, opts: { key?: boolean } = {}): SourceRange | undefined {
  if (document.format !== 'avro') return undefined;
  const root = treeOf(document);
  if (root === undefined) return undefined;
  let p = pointer;
  for (;;) {
    const node = locateInTree(root, p);
    if (node !== undefined) return (opts.key ? node.key : undefined) ?? node.value;
    if (p === '' || !p.startsWith('/')) return root.value;
    p = p.slice(0, p.lastIndexOf('/'));
  }
}
