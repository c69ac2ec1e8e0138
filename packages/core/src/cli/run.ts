import { Command, CommanderError } from 'commander';
import { CliError, describeError, exitCodes } from './cli-error.js';
import type { CommandEnv } from './command-kit.js';
import { duplicatesCommand } from './commands/duplicates.js';
import { eraseCommand } from './commands/erase.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { migrateCommand } from './commands/migrate.js';
import { reportCommand } from './commands/report.js';
import { type CliIo, writeLine } from './io.js';

/** The `crmkit` program: global options and one subcommand per file of commands/. */
function program(env: CommandEnv): Command {
  const root = new Command('crmkit')
    .description('crmkit on the command line: migrate, import, export, find duplicates, run reports, erase personal data')
    .option('--db <file>', 'a SQLite database file (needs @crmkit/adapter-sqlite)')
    .option('--url <url>', 'a PostgreSQL connection string (needs @crmkit/adapter-postgres)')
    .option('--tenant <id>', 'the tenant (required by every command but migrate)')
    .option('--actor <memberId>', 'the member acting, recorded in audit entries and events')
    // Throw instead of process.exit, and write through the given streams: `run` decides the exit code.
    .exitOverride()
    .configureOutput({ writeOut: (s) => void env.io.stdout.write(s), writeErr: (s) => void env.io.stderr.write(s) })
    .showHelpAfterError('(run crmkit --help for usage)');
  // Subcommands made by `.command()` inherit the settings above, so each takes the global options too.
  for (const add of [migrateCommand, importCommand, exportCommand, duplicatesCommand, reportCommand, eraseCommand]) add(root, env);
  return root;
}

/**
 * Runs `crmkit` with `argv` (the arguments after the program name) and
 * returns its exit code: 0 done, 1 failed or an import rejected rows, 2 a
 * usage error. Errors are reported as one line on stderr.
 * @example
 * const code = await run(['--db', 'crm.db', 'migrate'], processIo());
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const env: CommandEnv = { io, exitCode: exitCodes.ok };
  try {
    await program(env).parseAsync([...argv], { from: 'user' });
    return env.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version end the program on purpose; every other commander error is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return exitCodes.ok;
      return exitCodes.usage;
    }
    writeLine(io.stderr, `crmkit: ${describeError(error)}`);
    return error instanceof CliError ? error.exitCode : exitCodes.failure;
  }
}
