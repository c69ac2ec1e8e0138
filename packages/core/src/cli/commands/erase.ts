import type { Command } from 'commander';
import { jsonSafe } from '../../events/json-safe.js';
import { type CommandEnv, globals } from '../command-kit.js';
import { withTenant } from '../connect.js';
import { writeLine } from '../io.js';

/** `crmkit erase <contactId>`: erases a contact's personal data (GDPR) through `t.privacy.erase` and prints the erasure record. */
export function eraseCommand(program: Command, env: CommandEnv): void {
  program
    .command('erase')
    .description("erase a contact's personal data (right to erasure); prints the erasure record")
    .argument('<contactId>', 'the contact to erase')
    .option('--reason <text>', 'why, kept in the erasure record')
    .action(async (contactId: string, flags: { reason?: string }, command: Command) => {
      const options = globals(command);
      await withTenant(options, async (t) => {
        const record = await t.privacy.erase(contactId, {
          ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
          ...(options.actor !== undefined ? { requestedBy: options.actor } : {}),
        });
        writeLine(env.io.stdout, JSON.stringify(jsonSafe(record), null, 2));
      });
    });
}
