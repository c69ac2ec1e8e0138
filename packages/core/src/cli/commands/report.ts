import type { Command } from 'commander';
import { jsonSafe } from '../../events/json-safe.js';
import { ReportsService } from '../../reports/reports.service.js';
import { usageError } from '../cli-error.js';
import { type CommandEnv, globals, parseJson } from '../command-kit.js';
import { withTenant } from '../connect.js';
import { writeLine } from '../io.js';

interface ReportFlags {
  options?: string;
  pipeline?: string;
  json?: boolean;
}

/** The reports by name: the methods of `t.reports`. */
export const reportNames: readonly string[] = Object.getOwnPropertyNames(ReportsService.prototype)
  .filter((name) => name !== 'constructor')
  .sort();

// Reports of one pipeline take its id before their options.
const perPipeline = new Set(['pipelineSummary', 'stageVelocity', 'funnel']);

/** Rows of flat values as an aligned text table; undefined for anything else (printed as JSON). */
export function table(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const rows = value as unknown[];
  if (!rows.every((row) => typeof row === 'object' && row !== null && !Array.isArray(row))) return undefined;
  const records = rows as Record<string, unknown>[];
  const headers = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(jsonSafe(v)) : String(v));
  const cells = [headers, ...records.map((r) => headers.map((h) => cell(r[h])))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells.map((row) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

/** `crmkit report <name>`: runs `t.reports[name](options)`; prints a table for a list of rows, JSON otherwise or with `--json`. */
export function reportCommand(program: Command, env: CommandEnv): void {
  program
    .command('report')
    .description(`run a report: ${reportNames.join(', ')}`)
    .argument('<name>', 'the report')
    .option('--options <json>', 'the report\'s options as JSON, e.g. \'{"period":"month"}\'')
    .option('--pipeline <id>', `the pipeline, for ${[...perPipeline].join(', ')}`)
    .option('--json', 'print JSON even for a list of rows')
    .action(async (name: string, flags: ReportFlags, command: Command) => {
      if (!reportNames.includes(name)) throw usageError(`unknown report ${name}; reports: ${reportNames.join(', ')}`);
      if (perPipeline.has(name) && flags.pipeline === undefined) throw usageError(`report ${name} needs --pipeline <id>`);
      const options = flags.options === undefined ? undefined : parseJson(flags.options, '--options');
      await withTenant(globals(command), async (t) => {
        const report = (t.reports as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!.bind(t.reports);
        const result = perPipeline.has(name) ? await report(flags.pipeline, options) : await report(options);
        const text = flags.json ? undefined : table(result);
        writeLine(env.io.stdout, text ?? JSON.stringify(jsonSafe(result), null, 2));
      });
    });
}
