import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { cursorScope, readCursor, toPage, type Page } from '../common/list.js';
import { type Money, parseInput, timestampSchema } from '../common/zod-helpers.js';
import { ValidationError } from '../errors.js';
import type { OrderTerm, Row } from '../storage/adapter.js';
import type { FieldFilter, Where } from '../storage/where.js';
import { orderModel } from './order.model.js';
import { orderStatuses } from './order-status.js';

/** Options of `orders.lastOrders`. */
export const lastOrdersOptionsSchema = z
  .strictObject({
    /** Customers per page, 1 to 1000. @default 50 */
    limit: z.number().int().min(1).max(1000).optional().default(50),
    /** `nextCursor` of the previous page. */
    cursor: z.string().max(4096).optional(),
    /** Only customers whose last order was placed before this instant (lapsed customers). */
    before: timestampSchema.optional(),
    /** Only customers who placed an order at or after this instant. */
    after: timestampSchema.optional(),
    /** The orders that count as purchases. @default ['placed', 'paid', 'fulfilled'] (not cancelled or returned ones) */
    statuses: z.array(z.enum(orderStatuses)).min(1).max(5).optional().default(['placed', 'paid', 'fulfilled']),
  })
  .optional()
  .default({ limit: 50, statuses: ['placed', 'paid', 'fulfilled'] });
/** Options of `orders.lastOrders`. */
export type LastOrdersOptions = z.input<typeof lastOrdersOptionsSchema>;

/** A customer (contact) with its order history summed up. */
export interface CustomerOrders {
  contactId: string;
  /** When its last order was placed, ISO UTC. */
  lastOrderAt: string;
  /** When its first order was placed, ISO UTC. */
  firstOrderAt: string;
  /** How many orders it placed. */
  orders: number;
  /** What the orders add up to, per currency (never converted), by currency code. */
  totals: Money[];
}

const orderBy: OrderTerm[] = [{ field: 'lastOrderAt', direction: 'desc' }];

/**
 * Contacts by their last order, newest first, grouped in the database. The
 * keyset of a page is (last order time, contact id); since an aggregate cannot
 * be filtered on its own result here, "after the cursor" and `before` are
 * anti-joins on the orders themselves: no counted order after that time.
 * @throws {ValidationError}
 */
export async function lastOrders(ctx: TenantContext, options?: LastOrdersOptions): Promise<Page<CustomerOrders>> {
  const opts = parseInput(lastOrdersOptionsSchema, options, 'last orders options');
  const counted: Where = { contactId: { isNull: false }, status: { in: opts.statuses } };
  const ordering = (where: Where): FieldFilter => ({ inQuery: { model: orderModel, field: 'contactId', where: { ...counted, ...where } } });
  const and: Where[] = [];
  if (opts.before) and.push({ not: { contactId: ordering({ placedAt: { gte: opts.before } }) } });
  if (opts.after) and.push({ contactId: ordering({ placedAt: { gte: opts.after } }) });
  const scope = cursorScope(ctx, 'order:lastOrders');
  const position = readCursor(opts.cursor, orderBy, scope);
  if (position) {
    const { lastOrderAt: at, id } = position;
    if (typeof at !== 'string' || typeof id !== 'string') throw ValidationError.single('Invalid cursor', ['cursor']);
    and.push({ not: { contactId: ordering({ placedAt: { gt: at } }) } });
    and.push({ or: [{ contactId: { lt: id } }, { not: { contactId: ordering({ placedAt: at }) } }] });
  }
  const where: Where = and.length > 0 ? { ...counted, and } : counted;
  const groups = await ctx.storage.aggregate({
    model: orderModel,
    tenantId: ctx.tenantId,
    where,
    groupBy: ['contactId'],
    metrics: { lastOrderAt: { fn: 'max', field: 'placedAt' }, firstOrderAt: { fn: 'min', field: 'placedAt' }, orders: { fn: 'count' } },
    orderBy: [{ key: 'lastOrderAt', direction: 'desc' }, { key: 'contactId', direction: 'desc' }],
    limit: opts.limit + 1,
  });
  const ids = groups.map((g) => String(g.contactId));
  const totals = new Map<string, Money[]>();
  if (ids.length > 0) {
    const sums = await ctx.storage.aggregate({
      model: orderModel,
      tenantId: ctx.tenantId,
      where: { ...counted, contactId: { in: ids } },
      groupBy: ['contactId', 'currency'],
      metrics: { total: { fn: 'sum', field: 'totalMinor' } },
      orderBy: [{ key: 'currency' }],
    });
    for (const sum of sums) {
      const list = totals.get(String(sum.contactId)) ?? [];
      list.push({ minor: minorOf(sum.total), currency: String(sum.currency) });
      totals.set(String(sum.contactId), list);
    }
  }
  const rows: Row[] = groups.map((g) => ({ id: String(g.contactId), lastOrderAt: String(g.lastOrderAt), firstOrderAt: String(g.firstOrderAt), orders: Number(g.orders) }));
  return toPage(rows, opts.limit, orderBy, (row) => ({
    contactId: String(row.id),
    lastOrderAt: String(row.lastOrderAt),
    firstOrderAt: String(row.firstOrderAt),
    orders: Number(row.orders),
    totals: totals.get(String(row.id)) ?? [],
  }), scope);
}

function minorOf(value: unknown): number | bigint {
  return typeof value === 'bigint' ? value : Number(value ?? 0);
}
