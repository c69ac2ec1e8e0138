import type { TenantContext } from '../common/context.js';
import { orderLineModel, orderModel } from '../orders/order.model.js';
import type { OrderStatus } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';

/** A product a customer bought: when first and when last (its order's `placedAt`, ms). */
export interface Purchase {
  /** The product. */
  productId: string;
  /** Its first purchase, ms since the epoch. */
  first: number;
  /** Its last purchase, ms since the epoch. */
  last: number;
}

/** A suggestion's evidence: one product the customer owns and how often it went with the suggestion. */
export interface OfferRule {
  /** The product the customer bought. */
  productId: string;
  /** Customers who bought both it and the suggestion. */
  support: number;
  /** support / customers who bought it, 0 to 1. */
  confidence: number;
  /** Of `support`, the customers who first bought the suggestion after it (in a later order). */
  inSequence: number;
}

/** A product to offer, with the support behind it. */
export interface OfferSuggestion {
  /** The product suggested. */
  productId: string;
  /** The support of the strongest rule (`because[0]`): customers who bought the suggestion together with one of the customer's products. */
  support: number;
  /** The confidence of that rule. */
  confidence: number;
  /** Every product of the customer co-purchased with the suggestion, strongest first (at most 5). */
  because: OfferRule[];
}

// (contact, product) groups per statement.
const pageSize = 5000;

/**
 * Streams the products of each customer, one grouped SQL aggregate over order
 * lines per page of (contactId, productId) groups (first and last purchase of
 * each), keyset-paged on both keys. Only lines of counted orders take part.
 * Customers come in contact id order, each with every product once.
 */
export async function* customerProducts(ctx: TenantContext, statuses: readonly OrderStatus[], where: Where = {}): AsyncGenerator<{ contactId: string; purchases: Purchase[] }> {
  const base: Where = {
    productId: { ne: null },
    contactId: { ne: null },
    orderId: { inQuery: { model: orderModel, field: 'id', where: { status: { in: [...statuses] } } } },
    and: [where],
  };
  let after: { contactId: string; productId: string } | undefined;
  let current: { contactId: string; purchases: Purchase[] } | undefined;
  for (;;) {
    const rows = await ctx.storage.aggregate({
      model: orderLineModel,
      tenantId: ctx.tenantId,
      where: after === undefined ? base : { ...base, and: [where, { or: [{ contactId: { gt: after.contactId } }, { contactId: after.contactId, productId: { gt: after.productId } }] }] },
      groupBy: ['contactId', 'productId'],
      metrics: { first: { fn: 'min', field: 'placedAt' }, last: { fn: 'max', field: 'placedAt' } },
      orderBy: [{ key: 'contactId' }, { key: 'productId' }],
      limit: pageSize,
    });
    for (const r of rows) {
      const contactId = String(r.contactId);
      if (current !== undefined && current.contactId !== contactId) yield current;
      if (current === undefined || current.contactId !== contactId) current = { contactId, purchases: [] };
      current.purchases.push({ productId: String(r.productId), first: Date.parse(String(r.first)), last: Date.parse(String(r.last)) });
    }
    if (rows.length < pageSize) break;
    const last = rows[rows.length - 1]!;
    after = { contactId: String(last.contactId), productId: String(last.productId) };
  }
  if (current !== undefined) yield current;
}

/**
 * Co-purchase counts: per product the customers who bought it, per ordered
 * pair (A, B) the customers who bought both and those who bought B after A.
 * Counted here from the (customer, product) pages because the storage
 * contract has no self-join nor count-distinct: when it gains them, the pair
 * counts become one grouped statement and this class only ranks.
 */
export class CoPurchaseCounts {
  /** Customers per product. */
  readonly customers = new Map<string, number>();
  readonly #pairs = new Map<string, Map<string, { support: number; inSequence: number }>>();
  #byPopularity: string[] | undefined;

  /** Adds one customer's products; with `antecedents`, only pairs starting at those products are kept. */
  add(purchases: readonly Purchase[], antecedents?: ReadonlySet<string>): void {
    this.#byPopularity = undefined;
    for (const a of purchases) {
      this.customers.set(a.productId, (this.customers.get(a.productId) ?? 0) + 1);
      if (antecedents !== undefined && !antecedents.has(a.productId)) continue;
      let row = this.#pairs.get(a.productId);
      if (row === undefined) this.#pairs.set(a.productId, (row = new Map()));
      for (const b of purchases) {
        if (b.productId === a.productId) continue;
        const cell = row.get(b.productId) ?? { support: 0, inSequence: 0 };
        cell.support += 1;
        if (b.first > a.first) cell.inSequence += 1;
        row.set(b.productId, cell);
      }
    }
  }

  /**
   * Products co-purchased with `owned` and not in it, ranked by the support of
   * their strongest rule, then its confidence, then product id.
   */
  suggest(owned: ReadonlySet<string>, limit: number, minSupport: number): OfferSuggestion[] {
    const rules = new Map<string, OfferRule[]>();
    for (const a of owned) {
      const n = this.customers.get(a) ?? 0;
      for (const [b, cell] of this.#pairs.get(a) ?? []) {
        if (owned.has(b) || cell.support < minSupport) continue;
        const list = rules.get(b) ?? [];
        list.push({ productId: a, support: cell.support, confidence: cell.support / n, inSequence: cell.inSequence });
        rules.set(b, list);
      }
    }
    const suggestions = [...rules].map(([productId, list]): OfferSuggestion => {
      list.sort(byStrength);
      return { productId, support: list[0]!.support, confidence: list[0]!.confidence, because: list.slice(0, 5) };
    });
    return suggestions.sort((x, y) => byStrength(x, y)).slice(0, limit);
  }

  /** The most bought products not in `owned`: the baseline an offer model must beat. */
  popular(owned: ReadonlySet<string>, limit: number): string[] {
    this.#byPopularity ??= [...this.customers].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).map(([p]) => p);
    const out: string[] = [];
    for (const p of this.#byPopularity) {
      if (out.length === limit) break;
      if (!owned.has(p)) out.push(p);
    }
    return out;
  }
}

function byStrength(x: { support: number; confidence: number; productId: string }, y: { support: number; confidence: number; productId: string }): number {
  return y.support - x.support || y.confidence - x.confidence || (x.productId < y.productId ? -1 : x.productId > y.productId ? 1 : 0);
}
