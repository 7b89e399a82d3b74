#!/usr/bin/env node
// `npm run parity`: runs each corpus script present here (protobuf.mjs, avro.mjs) with the built CLI,
// passes its output through, and prints one combined table from the rows each script reports in
// PARITY_RESULT_FILE ({ rows: [{ corpus, files, validPerReference, falseParseErrors, falseAccepts,
// crashesOrTimeouts, wallMs, rssKb, refWallMs?, refRssKb?, reference }] }). Extra arguments go to every
// script. Exit 1 when any script fails (a misjudged file, a crash), 0 otherwise; a script skips
// itself, visibly, when ../shared/corpora is absent.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtKb, fmtMs, ratio, table } from './measure.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SCRIPTS = ['protobuf.mjs', 'avro.mjs'];

const rows = [];
let failed = false;
let ran = 0;
for (const name of SCRIPTS) {
  const script = path.join(HERE, name);
  if (!existsSync(script)) continue;
  ran++;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'schemactl-parity-rows-'));
  const resultFile = path.join(dir, 'rows.json');
  console.log(`\n== ${name}`);
  const r = spawnSync(process.execPath, [script, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, PARITY_RESULT_FILE: resultFile },
  });
  if (r.status !== 0) failed = true;
  if (existsSync(resultFile)) {
    try {
      rows.push(...(JSON.parse(readFileSync(resultFile, 'utf8')).rows ?? []));
    } catch {
      console.log(`(${name} wrote rows that are not JSON; its own output above is the result)`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
}
if (ran === 0) console.log('parity: no corpus script found in bench/parity/');

if (rows.length > 0) {
  console.log('\nParity with the reference toolchains (all corpora)');
  console.log(table([
    ['corpus', 'files', 'valid (ref)', 'false errors', 'false accepts', 'crashes', 'schemactl wall', 'ref wall', 'ratio', 'schemactl RSS', 'ref RSS', 'ratio', 'reference'],
    ...rows.map((r) => [
      r.corpus, r.files, r.validPerReference, r.falseParseErrors, r.falseAccepts, r.crashesOrTimeouts,
      fmtMs(r.wallMs), fmtMs(r.refWallMs), ratio(r.wallMs, r.refWallMs), fmtKb(r.rssKb), fmtKb(r.refRssKb), ratio(r.rssKb, r.refRssKb),
      r.reference ?? '',
    ]),
  ]));
}
process.exit(failed ? 1 : 0);
