/**
 * The crmkit analytics example: imports three real datasets (CDNOW purchases,
 * IBM Telco churn, the Olist marketing funnel) into a SQLite CRM through the
 * public API, each in its own tenant, and prints what the reports say.
 *
 *   npm run analytics -- [--db examples/analytics/analytics.db] [--fresh] [--only cdnow,telco,olist]
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openCrm, removeDatabase } from './open-crm.js';
import { printReport } from './print-report.js';
import { type DatasetName, datasets, runAnalytics } from './run.js';

const usage = `Usage: node --import tsx examples/analytics/index.ts [options]

  --db <file>              SQLite file, kept between runs       default: examples/analytics/analytics.db
                           (a re-run finds the imported records by external id and creates nothing)
  --fresh                  delete the database first
  --only <list>            datasets to run, comma-separated     default: cdnow,telco,olist
  --cdnow-customers <n>    only CDNOW customers with id <= n    default: all 23,570
  --telco-customers <n>    only the first n Telco customers     default: all 7,043
  --data <dir>             datasets directory                   default: examples/data
  --help                   show this help`;

function positive(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`--${name} expects a positive integer, got "${text}"`);
  return Number(text);
}

function datasetList(text: string): DatasetName[] {
  const names = text.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !datasets.includes(n as DatasetName));
  if (unknown.length > 0) throw new Error(`--only expects some of ${datasets.join(', ')}, got "${unknown.join(', ')}"`);
  return names as DatasetName[];
}

async function main(): Promise<void> {
  const started = performance.now();
  const { values } = parseArgs({
    options: {
      db: { type: 'string', default: fileURLToPath(new URL('./analytics.db', import.meta.url)) },
      fresh: { type: 'boolean', default: false },
      only: { type: 'string', default: datasets.join(',') },
      'cdnow-customers': { type: 'string' },
      'telco-customers': { type: 'string' },
      data: { type: 'string', default: fileURLToPath(new URL('../data', import.meta.url)) },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const only = datasetList(values.only);
  const cdnowCustomers = positive('cdnow-customers', values['cdnow-customers']);
  const telcoCustomers = positive('telco-customers', values['telco-customers']);
  if (values.fresh) await removeDatabase(values.db);
  const crm = await openCrm(values.db);
  try {
    let lastTenth = -1;
    const report = await runAnalytics(crm, {
      dataDir: values.data, only,
      ...(cdnowCustomers === undefined ? {} : { cdnowCustomers }),
      ...(telcoCustomers === undefined ? {} : { telcoCustomers }),
      // Progress goes to stderr, a line per 10 %, so stdout carries only the report.
      onProgress: (name, done, total) => {
        const tenth = Math.floor((done * 10) / total);
        if (tenth !== lastTenth) process.stderr.write(`${name}: ${done}/${total}\n`);
        lastTenth = tenth;
      },
    });
    printReport(report);
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
