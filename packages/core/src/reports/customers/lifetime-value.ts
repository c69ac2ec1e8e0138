import { z } from 'zod';
import type { TenantContext } from '../../common/context.js';
import { cursorScope, type Page, readCursor, toPage } from '../../common/list.js';
import { currencySchema, type Money, parseInput } from '../../common/zod-helpers.js';
import { ValidationError } from '../../errors.js';
import { orderModel } from '../../orders/order.model.js';
import type { OrderTerm, Row } from '../../storage/adapter.js';
import { countedOrders, customerField, customerModel, hasOrder, minorOf, type PurchaseScope, purchaseScopeShape } from './scope.js';

/** Options of `reports.lifetimeValue`. */
export const lifetimeValueOptionsSchema = z
  .strictObject({
    ...purchaseScopeShape,
    /** Only orders in this currency. */
    currency: currencySchema.optional(),
    /** Customers per page of `customers`, 1 to 1000. @default 50 */
    limit: z.number().int().min(1).max(1000).optional().default(50),
    /** `customers.nextCursor` of the previous page. */
    cursor: z.string().max(4096).optional(),
  })
  .optional()
  .default({ by: 'contact', statuses: ['placed', 'paid', 'fulfilled'], limit: 50 });
/** Options of `reports.lifetimeValue`. */
export type LifetimeValueOptions = z.input<typeof lifetimeValueOptionsSchema>;

/** The lifetime value of the customers of one currency. */
export interface CurrencyLifetimeValue {
  currency: string;
  /** Customers with at least one counted order in the currency. */
  customers: number;
  /** Their counted orders in the currency. */
  orders: number;
  /** What those orders add up to. */
  revenue: Money;
  /** The average lifetime value: revenue / customers, in minor units (fractional). */
  averageMinor: number;
  /** revenue / orders, in minor units (fractional). */
  averageOrderMinor: number;
  /** orders / customers. */
  ordersPerCustomer: number;
}

/** One customer's lifetime value. */
export interface CustomerLifetimeValue {
  /** The contact id (or the company id with `by: 'company'`). */
  customerId: string;
  /** Its counted orders, every currency. */
  orders: number;
  /** Its first and last counted order, ISO UTC. */
  firstOrderAt: string;
  lastOrderAt: string;
  /** Its lifetime value: the sum of its counted order totals, per currency (code order). */
  values: Money[];
}

/** The `lifetimeValue` report. */
export interface LifetimeValueReport {
  /** Per currency, in code order. */
  currencies: CurrencyLifetimeValue[];
  /** A page of customers, in customer id order. */
  customers: Page<CustomerLifetimeValue>;
}

const orderBy: OrderTerm[] = [];

/**
 * Historical customer lifetime value: what a customer has spent, the sum of
 * its counted order totals (gross, before costs and returns not recorded as a
 * `returned` status; never converted between currencies; no prediction of
 * future orders). Per currency a grouped aggregate and a count of customers
 * (a semi-join); per customer a page of groups in customer id order.
 * @throws {ValidationError}
 */
export async function lifetimeValue(ctx: TenantContext, options?: LifetimeValueOptions): Promise<LifetimeValueReport> {
  const opts = parseInput(lifetimeValueOptionsSchema, options, 'report options');
  const scope: PurchaseScope = opts;
  const key = customerField(scope.by);
  const base = countedOrders(scope, opts.currency !== undefined ? { currency: opts.currency } : {});
  const totals = await ctx.storage.aggregate({
    model: orderModel, tenantId: ctx.tenantId, where: base, groupBy: ['currency'],
    metrics: { revenue: { fn: 'sum', field: 'totalMinor' }, orders: { fn: 'count' } }, orderBy: [{ key: 'currency' }],
  });
  const currencies: CurrencyLifetimeValue[] = [];
  for (const t of totals) {
    const currency = String(t.currency);
    const customers = await ctx.storage.count({ model: customerModel(scope.by), tenantId: ctx.tenantId, where: { id: hasOrder(scope, { currency }) } });
    const revenue = minorOf(t.revenue);
    const orders = Number(t.orders);
    currencies.push({
      currency, customers, orders, revenue: { minor: revenue, currency },
      averageMinor: customers === 0 ? 0 : Number(revenue) / customers,
      averageOrderMinor: orders === 0 ? 0 : Number(revenue) / orders,
      ordersPerCustomer: customers === 0 ? 0 : orders / customers,
    });
  }

  const cursors = cursorScope(ctx, `reports:lifetimeValue:${scope.by}`);
  const after = readCursor(opts.cursor, orderBy, cursors);
  if (after !== undefined && typeof after.id !== 'string') throw ValidationError.single('Invalid cursor', ['cursor']);
  const groups = await ctx.storage.aggregate({
    model: orderModel, tenantId: ctx.tenantId,
    where: after === undefined ? base : { ...base, and: [{ [key]: { gt: after.id as string } }] },
    groupBy: [key],
    metrics: { orders: { fn: 'count' }, first: { fn: 'min', field: 'placedAt' }, last: { fn: 'max', field: 'placedAt' } },
    orderBy: [{ key }], limit: opts.limit + 1,
  });
  const ids = groups.slice(0, opts.limit).map((g) => String(g[key]));
  const values = new Map<string, Money[]>();
  if (ids.length > 0) {
    const sums = await ctx.storage.aggregate({
      model: orderModel, tenantId: ctx.tenantId, where: { ...base, [key]: { in: ids } }, groupBy: [key, 'currency'],
      metrics: { revenue: { fn: 'sum', field: 'totalMinor' } }, orderBy: [{ key: 'currency' }],
    });
    for (const s of sums) {
      const list = values.get(String(s[key])) ?? [];
      list.push({ minor: minorOf(s.revenue), currency: String(s.currency) });
      values.set(String(s[key]), list);
    }
  }
  const rows: Row[] = groups.map((g) => ({ id: String(g[key]), orders: Number(g.orders), first: String(g.first), last: String(g.last) }));
  const customers = toPage(rows, opts.limit, orderBy, (r): CustomerLifetimeValue => ({
    customerId: String(r.id), orders: Number(r.orders), firstOrderAt: String(r.first), lastOrderAt: String(r.last), values: values.get(String(r.id)) ?? [],
  }), cursors);
  return { currencies, customers };
}
