// The Protobuf diff: pairs an original (old) and an update (new) schema the way the registry's
// protobuf-provider does — types by local name at each nesting level, fields by number across the
// whole message (oneof members included), enum constants by number — and lists every difference with
// the registry's type names and paths, in the registry's order. Pure: model objects in, data out.
import type {
  EnumType,
  Field,
  Located,
  NamedType,
  Oneof,
  RecordType,
  SchemaDocument,
  SourceRange,
  TypeNode,
} from '../../model/types.js';
import { javaIntHash, javaStringHash, javaUnionOrder } from './java-order.js';
import type { NodeRef, ProtobufChange, ProtobufDifferenceType } from './types.js';
import { PROTOBUF_COMPATIBLE_CHANGES } from './types.js';

/** A type visible to one side of the comparison. */
export interface TypeInfo {
  type: NamedType;
  /** package of the file that declares the type ('' when none) */
  pkg: string;
  /**
   * Where the declaration comes from: '' for the schema's own types, an identity of the referenced
   * schema (subject and version, or import name and text) for imports, undefined when unknown (types
   * the parser supplies itself). Two imported types with the same known origin are not re-compared.
   */
  origin: string | undefined;
  /** the declaring document's `file` */
  file: string | undefined;
  /** the declaring document's syntax: labels are written differently under editions */
  syntax: SchemaDocument['syntax'];
}

/** One side of the comparison: the root document and every type it can see, by full name. */
export interface DiffSide {
  doc: SchemaDocument;
  types: ReadonlyMap<string, TypeInfo>;
}

type Label = 'optional' | 'required' | 'repeated';

/** A field type as the registry's engine sees it: the written type name, not a resolved node. */
type PType =
  | { t: 'scalar'; name: string }
  | { t: 'named'; written: string }
  | { t: 'map'; key: PType; value: PType };

type Kind = 'SCALAR' | 'MAP' | 'MESSAGE';

const SCALARS: Record<string, string> = {
  int32: 'GENERAL_NUMBER',
  int64: 'GENERAL_NUMBER',
  uint32: 'GENERAL_NUMBER',
  uint64: 'GENERAL_NUMBER',
  bool: 'GENERAL_NUMBER',
  sint32: 'SIGNED_NUMBER',
  sint64: 'SIGNED_NUMBER',
  string: 'STRING_OR_BYTES',
  bytes: 'STRING_OR_BYTES',
  fixed32: 'FIXED32',
  sfixed32: 'FIXED32',
  fixed64: 'FIXED64',
  sfixed64: 'FIXED64',
  float: 'FLOAT',
  double: 'DOUBLE',
};

function toPType(node: TypeNode): PType {
  switch (node.kind) {
    case 'primitive':
      return { t: 'scalar', name: node.name };
    case 'ref':
      return { t: 'named', written: node.written || `.${node.fullName}` };
    case 'inline':
      return { t: 'named', written: `.${node.fullName}` };
    case 'map':
      return { t: 'map', key: toPType(node.keys), value: toPType(node.values) };
    case 'array':
      return toPType(node.items);
    case 'union':
      // Not produced for .proto; keep the walk total rather than throwing on a foreign model.
      return { t: 'named', written: '' };
  }
}

/**
 * The label as the registry's parser records it: only an explicit `optional`/`required`/`repeated`
 * keyword. Proto3 fields without a keyword and oneof members (which cannot carry one) have none, so
 * label changes involving them are never reported.
 */
function labelOf(field: Field, syntax: SchemaDocument['syntax']): Label | null {
  if (field.oneof !== undefined) return null;
  // Editions only have the `repeated` keyword; the model's other labels there are derived from features.
  if (syntax === 'editions') return field.label === 'repeated' || field.type.kind === 'array' ? 'repeated' : null;
  if (field.label === 'optional' || field.label === 'required' || field.label === 'repeated') {
    return field.label;
  }
  if (field.type.kind === 'array') return 'repeated';
  return null;
}

function compareRange(a: SourceRange, b: SourceRange): number {
  return a.line - b.line || a.column - b.column;
}

function byLoc(a: NamedType, b: NamedType): number {
  return compareRange(a.loc, b.loc);
}

interface FieldIndex {
  byTag: Map<number, Field>;
  tagToOneof: Map<number, string>;
  oneofs: Map<string, Oneof>;
  membersOf: Map<string, Field[]>;
}

function sameRange(a: SourceRange, b: SourceRange): boolean {
  return a.line === b.line && a.column === b.column && a.endLine === b.endLine && a.endColumn === b.endColumn;
}

/**
 * proto2 groups. The registry's parser keeps a group apart from both the fields and the nested types
 * of its message, so its diff never sees one. Our model has a field plus a nested message for it; the
 * field's type is written by the very token that names the message, which is how a group is recognised.
 */
function groupFields(message: RecordType, children: readonly NamedType[]): Map<Field, string> {
  const groups = new Map<Field, string>();
  for (const f of message.fields) {
    if (f.type.kind !== 'ref') continue;
    const ref = f.type;
    const nested = children.find((c) => c.kind === 'record' && c.fullName === ref.fullName);
    if (nested && sameRange(nested.nameLoc, ref.loc)) groups.set(f, nested.fullName);
  }
  return groups;
}

function indexFields(message: RecordType, skip: ReadonlyMap<Field, string>): FieldIndex {
  const byTag = new Map<number, Field>();
  const tagToOneof = new Map<number, string>();
  const oneofs = new Map<string, Oneof>();
  const membersOf = new Map<string, Field[]>();
  for (const f of message.fields) {
    if (f.oneof === undefined && f.number !== undefined && !skip.has(f)) byTag.set(f.number, f);
  }
  for (const o of message.oneofs) {
    oneofs.set(o.name, o);
    membersOf.set(o.name, []);
  }
  for (const f of message.fields) {
    if (f.oneof === undefined || f.number === undefined || skip.has(f)) continue;
    if (!oneofs.has(f.oneof)) membersOf.set(f.oneof, []);
    membersOf.get(f.oneof)?.push(f);
    byTag.set(f.number, f);
    tagToOneof.set(f.number, f.oneof);
  }
  return { byTag, tagToOneof, oneofs, membersOf };
}

/** Children (nested messages and enums) of every message, per side, in declaration order. */
function childIndex(side: DiffSide): Map<string, NamedType[]> {
  const index = new Map<string, NamedType[]>();
  const fileOf = new Map<string, string | undefined>();
  for (const [name, info] of side.types) fileOf.set(name, info.file);
  for (const info of side.types.values()) {
    const parent = info.type.parent;
    if (parent === undefined) continue;
    if (fileOf.get(parent) !== info.file) continue;
    const list = index.get(parent) ?? [];
    list.push(info.type);
    index.set(parent, list);
  }
  for (const list of index.values()) list.sort(byLoc);
  return index;
}

function docAnchor(doc: SchemaDocument): Located {
  const loc = doc.packageLoc ?? { line: 1, column: 1, endLine: 1, endColumn: 1 };
  return { path: '', loc };
}

export class ProtobufDiffer {
  private diffs: ProtobufChange[] = [];
  private path: string[] = [];
  private names: string[] = [];
  private pkgOld: string;
  private pkgNew: string;
  /** originals whose fields are being compared, so a recursive type is walked once (the registry does the same) */
  private readonly inProgress = new Set<RecordType>();
  /** inside an imported type: every change is reported on this field of the update document */
  private anchorOverride: Located | undefined;
  /** inside an imported type: the files its fields come from */
  private fileContext: { old: string | undefined; new: string | undefined } | undefined;
  private readonly oldChildren: Map<string, NamedType[]>;
  private readonly newChildren: Map<string, NamedType[]>;
  private readonly rootAnchor: Located;

  constructor(
    private readonly oldSide: DiffSide,
    private readonly newSide: DiffSide,
  ) {
    this.pkgOld = oldSide.doc.namespace;
    this.pkgNew = newSide.doc.namespace;
    this.oldChildren = childIndex(oldSide);
    this.newChildren = childIndex(newSide);
    this.rootAnchor = docAnchor(newSide.doc);
  }

  run(): ProtobufChange[] {
    this.diffs = [];
    if ((this.oldSide.doc.namespace || '') !== (this.newSide.doc.namespace || '')) {
      this.add('PACKAGE_CHANGED', undefined, undefined, this.rootAnchor);
    }
    const topOld = this.oldSide.doc.types.filter((t) => t.parent === undefined).sort(byLoc);
    const topNew = this.newSide.doc.types.filter((t) => t.parent === undefined).sort(byLoc);
    this.compareTypeElements(topOld, topNew, undefined);
    return this.diffs;
  }

  private ref(node: Located | undefined, side: 'old' | 'new'): NodeRef | undefined {
    if (!node) return undefined;
    const s = side === 'old' ? this.oldSide : this.newSide;
    const owner = 'fullName' in node && typeof node.fullName === 'string' ? s.types.get(node.fullName) : undefined;
    return { node, file: owner ? owner.file : this.currentFile(side) };
  }

  private currentFile(side: 'old' | 'new'): string | undefined {
    if (this.fileContext) return this.fileContext[side];
    return side === 'old' ? this.oldSide.doc.file : this.newSide.doc.file;
  }

  private add(
    type: ProtobufDifferenceType,
    oldNode: Located | undefined,
    newNode: Located | undefined,
    anchor: Located | undefined,
  ): void {
    const change: ProtobufChange = {
      type,
      path: `#/${this.path.join('/')}`,
      compatible: PROTOBUF_COMPATIBLE_CHANGES.has(type),
    };
    const o = this.ref(oldNode, 'old');
    const n = this.ref(newNode, 'new');
    if (o) change.oldNode = o;
    if (n) change.newNode = n;
    const a = this.anchorOverride ?? anchor ?? this.rootAnchor;
    change.anchor = a;
    this.diffs.push(change);
  }

  private within<T>(segment: string, named: boolean, body: () => T): T {
    this.path.push(segment);
    if (named) this.names.push(segment);
    try {
      return body();
    } finally {
      if (named) this.names.pop();
      this.path.pop();
    }
  }

  private compareTypeElements(original: NamedType[], update: NamedType[], updateParent: RecordType | undefined): void {
    const collect = (types: NamedType[]) => {
      const messages = new Map<string, RecordType>();
      const indexes = new Map<string, number>();
      const enums = new Map<string, EnumType>();
      let index = 0;
      for (const t of types) {
        if (t.kind === 'record') {
          messages.set(t.name, t);
          indexes.set(t.name, index++);
        } else if (t.kind === 'enum') {
          enums.set(t.name, t);
        }
      }
      return { messages, indexes, enums };
    };
    const o = collect(original);
    const u = collect(update);

    for (const name of javaUnionOrder(javaStringHash, o.messages.keys(), u.messages.keys())) {
      this.within(name, true, () => {
        const om = o.messages.get(name);
        const um = u.messages.get(name);
        if (!um) {
          this.add('MESSAGE_REMOVED', om, undefined, updateParent);
        } else if (!om) {
          this.add('MESSAGE_ADDED', undefined, um, um);
        } else {
          this.compareMessage(om, um);
          // Message indexes on the wire refer to the writer's schema id, so a move is only informative.
          if (o.indexes.get(name) !== u.indexes.get(name)) this.add('MESSAGE_MOVED', om, um, um);
        }
      });
    }

    for (const name of javaUnionOrder(javaStringHash, o.enums.keys(), u.enums.keys())) {
      this.within(name, true, () => {
        const oe = o.enums.get(name);
        const ue = u.enums.get(name);
        if (!ue) this.add('ENUM_REMOVED', oe, undefined, updateParent);
        else if (!oe) this.add('ENUM_ADDED', undefined, ue, ue);
        else this.compareEnum(oe, ue);
      });
    }
  }

  private compareEnum(original: EnumType, update: EnumType): void {
    const byNumber = (e: EnumType) => {
      const m = new Map<number, EnumType['symbols'][number]>();
      for (const s of e.symbols) if (s.number !== undefined) m.set(s.number, s);
      return m;
    };
    const o = byNumber(original);
    const u = byNumber(update);
    for (const tag of javaUnionOrder(javaIntHash, o.keys(), u.keys())) {
      this.within(String(tag), false, () => {
        const os = o.get(tag);
        const us = u.get(tag);
        if (!us) this.add('ENUM_CONST_REMOVED', os, undefined, update);
        else if (!os) this.add('ENUM_CONST_ADDED', undefined, us, us);
        else if (os.name !== us.name) this.add('ENUM_CONST_CHANGED', os, us, us);
      });
    }
  }

  private compareMessage(original: RecordType, update: RecordType): void {
    const oldKids = this.oldChildren.get(original.fullName) ?? [];
    const newKids = this.newChildren.get(update.fullName) ?? [];
    const oldGroups = groupFields(original, oldKids);
    const newGroups = groupFields(update, newKids);
    if (!this.inProgress.has(original)) {
      this.inProgress.add(original);
      try {
        this.compareFields(original, update, oldGroups, newGroups);
      } finally {
        this.inProgress.delete(original);
      }
    }
    const oldGroupTypes = new Set(oldGroups.values());
    const newGroupTypes = new Set(newGroups.values());
    this.compareTypeElements(
      oldKids.filter((t) => !oldGroupTypes.has(t.fullName)),
      newKids.filter((t) => !newGroupTypes.has(t.fullName)),
      update,
    );
  }

  private compareFields(
    original: RecordType,
    update: RecordType,
    oldGroups: ReadonlyMap<Field, string>,
    newGroups: ReadonlyMap<Field, string>,
  ): void {
    const o = indexFields(original, oldGroups);
    const u = indexFields(update, newGroups);
    const oSyntax = this.oldSide.types.get(original.fullName)?.syntax ?? this.oldSide.doc.syntax;
    const uSyntax = this.newSide.types.get(update.fullName)?.syntax ?? this.newSide.doc.syntax;

    // A oneof that disappeared together with all of its members is a plain deletion; its members are
    // not reported one by one.
    const completelyDeleted = new Set<string>();
    for (const name of o.oneofs.keys()) {
      if (u.oneofs.has(name)) continue;
      const members = o.membersOf.get(name) ?? [];
      if (!members.some((f) => f.number !== undefined && u.byTag.has(f.number))) completelyDeleted.add(name);
    }

    // New mutual exclusivity: the pre-existing members of an update oneof must all come from one
    // original oneof (or be a single former top-level field); new members never held data.
    for (const oneof of update.oneofs) {
      this.within(oneof.name, false, () => {
        const groups = new Set<string>();
        let topLevelMovedIn = 0;
        for (const f of u.membersOf.get(oneof.name) ?? []) {
          if (f.number === undefined) continue;
          const from = o.tagToOneof.get(f.number);
          if (from !== undefined) {
            groups.add(`oneof:${from}`);
          } else if (o.byTag.has(f.number)) {
            groups.add(`field:${f.number}`);
            topLevelMovedIn++;
          }
        }
        if (groups.size > 1) {
          this.add(
            topLevelMovedIn > 1 ? 'MULTIPLE_FIELDS_MOVED_TO_ONEOF' : 'FIELD_MOVED_TO_EXISTING_ONEOF',
            undefined,
            oneof,
            oneof,
          );
        }
      });
    }

    const oneofNames = [...new Set([...o.oneofs.keys(), ...u.oneofs.keys()])].sort(compareJavaStrings);
    for (const name of oneofNames) {
      this.within(name, false, () => {
        if (!u.oneofs.has(name)) this.add('ONEOF_REMOVED', o.oneofs.get(name), undefined, update);
        else if (!o.oneofs.has(name)) this.add('ONEOF_ADDED', undefined, u.oneofs.get(name), u.oneofs.get(name));
      });
    }

    const tags = [...new Set([...o.byTag.keys(), ...u.byTag.keys()])].sort((a, b) => a - b);
    for (const tag of tags) {
      const of = o.byTag.get(tag);
      const uf = u.byTag.get(tag);
      const oOneof = o.tagToOneof.get(tag);
      const uOneof = u.tagToOneof.get(tag);
      if (!uf) {
        if (oOneof !== undefined) {
          if (!completelyDeleted.has(oOneof)) {
            this.at([oOneof, String(tag)], () => this.add('ONEOF_FIELD_REMOVED', of, undefined, update));
          }
        } else {
          this.at([String(tag)], () =>
            this.add(of && labelOf(of, oSyntax) === 'required' ? 'REQUIRED_FIELD_REMOVED' : 'FIELD_REMOVED', of, undefined, update),
          );
        }
      } else if (!of) {
        if (uOneof !== undefined) {
          this.at([uOneof, String(tag)], () => this.add('ONEOF_FIELD_ADDED', undefined, uf, uf));
        } else {
          this.at([String(tag)], () =>
            this.add(labelOf(uf, uSyntax) === 'required' ? 'REQUIRED_FIELD_ADDED' : 'FIELD_ADDED', undefined, uf, uf),
          );
        }
      } else {
        if (oOneof !== undefined && uOneof === undefined) {
          this.at([String(tag)], () => this.add('ONEOF_FIELD_MOVED_TO_TOP_LEVEL', of, uf, uf));
        }
        const where = uOneof !== undefined ? [uOneof, String(tag)] : [String(tag)];
        this.at(where, () => this.compareField(of, uf, oSyntax, uSyntax));
      }
    }
  }

  private at(segments: string[], body: () => void): void {
    this.path.push(...segments);
    try {
      body();
    } finally {
      this.path.length -= segments.length;
    }
  }

  private compareField(original: Field, update: Field, oSyntax: SchemaDocument['syntax'], uSyntax: SchemaDocument['syntax']): void {
    if (original.name !== update.name) this.add('FIELD_NAME_CHANGED', original, update, update);
    this.compareLabelsAndTypes(
      labelOf(original, oSyntax),
      labelOf(update, uSyntax),
      toPType(original.type),
      toPType(update.type),
      original,
      update,
    );
  }

  private compareLabelsAndTypes(
    oLabel: Label | null,
    uLabel: Label | null,
    oType: PType,
    uType: PType,
    oField: Field,
    uField: Field,
  ): void {
    const oKind = this.kind(oType, 'old');
    const uKind = this.kind(uType, 'new');
    if (oKind !== uKind) {
      this.add('FIELD_KIND_CHANGED', oField, uField, uField);
      return;
    }
    if (oKind === 'SCALAR') {
      const oScalar = this.scalarKind(oType, 'old');
      const uScalar = this.scalarKind(uType, 'new');
      if (oScalar !== uScalar) {
        this.add('FIELD_SCALAR_KIND_CHANGED', oField, uField, uField);
      } else if (oLabel !== null && uLabel !== null && oLabel !== uLabel) {
        // Numeric scalars change encoding (packed vs unpacked) with the label; strings and bytes do not.
        if (oScalar === 'STRING_OR_BYTES') this.add('FIELD_STRING_OR_BYTES_LABEL_CHANGED', oField, uField, uField);
        else if (oScalar !== undefined) this.add('FIELD_NUMERIC_LABEL_CHANGED', oField, uField, uField);
      }
    } else if (oKind === 'MESSAGE') {
      if (oType.t === 'named' && uType.t === 'named') this.compareMessageTypes(oType.written, uType.written, uField, oField);
    } else if (oType.t === 'map' && uType.t === 'map') {
      this.compareLabelsAndTypes(null, null, oType.key, uType.key, oField, uField);
      this.compareLabelsAndTypes(null, null, oType.value, uType.value, oField, uField);
    }
  }

  private kind(type: PType, side: 'old' | 'new'): Kind {
    if (type.t === 'scalar') return 'SCALAR';
    if (type.t === 'map') return 'MAP';
    return this.getType(type.written, side)?.type.kind === 'enum' ? 'SCALAR' : 'MESSAGE';
  }

  private scalarKind(type: PType, side: 'old' | 'new'): string | undefined {
    if (type.t === 'named') return this.getType(type.written, side)?.type.kind === 'enum' ? 'GENERAL_NUMBER' : undefined;
    if (type.t === 'scalar') return SCALARS[type.name];
    return undefined;
  }

  private compareMessageTypes(oWritten: string, uWritten: string, uField: Field, oField: Field): void {
    const oFull = this.resolve(oWritten, 'old');
    const uFull = this.resolve(uWritten, 'new');
    if (oFull === null || uFull === null) {
      // Unresolvable on one side: only the names as written can be compared.
      if (oWritten !== uWritten) this.add('FIELD_NAMED_TYPE_CHANGED', oField, uField, uField);
      return;
    }
    const oInfo = this.oldSide.types.get(oFull);
    const uInfo = this.newSide.types.get(uFull);
    if (!oInfo || !uInfo) return;
    const oLocal = localName(oFull, oInfo.pkg);
    const uLocal = localName(uFull, uInfo.pkg);
    if (oLocal !== uLocal) {
      this.add('FIELD_NAMED_TYPE_CHANGED', oField, uField, uField);
      return;
    }
    // Same local name: both declared in the schema itself, or both from the same referenced version,
    // means the top-level walk (or nothing) covers it; otherwise the two definitions are diffed here.
    if (oInfo.origin !== undefined && oInfo.origin === uInfo.origin) return;
    if (oInfo.type.kind !== 'record' || uInfo.type.kind !== 'record') return;
    const sub = this.subDiff(oLocal, oInfo, uInfo, uField);
    this.diffs.push(...sub);
    if (sub.some((d) => !d.compatible)) this.add('FIELD_NAMED_TYPE_CHANGED', oField, uField, uField);
  }

  private subDiff(local: string, oInfo: TypeInfo, uInfo: TypeInfo, uField: Field): ProtobufChange[] {
    const saved = {
      diffs: this.diffs,
      path: this.path,
      names: this.names,
      pkgOld: this.pkgOld,
      pkgNew: this.pkgNew,
      anchor: this.anchorOverride,
      files: this.fileContext,
    };
    this.diffs = [];
    this.path = local.split('.');
    this.names = local.split('.');
    this.pkgOld = oInfo.pkg;
    this.pkgNew = uInfo.pkg;
    this.anchorOverride = saved.anchor ?? uField;
    this.fileContext = { old: oInfo.file, new: uInfo.file };
    try {
      this.compareMessage(oInfo.type as RecordType, uInfo.type as RecordType);
      return this.diffs;
    } finally {
      this.diffs = saved.diffs;
      this.path = saved.path;
      this.names = saved.names;
      this.pkgOld = saved.pkgOld;
      this.pkgNew = saved.pkgNew;
      this.anchorOverride = saved.anchor;
      this.fileContext = saved.files;
    }
  }

  private getType(written: string, side: 'old' | 'new'): TypeInfo | undefined {
    const full = this.resolve(written, side);
    return full === null ? undefined : (side === 'old' ? this.oldSide : this.newSide).types.get(full);
  }

  /**
   * The registry's name lookup: an absolute name must exist as is; a relative one is tried inside
   * `package.Outer.Inner`, then each enclosing scope outwards (the package counts as one scope),
   * then as written.
   */
  private resolve(written: string, side: 'old' | 'new'): string | null {
    const types = side === 'old' ? this.oldSide.types : this.newSide.types;
    if (written.startsWith('.')) {
      const n = written.slice(1);
      return types.has(n) ? n : null;
    }
    const pkg = side === 'old' ? this.pkgOld : this.pkgNew;
    const prefix = pkg ? [pkg, ...this.names] : [...this.names];
    while (prefix.length > 0) {
      const n = `${prefix.join('.')}.${written}`;
      if (types.has(n)) return n;
      prefix.pop();
    }
    return types.has(written) ? written : null;
  }
}

function localName(fullName: string, pkg: string): string {
  return fullName.startsWith(`${pkg}.`) ? fullName.slice(pkg.length + 1) : fullName;
}

/** String#compareTo order (UTF-16 code units), which is also JavaScript's default sort order. */
function compareJavaStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds one side's type table: referenced files first, then the schema's own types (which win). */
export function buildTypeTable(
  doc: SchemaDocument,
  imports: ReadonlyArray<{ doc: SchemaDocument; origin: string | undefined }> = [],
): Map<string, TypeInfo> {
  const table = new Map<string, TypeInfo>();
  const addImplicit = (d: SchemaDocument) => {
    for (const [name, type] of d.importedTypes) {
      if (!table.has(name)) table.set(name, { type, pkg: type.namespace, origin: undefined, file: undefined, syntax: 'proto3' });
    }
  };
  for (const imp of imports) {
    for (const type of imp.doc.types) {
      table.set(type.fullName, { type, pkg: imp.doc.namespace, origin: imp.origin, file: imp.doc.file, syntax: imp.doc.syntax });
    }
  }
  for (const imp of imports) addImplicit(imp.doc);
  addImplicit(doc);
  for (const type of doc.types) {
    table.set(type.fullName, { type, pkg: doc.namespace, origin: '', file: doc.file, syntax: doc.syntax });
  }
  return table;
}
