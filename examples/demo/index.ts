/**
 * The crmkit demo: imports the CRM + Sales Opportunities dataset into a fresh
 * SQLite file through the public API and prints what the crm reports about it.
 *
 *   npm run demo -- [--db examples/demo/demo.db] [--limit N] [--data dir]
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importDataset } from './import-dataset.js';
import { openCrm } from './open-crm.js';
import { printReport } from './print-report.js';
import { createProgress } from './progress.js';

const usage = `Usage: node --import tsx examples/demo/index.ts [options]

  --db <file>     SQLite file to (re)create        default: examples/demo/demo.db
  --limit <n>     import only the first n opportunities
  --data <dir>    dataset directory                default: examples/data/crm-sales-opportunities
  --help          show this help`;

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--limit expects a positive integer, got "${text}"`);
  return Number(text);
}

/** Deletes a database file with its WAL companions, so every run starts empty. */
async function removeDatabase(filename: string): Promise<void> {
  if (filename === ':memory:') return;
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(filename + suffix, { force: true })));
}

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: fileURLToPath(new URL('./demo.db', import.meta.url)) },
      limit: { type: 'string' },
      data: { type: 'string', default: fileURLToPath(new URL('../data/crm-sales-opportunities', import.meta.url)) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const limit = parseLimit(values.limit);
  await removeDatabase(values.db);
  const crm = await openCrm(values.db);
  try {
    const t = crm.tenant('demo');
    const progress = createProgress('Importing opportunities');
    const report = await importDataset(t, {
      dataDir: values.data,
      ...(limit === undefined ? {} : { limit }),
      onProgress: ({ done, total }) => progress.update(done, total),
    });
    progress.stop();
    await printReport(t, report);
    console.log(`Database  ${values.db}`);
    console.log(`Total     ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await crm.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  if (error instanceof Error && !error.message.startsWith('--')) console.error(error.stack);
  process.exitCode = 1;
});
