import { isDeepStrictEqual } from 'node:util';
import { type ModelDefinition, type Row, coreModels, createCrm } from '@crmkit/core';
import { type PostgresStorageAdapter, postgresDialect } from '@crmkit/adapter-postgres';
import type pg from 'pg';
import { type DealStage, dealRows, salesPipeline } from './deals.js';
import { contactRows } from './fixtures.js';
import { type MemoryProbe, type Sample, interleave, measure, sampleEvery, summarize } from './measure.js';
import { checkColumns, contactQueries, copyRows, importRows, pipelineSummary } from './raw-postgres.js';
import { contactColumns } from './raw-sqlite.js';
import type { ResultRow } from './report.js';
import { readWorkload } from './sqlite.js';

/** What {@link runPostgresSuite} runs on: one migrated database, reached by both sides. */
export interface PostgresSuiteOptions {
  n: number;
  deals: number;
  rounds: number;
  seed: number;
  probe: MemoryProbe;
  log: (line: string) => void;
  /** The adapter on the suite's database (its own pool of {@link concurrency}+ connections). */
  adapter: PostgresStorageAdapter;
  /** A plain pg pool of the same size on the same database: the baseline's. */
  pool: pg.Pool;
}

// The raw rows of the fixtures are untyped: the adapter checks them field by field like any row.
const model: ModelDefinition = coreModels.contact;
const tenantId = 'bench-tenant';
const pageSize = 50;
/** Reads kept in flight on each side: a server handling concurrent requests, on a pool of at least this size. */
export const concurrency = 8;
const pointReads = 10_000;
const pages = 600;
const keysetPages = 600;
const reports = 10;
const warmupOps = 500;
/** The adapter's rows per INSERT; the baseline uses the same (see `postgres-dialect.ts`). */
const batch = Math.min(postgresDialect.maxInsertRows ?? 50, Math.floor(postgresDialect.capabilities.maxParameters / contactColumns.length));

/** Runs `op(0..count-1)` with `concurrency` operations in flight, sampling the heap now and then. */
async function inFlight(count: number, op: (i: number) => Promise<void>, sample: () => void, every = sampleEvery): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await op(i);
      if (i % every === 0) sample();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Empties `crm_contact` and flushes dirty pages, so that every import starts from the same state. */
async function resetContacts(pool: pg.Pool): Promise<void> {
  await pool.query('truncate crm_contact');
  // Needs superuser or pg_checkpoint; without it imports may pay for each other's checkpoints.
  await pool.query('checkpoint').catch(() => {});
}

async function count(pool: pg.Pool, table: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n);
}

/**
 * Bulk import: crmkit's `createMany`, the baseline's multi-row INSERTs and the
 * baseline's COPY, each into an emptied `crm_contact`, in an order that rotates
 * every round. Leaves the table holding `rows` (every side writes the same rows).
 */
async function bulkImport(options: PostgresSuiteOptions, rows: readonly Row[], rounds: number) {
  const { adapter, pool, probe } = options;
  const sides: Record<'crmkit' | 'raw' | 'copy', () => Promise<void>> = {
    crmkit: async () => void (await adapter.createMany({ model, tenantId, rows })),
    raw: () => importRows(pool, rows, batch),
    copy: () => copyRows(pool, rows),
  };
  const order = Object.keys(sides) as (keyof typeof sides)[];
  const runs: Record<keyof typeof sides, Sample[]> = { crmkit: [], raw: [], copy: [] };
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < order.length; k++) {
      const side = order[(round + k) % order.length]!;
      await resetContacts(pool);
      runs[side].push(await measure(probe, rows.length, sides[side]));
      if ((await count(pool, 'crm_contact')) !== rows.length) throw new Error(`${side} import lost rows`);
    }
  }
  return { crmkit: summarize(runs.crmkit), raw: summarize(runs.raw), copy: summarize(runs.copy) };
}

/** Creates the pipeline through the service and its deals through `createMany`; returns the pipeline id. */
async function loadDeals(options: PostgresSuiteOptions): Promise<string> {
  const { adapter, deals, seed } = options;
  const t = (await createCrm({ adapter })).tenant(tenantId);
  const pipeline = await t.pipelines.create(salesPipeline);
  const stages = pipeline.stages.map((s): DealStage => ({ id: s.id, probability: s.probability, category: s.category }));
  await adapter.createMany({ model: coreModels.deal as ModelDefinition, tenantId, rows: dealRows(deals, { tenantId, pipelineId: pipeline.id, stages, seed }) });
  if ((await count(options.pool, 'crm_deal')) !== deals) throw new Error('deal import lost rows');
  return pipeline.id;
}

/**
 * Runs the PostgreSQL suite on a migrated database: bulk import (with COPY as
 * information), point read, first page, keyset page and pipeline summary.
 */
export async function runPostgresSuite(options: PostgresSuiteOptions): Promise<ResultRow[]> {
  const { n, deals, rounds, seed, probe, log, adapter, pool } = options;
  await checkColumns(pool);
  log(`generating ${n.toLocaleString('en-US')} contacts (seed ${seed})`);
  const rows = contactRows(n, { tenantId, seed });
  const { ids, cursors } = readWorkload(rows, seed);

  log(`warming up (5,000 rows per side, twice; ${batch} rows per INSERT on both sides)`);
  await bulkImport(options, rows.slice(0, Math.min(n, 5_000)), 2);
  log(`bulk import: ${rounds} rounds of ${n.toLocaleString('en-US')} rows per side (createMany, INSERT, COPY)`);
  const imported = await bulkImport(options, rows, rounds);

  log(`inserting ${deals.toLocaleString('en-US')} deals through createMany (untimed)`);
  const pipelineId = await loadDeals(options);
  const t = (await createCrm({ adapter })).tenant(tenantId);
  // Fresh statistics and visibility map, so that neither side's first queries pay for autovacuum.
  await pool.query('vacuum analyze crm_contact, crm_deal, crm_pipeline, crm_stage');

  const sql = contactQueries(pageSize);
  const list = { model, tenantId, where: { lifecycleStage: 'lead' }, orderBy: [{ field: 'createdAt', direction: 'desc' as const }], limit: pageSize };
  // The baseline must return the same rows, or the comparison is of different work.
  const sameIds = (a: readonly Row[], b: readonly Row[]) => a.length > 0 && a.map((r) => r.id).join() === b.map((r) => r.id).join();
  const c0 = cursors[0]!;
  if (!sameIds(await adapter.findMany(list), (await pool.query(sql.firstPage, [tenantId, 'lead'])).rows)) throw new Error('first pages differ');
  if (!sameIds(await adapter.findMany({ ...list, after: c0 }), (await pool.query(sql.pageAfter, [tenantId, 'lead', c0.createdAt, c0.id])).rows)) {
    throw new Error('keyset pages differ');
  }
  const expected = await t.reports.pipelineSummary(pipelineId);
  const actual = await pipelineSummary(pool, tenantId, pipelineId);
  if (!isDeepStrictEqual(expected, actual)) {
    throw new Error(`pipeline summaries differ\n  crmkit: ${JSON.stringify(expected)}\n  raw:    ${JSON.stringify(actual)}`);
  }
  if (expected.stages.reduce((sum, s) => sum + s.count, 0) + expected.otherCurrencyCount !== deals) throw new Error('summary misses deals');

  const reads = {
    point: {
      crmkit: async (i: number) => {
        if ((await adapter.findOne({ model, tenantId, id: ids[i % ids.length]! })) === undefined) throw new Error('missing row');
      },
      raw: async (i: number) => {
        if ((await pool.query(sql.get, [tenantId, ids[i % ids.length]!])).rows[0] === undefined) throw new Error('missing row');
      },
    },
    page: {
      crmkit: async () => void (await adapter.findMany(list)),
      raw: async () => void (await pool.query(sql.firstPage, [tenantId, 'lead'])),
    },
    keyset: {
      crmkit: async (i: number) => void (await adapter.findMany({ ...list, after: cursors[i % cursors.length]! })),
      raw: async (i: number) => {
        const c = cursors[i % cursors.length]!;
        await pool.query(sql.pageAfter, [tenantId, 'lead', c.createdAt, c.id]);
      },
    },
  };
  log('warming up reads');
  for (const kind of Object.values(reads)) {
    await inFlight(warmupOps, kind.crmkit, () => {});
    await inFlight(warmupOps, kind.raw, () => {});
  }
  const timed = (label: string, kind: keyof typeof reads, ops: number) => {
    log(`${label}: ${rounds} rounds of ${ops.toLocaleString('en-US')} per side, ${concurrency} in flight`);
    const every = kind === 'point' ? sampleEvery : 64;
    return interleave(
      rounds,
      () => measure(probe, ops, (sample) => inFlight(ops, reads[kind].crmkit, sample, every)),
      () => measure(probe, ops, (sample) => inFlight(ops, reads[kind].raw, sample, every)),
    );
  };
  const point = await timed('point read', 'point', pointReads);
  const page = await timed('list, first page', 'page', pages);
  const keyset = await timed('list, keyset page', 'keyset', keysetPages);

  log(`pipeline summary: ${rounds} rounds of ${reports} reports per side, one at a time`);
  for (let i = 0; i < 3; i++) {
    await t.reports.pipelineSummary(pipelineId);
    await pipelineSummary(pool, tenantId, pipelineId);
  }
  const summary = await interleave(
    rounds,
    () => measure(probe, reports, async (sample) => {
      for (let i = 0; i < reports; i++, sample()) await t.reports.pipelineSummary(pipelineId);
    }),
    () => measure(probe, reports, async (sample) => {
      for (let i = 0; i < reports; i++, sample()) await pipelineSummary(pool, tenantId, pipelineId);
    }),
  );

  const target = 0.8;
  return [
    { label: `bulk import ${n.toLocaleString('en-US')} (createMany), rows/s`, crmkit: imported.crmkit, raw: imported.raw, target },
    { label: `point read by id (findOne), ${concurrency} in flight`, ...point, target },
    { label: `list ${pageSize}, lead, createdAt desc (findMany), ${concurrency} in flight`, ...page, target },
    { label: `list ${pageSize}, keyset after (findMany), ${concurrency} in flight`, ...keyset, target },
    { label: `pipeline summary, ${deals.toLocaleString('en-US')} deals (reports.pipelineSummary)`, ...summary, target },
    { label: `bulk import ${n.toLocaleString('en-US')}: createMany vs raw COPY, rows/s`, crmkit: imported.crmkit, raw: imported.copy },
  ];
}
