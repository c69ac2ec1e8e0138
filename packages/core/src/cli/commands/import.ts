import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { CliError, usageError } from '../cli-error.js';
import { type CommandEnv, formatOf, globals, positiveInt, readMapping } from '../command-kit.js';
import { withTenant } from '../connect.js';
import { writeLine } from '../io.js';
import { progressView } from '../progress.js';
import { type ImportEntity, type ImportIssue, importEntities } from '../../import/import.schema.js';

interface ImportFlags {
  map?: string;
  upsertOn?: string;
  updateOnly?: boolean;
  dryRun?: boolean;
  batchSize?: number;
  importId?: string;
  format?: string;
  errors?: string;
}

/** The import mode of the flags: `--upsert-on key` upserts, adding `--update-only` only updates. */
function modeOf(flags: ImportFlags): { mode: 'create' | 'upsert' | 'update'; key?: string } {
  if (flags.updateOnly === true) {
    if (flags.upsertOn === undefined) throw usageError('--update-only needs --upsert-on <key>: the field that finds the record to update');
    return { mode: 'update', key: flags.upsertOn };
  }
  return flags.upsertOn === undefined ? { mode: 'create' } : { mode: 'upsert', key: flags.upsertOn };
}

/** The file's size, the progress bar's total. @throws {CliError} for a file that cannot be read */
async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/**
 * `crmkit import <entity> <file>`: streams a CSV or NDJSON file into
 * `t.imports.run`, with a progress bar; rejected rows go to `--errors` as
 * NDJSON. Exits 1 when any row was rejected.
 */
export function importCommand(program: Command, env: CommandEnv): void {
  program
    .command('import')
    .description('import records from a CSV or NDJSON file (- for stdin)')
    .argument('<entity>', 'contact, company, deal, order, product, asset, case, interaction or task')
    .argument('<file>', 'the file to read, or - for standard input')
    .option('--map <mapping.json>', 'column mapping: { "columns": { "<header>": "<field path>" }, "defaults": {...} }')
    .option('--upsert-on <key>', 'update the record with the same key (externalId, email, domain, sku...) or create it')
    .option('--update-only', 'with --upsert-on: only update existing records, reject rows without one')
    .option('--dry-run', 'validate and resolve every row, write nothing')
    .option('--batch-size <n>', 'rows per transaction', positiveInt)
    .option('--import-id <id>', 'resumable run: the same id continues after its last committed batch')
    .option('--format <format>', 'csv or ndjson (default: from the file extension)')
    .option('--errors <rejects.ndjson>', 'write every issue found as one JSON line')
    .action(async (entity: string, file: string, flags: ImportFlags, command: Command) => {
      if (!(importEntities as readonly string[]).includes(entity)) throw usageError(`cannot import ${entity}: import ${importEntities.join(', ')}`);
      const { mode, key } = modeOf(flags);
      const format = formatOf(file, flags.format);
      const mapping = await readMapping(flags.map);
      const size = file === '-' ? undefined : await sizeOf(file);
      const source = file === '-' ? (env.io.stdin ?? process.stdin) : createReadStream(file);
      const rejects = flags.errors === undefined ? undefined : createWriteStream(flags.errors);
      const view = progressView(env.io, 'import', size);
      try {
        const report = await withTenant(globals(command), (t) =>
          t.imports.run(entity as ImportEntity, source as AsyncIterable<Uint8Array>, {
            format, mode, ...(key ? { key } : {}), ...(mapping ? { mapping } : {}),
            ...(flags.batchSize ? { batchSize: flags.batchSize } : {}),
            ...(flags.dryRun ? { dryRun: true } : {}),
            ...(flags.importId ? { importId: flags.importId } : {}),
            onProgress: (p) => view.update({ rows: p.rowsRead, rowsPerSecond: p.rowsPerSecond, ...(p.bytesRead !== undefined ? { value: p.bytesRead } : {}) }),
            ...(rejects ? { onIssue: (issue: ImportIssue) => void rejects.write(`${JSON.stringify(issue)}\n`) } : {}),
          }),
        );
        view.stop();
        const resumed = report.resumedFrom === undefined ? '' : `, resumed after row ${report.resumedFrom}`;
        writeLine(
          env.io.stdout,
          `${report.dryRun ? 'dry run: ' : ''}${report.rowsRead} rows read: ${report.created} created, ${report.updated} updated, ` +
            `${report.rejected} rejected (import ${report.importId}${resumed})`,
        );
        for (const issue of report.issues.slice(0, 5)) {
          writeLine(env.io.stderr, `line ${issue.line}${issue.column ? ` [${issue.column}]` : ''}: ${issue.message}`);
        }
        if (report.rejected > 0) env.exitCode = 1;
      } finally {
        view.stop();
        // A run that failed before reading the whole file must not leave it open.
        if ('destroy' in source && source !== (env.io.stdin ?? process.stdin)) source.destroy();
        if (rejects) {
          rejects.end();
          await finished(rejects);
        }
      }
    });
}
