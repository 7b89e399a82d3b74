// Parity with buf on real-world trees (../shared/corpora, see its README): the built CLI must report
// no parse error on any file buf builds and a parse error, for buf's reason, on each file buf
// refuses. googleapis is sampled (every 8th file plus compute.proto, the largest) to keep the suite
// under a minute; `npm run parity` runs every file and times the runs against buf.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../cli/support/build.js';
import { corporaDir, requireShared } from '../../support/conformance.js';

const CORPORA = corporaDir;
const present =
  requireShared('corpora', 'parity with buf on the real-world Protobuf corpora') &&
  existsSync(path.join(CORPORA, 'googleapis')) &&
  existsSync(path.join(CORPORA, 'protobuf-rejected'));

interface Message {
  ruleId: string | null;
  message: string;
  line: number;
  column: number;
}

function protoFiles(dir: string, rel = '', out: string[] = []): string[] {
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) protoFiles(dir, r, out);
    else if (e.name.endsWith('.proto')) out.push(r);
  }
  return out;
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'schemactl-corpora-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * Lints `files` (relative to `tree`, the import root) with the built CLI; returns the parse errors by
 * file. proto-reserve-removed is off here only to keep the suite fast: rules do not decide parse errors.
 */
function parseErrors(tree: string, files: string[]): { status: number | null; errors: Map<string, Message[]> } {
  const config = path.join(tmp, `schemactl-${path.basename(tree)}.yaml`);
  writeFileSync(config, `include_paths: [${JSON.stringify(tree)}]\nrules:\n  proto-reserve-removed: off\n`);
  const report = path.join(tmp, 'report.json');
  const r = spawnSync(process.execPath, [buildCli(), 'lint', ...files, '--config', config, '--format', 'json', '-o', report], { cwd: tree, encoding: 'utf8' });
  const errors = new Map<string, Message[]>();
  for (const f of JSON.parse(readFileSync(report, 'utf8')) as Array<{ filePath: string; messages: Message[] }>) {
    const errs = f.messages.filter((m) => m.ruleId === null || m.ruleId === 'parse-error');
    if (errs.length > 0) errors.set(path.relative(tree, f.filePath).split(path.sep).join('/'), errs);
  }
  return { status: r.status, errors };
}

const show = (errors: Map<string, Message[]>): string[] => [...errors].map(([f, ms]) => `${f}:${ms[0]?.line}:${ms[0]?.column} ${ms[0]?.message}`);

describe.skipIf(!present)('parity with buf on the real-world Protobuf corpora', () => {
  // the build (tsc) is not part of any one case's time
  beforeAll(() => void buildCli(), 300_000);

  it('reports no parse error on the protobuf tree (proto2, proto3, editions 2023/2024/2026)', () => {
    const tree = path.join(CORPORA, 'protobuf');
    const { status, errors } = parseErrors(tree, ['.']);
    expect(show(errors)).toEqual([]);
    expect([0, 1]).toContain(status);
  }, 60_000);

  it('reports no parse error on a sample of googleapis (every 8th file and compute.proto)', () => {
    const tree = path.join(CORPORA, 'googleapis');
    const all = protoFiles(tree).sort();
    const sample = all.filter((f, k) => k % 8 === 0 || f === 'google/cloud/compute/v1/compute.proto');
    expect(sample.length).toBeGreaterThan(900);
    const { errors } = parseErrors(tree, sample);
    expect(show(errors)).toEqual([]);
  }, 60_000);

  it('refuses each file buf refuses, for buf\'s reason, in the tree buf judged', () => {
    const rejectedDir = path.join(CORPORA, 'protobuf-rejected');
    const rejected = protoFiles(rejectedDir);
    expect(rejected).toHaveLength(7);
    const tree = path.join(tmp, 'upstream');
    cpSync(path.join(CORPORA, 'protobuf'), tree, { recursive: true });
    for (const f of rejected) cpSync(path.join(rejectedDir, f), path.join(tree, f));
    const { status, errors } = parseErrors(tree, ['.']);
    const reasons: Array<[RegExp, RegExp]> = [
      [/unrecognized `edition`/, /unrecognized edition/],
      [/imported file does not exist/, /import "[^"]+" was not found|imported file "[^"]+" has errors/],
      [/declared multiple times/, /is declared in this file and in/],
      [/message set wire format/, /legacy message-set wire format/],
    ];
    const verdicts = rejected.map((f) => {
      const buf = readFileSync(path.join(rejectedDir, `${f}.buf-says.txt`), 'utf8').split('\n')[0] ?? '';
      const ours = reasons.find(([b]) => b.test(buf))?.[1];
      const matched = ours !== undefined && (errors.get(f) ?? []).some((m) => ours.test(m.message));
      return [f, matched ? 'same reason' : `buf: ${buf} / schemactl: ${errors.get(f)?.[0]?.message ?? 'accepted'}`];
    });
    expect(verdicts).toEqual(rejected.map((f) => [f, 'same reason']));
    // the valid files beside them stay valid, and the unusable inputs make the run exit 2
    expect(show(errors).filter((s) => !rejected.some((f) => s.startsWith(`${f}:`)))).toEqual([]);
    expect(status).toBe(2);
  }, 60_000);
});
