import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { parseInput } from '../../common/zod-helpers.js';
import type { Where } from '../../storage/where.js';
import { share } from '../case-groups.js';
import { periodShape } from '../sales/report-period.js';
import { PeriodCalendar, reportedPeriods } from './periods.js';
import { countedOrders, customerModel, hasOrder, type PurchaseScope, purchaseScopeShape } from './scope.js';

/** Options of `reports.churnRate`. */
export const churnRateOptionsSchema = z
  .strictObject({
    by: purchaseScopeShape.by,
    statuses: purchaseScopeShape.statuses,
    ...periodShape,
    /** The first period reported is the one holding this instant. @default the period of the first counted order */
    from: purchaseScopeShape.from,
    /** The last period reported is the one holding the instant before this. @default the period of the last counted order */
    to: purchaseScopeShape.to,
  })
  .optional()
  .default({ by: 'contact', statuses: ['placed', 'paid', 'fulfilled'], period: 'month', timeZone: 'UTC' });
/** Options of `reports.churnRate`. */
export type ChurnRateOptions = z.input<typeof churnRateOptionsSchema>;

/** The churn of one period. */
export interface ChurnRateRow {
  /** The period's first day, `YYYY-MM-DD` in `timeZone`. */
  period: string;
  /** Customers with a counted order in the previous period: the base the rate is taken over. */
  activeBefore: number;
  /** Of them, those with a counted order in this period too. */
  retained: number;
  /** Of them, those without a counted order in this period: activeBefore - retained. */
  churned: number;
  /** churned / activeBefore, 0 to 1; null when no customer was active in the previous period. */
  rate: number | null;
  /** Customers with a counted order in this period (retained, returning and new ones). */
  active: number;
}

/**
 * Churn rate by period. A customer churns in period P when it placed a
 * counted order in the period before P and none in P; the rate is the share
 * of the previous period's active customers who churned. Three counts over
 * customers with semi-joins on their orders, per period.
 * @throws {ValidationError} for an unknown time zone, or more than {@link maxReportPeriods} periods
 */
export async function churnRate(ctx: TenantContext, options?: ChurnRateOptions): Promise<ChurnRateRow[]> {
  const opts = parseInput(churnRateOptionsSchema, options, 'report options');
  // The previous period of the first one lies before `from`: orders are read over all time.
  const scope: PurchaseScope = { by: opts.by, statuses: opts.statuses };
  const calendar = new PeriodCalendar(opts.period, opts.timeZone);
  const periods = await reportedPeriods(ctx, countedOrders(scope), calendar, opts.from, opts.to);
  const rows: ChurnRateRow[] = [];
  for (const p of periods) {
    const prev = calendar.shift(p, -1);
    const inPrev = { id: hasOrder(scope, { placedAt: { gte: prev.start, lt: prev.end } }) };
    const inThis = { id: hasOrder(scope, { placedAt: { gte: p.start, lt: p.end } }) };
    const [activeBefore, retained, active] = await Promise.all([
      count(ctx, scope, inPrev),
      count(ctx, scope, { ...inPrev, and: [inThis] }),
      count(ctx, scope, inThis),
    ]);
    rows.push({ period: p.key, activeBefore, retained, churned: activeBefore - retained, rate: share(activeBefore - retained, activeBefore), active });
  }
  return rows;
}

function count(ctx: TenantContext, scope: PurchaseScope, where: Where): Promise<number> {
  return ctx.storage.count({ model: customerModel(scope.by), tenantId: ctx.tenantId, where });
}
