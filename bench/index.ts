/**
 * crmkit's benchmark: the SQLite adapter against hand-written better-sqlite3
 * on the same schema, in the same process. Not a test: it always exits 0 once
 * it has printed its table, whether the targets are met or not.
 *
 *   npm run bench -- [--n 200000] [--rounds 3] [--seed 42] [--pg [--deals 200000]] [--workflows] [--writes]
 *   npm run bench -- --sla [--pg] [--cases 1000000]
 *   npm run bench -- --reports [--pg] [--scale 1]
 *   npm run bench -- --import [--pg] [--scale 1] [--rounds 1]
 *   npm run bench -- --access [--pg] [--scale 1]
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { MemoryProbe } from './measure.js';
import { formatTable } from './report.js';
import { runSqliteSuite } from './sqlite.js';

const usage = `Usage: npm run bench -- [options]

  --n <count>      contacts imported per round            default: 200000
  --rounds <k>     timed rounds per operation (median)    default: 3
  --seed <s>       seed of rows and query sequences       default: 42
  --pg             PostgreSQL suite (bench/postgres.ts); server: CRMKIT_PG_URL
                   or postgres://postgres@127.0.0.1:5432/postgres
  --deals <count>  deals of the pipeline summary (--pg)   default: 200000
  --workflows      workflow engine suite (bench/workflows.ts)
  --writes         single service writes, SQLite and PostgreSQL (bench/writes.ts)
  --sla            SLA reports vs hand-written SQL (bench/sla.ts); SQLite, or PostgreSQL with --pg
  --cases <count>  cases of the SLA reports (--sla)        default: 1000000
  --reports        reports vs hand-written SQL (bench/reports.ts); SQLite, or PostgreSQL with --pg
  --scale <f>      fraction of 1,000,000 deals / 1,000,000 orders / 5,000,000
                   interactions (--reports), of 1,000,000 contacts (--import)
                                                           default: 1
  --import         CSV import and export vs the driver by hand (bench/import.ts);
                   SQLite, or PostgreSQL with --pg
  --access         restricted lists (member scope, own / team) vs the system scope
                   (bench/access.ts); SQLite, or PostgreSQL with --pg; --scale of 10,000 and 100,000 contacts
  --help           show this help`;

/** Options every suite receives. */
export interface BenchOptions {
  n: number;
  rounds: number;
  seed: number;
  /** Deals summarised by the pipeline report (PostgreSQL suite). */
  deals: number;
  /** Cases the SLA reports read (SLA suite). */
  cases: number;
  /** Whether --pg was given (the SLA suite then runs on PostgreSQL). */
  pg: boolean;
  /** Fraction of the full data set the reports suite seeds, or of the import suite's 1,000,000 contacts. */
  scale: number;
}

function positiveFraction(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0 || parsed > 1) {
    console.error(`--${name} must be a number in (0, 1], got ${JSON.stringify(value)}\n\n${usage}`);
    process.exit(2);
  }
  return parsed;
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    console.error(`--${name} must be a positive integer, got ${JSON.stringify(value)}\n\n${usage}`);
    process.exit(2);
  }
  return parsed;
}

/**
 * Runs a suite that lives in its own file, when that file exists. Such a file
 * exports `run(options: BenchOptions): Promise<void>`.
 */
async function optionalSuite(file: string, name: string, options: BenchOptions): Promise<void> {
  const url = new URL(file, import.meta.url);
  if (!existsSync(url)) {
    console.error(`The ${name} benchmark is not available yet (no bench/${file.replace(/^\.\//, '')}).`);
    process.exit(1);
  }
  const suite = (await import(url.href)) as { run(options: BenchOptions): Promise<void> };
  await suite.run(options);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      n: { type: 'string' },
      rounds: { type: 'string' },
      seed: { type: 'string' },
      deals: { type: 'string' },
      cases: { type: 'string' },
      sla: { type: 'boolean', default: false },
      reports: { type: 'boolean', default: false },
      import: { type: 'boolean', default: false },
      access: { type: 'boolean', default: false },
      scale: { type: 'string' },
      pg: { type: 'boolean', default: false },
      workflows: { type: 'boolean', default: false },
      writes: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const options: BenchOptions = {
    n: positiveInteger(values.n, 200_000, 'n'),
    rounds: positiveInteger(values.rounds, 3, 'rounds'),
    seed: positiveInteger(values.seed, 42, 'seed'),
    deals: positiveInteger(values.deals, 200_000, 'deals'),
    cases: positiveInteger(values.cases, 1_000_000, 'cases'),
    pg: values.pg ?? false,
    scale: positiveFraction(values.scale, 1, 'scale'),
  };
  if (values.sla) return optionalSuite('./sla.ts', 'SLA report', options);
  if (values.reports) return optionalSuite('./reports.ts', 'reports', options);
  if (values.import) return optionalSuite('./import.ts', 'import', options);
  if (values.access) return optionalSuite('./access.ts', 'access-control', options);
  if (values.pg) return optionalSuite('./postgres.ts', 'PostgreSQL', options);
  if (values.workflows) return optionalSuite('./workflows.ts', 'workflows', options);
  if (values.writes) return optionalSuite('./writes.ts', 'write-path', options);

  if (globalThis.gc === undefined) console.warn('warning: run with --expose-gc (npm run bench does) for comparable memory figures');
  const probe = new MemoryProbe();
  try {
    const { default: Database } = await import('better-sqlite3');
    const memory = new Database(':memory:');
    const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
    memory.close();
    const started = performance.now();
    const results = await runSqliteSuite({ ...options, probe, log: (line) => console.log(`  ${line}`) });
    console.log(
      `\ncrmkit SQLite adapter vs raw better-sqlite3 (same file schema, indexes, pragmas and transactions)\n` +
        `node ${process.version}, SQLite ${sqlite}, ${availableParallelism()} cores, ${process.platform}/${process.arch}; ` +
        `N = ${options.n.toLocaleString('en-US')}, median of ${options.rounds} rounds, seed ${options.seed}; ` +
        `ratio = crmkit ops/s / raw ops/s; memory = peak above the phase's start after GC\n`,
    );
    console.log(formatTable(results));
    console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await probe.close();
  }
}

await main();
