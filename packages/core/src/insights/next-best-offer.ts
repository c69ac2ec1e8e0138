import { z } from 'zod';
import type { TenantContext } from '../common/context.js';
import { assertExists } from '../common/references.js';
import { idSchema, parseInput } from '../common/zod-helpers.js';
import { orderLineModel, orderModel } from '../orders/order.model.js';
import { orderStatuses } from '../orders/order-status.js';
import type { Where } from '../storage/where.js';
import { CoPurchaseCounts, customerProducts, type OfferSuggestion, type Purchase } from './co-purchase.js';
import { isHeldOut } from './evaluation.js';

// Customers who bought the same products, per statement.
const similarPage = 1000;

const statuses = z.array(z.enum(orderStatuses)).min(1).max(5).optional().default(['placed', 'paid', 'fulfilled']);

/** Options of `insights.nextBestOffers`. */
export const nextBestOffersOptionsSchema = z
  .strictObject({
    /** Suggestions at most. @default 3 */
    limit: z.number().int().min(1).max(50).optional().default(3),
    /** A rule needs at least this many customers who bought both products. @default 1 */
    minSupport: z.number().int().min(1).optional().default(1),
    /** Orders that count as purchases. @default ['placed', 'paid', 'fulfilled'] */
    statuses,
  })
  .optional()
  .default({ limit: 3, minSupport: 1, statuses: ['placed', 'paid', 'fulfilled'] });
/** Options of `insights.nextBestOffers`. */
export type NextBestOffersOptions = z.input<typeof nextBestOffersOptionsSchema>;

/** Options of `insights.evaluateOffers`. */
export const evaluateOffersOptionsSchema = z
  .strictObject({
    /** Suggestions per test customer. @default 3 */
    k: z.number().int().min(1).max(50).optional().default(3),
    /** @default 1 */
    minSupport: z.number().int().min(1).optional().default(1),
    /** Seed of the split by customer (as in `trainChurnModel`). @default 1 */
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional().default(1),
    /** Share of customers held out. @default 0.3 */
    testShare: z.number().gt(0).lt(1).optional().default(0.3),
    statuses,
  })
  .optional()
  .default({ k: 3, minSupport: 1, seed: 1, testShare: 0.3, statuses: ['placed', 'paid', 'fulfilled'] });
/** Options of `insights.evaluateOffers`. */
export type EvaluateOffersOptions = z.input<typeof evaluateOffersOptionsSchema>;

/** Next best offers for one customer. */
export interface NextBestOffers {
  /** The customer. */
  contactId: string;
  /** The products the customer bought (the rules' antecedents). */
  owned: string[];
  /** Strongest first, at most `limit`. */
  suggestions: OfferSuggestion[];
}

/**
 * Hit rate at k on held-out last purchases: for each test customer with an
 * earlier purchase and a product first bought in its last order, that order
 * is hidden, k products are suggested from the rest of the data, and it is a
 * hit when one of them is in the hidden order.
 */
export interface OfferEvaluation {
  /** The metric's name. */
  metric: 'hitRate@k';
  /** Suggestions per customer. */
  k: number;
  /** Customers in the test share. */
  testCustomers: number;
  /** Of them, those evaluated (see above). */
  evaluated: number;
  /** Evaluated customers with a suggestion in their hidden order. */
  hits: number;
  /** hits / evaluated; null when none was evaluated. */
  hitRate: number | null;
  /** The hit rate of offering the k most bought products not bought yet: the baseline. */
  popularityHitRate: number | null;
}

/**
 * Suggests products co-purchased (in one order or in sequence) by customers
 * who bought what this customer bought. The (customer, product) groups of
 * those customers come from SQL in pages; the pair counts are kept here.
 * @throws {NotFoundError} for an unknown contact @throws {ValidationError} for invalid options
 */
export async function nextBestOffers(ctx: TenantContext, contactId: string, options?: NextBestOffersOptions): Promise<NextBestOffers> {
  const id = parseInput(idSchema, contactId, 'contact id');
  const opts = parseInput(nextBestOffersOptionsSchema, options, 'offer options');
  await assertExists(ctx.storage, ctx, 'contact', id);
  let own: Purchase[] = [];
  for await (const c of customerProducts(ctx, opts.statuses, { contactId: id })) own = c.purchases;
  const owned = new Set(own.map((p) => p.productId));
  if (owned.size === 0) return { contactId: id, owned: [], suggestions: [] };
  const counts = new CoPurchaseCounts();
  // The customers who bought one of the owned products, a page at a time, then their products. Two plain
  // statements per page rather than one nested semi-join: without fresh statistics Postgres planned that
  // one as nested loops, 4 s per call on 1,000 order lines (10 ms after ANALYZE).
  const bought: Where = {
    productId: { in: [...owned] },
    contactId: { ne: null },
    orderId: { inQuery: { model: orderModel, field: 'id', where: { status: { in: [...opts.statuses] } } } },
  };
  let after: string | undefined;
  for (;;) {
    const page = await ctx.storage.aggregate({
      model: orderLineModel,
      tenantId: ctx.tenantId,
      where: after === undefined ? bought : { ...bought, and: [{ contactId: { gt: after } }] },
      groupBy: ['contactId'],
      metrics: { lines: { fn: 'count' } },
      orderBy: [{ key: 'contactId' }],
      limit: similarPage,
    });
    const ids = page.map((r) => String(r.contactId));
    if (ids.length > 0) for await (const c of customerProducts(ctx, opts.statuses, { contactId: { in: ids } })) counts.add(c.purchases, owned);
    if (page.length < similarPage) break;
    after = ids[ids.length - 1];
  }
  return { contactId: id, owned: [...owned].sort(), suggestions: counts.suggest(owned, opts.limit, opts.minSupport) };
}

/**
 * Evaluates co-purchase offers on the held-out share of customers (seeded
 * split by contact id): see {@link OfferEvaluation}. One paged pass over the
 * (customer, product) groups of order lines.
 * @throws {ValidationError} for invalid options
 */
export async function evaluateOffers(ctx: TenantContext, options?: EvaluateOffersOptions): Promise<OfferEvaluation> {
  const opts = parseInput(evaluateOffersOptionsSchema, options, 'offer evaluation options');
  const counts = new CoPurchaseCounts();
  const tests: { history: Set<string>; hidden: Set<string> }[] = [];
  let testCustomers = 0;
  for await (const c of customerProducts(ctx, opts.statuses)) {
    if (!isHeldOut(c.contactId, opts)) {
      counts.add(c.purchases);
      continue;
    }
    testCustomers += 1;
    const lastAt = c.purchases.reduce((max, p) => Math.max(max, p.last), -Infinity);
    // What the customer had bought before its last order: all the model may see of it.
    const history = c.purchases.filter((p) => p.first < lastAt);
    counts.add(history.map((p) => ({ ...p, last: Math.min(p.last, lastAt) })));
    const hidden = new Set(c.purchases.filter((p) => p.last === lastAt).map((p) => p.productId));
    const fresh = c.purchases.some((p) => p.first === lastAt);
    if (history.length > 0 && fresh) tests.push({ history: new Set(history.map((p) => p.productId)), hidden });
  }
  let hits = 0;
  let popularHits = 0;
  for (const t of tests) {
    if (counts.suggest(t.history, opts.k, opts.minSupport).some((s) => t.hidden.has(s.productId))) hits += 1;
    if (counts.popular(t.history, opts.k).some((p) => t.hidden.has(p))) popularHits += 1;
  }
  const rate = (n: number) => (tests.length === 0 ? null : n / tests.length);
  return { metric: 'hitRate@k', k: opts.k, testCustomers, evaluated: tests.length, hits, hitRate: rate(hits), popularityHitRate: rate(popularHits) };
}
