import type { Money } from '../../common/zod-helpers.js';
import type { Row } from '../../storage/adapter.js';
import type { CompiledMeasure, CubePlan } from './cube-compiler.js';

/**
 * A dimension value: a field's value (an id, a status, a boolean flag), a
 * period's first day `YYYY-MM-DD`, or a custom field's JSON value (an object
 * or array when the field holds one); `null` where the record has none (no
 * owner, no team, the custom field missing). Values of different JSON types
 * are ordered as the database orders them.
 */
export type CubeKey = string | number | boolean | null | object;

/**
 * A measure value. `count` is a number; money measures are `Money` in the
 * cell's currency (`avg`, `median` and `p90` rounded to whole minor units,
 * halves up); other measures a number. `null` where no record of
 * the cell has a value (a median of resolution minutes over unresolved cases).
 */
export type CubeValue = number | Money | null;

/** One cell of a cube: its keys and its measures, by the names the options used. */
export interface CubeRow {
  /** A key per dimension, per period (named after the date field) and `currency` for money measures. */
  dimensions: Record<string, CubeKey>;
  /** A value per measure (`count`, `amount.sum`...). */
  measures: Record<string, CubeValue>;
}

/** The result of `reports.cube`. */
export interface CubeResult {
  /**
   * The cells with at least one record, ordered by their keys (in the order of
   * `dimensions`, then `periods`, then `currency`; `null` first; `team` compared
   * last).
   */
  rows: CubeRow[];
  /**
   * With `totals: true`: the measures over every matching record, one row
   * (one per currency with money measures, `dimensions` holding just the
   * currency). A record whose owner is in two teams counts once here.
   */
  totals?: CubeRow[];
  /** Whether there were more than `limit` cells (then `rows` holds the first `limit`). */
  truncated: boolean;
}

function valueOf(measure: CompiledMeasure, raw: unknown, currency: unknown): CubeValue {
  if (measure.fn === 'count') return Number(raw ?? 0);
  if (raw === null || raw === undefined) return null;
  if (!measure.money) return Number(raw);
  // Sums, minima and maxima of minor units are whole (and may be bigints); averages and
  // percentiles are not, and money is whole minor units.
  const minor = measure.fn === 'sum' || measure.fn === 'min' || measure.fn === 'max' ? (raw as number | bigint) : Math.round(Number(raw));
  return { minor, currency: currency as string };
}

function measuresOf(plan: CubePlan, row: Row, prefix: string, currency: unknown): Record<string, CubeValue> {
  const out: Record<string, CubeValue> = {};
  plan.measures.forEach((measure, i) => {
    out[measure.name] = valueOf(measure, row[`${prefix}m${i}`], currency);
  });
  return out;
}

/**
 * Turns the aggregate rows of a plan into cube rows: keys renamed to the
 * dimension names, measures decoded (money with its currency), and each
 * team's set of metrics made a row of its own (skipped where the team has no
 * record in the cell, as a group without rows never exists in SQL).
 */
export function shapeCells(plan: CubePlan, rows: readonly Row[]): { rows: CubeRow[]; truncated: boolean } {
  const out: CubeRow[] = [];
  // The query asks for limit + 1 groups. Every group yields at least one row (each record is in
  // its owner's teams or in the no-team bucket), so more groups than `limit` means more cells.
  let truncated = rows.length > plan.limit;
  for (const row of rows.slice(0, plan.limit)) {
    const dimensions: Record<string, CubeKey> = {};
    for (const key of plan.keys) dimensions[key.name] = (row[key.column] ?? null) as CubeKey;
    const currency = row.currency;
    if (plan.teams === undefined) {
      out.push({ dimensions, measures: measuresOf(plan, row, '', currency) });
      continue;
    }
    for (const team of plan.teams) {
      if (Number(row[`${team.prefix}n`]) === 0) continue;
      out.push({ dimensions: { ...dimensions, team: team.teamId }, measures: measuresOf(plan, row, team.prefix, currency) });
    }
  }
  if (out.length > plan.limit) {
    out.length = plan.limit;
    truncated = true;
  }
  return { rows: out, truncated };
}

/** The totals rows of a plan: the currency as their only key when money is measured. */
export function shapeTotals(plan: CubePlan, rows: readonly Row[]): CubeRow[] {
  return rows.map((row): CubeRow => ({
    dimensions: row.currency === undefined ? {} : { currency: row.currency as string },
    measures: measuresOf(plan, row, '', row.currency),
  }));
}
