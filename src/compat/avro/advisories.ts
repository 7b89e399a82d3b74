// Warnings beyond what the registry checks. Avro resolution ignores logical types and namespaces and
// cannot see renames, so some evolutions pass the registry yet change what readers get. These never
// change a verdict; they follow the same reader/writer pairing as the checker.
import type { Field, Located, NamedType, RecordType, SchemaDocument, TypeNode } from '../../model/types.js';
import type { AvroAdvisory } from '../types.js';
import { avroTypeName, avroView, lookupWriterField, qualifiedAliases, resolveNode, simpleName, AvroCheckFailure } from './check.js';
import type { AvroSchemaNode, AvroSchemaView } from './check.js';

interface Logical {
  logicalType?: string;
  precision?: number;
  scale?: number;
}

function logicalOf(node: AvroSchemaNode): Logical {
  if (node.kind === 'primitive' || node.kind === 'fixed') {
    const l: Logical = {};
    if (node.logicalType !== undefined) l.logicalType = node.logicalType;
    if (node.precision !== undefined) l.precision = node.precision;
    if (node.scale !== undefined) l.scale = node.scale;
    return l;
  }
  return {};
}

const TIME_UNITS: Record<string, { family: string; unit: string }> = {
  'timestamp-millis': { family: 'timestamp', unit: 'milliseconds' },
  'timestamp-micros': { family: 'timestamp', unit: 'microseconds' },
  'timestamp-nanos': { family: 'timestamp', unit: 'nanoseconds' },
  'local-timestamp-millis': { family: 'local-timestamp', unit: 'milliseconds' },
  'local-timestamp-micros': { family: 'local-timestamp', unit: 'microseconds' },
  'local-timestamp-nanos': { family: 'local-timestamp', unit: 'nanoseconds' },
  'time-millis': { family: 'time', unit: 'milliseconds' },
  'time-micros': { family: 'time', unit: 'microseconds' },
};

/** Two types that would pair up if a field were renamed: same Avro type, same name for named types. */
function sameShape(a: AvroSchemaNode, b: AvroSchemaNode): boolean {
  const ta = avroTypeName(a);
  if (ta !== avroTypeName(b)) return false;
  if ('fullName' in a && 'fullName' in b) return simpleName(a.fullName) === simpleName(b.fullName);
  return true;
}

class AdvisoryWalker {
  readonly out: AvroAdvisory[] = [];
  private readonly seen = new Set<string>();
  private readonly ids = new Map<object, number>();

  constructor(private readonly reader: AvroSchemaView, private readonly writer: AvroSchemaView) {}

  private id(o: object): number {
    let n = this.ids.get(o);
    if (n === undefined) {
      n = this.ids.size;
      this.ids.set(o, n);
    }
    return n;
  }

  private add(code: AvroAdvisory['code'], path: string[], message: string, reader: Located, writer: Located): void {
    this.out.push({ code, path: path.length === 0 ? '/' : `/${path.join('/')}`, message, reader, writer });
  }

  walk(rNode: TypeNode, wNode: TypeNode, path: string[]): void {
    const r = resolveNode(rNode, this.reader.names);
    const w = resolveNode(wNode, this.writer.names);
    const key = `${this.id(r)}:${this.id(w)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);

    if (w.kind === 'union' || r.kind === 'union') {
      const wBranches = w.kind === 'union' ? w.branches : [wNode];
      const rBranches = r.kind === 'union' ? r.branches : [rNode];
      for (const wb of wBranches) {
        const wResolved = resolveNode(wb, this.writer.names);
        const j = rBranches.findIndex((rb) => sameShape(resolveNode(rb, this.reader.names), wResolved));
        if (j < 0) continue;
        // The path points into the reader schema, so only a reader union adds a branch index.
        const next = r.kind === 'union' ? [...path, String(j)] : path;
        this.walk(rBranches[j]!, wb, next);
      }
      return;
    }
    if (avroTypeName(r) !== avroTypeName(w)) return;
    this.compareLogical(r, w, path);
    if ('fullName' in r && 'fullName' in w) this.compareNames(r, w, path);
    if (r.kind === 'array' && w.kind === 'array') this.walk(r.items, w.items, [...path, 'items']);
    else if (r.kind === 'map' && w.kind === 'map') this.walk(r.values, w.values, [...path, 'values']);
    else if (r.kind === 'record' && w.kind === 'record') this.compareFields(r, w, path);
  }

  private compareLogical(r: AvroSchemaNode, w: AvroSchemaNode, path: string[]): void {
    const rl = logicalOf(r);
    const wl = logicalOf(w);
    if (rl.logicalType !== wl.logicalType) {
      const rt = rl.logicalType !== undefined ? TIME_UNITS[rl.logicalType] : undefined;
      const wt = wl.logicalType !== undefined ? TIME_UNITS[wl.logicalType] : undefined;
      if (rt && wt && rt.family === wt.family) {
        this.add('timestamp-unit-changed', path,
          `The ${rt.family} unit changed from ${wt.unit} (${wl.logicalType}) to ${rt.unit} (${rl.logicalType}). The registry allows it because ` +
          `the underlying ${avroTypeName(r).toLowerCase()} is unchanged, but readers will interpret old values in the wrong unit ` +
          `(off by a factor of 1000). Keep ${wl.logicalType}, or add a new field with the new unit and deprecate the old one.`, r, w);
      } else {
        const from = wl.logicalType ?? `plain ${avroTypeName(w).toLowerCase()}`;
        const to = rl.logicalType ?? `plain ${avroTypeName(r).toLowerCase()}`;
        this.add('logical-type-changed', path,
          `The logical type changed from ${from} to ${to}. The registry ignores logical types, so this passes, but ` +
          `consumers will decode the same bytes as a different kind of value. Keep the logical type, or introduce a new field.`, r, w);
      }
      return;
    }
    if (rl.logicalType === 'decimal') {
      if ((rl.scale ?? 0) !== (wl.scale ?? 0)) {
        this.add('decimal-scale-changed', path,
          `The decimal scale changed from ${wl.scale ?? 0} to ${rl.scale ?? 0}. The registry only compares the underlying type, ` +
          `but the stored unscaled integers will be read with the new scale, so every old amount changes value. ` +
          `Keep scale ${wl.scale ?? 0}, or add a new field with the new scale.`, r, w);
      }
      if (rl.precision !== wl.precision && (rl.precision ?? 0) < (wl.precision ?? 0)) {
        this.add('decimal-precision-changed', path,
          `The decimal precision shrank from ${wl.precision} to ${rl.precision}; old values with more digits will not fit ` +
          `when consumers convert them. Keep precision ${wl.precision} or larger.`, r, w);
      }
    }
  }

  private compareNames(r: NamedType, w: NamedType, path: string[]): void {
    if (r.fullName === w.fullName || simpleName(r.fullName) !== simpleName(w.fullName)) return;
    if (qualifiedAliases(r).includes(w.fullName)) return;
    this.add('namespace-changed-without-alias', path,
      `${r.kind[0]!.toUpperCase()}${r.kind.slice(1)} ${w.fullName} moved to ${r.fullName}. The registry compares unqualified names ` +
      `and accepts it, but resolvers that match full names (avsc, generated code lookups) will not. ` +
      `Add "aliases": ["${w.fullName}"] to ${simpleName(r.fullName)}.`, r, w);
  }

  private compareFields(r: RecordType, w: RecordType, path: string[]): void {
    const matchedWriter = new Set<Field>();
    const unmatchedReader: Array<{ field: Field; index: number }> = [];
    r.fields.forEach((rf, i) => {
      let wf: Field | undefined;
      try {
        wf = lookupWriterField(w, rf);
      } catch (e) {
        if (e instanceof AvroCheckFailure) return;
        throw e;
      }
      if (wf) {
        matchedWriter.add(wf);
        this.walk(rf.type, wf.type, [...path, 'fields', String(i), 'type']);
      } else {
        unmatchedReader.push({ field: rf, index: i });
      }
    });
    const droppedWriter = w.fields.filter((f) => !matchedWriter.has(f));
    for (const { field, index } of unmatchedReader) {
      const rType = resolveNode(field.type, this.reader.names);
      const candidates = droppedWriter.filter((wf) => sameShape(rType, resolveNode(wf.type, this.writer.names)));
      if (candidates.length !== 1) continue;
      const old = candidates[0]!;
      this.add('likely-rename-without-alias', [...path, 'fields', String(index)],
        `Field "${field.name}" is new and field "${old.name}" of the same type disappeared from ${simpleName(r.fullName)}: ` +
        `this looks like a rename. Without an alias, readers of old data get ${field.hasDefault ? 'the default' : 'nothing'} ` +
        `instead of the old value. Add "aliases": ["${old.name}"] to field "${field.name}".`, field, old);
    }
  }
}

/**
 * Advisories for a reader/writer pair (reader = the schema that must read, as in checkAvroDocuments).
 * Heuristic by design; a pair that cannot be walked yields no advisories.
 */
export function avroAdvisories(reader: SchemaDocument, writer: SchemaDocument): AvroAdvisory[] {
  try {
    const r = avroView(reader);
    const w = avroView(writer);
    const walker = new AdvisoryWalker(r, w);
    walker.walk(r.root, w.root, []);
    return walker.out;
  } catch (e) {
    if (e instanceof AvroCheckFailure) return [];
    throw e;
  }
}
