#!/usr/bin/env node
// Compatibility-check benchmark over the built engine (dist/src/compat):
//   1. one subject with 100 registered versions, a candidate checked FULL_TRANSITIVE (every version,
//      both directions) — the registry's worst case for a single registration;
//   2. 10,000 generated Avro schema pairs (deterministic mutations: added/removed fields, with and
//      without defaults, promotions, enum symbols, renames with aliases) checked BACKWARD.
// The anchor runs in the same process on the same inputs: avsc's Type.forSchema + createResolver,
// which answers "can this reader read that writer" for Avro. Ratios ours/avsc are what to track;
// absolute numbers depend on the machine.
//
//   npm run build && node bench/compat/run.mjs [--pairs 10000] [--versions 100] [--reps 50]
//   node bench/compat/run.mjs --build      # compile the current sources into bench/.work first
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ascending, percentile, rng } from '../lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opt } = parseArgs({
  options: {
    pairs: { type: 'string', default: '10000' },
    versions: { type: 'string', default: '100' },
    reps: { type: 'string', default: '50' },
    build: { type: 'boolean', default: false },
  },
});
const PAIRS = Number(opt.pairs);
const VERSIONS = Number(opt.versions);
const REPS = Number(opt.reps);

function engineModule() {
  if (opt.build) {
    const out = path.join(root, 'bench/.work/compat-dist');
    try {
      execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: root, stdio: 'pipe' });
    } catch (e) {
      // type errors elsewhere in the tree still emit JavaScript
      if (!existsSync(path.join(out, 'src/compat/index.js'))) throw e;
    }
    return path.join(out, 'src/compat/index.js');
  }
  const built = path.join(root, 'dist/src/compat/index.js');
  if (!existsSync(built)) throw new Error('no dist/: run `npm run build` first, or pass --build');
  return built;
}

const { checkCompatibility } = await import(pathToFileURL(engineModule()).href);
const avro = createRequire(import.meta.url)('avsc');

function stats(samplesNs) {
  const s = ascending(samplesNs);
  const total = s.reduce((a, b) => a + b, 0);
  return { p50: percentile(s, 50) / 1e3, p99: percentile(s, 99) / 1e3, perSec: s.length / (total / 1e9) };
}

const fmt = (us) => (us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : `${us.toFixed(1)} µs`);

// ---------------------------------------------------------------- 1. a subject with 100 versions

function historyVersion(k) {
  const fields = [
    { name: 'order_id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'], default: 'NEW' }, default: 'NEW' },
  ];
  for (let i = 0; i < k; i++) fields.push({ name: `extra_${i}`, type: ['null', i % 2 ? 'string' : 'long'], default: null });
  return JSON.stringify({ type: 'record', name: 'OrderPlaced', namespace: 'com.acme.orders', fields });
}

const history = Array.from({ length: VERSIONS }, (_, k) => historyVersion(k));
const candidate = historyVersion(VERSIONS);

async function benchHistory() {
  const t0 = process.hrtime.bigint();
  const first = await checkCompatibility({ format: 'AVRO', level: 'FULL_TRANSITIVE', previous: history, candidate });
  const cold = Number(process.hrtime.bigint() - t0);
  if (!first.compatible) throw new Error(`history candidate unexpectedly incompatible: ${JSON.stringify(first.messages[0])}`);
  const ours = [];
  for (let r = 0; r < REPS; r++) {
    const t = process.hrtime.bigint();
    await checkCompatibility({ format: 'AVRO', level: 'FULL_TRANSITIVE', previous: history, candidate });
    ours.push(Number(process.hrtime.bigint() - t));
  }
  // the anchor gets the same advantage as our warm runs: the stored versions already parsed
  const types = history.map((h) => avro.Type.forSchema(JSON.parse(h)));
  const anchor = [];
  for (let r = 0; r < REPS; r++) {
    const t = process.hrtime.bigint();
    const cand = avro.Type.forSchema(JSON.parse(candidate));
    for (let i = types.length - 1; i >= 0; i--) {
      cand.createResolver(types[i]);
      types[i].createResolver(cand);
    }
    anchor.push(Number(process.hrtime.bigint() - t));
  }
  return { cold: cold / 1e3, ours: stats(ours), anchor: stats(anchor) };
}

// ---------------------------------------------------------------- 2. 10,000 generated pairs

const PRIMS = ['int', 'long', 'float', 'double', 'string', 'bytes', 'boolean'];

function genRecord(rand, i) {
  const n = 3 + Math.floor(rand() * 10);
  const fields = [];
  for (let f = 0; f < n; f++) {
    const roll = rand();
    let type;
    if (roll < 0.6) type = PRIMS[Math.floor(rand() * PRIMS.length)];
    else if (roll < 0.75) type = ['null', PRIMS[Math.floor(rand() * PRIMS.length)]];
    else if (roll < 0.85) type = { type: 'array', items: PRIMS[Math.floor(rand() * PRIMS.length)] };
    else type = { type: 'enum', name: `E${i}_${f}`, symbols: ['A', 'B', 'C'].slice(0, 2 + Math.floor(rand() * 2)) };
    const field = { name: `f${f}`, type };
    if (Array.isArray(type) && rand() < 0.8) field.default = null;
    fields.push(field);
  }
  return { type: 'record', name: `Event${i}`, namespace: 'bench.pairs', fields };
}

const PROMOTE = { int: 'long', long: 'float', float: 'double', string: 'bytes', bytes: 'string' };

function mutate(rand, rec) {
  const r = structuredClone(rec);
  const kind = Math.floor(rand() * 7);
  const idx = Math.floor(rand() * r.fields.length);
  const f = r.fields[idx];
  switch (kind) {
    case 0: r.fields.push({ name: `added_${idx}`, type: ['null', 'string'], default: null }); break; // compatible
    case 1: r.fields.push({ name: `added_${idx}`, type: 'long' }); break; // missing default
    case 2: r.fields.splice(idx, 1); break; // removal: fine for BACKWARD
    case 3: if (typeof f.type === 'string') f.type = PROMOTE[f.type] ?? 'string'; break; // promotion or mismatch
    case 4: if (typeof f.type === 'string' && PROMOTE[f.type]) f.type = Object.keys(PROMOTE).find((k) => PROMOTE[k] === f.type) ?? 'int'; break; // demotion
    case 5: if (f.type && f.type.type === 'enum') f.type.symbols = f.type.symbols.slice(0, -1); else f.doc = 'changed'; break;
    case 6: f.aliases = [f.name]; f.name = `${f.name}_renamed`; break; // rename with alias
  }
  return r;
}

function genPairs() {
  const rand = rng(42);
  const out = [];
  for (let i = 0; i < PAIRS; i++) {
    const old = genRecord(rand, i);
    out.push({ old: JSON.stringify(old), neu: JSON.stringify(mutate(rand, old)) });
  }
  return out;
}

async function benchPairs(pairs) {
  const ours = [];
  const verdicts = [];
  for (const p of pairs) {
    const t = process.hrtime.bigint();
    const r = await checkCompatibility({ format: 'AVRO', level: 'BACKWARD', previous: [p.old], candidate: p.neu });
    ours.push(Number(process.hrtime.bigint() - t));
    verdicts.push(r.compatible);
  }
  const anchor = [];
  let agree = 0;
  pairs.forEach((p, i) => {
    const t = process.hrtime.bigint();
    let ok = true;
    try {
      avro.Type.forSchema(JSON.parse(p.neu)).createResolver(avro.Type.forSchema(JSON.parse(p.old)));
    } catch {
      ok = false;
    }
    anchor.push(Number(process.hrtime.bigint() - t));
    if (ok === verdicts[i]) agree++;
  });
  return { ours: stats(ours), anchor: stats(anchor), incompatible: verdicts.filter((v) => !v).length, agree };
}

// ---------------------------------------------------------------- run

console.log(`node ${process.version}, ${process.platform}/${process.arch}`);
const h = await benchHistory();
console.log(`\n1. one subject, ${VERSIONS} versions, candidate checked FULL_TRANSITIVE (${VERSIONS * 2} pair checks), ${REPS} reps`);
console.log(`   schemactl  cold ${fmt(h.cold)}   warm p50 ${fmt(h.ours.p50)}  p99 ${fmt(h.ours.p99)}  ${h.ours.perSec.toFixed(1)} checks/s`);
console.log(`   avsc       warm p50 ${fmt(h.anchor.p50)}  p99 ${fmt(h.anchor.p99)}  ${h.anchor.perSec.toFixed(1)} checks/s`);
console.log(`   ratio schemactl/avsc (p50): ${(h.ours.p50 / h.anchor.p50).toFixed(2)}x`);

const pairs = genPairs();
const p = await benchPairs(pairs);
console.log(`\n2. ${PAIRS} generated Avro pairs, BACKWARD (parse both + check; ${p.incompatible} incompatible)`);
console.log(`   schemactl  p50 ${fmt(p.ours.p50)}  p99 ${fmt(p.ours.p99)}  ${Math.round(p.ours.perSec)} checks/s`);
console.log(`   avsc       p50 ${fmt(p.anchor.p50)}  p99 ${fmt(p.anchor.p99)}  ${Math.round(p.anchor.perSec)} checks/s`);
console.log(`   ratio schemactl/avsc (p50): ${(p.ours.p50 / p.anchor.p50).toFixed(2)}x, throughput ${(p.ours.perSec / p.anchor.perSec).toFixed(2)}x`);
console.log(`   verdicts agreeing with avsc's resolver: ${p.agree}/${PAIRS}`);
