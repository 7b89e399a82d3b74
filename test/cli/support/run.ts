// Runs the CLI in-process through main() with captured output, the way a user would see it, with
// the temp directory normalised to <cwd> so snapshots are stable.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../../src/cli/main.js';

export const ROOT = path.resolve(import.meta.dirname, '../../..');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function tempProject(files: Record<string, string>): string {
  mkdirSync(path.join(ROOT, 'test/.work'), { recursive: true });
  const dir = mkdtempSync(path.join(ROOT, 'test/.work/scenario-'));
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

export async function run(argv: string[], cwd: string, env: Record<string, string | undefined> = {}, stdoutIsTTY = false): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    cwd,
    env: { NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
    stdoutIsTTY,
    stdout: (t) => { stdout += t; },
    stderr: (t) => { stderr += t; },
  });
  const norm = (t: string): string => t.split(cwd).join('<cwd>').split(cwd.split(path.sep).join('/')).join('<cwd>');
  return { code, stdout: norm(stdout), stderr: norm(stderr) };
}
