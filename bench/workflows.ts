/**
 * The workflow suite of `npm run bench -- --workflows`: events per second
 * through the engine on SQLite (against the same machine as an in-memory
 * XState actor), restoring persisted instances (rate and heap per instance),
 * and timer lag with four worker processes on PostgreSQL. Absolute targets;
 * prints its table and returns whether they are met or not.
 *
 * Then the case-SLA row (`bench/workflows-case-sla.ts`): timer lag under 100,000
 * open cases of the `case-sla` machine (`CRMKIT_BENCH_CASES=<count>`).
 *
 * The number of restored instances is 100,000, or `--instances <count>` once
 * `bench/index.ts` accepts that option, or `CRMKIT_BENCH_INSTANCES=<count>`.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { BenchOptions } from './index.js';
import { scratch } from './databases.js';
import { benchCases, caseSlaRows } from './workflows-case-sla.js';
import { concurrentSendRows, lagTarget, timerLagRows } from './workflows-pg.js';
import { formatWorkflowTable, type WorkflowRow } from './workflows-report.js';
import { eventRows, eventTarget, heapTarget, restoreRows, runMs } from './workflows-sqlite.js';

/** Timers of the lag row, the window their due times are spread over, and its workers. */
const timers = 2_000;
const spreadMs = 10_000;
const workers = 4;
const workerConcurrency = 4;

function instancesOption(): number {
  const { values } = parseArgs({ options: { instances: { type: 'string' } }, strict: false });
  const raw = (typeof values.instances === 'string' ? values.instances : undefined) ?? process.env.CRMKIT_BENCH_INSTANCES;
  if (raw === undefined) return 100_000;
  const parsed = Number(raw);
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    console.error(`--instances (CRMKIT_BENCH_INSTANCES) must be a positive integer, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return parsed;
}

/** Runs the workflow suite and prints its table. */
export async function run(options: BenchOptions): Promise<void> {
  if (globalThis.gc === undefined) console.warn('warning: run with --expose-gc (npm run bench does): the heap per instance needs it');
  const instances = instancesOption();
  const log = (line: string): void => console.log(`  ${line}`);
  const started = performance.now();
  // Other work on the machine shows in every rate: the load average says how much there was.
  const loadAtStart = loadavg()[0]!.toFixed(1);
  const files = scratch();
  const rows: WorkflowRow[] = [];
  let server = 'PostgreSQL: skipped';
  try {
    const { default: Database } = await import('better-sqlite3');
    const memory = new Database(':memory:');
    const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
    memory.close();

    rows.push(...(await eventRows({ rounds: options.rounds, seed: options.seed, files, log })));
    rows.push(...(await restoreRows({ rounds: options.rounds, seed: options.seed, files, log, instances })));
    const lag = await timerLagRows({ timers, spreadMs, workers, concurrency: workerConcurrency, queue: 'graphile', log });
    rows.push(...lag.rows);
    if (lag.server) server = lag.server;
    rows.push(...(await caseSlaRows({ cases: benchCases(), log })).rows);
    rows.push(...(await concurrentSendRows({ sends: 1_000, log })));

    console.log(
      `\ncrmkit workflow engine: persisted events (SQLite file, WAL, synchronous=NORMAL), restoring instances, timer lag (PostgreSQL)\n` +
        `node ${process.version}, SQLite ${sqlite}, ${server}, ${availableParallelism()} cores (1-min load average ${loadAtStart} at start, ${loadavg()[0]!.toFixed(1)} at end), ${process.platform}/${process.arch}; ` +
        `median of ${options.rounds} rounds of ${runMs / 1000} s per event rate, seed ${options.seed}; ratio = engine events/s / in-memory actor events/s\n` +
        `targets: >= ${eventTarget.toLocaleString('en-US')} persisted events/s; < ${heapTarget / 1024} KiB heap per restored instance ` +
        `(${instances.toLocaleString('en-US')} held); timer lag p99 < ${lagTarget} ms (${timers.toLocaleString('en-US')} timers due over ` +
        `${spreadMs / 1000} s, ${workers} worker processes x concurrency ${workerConcurrency})\n`,
    );
    console.log(formatWorkflowTable(rows));
    console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    files.remove();
  }
}
