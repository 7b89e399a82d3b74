#!/usr/bin/env node
// Protobuf parity: the built CLI (`node bin/schemactl.js lint . --format json`, as users run it) over
// the real-world corpora in ../shared/corpora, judged against buf's verdicts:
//   googleapis/          7,227 files buf builds     → no parse error may be reported (false errors)
//   protobuf/              100 files buf builds     → the same
//   protobuf-rejected/       7 files buf refuses    → each must get a parse error for buf's reason
//                                                     (linted in the upstream tree: protobuf/ plus them)
// and timed beside `buf lint` on the same tree in the same run (wall time, peak RSS, median of
// --runs N alternating runs). Exit 1 when any file is misjudged or the CLI crashes or times out.
//
//   node bench/parity/protobuf.mjs [--runs N] [--only googleapis|protobuf] [--rules-off id,id]
//   (--rules-off lints with a config that turns those rules off, named in the output: parse verdicts
//   do not depend on rules, timings do)
//   PARITY_RESULT_FILE=rows.json … writes the table rows as JSON too (bench/parity/run.mjs reads them)
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, CORPORA, ROOT, fmtKb, fmtMs, measure, median, ratio, table } from './measure.mjs';

const BUF = path.join(ROOT, 'node_modules/.bin/buf');
const argOf = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const RUNS = Number(argOf('runs', '3'));
const ONLY = argOf('only', undefined);
const RULES_OFF = (argOf('rules-off', '') ?? '').split(',').filter(Boolean);
const TIMEOUT_MS = 900_000;

/** buf's first error on a refused file (its .buf-says.txt) → what schemactl must say about it. */
const REASONS = [
  { buf: /unrecognized `edition`/, ours: /unrecognized edition/ },
  { buf: /imported file does not exist/, ours: /import "[^"]+" was not found|imported file "[^"]+" has errors/ },
  { buf: /declared multiple times/, ours: /is declared in this file and in|is already defined/ },
  { buf: /message set wire format/, ours: /legacy message-set wire format/ },
];

function writeRows(rows) {
  if (process.env.PARITY_RESULT_FILE) writeFileSync(process.env.PARITY_RESULT_FILE, JSON.stringify({ rows }, null, 2));
}

if (!existsSync(CORPORA)) {
  console.log(`parity/protobuf: SKIPPED — ${CORPORA} is absent (the real-world corpora live in ../shared/corpora beside the repository; SCHEMACTL_TEST_SHARED_DIR names the shared folder elsewhere)`);
  writeRows([]);
  process.exit(0);
}
if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) {
  console.error('parity/protobuf: the CLI is not built; run `npm run build` first');
  process.exit(2);
}

function protoFiles(dir, rel = '', out = []) {
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) protoFiles(dir, r, out);
    else if (e.name.endsWith('.proto')) out.push(r);
  }
  return out;
}

/** Lints `tree` with the built CLI; returns per-file parse errors (fatal or parse-error findings). */
async function lintTree(tree) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'schemactl-parity-'));
  const out = path.join(work, 'report.json');
  const args = [BIN, 'lint', '.', '--format', 'json', '-o', out];
  if (RULES_OFF.length > 0) {
    const config = path.join(work, 'schemactl.yaml');
    writeFileSync(config, `include_paths: [${JSON.stringify(tree)}]\nrules:\n${RULES_OFF.map((id) => `  ${id}: off\n`).join('')}`);
    args.push('--config', config);
  }
  const r = await measure(process.execPath, args, { cwd: tree, timeoutMs: TIMEOUT_MS });
  const parseErrors = new Map();
  let crashed = r.timedOut || ![0, 1, 2].includes(r.code);
  if (existsSync(out)) {
    for (const f of JSON.parse(readFileSync(out, 'utf8'))) {
      const errs = f.messages.filter((m) => m.ruleId === null || m.ruleId === 'parse-error');
      if (errs.some((m) => /internal error|please report/.test(m.message))) crashed = true;
      if (errs.length > 0) parseErrors.set(path.relative(tree, f.filePath).split(path.sep).join('/'), errs);
    }
  } else crashed = true;
  rmSync(work, { recursive: true, force: true });
  return { ...r, parseErrors, crashed };
}

async function timeBuf(tree) {
  return measure(BUF, ['lint'], { cwd: tree, timeoutMs: TIMEOUT_MS });
}

const rows = [];
let failed = false;

async function validCorpus(name, tree) {
  const files = protoFiles(tree);
  const ours = [];
  const theirs = [];
  let last;
  for (let k = 0; k < RUNS; k++) {
    last = await lintTree(tree);
    ours.push(last);
    theirs.push(await timeBuf(tree));
  }
  const falseErrors = [...last.parseErrors.keys()];
  const crashes = ours.filter((r) => r.crashed).length;
  const row = {
    corpus: name,
    files: files.length,
    validPerReference: files.length,
    falseParseErrors: falseErrors.length,
    falseAccepts: 0,
    crashesOrTimeouts: crashes,
    wallMs: median(ours.map((r) => r.wallMs)),
    rssKb: median(ours.map((r) => r.rssKb ?? NaN)),
    refWallMs: median(theirs.map((r) => r.wallMs)),
    refRssKb: median(theirs.map((r) => r.rssKb ?? NaN)),
    reference: 'buf lint',
  };
  rows.push(row);
  for (const f of falseErrors.slice(0, 20)) {
    const m = last.parseErrors.get(f)[0];
    console.log(`  false parse error: ${name}/${f}:${m.line}:${m.column} ${m.message}`);
  }
  if (falseErrors.length > 0 || crashes > 0) failed = true;
}

async function rejectedCorpus() {
  const rejectedDir = path.join(CORPORA, 'protobuf-rejected');
  const rejected = protoFiles(rejectedDir);
  // the tree buf judged: the valid files and the refused ones together
  const tree = mkdtempSync(path.join(os.tmpdir(), 'schemactl-parity-tree-'));
  cpSync(path.join(CORPORA, 'protobuf'), tree, { recursive: true });
  for (const f of rejected) cpSync(path.join(rejectedDir, f), path.join(tree, f));
  const r = await lintTree(tree);
  rmSync(tree, { recursive: true, force: true });
  let accepts = 0;
  let reasonsMatched = 0;
  for (const f of rejected) {
    const says = readFileSync(path.join(rejectedDir, `${f}.buf-says.txt`), 'utf8').trim().split('\n')[0] ?? '';
    const errs = r.parseErrors.get(f) ?? [];
    const reason = REASONS.find((x) => x.buf.test(says));
    const ok = reason !== undefined && errs.some((m) => reason.ours.test(m.message));
    if (errs.length === 0) accepts++;
    if (ok) reasonsMatched++;
    const first = errs[0];
    console.log(`  ${errs.length === 0 ? 'FALSE ACCEPT' : ok ? 'refused, same reason' : 'refused, OTHER reason'}: ${f}`);
    console.log(`      buf:        ${says}`);
    if (first) console.log(`      schemactl:  ${f}:${first.line}:${first.column}: ${first.message}`);
  }
  // the valid files of the upstream tree stay valid next to the refused ones
  const falseErrors = [...r.parseErrors.keys()].filter((f) => !rejected.includes(f));
  for (const f of falseErrors) console.log(`  false parse error beside the refused files: ${f}`);
  rows.push({
    corpus: 'protobuf-rejected',
    files: rejected.length,
    validPerReference: 0,
    falseParseErrors: falseErrors.length,
    falseAccepts: accepts,
    crashesOrTimeouts: r.crashed ? 1 : 0,
    reasonsMatched,
    wallMs: r.wallMs,
    rssKb: r.rssKb,
    reference: 'buf build (verdicts in .buf-says.txt)',
  });
  if (accepts > 0 || falseErrors.length > 0 || r.crashed || reasonsMatched < rejected.length) failed = true;
}

if (ONLY === undefined || ONLY === 'googleapis') await validCorpus('googleapis', path.join(CORPORA, 'googleapis'));
if (ONLY === undefined || ONLY === 'protobuf') {
  await validCorpus('protobuf', path.join(CORPORA, 'protobuf'));
  await rejectedCorpus();
}

const settings = RULES_OFF.length > 0 ? `default settings except ${RULES_OFF.join(', ')} off` : 'default settings';
console.log(`\nProtobuf parity (median of ${RUNS} runs; schemactl = node bin/schemactl.js lint . --format json, ${settings})`);
console.log(table([
  ['corpus', 'files', 'valid (ref)', 'false errors', 'false accepts', 'crashes', 'schemactl wall', 'buf wall', 'ratio', 'schemactl RSS', 'buf RSS', 'ratio'],
  ...rows.map((r) => [
    r.corpus, r.files, r.validPerReference, r.falseParseErrors, r.falseAccepts, r.crashesOrTimeouts,
    fmtMs(r.wallMs), fmtMs(r.refWallMs), ratio(r.wallMs, r.refWallMs), fmtKb(r.rssKb), fmtKb(r.refRssKb), ratio(r.rssKb, r.refRssKb),
  ]),
]));
writeRows(rows);
process.exit(failed ? 1 : 0);
