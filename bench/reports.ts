/**
 * The reports suite of `npm run bench -- --reports [--pg] [--scale 1]`: eight
 * of `t.reports.*` through crmkit against the same reports written by hand in
 * SQL (bench/reports-sql.ts), over generated deals, orders and interactions
 * (1,000,000 / 1,000,000 / 5,000,000 at scale 1), in the same process, with
 * the node process's memory watched while seeding and while reporting.
 */
import { availableParallelism, loadavg } from 'node:os';
import { type CubeResult, type ModelDefinition, type RfmReport, type Row, type TenantScope, coreMigrations, coreModels, createCrm } from '@crmkit/core';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import type { Statement } from 'better-sqlite3';
import pg from 'pg';
import { openMigrated, scratch } from './databases.js';
import type { BenchOptions } from './index.js';
import { MemoryProbe, collectGarbage, interleave, measure } from './measure.js';
import { createBenchDatabase, serverUrl } from './pg-server.js';
import { type ResultRow, formatTable } from './report.js';
import { type BatchOptions, dealBatches, interactionBatches, orderBatches } from './reports-data.js';
import * as hand from './reports-sql.js';

const tenantId = 'bench-tenant';
const batchSize = 10_000;
const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

/** Rows per source at scale 1, as issue 10 asks. */
const fullScale = { deals: 1_000_000, orders: 1_000_000, interactions: 5_000_000 } as const;
type Source = keyof typeof fullScale;

/** A database of the suite, seen by both sides. */
interface Side {
  dialect: hand.Dialect;
  t: TenantScope;
  query: hand.Query;
  describe: string;
  close(): Promise<void>;
}

type Seeder = (model: ModelDefinition, rows: Row[]) => Promise<unknown>;

/** What seeding cost the node process, above its start after GC: peaks, and what is still held after a GC at the end. */
interface SeedMemory {
  rssPeak: number;
  heapPeak: number;
  rssRetained: number;
  heapRetained: number;
}

async function seed(write: Seeder, counts: Record<Source, number>, options: BenchOptions, probe: MemoryProbe, log: (line: string) => void): Promise<SeedMemory> {
  const batches: BatchOptions = { tenantId, seed: options.seed, batchSize };
  const sources: [Source, ModelDefinition, Generator<Row[]>][] = [
    ['deals', coreModels.deal as ModelDefinition, dealBatches(counts.deals, batches)],
    ['orders', coreModels.order as ModelDefinition, orderBatches(counts.orders, batches)],
    ['interactions', coreModels.interaction as ModelDefinition, interactionBatches(counts.interactions, batches)],
  ];
  probe.reset();
  const before = process.memoryUsage();
  for (const [name, model, generator] of sources) {
    const started = performance.now();
    let done = 0;
    for (const rows of generator) {
      await write(model, rows);
      done += rows.length;
      probe.sample();
      if (done % 1_000_000 === 0) log(`  ${done.toLocaleString('en-US')} ${name}`);
    }
    const seconds = (performance.now() - started) / 1000;
    log(`seeded ${done.toLocaleString('en-US')} ${name} through createMany in ${seconds.toFixed(0)} s (${Math.round(done / seconds).toLocaleString('en-US')} rows/s)`);
  }
  const { rss, heap } = probe.peaks();
  collectGarbage();
  const after = process.memoryUsage();
  return { rssPeak: rss, heapPeak: heap, rssRetained: after.rss - before.rss, heapRetained: after.heapUsed - before.heapUsed };
}

async function checkColumns(columns: (table: string) => Promise<string[]>): Promise<void> {
  for (const [table, needed] of Object.entries(hand.reportColumns)) {
    const present = await columns(table);
    const missing = needed.filter((c) => !present.includes(c));
    if (missing.length > 0) throw new Error(`${table} lacks ${missing.join(', ')}; update bench/reports-sql.ts`);
  }
}

async function sqliteSide(counts: Record<Source, number>, options: BenchOptions, probe: MemoryProbe, log: (line: string) => void): Promise<Side & { seeding: SeedMemory }> {
  const files = scratch();
  const adapter = await openMigrated(files.file('reports.db'));
  const db = adapter.database;
  await checkColumns(async (table) => (db.prepare('select name from pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name));
  const seeding = await seed((model, rows) => adapter.createMany({ model, tenantId, rows }), counts, options, probe, log);
  db.exec('analyze');
  const version = (db.prepare('select sqlite_version() as v').get() as { v: string }).v;
  const statements = new Map<string, Statement>();
  return {
    dialect: 'sqlite',
    seeding,
    t: (await createCrm({ adapter })).tenant(tenantId),
    query: async (sql, params = []) => {
      // Prepared once, as a hand-written program keeps its statements.
      let statement = statements.get(sql);
      if (statement === undefined) statements.set(sql, (statement = db.prepare(sql)));
      return statement.all(tenantId, ...params) as Row[];
    },
    describe: `SQLite ${version} (file, WAL)`,
    close: async () => {
      await adapter.close();
      files.remove();
    },
  };
}

async function postgresSide(counts: Record<Source, number>, options: BenchOptions, probe: MemoryProbe, log: (line: string) => void): Promise<Side & { seeding: SeedMemory }> {
  const database = await createBenchDatabase(serverUrl());
  const adapter = postgresAdapter({ connectionString: database.url, poolSize: 2 });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => {});
  const close = async () => {
    await adapter.close().catch(() => {});
    await pool.end().catch(() => {});
    await database.drop();
  };
  let seeding: SeedMemory;
  try {
    await adapter.migrate(coreMigrations);
    await checkColumns(async (table) =>
      (await pool.query<{ column_name: string }>('select column_name from information_schema.columns where table_name = $1', [table])).rows.map((c) => c.column_name),
    );
    seeding = await seed((model, rows) => adapter.createMany({ model, tenantId, rows }), counts, options, probe, log);
    // Autovacuum is off on the bench server: without statistics the planner guesses.
    await pool.query('vacuum analyze crm_deal, crm_order, crm_interaction, crm_task');
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dialect: 'postgres',
    seeding,
    t: (await createCrm({ adapter })).tenant(tenantId),
    query: async (sql, params = []) => (await pool.query(sql, [tenantId, ...params])).rows as Row[],
    describe: `PostgreSQL ${database.version.split(' ')[0]}`,
    close,
  };
}

/**
 * Whether two results hold the same figures: same shape, same strings and
 * integers, fractional numbers within 1e-6 (days, where SQLite's hand-written
 * `julianday` difference and crmkit's millisecond difference round apart).
 */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-6 + 1e-9 * Math.abs(a);
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  if (ka.length !== kb.length) return false;
  return ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The figures of an RFM report that the hand-written one computes. */
const rfmFigures = (r: RfmReport): hand.RfmFigures => ({
  referenceDate: r.referenceDate,
  customers: r.customers,
  cells: r.cells.map((c) => ({ cell: c.cell, customers: c.customers })),
  page: r.list.items.map((c) => ({ contactId: c.contactId, lastOrderAt: c.lastOrderAt, frequency: c.frequency, monetary: Number(c.monetary.minor), cell: c.cell })),
});

const cubeFigures = (r: CubeResult): hand.CubeFigures =>
  r.rows.map((row) => ({
    channel: row.dimensions.channel as string | null, month: String(row.dimensions.placedAt), currency: String(row.dimensions.currency),
    count: row.measures.count as number, revenue: Number((row.measures['revenue.sum'] as { minor: number }).minor),
  }));

/** One report of the suite: what crmkit is asked, what crmkit's answer is compared as, and the hand-written version. */
interface Phase {
  label: string;
  /** The table the report reads: its rows are the ops of the throughput. */
  source: Source;
  crmkit(): Promise<unknown>;
  /** crmkit's answer as the figures the hand-written version returns (not timed). */
  figures(result: unknown): unknown;
  raw(): Promise<unknown>;
}

function phases(side: Side): Phase[] {
  const { t, dialect: d, query } = side;
  const asIs = (r: unknown) => r;
  return [
    { label: 'winLoss by owner', source: 'deals', crmkit: () => t.reports.winLoss({ by: 'owner' }), figures: asIs, raw: () => hand.winLossByOwner(d, query) },
    { label: 'salesCycle by pipeline (derived days, median + p90)', source: 'deals', crmkit: () => t.reports.salesCycle({ by: 'pipeline' }), figures: asIs, raw: () => hand.salesCycleByPipeline(d, query) },
    { label: 'rfm USD (group quintiles + regroup, page 50)', source: 'orders', crmkit: () => t.reports.rfm({ currency: 'USD', limit: 50 }), figures: (r) => rfmFigures(r as RfmReport), raw: () => hand.rfmUsd(d, query) },
    {
      label: 'cohortRetention monthly, 12 periods',
      source: 'orders',
      crmkit: () => t.reports.cohortRetention({ periods: 12 }),
      figures: (r) => (r as Awaited<ReturnType<typeof t.reports.cohortRetention>>).map((c) => ({ cohort: c.cohort, customers: c.customers, retention: c.retention.map((x) => x.customers) })),
      raw: () => hand.cohortRetentionMonthly(d, query),
    },
    { label: 'purchaseGaps + quarterly (lag window)', source: 'orders', crmkit: () => t.reports.purchaseGaps({ period: 'quarter' }), figures: asIs, raw: () => hand.purchaseGapsQuarterly(d, query) },
    {
      label: 'customerRanking USD top 10',
      source: 'orders',
      crmkit: () => t.reports.customerRanking({ currency: 'USD', limit: 10 }),
      figures: (r) => (r as Awaited<ReturnType<typeof t.reports.customerRanking>>).map((c) => ({ rank: c.rank, customerId: c.customerId, revenue: Number(c.revenue.minor), orders: c.orders })),
      raw: () => hand.topCustomersUsd(d, query),
    },
    { label: 'activity by member and month', source: 'interactions', crmkit: () => t.reports.activity({ period: 'month' }), figures: asIs, raw: () => hand.activityMonthly(d, query) },
    {
      label: 'cube orders: channel x month (Europe/Paris) x currency',
      source: 'orders',
      crmkit: () => t.reports.cube({ source: 'orders', measures: ['count', 'revenue.sum'], dimensions: ['channel'], periods: { placedAt: 'month' }, timeZone: 'Europe/Paris' }),
      figures: (r) => cubeFigures(r as CubeResult),
      raw: () => hand.ordersByChannelParisMonth(d, query),
    },
  ];
}

/** Runs the suite and prints its table. */
export async function run(options: BenchOptions): Promise<void> {
  const log = (line: string) => console.log(`  ${line}`);
  const counts = Object.fromEntries(Object.entries(fullScale).map(([k, n]) => [k, Math.max(1, Math.round(n * options.scale))])) as Record<Source, number>;
  const probe = new MemoryProbe();
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  log(`scale ${options.scale}: ${Object.entries(counts).map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`).join(', ')} (seed ${options.seed}, batches of ${batchSize.toLocaleString('en-US')}); load average ${load}`);
  const side = options.pg ? await postgresSide(counts, options, probe, log) : await sqliteSide(counts, options, probe, log);
  try {
    const results: ResultRow[] = [];
    for (const phase of phases(side)) {
      // The baseline must compute the same figures, or the comparison is of different work.
      const [ours, theirs] = [phase.figures(await phase.crmkit()), await phase.raw()];
      if ((Array.isArray(ours) && ours.length === 0) || !same(ours, theirs)) {
        throw new Error(`${phase.label}: results differ\n  crmkit: ${JSON.stringify(ours).slice(0, 600)}\n  raw:    ${JSON.stringify(theirs).slice(0, 600)}`);
      }
      log(`${phase.label}: same figures; ${options.rounds} rounds per side`);
      const rows = counts[phase.source];
      const timed = await interleave(
        options.rounds,
        () => measure(probe, rows, async (sample) => {
          await phase.crmkit();
          sample();
        }),
        () => measure(probe, rows, async (sample) => {
          await phase.raw();
          sample();
        }),
      );
      results.push({ label: `${phase.label}, ${rows.toLocaleString('en-US')} ${phase.source}, rows/s`, ...timed, target: 0.8 });
    }
    console.log(
      `\ncrmkit reports vs the same reports hand-written in SQL, on ${side.describe}; scale ${options.scale}\n` +
        `node ${process.version}, ${availableParallelism()} cores, ${process.platform}/${process.arch}; load average at start ${load}, at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ` +
        `median of ${options.rounds} rounds of one report; ops = rows of the source table; ratio = crmkit / hand-written throughput\n`,
    );
    console.log(formatTable(results));
    const peak = (pick: (r: ResultRow) => number) => mb(Math.max(...results.map(pick)));
    console.log(
      `\nnode process memory, peak above the phase's start after GC: seeding ${mb(side.seeding.rssPeak)} MB RSS / ${mb(side.seeding.heapPeak)} MB heap ` +
        `(held after GC at its end: ${mb(side.seeding.rssRetained)} MB RSS / ${mb(side.seeding.heapRetained)} MB heap); ` +
        `reports (highest of any) crmkit ${peak((r) => r.crmkit.rssPeak)} MB RSS / ${peak((r) => r.crmkit.heapPeak)} MB heap, ` +
        `hand-written ${peak((r) => r.raw.rssPeak)} MB RSS / ${peak((r) => r.raw.heapPeak)} MB heap; RSS now ${mb(process.memoryUsage.rss())} MB`,
    );
  } finally {
    await side.close();
    await probe.close();
  }
}
