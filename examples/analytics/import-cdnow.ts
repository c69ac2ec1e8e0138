import type { TenantScope } from '@crmkit/core';
import { importBatches } from './batches.js';
import type { CdnowPurchase } from './cdnow-data.js';

/** What {@link importCdnow} created (or found from an earlier run). */
export interface CdnowImport {
  customers: number;
  orders: number;
  /** Records already there from an earlier run into the same database. */
  existing: { customers: number; orders: number };
  /** Contact id per CDNOW customer id. */
  contactIds: Map<string, string>;
}

/** The contact's external id: `cdnow-00001`. */
export const cdnowContactId = (customerId: string): string => `cdnow-${customerId}`;
/** The order's external id: customer, day and position in the day (`cdnow-00002-1997-01-12-2`); the file has no transaction id. */
export const cdnowOrderId = (p: CdnowPurchase): string => `cdnow-${p.customerId}-${p.day}-${p.seq}`;

/**
 * Imports CDNOW purchases: one contact per customer (`lifecycleStage:
 * 'customer'`), one order per purchase, placed at UTC midnight of its day,
 * with one line of `cds` CDs whose total is the purchase's dollar value.
 * Idempotent through external ids.
 * @throws {Error} when the crm refuses a record (the whole batch rolls back)
 * @example
 * const result = await importCdnow(crm.tenant('cdnow'), await readCdnow('examples/data/cdnow'));
 */
export async function importCdnow(
  t: TenantScope,
  purchases: readonly CdnowPurchase[],
  onProgress?: (done: number, total: number) => void,
): Promise<CdnowImport> {
  const customerIds = [...new Set(purchases.map((p) => p.customerId))];
  const contacts = await importBatches(t, {
    rows: customerIds,
    records: t.contacts,
    externalId: cdnowContactId,
    create: async (tt, ids) => {
      const made = await tt.contacts.createMany(ids.map((id) => ({
        firstName: 'CDNOW customer', lastName: id, lifecycleStage: 'customer' as const, source: 'cdnow', externalId: cdnowContactId(id),
      })));
      return made.map((c) => c.id);
    },
  });
  const contactIds = new Map(customerIds.map((id) => [id, contacts.ids.get(cdnowContactId(id))!]));
  const orders = await importBatches(t, {
    rows: purchases,
    records: t.orders,
    externalId: cdnowOrderId,
    onProgress,
    create: async (tt, rows) => {
      const ids: string[] = [];
      for (const p of rows) {
        const order = await tt.orders.create({
          contactId: contactIds.get(p.customerId)!, currency: 'USD', channel: 'web', status: 'fulfilled',
          placedAt: `${p.day}T00:00:00.000Z`, externalId: cdnowOrderId(p),
          lines: [cdLine(p)],
        });
        ids.push(order.id);
      }
      return ids;
    },
  });
  return {
    customers: customerIds.length, orders: purchases.length, contactIds,
    existing: { customers: contacts.existing, orders: orders.existing },
  };
}

/**
 * The order line of a purchase: `cds` units whose total is exactly the dollar
 * value. Units are priced at the value over the count rounded up, and the
 * rounding is given back as a discount, since an order line's total is
 * quantity x unit price - discount in whole cents.
 */
export function cdLine(p: Pick<CdnowPurchase, 'cds' | 'totalMinor'>): { name: string; quantity: number; unitPriceMinor: number; discountMinor: number } {
  const unitPriceMinor = Math.ceil(p.totalMinor / p.cds);
  return { name: 'CD', quantity: p.cds, unitPriceMinor, discountMinor: unitPriceMinor * p.cds - p.totalMinor };
}
