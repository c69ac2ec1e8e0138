import type { AttributionModel, CampaignMember, CampaignReport, Money } from '@crmkit/core';

/** An order as the test made it. */
export interface RefOrder {
  contactId: string;
  placedAt: string;
  status: string;
  total: Money;
  dealId: string | null;
}

/** A won deal as the test made it. */
export interface RefDeal {
  id: string;
  contactIds: string[];
  closedAt: string;
  amount: Money;
}

/** A campaign as the reference needs it. */
export interface RefCampaign {
  id: string;
  cost: Money;
}

const dayMs = 86_400_000;

/**
 * The campaign credited for a purchase by `contactId` at `at`, computed the
 * naive way, independently of the SQL: among every touch of the contact sent
 * at or before `at` and less than the window before it, the latest (last
 * touch) or the earliest (first touch), ties broken by campaign id.
 */
export function creditedCampaign(members: readonly CampaignMember[], contactId: string, at: string, model: AttributionModel, windowDays: number): string | undefined {
  const t = Date.parse(at);
  const candidates = members
    .filter((m) => m.contactId === contactId && m.sentAt !== null)
    .filter((m) => Date.parse(m.sentAt!) <= t && t - Date.parse(m.sentAt!) < windowDays * dayMs)
    .sort((a, b) => (a.sentAt! === b.sentAt! ? (a.campaignId < b.campaignId ? -1 : 1) : a.sentAt! < b.sentAt! ? -1 : 1));
  const pick = model === 'lastTouch' ? candidates.at(-1) : candidates[0];
  return pick?.campaignId;
}

/** What `campaigns.report` should say, from every member, order and deal of the tenant. */
export function expectedReport(
  campaign: RefCampaign, members: readonly CampaignMember[], orders: readonly RefOrder[], deals: readonly RefDeal[],
  model: AttributionModel, windowDays: number,
): Omit<CampaignReport, 'cost'> {
  const own = members.filter((m) => m.campaignId === campaign.id);
  const reached = own.filter((m) => m.sentAt !== null);
  const converted = new Set(reached.filter((m) => m.convertedAt !== null).map((m) => m.contactId));
  const revenue = new Map<string, number>();
  const add = (money: Money) => revenue.set(money.currency, (revenue.get(money.currency) ?? 0) + Number(money.minor));
  let orderCount = 0;
  for (const o of orders) {
    if (!['placed', 'paid', 'fulfilled'].includes(o.status)) continue;
    if (creditedCampaign(members, o.contactId, o.placedAt, model, windowDays) !== campaign.id) continue;
    orderCount += 1;
    add(o.total);
    converted.add(o.contactId);
  }
  const withOrder = new Set(orders.map((o) => o.dealId).filter((id) => id !== null));
  let dealCount = 0;
  for (const d of deals) {
    if (withOrder.has(d.id)) continue;
    const winners = d.contactIds.filter((c) => creditedCampaign(members, c, d.closedAt, model, windowDays) === campaign.id);
    if (winners.length === 0) continue;
    dealCount += 1;
    add(d.amount);
    for (const c of winners) converted.add(c);
  }
  const conversions = converted.size;
  const cost = Number(campaign.cost.minor);
  const earned = revenue.get(campaign.cost.currency) ?? 0;
  const rate = (a: number, b: number) => (b === 0 ? null : a / b);
  return {
    campaignId: campaign.id,
    attribution: model,
    windowDays,
    members: own.length,
    reach: reached.length,
    opened: own.filter((m) => m.openedAt !== null).length,
    responded: own.filter((m) => m.respondedAt !== null).length,
    unsubscribed: own.filter((m) => m.unsubscribedAt !== null).length,
    conversions,
    responseRate: rate(own.filter((m) => m.respondedAt !== null).length, reached.length),
    conversionRate: rate(conversions, reached.length),
    orders: orderCount,
    wonDeals: dealCount,
    revenue: [...revenue].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, minor]) => ({ minor, currency })),
    roi: cost === 0 ? null : (earned - cost) / cost,
    costPerAcquisition: conversions === 0 ? null : { minor: Math.round(cost / conversions), currency: campaign.cost.currency },
  };
}
