import type { TenantContext } from '../common/context.js';
import { dealContactModel, dealModel } from '../deals/deal.model.js';
import { orderModel } from '../orders/order.model.js';
import type { OrderStatus } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';
import { campaignMemberModel } from './campaign.model.js';
import { explicitCredit, explicitlyConverted, touchesMayCredit } from './campaign-explicit.js';

/**
 * The attribution rules `campaigns.report` offers. A touch is a member
 * record with `sentAt`; an order (by `placedAt`) or a won deal (by
 * `closedAt`, through each of its contacts) is credited to one campaign per
 * contact, among the contact's touches sent at or before it and less than
 * `windowDays` before it:
 * - `lastTouch`: the touch sent most recently;
 * - `firstTouch`: the touch sent earliest.
 * Touches sent at the same instant are ordered by campaign id (the greater
 * id is the later touch), so that exactly one campaign is credited.
 *
 * An explicit source beats both rules: a won deal whose `campaignId` is set
 * (`deals.create` / `update`) is credited to that campaign, whenever it closed
 * and whether or not its contacts were touched, and to no other campaign
 * through touches; nor is its order (`orders.dealId`). Its contacts that are
 * reached members of that campaign count as converted.
 */
export const attributionModels = ['lastTouch', 'firstTouch'] as const;
/** One of {@link attributionModels}. */
export type AttributionModel = (typeof attributionModels)[number];

/** What the members of a campaign brought, by the attribution rule. */
export interface Attribution {
  /** Members that converted: `convertedAt` set, an attributed order or won deal, or a contact of an explicitly attributed one. */
  conversions: number;
  orders: number;
  wonDeals: number;
  /** Minor units per currency. */
  revenue: Map<string, bigint>;
}

// Sent members per page. Each page is three statements whose where-trees hold
// about 5 conditions per member: 300 keeps them near 1,500, well inside storageLimits.
// (A fourth, for campaigns with named deals, holds the page's ids as one list.)
const pageSize = 300;
const dayMs = 86_400_000;

interface Touch {
  sentAt: string;
  campaignId: string;
}

const later = (a: Touch, b: Touch): boolean => a.sentAt > b.sentAt || (a.sentAt === b.sentAt && a.campaignId > b.campaignId);

/** The half-open span `[from, to)` in which this touch is the credited one, or undefined when it never is. */
function span(own: Touch, others: Touch[], model: AttributionModel, windowMs: number): { from: string; to: string } | undefined {
  const sent = Date.parse(own.sentAt);
  let from = sent;
  let to = sent + windowMs;
  for (const other of others) {
    const at = Date.parse(other.sentAt);
    // Last touch: a later touch takes over from its send. First touch: an earlier one holds until its window ends.
    if (model === 'lastTouch' && later(other, own)) to = Math.min(to, at);
    if (model === 'firstTouch' && later(own, other)) from = Math.max(from, at + windowMs);
  }
  return from < to ? { from: new Date(from).toISOString(), to: new Date(to).toISOString() } : undefined;
}

// `sum` is a number, or a bigint beyond 2^53: both convert exactly.
const minor = (value: unknown): bigint => (typeof value === 'bigint' ? value : BigInt(typeof value === 'number' ? value : String(value ?? 0)));

// Group keys come back as each driver decodes them; spans compare as ISO strings.
const iso = (value: unknown): string => (value instanceof Date ? value : new Date(String(value))).toISOString();

function add(revenue: Map<string, bigint>, currency: unknown, amount: unknown): void {
  const code = String(currency);
  revenue.set(code, (revenue.get(code) ?? 0n) + minor(amount));
}

/**
 * Attributes orders and won deals to a campaign's members, a page of sent
 * members at a time (in contact id order): each member's credited span comes
 * from the contact's other touches, and the orders and deals inside the spans
 * are summed by the database, grouped per contact (orders) or per deal. A
 * deal that has an order counts through its order only, so its revenue is
 * never counted twice. Memory holds one page plus the ids of the deals
 * credited so far (a deal of two members is counted once). Explicitly
 * attributed deals are summed by two aggregates of their own and stay out of
 * the touch aggregates (see `campaign-explicit.ts`).
 */
export async function attribute(
  ctx: TenantContext, campaignId: string, model: AttributionModel, windowDays: number, orderStatuses: readonly OrderStatus[],
): Promise<Attribution> {
  const tenantId = ctx.tenantId;
  const windowMs = windowDays * dayMs;
  const result: Attribution = { conversions: 0, orders: 0, wonDeals: 0, revenue: new Map() };
  const creditedDeals = new Set<string>();
  const explicit = await explicitCredit(ctx, campaignId, orderStatuses);
  result.orders += explicit.orders;
  result.wonDeals += explicit.wonDeals;
  for (const row of explicit.revenue) add(result.revenue, row.currency, row.amount);
  let after: string | undefined;
  for (;;) {
    const page = await ctx.storage.findMany({
      model: campaignMemberModel, tenantId,
      where: { campaignId, sentAt: { isNull: false }, ...(after === undefined ? {} : { contactId: { gt: after } }) },
      orderBy: [{ field: 'contactId' }], limit: pageSize, select: ['contactId', 'sentAt', 'convertedAt'],
    });
    if (page.length === 0) break;
    const contactIds = page.map((m) => m.contactId);
    const touches = await ctx.storage.findMany({
      model: campaignMemberModel, tenantId,
      where: { contactId: { in: contactIds }, sentAt: { isNull: false }, campaignId: { ne: campaignId } },
      select: ['contactId', 'sentAt', 'campaignId'],
    });
    const othersOf = new Map<string, Touch[]>();
    for (const t of touches) {
      const list = othersOf.get(t.contactId);
      const touch = { sentAt: t.sentAt!, campaignId: t.campaignId };
      if (list) list.push(touch);
      else othersOf.set(t.contactId, [touch]);
    }
    const spans = new Map<string, { from: string; to: string }>();
    for (const m of page) {
      const s = span({ sentAt: m.sentAt!, campaignId }, othersOf.get(m.contactId) ?? [], model, windowMs);
      if (s) spans.set(m.contactId, s);
    }
    const converted = new Set(page.filter((m) => m.convertedAt !== null).map((m) => m.contactId));
    if (explicit.any) for (const contactId of await explicitlyConverted(ctx, campaignId, orderStatuses, contactIds)) converted.add(contactId);
    if (spans.size > 0) {
      const ordered = await ctx.storage.aggregate({
        model: orderModel, tenantId,
        where: { status: { in: orderStatuses }, ...touchesMayCredit.orders, or: [...spans].map(([contactId, s]) => ({ contactId, placedAt: { gte: s.from, lt: s.to } })) },
        groupBy: ['contactId', 'currency'],
        metrics: { orders: { fn: 'count' }, total: { fn: 'sum', field: 'totalMinor' } },
      });
      for (const row of ordered) {
        converted.add(String(row.contactId));
        result.orders += Number(row.orders);
        add(result.revenue, row.currency, row.total);
      }
      await attributeDeals(ctx, spans, creditedDeals, converted, result);
    }
    result.conversions += converted.size;
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.contactId;
  }
  return result;
}

async function attributeDeals(
  ctx: TenantContext, spans: Map<string, { from: string; to: string }>, creditedDeals: Set<string>, converted: Set<string>, result: Attribution,
): Promise<void> {
  const tenantId = ctx.tenantId;
  const where: Where = {
    status: 'won',
    ...touchesMayCredit.deals,
    not: { id: { inQuery: { model: orderModel, field: 'dealId' } } },
    or: [...spans].map(([contactId, s]) => ({
      closedAt: { gte: s.from, lt: s.to },
      id: { inQuery: { model: dealContactModel, field: 'dealId', where: { contactId } } },
    })),
  };
  const deals = await ctx.storage.aggregate({
    model: dealModel, tenantId, where, groupBy: ['id', 'currency', 'closedAt'], metrics: { amount: { fn: 'sum', field: 'amountMinor' } },
  });
  if (deals.length === 0) return;
  const closedAt = new Map(deals.map((d) => [String(d.id), iso(d.closedAt)]));
  for (const deal of deals) {
    const id = String(deal.id);
    if (creditedDeals.has(id)) continue;
    creditedDeals.add(id);
    result.wonDeals += 1;
    add(result.revenue, deal.currency, deal.amount);
  }
  // Which of the page's members the deals convert: a contact of the deal whose own span holds the close.
  const links = await ctx.storage.findMany({
    model: dealContactModel, tenantId, where: { dealId: { in: [...closedAt.keys()] }, contactId: { in: [...spans.keys()] } }, select: ['dealId', 'contactId'],
  });
  for (const link of links) {
    const s = spans.get(link.contactId);
    const at = closedAt.get(link.dealId);
    if (s && at !== undefined && at >= s.from && at < s.to) converted.add(link.contactId);
  }
}
