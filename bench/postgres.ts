/**
 * The PostgreSQL suite of `npm run bench -- --pg`: the Postgres adapter against
 * hand-written `pg` queries, in the same process, on one fresh database that
 * the adapter migrates with `coreMigrations` and that is dropped at the end.
 */
import { availableParallelism } from 'node:os';
import { coreMigrations } from '@crmkit/core';
import { type PostgresStorageAdapter, postgresAdapter } from '@crmkit/adapter-postgres';
import pg from 'pg';
import type { BenchOptions } from './index.js';
import { MemoryProbe } from './measure.js';
import { concurrency, runPostgresSuite } from './pg-suite.js';
import { type BenchDatabase, createBenchDatabase, serverUrl } from './pg-server.js';
import { formatTable } from './report.js';

/** Connections of each side's pool: the concurrency plus headroom, the same on both sides. */
const poolSize = concurrency + 2;

/** Runs the suite and prints its table; the database is dropped even when a phase fails or on Ctrl-C. */
export async function run(options: BenchOptions): Promise<void> {
  if (globalThis.gc === undefined) console.warn('warning: run with --expose-gc (npm run bench does) for comparable memory figures');
  const database: BenchDatabase = await createBenchDatabase(serverUrl());
  const interrupted = (): void => {
    console.error('\ninterrupted: dropping the benchmark database');
    void database.drop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const probe = new MemoryProbe();
  let adapter: PostgresStorageAdapter | undefined;
  let pool: pg.Pool | undefined;
  try {
    adapter = postgresAdapter({ connectionString: database.url, poolSize });
    await adapter.migrate(coreMigrations);
    pool = new pg.Pool({ connectionString: database.url, max: poolSize });
    pool.on('error', () => {});
    const started = performance.now();
    const results = await runPostgresSuite({ ...options, probe, adapter, pool, log: (line) => console.log(`  ${line}`) });
    const where = new URL(database.url);
    console.log(
      `\ncrmkit PostgreSQL adapter vs raw pg (same database, schema, indexes; pools of ${poolSize} on both sides)\n` +
        `node ${process.version}, PostgreSQL ${database.version} on ${where.host}, ${availableParallelism()} cores, ` +
        `${process.platform}/${process.arch}; N = ${options.n.toLocaleString('en-US')}, ` +
        `deals = ${options.deals.toLocaleString('en-US')}, median of ${options.rounds} rounds, seed ${options.seed}; ` +
        `ratio = crmkit ops/s / raw ops/s; memory = peak above the phase's start after GC (client process only)\n`,
    );
    console.log(formatTable(results));
    console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await adapter?.close().catch((error: unknown) => console.error('closing the adapter failed:', error));
    await pool?.end().catch(() => {});
    await database.drop().catch((error: unknown) => console.error('dropping the benchmark database failed:', error));
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await probe.close();
  }
}
