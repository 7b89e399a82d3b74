// protobufjs as an oracle: on valid files it must see the same messages, fields, numbers, labels,
// resolved types and oneofs as our model. Used only here, never as the parser.
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { parseProto, WELL_KNOWN_FILES } from '../../../src/formats/protobuf/index.js';
import type { SchemaDocument, TypeNode } from '../../../src/model/types.js';
import { corpus } from './corpus.js';
import { generateEventProto } from './generate.js';

function buildOracleRoot(file: string, files: Record<string, string>): protobuf.Root {
  const root = new protobuf.Root();
  const seen = new Set<string>();
  const load = (path: string, text: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const parsed = protobuf.parse(text, root, { keepCase: true });
    for (const imp of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
      const common = protobuf.common.get(imp);
      if (common) {
        if (!seen.has(imp)) {
          seen.add(imp);
          root.addJSON(common.nested ?? {});
        }
        continue;
      }
      const t = files[imp] ?? WELL_KNOWN_FILES.get(imp);
      if (t === undefined) throw new Error(`oracle cannot load ${imp}`);
      load(imp, t);
    }
  };
  load(file, files[file] as string);
  root.resolveAll();
  return root;
}

function oracleType(f: protobuf.Field): string {
  return f.resolvedType ? f.resolvedType.fullName.slice(1) : f.type;
}

function modelType(t: TypeNode): string {
  if (t.kind === 'primitive') return t.name;
  if (t.kind === 'ref') return t.fullName;
  throw new Error(`unexpected ${t.kind}`);
}

function compare(doc: SchemaDocument, root: protobuf.Root): void {
  for (const t of doc.types) {
    const o = root.lookup(t.fullName);
    expect(o, t.fullName).toBeTruthy();
    if (t.kind === 'enum') {
      expect(o).toBeInstanceOf(protobuf.Enum);
      expect(Object.fromEntries(t.symbols.map((s) => [s.name, s.number]))).toEqual({ ...(o as protobuf.Enum).values });
      continue;
    }
    expect(o).toBeInstanceOf(protobuf.Type);
    const ot = o as protobuf.Type;
    const ours = t.kind === 'record' ? t.fields : [];
    // extension fields declared on the type elsewhere are not part of the message's own model
    const theirs = ot.fieldsArray.filter((f) => !f.declaringField);
    expect(ours.map((f) => [f.name, f.number]), t.fullName).toEqual(theirs.map((f) => [f.name, f.id]));
    for (const [k, f] of ours.entries()) {
      const of = theirs[k] as protobuf.Field;
      const where = `${t.fullName}.${f.name}`;
      if (of instanceof protobuf.MapField) {
        expect(f.type.kind, where).toBe('map');
        if (f.type.kind !== 'map') continue;
        expect([f.type.keys.name, modelType(f.type.values)], where).toEqual([of.keyType, oracleType(of)]);
        expect(f.label).toBe('repeated');
        continue;
      }
      expect(modelType(f.type), where).toBe(oracleType(of));
      const realOneof = of.partOf && !(of.options?.proto3_optional === true) ? of.partOf.name : undefined;
      expect(f.oneof, where).toBe(realOneof);
      let label: string;
      if (of.repeated) label = 'repeated';
      else if (of.required) label = 'required';
      else if (realOneof) label = 'optional';
      else if (doc.syntax === 'proto3') label = of.options?.proto3_optional === true ? 'optional' : 'singular';
      else label = of.hasPresence ? 'optional' : 'singular';
      expect(f.label, where).toBe(label);
    }
    const oneofs = ot.oneofsArray
      .filter((x) => !(x.fieldsArray.length === 1 && x.fieldsArray[0]?.options?.proto3_optional === true))
      .map((x) => [x.name, x.fieldsArray.map((f) => f.id)]);
    expect(t.kind === 'record' && t.oneofs.map((x) => [x.name, x.fields]), t.fullName).toEqual(oneofs);
  }
}

function countTypes(ns: protobuf.NamespaceBase): number {
  let n = 0;
  for (const x of ns.nestedArray) {
    if (x instanceof protobuf.Type || x instanceof protobuf.Enum) n++;
    if (x instanceof protobuf.Namespace || x instanceof protobuf.Type) n += countTypes(x);
  }
  return n;
}

const generated: Record<string, string> = {};
for (let i = 0; i < 60; i++) generated[`gen/event_${i}.proto`] = generateEventProto(i);
const all: Record<string, string> = { ...corpus, ...generated };

describe('protobufjs sees the same model', () => {
  it.each(Object.keys(all))('%s', (file) => {
    const r = parseProto(all[file] as string, file, { loadImport: (p) => all[p] });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(r.problems).toEqual([]);
    compare(r.document, buildOracleRoot(file, all));
    // and no type of the file is missing from our model
    const alone = protobuf.parse(all[file] as string, { keepCase: true }).root;
    expect(r.document.types).toHaveLength(countTypes(alone));
  });
});
