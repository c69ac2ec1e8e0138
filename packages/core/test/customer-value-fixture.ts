import type { Contact, OrderStatus, TenantScope } from '@crmkit/core';
import { random } from './report-helpers.js';

/** A seeded order as the test knows it: what the reports are checked against. */
export interface SeededOrder {
  contactId: string;
  companyId: string | null;
  placedAt: string;
  status: OrderStatus;
  currency: string;
  totalMinor: number;
}

/** The purchase history of a tenant, kept by the test. */
export interface Seeded {
  contacts: Contact[];
  orders: SeededOrder[];
  /** Interactions: the contact and when. */
  interactions: { contactId: string; occurredAt: string }[];
}

/** The statuses that count as purchases by default. */
export const counted = (o: SeededOrder) => o.status === 'placed' || o.status === 'paid' || o.status === 'fulfilled';

const day = 86_400_000;

/**
 * 30 contacts (two never order, a few order once), about 200 orders between
 * 2025-01-01 and 2026-02-28 (the clock stands at 2026-03-02), some in EUR, some
 * cancelled or returned; prices from a short list so that revenues tie; orders
 * around month ends so that a time zone moves them between months.
 */
export async function seedPurchases(t: TenantScope, seed: number): Promise<Seeded> {
  const r = random(seed);
  const companies = await Promise.all(['Acme', 'Globex'].map((name) => t.companies.create({ name })));
  const contacts: Contact[] = [];
  for (let i = 0; i < 30; i++) {
    contacts.push(await t.contacts.create({ firstName: `C${i}`, email: `c${i}@example.com`, companyId: i % 3 === 0 ? r.pick(companies).id : null }));
  }
  const orders: SeededOrder[] = [];
  const start = Date.parse('2025-01-01T00:00:00.000Z');
  const end = Date.parse('2026-02-28T23:00:00.000Z');
  for (const [i, contact] of contacts.entries()) {
    if (i >= 28) continue;
    const n = i < 4 ? 1 : r.int(1, 14);
    for (let k = 0; k < n; k++) {
      // Half the orders on a month's last or first day near midnight UTC.
      let at = start + Math.floor(r.next() * (end - start));
      if (r.next() < 0.3) {
        const d = new Date(at);
        at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1, r.pick([0, 1, 3, 22, 23]), r.int(0, 59));
        if (at > end) at = end - r.int(1, 50) * day;
      }
      const price = r.pick([1_000, 2_500, 5_000, 12_000]);
      const quantity = r.int(1, 3);
      const status: OrderStatus = r.next() < 0.1 ? 'cancelled' : r.next() < 0.05 ? 'returned' : r.pick(['placed', 'paid', 'fulfilled'] as const);
      const currency = r.next() < 0.2 ? 'EUR' : 'USD';
      const placedAt = new Date(at).toISOString();
      await t.orders.create({
        contactId: contact.id, companyId: contact.companyId, currency, placedAt, status,
        lines: [{ name: 'Item', unitPriceMinor: price, quantity }],
      });
      orders.push({ contactId: contact.id, companyId: contact.companyId, placedAt, status, currency, totalMinor: price * quantity });
    }
  }
  const interactions: Seeded['interactions'] = [];
  for (let i = 0; i < 40; i++) {
    const contact = r.pick(contacts);
    const occurredAt = new Date(start + Math.floor(r.next() * (end - start))).toISOString();
    await t.interactions.log({ type: r.pick(['call', 'email', 'meeting'] as const), contactIds: [contact.id], occurredAt });
    interactions.push({ contactId: contact.id, occurredAt });
  }
  return { contacts, orders, interactions };
}

/** Items by key, as a map of lists. */
export function groups<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(key(item), [...(map.get(key(item)) ?? []), item]);
  return map;
}

/** The first day (`YYYY-MM-DD`) of the month holding an instant, in a zone. */
export function monthIn(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(new Date(iso));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-01`;
}

/** The month key `n` months after a month key. */
export function addMonths(key: string, n: number): string {
  const d = new Date(Date.UTC(Number(key.slice(0, 4)), Number(key.slice(5, 7)) - 1 + n, 1));
  return d.toISOString().slice(0, 10);
}

/** Strings in code-unit order (as ids compare in the databases). */
export const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
