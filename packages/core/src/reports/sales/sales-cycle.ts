import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { idSchema, parseInput } from '../../common/zod-helpers.js';
import { dealModel } from '../../deals/deal.model.js';
import type { AggregateMetric, GroupKey, Row } from '../../storage/adapter.js';
import { closedDealsWhere } from './deal-cohort.js';
import { compareKeys } from './report-rows.js';
import { boundarySchema, periodGroup, periodShape } from './report-period.js';

/** What `reports.salesCycle` groups closed deals by. `period` is the period the deal closed in. */
export const salesCycleDimensions = ['owner', 'pipeline', 'period'] as const;
/** One of {@link salesCycleDimensions}. */
export type SalesCycleDimension = (typeof salesCycleDimensions)[number];

const dimension = z.enum(salesCycleDimensions);

/** Options of `reports.salesCycle`. */
export const salesCycleOptionsSchema = z
  .strictObject({
    /** One dimension or several (a row per combination); none (`[]`) gives one row. @default 'owner' */
    by: z.union([dimension, z.array(dimension).max(salesCycleDimensions.length)]).optional().default('owner'),
    ...periodShape,
    /** Deals closed at or after this instant (a date: its midnight in `timeZone`). */
    from: boundarySchema.optional(),
    /** Deals closed before this instant. */
    to: boundarySchema.optional(),
    /** Only deals of this pipeline. */
    pipelineId: idSchema.optional(),
    /** Only deals of this owner. */
    ownerId: idSchema.optional(),
  })
  .optional()
  .default({ by: 'owner', period: 'month', timeZone: 'UTC' });
/** Options of `reports.salesCycle`. */
export type SalesCycleOptions = z.input<typeof salesCycleOptionsSchema>;

/** The length of the sales cycles of some closed deals, in days (fractions kept); null without deals. */
export interface SalesCycleFigures {
  /** Deals measured. */
  count: number;
  /** Mean days from creation to close. */
  averageDays: number | null;
  /** Median (continuous percentile, like SQL `percentile_cont(0.5)`). */
  medianDays: number | null;
  /** 90th percentile. */
  p90Days: number | null;
}

/** One row of a sales-cycle report. */
export interface SalesCycleRow {
  /** When grouping by owner (null: deals without owner). */
  ownerId?: string | null;
  /** When grouping by pipeline. */
  pipelineId?: string;
  /** First day of the close period, `YYYY-MM-DD` in the report's zone, when grouping by period. */
  period?: string;
  /** Won deals. */
  won: SalesCycleFigures;
  /** Lost deals. */
  lost: SalesCycleFigures;
  /** Both. */
  closed: SalesCycleFigures;
}

const keyFields: Record<SalesCycleDimension, 'ownerId' | 'pipelineId' | 'period'> = { owner: 'ownerId', pipeline: 'pipelineId', period: 'period' };
const outcomes = { won: { status: 'won' }, lost: { status: 'lost' }, closed: undefined } as const;
const figure = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function cycleMetrics(): Record<string, AggregateMetric> {
  const metrics: Record<string, AggregateMetric> = {};
  for (const [name, filter] of Object.entries(outcomes)) {
    const only = filter ? { filter } : {};
    metrics[`${name}Count`] = { fn: 'count', ...only };
    metrics[`${name}Average`] = { fn: 'avg', field: 'cycleDays', ...only };
    metrics[`${name}Median`] = { fn: 'percentile', field: 'cycleDays', p: 0.5, ...only };
    metrics[`${name}P90`] = { fn: 'percentile', field: 'cycleDays', p: 0.9, ...only };
  }
  return metrics;
}

/**
 * Sales cycle length, from a deal's creation (`createdAt`) to its close
 * (`closedAt`), of won and lost deals per group: one SQL aggregate over a
 * per-row time difference. Rows are ordered by their keys (null last).
 */
export async function salesCycle(ctx: TenantContext, options?: SalesCycleOptions): Promise<SalesCycleRow[]> {
  const opts = parseInput(salesCycleOptionsSchema, options, 'report options');
  const dims = [...new Set(Array.isArray(opts.by) ? opts.by : [opts.by])];
  const where = closedDealsWhere(opts);
  const groupBy: GroupKey[] = dims.map((d) => (d === 'period' ? periodGroup('closedAt', opts) : keyFields[d]));
  const rows = await ctx.storage.aggregate({
    model: dealModel,
    tenantId: ctx.tenantId,
    where,
    derive: { cycleDays: { fn: 'difference', from: 'createdAt', to: 'closedAt', unit: 'days' } },
    groupBy,
    metrics: cycleMetrics(),
  });
  const figures = (row: Row, name: keyof typeof outcomes): SalesCycleFigures => ({
    count: Number(row[`${name}Count`] ?? 0),
    averageDays: figure(row[`${name}Average`]),
    medianDays: figure(row[`${name}Median`]),
    p90Days: figure(row[`${name}P90`]),
  });
  const keyOf = (row: Row) => dims.map((d) => (row[keyFields[d]] as string | null | undefined) ?? null);
  return rows
    .sort((a, b) => compareKeys(keyOf(a), keyOf(b)))
    .map((row): SalesCycleRow => ({
      ...Object.fromEntries(dims.map((d) => [keyFields[d], row[keyFields[d]] ?? null])),
      won: figures(row, 'won'),
      lost: figures(row, 'lost'),
      closed: figures(row, 'closed'),
    }));
}
