import type { Row } from '@crmkit/core';
import type pg from 'pg';
import { copyFrom } from './pg-copy.js';
import { contactColumns, contactParams } from './raw-sqlite.js';

/**
 * The baseline: what a developer writes by hand on `pg` for the same work, on
 * the same database (schema and indexes created by the adapter's
 * `migrate(coreMigrations)`), through a `pg.Pool` of the same size as the
 * adapter's, with pg's default type parsers (jsonb is parsed by pg, which is
 * the JSON decoding crmkit does itself). Columns are those of the SQLite
 * baseline; {@link checkColumns} fails loudly if the model drifts from them.
 */

/**
 * Checks that `crm_contact` has exactly the columns the statements name.
 * @throws {Error} naming both lists when they differ.
 */
export async function checkColumns(pool: pg.Pool): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    `select column_name as name from information_schema.columns
     where table_schema = current_schema() and table_name = 'crm_contact' order by ordinal_position`,
  );
  const actual = rows.map((r) => r.name);
  if (actual.join(',') !== contactColumns.join(',')) {
    throw new Error(`crm_contact columns changed; update bench/raw-sqlite.ts\n  table: ${actual.join(',')}\n  bench: ${contactColumns.join(',')}`);
  }
}

const insertTexts = new Map<number, string>();

/** `insert into crm_contact (...) values ($1, ...), (...)` for `rows` rows, built once per size. */
function insertText(rows: number): string {
  let text = insertTexts.get(rows);
  if (text === undefined) {
    const width = contactColumns.length;
    const tuples = Array.from({ length: rows }, (_, r) => `(${contactColumns.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    text = `insert into crm_contact (${contactColumns.join(', ')}) values ${tuples.join(', ')}`;
    insertTexts.set(rows, text);
  }
  return text;
}

/**
 * Inserts `rows` with multi-row INSERTs of `batch` rows (the adapter's
 * `maxInsertRows`), all in one transaction on one client, as the adapter does.
 */
export async function importRows(pool: pg.Pool, rows: readonly Row[], batch: number): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (let start = 0; start < rows.length; start += batch) {
      const count = Math.min(batch, rows.length - start);
      const values: unknown[] = [];
      for (let r = start; r < start + count; r++) values.push(...contactParams(rows[r]!));
      await client.query({ text: insertText(count), values });
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Loads `rows` with one `COPY crm_contact FROM STDIN` (text format) in a transaction. */
export async function copyRows(pool: pg.Pool, rows: readonly Row[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await copyFrom(client, 'crm_contact', contactColumns, rows, contactParams);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The hand-written read queries, with the page size as a literal. */
export function contactQueries(pageSize: number) {
  return {
    get: 'select * from crm_contact where tenant_id = $1 and id = $2',
    firstPage: `select * from crm_contact where tenant_id = $1 and lifecycle_stage = $2
      order by created_at desc, id desc limit ${pageSize}`,
    // The row-value form, as the adapter emits for NOT NULL keys: Postgres seeks on it.
    pageAfter: `select * from crm_contact where tenant_id = $1 and lifecycle_stage = $2 and (created_at, id) < ($3, $4)
      order by created_at desc, id desc limit ${pageSize}`,
  };
}

/** pg returns int8 and numeric as text: a number when exact, else a bigint (as crmkit). */
function integer(value: string | null): number | bigint {
  if (value === null) return 0;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

const plus = (a: number | bigint, b: number | bigint): number | bigint =>
  typeof a === 'bigint' || typeof b === 'bigint' ? BigInt(a) + BigInt(b) : a + b;

interface StageRow { id: string; key: string; name: string; category: string; probability: string }
interface SumRow { stage_id: string; count: string; amount: string | null; weighted: string | null; other: string }

/**
 * The pipeline summary by hand, in the same shape as crmkit's report: the
 * pipeline, its stages in order, then one `GROUP BY stage_id` with the
 * currency filter as `FILTER` clauses. Three round trips, as crmkit's.
 */
export async function pipelineSummary(pool: pg.Pool, tenantId: string, pipelineId: string) {
  const pipeline = (await pool.query<{ name: string; currency: string }>(
    'select name, currency from crm_pipeline where tenant_id = $1 and id = $2', [tenantId, pipelineId],
  )).rows[0];
  if (pipeline === undefined) throw new Error(`no pipeline ${pipelineId}`);
  const stages = (await pool.query<StageRow>(
    'select id, key, name, category, probability from crm_stage where tenant_id = $1 and pipeline_id = $2 order by position, id',
    [tenantId, pipelineId],
  )).rows;
  const sums = (await pool.query<SumRow>(
    `select stage_id,
            count(*) filter (where currency = $3) as count,
            sum(amount_minor) filter (where currency = $3) as amount,
            sum(weighted_amount_minor) filter (where currency = $3) as weighted,
            count(*) filter (where currency <> $3) as other
     from crm_deal where tenant_id = $1 and pipeline_id = $2 group by stage_id`,
    [tenantId, pipelineId, pipeline.currency],
  )).rows;
  const { currency } = pipeline;
  const byStage = new Map(sums.map((s) => [s.stage_id, s]));
  const open = { count: 0, amount: { minor: 0 as number | bigint, currency }, weightedAmount: { minor: 0 as number | bigint, currency } };
  let otherCurrencyCount = 0;
  const lines = stages.map((stage) => {
    const row = byStage.get(stage.id);
    const count = Number(row?.count ?? 0);
    const amount = { minor: integer(row?.amount ?? null), currency };
    const weightedAmount = { minor: integer(row?.weighted ?? null), currency };
    otherCurrencyCount += Number(row?.other ?? 0);
    if (stage.category === 'open') {
      open.count += count;
      open.amount.minor = plus(open.amount.minor, amount.minor);
      open.weightedAmount.minor = plus(open.weightedAmount.minor, weightedAmount.minor);
    }
    return {
      stageId: stage.id, key: stage.key, name: stage.name, category: stage.category,
      probability: Number(stage.probability), count, amount, weightedAmount,
    };
  });
  return { pipelineId, pipelineName: pipeline.name, currency, stages: lines, open, otherCurrencyCount };
}
