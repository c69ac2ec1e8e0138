import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { EntityStore } from '../common/entity-store.js';
import type { Money } from '../common/zod-helpers.js';
import { orderStatuses } from '../orders/order-status.js';
import { attribute, type AttributionModel, attributionModels } from './campaign-attribution.js';
import { campaignEntity } from './campaign.entity.js';
import { campaignMemberModel } from './campaign.model.js';

/** Options of `campaigns.report`. */
export const campaignReportOptionsSchema = z
  .strictObject({
    /** Which touch an order or a won deal is credited to (see {@link attributionModels}). @default 'lastTouch' */
    attribution: z.enum(attributionModels).optional().default('lastTouch'),
    /** How long after a send an order or a close is still credited to it, in days. @default 30 */
    windowDays: z.number().int().min(1).max(3650).optional().default(30),
    /** The orders that count as revenue. @default ['placed', 'paid', 'fulfilled'] (not cancelled or returned ones) */
    orderStatuses: z.array(z.enum(orderStatuses)).min(1).max(5).optional().default(['placed', 'paid', 'fulfilled']),
  })
  .optional()
  .default({ attribution: 'lastTouch', windowDays: 30, orderStatuses: ['placed', 'paid', 'fulfilled'] });
/** Options of `campaigns.report`. */
export type CampaignReportOptions = z.input<typeof campaignReportOptionsSchema>;

/** How a campaign did. Rates are 0 to 1, null when their base is zero. */
export interface CampaignReport {
  campaignId: string;
  attribution: AttributionModel;
  windowDays: number;
  /** Contacts enrolled. */
  members: number;
  /** Members the campaign reached (`sentAt` set). */
  reach: number;
  opened: number;
  responded: number;
  unsubscribed: number;
  /** Reached members that converted: marked `converted`, credited with an order or a won deal, or contacts of a credited deal that names the campaign. */
  conversions: number;
  /** responded / reach. */
  responseRate: number | null;
  /** conversions / reach. */
  conversionRate: number | null;
  /** Orders credited to the campaign: by the touch rule, or as the order of a won deal that names it (`deals.campaignId`). */
  orders: number;
  /**
   * Won deals without an order credited to the campaign (a deal with an order counts through the order):
   * those naming it (`deals.campaignId`, whatever the touches), and the unnamed ones by the touch rule.
   */
  wonDeals: number;
  /** Revenue of the credited orders and won deals, per currency (never converted), by currency code. */
  revenue: Money[];
  /** The campaign's cost. */
  cost: Money;
  /** (revenue - cost) / cost, with the revenue in the cost's currency; null for a zero cost. */
  roi: number | null;
  /** cost / conversions, rounded to the minor unit; null without conversions. */
  costPerAcquisition: Money | null;
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const money = (minor: bigint, currency: string): Money => ({ minor: minor <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(minor) : minor, currency });

/**
 * The report of one campaign: member counts in one aggregate, attribution by
 * the stated rule in paged aggregates over orders and deals (see `attribute`).
 * @throws {NotFoundError} for an unknown campaign
 */
export async function campaignReport(ctx: TenantContext, campaignId: string, options: z.output<typeof campaignReportOptionsSchema>): Promise<CampaignReport> {
  const campaign = await new EntityStore(ctx, campaignEntity).get(campaignId);
  const stamped = (field: string) => ({ fn: 'count' as const, filter: { [field]: { isNull: false } } });
  const [counts] = await ctx.storage.aggregate({
    model: campaignMemberModel, tenantId: ctx.tenantId, where: { campaignId },
    metrics: { members: { fn: 'count' }, reach: stamped('sentAt'), opened: stamped('openedAt'), responded: stamped('respondedAt'), unsubscribed: stamped('unsubscribedAt') },
  });
  const reach = Number(counts?.reach ?? 0);
  const responded = Number(counts?.responded ?? 0);
  const credited = await attribute(ctx, campaignId, options.attribution, options.windowDays, options.orderStatuses);
  const cost = BigInt(campaign.cost.minor);
  const currency = campaign.cost.currency;
  const earned = credited.revenue.get(currency) ?? 0n;
  const conversions = credited.conversions;
  return {
    campaignId,
    attribution: options.attribution,
    windowDays: options.windowDays,
    members: Number(counts?.members ?? 0),
    reach,
    opened: Number(counts?.opened ?? 0),
    responded,
    unsubscribed: Number(counts?.unsubscribed ?? 0),
    conversions,
    responseRate: rate(responded, reach),
    conversionRate: rate(conversions, reach),
    orders: credited.orders,
    wonDeals: credited.wonDeals,
    revenue: [...credited.revenue].sort(([a], [b]) => (a < b ? -1 : 1)).map(([code, minor]) => money(minor, code)),
    cost: campaign.cost,
    roi: cost === 0n ? null : Number(earned - cost) / Number(cost),
    // Half up, in integers: amounts beyond 2^53 stay exact.
    costPerAcquisition: conversions === 0 ? null : money((cost * 2n + BigInt(conversions)) / (2n * BigInt(conversions)), currency),
  };
}
