import type { TenantScope } from '@crmkit/core';
import { random } from './report-helpers.js';

export const dayMs = 86_400_000;
export const iso = (ms: number) => new Date(ms).toISOString();

/** A generated customer of the churn data, with everything the test needs to recompute its features. */
export interface ChurnCustomer {
  id: string;
  engagement: number;
  noise: number;
  satisfaction: number | null;
  orders: { placedAt: number; total: number; status: 'placed' | 'cancelled' }[];
  contracts: { kind: 'subscription' | 'maintenance'; startDate: string; endDate: string }[];
  cases: { openedAt: number; resolvedAt: number | null }[];
}

/**
 * Customers whose churn (no order in the 90 days after `cutoff`) follows
 * `sigmoid(-0.3 - 4 engagement)`; engaged customers also order more and more
 * recently. `noise` is independent of everything.
 */
export async function seedChurn(t: TenantScope, n: number, cutoff: number, seed: number): Promise<ChurnCustomer[]> {
  const r = random(seed);
  const out: ChurnCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const engagement = (r.next() + r.next() + r.next() - 1.5) * 2;
    const churned = r.next() < 1 / (1 + Math.exp(0.3 + 4 * engagement));
    const satisfaction = r.next() < 0.7 ? r.int(0, 10) : null;
    const noise = r.next();
    const contact = await t.contacts.create({ firstName: `C${i}`, custom: { engagement, noise }, satisfaction });
    const c: ChurnCustomer = { id: contact.id, engagement, noise, satisfaction, orders: [], contracts: [], cases: [] };
    const past = 1 + Math.max(0, Math.round(2 + engagement + r.next() * 2));
    for (let k = 0; k < past; k++) {
      const back = engagement > 0 ? r.int(1, 200) : r.int(60, 400);
      c.orders.push({ placedAt: cutoff - back * dayMs - r.int(0, 86_000) * 1000, total: r.int(500, 20_000), status: r.next() < 0.1 ? 'cancelled' : 'placed' });
    }
    if (!churned) {
      for (let k = 0; k < r.int(1, 2); k++) c.orders.push({ placedAt: cutoff + r.int(0, 89 * 86_400) * 1000, total: r.int(500, 9000), status: 'placed' });
    } else if (r.next() < 0.3) {
      c.orders.push({ placedAt: cutoff + r.int(91, 150) * dayMs, total: 700, status: 'placed' });
    }
    if (r.next() < 0.3) {
      const start = cutoff - r.int(10, 500) * dayMs;
      c.contracts.push({ kind: r.pick(['subscription', 'maintenance'] as const), startDate: iso(start).slice(0, 10), endDate: iso(start + r.int(30, 700) * dayMs).slice(0, 10) });
    }
    for (let k = 0; k < (r.next() < 0.25 ? r.int(1, 2) : 0); k++) {
      const openedAt = cutoff - r.int(1, 300) * dayMs;
      c.cases.push({ openedAt, resolvedAt: r.next() < 0.6 ? openedAt + r.int(1, 60) * dayMs : null });
    }
    out.push(c);
  }
  for (const c of out) {
    for (const [k, o] of c.orders.entries()) {
      await t.orders.create({
        contactId: c.id, currency: 'USD', placedAt: iso(o.placedAt), status: o.status,
        ...(o.status === 'cancelled' ? { cancelledAt: iso(o.placedAt) } : {}),
        lines: [{ name: `Item ${k}`, unitPriceMinor: o.total }],
      });
    }
    for (const x of c.contracts) await t.contracts.create({ name: 'Plan', kind: x.kind, contactId: c.id, startDate: x.startDate, endDate: x.endDate, status: 'active' });
    for (const [k, x] of c.cases.entries()) {
      await t.cases.import({
        externalId: `${c.id}-${k}`, subject: 'Help', contactId: c.id, openedAt: iso(x.openedAt),
        messages: [{ from: 'customer', at: iso(x.openedAt), body: 'Help' }], ...(x.resolvedAt === null ? {} : { resolvedAt: iso(x.resolvedAt) }),
      });
    }
  }
  return out;
}

/** The feature values of a generated customer as of `at`, recomputed from what was generated. */
export function expectedFeatures(c: ChurnCustomer, at: number): Record<string, number | null> {
  const before = c.orders.filter((o) => o.status === 'placed' && o.placedAt < at);
  const day = iso(at).slice(0, 10);
  const started = c.contracts.filter((x) => x.startDate <= day);
  const firsts = [...before.map((o) => o.placedAt), ...started.map((x) => Date.parse(`${x.startDate}T00:00:00.000Z`))];
  const covering = (kind: string) => (started.some((x) => x.kind === kind && x.endDate >= day) ? 1 : 0);
  const opened = c.cases.filter((x) => x.openedAt < at);
  return {
    recencyDays: before.length === 0 ? null : (at - Math.max(...before.map((o) => o.placedAt))) / dayMs,
    frequency: before.length,
    monetary: before.reduce((s, o) => s + o.total, 0),
    tenureDays: firsts.length === 0 ? null : (at - Math.min(...firsts)) / dayMs,
    'contract.warranty': 0,
    'contract.extended_warranty': 0,
    'contract.service': 0,
    'contract.maintenance': covering('maintenance'),
    'contract.subscription': covering('subscription'),
    openCases: opened.filter((x) => x.resolvedAt === null || x.resolvedAt >= at).length,
    recentCases: opened.filter((x) => x.openedAt >= at - 90 * dayMs).length,
    satisfaction: c.satisfaction,
    csat: null,
    'custom.engagement': c.engagement,
    'custom.noise': c.noise,
  };
}

/** Whether a generated customer churned by the `noOrder` label. */
export const churnedAfter = (c: ChurnCustomer, cutoff: number, horizonDays: number) =>
  !c.orders.some((o) => o.status === 'placed' && o.placedAt >= cutoff && o.placedAt < cutoff + horizonDays * dayMs);

/** AUC by counting every (positive, negative) pair: 1 for the positive above, 1/2 for a tie. */
export function bruteAuc(scores: readonly number[], labels: readonly number[]): number | null {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    for (let j = 0; j < scores.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs += 1;
      wins += scores[i]! > scores[j]! ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return pairs === 0 ? null : wins / pairs;
}

/** A generated customer of the offer data: its orders, each a time and the products bought. */
export interface OfferCustomer {
  id: string;
  orders: { placedAt: number; products: string[]; cancelled: boolean }[];
}

/**
 * Customers with tastes: each mostly buys from one of four product groups,
 * over two to four orders; `ghost` is bought in cancelled orders only.
 */
export async function seedOffers(t: TenantScope, n: number, seed: number): Promise<{ customers: OfferCustomer[]; products: string[]; ghost: string }> {
  const r = random(seed);
  const products: string[] = [];
  for (let i = 0; i < 12; i++) products.push((await t.products.create({ name: `P${i}`, price: { minor: 1000 + i, currency: 'USD' } })).id);
  const ghost = (await t.products.create({ name: 'Ghost', price: { minor: 5, currency: 'USD' } })).id;
  const groups = [products.slice(0, 3), products.slice(3, 6), products.slice(6, 9), products.slice(9, 12)];
  const customers: OfferCustomer[] = [];
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  for (let i = 0; i < n; i++) {
    const contact = await t.contacts.create({ firstName: `O${i}` });
    const group = r.pick(groups);
    const c: OfferCustomer = { id: contact.id, orders: [] };
    let time = start + r.int(0, 100) * dayMs;
    for (let k = 0, count = r.int(2, 4); k < count; k++) {
      const bought = new Set<string>();
      for (let q = 0, m = r.int(1, 2); q < m; q++) bought.add(r.next() < 0.85 ? r.pick(group) : r.pick(products));
      c.orders.push({ placedAt: time, products: [...bought], cancelled: false });
      time += r.int(1, 60) * dayMs;
    }
    if (r.next() < 0.1) c.orders.push({ placedAt: time, products: [ghost], cancelled: true });
    customers.push(c);
    for (const o of c.orders) {
      await t.orders.create({
        contactId: c.id, currency: 'USD', placedAt: iso(o.placedAt), status: o.cancelled ? 'cancelled' : 'placed',
        ...(o.cancelled ? { cancelledAt: iso(o.placedAt) } : {}),
        lines: o.products.map((productId) => ({ productId })),
      });
    }
  }
  return { customers, products, ghost };
}

/** The first and last purchase time of each product of a customer, counted orders only, up to `before` (exclusive). */
export function purchases(c: OfferCustomer, before = Infinity): Map<string, { first: number; last: number }> {
  const out = new Map<string, { first: number; last: number }>();
  for (const o of c.orders) {
    if (o.cancelled || o.placedAt >= before) continue;
    for (const p of o.products) {
      const x = out.get(p);
      out.set(p, x ? { first: Math.min(x.first, o.placedAt), last: Math.max(x.last, o.placedAt) } : { first: o.placedAt, last: o.placedAt });
    }
  }
  return out;
}

/**
 * Offers by brute force: for every product B not owned, every owned A with
 * the customers (of `histories`) who bought both; best rule by support, then
 * confidence, then product id.
 */
export function bruteOffers(histories: readonly Map<string, { first: number }>[], owned: ReadonlySet<string>, k: number) {
  const candidates = new Set(histories.flatMap((h) => [...h.keys()]).filter((p) => !owned.has(p)));
  const out: { productId: string; support: number; confidence: number; because: { productId: string; support: number; confidence: number; inSequence: number }[] }[] = [];
  for (const b of candidates) {
    const because = [...owned].map((a) => {
      const withA = histories.filter((h) => h.has(a));
      const both = withA.filter((h) => h.has(b));
      return { productId: a, support: both.length, confidence: both.length / withA.length, inSequence: both.filter((h) => h.get(b)!.first > h.get(a)!.first).length };
    }).filter((x) => x.support > 0);
    if (because.length === 0) continue;
    because.sort((x, y) => y.support - x.support || y.confidence - x.confidence || (x.productId < y.productId ? -1 : 1));
    out.push({ productId: b, support: because[0]!.support, confidence: because[0]!.confidence, because: because.slice(0, 5) });
  }
  out.sort((x, y) => y.support - x.support || y.confidence - x.confidence || (x.productId < y.productId ? -1 : 1));
  return out.slice(0, k);
}
