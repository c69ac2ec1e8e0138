import { byString, counted, groups, type Seeded, type SeededOrder } from './customer-value-fixture.js';
import { percentile } from './report-helpers.js';

// The customer-value figures computed here, in plain JavaScript over the orders the test seeded:
// what the reports, computed in SQL, are checked against.

const day = 86_400_000;

/** The expected ranking of some orders: per customer revenue and count, revenue descending then id, top `limit`. */
export function rank(orders: readonly SeededOrder[], key: (o: SeededOrder) => string | null, limit: number) {
  const sums = new Map<string, { revenue: number; orders: number }>();
  for (const o of orders) {
    const id = key(o);
    if (id === null) continue;
    const s = sums.get(id) ?? { revenue: 0, orders: 0 };
    s.revenue += o.totalMinor;
    s.orders += 1;
    sums.set(id, s);
  }
  return [...sums].sort(([a, x], [b, y]) => y.revenue - x.revenue || byString(a, b)).slice(0, limit);
}

/** The quarter key of a month key. */
export const quarterOf = (month: string) => `${month.slice(0, 5)}${String(Math.floor((Number(month.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;

/** Per period of `periodOf`: who ordered in the previous period, and of them who ordered again. */
export function expectedChurn(purchases: readonly SeededOrder[], periodOf: (iso: string) => string, next: (key: string) => string) {
  const active = groups(purchases, (o) => periodOf(o.placedAt));
  const keys = [...active.keys()].sort(byString);
  const rows = [];
  for (let p = keys[0]!, prev: string | undefined; p <= keys.at(-1)!; prev = p, p = next(p)) {
    const now = new Set((active.get(p) ?? []).map((o) => o.contactId));
    const before = new Set(prev === undefined ? [] : (active.get(prev) ?? []).map((o) => o.contactId));
    const retained = [...before].filter((c) => now.has(c)).length;
    rows.push({ period: p, activeBefore: before.size, retained, churned: before.size - retained, rate: before.size === 0 ? null : (before.size - retained) / before.size, active: now.size });
  }
  return rows;
}

/** Every gap: days from each counted order to the previous one of the same customer, with the later order's time. */
export function gapsOf(purchases: readonly SeededOrder[], key: (o: SeededOrder) => string | null) {
  const gaps: { at: string; days: number }[] = [];
  for (const [, orders] of groups(purchases.filter((o) => key(o) !== null), (o) => key(o)!)) {
    const times = orders.map((o) => o.placedAt).sort(byString);
    for (let i = 1; i < times.length; i++) gaps.push({ at: times[i]!, days: (Date.parse(times[i]!) - Date.parse(times[i - 1]!)) / day });
  }
  return gaps;
}

/** The figures of `purchaseGaps` over some gaps, in days. */
export const figures = (days: number[]) => ({
  gaps: days.length,
  meanDays: days.length === 0 ? null : days.reduce((s, d) => s + d, 0) / days.length,
  medianDays: percentile(days, 0.5), p90Days: percentile(days, 0.9),
  minDays: days.length === 0 ? null : Math.min(...days), maxDays: days.length === 0 ? null : Math.max(...days),
});

/** RFM computed here from the seeded orders, by the method, for the reports to be checked against. */
export function expectedRfm(orders: readonly SeededOrder[], currency: string, referenceDate?: string) {
  const inCurrency = orders.filter((o) => counted(o) && o.currency === currency);
  const lastDate = inCurrency.map((o) => o.placedAt).sort(byString).at(-1)!.slice(0, 10);
  const reference = referenceDate ?? new Date(Date.parse(lastDate) + day).toISOString().slice(0, 10);
  const referenceAt = `${reference}T00:00:00.000Z`;
  const customers = [...groups(inCurrency.filter((o) => o.placedAt < referenceAt), (o) => o.contactId)].map(([contactId, list]) => {
    const lastOrderAt = list.map((o) => o.placedAt).sort(byString).at(-1)!;
    return {
      contactId, lastOrderAt, recencyDays: (Date.parse(referenceAt) - Date.parse(lastOrderAt)) / day,
      frequency: list.length, monetary: list.reduce((s, o) => s + o.totalMinor, 0), r: 0, f: 0, m: 0,
    };
  });
  const n = customers.length;
  const scoreBy = (value: (c: (typeof customers)[number]) => number, set: (c: (typeof customers)[number], s: number) => void) =>
    [...customers].sort((a, b) => value(a) - value(b) || byString(a.contactId, b.contactId)).forEach((c, i) => set(c, Math.floor((5 * i) / n) + 1));
  // Recency descending (the oldest first): sort by -R ascending.
  scoreBy((c) => -c.recencyDays, (c, s) => (c.r = s));
  scoreBy((c) => c.frequency, (c, s) => (c.f = s));
  scoreBy((c) => c.monetary, (c, s) => (c.m = s));
  return { reference, customers: customers.sort((a, b) => byString(a.contactId, b.contactId)) };
}

/** Contacts with an order before asOf but no order nor interaction in the `days` before it. */
export function expectedInactive(data: Seeded, purchases: readonly SeededOrder[], asOf: string, days: number) {
  const since = new Date(Date.parse(asOf) - days * day).toISOString();
  return data.contacts
    .map((c) => {
      const before = purchases.filter((o) => o.contactId === c.id && o.placedAt < asOf).map((o) => o.placedAt).sort();
      const talks = data.interactions.filter((i) => i.contactId === c.id && i.occurredAt < asOf).map((i) => i.occurredAt).sort();
      const quiet = !before.some((at) => at >= since) && !talks.some((at) => at >= since);
      return before.length > 0 && quiet ? { contactId: c.id, lastOrderAt: before.at(-1)!, lastInteractionAt: talks.at(-1) ?? null } : undefined;
    })
    .filter((x) => x !== undefined)
    .sort((a, b) => byString(a.contactId, b.contactId));
}
