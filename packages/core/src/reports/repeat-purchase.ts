import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { parseInput, timestampSchema } from '../common/zod-helpers.js';
import { orderModel } from '../orders/order.model.js';
import { orderStatuses } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';
import { share } from './case-groups.js';

/** Options of `reports.repeatPurchase`. */
export const repeatPurchaseOptionsSchema = z
  .strictObject({
    /** Who a customer is: the order's contact or its company. @default 'contact' */
    customer: z.enum(['contact', 'company']).optional().default('contact'),
    /** Orders placed at or after this instant. */
    from: timestampSchema.optional(),
    /** Orders placed before this instant. */
    to: timestampSchema.optional(),
    /** The orders that count as purchases. @default ['placed', 'paid', 'fulfilled'] (not cancelled or returned ones) */
    statuses: z.array(z.enum(orderStatuses)).min(1).max(5).optional().default(['placed', 'paid', 'fulfilled']),
  })
  .optional()
  .default({ customer: 'contact', statuses: ['placed', 'paid', 'fulfilled'] });
/** Options of `reports.repeatPurchase`. */
export type RepeatPurchaseOptions = z.input<typeof repeatPurchaseOptionsSchema>;

/** A repeat-purchase report. */
export interface RepeatPurchase {
  /** Customers with at least one counted order. */
  customers: number;
  /** Of them, those with two or more. */
  repeatCustomers: number;
  /** repeatCustomers / customers, 0 to 1; null without customers. */
  repeatRate: number | null;
  /** Counted orders of those customers. */
  orders: number;
  /**
   * The mean time between consecutive orders, in days, over every pair of
   * consecutive orders of every repeat customer: the sum of (last - first)
   * over the sum of (orders - 1). Exact. Null without repeat customers.
   */
  meanDaysBetweenOrders: number | null;
  /**
   * The median of all gaps between consecutive counted orders of each
   * customer, in days (interpolated between the two middle gaps for an even
   * count), computed in SQL from each order's previous order of the same
   * customer (a `lag` window). Null without repeat customers.
   */
  medianDaysBetweenOrders: number | null;
}

// Customer groups per statement: bounds memory to one page of groups plus one number per repeat customer.
const pageSize = 5000;
const dayMs = 86_400_000;

/**
 * Repeat-purchase rate and time between orders. Orders are grouped per
 * customer in SQL (count, first and last order time), a page of customers per
 * statement in customer id order; the page totals are summed here. The median
 * gap is one more statement: each order's previous order by a `lag` window.
 */
export async function repeatPurchase(ctx: TenantContext, options?: RepeatPurchaseOptions): Promise<RepeatPurchase> {
  const opts = parseInput(repeatPurchaseOptionsSchema, options, 'report options');
  const key = opts.customer === 'contact' ? 'contactId' : 'companyId';
  const base: Where = { status: { in: opts.statuses }, [key]: { ne: null } };
  if (opts.from !== undefined || opts.to !== undefined) {
    base.placedAt = { ...(opts.from !== undefined ? { gte: opts.from } : {}), ...(opts.to !== undefined ? { lt: opts.to } : {}) };
  }
  let customers = 0;
  let repeatCustomers = 0;
  let orders = 0;
  let spanMs = 0;
  let gaps = 0;
  let after: string | undefined;
  for (;;) {
    const page = await ctx.storage.aggregate({
      model: orderModel,
      tenantId: ctx.tenantId,
      where: after === undefined ? base : { ...base, and: [{ [key]: { gt: after } }] },
      groupBy: [key],
      metrics: { orders: { fn: 'count' }, first: { fn: 'min', field: 'placedAt' }, last: { fn: 'max', field: 'placedAt' } },
      orderBy: [{ key }],
      limit: pageSize,
    });
    for (const row of page) {
      const n = Number(row.orders);
      customers += 1;
      orders += n;
      if (n < 2) continue;
      const span = Date.parse(String(row.last)) - Date.parse(String(row.first));
      repeatCustomers += 1;
      spanMs += span;
      gaps += n - 1;
    }
    if (page.length < pageSize) break;
    after = String(page[page.length - 1]![key]);
  }
  // One statement over the counted orders: each order's gap to the customer's previous one.
  const [gapRow] = await ctx.storage.aggregate({
    model: orderModel,
    tenantId: ctx.tenantId,
    where: base,
    derive: {
      previous: { fn: 'lag', field: 'placedAt', partitionBy: [key], orderBy: [{ field: 'placedAt' }] },
      gap: { fn: 'difference', from: 'previous', to: 'placedAt', unit: 'days' },
    },
    metrics: { median: { fn: 'percentile', field: 'gap', p: 0.5 } },
  });
  return {
    customers,
    repeatCustomers,
    repeatRate: share(repeatCustomers, customers),
    orders,
    meanDaysBetweenOrders: gaps === 0 ? null : spanMs / gaps / dayMs,
    medianDaysBetweenOrders: gapRow?.median === null || gapRow?.median === undefined ? null : Number(gapRow.median),
  };
}
