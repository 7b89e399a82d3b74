// The command table behind yargs. main.ts imports it only when a command line needs yargs, so the
// `lint` fast path loads none of the other commands' modules.
import { captureInstallCommand, captureStatusCommand, captureUninstallCommand } from './capture.js';
import { checkCommand } from './check.js';
import type { CommandDef } from './command.js';
import { initCommand } from './init.js';
import { lintCommand } from './lint.js';
import { publishCommand } from './publish.js';
import { registerCommand } from './register.js';
import { registryServeCommand } from './registry-serve.js';
import { rulesCommand } from './rules.js';

export const COMMANDS: readonly CommandDef[] = [lintCommand, checkCommand, registerCommand, rulesCommand, initCommand, publishCommand];
export const GROUPS: ReadonlyArray<{ command: string; describe: string; commands: readonly CommandDef[] }> = [
  { command: 'registry', describe: 'Run the embedded schema registry', commands: [registryServeCommand] },
  { command: 'capture', describe: 'Trigger-based change capture for streams with source.pattern: triggers', commands: [captureInstallCommand, captureUninstallCommand, captureStatusCommand] },
];

export interface CommandTable {
  COMMANDS: typeof COMMANDS;
  GROUPS: typeof GROUPS;
}
