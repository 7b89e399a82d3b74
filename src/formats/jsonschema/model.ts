// The JSON Schema model the compatibility checker compares: one node per schema, typed the way the
// Schema Registry's JSON Schema provider sees a schema (a string, number, object, array, enum, const,
// combined, not, reference, conditional, empty, true or false schema), built from the parsed document.
// The registry reads drafts 4, 6 and 7 with one loader and 2019-09/2020-12 through a translation of a
// newer reader into the same shapes; the two differ in small, observable ways that the compatibility
// verdicts depend on, and `buildModel` reproduces both (see `Dialect`). Pure: JSON value in, nodes out.

export type Draft = 'draft-04' | 'draft-06' | 'draft-07' | 'draft-2019-09' | 'draft-2020-12';

/**
 * `classic`: drafts 4–7 (keywords grouped by the type they constrain, one schema per group, several
 * groups joined by a synthetic allOf). `modern`: 2019-09 and 2020-12 (every keyword is its own schema,
 * then merged with its neighbours of the same type).
 */
export type Dialect = 'classic' | 'modern';

export function dialectOf(draft: Draft): Dialect {
  return draft === 'draft-2019-09' || draft === 'draft-2020-12' ? 'modern' : 'classic';
}

export type Criterion = 'allOf' | 'anyOf' | 'oneOf';

interface Base {
  /** JSON pointer of the schema in its document ('' is the root), for positions */
  pointer: string;
  /** the document the node comes from ('' = the schema itself, else a reference name) */
  doc: string;
  id?: string;
  title?: string;
  description?: string;
  /** `default`, canonical JSON text (absent: no default) */
  defaultJson?: string;
}

export interface EmptyNode extends Base { kind: 'empty' }
/** `true`: accepts everything, like `{}` (the registry treats it as a kind of empty schema) */
export interface TrueNode extends Base { kind: 'true' }
export interface FalseNode extends Base { kind: 'false' }
export interface NullNode extends Base { kind: 'null' }
export interface BooleanNode extends Base { kind: 'boolean' }

export interface StringNode extends Base {
  kind: 'string';
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export interface NumberNode extends Base {
  kind: 'number';
  requiresInteger: boolean;
  /** numbers as written (decimal text), compared numerically */
  minimum?: string;
  maximum?: string;
  exclusiveMinimum?: string;
  exclusiveMaximum?: string;
  multipleOf?: string;
}

export interface ObjectNode extends Base {
  kind: 'object';
  properties: Map<string, SchemaNode>;
  patternProperties: Array<[string, SchemaNode]>;
  /** false: `additionalProperties: false` */
  permitsAdditionalProperties: boolean;
  /** a schema for additional properties (not `true`/`false`) */
  additionalProperties?: SchemaNode;
  /** `unevaluatedProperties` as a schema (modern dialect only; the classic one ignores the keyword) */
  unevaluatedProperties?: SchemaNode;
  required: Set<string>;
  minProperties?: number;
  maxProperties?: number;
  propertyDependencies: Map<string, Set<string>>;
  schemaDependencies: Map<string, SchemaNode>;
}

export interface ArrayNode extends Base {
  kind: 'array';
  /** `items` as one schema for every item */
  allItems?: SchemaNode;
  /** positional item schemas (`items: [...]`, `prefixItems`) */
  itemList?: SchemaNode[];
  permitsAdditionalItems: boolean;
  additionalItems?: SchemaNode;
  unevaluatedItems?: SchemaNode;
  minItems?: number;
  maxItems?: number;
  uniqueItems: boolean;
  minContains?: number;
  maxContains?: number;
}

export interface EnumNode extends Base {
  kind: 'enum';
  /** canonical JSON of each value */
  values: Set<string>;
}

export interface ConstNode extends Base {
  kind: 'const';
  valueJson: string;
}

export interface CombinedNode extends Base {
  kind: 'combined';
  criterion: Criterion;
  subschemas: SchemaNode[];
  /** made by the reader (a `type` list, several keyword groups), not written as allOf/anyOf/oneOf */
  generated?: boolean;
}

export interface NotNode extends Base {
  kind: 'not';
  mustNotMatch: SchemaNode;
}

export interface RefNode extends Base {
  kind: 'ref';
  ref: string;
  /** set once the document is loaded; undefined only while loading */
  target?: SchemaNode;
}

export interface ConditionalNode extends Base { kind: 'conditional' }

export type SchemaNode =
  | EmptyNode | TrueNode | FalseNode | NullNode | BooleanNode | StringNode | NumberNode | ObjectNode
  | ArrayNode | EnumNode | ConstNode | CombinedNode | NotNode | RefNode | ConditionalNode;

/** JSON text with object keys sorted, so structurally equal values compare equal. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  if (typeof value === 'number') return numberText(value);
  return JSON.stringify(value) ?? 'null';
}

function numberText(n: number): string {
  // 1 and 1.0 are the same JSON number
  return Number.isInteger(n) ? String(n) : String(n);
}

/** Escape one reference token of a JSON pointer (RFC 6901). */
export function pointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
