import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { currencySchema, type Money, parseInput } from '../../common/zod-helpers.js';
import { orderModel } from '../../orders/order.model.js';
import type { Where } from '../../storage/where.js';
import { reportPeriods } from '../case-groups.js';
import { timeZoneSchema } from '../sales/report-period.js';
import { PeriodCalendar, reportedPeriods } from './periods.js';
import { countedOrders, customerField, minorOf, placedWithin, purchaseScopeShape, type PurchaseScope } from './scope.js';

/** Options of `reports.customerRanking`. */
export const customerRankingOptionsSchema = z
  .strictObject({
    ...purchaseScopeShape,
    /** Only orders in this currency; every currency (ranked apart) when omitted. */
    currency: currencySchema.optional(),
    /** Rank within each period of this length; one overall ranking when omitted. */
    period: z.enum(reportPeriods).optional(),
    /** The IANA zone periods are cut in. @default 'UTC' */
    timeZone: timeZoneSchema.optional().default('UTC'),
    /** Customers per ranking (top N), 1 to 1000. @default 10 */
    limit: z.number().int().min(1).max(1000).optional().default(10),
  })
  .optional()
  .default({ by: 'contact', statuses: ['placed', 'paid', 'fulfilled'], timeZone: 'UTC', limit: 10 });
/** Options of `reports.customerRanking`. */
export type CustomerRankingOptions = z.input<typeof customerRankingOptionsSchema>;

/** One ranked customer. */
export interface CustomerRankingRow {
  /** The ranking's currency: amounts are never converted, so each currency ranks apart. */
  currency: string;
  /** The period's first day (`YYYY-MM-DD`, in `timeZone`), or null in the overall ranking. */
  period: string | null;
  /** 1 for the top customer; ties in revenue are ranked by customer id, ascending. */
  rank: number;
  /** The contact id (or the company id with `by: 'company'`). */
  customerId: string;
  /** The sum of the customer's counted order totals in the currency (and period). */
  revenue: Money;
  /** How many counted orders make it up. */
  orders: number;
}

/**
 * Top customers by revenue, per currency, overall or per period: one grouped
 * aggregate per ranking (currency, or currency and period) whose groups are
 * numbered by revenue in SQL (a window over the groups), keeping the top N.
 */
export async function customerRanking(ctx: TenantContext, options?: CustomerRankingOptions): Promise<CustomerRankingRow[]> {
  const opts = parseInput(customerRankingOptionsSchema, options, 'report options');
  const scope: PurchaseScope = opts;
  const currencies = opts.currency !== undefined ? [opts.currency] : await currenciesOf(ctx, countedOrders(scope));
  const rows: CustomerRankingRow[] = [];
  for (const currency of currencies) {
    if (opts.period === undefined) {
      rows.push(...(await top(ctx, scope, countedOrders(scope, { currency }), opts.limit, currency, null)));
      continue;
    }
    const calendar = new PeriodCalendar(opts.period, opts.timeZone);
    const periods = await reportedPeriods(ctx, countedOrders(scope, { currency }), calendar);
    for (const p of periods) {
      rows.push(...(await top(ctx, scope, countedOrders(scope, { currency, ...placedWithin(scope, p.start, p.end) }), opts.limit, currency, p.key)));
    }
  }
  return rows;
}

/** The currencies of the counted orders, in code order. */
export async function currenciesOf(ctx: TenantContext, where: Where): Promise<string[]> {
  const rows = await ctx.storage.aggregate({
    model: orderModel, tenantId: ctx.tenantId, where, groupBy: ['currency'], metrics: { n: { fn: 'count' } }, orderBy: [{ key: 'currency' }],
  });
  return rows.map((r) => String(r.currency));
}

async function top(ctx: TenantContext, scope: PurchaseScope, where: Where, limit: number, currency: string, period: string | null): Promise<CustomerRankingRow[]> {
  const key = customerField(scope.by);
  const groups = await ctx.storage.aggregate({
    model: orderModel, tenantId: ctx.tenantId, where, groupBy: [key],
    metrics: { revenue: { fn: 'sum', field: 'totalMinor' }, orders: { fn: 'count' } },
    // The position among all the customers, ties going to the customer id ascending (the group key).
    groupValues: { rank: { fn: 'rowNumber', orderBy: [{ key: 'revenue', direction: 'desc' }] } },
    groupWhere: { rank: { lte: limit } },
    orderBy: [{ key: 'rank' }],
  });
  return groups.map((g) => ({
    currency, period, rank: Number(g.rank), customerId: String(g[key]),
    revenue: { minor: minorOf(g.revenue), currency }, orders: Number(g.orders),
  }));
}
