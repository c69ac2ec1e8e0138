import type { Command } from 'commander';
import { type CommandEnv, globals } from '../command-kit.js';
import { withCrm, workflowMigrations } from '../connect.js';
import { writeLine } from '../io.js';

/** `crmkit migrate`: applies the migrations not applied yet (core's; with `--workflows` those of @crmkit/workflows too). */
export function migrateCommand(program: Command, env: CommandEnv): void {
  program
    .command('migrate')
    .description("create or upgrade crmkit's tables (safe to run on every deploy)")
    .option('--workflows', 'also apply the migrations of @crmkit/workflows')
    .action(async (options: { workflows?: boolean }, command: Command) => {
      const extra = options.workflows === true ? await workflowMigrations() : undefined;
      const applied = await withCrm(globals(command), (crm) => crm.migrate(), extra);
      writeLine(env.io.stdout, applied.length === 0 ? 'up to date' : `applied ${applied.length}: ${applied.join(', ')}`);
    });
}
