import type { RepeatPurchase, RfmReport, TenantScope } from '@crmkit/core';

/** A top customer, named by its CDNOW id. */
export interface TopCustomer {
  rank: number;
  /** The CDNOW customer id (`00001`), read back from the contact. */
  customerId: string;
  revenueMinor: number;
  orders: number;
}

/** What the example reports about the CDNOW tenant. */
export interface CdnowFigures {
  /** RFM by the method (reference: the day after the last order), without its customer list. */
  rfm: Omit<RfmReport, 'list'>;
  repeat: RepeatPurchase;
  top: TopCustomer[];
}

/**
 * Asks the crm for the CDNOW figures: RFM cells and segments, repeat purchase
 * and the top customers by revenue.
 * @example
 * const figures = await cdnowFigures(crm.tenant('cdnow'));
 */
export async function cdnowFigures(t: TenantScope, options: { top?: number } = {}): Promise<CdnowFigures> {
  const { list: _list, ...rfm } = await t.reports.rfm({ currency: 'USD', limit: 1 });
  const repeat = await t.reports.repeatPurchase();
  const ranking = await t.reports.customerRanking({ currency: 'USD', limit: options.top ?? 5 });
  const top = await Promise.all(ranking.map(async (row) => ({
    rank: row.rank,
    customerId: (await t.contacts.get(row.customerId)).lastName ?? row.customerId,
    revenueMinor: Number(row.revenue.minor),
    orders: row.orders,
  })));
  return { rfm, repeat, top };
}
