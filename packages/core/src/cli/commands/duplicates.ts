import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { type CommandEnv, globals, number, positiveInt } from '../command-kit.js';
import { withTenant } from '../connect.js';
import { writeLine } from '../io.js';

interface DuplicatesFlags {
  threshold?: number;
  limit?: number;
  json?: boolean;
}

/**
 * `crmkit duplicates <entity>`: lists likely duplicate pairs found by
 * `t.duplicates.find`, page after page, one line each (score, the two ids,
 * the reasons), or one JSON object per line with `--json`.
 */
export function duplicatesCommand(program: Command, env: CommandEnv): void {
  program
    .command('duplicates')
    .description('list likely duplicate contacts or companies, best match first')
    .argument('<entity>', 'contact or company')
    .option('--threshold <score>', 'lowest score listed, 0 to 1', number)
    .option('--limit <n>', 'most pairs listed', positiveInt)
    .option('--json', 'one JSON object per pair')
    .action(async (entity: string, flags: DuplicatesFlags, command: Command) => {
      if (entity !== 'contact' && entity !== 'company') throw usageError(`duplicates are found among contacts or companies, not ${entity}`);
      await withTenant(globals(command), async (t) => {
        const duplicates = t.duplicates;
        let listed = 0;
        let cursor: string | undefined;
        do {
          const left = flags.limit === undefined ? undefined : flags.limit - listed;
          const page = await duplicates.find({
            entity, ...(flags.threshold !== undefined ? { threshold: flags.threshold } : {}),
            ...(left !== undefined ? { limit: Math.min(left, 100) } : {}), ...(cursor ? { cursor } : {}),
          });
          for (const match of page.items) {
            const reasons = match.reasons.map((r) => `${r.rule}: ${r.detail}`).join('; ');
            writeLine(env.io.stdout, flags.json ? JSON.stringify(match) : `${match.score.toFixed(2)}\t${match.ids[0]}\t${match.ids[1]}\t${reasons}`);
          }
          listed += page.items.length;
          cursor = page.nextCursor ?? undefined;
        } while (cursor !== undefined && (flags.limit === undefined || listed < flags.limit));
        writeLine(env.io.stderr, `${listed} likely duplicate pairs`);
      });
    });
}
