import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import type { ExportOptions, ExportTarget } from '../../export/export.schema.js';
import type { TenantScope } from '../../tenant-scope.js';
import type { Where } from '../../storage/where.js';
import { type CommandEnv, formatOf, globals, parseJson, positiveInt, readMapping } from '../command-kit.js';
import { withTenant } from '../connect.js';
import { writeLine } from '../io.js';
import { progressView } from '../progress.js';

interface ExportFlags {
  format?: string;
  map?: string;
  fields?: string;
  where?: string;
  pageSize?: number;
}

/** `segment:<id>` names a segment's members; anything else an entity (checked by the service). */
function targetOf(name: string): ExportTarget {
  return name.startsWith('segment:') ? { segmentId: name.slice('segment:'.length) } : (name as ExportTarget);
}

/**
 * `crmkit export <entity|segment:<id>> <file>`: writes the records (or a
 * segment's members) as CSV or NDJSON into a file or, with `-`, to stdout,
 * through `t.exports.toWritable`, honouring the stream's backpressure.
 */
export function exportCommand(program: Command, env: CommandEnv): void {
  program
    .command('export')
    .description("export an entity's records, or a segment's members (segment:<id>), as CSV or NDJSON")
    .argument('<target>', 'an entity (contact, company, deal...) or segment:<id>')
    .argument('<file>', 'the file to write, or - for standard output')
    .option('--format <format>', 'csv or ndjson (default: from the file extension)')
    .option('--map <mapping.json>', 'the columns, as an import mapping: { "columns": { "<header>": "<field path>" } }')
    .option('--fields <paths>', 'comma-separated field paths to export, in order')
    .option('--where <json>', 'filter on stored fields, as in list: \'{"lifecycleStage":"customer"}\'')
    .option('--page-size <n>', 'records per query', positiveInt)
    .action(async (name: string, file: string, flags: ExportFlags, command: Command) => {
      const target = targetOf(name);
      const mapping = await readMapping(flags.map);
      const options: ExportOptions = {
        format: formatOf(file, flags.format),
        ...(mapping ? { mapping } : {}),
        ...(flags.fields ? { fields: flags.fields.split(',').map((f) => f.trim()).filter((f) => f !== '') } : {}),
        ...(flags.where ? { where: parseJson(flags.where, '--where') as Where } : {}),
        ...(flags.pageSize ? { pageSize: flags.pageSize } : {}),
      };
      await withTenant(globals(command), async (t) => {
        const total = await countOf(t, target, options.where);
        const view = progressView(env.io, 'export', total);
        const out = file === '-' ? env.io.stdout : createWriteStream(file);
        try {
          const { rows } = await t.exports.toWritable(target, out, {
            ...options,
            onProgress: (p) => view.update({ rows: p.rows, rowsPerSecond: p.rowsPerSecond, value: p.rows }),
          });
          view.stop();
          writeLine(env.io.stderr, `exported ${rows} rows${file === '-' ? '' : ` to ${file}`}`);
        } finally {
          view.stop();
          if (out !== env.io.stdout) {
            out.end();
            await finished(out as NodeJS.WritableStream & NodeJS.EventEmitter);
          }
        }
      });
    });
}

/** How many records the export will write, for the progress bar's percentage and ETA. */
function countOf(t: TenantScope, target: ExportTarget, where: Where | undefined): Promise<number> {
  return t.exports.count(target, where === undefined ? {} : { where });
}
