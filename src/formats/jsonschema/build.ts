// Builds the model (./model.ts) from parsed JSON Schema documents, as the registry's provider loads them:
// drafts 4–7 group keywords by the type they constrain (a `type` names the one group that counts,
// without one every group present becomes a schema, several are joined by a synthetic allOf);
// 2019-09/2020-12 turn every keyword into its own schema and merge neighbours of the same type (so an
// empty `properties: {}` contributes nothing and `contains` implies `minContains: 1`). `$ref`s resolve
// inside the document or into the registry references it names. Pure.
import { canonicalJson, dialectOf, pointerToken } from './model.js';
import type {
  ArrayNode, Criterion, Dialect, Draft, NumberNode, ObjectNode, RefNode, SchemaNode, StringNode,
} from './model.js';

export interface LoadedDocument {
  /** '' for the schema itself, else the reference name */
  name: string;
  value: unknown;
  draft: Draft;
}

export interface UnresolvedRef {
  doc: string;
  pointer: string;
  ref: string;
}

const ARRAY_KEYS = ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'];
const OBJECT_KEYS = ['properties', 'patternProperties', 'additionalProperties', 'required', 'minProperties', 'maxProperties', 'dependencies', 'propertyNames'];
const NUMBER_KEYS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'];
const STRING_KEYS = ['minLength', 'maxLength', 'pattern', 'format'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function numText(v: unknown): string | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

/** Loads a schema and the documents it references; every `$ref` node is resolved or reported. */
export class ModelBuilder {
  private readonly docs = new Map<string, LoadedDocument>();
  private readonly cache = new Map<string, Map<string, SchemaNode>>();
  private readonly pending: RefNode[] = [];
  readonly unresolved: UnresolvedRef[] = [];

  constructor(documents: readonly LoadedDocument[]) {
    for (const d of documents) this.docs.set(d.name, d);
  }

  /** The node of the schema at `pointer` in document `doc` (one node per location, shared). */
  nodeAt(doc: string, pointer: string): SchemaNode | undefined {
    let perDoc = this.cache.get(doc);
    if (!perDoc) {
      perDoc = new Map();
      this.cache.set(doc, perDoc);
    }
    const hit = perDoc.get(pointer);
    if (hit) return hit;
    const d = this.docs.get(doc);
    if (!d) return undefined;
    const value = valueAt(d.value, pointer);
    if (value === undefined) return undefined;
    const node = this.build(value, doc, pointer, d.draft, dialectOf(d.draft));
    perDoc.set(pointer, node);
    return node;
  }

  /** Builds the root of `doc` and resolves every reference reachable from it. */
  root(doc = ''): SchemaNode | undefined {
    const node = this.nodeAt(doc, '');
    while (this.pending.length > 0) {
      const ref = this.pending.shift() as RefNode;
      const target = this.resolve(ref);
      if (target) ref.target = target;
      else this.unresolved.push({ doc: ref.doc, pointer: ref.pointer, ref: ref.ref });
    }
    return node;
  }

  private resolve(ref: RefNode): SchemaNode | undefined {
    const hash = ref.ref.indexOf('#');
    const base = hash === -1 ? ref.ref : ref.ref.slice(0, hash);
    const fragment = hash === -1 ? '' : ref.ref.slice(hash + 1);
    let doc = ref.doc;
    if (base !== '') {
      const found = this.documentFor(base, ref.doc);
      if (found === undefined) return undefined;
      doc = found.doc;
      if (found.pointer !== '' && fragment === '') return this.nodeAt(doc, found.pointer);
    }
    if (fragment === '' ) return this.nodeAt(doc, '');
    if (fragment.startsWith('/')) {
      const pointer = fragment.split('/').map((t) => decodeURIComponent(t)).join('/');
      return this.nodeAt(doc, pointer);
    }
    // a plain-name fragment: an `$anchor` (2019-09+) or an `$id: "#name"` (drafts 6/7)
    const d = this.docs.get(doc);
    const at = d ? findAnchor(d.value, fragment) : undefined;
    return at === undefined ? undefined : this.nodeAt(doc, at);
  }

  /** The document (and location in it) a `$ref` base names: a reference by name, or an `$id` inside. */
  private documentFor(base: string, from: string): { doc: string; pointer: string } | undefined {
    if (this.docs.has(base) && base !== '') return { doc: base, pointer: '' };
    for (const [name, d] of this.docs) {
      if (name === '') continue;
      if (sameResource(base, name)) return { doc: name, pointer: '' };
      if (isObject(d.value) && typeof d.value.$id === 'string' && sameResource(base, d.value.$id)) return { doc: name, pointer: '' };
    }
    // an `$id` declared inside the referring document, or its own root id
    const d = this.docs.get(from);
    if (d) {
      const at = findId(d.value, base);
      if (at !== undefined) return { doc: from, pointer: at };
    }
    return undefined;
  }

  private build(value: unknown, doc: string, pointer: string, draft: Draft, dialect: Dialect): SchemaNode {
    if (value === true) return { kind: 'true', pointer, doc };
    if (value === false) return { kind: 'false', pointer, doc };
    if (!isObject(value)) return { kind: 'empty', pointer, doc };
    const node = dialect === 'classic' ? this.buildClassic(value, doc, pointer, draft) : this.buildModern(value, doc, pointer, draft);
    const idKey = draft === 'draft-04' ? 'id' : '$id';
    // the modern reader takes the root `$id` as the document's base URI, not as the schema's id
    if (typeof value[idKey] === 'string' && !(dialect === 'modern' && pointer === '')) node.id = value[idKey];
    if (typeof value.title === 'string') node.title = value.title;
    if (typeof value.description === 'string') node.description = value.description;
    if ('default' in value) node.defaultJson = canonicalJson(value.default);
    return node;
  }

  private child(value: unknown, doc: string, pointer: string, draft: Draft): SchemaNode {
    const perDoc = this.cache.get(doc) ?? new Map<string, SchemaNode>();
    this.cache.set(doc, perDoc);
    const hit = perDoc.get(pointer);
    if (hit) return hit;
    const node = this.build(value, doc, pointer, draft, dialectOf(draft));
    perDoc.set(pointer, node);
    return node;
  }

  private ref(value: string, doc: string, pointer: string): RefNode {
    const node: RefNode = { kind: 'ref', ref: value, pointer, doc };
    this.pending.push(node);
    return node;
  }

  // ---- drafts 4, 6, 7 -------------------------------------------------------------------------------

  private buildClassic(o: Record<string, unknown>, doc: string, p: string, draft: Draft): SchemaNode {
    if (typeof o.$ref === 'string') return this.ref(o.$ref, doc, p);
    const parts: SchemaNode[] = [];
    if (Array.isArray(o.enum)) parts.push({ kind: 'enum', values: new Set(o.enum.map(canonicalJson)), pointer: p, doc });
    for (const c of ['allOf', 'anyOf', 'oneOf'] as const) {
      const list = o[c];
      if (Array.isArray(list)) {
        parts.push({ kind: 'combined', criterion: c, subschemas: list.map((s, i) => this.child(s, doc, `${p}/${c}/${i}`, draft)), pointer: p, doc });
      }
    }
    if ('not' in o) parts.push({ kind: 'not', mustNotMatch: this.child(o.not, doc, `${p}/not`, draft), pointer: p, doc });
    if (draft !== 'draft-04' && 'const' in o) parts.push({ kind: 'const', valueJson: canonicalJson(o.const), pointer: p, doc });
    if (draft === 'draft-07' && 'if' in o) parts.push({ kind: 'conditional', pointer: p, doc });
    const type = o.type;
    if (typeof type === 'string') {
      const typed = this.typed(type, o, doc, p, draft);
      if (typed) parts.push(typed);
    } else if (Array.isArray(type)) {
      const subs = type.filter((t): t is string => typeof t === 'string')
        .map((t) => this.typed(t, o, doc, p, draft))
        .filter((n): n is SchemaNode => n !== undefined);
      parts.push({ kind: 'combined', criterion: 'anyOf', subschemas: subs, pointer: p, doc, generated: true });
    } else {
      if (ARRAY_KEYS.some((k) => k in o)) parts.push(this.arrayNode(o, doc, p, draft));
      if (OBJECT_KEYS.some((k) => k in o)) parts.push(this.objectNode(o, doc, p, draft));
      if (NUMBER_KEYS.some((k) => k in o)) parts.push(this.numberNode(o, doc, p, false, draft));
      if (STRING_KEYS.some((k) => k in o)) parts.push(this.stringNode(o, doc, p));
    }
    if (parts.length === 0) return { kind: 'empty', pointer: p, doc };
    if (parts.length === 1) return parts[0] as SchemaNode;
    return { kind: 'combined', criterion: 'allOf', subschemas: parts, pointer: p, doc, generated: true };
  }

  private typed(type: string, o: Record<string, unknown>, doc: string, p: string, draft: Draft): SchemaNode | undefined {
    switch (type) {
      case 'string': return this.stringNode(o, doc, p);
      case 'integer': return this.numberNode(o, doc, p, true, draft);
      case 'number': return this.numberNode(o, doc, p, false, draft);
      case 'object': return this.objectNode(o, doc, p, draft);
      case 'array': return this.arrayNode(o, doc, p, draft);
      case 'boolean': return { kind: 'boolean', pointer: p, doc };
      case 'null': return { kind: 'null', pointer: p, doc };
      default: return undefined;
    }
  }

  private stringNode(o: Record<string, unknown>, doc: string, p: string): StringNode {
    const n: StringNode = { kind: 'string', pointer: p, doc };
    const min = num(o.minLength);
    const max = num(o.maxLength);
    if (min !== undefined) n.minLength = min;
    if (max !== undefined) n.maxLength = max;
    if (typeof o.pattern === 'string') n.pattern = o.pattern;
    return n;
  }

  private numberNode(o: Record<string, unknown>, doc: string, p: string, integer: boolean, draft: Draft): NumberNode {
    const n: NumberNode = { kind: 'number', requiresInteger: integer, pointer: p, doc };
    const min = numText(o.minimum);
    const max = numText(o.maximum);
    if (min !== undefined) n.minimum = min;
    if (max !== undefined) n.maximum = max;
    // draft 4's exclusiveMinimum/Maximum are booleans that modify minimum/maximum, not limits
    if (draft !== 'draft-04') {
      const emin = numText(o.exclusiveMinimum);
      const emax = numText(o.exclusiveMaximum);
      if (emin !== undefined) n.exclusiveMinimum = emin;
      if (emax !== undefined) n.exclusiveMaximum = emax;
    }
    const mult = numText(o.multipleOf);
    if (mult !== undefined) n.multipleOf = mult;
    return n;
  }

  private emptyObject(doc: string, p: string): ObjectNode {
    return {
      kind: 'object', pointer: p, doc, properties: new Map(), patternProperties: [], permitsAdditionalProperties: true,
      required: new Set(), propertyDependencies: new Map(), schemaDependencies: new Map(),
    };
  }

  private objectNode(o: Record<string, unknown>, doc: string, p: string, draft: Draft): ObjectNode {
    const n = this.emptyObject(doc, p);
    if (isObject(o.properties)) {
      for (const [k, v] of Object.entries(o.properties)) n.properties.set(k, this.child(v, doc, `${p}/properties/${pointerToken(k)}`, draft));
    }
    if (isObject(o.patternProperties)) {
      for (const [k, v] of Object.entries(o.patternProperties)) n.patternProperties.push([k, this.child(v, doc, `${p}/patternProperties/${pointerToken(k)}`, draft)]);
    }
    this.additionalProperties(n, o.additionalProperties, doc, `${p}/additionalProperties`, draft);
    if (Array.isArray(o.required)) for (const r of o.required) if (typeof r === 'string') n.required.add(r);
    const min = num(o.minProperties);
    const max = num(o.maxProperties);
    if (min !== undefined) n.minProperties = min;
    if (max !== undefined) n.maxProperties = max;
    if (isObject(o.dependencies)) this.dependencies(n, o.dependencies, doc, `${p}/dependencies`, draft);
    return n;
  }

  private additionalProperties(n: ObjectNode, v: unknown, doc: string, p: string, draft: Draft): void {
    if (v === false) n.permitsAdditionalProperties = false;
    else if (isObject(v)) n.additionalProperties = this.child(v, doc, p, draft);
  }

  private dependencies(n: ObjectNode, deps: Record<string, unknown>, doc: string, p: string, draft: Draft): void {
    for (const [k, v] of Object.entries(deps)) {
      if (Array.isArray(v)) n.propertyDependencies.set(k, new Set(v.filter((x): x is string => typeof x === 'string')));
      else n.schemaDependencies.set(k, this.child(v, doc, `${p}/${pointerToken(k)}`, draft));
    }
  }

  private emptyArray(doc: string, p: string): ArrayNode {
    return { kind: 'array', pointer: p, doc, permitsAdditionalItems: true, uniqueItems: false };
  }

  private arrayNode(o: Record<string, unknown>, doc: string, p: string, draft: Draft): ArrayNode {
    const n = this.emptyArray(doc, p);
    if (Array.isArray(o.items)) n.itemList = o.items.map((s, i) => this.child(s, doc, `${p}/items/${i}`, draft));
    else if ('items' in o) n.allItems = this.child(o.items, doc, `${p}/items`, draft);
    if (o.additionalItems === false) n.permitsAdditionalItems = false;
    else if (isObject(o.additionalItems)) n.additionalItems = this.child(o.additionalItems, doc, `${p}/additionalItems`, draft);
    const min = num(o.minItems);
    const max = num(o.maxItems);
    if (min !== undefined) n.minItems = min;
    if (max !== undefined) n.maxItems = max;
    n.uniqueItems = o.uniqueItems === true;
    // drafts 4–7 do not know minContains/maxContains; the registry still reads them as plain numbers
    const minC = num(o.minContains);
    const maxC = num(o.maxContains);
    if (minC !== undefined) n.minContains = minC;
    if (maxC !== undefined) n.maxContains = maxC;
    return n;
  }

  // ---- 2019-09, 2020-12 ----------------------------------------------------------------------------

  private buildModern(o: Record<string, unknown>, doc: string, p: string, draft: Draft): SchemaNode {
    const parts: SchemaNode[] = [];
    const add = (part: SchemaNode): void => {
      mergeInto(parts, part);
    };
    const prefixCount = Array.isArray(o.prefixItems) ? o.prefixItems.length : 0;
    for (const key of Object.keys(o)) {
      const v = o[key];
      switch (key) {
        case '$ref':
          if (typeof v === 'string') add(this.ref(v, doc, p));
          break;
        case 'type':
          if (typeof v === 'string') {
            const t = this.typed(v, {}, doc, p, draft);
            if (t) add(t);
          } else if (Array.isArray(v)) {
            const subs = v.filter((t): t is string => typeof t === 'string').map((t) => this.typed(t, {}, doc, p, draft)).filter((x): x is SchemaNode => x !== undefined);
            add({ kind: 'combined', criterion: 'anyOf', subschemas: subs, pointer: p, doc, generated: true });
          }
          break;
        case 'enum':
          if (Array.isArray(v)) add({ kind: 'enum', values: new Set(v.map(canonicalJson)), pointer: p, doc });
          break;
        case 'const':
          add({ kind: 'const', valueJson: canonicalJson(v), pointer: p, doc });
          break;
        case 'allOf': case 'anyOf': case 'oneOf':
          if (Array.isArray(v)) add({ kind: 'combined', criterion: key as Criterion, subschemas: v.map((s, i) => this.child(s, doc, `${p}/${key}/${i}`, draft)), pointer: p, doc });
          break;
        case 'not':
          add({ kind: 'not', mustNotMatch: this.child(v, doc, `${p}/not`, draft), pointer: p, doc });
          break;
        case 'if':
          add({ kind: 'conditional', pointer: p, doc });
          break;
        case 'minLength': case 'maxLength': case 'pattern':
          add(this.stringNode({ [key]: v }, doc, p));
          break;
        case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum': case 'multipleOf':
          add(this.numberNode({ [key]: v }, doc, p, false, draft));
          break;
        case 'properties':
          if (isObject(v)) {
            for (const [k, s] of Object.entries(v)) {
              const n = this.emptyObject(doc, p);
              n.properties.set(k, this.child(s, doc, `${p}/properties/${pointerToken(k)}`, draft));
              add(n);
            }
          }
          break;
        case 'patternProperties':
          if (isObject(v)) {
            for (const [k, s] of Object.entries(v)) {
              const n = this.emptyObject(doc, p);
              n.patternProperties.push([k, this.child(s, doc, `${p}/patternProperties/${pointerToken(k)}`, draft)]);
              add(n);
            }
          }
          break;
        case 'additionalProperties': {
          const n = this.emptyObject(doc, p);
          this.additionalProperties(n, v, doc, `${p}/additionalProperties`, draft);
          add(n);
          break;
        }
        case 'unevaluatedProperties': {
          const n = this.emptyObject(doc, p);
          n.unevaluatedProperties = this.child(v, doc, `${p}/unevaluatedProperties`, draft);
          add(n);
          break;
        }
        case 'required': case 'minProperties': case 'maxProperties': case 'propertyNames':
          add(this.objectNode({ [key]: v }, doc, p, draft));
          break;
        case 'dependentRequired': case 'dependentSchemas': case 'dependencies': {
          const n = this.emptyObject(doc, p);
          if (isObject(v)) this.dependencies(n, v, doc, `${p}/${key}`, draft);
          add(n);
          break;
        }
        case 'prefixItems':
          if (Array.isArray(v)) {
            const n = this.emptyArray(doc, p);
            n.itemList = v.map((s, i) => this.child(s, doc, `${p}/prefixItems/${i}`, draft));
            add(n);
          }
          break;
        case 'items': {
          const n = this.emptyArray(doc, p);
          if (Array.isArray(v)) n.itemList = v.map((s, i) => this.child(s, doc, `${p}/items/${i}`, draft));
          else if (v === false) n.permitsAdditionalItems = false;
          else if (v !== true) {
            const s = this.child(v, doc, `${p}/items`, draft);
            if (prefixCount === 0) n.allItems = s;
            else n.additionalItems = s;
          }
          add(n);
          break;
        }
        case 'additionalItems': {
          const n = this.emptyArray(doc, p);
          if (v === false) n.permitsAdditionalItems = false;
          else if (isObject(v)) n.additionalItems = this.child(v, doc, `${p}/additionalItems`, draft);
          add(n);
          break;
        }
        case 'unevaluatedItems': {
          const n = this.emptyArray(doc, p);
          n.unevaluatedItems = this.child(v, doc, `${p}/unevaluatedItems`, draft);
          add(n);
          break;
        }
        case 'minItems': case 'maxItems': case 'uniqueItems':
          add(this.arrayNode({ [key]: v }, doc, p, draft));
          break;
        case 'contains': {
          // the modern reader gives `contains` a minContains of 1 when none is written
          const n = this.emptyArray(doc, p);
          n.minContains = num(o.minContains) ?? 1;
          const maxC = num(o.maxContains);
          if (maxC !== undefined) n.maxContains = maxC;
          add(n);
          break;
        }
        default:
          break;
      }
    }
    if (parts.length === 0) return { kind: 'empty', pointer: p, doc };
    if (parts.length === 1) return parts[0] as SchemaNode;
    return { kind: 'combined', criterion: 'allOf', subschemas: parts, pointer: p, doc, generated: true };
  }
}

/** Merges a keyword's schema into the schemas built so far: same-type schemas become one. */
function mergeInto(parts: SchemaNode[], part: SchemaNode): void {
  for (const existing of parts) {
    if (mergeSame(existing, part)) return;
  }
  // a `type` list takes the keywords of each of its types
  if (parts.length === 1) {
    const only = parts[0] as SchemaNode;
    if (only.kind === 'combined' && only.generated) {
      for (const sub of only.subschemas) if (mergeSame(sub, part)) return;
    }
    if (part.kind === 'combined' && part.generated) {
      for (const sub of part.subschemas) {
        if (mergeSame(sub, only)) {
          parts[0] = part;
          return;
        }
      }
    }
  }
  parts.push(part);
}

function mergeSame(into: SchemaNode, from: SchemaNode): boolean {
  if (into.kind !== from.kind) return false;
  switch (into.kind) {
    case 'string': {
      const f = from as StringNode;
      if (f.minLength !== undefined) into.minLength = f.minLength;
      if (f.maxLength !== undefined) into.maxLength = f.maxLength;
      if (f.pattern !== undefined) into.pattern = f.pattern;
      return true;
    }
    case 'number': {
      const f = from as NumberNode;
      into.requiresInteger = into.requiresInteger || f.requiresInteger;
      for (const k of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const) {
        if (f[k] !== undefined) into[k] = f[k];
      }
      return true;
    }
    case 'object': {
      const f = from as ObjectNode;
      for (const [k, v] of f.properties) into.properties.set(k, v);
      into.patternProperties.push(...f.patternProperties);
      if (!f.permitsAdditionalProperties) into.permitsAdditionalProperties = false;
      if (f.additionalProperties) into.additionalProperties = f.additionalProperties;
      if (f.unevaluatedProperties) into.unevaluatedProperties = f.unevaluatedProperties;
      for (const r of f.required) into.required.add(r);
      if (f.minProperties !== undefined) into.minProperties = f.minProperties;
      if (f.maxProperties !== undefined) into.maxProperties = f.maxProperties;
      for (const [k, v] of f.propertyDependencies) into.propertyDependencies.set(k, v);
      for (const [k, v] of f.schemaDependencies) into.schemaDependencies.set(k, v);
      return true;
    }
    case 'array': {
      const f = from as ArrayNode;
      if (f.allItems) into.allItems = f.allItems;
      if (f.itemList) into.itemList = [...(into.itemList ?? []), ...f.itemList];
      if (!f.permitsAdditionalItems) into.permitsAdditionalItems = false;
      if (f.additionalItems) into.additionalItems = f.additionalItems;
      if (f.unevaluatedItems) into.unevaluatedItems = f.unevaluatedItems;
      if (f.minItems !== undefined) into.minItems = f.minItems;
      if (f.maxItems !== undefined) into.maxItems = f.maxItems;
      if (f.uniqueItems) into.uniqueItems = true;
      if (f.minContains !== undefined) into.minContains = f.minContains;
      if (f.maxContains !== undefined) into.maxContains = f.maxContains;
      return true;
    }
    default:
      return false;
  }
}

/** The value at a JSON pointer ('' = the root). */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let v: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(v)) {
      if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
      v = v[Number(token)];
    } else if (isObject(v)) {
      if (!Object.prototype.hasOwnProperty.call(v, token)) return undefined;
      v = v[token];
    } else return undefined;
    if (v === undefined) return undefined;
  }
  return v;
}

function sameResource(a: string, b: string): boolean {
  const strip = (s: string): string => s.replace(/#$/, '');
  if (strip(a) === strip(b)) return true;
  // a relative `$ref` names the last path segment of an absolute reference or `$id`
  const last = (s: string): string => strip(s).split('/').pop() ?? s;
  return !a.includes(':') && last(b) === strip(a);
}

/** Pointer of the subschema whose `$anchor` (or draft 6/7 `$id: "#name"`) is `name`. */
function findAnchor(root: unknown, name: string): string | undefined {
  return findWhere(root, '', (o) => o.$anchor === name || o.$id === `#${name}` || o.id === `#${name}`);
}

function findId(root: unknown, id: string): string | undefined {
  return findWhere(root, '', (o) => (typeof o.$id === 'string' && sameResource(id, o.$id)) || (typeof o.id === 'string' && sameResource(id, o.id)));
}

function findWhere(v: unknown, pointer: string, test: (o: Record<string, unknown>) => boolean): string | undefined {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findWhere(v[i], `${pointer}/${i}`, test);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (!isObject(v)) return undefined;
  if (test(v)) return pointer;
  for (const [k, child] of Object.entries(v)) {
    // values of these keywords are data, not schemas
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples') continue;
    const hit = findWhere(child, `${pointer}/${pointerToken(k)}`, test);
    if (hit !== undefined) return hit;
  }
  return undefined;
}
