import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { parseInput } from '../../common/zod-helpers.js';
import { ValidationError } from '../../errors.js';
import { orderModel } from '../../orders/order.model.js';
import type { Where } from '../../storage/where.js';
import { share } from '../case-groups.js';
import { periodShape } from '../sales/report-period.js';
import { maxReportPeriods, PeriodCalendar } from './periods.js';
import { countedOrders, customerField, type PurchaseScope, purchaseScopeShape } from './scope.js';

/** Options of `reports.cohortRetention`. */
export const cohortRetentionOptionsSchema = z
  .strictObject({
    by: purchaseScopeShape.by,
    statuses: purchaseScopeShape.statuses,
    ...periodShape,
    /** The first cohort is the one holding this instant. @default the period of the first counted order */
    from: purchaseScopeShape.from,
    /** The last cohort is the one holding the instant before this. @default the period of the last counted order */
    to: purchaseScopeShape.to,
    /** Periods followed after the first purchase (offset 1 to this). @default 12 */
    periods: z.number().int().min(1).max(60).optional().default(12),
  })
  .optional()
  .default({ by: 'contact', statuses: ['placed', 'paid', 'fulfilled'], period: 'month', timeZone: 'UTC', periods: 12 });
/** Options of `reports.cohortRetention`. */
export type CohortRetentionOptions = z.input<typeof cohortRetentionOptionsSchema>;

/** How many of a cohort ordered again in one period after their first. */
export interface CohortRetentionCell {
  /** Periods since the cohort's own: 0 is the first-purchase period itself. */
  offset: number;
  /** The period's first day, `YYYY-MM-DD` in `timeZone`. */
  period: string;
  /** Customers of the cohort with a counted order in that period. */
  customers: number;
  /** customers / cohort size, 0 to 1 (1 at offset 0). */
  rate: number | null;
}

/** One cohort: the customers whose first counted order fell in one period. */
export interface CohortRetentionRow {
  /** The first-purchase period's first day, `YYYY-MM-DD` in `timeZone`. */
  cohort: string;
  /** Customers whose first counted order (ever) was placed in that period. */
  customers: number;
  /**
   * Offsets 0 to `periods`, stopping at the period of the last counted order
   * in the data (later periods have not happened yet).
   */
  retention: CohortRetentionCell[];
}

/**
 * Cohort retention. A customer belongs to the cohort of the period of its
 * first counted order ever (each order carries its customer's first order
 * time, a window value); the cell at offset k counts the cohort's customers
 * with a counted order in the k-th period after. One statement: the orders
 * grouped by customer, cohort and period, regrouped by cohort and period to
 * count customers; and one for the time of the last order.
 * @throws {ValidationError} for an unknown time zone, or more than 400 periods
 */
export async function cohortRetention(ctx: TenantContext, options?: CohortRetentionOptions): Promise<CohortRetentionRow[]> {
  const opts = parseInput(cohortRetentionOptionsSchema, options, 'report options');
  const scope: PurchaseScope = { by: opts.by, statuses: opts.statuses };
  const calendar = new PeriodCalendar(opts.period, opts.timeZone);
  const key = customerField(opts.by);
  const first = opts.from === undefined ? undefined : calendar.of(opts.from);
  const last = opts.to === undefined ? undefined : calendar.of(new Date(Date.parse(opts.to) - 1).toISOString());
  const cohortWindow: Where = {};
  if (first !== undefined || last !== undefined) {
    cohortWindow.firstAt = { ...(first ? { gte: first.start } : {}), ...(last ? { lt: last.end } : {}) };
  }
  const bucket = (field: string, as: string) => ({ field, bucket: opts.period, as, timeZone: opts.timeZone });
  const rows = await ctx.storage.aggregate({
    model: orderModel,
    tenantId: ctx.tenantId,
    where: countedOrders(scope),
    derive: { firstAt: { fn: 'first', field: 'placedAt', partitionBy: [key], orderBy: [{ field: 'placedAt' }] } },
    derivedWhere: cohortWindow,
    groupBy: [key, bucket('firstAt', 'cohort'), bucket('placedAt', 'period')],
    metrics: { orders: { fn: 'count' } },
    regroup: { groupBy: ['cohort', 'period'], metrics: { customers: { fn: 'count' } } },
    orderBy: [{ key: 'cohort' }, { key: 'period' }],
  });
  // The last period with an order (of any cohort in the window): later periods have not happened yet.
  const [bounds] = await ctx.storage.aggregate({ model: orderModel, tenantId: ctx.tenantId, where: countedOrders(scope), metrics: { last: { fn: 'max', field: 'placedAt' } } });
  if (bounds?.last == null || (rows.length === 0 && first === undefined)) return [];
  const end = calendar.of(String(bounds.last)).key;
  const cells = new Map(rows.map((r) => [`${String(r.cohort)} ${String(r.period)}`, Number(r.customers)]));
  const result: CohortRetentionRow[] = [];
  const stop = last !== undefined && last.key < end ? last.key : end;
  for (let c = first ?? calendar.ofKey(String(rows[0]!.cohort)); c.key <= stop; c = calendar.next(c)) {
    if (result.length >= maxReportPeriods) throw ValidationError.single(`The report spans more than ${maxReportPeriods} cohorts: narrow from / to or use a longer period`, ['period']);
    const customers = cells.get(`${c.key} ${c.key}`) ?? 0;
    const retention: CohortRetentionCell[] = [];
    for (let k = 0, p = c; k <= opts.periods && p.key <= end; k++, p = calendar.next(p)) {
      const active = cells.get(`${c.key} ${p.key}`) ?? 0;
      retention.push({ offset: k, period: p.key, customers: active, rate: share(active, customers) });
    }
    result.push({ cohort: c.key, customers, retention });
  }
  return result;
}
