/**
 * Sales automation on the demo dataset: imports opportunities into a SQLite
 * CRM, puts the four standard workflows live with triggers, plays a few weeks
 * of sales work on a manual clock and prints what the machines did.
 *
 *   node --import tsx examples/sales-automation/index.ts [--limit 400] [--weeks 6] [--db :memory:]
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printReport } from './print-report.js';
import { collectReport } from './report.js';
import { runSimulation } from './simulate.js';

const usage = `Usage: node --import tsx examples/sales-automation/index.ts [options]

  --limit <n>     opportunities to import                  default: 400
  --weeks <n>     weeks to simulate after go-live          default: 6
  --step <hours>  clock step                               default: 6
  --db <file>     SQLite file to (re)create, or :memory:   default: :memory:
  --data <dir>    dataset directory                        default: examples/data/crm-sales-opportunities
  --quiet         do not print the scripted steps
  --help          show this help`;

function positive(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${name} expects a positive integer, got "${text}"`);
  return Number(text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      limit: { type: 'string', default: '400' },
      weeks: { type: 'string', default: '6' },
      step: { type: 'string', default: '6' },
      db: { type: 'string', default: ':memory:' },
      data: { type: 'string', default: fileURLToPath(new URL('../data/crm-sales-opportunities', import.meta.url)) },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  if (values.db !== ':memory:') await Promise.all(['', '-wal', '-shm', '-journal'].map((s) => rm(values.db + s, { force: true })));
  const sim = await runSimulation({
    dataDir: values.data,
    limit: positive('limit', values.limit),
    weeks: positive('weeks', values.weeks),
    stepHours: positive('step', values.step),
    db: values.db,
    onStep: values.quiet ? undefined : (at, what) => console.log(`${at.toISOString().slice(0, 16).replace('T', ' ')}  ${what}`),
  });
  try {
    printReport(await collectReport(sim));
  } finally {
    await sim.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof Error && !error.message.startsWith('--')) console.error(error.stack);
  process.exitCode = 1;
});
