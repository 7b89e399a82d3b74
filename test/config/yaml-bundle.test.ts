// The build joins the `yaml` package's modules into one file (scripts/build-yaml-bundle.mjs) that the
// catalog reader loads instead of the package. It must be the package: same values, same errors and
// warnings at the same offsets, same line/column positions, YAML 1.2 core schema, the same alias
// limits. Each document below is parsed by both and everything the reader looks at is compared.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as YamlModule from 'yaml';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
const dist = mkdtempSync(path.join(ROOT, 'test/.work/yaml-bundle-'));
execFileSync(process.execPath, [path.join(ROOT, 'scripts/build-yaml-bundle.mjs'), dist]);
const out = path.join(dist, 'src/config/yaml-bundle.cjs');
const require = createRequire(import.meta.url);
// both as the reader loads them (src/config/yaml-source.ts): through require
const packaged = require('yaml') as typeof YamlModule;
const joined = require(out) as typeof YamlModule;

const billionLaughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => {
  const prev = String.fromCharCode(97 + i);
  const name = String.fromCharCode(98 + i);
  return `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`;
})].join('\n');

const DOCS: Array<[string, string]> = [
  ['a catalog', 'version: 1\nstreams:\n  - topic: orders.order-placed\n    kind: store\n    schema: orders/order-placed.avsc\nrules:\n  prefer-enum: warn\n'],
  ['YAML 1.2 scalars (yes/on stay strings, 0o octal, 012 decimal)', 'a: yes\nb: on\nc: 0o14\nd: 012\ne: .inf\nf: ~\ng: 2026-12-06\nh: "q\\tx"\n'],
  ['a duplicate key', 'streams: []\nstreams: [1]\n'],
  ['bad indentation', 'streams:\n  - topic: a\n   kind: store\n'],
  ['an unterminated flow sequence', 'rules: [a, b\n'],
  ['an undefined alias', 'a: *nope\n'],
  ['anchors, aliases and merge keys', 'base: &b {kind: store}\ns:\n  <<: *b\n  topic: t\nlist: [*b, *b]\n'],
  ['exponential aliases', billionLaughs],
  ['a tab in indentation and CRLF lines', 'a:\r\n\tb: 1\r\n'],
  ['several documents', 'a: 1\n---\nb: 2\n'],
  ['an unknown tag', 'a: !custom x\n'],
];

function digest(y: typeof YamlModule, text: string): unknown {
  const lineCounter = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings].map((e) => ({
    name: e.name, code: e.code, message: e.message, pos: e.pos, at: [lineCounter.linePos(e.pos[0]), lineCounter.linePos(e.pos[1])],
  }));
  const nodes: unknown[] = [];
  y.visit(doc, (key, node) => {
    const n = node as { range?: unknown };
    nodes.push([key, y.isScalar(node), y.isMap(node), y.isSeq(node), y.isPair(node), y.isAlias(node), n.range]);
  });
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (err) {
    value = `throws: ${(err as Error).message}`;
  }
  return { problems, nodes, value };
}

describe('the joined yaml module', () => {
  it('exports what the package exports', () => {
    expect(Object.keys(joined).sort()).toEqual(Object.keys(packaged).sort());
  });
  it.each(DOCS)('parses %s exactly as the package does', (_name, text) => {
    expect(digest(joined, text)).toEqual(digest(packaged, text));
  });
});
