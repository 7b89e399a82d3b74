// The JSON Schema diff: walks the original (registered) and the update (candidate) model side by side
// and lists typed differences with their registry paths, as the Schema Registry's JSON Schema diff does.
// The verdict is a policy over these (./index.ts): no difference outside the compatible-change set.
// Content models decide additions and removals: a property added to an open object (no
// additionalProperties/patternProperties/unevaluatedProperties limits) used to accept any value, so
// constraining it is a change; one added to a closed object is new; one added to a partially open object
// must accept what the covering schema accepted. Pure.
import type {
  ArrayNode, CombinedNode, ConstNode, EnumNode, NotNode, NumberNode, ObjectNode, SchemaNode, StringNode,
} from '../../formats/jsonschema/model.js';
import { canonicalJson } from '../../formats/jsonschema/model.js';
import type { JsonDifference, JsonDifferenceType } from './types.js';

class Context {
  readonly diffs: JsonDifference[] = [];
  constructor(
    readonly compatible: ReadonlySet<JsonDifferenceType>,
    readonly path: string[],
    /** pairs being compared further up the stack: a cycle (recursive $ref) is taken as compatible */
    readonly inProgress: Map<SchemaNode, Set<SchemaNode>>,
  ) {}

  sub(): Context {
    return new Context(this.compatible, [...this.path], this.inProgress);
  }

  add(type: JsonDifferenceType, attribute?: string): void {
    const parts = attribute === undefined ? this.path : [...this.path, attribute];
    this.diffs.push({ type, path: `#/${parts.join('/')}` });
  }

  addAll(diffs: readonly JsonDifference[]): void {
    this.diffs.push(...diffs);
  }

  isCompatible(): boolean {
    return this.diffs.every((d) => this.compatible.has(d.type));
  }

  within<T>(segment: string, fn: () => T): T {
    this.path.push(segment);
    try {
      return fn();
    } finally {
      this.path.pop();
    }
  }
}

/** Every difference between `original` and `update`, in the registry's walk order. */
export function diffSchemas(original: SchemaNode, update: SchemaNode, compatible: ReadonlySet<JsonDifferenceType>): JsonDifference[] {
  const ctx = new Context(compatible, [], new Map());
  compare(ctx, original, update);
  return ctx.diffs;
}

function deref(node: SchemaNode): SchemaNode {
  let n = node;
  const seen = new Set<SchemaNode>();
  while (n.kind === 'ref' && n.target && !seen.has(n)) {
    seen.add(n);
    n = n.target;
  }
  return n;
}

/** true: the class of schema the registry's model gives these nodes differs */
function classOf(n: SchemaNode): string {
  return n.kind;
}

function isEmptyLike(n: SchemaNode): boolean {
  return n.kind === 'empty' || n.kind === 'true';
}

function compare(ctx: Context, originalIn: SchemaNode | undefined, updateIn: SchemaNode | undefined): void {
  if (originalIn === undefined && updateIn === undefined) return;
  if (originalIn === undefined) {
    ctx.add('SCHEMA_ADDED');
    return;
  }
  if (updateIn === undefined) {
    ctx.add('SCHEMA_REMOVED');
    return;
  }
  const original = deref(originalIn);
  const update = deref(updateIn);

  if (original.kind !== 'combined' && update.kind === 'combined') {
    const subs = update.subschemas;
    if (subs.length === 1) {
      const sub = ctx.sub();
      compare(sub, original, subs[0]);
      if (sub.isCompatible()) {
        ctx.addAll(sub.diffs);
        return;
      }
    } else if (update.criterion === 'anyOf' || update.criterion === 'oneOf') {
      // a schema that became one branch of a union
      for (const s of subs) {
        const sub = ctx.sub();
        compare(sub, original, s);
        if (sub.isCompatible()) {
          ctx.addAll(sub.diffs);
          ctx.add('SUM_TYPE_EXTENDED');
          return;
        }
      }
    }
  } else if (original.kind === 'combined' && update.kind !== 'combined') {
    const subs = original.subschemas;
    if (subs.length === 1) {
      const sub = ctx.sub();
      compare(sub, subs[0], update);
      if (sub.isCompatible()) {
        ctx.addAll(sub.diffs);
        return;
      }
    } else if (original.criterion === 'allOf') {
      // an allOf that became one of its parts accepts more
      for (const s of subs) {
        const sub = ctx.sub();
        compare(sub, s, update);
        if (sub.isCompatible()) {
          ctx.addAll(sub.diffs);
          ctx.add('PRODUCT_TYPE_NARROWED');
          return;
        }
      }
    }
  }

  if (classOf(original) !== classOf(update)) {
    // `false` accepted nothing and `{}`/`true` accepts everything: neither constrains old data
    if (original.kind === 'false' || isEmptyLike(update)) return;
    ctx.add('TYPE_CHANGED');
    return;
  }

  let seen = ctx.inProgress.get(original);
  if (seen?.has(update)) return;
  if (!seen) {
    seen = new Set();
    ctx.inProgress.set(original, seen);
  }
  seen.add(update);
  try {
    if (original.id !== update.id) ctx.add('ID_CHANGED');
    if (original.title !== update.title) ctx.add('TITLE_CHANGED');
    if (original.description !== update.description) ctx.add('DESCRIPTION_CHANGED');
    if (original.defaultJson !== update.defaultJson) ctx.add('DEFAULT_CHANGED');
    switch (original.kind) {
      case 'string': compareString(ctx, original, update as StringNode); break;
      case 'number': compareNumber(ctx, original, update as NumberNode); break;
      case 'enum': compareEnum(ctx, original, update as EnumNode); break;
      case 'const': compareConst(ctx, original, update as ConstNode); break;
      case 'combined': compareCombined(ctx, original, update as CombinedNode); break;
      case 'not': compareNot(ctx, original, update as NotNode); break;
      case 'object': compareObject(ctx, original, update as ObjectNode); break;
      case 'array': compareArray(ctx, original, update as ArrayNode); break;
      default: break;
    }
  } finally {
    seen.delete(update);
  }
}

// ---- limits ---------------------------------------------------------------------------------------

type LimitTypes = [added: JsonDifferenceType, removed: JsonDifferenceType, increased: JsonDifferenceType, decreased: JsonDifferenceType];

function compareLimit(ctx: Context, attribute: string, o: number | undefined, u: number | undefined, types: LimitTypes): void {
  if (o === u) return;
  if (o === undefined) ctx.add(types[0], attribute);
  else if (u === undefined) ctx.add(types[1], attribute);
  else if (o < u) ctx.add(types[2], attribute);
  else if (o > u) ctx.add(types[3], attribute);
}

function n(v: string | undefined): number | undefined {
  return v === undefined ? undefined : Number(v);
}

function compareString(ctx: Context, o: StringNode, u: StringNode): void {
  compareLimit(ctx, 'maxLength', o.maxLength, u.maxLength, ['MAX_LENGTH_ADDED', 'MAX_LENGTH_REMOVED', 'MAX_LENGTH_INCREASED', 'MAX_LENGTH_DECREASED']);
  compareLimit(ctx, 'minLength', o.minLength, u.minLength, ['MIN_LENGTH_ADDED', 'MIN_LENGTH_REMOVED', 'MIN_LENGTH_INCREASED', 'MIN_LENGTH_DECREASED']);
  // any edit of a pattern is a change: regular languages are not compared
  if (o.pattern === undefined && u.pattern !== undefined) ctx.add('PATTERN_ADDED', 'pattern');
  else if (o.pattern !== undefined && u.pattern === undefined) ctx.add('PATTERN_REMOVED', 'pattern');
  else if (o.pattern !== u.pattern) ctx.add('PATTERN_CHANGED', 'pattern');
}

function compareNumber(ctx: Context, o: NumberNode, u: NumberNode): void {
  compareLimit(ctx, 'maximum', n(o.maximum), n(u.maximum), ['MAXIMUM_ADDED', 'MAXIMUM_REMOVED', 'MAXIMUM_INCREASED', 'MAXIMUM_DECREASED']);
  compareLimit(ctx, 'minimum', n(o.minimum), n(u.minimum), ['MINIMUM_ADDED', 'MINIMUM_REMOVED', 'MINIMUM_INCREASED', 'MINIMUM_DECREASED']);
  compareLimit(ctx, 'exclusiveMaximum', n(o.exclusiveMaximum), n(u.exclusiveMaximum),
    ['EXCLUSIVE_MAXIMUM_ADDED', 'EXCLUSIVE_MAXIMUM_REMOVED', 'EXCLUSIVE_MAXIMUM_INCREASED', 'EXCLUSIVE_MAXIMUM_DECREASED']);
  compareLimit(ctx, 'exclusiveMinimum', n(o.exclusiveMinimum), n(u.exclusiveMinimum),
    ['EXCLUSIVE_MINIMUM_ADDED', 'EXCLUSIVE_MINIMUM_REMOVED', 'EXCLUSIVE_MINIMUM_INCREASED', 'EXCLUSIVE_MINIMUM_DECREASED']);
  const om = o.multipleOf === undefined ? undefined : decimal(o.multipleOf);
  const um = u.multipleOf === undefined ? undefined : decimal(u.multipleOf);
  if (om === undefined && um !== undefined) ctx.add('MULTIPLE_OF_ADDED', 'multipleOf');
  else if (om !== undefined && um === undefined) ctx.add('MULTIPLE_OF_REMOVED', 'multipleOf');
  else if (om !== undefined && um !== undefined && !decimalEquals(om, um)) {
    // compared as exact decimals: 0.5 equals 0.50
    if (isMultiple(um, om)) ctx.add('MULTIPLE_OF_EXPANDED', 'multipleOf');
    else if (isMultiple(om, um)) ctx.add('MULTIPLE_OF_REDUCED', 'multipleOf');
    else ctx.add('MULTIPLE_OF_CHANGED', 'multipleOf');
  }
  if (o.requiresInteger !== u.requiresInteger) ctx.add(o.requiresInteger ? 'TYPE_EXTENDED' : 'TYPE_NARROWED');
}

interface Decimal { int: bigint; scale: number }

function decimal(text: string): Decimal {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return { int: 0n, scale: 0 };
  const frac = m[3] ?? '';
  let int = BigInt(`${m[1] ?? ''}${m[2] ?? '0'}${frac}`);
  let scale = frac.length - Number(m[4] ?? 0);
  if (scale < 0) {
    int *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { int, scale };
}

function align(a: Decimal, b: Decimal): [bigint, bigint] {
  const scale = Math.max(a.scale, b.scale);
  return [a.int * 10n ** BigInt(scale - a.scale), b.int * 10n ** BigInt(scale - b.scale)];
}

function decimalEquals(a: Decimal, b: Decimal): boolean {
  const [x, y] = align(a, b);
  return x === y;
}

/** a is a whole multiple of b */
function isMultiple(a: Decimal, b: Decimal): boolean {
  const [x, y] = align(a, b);
  return y !== 0n && x % y === 0n;
}

// ---- enum, const, not ----------------------------------------------------------------------------

function containsAll(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const v of b) if (!a.has(v)) return false;
  return true;
}

function compareEnum(ctx: Context, o: EnumNode, u: EnumNode): void {
  if (o.values.size === u.values.size && containsAll(o.values, u.values)) return;
  if (containsAll(u.values, o.values)) ctx.add('ENUM_ARRAY_EXTENDED', 'enum');
  else if (containsAll(o.values, u.values)) ctx.add('ENUM_ARRAY_NARROWED', 'enum');
  else ctx.add('ENUM_ARRAY_CHANGED', 'enum');
}

function compareConst(ctx: Context, o: ConstNode, u: ConstNode): void {
  if (o.valueJson !== u.valueJson) ctx.add('ENUM_ARRAY_CHANGED', 'const');
}

function compareNot(ctx: Context, o: NotNode, u: NotNode): void {
  ctx.within('not', () => {
    // `not` reverses the direction: the new excluded set must lie within the old one
    const sub = ctx.sub();
    compare(sub, u.mustNotMatch, o.mustNotMatch);
    ctx.add(sub.isCompatible() ? 'NOT_TYPE_NARROWED' : 'NOT_TYPE_EXTENDED');
  });
}

// ---- allOf / anyOf / oneOf ------------------------------------------------------------------------

function criterionChange(o: CombinedNode, u: CombinedNode): JsonDifferenceType | undefined {
  if (o.criterion === u.criterion) return undefined;
  if (u.criterion === 'anyOf') return 'COMBINED_TYPE_EXTENDED';
  if (u.criterion === 'oneOf') {
    // a value matching a singleton, or every part of an allOf, matches exactly one branch
    return o.subschemas.length === 1 || o.criterion === 'allOf' ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED';
  }
  return o.subschemas.length === 1 && u.subschemas.length === 1 ? 'COMBINED_TYPE_EXTENDED' : 'COMBINED_TYPE_CHANGED';
}

/** Subschemas with structural duplicates collapsed (first occurrence kept). */
function distinct(list: readonly SchemaNode[]): SchemaNode[] {
  const seen = new Set<string>();
  const out: SchemaNode[] = [];
  for (const s of list) {
    const key = structuralKey(s, new Set());
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(s);
  }
  return out;
}

function structuralKey(node: SchemaNode, stack: Set<SchemaNode>): string {
  if (stack.has(node)) return '<cycle>';
  stack.add(node);
  try {
    const entries: Array<[string, unknown]> = [];
    for (const [k, v] of Object.entries(node)) {
      if (k === 'pointer' || k === 'doc' || v === undefined) continue;
      entries.push([k, keyOf(v, stack)]);
    }
    return canonicalJson(Object.fromEntries(entries));
  } finally {
    stack.delete(node);
  }
}

function keyOf(v: unknown, stack: Set<SchemaNode>): unknown {
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, keyOf(x, stack)]);
  if (v instanceof Set) return [...v].map((x) => keyOf(x, stack)).sort();
  if (Array.isArray(v)) return v.map((x) => keyOf(x, stack));
  if (v !== null && typeof v === 'object' && 'kind' in v) return structuralKey(v as SchemaNode, stack);
  return v;
}

function compareCombined(ctx: Context, o: CombinedNode, u: CombinedNode): void {
  const change = criterionChange(o, u);
  if (change !== undefined) ctx.add(change);
  if (change === 'COMBINED_TYPE_CHANGED') return;
  const originals = distinct(o.subschemas);
  const updates = distinct(u.subschemas);
  if (originals.length < updates.length) {
    ctx.add(u.criterion === 'allOf' ? 'PRODUCT_TYPE_EXTENDED' : 'SUM_TYPE_EXTENDED');
  } else if (originals.length > updates.length) {
    ctx.add(o.criterion === 'allOf' || u.criterion === 'allOf' ? 'PRODUCT_TYPE_NARROWED' : 'SUM_TYPE_NARROWED');
  }
  // every compatible (original, update) pair, with its differences
  const edges: Array<{ o: number; u: number; diffs: JsonDifference[] }> = [];
  originals.forEach((os, i) => {
    ctx.within(`${o.criterion}/${i}`, () => {
      updates.forEach((us, j) => {
        const sub = ctx.sub();
        compare(sub, os, us);
        if (sub.isCompatible()) edges.push({ o: i, u: j, diffs: sub.diffs });
      });
    });
  });
  const matching = maximumMatching(originals.length, updates.length, edges);
  for (const e of matching) ctx.addAll(e.diffs);
  if (matching.length < Math.min(originals.length, updates.length)) ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED');
}

/**
 * A maximum-cardinality matching of compatible pairs. Among the maximum matchings it starts from the
 * pairs with the fewest differences (identical branches pair with each other), then augments.
 */
function maximumMatching<E extends { o: number; u: number; diffs: unknown[] }>(left: number, right: number, edges: E[]): E[] {
  const byLeft: E[][] = Array.from({ length: left }, () => []);
  for (const e of [...edges].sort((a, b) => a.diffs.length - b.diffs.length)) byLeft[e.o]?.push(e);
  const matchOfRight: Array<E | undefined> = new Array<E | undefined>(right).fill(undefined);
  const matchOfLeft: Array<E | undefined> = new Array<E | undefined>(left).fill(undefined);
  // greedy seed, cheapest edges first
  for (const e of [...edges].sort((a, b) => a.diffs.length - b.diffs.length)) {
    if (matchOfLeft[e.o] === undefined && matchOfRight[e.u] === undefined) {
      matchOfLeft[e.o] = e;
      matchOfRight[e.u] = e;
    }
  }
  const augment = (l: number, visited: Set<number>): boolean => {
    for (const e of byLeft[l] ?? []) {
      if (visited.has(e.u)) continue;
      visited.add(e.u);
      const holder = matchOfRight[e.u];
      if (holder === undefined || augment(holder.o, visited)) {
        matchOfRight[e.u] = e;
        matchOfLeft[l] = e;
        return true;
      }
    }
    return false;
  };
  for (let l = 0; l < left; l++) if (matchOfLeft[l] === undefined) augment(l, new Set());
  return matchOfLeft.filter((e): e is E => e !== undefined);
}

// ---- objects ------------------------------------------------------------------------------------

function isOpenObject(s: ObjectNode): boolean {
  return s.patternProperties.length === 0 && s.additionalProperties === undefined && s.permitsAdditionalProperties
    && (s.unevaluatedProperties === undefined || isEmptyLike(s.unevaluatedProperties));
}

/** The schema an object applies to a property it does not list, if one (the partially open model). */
function coveringSchema(s: ObjectNode, name: string): SchemaNode | undefined {
  for (const [pattern, schema] of s.patternProperties) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re?.test(name)) return schema;
  }
  if (s.additionalProperties) return s.additionalProperties;
  if (s.permitsAdditionalProperties && s.unevaluatedProperties && !isEmptyLike(s.unevaluatedProperties) && s.unevaluatedProperties.kind !== 'false') {
    return s.unevaluatedProperties;
  }
  return undefined;
}

function hasDefault(s: SchemaNode | undefined): boolean {
  return s !== undefined && s.defaultJson !== undefined;
}

function compareObject(ctx: Context, o: ObjectNode, u: ObjectNode): void {
  ctx.within('required', () => {
    for (const name of o.properties.keys()) {
      if (!u.properties.has(name)) continue;
      const was = o.required.has(name);
      const is = u.required.has(name);
      if (was && !is) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', name);
      else if (!was && is) ctx.add(hasDefault(u.properties.get(name)) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED', name);
    }
  });
  ctx.within('properties', () => {
    const names = new Set([...o.properties.keys(), ...u.properties.keys()]);
    for (const name of names) {
      ctx.within(name, () => compareProperty(ctx, o, u, name));
    }
  });
  ctx.within('dependencies', () => {
    const arrays = new Set([...o.propertyDependencies.keys(), ...u.propertyDependencies.keys()]);
    for (const name of arrays) {
      ctx.within(name, () => {
        const od = o.propertyDependencies.get(name);
        const ud = u.propertyDependencies.get(name);
        if (ud === undefined) ctx.add('DEPENDENCY_ARRAY_REMOVED');
        else if (od === undefined) ctx.add('DEPENDENCY_ARRAY_ADDED');
        else if (!(od.size === ud.size && containsAll(od, ud))) {
          if (containsAll(ud, od)) ctx.add('DEPENDENCY_ARRAY_EXTENDED');
          else if (containsAll(od, ud)) ctx.add('DEPENDENCY_ARRAY_NARROWED');
          else ctx.add('DEPENDENCY_ARRAY_CHANGED');
        }
      });
    }
    const schemas = new Set([...o.schemaDependencies.keys(), ...u.schemaDependencies.keys()]);
    for (const name of schemas) {
      ctx.within(name, () => {
        const os = o.schemaDependencies.get(name);
        const us = u.schemaDependencies.get(name);
        if (us === undefined) ctx.add('DEPENDENCY_SCHEMA_REMOVED');
        else if (os === undefined) ctx.add('DEPENDENCY_SCHEMA_ADDED');
        else compare(ctx, os, us);
      });
    }
  });
  ctx.within('additionalProperties', () => {
    if (o.permitsAdditionalProperties !== u.permitsAdditionalProperties) {
      ctx.add(u.permitsAdditionalProperties ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED');
    } else if (o.additionalProperties === undefined && u.additionalProperties !== undefined) {
      ctx.add('ADDITIONAL_PROPERTIES_NARROWED');
    } else if (u.additionalProperties === undefined && o.additionalProperties !== undefined) {
      ctx.add('ADDITIONAL_PROPERTIES_EXTENDED');
    } else {
      compare(ctx, o.additionalProperties, u.additionalProperties);
    }
  });
  compareUnevaluated(ctx, 'unevaluatedProperties', o.unevaluatedProperties, u.unevaluatedProperties,
    ['UNEVALUATED_PROPERTIES_ADDED', 'UNEVALUATED_PROPERTIES_REMOVED', 'UNEVALUATED_PROPERTIES_EXTENDED', 'UNEVALUATED_PROPERTIES_NARROWED']);
  compareLimit(ctx, 'maxProperties', o.maxProperties, u.maxProperties, ['MAX_PROPERTIES_ADDED', 'MAX_PROPERTIES_REMOVED', 'MAX_PROPERTIES_INCREASED', 'MAX_PROPERTIES_DECREASED']);
  compareLimit(ctx, 'minProperties', o.minProperties, u.minProperties, ['MIN_PROPERTIES_ADDED', 'MIN_PROPERTIES_REMOVED', 'MIN_PROPERTIES_INCREASED', 'MIN_PROPERTIES_DECREASED']);
}

function compareProperty(ctx: Context, o: ObjectNode, u: ObjectNode, name: string): void {
  const os = o.properties.get(name);
  const us = u.properties.get(name);
  if (us === undefined && os !== undefined) {
    // removal: only the update's content model says whether the name may still appear
    if (isOpenObject(u)) {
      ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL');
      return;
    }
    const covering = coveringSchema(u, name);
    if (covering) {
      const sub = ctx.sub();
      compare(sub, os, covering);
      ctx.addAll(sub.diffs);
      ctx.add(sub.isCompatible() ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    } else {
      ctx.add(os.kind === 'false' ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL');
    }
    return;
  }
  if (os === undefined && us !== undefined) {
    // addition: only the original's content model says what old data may hold under this name
    const required = u.required.has(name);
    if (isOpenObject(o)) {
      if (isEmptyLike(deref(us))) ctx.add('PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL');
      else if (required) ctx.add(hasDefault(us) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_OPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
      else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL');
      return;
    }
    const covering = coveringSchema(o, name);
    if (covering) {
      const sub = ctx.sub();
      compare(sub, covering, us);
      ctx.addAll(sub.diffs);
      ctx.add(sub.isCompatible() ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
    }
    if (required) ctx.add(hasDefault(us) ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL' : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
    else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL');
    return;
  }
  compare(ctx, os, us);
}

type UnevaluatedTypes = [added: JsonDifferenceType, removed: JsonDifferenceType, extended: JsonDifferenceType, narrowed: JsonDifferenceType];

function compareUnevaluated(ctx: Context, keyword: string, o: SchemaNode | undefined, u: SchemaNode | undefined, t: UnevaluatedTypes): void {
  if (o === undefined && u === undefined) return;
  ctx.within(keyword, () => {
    if (o === undefined) ctx.add(u?.kind === 'false' ? t[1] : t[3]);
    else if (u === undefined) ctx.add(o.kind === 'false' ? t[0] : t[2]);
    else if (o.kind === 'false' && u.kind !== 'false') ctx.add(t[0]);
    else if (o.kind !== 'false' && u.kind === 'false') ctx.add(t[1]);
    else if (isEmptyLike(o) && !isEmptyLike(u)) ctx.add(t[3]);
    else if (!isEmptyLike(o) && isEmptyLike(u)) ctx.add(t[2]);
    else compare(ctx, o, u);
  });
}

// ---- arrays -------------------------------------------------------------------------------------

function isOpenArray(s: ArrayNode): boolean {
  if (!s.permitsAdditionalItems || s.additionalItems !== undefined) return false;
  return s.unevaluatedItems === undefined || isEmptyLike(s.unevaluatedItems);
}

function coveringItem(s: ArrayNode): SchemaNode | undefined {
  if (s.additionalItems) return s.additionalItems;
  if (s.permitsAdditionalItems && s.unevaluatedItems && s.unevaluatedItems.kind !== 'false' && !isEmptyLike(s.unevaluatedItems)) {
    return s.unevaluatedItems;
  }
  return undefined;
}

function compareArray(ctx: Context, o: ArrayNode, u: ArrayNode): void {
  ctx.within('items', () => compare(ctx, o.allItems, u.allItems));
  const ol = o.itemList ?? [];
  const ul = u.itemList ?? [];
  const common = Math.min(ol.length, ul.length);
  for (let i = 0; i < common; i++) ctx.within(`items/${i}`, () => compare(ctx, ol[i], ul[i]));
  for (let i = common; i < ol.length; i++) {
    const removed = ol[i] as SchemaNode;
    ctx.within(`items/${i}`, () => {
      if (isOpenArray(u)) {
        ctx.add('ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL');
        return;
      }
      const covering = coveringItem(u);
      if (covering) {
        const sub = ctx.sub();
        compare(sub, removed, covering);
        ctx.addAll(sub.diffs);
        ctx.add(sub.isCompatible() ? 'ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
      } else {
        ctx.add(removed.kind === 'false' ? 'ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL');
      }
    });
  }
  for (let i = common; i < ul.length; i++) {
    const added = ul[i] as SchemaNode;
    ctx.within(`items/${i}`, () => {
      if (isOpenArray(o)) {
        ctx.add(isEmptyLike(deref(added)) ? 'ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL');
        return;
      }
      const covering = coveringItem(o);
      if (covering) {
        const sub = ctx.sub();
        compare(sub, covering, added);
        ctx.addAll(sub.diffs);
        ctx.add(sub.isCompatible() ? 'ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL' : 'ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL');
      } else {
        ctx.add('ITEM_ADDED_TO_CLOSED_CONTENT_MODEL');
      }
    });
  }
  ctx.within('additionalItems', () => {
    if (o.permitsAdditionalItems !== u.permitsAdditionalItems) {
      ctx.add(o.permitsAdditionalItems ? 'ADDITIONAL_ITEMS_REMOVED' : 'ADDITIONAL_ITEMS_ADDED');
    } else if (o.additionalItems === undefined && u.additionalItems !== undefined) {
      ctx.add('ADDITIONAL_ITEMS_NARROWED');
    } else if (u.additionalItems === undefined && o.additionalItems !== undefined) {
      ctx.add('ADDITIONAL_ITEMS_EXTENDED');
    } else {
      compare(ctx, o.additionalItems, u.additionalItems);
    }
  });
  compareUnevaluated(ctx, 'unevaluatedItems', o.unevaluatedItems, u.unevaluatedItems,
    ['UNEVALUATED_ITEMS_ADDED', 'UNEVALUATED_ITEMS_REMOVED', 'UNEVALUATED_ITEMS_EXTENDED', 'UNEVALUATED_ITEMS_NARROWED']);
  compareLimit(ctx, 'maxItems', o.maxItems, u.maxItems, ['MAX_ITEMS_ADDED', 'MAX_ITEMS_REMOVED', 'MAX_ITEMS_INCREASED', 'MAX_ITEMS_DECREASED']);
  compareLimit(ctx, 'minItems', o.minItems, u.minItems, ['MIN_ITEMS_ADDED', 'MIN_ITEMS_REMOVED', 'MIN_ITEMS_INCREASED', 'MIN_ITEMS_DECREASED']);
  if (o.uniqueItems !== u.uniqueItems) ctx.add(o.uniqueItems ? 'UNIQUE_ITEMS_REMOVED' : 'UNIQUE_ITEMS_ADDED', 'uniqueItems');
  compareLimit(ctx, 'maxContains', o.maxContains, u.maxContains, ['MAX_CONTAINS_ADDED', 'MAX_CONTAINS_REMOVED', 'MAX_CONTAINS_INCREASED', 'MAX_CONTAINS_DECREASED']);
  compareLimit(ctx, 'minContains', o.minContains, u.minContains, ['MIN_CONTAINS_ADDED', 'MIN_CONTAINS_REMOVED', 'MIN_CONTAINS_INCREASED', 'MIN_CONTAINS_DECREASED']);
}
