// Edits of .avsc text for the fixable Avro rules. Each edit replaces or inserts the smallest piece
// of JSON it can and copies the surrounding style (separators, indentation), so a file keeps its
// layout, key order and any non-standard spacing. Only .avsc: .avdl findings carry no fix.
import { locateInTree, parseJsonWithPositions, type LocNode } from '../../formats/avro/json-positions.js';
import type { Field, RecordType, SchemaDocument } from '../../model/types.js';
import { LineIndex, mergeEdits, withLineEndings, type Fix } from '../fix.js';

interface JsonText {
  lines: LineIndex;
  root: LocNode;
}

const parsed = new WeakMap<SchemaDocument, JsonText | null>();

/** The document's JSON with positions; parsed again only when a finding wants a fix. */
function jsonOf(doc: SchemaDocument): JsonText | undefined {
  if (doc.syntax !== 'avsc') return undefined;
  let j = parsed.get(doc);
  if (j === undefined) {
    const r = parseJsonWithPositions(doc.text);
    j = r.ok ? { lines: new LineIndex(doc.text), root: r.locations } : null;
    parsed.set(doc, j);
  }
  return j ?? undefined;
}

interface JsonStyle {
  colon: string;
  comma: string;
  /** space inside `{ }` and `[ ]` on one line */
  brace: string;
  bracket: string;
}

/** `": "` or `":"`, `", "` or `","`, `{ "a"` or `{"a"`, as the given JSON text writes them. */
function styleOf(sample: string): JsonStyle {
  return {
    colon: /"\s*:\s/.test(sample) ? ': ' : ':',
    comma: /,[ ]/.test(sample) || !/,/.test(sample) ? ', ' : ',',
    brace: /\{[ ]/.test(sample) ? ' ' : '',
    bracket: /\[[ ]/.test(sample) ? ' ' : '',
  };
}

/** JSON on one line in the given style (`{"a": 1, "b": [2]}`). */
function inlineJson(value: unknown, style: JsonStyle): string {
  if (Array.isArray(value)) {
    return `[${style.bracket}${value.map((v) => inlineJson(v, style)).join(style.comma)}${style.bracket}]`;
  }
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}${style.colon}${inlineJson(v, style)}`);
    return `{${style.brace}${members.join(style.comma)}${style.brace}}`;
  }
  return JSON.stringify(value);
}

/**
 * A nullable union field made null-first with `"default": null`: the union's branches are reordered
 * (each branch's text kept as written) and a default is added after the type when there is none. A
 * field whose default is a non-null value gets no fix: choosing null instead changes what readers
 * fill in, which is the author's decision, not a mechanical one.
 */
function nullFirstWithDefaultEdit(doc: SchemaDocument, field: Field): Fix | undefined {
  const j = jsonOf(doc);
  const union = field.type;
  if (j === undefined || union.kind !== 'union') return undefined;
  if (field.hasDefault && field.default !== null) return undefined;
  const typeNode = locateInTree(j.root, `${field.path}/type`);
  const branches = typeNode?.children;
  if (typeNode === undefined || branches === undefined || branches.length !== union.branches.length) return undefined;
  const nullIndex = union.branches.findIndex((b) => b.kind === 'primitive' && b.name === 'null');
  if (nullIndex < 0) return undefined;
  const text = doc.text;
  const { lines } = j;
  const edits: Fix[] = [];
  if (nullIndex > 0) {
    const ranges = branches.map((b) => [lines.start(b.value), lines.end(b.value)] as const);
    const texts = ranges.map(([s, e]) => text.slice(s, e));
    const order = [nullIndex, ...texts.map((_, i) => i).filter((i) => i !== nullIndex)];
    let out = '';
    for (let k = 0; k < ranges.length; k++) {
      out += texts[order[k] as number];
      if (k + 1 < ranges.length) out += text.slice(ranges[k]![1], ranges[k + 1]![0]);
    }
    edits.push({ range: [ranges[0]![0], ranges[ranges.length - 1]![1]], text: out });
  }
  if (!field.hasDefault) {
    const typeKey = typeNode.key;
    const typeEnd = lines.end(typeNode.value);
    const fieldStart = lines.start(field.loc);
    const style = styleOf(text.slice(fieldStart, lines.end(field.loc)));
    const keyStart = typeKey !== undefined ? lines.start(typeKey) : typeEnd;
    // a field written one member per line gets its default on a line of its own
    const sep = typeKey !== undefined && typeKey.line > field.loc.line ? `,\n${lines.indentAt(keyStart)}` : style.comma;
    edits.push({ range: [typeEnd, typeEnd], text: `${sep}"default"${style.colon}null` });
  }
  return edits.length > 0 ? mergeEdits(text, edits) : undefined;
}

/** A new last field of a record, laid out like the record's current last field. */
function appendFieldEdit(doc: SchemaDocument, record: RecordType, field: Record<string, unknown>): Fix | undefined {
  const j = jsonOf(doc);
  if (j === undefined) return undefined;
  const fieldsNode = locateInTree(j.root, `${record.path}/fields`);
  const items = fieldsNode?.children;
  if (items === undefined || items.length === 0) return undefined;
  const { lines } = j;
  const text = doc.text;
  const last = items[items.length - 1] as LocNode;
  const lastStart = lines.start(last.value);
  const lastEnd = lines.end(last.value);
  const lastText = text.slice(lastStart, lastEnd);
  const style = styleOf(lastText);
  // the separator before the last element says how elements are laid out (", " or ",\n    ")
  const before = items.length > 1 ? text.slice(lines.end(items[items.length - 2]!.value), lastStart) : undefined;
  const between = before ?? (last.value.line > fieldsNode!.value.line ? `,\n${lines.indentAt(lastStart)}` : style.comma);
  let body: string;
  // pretty-printed fields (JSON.stringify(value, null, n)) when most fields are, one line otherwise
  const multiLine = items.filter((it) => it.value.endLine > it.value.line).length * 2 > items.length;
  if (multiLine && last.value.endLine > last.value.line) {
    // pretty-printed like JSON.stringify(value, null, n): copy the step of the last field's first member
    const indent = lines.indentAt(lastStart);
    const inner = /\n([ \t]*)\S/.exec(lastText)?.[1] ?? `${indent}  `;
    const step = inner.startsWith(indent) && inner.length > indent.length ? inner.slice(indent.length) : '  ';
    body = JSON.stringify(field, null, step).split('\n').join(`\n${indent}`);
    if (style.colon === ':') body = body.replace(/": /g, '":');
  } else {
    body = inlineJson(field, style);
  }
  return { range: [lastEnd, lastEnd], text: `${between.startsWith(',') ? between : `,${between}`}${body}` };
}

// The edits above, with new lines as the file writes them.
export function nullFirstWithDefault(doc: SchemaDocument, field: Field): Fix | undefined {
  return withLineEndings(doc.text, nullFirstWithDefaultEdit(doc, field));
}

export function appendField(doc: SchemaDocument, record: RecordType, field: Record<string, unknown>): Fix | undefined {
  return withLineEndings(doc.text, appendFieldEdit(doc, record, field));
}
