import type { Deal, TenantScope } from '@crmkit/core';
import { listAll } from '../../../demo/import-rows.js';
import { inBatches } from './batches.js';

/** What {@link seedOrders} made. */
export interface SeededOrders {
  orders: number;
  /** Customers given RFM scores by `customers.refreshRfmScores`. */
  scored: number;
}

/**
 * The purchase history RFM reads: one order per won deal with a customer
 * (`orders.createFromDeal`: the deal's lines, first contact and company,
 * placed when it was won; deals without an account have neither and make
 * none), then the tenant's RFM scores stored for the `rfm` segment metric.
 */
export async function seedOrders(t: TenantScope): Promise<SeededOrders> {
  const won = await listAll<Deal>((o) => t.deals.list({ ...o, where: { status: 'won' } }));
  const ordering = won.filter((deal) => deal.contactIds.length > 0 || deal.companyId !== null);
  await inBatches(t, ordering, 200, (tt, deal) => tt.orders.createFromDeal(deal.id, { channel: 'sales' }));
  const { scored } = await t.customers.refreshRfmScores({ currency: 'USD' });
  return { orders: ordering.length, scored };
}
