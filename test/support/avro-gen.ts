// Seeded generator of Avro schemas for differential tests against Avro Java: mostly plausible
// records, with a controlled share of every construct whose validity is subtle (defaults of every
// kind on every type, union defaults on later branches, names outside ASCII or invalid, order
// spellings, fixed sizes, enum defaults, forward and unknown references, JSON comments).

export class Rng {
  constructor(private state: number) {}
  next(): number {
    // mulberry32
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const GOOD_NAMES = ['id', 'name', 'amount', 'created_at', 'status', 'Order', 'Line', '_x', 'a1', 'Größe', 'Пример', '名前'];
const BAD_NAMES = ['1abc', 'a-b', '', 'a b', 'é-x'];
const NAMESPACES: unknown[] = ['com.acme', 'com.acme.orders', 'com.acme', '', 'größe.ns', 'a..b', '1a.b', 5, null, 'org.x', 'org.y'];
const PRIMITIVES = ['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'];
const ORDERS: unknown[] = ['ascending', 'descending', 'ignore', 'DESCENDING', 'Ignore', 'up', 5];
const DEFAULTS: unknown[] = [
  null, true, false, 0, 1, -1, 2147483647, 2147483648, '1.0', 1.5, 'NaN', 'Infinity', 'abc', '', 'ab', '\u00ff', '\u0100',
  [], [1, 2], ['x'], [null], {}, { a: 1 }, { x: 1, y: 'z' }, 'A', 'B', 'Z',
];
// numbers whose written form matters (Avro Java keeps the JSON token's kind)
const RAW_NUMBERS = ['1.0', '1e2', '9223372036854775807', '9223372036854775808', '-0', '2.5E3'];

interface Ctx {
  rng: Rng;
  defined: string[];
  counter: number;
  raw: Map<string, string>;
}

function name(ctx: Ctx, bad = 0.012): string {
  return ctx.rng.chance(bad) ? ctx.rng.pick(BAD_NAMES) : ctx.rng.pick(GOOD_NAMES);
}

function typeName(ctx: Ctx): string {
  ctx.counter++;
  const base = ctx.rng.chance(0.015) ? ctx.rng.pick(BAD_NAMES) : ctx.rng.chance(0.08) ? `Größe${ctx.counter}` : `T${ctx.counter}`;
  return base;
}

function rawNumber(ctx: Ctx): unknown {
  // a placeholder string replaced by the raw number token after JSON.stringify
  const token = `@@RAW${ctx.raw.size}@@`;
  ctx.raw.set(token, ctx.rng.pick(RAW_NUMBERS));
  return token;
}

function defaultFor(ctx: Ctx, type: unknown, depth: number): unknown {
  const r = ctx.rng;
  if (r.chance(0.12)) return r.chance(0.2) ? rawNumber(ctx) : r.pick(DEFAULTS);
  // a plausible default of the type (valid or close to it)
  if (typeof type === 'string') {
    switch (type) {
      case 'null': return null;
      case 'boolean': return r.chance(0.5);
      case 'int': case 'long': return r.int(100);
      case 'float': case 'double': return r.chance(0.8) ? r.int(100) / 4 : 'NaN';
      case 'bytes': case 'string': return r.pick(['', 'abc', '\u00ff']);
      default: return r.pick(['A', 'B', {}, 'ab']);
    }
  }
  if (Array.isArray(type)) {
    const branch = type[r.chance(0.6) ? 0 : r.int(type.length)];
    return depth > 3 ? null : defaultFor(ctx, branch, depth + 1);
  }
  if (type && typeof type === 'object') {
    const o = type as Record<string, unknown>;
    switch (o.type) {
      case 'array': return depth > 3 ? [] : [defaultFor(ctx, o.items, depth + 1)];
      case 'map': return depth > 3 ? {} : { k: defaultFor(ctx, o.values, depth + 1) };
      case 'enum': return r.pick([...(o.symbols as string[]), 'NOPE']);
      case 'fixed': return 'x'.repeat(typeof o.size === 'number' && o.size > 0 ? o.size : 1);
      case 'record': {
        const out: Record<string, unknown> = {};
        for (const f of (o.fields as Array<Record<string, unknown>>) ?? []) if (r.chance(0.85)) out[String(f.name)] = defaultFor(ctx, f.type, depth + 1);
        return out;
      }
      default: return defaultFor(ctx, o.type, depth + 1);
    }
  }
  return null;
}

function genType(ctx: Ctx, depth: number): unknown {
  const r = ctx.rng;
  const roll = r.next();
  if (depth > 3 || roll < 0.35) {
    if (ctx.defined.length > 0 && r.chance(0.15)) return r.pick(ctx.defined);
    if (r.chance(0.02)) return 'Unknown';
    return r.pick(PRIMITIVES);
  }
  if (roll < 0.45) {
    return r.pick([
      { type: 'long', logicalType: 'timestamp-millis' },
      { type: 'int', logicalType: 'date' },
      { type: 'string', logicalType: 'uuid' },
      { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 },
      { type: 'bytes', logicalType: 'decimal', precision: 2, scale: 5 },
      { type: 'string', logicalType: 'date' },
    ]);
  }
  if (roll < 0.6) {
    const branches: unknown[] = [];
    const n = 1 + r.int(3);
    if (r.chance(0.7)) branches.push('null');
    for (let i = 0; i < n; i++) branches.push(genType(ctx, depth + 2));
    if (r.chance(0.05)) branches.push(r.pick(['int', ['string']]));
    return branches;
  }
  if (roll < 0.67) return { type: 'array', items: genType(ctx, depth + 1) };
  if (roll < 0.72) return { type: 'map', values: genType(ctx, depth + 1) };
  if (roll < 0.8) {
    const n = typeName(ctx);
    const symbols = r.chance(0.05) ? ['A', 'A'] : r.chance(0.05) ? ['A', '1B'] : r.chance(0.05) ? ['A', 'Ä'] : ['A', 'B', 'C'];
    const e: Record<string, unknown> = { type: 'enum', name: n, symbols };
    if (r.chance(0.2)) e.default = r.pick(['A', 'Z', 1]);
    ctx.defined.push(n);
    return e;
  }
  if (roll < 0.86) {
    const n = typeName(ctx);
    ctx.defined.push(n);
    return { type: 'fixed', name: n, size: r.chance(0.9) ? r.pick([1, 2, 4, 16]) : r.pick([-1, 0, rawNumber(ctx), '2']) };
  }
  if (r.chance(0.03)) {
    // forward reference: used here, defined by a later field
    return `Later${ctx.counter}`;
  }
  return genRecord(ctx, depth + 1);
}

function genRecord(ctx: Ctx, depth: number): Record<string, unknown> {
  const r = ctx.rng;
  const n = typeName(ctx);
  const rec: Record<string, unknown> = { type: r.chance(0.03) ? 'error' : 'record', name: n };
  if (depth === 0 || r.chance(0.1)) {
    const ns = r.pick(NAMESPACES);
    if (ns !== undefined) rec.namespace = ns;
  }
  if (r.chance(0.05)) rec.aliases = r.pick([['Old'], ['a-b'], 'Old', ['com.acme.Old']]);
  if (r.chance(0.05)) rec.doc = r.pick(['A record.', 5]);
  ctx.defined.push(n);
  const fields: Array<Record<string, unknown>> = [];
  const count = r.int(5) + (depth === 0 ? 1 : 0);
  for (let i = 0; i < count; i++) {
    const fname = r.chance(0.03) && fields.length > 0 ? String(fields[0]!.name) : `${name(ctx)}${r.chance(0.8) ? i : ''}`;
    const type = genType(ctx, depth + 1);
    const f: Record<string, unknown> = { name: fname, type };
    if (r.chance(0.3)) f.default = defaultFor(ctx, type, 0);
    if (r.chance(0.08)) f.order = r.pick(ORDERS);
    if (r.chance(0.04)) f.aliases = r.pick([['old_name'], ['a-b'], ['old_name'], [1]]);
    fields.push(f);
  }
  // define what forward references named
  for (const f of fields) {
    const t = f.type;
    if (typeof t === 'string' && t.startsWith('Later')) {
      fields.push({ name: `later_${fields.length}`, type: { type: 'record', name: t, fields: [] } });
      break;
    }
  }
  rec.fields = fields;
  return rec;
}

/** One .avsc text, usually a record; `seed` makes it reproducible. */
export function generateAvsc(seed: number): string {
  const ctx: Ctx = { rng: new Rng(seed), defined: [], counter: 0, raw: new Map() };
  const r = ctx.rng;
  let root: unknown = r.chance(0.93) ? genRecord(ctx, 0) : genType(ctx, 2);
  if (r.chance(0.02)) root = [root, 'null'];
  let text = JSON.stringify(root, null, r.chance(0.5) ? 2 : undefined);
  for (const [token, raw] of ctx.raw) text = text.split(`"${token}"`).join(raw);
  if (r.chance(0.03)) text = `// generated ${seed}\n${text}`;
  if (r.chance(0.01)) text = `/* generated */ ${text}`;
  return text;
}

const IDL_PRIMS = ['boolean', 'int', 'long', 'float', 'double', 'bytes', 'string', 'date', 'time_ms', 'timestamp_ms', 'uuid', 'decimal(9,2)'];
const IDL_DEFAULTS = ['null', '0', '1', '1.0', '"x"', '""', 'true', '[]', '{}', '"A"', 'NaN', '-Infinity', '[1]', '{"a": 1}', '2147483648', '"\\u0100"'];

/** One .avdl text (protocol or schema syntax). */
export function generateAvdl(seed: number): string {
  const r = new Rng(seed);
  const defined: string[] = [];
  const decls: string[] = [];
  // backquotes only around identifiers: Avro Java's IDL reader recovers from a token error inside them
  // and accepts the file (a deviation the README documents), so that case is not generated
  const ident = (n: string): string => (r.chance(0.1) && /^[\p{L}_][\p{L}\p{Nd}_]*$/u.test(n) ? `\`${n}\`` : n);
  const fieldType = (depth: number): string => {
    const roll = r.next();
    if (depth > 2 || roll < 0.45) return r.pick(IDL_PRIMS);
    if (roll < 0.6 && defined.length > 0) return r.chance(0.05) ? `@foo("bar") ${r.pick(defined)}` : r.pick(defined);
    if (roll < 0.7) return `array<${fieldType(depth + 1)}>`;
    if (roll < 0.78) return `map<${fieldType(depth + 1)}>`;
    // not a union inside a union: Avro Java 1.12.1's IDL reader turns it into an empty union (a defect
    // the README documents), schemactl refuses it
    if (roll < 0.9) return `union { null, ${branchType(depth + 1)}${r.chance(0.3) ? `, ${branchType(depth + 1)}` : ''} }`;
    if (roll < 0.95) return `@java-class("x") ${r.pick(['string', 'int'])}`;
    return r.chance(0.5) ? 'Unknown' : r.pick(IDL_PRIMS);
  };
  const branchType = (depth: number): string => {
    for (;;) {
      const t = fieldType(depth);
      if (!t.startsWith('union')) return t;
    }
  };
  const count = 1 + r.int(4);
  for (let t = 0; t < count; t++) {
    const kind = r.pick(['record', 'record', 'record', 'enum', 'fixed', 'error']);
    const n = r.chance(0.1) ? r.pick(['Größe', 'Пример', 'Bad-Name', 'Größe']) + t : `T${t}`;
    const annotations = r.chance(0.2) ? `@namespace("${r.pick(['com.acme', 'org.x.y', '1bad'])}") ` : r.chance(0.1) ? '@aliases(["Old"]) ' : '';
    if (kind === 'enum') {
      const syms = r.chance(0.1) ? 'A, A' : 'A, B, C';
      decls.push(`${annotations}enum ${ident(n)} { ${syms} }${r.chance(0.3) ? ` = ${r.pick(['A', 'Z'])};` : ''}`);
    } else if (kind === 'fixed') {
      decls.push(`${annotations}fixed ${ident(n)}(${r.pick(['4', '16', '0'])});`);
    } else {
      const fields: string[] = [];
      const nf = 1 + r.int(5);
      for (let i = 0; i < nf; i++) {
        const type = fieldType(0);
        const nullable = r.chance(0.15) && !type.startsWith('union') ? '?' : '';
        const order = r.chance(0.1) ? ` @order("${r.pick(['ascending', 'DESCENDING', 'Ignore', 'up'])}")` : '';
        const fname = r.chance(0.05) ? 'f0' : r.chance(0.05) ? 'größe' : `f${i}`;
        const def = r.chance(0.2) ? ` = ${r.pick(IDL_DEFAULTS)}` : '';
        fields.push(`    ${type}${nullable}${order} ${ident(fname)}${def};`);
      }
      decls.push(`${annotations}${kind} ${ident(n)} {\n${fields.join('\n')}\n  }`);
    }
    defined.push(n);
  }
  if (r.chance(0.25)) {
    const ns = r.pick(['com.acme', 'org.example']);
    return `namespace ${ns};\nschema ${defined[0]};\n\n${decls.join('\n\n')}\n`;
  }
  return `@namespace("${r.pick(['com.acme', 'org.example.idl'])}")\nprotocol P${seed} {\n  ${decls.join('\n\n  ')}\n}\n`;
}
