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
   * The median, over repeat customers, of each customer's mean gap
   * (last - first) / (orders - 1), in days (interpolated for an even count).
   * Not the median of all consecutive gaps: that needs each order's previous
   * order, which the storage contract cannot compute (no window functions).
   * Null without repeat customers.
   */
  medianDaysBetweenOrders: number | null;
}

// Customer groups per statement: bounds memory to one page of groups plus one number per repeat customer.
const pageSize = 5000;
const dayMs = 86_400_000;

/**
 * Repeat-purchase rate and time between orders. Orders are grouped per
 * customer in SQL (count, first and last order time), a page of customers per
 * statement in customer id order; the page totals are summed here.
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
  const meanGaps: number[] = [];
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
      meanGaps.push(span / (n - 1) / dayMs);
    }
    if (page.length < pageSize) break;
    after = String(page[page.length - 1]![key]);
  }
  return {
    customers,
    repeatCustomers,
    repeatRate: share(repeatCustomers, customers),
    orders,
    meanDaysBetweenOrders: gaps === 0 ? null : spanMs / gaps / dayMs,
    medianDaysBetweenOrders: median(meanGaps),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const mid = (values.length - 1) / 2;
  const lo = values[Math.floor(mid)]!;
  return lo + (values[Math.ceil(mid)]! - lo) * (mid - Math.floor(mid));
}
