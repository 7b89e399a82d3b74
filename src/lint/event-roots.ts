// Which types are the event (RULES.md, "Which type is the event"). Event-design rules look at these
// roots only, so helper types (Money, Address) are not held to event requirements.
import type { NamedType, SchemaDocument, TypeNode } from '../model/types.js';

/** Collect the full names a type node refers to (refs and inline definitions, recursively). */
export function collectNames(node: TypeNode, out: Set<string>): void {
  switch (node.kind) {
    case 'ref':
    case 'inline':
      out.add(node.fullName);
      return;
    case 'array':
      collectNames(node.items, out);
      return;
    case 'map':
      collectNames(node.values, out);
      return;
    case 'union':
      for (const b of node.branches) collectNames(b, out);
      return;
    case 'primitive':
      return;
  }
}

/** Types referenced from another type's fields (self references do not count). */
function referencedByOthers(doc: SchemaDocument): Set<string> {
  const referenced = new Set<string>();
  const scratch = new Set<string>();
  for (const t of doc.types) {
    if (t.kind !== 'record') continue;
    scratch.clear();
    for (const f of t.fields) collectNames(f.type, scratch);
    for (const name of scratch) if (name !== t.fullName) referenced.add(name);
  }
  return referenced;
}

/**
 * Resolve a catalog selector (`pkg.Message`, `.pkg.Message`, or a simple name when unambiguous) to a
 * type of the document.
 */
export function resolveSelector(doc: SchemaDocument, selector: string): NamedType | undefined {
  const want = selector.startsWith('.') ? selector.slice(1) : selector;
  let suffixHit: NamedType | undefined;
  let suffixCount = 0;
  for (const t of doc.types) {
    if (t.fullName === want) return t;
    if (t.fullName.endsWith('.' + want) || t.name === want) {
      suffixHit = t;
      suffixCount++;
    }
  }
  return suffixCount === 1 ? suffixHit : undefined;
}

/**
 * Message types a Protobuf file's services take or return, including the response and metadata types
 * of long-running methods. They are API messages (`GetBookRequest`, the `Book` a Get returns), not
 * events, whatever their names; the service definitions decide, never a `Request`/`Response` suffix alone.
 */
export function rpcTypeNames(doc: SchemaDocument): string[] {
  const out: string[] = [];
  for (const r of doc.rpcTypes ?? []) if (r.resolved) out.push(r.fullName);
  // `returns (google.longrunning.Operation)` stands for the types its operation_info names
  for (const n of doc.longRunningTypes ?? []) out.push(n);
  return out;
}

/**
 * Types of other files that this document's records use as field types: helpers (`Money`, a shared
 * `Address`), so in a run over many files they are not event roots of their own files either.
 */
export function importedTypeUses(doc: SchemaDocument): string[] {
  const own = new Set(doc.types.map((t) => t.fullName));
  const used = new Set<string>();
  for (const t of doc.types) if (t.kind === 'record') for (const f of t.fields) collectNames(f.type, used);
  const out: string[] = [];
  for (const n of used) if (!own.has(n)) out.push(n);
  return out;
}

/**
 * A record with no fields that only declares nested types (`message BidModifierSourceEnum { enum
 * BidModifierSource {…} }`) is a namespace for those types, not something a stream carries.
 */
function namespaceHolders(doc: SchemaDocument): Set<string> {
  const parents = new Set<string>();
  for (const t of doc.types) if (t.parent !== undefined) parents.add(t.parent);
  const out = new Set<string>();
  for (const t of doc.types) if (t.kind === 'record' && t.fields.length === 0 && parents.has(t.fullName)) out.add(t.fullName);
  return out;
}

/**
 * The default event roots of a document when no catalog selector names one: top-level records no
 * other record of the file uses, minus the file's rpc request/response types and records that only
 * hold nested types. Nested types are never roots.
 */
export function defaultEventRoots(doc: SchemaDocument): string[] {
  const byName = new Map(doc.types.map((t) => [t.fullName, t] as const));
  const holders = namespaceHolders(doc);
  const topRecords = doc.topLevel.filter((n) => {
    const t = byName.get(n);
    return t !== undefined && t.kind === 'record' && t.isError !== true && !holders.has(n);
  });
  if (doc.syntax === 'avsc') return topRecords;
  const referenced = referencedByOthers(doc);
  const roots = topRecords.filter((n) => !referenced.has(n));
  // a cycle among all top-level records leaves no unreferenced one; every one is then a candidate
  const candidates = roots.length > 0 ? roots : topRecords;
  const rpc = rpcTypeNames(doc);
  if (rpc.length === 0) return candidates;
  const api = new Set(rpc);
  return candidates.filter((n) => !api.has(n));
}

export interface EventRootResult {
  roots: Set<string>;
  /** selectors that name no type of the document */
  unresolved: string[];
}

/**
 * Event roots of a document. `selectors` are the `#Type` parts of catalog references to this file;
 * a reference without a selector contributes the default roots.
 */
export function eventRootsOf(doc: SchemaDocument, refs: ReadonlyArray<{ selector?: string }>): EventRootResult {
  const roots = new Set<string>();
  const unresolved: string[] = [];
  let wantDefault = refs.length === 0;
  for (const r of refs) {
    if (r.selector === undefined || r.selector === '') {
      wantDefault = true;
      continue;
    }
    const t = resolveSelector(doc, r.selector);
    if (t === undefined) unresolved.push(r.selector);
    else roots.add(t.fullName);
  }
  if (wantDefault) for (const n of defaultEventRoots(doc)) roots.add(n);
  return { roots, unresolved };
}
