import type { TenantContext } from '../common/context.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { orderModel } from '../orders/order.model.js';
import type { OrderStatus } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';

/**
 * Explicit attribution: a won deal whose `campaignId` is set is credited to
 * that campaign, with no touch, no window and no attribution rule, and never to
 * another campaign through touches (see {@link touchesMayCredit}). As with
 * touches, a deal that has an order counts through its order (when the order's
 * status counts as revenue), so its revenue is counted once.
 */

/** Won deals that name a campaign: the only deals (and orders of deals) explicit attribution takes. */
const explicitlyAttributed = (campaignId: string | { isNull: false }): Where => ({ status: 'won', campaignId });

/** Orders of a deal (any status): such a deal counts through its order, never itself. */
const hasOrder: Where = { id: { inQuery: { model: orderModel, field: 'dealId' } } };

/**
 * The where-trees that keep explicitly attributed deals and their orders out
 * of the touch rules, for every campaign.
 */
export const touchesMayCredit = {
  /** On deals: no campaign named. */
  deals: { campaignId: { isNull: true } } satisfies Where,
  /** On orders: not the order of a won deal that names a campaign (`not` includes orders without a deal). */
  orders: { not: { dealId: { inQuery: { model: dealModel, field: 'id', where: explicitlyAttributed({ isNull: false }) } } } } satisfies Where,
};

/** What a campaign's explicitly attributed deals bring, summed per currency. */
export interface ExplicitCredit {
  orders: number;
  wonDeals: number;
  revenue: { currency: unknown; amount: unknown }[];
  /** Whether any deal was credited, so that the paged pass looks for the members it converts. */
  any: boolean;
}

/**
 * Sums the campaign's explicitly attributed won deals without an order and
 * the counted orders of those with one: two aggregates grouped by currency.
 */
export async function explicitCredit(ctx: TenantContext, campaignId: string, orderStatuses: readonly OrderStatus[]): Promise<ExplicitCredit> {
  const tenantId = ctx.tenantId;
  const [deals, orders] = await Promise.all([
    ctx.storage.aggregate({
      model: dealModel, tenantId, where: { ...explicitlyAttributed(campaignId), not: hasOrder },
      groupBy: ['currency'], metrics: { deals: { fn: 'count' }, amount: { fn: 'sum', field: 'amountMinor' } },
    }),
    ctx.storage.aggregate({
      model: orderModel, tenantId,
      where: { status: { in: orderStatuses }, dealId: { inQuery: { model: dealModel, field: 'id', where: explicitlyAttributed(campaignId) } } },
      groupBy: ['currency'], metrics: { orders: { fn: 'count' }, total: { fn: 'sum', field: 'totalMinor' } },
    }),
  ]);
  const wonDeals = deals.reduce((n, row) => n + Number(row.deals), 0);
  const orderCount = orders.reduce((n, row) => n + Number(row.orders), 0);
  return {
    orders: orderCount,
    wonDeals,
    revenue: [...deals.map((row) => ({ currency: row.currency, amount: row.amount })), ...orders.map((row) => ({ currency: row.currency, amount: row.total }))],
    any: wonDeals + orderCount > 0,
  };
}

/**
 * Which of `contactIds` (a page of the campaign's reached members) are
 * contacts of a deal explicitly credited to the campaign: one semi-join.
 */
export async function explicitlyConverted(
  ctx: TenantContext, campaignId: string, orderStatuses: readonly OrderStatus[], contactIds: readonly string[],
): Promise<string[]> {
  const credited: Where = {
    ...explicitlyAttributed(campaignId),
    // Credited itself (no order) or through an order that counts; a deal whose only order was cancelled brings nothing.
    or: [{ not: hasOrder }, { id: { inQuery: { model: orderModel, field: 'dealId', where: { status: { in: orderStatuses } } } } }],
  };
  const links = await ctx.storage.findMany({
    model: dealContactModel, tenantId: ctx.tenantId,
    where: { contactId: { in: contactIds }, dealId: { inQuery: { model: dealModel, field: 'id', where: credited } } },
    select: ['contactId'],
  });
  return links.map((link) => link.contactId);
}
