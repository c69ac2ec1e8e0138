import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { idSchema, type Money, parseInput } from '../../common/zod-helpers.js';
import { dealModel } from '../../deals/deal.model.js';
import { stageModel } from '../../pipelines/pipeline.model.js';
import type { AggregateMetric, Row } from '../../storage/adapter.js';
import type { Where } from '../../storage/where.js';
import { compareKeys, Groups, MoneyTotals } from './report-rows.js';
import { boundaryDate, boundaryInstant, boundarySchema, periodGroup, periodShape } from './report-period.js';

/** The forecast categories a forecast reports, in order of confidence; `omitted` deals are left out. */
export const forecastReportCategories = ['pipeline', 'best_case', 'commit', 'closed'] as const;
/** One of {@link forecastReportCategories}. */
export type ForecastReportCategory = (typeof forecastReportCategories)[number];

/** Options of `reports.forecast`. */
export const forecastOptionsSchema = z
  .strictObject({
    ...periodShape,
    /** Periods from this day on (a date, or an instant read as its day in `timeZone`). */
    from: boundarySchema.optional(),
    /** Periods before this day. */
    to: boundarySchema.optional(),
    /** Only deals of this pipeline. */
    pipelineId: idSchema.optional(),
    /** Only deals of this owner. */
    ownerId: idSchema.optional(),
  })
  .optional()
  .default({ period: 'month', timeZone: 'UTC' });
/** Options of `reports.forecast`. */
export type ForecastOptions = z.input<typeof forecastOptionsSchema>;

/** One line of a forecast: the deals of one forecast category landing in one period. */
export interface ForecastRow {
  /**
   * First day of the period, `YYYY-MM-DD` in the report's zone: of
   * `expectedCloseOn` for open deals, of `closedAt` for closed ones. Null for
   * open deals without an expected close date (only when neither `from` nor `to` is given).
   */
  period: string | null;
  /** The forecast category of the deals' current stage. */
  category: ForecastReportCategory;
  /** Deals in the line. */
  count: number;
  /** Their amounts, summed per currency (never converted). */
  amounts: Money[];
  /** Their weighted amounts (amount x the deal's probability), summed per currency. */
  weightedAmounts: Money[];
}

/** Count, amount and weighted amount of the deals whose stage has each forecast category: one filtered metric per figure. */
function categoryMetrics(): Record<string, AggregateMetric> {
  const metrics: Record<string, AggregateMetric> = {};
  for (const category of forecastReportCategories) {
    // The category lives on the stage, so the filter is a semi-join on the tenant's stages.
    const filter: Where = { stageId: { inQuery: { model: stageModel, field: 'id', where: { forecastCategory: category } } } };
    metrics[`${category}Count`] = { fn: 'count', filter };
    metrics[`${category}Amount`] = { fn: 'sum', field: 'amountMinor', filter };
    metrics[`${category}Weighted`] = { fn: 'sum', field: 'weightedAmountMinor', filter };
  }
  return metrics;
}

/**
 * The forecast by period and forecast category, in two SQL aggregates: open
 * deals by the period of their expected close date, closed deals by the period
 * they closed in (what a forecast compares with what it predicted), each
 * grouped by currency with one filtered metric per category.
 */
export async function forecast(ctx: TenantContext, options?: ForecastOptions): Promise<ForecastRow[]> {
  const opts = parseInput(forecastOptionsSchema, options, 'report options');
  const scope: Where = {};
  if (opts.pipelineId) scope.pipelineId = opts.pipelineId;
  if (opts.ownerId) scope.ownerId = opts.ownerId;
  const expected: Record<string, string> = {};
  const closed: Record<string, string> = {};
  if (opts.from) [expected.gte, closed.gte] = [boundaryDate(opts.from, opts.timeZone), boundaryInstant(opts.from, opts.timeZone)];
  if (opts.to) [expected.lt, closed.lt] = [boundaryDate(opts.to, opts.timeZone), boundaryInstant(opts.to, opts.timeZone)];
  const bounded = opts.from !== undefined || opts.to !== undefined;
  const metrics = categoryMetrics();
  const query = (where: Where, field: 'expectedCloseOn' | 'closedAt') =>
    ctx.storage.aggregate({
      model: dealModel,
      tenantId: ctx.tenantId,
      where,
      groupBy: [periodGroup(field, opts), 'currency'],
      metrics,
    });
  const [open, done] = await Promise.all([
    query({ ...scope, status: 'open', ...(bounded ? { expectedCloseOn: expected } : {}) }, 'expectedCloseOn'),
    query({ ...scope, status: { ne: 'open' }, ...(bounded ? { closedAt: closed } : {}) }, 'closedAt'),
  ]);
  const groups = new Groups((key) => {
    const [period, category] = JSON.parse(key) as [string | null, ForecastReportCategory];
    return { period, category, count: 0, amounts: new MoneyTotals(), weighted: new MoneyTotals() };
  });
  for (const row of [...open, ...done] as Row[]) {
    for (const category of forecastReportCategories) {
      const count = Number(row[`${category}Count`] ?? 0);
      if (count === 0) continue;
      const group = groups.of(JSON.stringify([(row.period as string | null) ?? null, category]));
      group.count += count;
      group.amounts.add(row.currency as string, row[`${category}Amount`]);
      group.weighted.add(row.currency as string, row[`${category}Weighted`]);
    }
  }
  const rank = (r: ForecastRow) => forecastReportCategories.indexOf(r.category);
  return groups
    .values()
    .map((g): ForecastRow => ({ period: g.period, category: g.category, count: g.count, amounts: g.amounts.list(), weightedAmounts: g.weighted.list() }))
    .sort((a, b) => compareKeys([a.period], [b.period]) || rank(a) - rank(b));
}
