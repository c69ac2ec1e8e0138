/**
 * The SLA-report suite of `npm run bench -- --sla [--pg] [--cases 1000000]`:
 * `reports.slaCompliance` and `reports.responseTimes` through crmkit against
 * the same reports written by hand in SQL (bench/sla-sql.ts), on one generated
 * `crm_case` table, in the same process. SQLite by default, PostgreSQL with --pg.
 */
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { type ModelDefinition, type Row, type TenantScope, coreMigrations, coreModels, createCrm } from '@crmkit/core';
import { postgresAdapter } from '@crmkit/adapter-postgres';
import type { Statement } from 'better-sqlite3';
import pg from 'pg';
import { caseBatches } from './cases.js';
import { openMigrated, scratch } from './databases.js';
import type { BenchOptions } from './index.js';
import { MemoryProbe, interleave, measure } from './measure.js';
import { createBenchDatabase, serverUrl } from './pg-server.js';
import { type ResultRow, formatTable } from './report.js';
import { type Dialect, complianceRow, complianceSql, slaColumns, timesByPrioritySql, timesByTeamMonthSql, timesRow } from './sla-sql.js';

const tenantId = 'bench-tenant';
const model = coreModels.case as ModelDefinition;
const batchSize = 10_000;
/** Reports per side and round: each reads every case of the tenant. */
const reports = 3;

/** A database of the suite, seen by both sides. */
interface Side {
  dialect: Dialect;
  t: TenantScope;
  /** Runs a hand-written statement with the tenant id as its one parameter. */
  query(sql: string): Promise<Row[]>;
  describe: string;
  close(): Promise<void>;
}

/** Sorts report rows by their keys, so that a NULL-first and a NULL-last ordering compare. */
const byKey = <T extends object>(rows: T[]): T[] => {
  const key = (r: T) => JSON.stringify(Object.entries(r).filter(([, v]) => typeof v !== 'object' || v === null));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
};

async function seed(createMany: (rows: Row[]) => Promise<unknown>, options: BenchOptions, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  let done = 0;
  for (const rows of caseBatches(options.cases, batchSize, { tenantId, seed: options.seed })) {
    await createMany(rows);
    done += rows.length;
    if (done % 200_000 === 0) log(`  ${done.toLocaleString('en-US')} cases`);
  }
  log(`seeded ${done.toLocaleString('en-US')} cases through createMany in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

async function sqliteSide(options: BenchOptions, log: (line: string) => void): Promise<Side> {
  const files = scratch();
  const adapter = await openMigrated(files.file('sla.db'));
  const names = (adapter.database.prepare('select name from pragma_table_info(?)').all('crm_case') as { name: string }[]).map((c) => c.name);
  const missing = slaColumns.filter((c) => !names.includes(c));
  if (missing.length > 0) throw new Error(`crm_case lacks ${missing.join(', ')}; update bench/sla-sql.ts`);
  await seed((rows) => adapter.createMany({ model, tenantId, rows }), options, log);
  adapter.database.exec('analyze');
  const version = (adapter.database.prepare('select sqlite_version() as v').get() as { v: string }).v;
  const statements = new Map<string, Statement>();
  return {
    dialect: 'sqlite',
    t: (await createCrm({ adapter })).tenant(tenantId),
    query: async (sql) => {
      // Prepared once, as a hand-written program keeps its statements.
      let statement = statements.get(sql);
      if (statement === undefined) statements.set(sql, (statement = adapter.database.prepare(sql)));
      return statement.all(tenantId) as Row[];
    },
    describe: `SQLite ${version} (file, WAL)`,
    close: async () => {
      await adapter.close();
      files.remove();
    },
  };
}

async function postgresSide(options: BenchOptions, log: (line: string) => void): Promise<Side> {
  const database = await createBenchDatabase(serverUrl());
  const adapter = postgresAdapter({ connectionString: database.url, poolSize: 2 });
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => {});
  const close = async () => {
    await adapter.close().catch(() => {});
    await pool.end().catch(() => {});
    await database.drop();
  };
  try {
    await adapter.migrate(coreMigrations);
    const { rows: columns } = await pool.query<{ column_name: string }>(`select column_name from information_schema.columns where table_name = 'crm_case'`);
    const missing = slaColumns.filter((c) => !columns.some((col) => col.column_name === c));
    if (missing.length > 0) throw new Error(`crm_case lacks ${missing.join(', ')}; update bench/sla-sql.ts`);
    await seed((rows) => adapter.createMany({ model, tenantId, rows }), options, log);
    await pool.query('vacuum analyze crm_case');
  } catch (error) {
    await close();
    throw error;
  }
  return {
    dialect: 'postgres',
    t: (await createCrm({ adapter })).tenant(tenantId),
    query: async (sql) => (await pool.query(sql, [tenantId])).rows as Row[],
    describe: `PostgreSQL ${database.version.split(' ')[0]}`,
    close,
  };
}

/** Runs the suite and prints its table. */
export async function run(options: BenchOptions): Promise<void> {
  const log = (line: string) => console.log(`  ${line}`);
  const probe = new MemoryProbe();
  log(`generating and seeding ${options.cases.toLocaleString('en-US')} cases (seed ${options.seed}, batches of ${batchSize.toLocaleString('en-US')})`);
  const side = options.pg ? await postgresSide(options, log) : await sqliteSide(options, log);
  try {
    const d = side.dialect;
    const phases = [
      {
        label: 'SLA compliance by priority (reports.slaCompliance)',
        crmkit: () => side.t.reports.slaCompliance({ by: 'priority' }),
        raw: async () => (await side.query(complianceSql(d))).map(complianceRow),
      },
      {
        label: 'median + p90 x 4 by priority (reports.responseTimes)',
        crmkit: () => side.t.reports.responseTimes({ by: 'priority' }),
        raw: async () => (await side.query(timesByPrioritySql(d))).map(timesRow),
      },
      {
        label: 'median + p90 x 4 by team and month (reports.responseTimes)',
        crmkit: () => side.t.reports.responseTimes({ by: ['team', 'period'] }),
        raw: async () => (await side.query(timesByTeamMonthSql(d))).map(timesRow),
      },
    ];
    const results: ResultRow[] = [];
    for (const phase of phases) {
      // The baseline must compute the same figures, or the comparison is of different work.
      const [ours, hand] = [byKey<object>(await phase.crmkit()), byKey<object>(await phase.raw())];
      if (ours.length === 0 || !isDeepStrictEqual(ours, hand)) {
        throw new Error(`${phase.label}: results differ\n  crmkit: ${JSON.stringify(ours.slice(0, 3))}\n  raw:    ${JSON.stringify(hand.slice(0, 3))}`);
      }
      log(`${phase.label}: ${options.rounds} rounds of ${reports} reports per side`);
      const timed = await interleave(
        options.rounds,
        () => measure(probe, reports * options.cases, async (sample) => {
          for (let i = 0; i < reports; i++, sample()) await phase.crmkit();
        }),
        () => measure(probe, reports * options.cases, async (sample) => {
          for (let i = 0; i < reports; i++, sample()) await phase.raw();
        }),
      );
      results.push({ label: `${phase.label}, ${options.cases.toLocaleString('en-US')} cases, cases/s`, ...timed, target: 0.8 });
    }
    console.log(
      `\ncrmkit SLA reports vs the same reports hand-written in SQL, on ${side.describe}\n` +
        `node ${process.version}, ${availableParallelism()} cores, ${process.platform}/${process.arch}; ` +
        `median of ${options.rounds} rounds of ${reports} reports; ops = cases read; ratio = crmkit / hand-written throughput\n`,
    );
    console.log(formatTable(results));
  } finally {
    await side.close();
    await probe.close();
  }
}
