import {
  type CustomerLifetimeValue, type InactiveCustomer, type RfmCustomer, type RfmOptions, type TenantScope, ValidationError, rfmSegment, rfmSegments,
} from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedChurn, expectedInactive, expectedRfm, figures, gapsOf, quarterOf, rank } from './customer-value-expected.js';
import { addMonths, byString, counted, groups, monthIn, type Seeded, type SeededOrder, seedPurchases } from './customer-value-fixture.js';
import { close } from './report-helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
const day = 86_400_000;

describe.each(targets)('customer value reports ($name)', (target) => {
  let env: CrmOnTarget;
  let t: TenantScope;
  let data: Seeded;
  let purchases: SeededOrder[];
  const run = it.skipIf(target.skip);

  beforeAll(async () => {
    if (target.skip) return;
    env = await target.open();
    t = env.crm.tenant(`cv-${process.pid}-${Date.now().toString(36)}`);
    data = await seedPurchases(t, 42);
    purchases = data.orders.filter(counted);
  }, 120_000);
  afterAll(async () => {
    await env?.crm.close();
  });

  describe('customerRanking', () => {
    run('ranks customers by revenue per currency, ties by customer id', async () => {
      const rows = await t.reports.customerRanking({ limit: 5 });
      const expected = ['EUR', 'USD'].flatMap((currency) =>
        rank(purchases.filter((o) => o.currency === currency), (o) => o.contactId, 5).map(([id, s], i) => ({
          currency, period: null, rank: i + 1, customerId: id, revenue: { minor: s.revenue, currency }, orders: s.orders,
        })),
      );
      expect(rows).toEqual(expected);
      // The seed makes revenues tie: the tie-break is exercised.
      const all = rank(purchases.filter((o) => o.currency === 'USD'), (o) => o.contactId, 100);
      expect(new Set(all.map(([, s]) => s.revenue)).size).toBeLessThan(all.length);
    });

    run('ranks within each month of a time zone, by company, with chosen statuses', async () => {
      const timeZone = 'America/New_York';
      const statuses = ['paid', 'fulfilled'] as const;
      const rows = await t.reports.customerRanking({ by: 'company', currency: 'USD', period: 'month', timeZone, statuses: [...statuses], limit: 2 });
      const chosen = data.orders.filter((o) => o.currency === 'USD' && (statuses as readonly string[]).includes(o.status) && o.companyId !== null);
      const byMonth = [...groups(chosen, (o) => monthIn(o.placedAt, timeZone))].sort(([a], [b]) => byString(a, b));
      const expected = byMonth.flatMap(([month, orders]) =>
        rank(orders, (o) => o.companyId, 2).map(([id, s], i) => ({
          currency: 'USD', period: month, rank: i + 1, customerId: id, revenue: { minor: s.revenue, currency: 'USD' }, orders: s.orders,
        })),
      );
      expect(rows).toEqual(expected);
      expect(byMonth.length).toBeGreaterThan(10);
    });

    run('refuses bad options before any query: unknown zones, limits, days, dates', async () => {
      const bad = [
        t.reports.customerRanking({ period: 'month', timeZone: 'Mars/Olympus' }), t.reports.customerRanking({ limit: 0 }),
        t.reports.churnRate({ timeZone: '+01:00' }), t.reports.purchaseGaps({ timeZone: 'CET' }), t.reports.cohortRetention({ periods: 61 }),
        t.reports.inactiveCustomers({ days: 0 }), t.reports.lifetimeValue({ statuses: [] }), t.reports.rfm({ currency: 'USD', referenceDate: '2026-13-01' }),
      ];
      for (const call of bad) await expect(call).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('inactiveCustomers', () => {
    async function allPages(options: { days: number; asOf?: string }) {
      const items: InactiveCustomer[] = [];
      let cursor: string | undefined;
      let total = -1;
      do {
        const page = await t.reports.inactiveCustomers({ ...options, limit: 3, ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        total = page.total;
        cursor = page.nextCursor;
      } while (cursor);
      return { items, total };
    }

    for (const [asOf, days] of [[undefined, 45], ['2025-10-01T00:00:00.000Z', 60], ['2025-06-15T12:00:00.000Z', 30]] as const) {
      run(`lists the customers without order or interaction for ${days} days before ${asOf ?? 'now'}, paged by contact id`, async () => {
        const { items, total } = await allPages({ days, ...(asOf ? { asOf } : {}) });
        const expected = expectedInactive(data, purchases, asOf ?? env.clock.now().toISOString(), days);
        expect(items.map((i) => ({ contactId: i.contact.id, lastOrderAt: i.lastOrderAt, lastInteractionAt: i.lastInteractionAt }))).toEqual(expected);
        expect(total).toBe(expected.length);
        expect(expected.length).toBeGreaterThan(1);
      });
    }

    run('refuses a cursor of another report', async () => {
      const { customers } = await t.reports.lifetimeValue({ limit: 1 });
      await expect(t.reports.inactiveCustomers({ days: 10, cursor: customers.nextCursor! })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('lifetimeValue', () => {
    run('sums what each customer spent per currency, and averages it over customers', async () => {
      const items: CustomerLifetimeValue[] = [];
      let cursor: string | undefined;
      let currencies;
      do {
        const report = await t.reports.lifetimeValue({ limit: 7, ...(cursor ? { cursor } : {}) });
        items.push(...report.customers.items);
        currencies = report.currencies;
        cursor = report.customers.nextCursor;
      } while (cursor);
      const expectedCurrencies = [...groups(purchases, (o) => o.currency)].sort(([a], [b]) => byString(a, b)).map(([currency, orders]) => {
        const revenue = orders.reduce((s, o) => s + o.totalMinor, 0);
        const customers = new Set(orders.map((o) => o.contactId)).size;
        return { currency, customers, orders: orders.length, revenue: { minor: revenue, currency }, averageMinor: revenue / customers, averageOrderMinor: revenue / orders.length, ordersPerCustomer: orders.length / customers };
      });
      expect(currencies).toEqual(expectedCurrencies);
      const expectedCustomers = [...groups(purchases, (o) => o.contactId)].sort(([a], [b]) => byString(a, b)).map(([customerId, orders]) => {
        const times = orders.map((o) => o.placedAt).sort();
        const values = [...groups(orders, (o) => o.currency)].sort(([a], [b]) => byString(a, b))
          .map(([currency, list]) => ({ minor: list.reduce((s, o) => s + o.totalMinor, 0), currency }));
        return { customerId, orders: orders.length, firstOrderAt: times[0], lastOrderAt: times.at(-1), values };
      });
      expect(items).toEqual(expectedCustomers);
    });

    run('reads only the orders of one currency and window', async () => {
      const from = '2025-06-01T00:00:00.000Z';
      const { currencies } = await t.reports.lifetimeValue({ currency: 'EUR', from, by: 'company' });
      const orders = purchases.filter((o) => o.currency === 'EUR' && o.placedAt >= from && o.companyId !== null);
      const revenue = orders.reduce((s, o) => s + o.totalMinor, 0);
      expect(currencies).toEqual([expect.objectContaining({ currency: 'EUR', customers: new Set(orders.map((o) => o.companyId)).size, orders: orders.length, revenue: { minor: revenue, currency: 'EUR' } })]);
    });
  });

  describe('churnRate', () => {
    run('is the share of last month\'s customers without an order this month', async () => {
      const rows = await t.reports.churnRate({ period: 'month' });
      expect(rows).toEqual(expectedChurn(purchases, (iso) => `${iso.slice(0, 7)}-01`, (k) => addMonths(k, 1)));
      expect(rows.some((r) => r.churned > 0 && r.retained > 0)).toBe(true);
    });

    run('cuts weeks from Monday', async () => {
      const mondayOf = (iso: string) => new Date(Date.parse(iso.slice(0, 10)) - ((new Date(iso).getUTCDay() + 6) % 7) * day).toISOString().slice(0, 10);
      const nextWeek = (key: string) => new Date(Date.parse(key) + 7 * day).toISOString().slice(0, 10);
      const rows = await t.reports.churnRate({ period: 'week', from: '2025-10-01T00:00:00.000Z' });
      const expected = expectedChurn(purchases, mondayOf, nextWeek).filter((r) => r.period >= mondayOf('2025-10-01T00:00:00.000Z'));
      expect(rows).toEqual(expected);
      expect(rows[0]!.period).toBe('2025-09-29');
    });

    run('cuts quarters in the time zone', async () => {
      const timeZone = 'Pacific/Auckland';
      const rows = await t.reports.churnRate({ period: 'quarter', timeZone });
      expect(rows).toEqual(expectedChurn(purchases, (iso) => quarterOf(monthIn(iso, timeZone)), (k) => addMonths(k, 3)));
    });
  });

  describe('cohortRetention', () => {
    for (const timeZone of ['UTC', 'Asia/Kolkata']) {
      run(`follows each first-purchase month's customers over the months after (${timeZone})`, async () => {
        const rows = await t.reports.cohortRetention({ periods: 6, timeZone });
        const monthOf = (iso: string) => monthIn(iso, timeZone);
        const first = new Map<string, string>();
        for (const o of [...purchases].sort((a, b) => byString(a.placedAt, b.placedAt))) if (!first.has(o.contactId)) first.set(o.contactId, monthOf(o.placedAt));
        const months = [...new Set(purchases.map((o) => monthOf(o.placedAt)))].sort(byString);
        const lastMonth = months.at(-1)!;
        const expected = [];
        for (let c = months[0]!; c <= lastMonth; c = addMonths(c, 1)) {
          const members = [...first].filter(([, m]) => m === c).map(([id]) => id);
          const retention = [];
          for (let k = 0, p = c; k <= 6 && p <= lastMonth; k++, p = addMonths(p, 1)) {
            const active = members.filter((id) => purchases.some((o) => o.contactId === id && monthOf(o.placedAt) === p)).length;
            retention.push({ offset: k, period: p, customers: active, rate: members.length === 0 ? null : active / members.length });
          }
          expected.push({ cohort: c, customers: members.length, retention });
        }
        expect(rows).toEqual(expected);
        expect(rows.some((r) => r.retention.some((cell) => cell.offset > 0 && cell.customers > 0))).toBe(true);
      });
    }

    run('starts at the cohort holding from', async () => {
      const rows = await t.reports.cohortRetention({ from: '2025-11-15T00:00:00.000Z', periods: 1 });
      expect(rows.map((r) => r.cohort)).toEqual(['2025-11-01', '2025-12-01', '2026-01-01', '2026-02-01']);
      expect(rows.at(-1)!.retention.map((c) => c.offset)).toEqual([0]);
    });
  });

  describe('purchaseGaps', () => {
    const near = (actual: Record<string, unknown>, expected: Record<string, number | null>) => {
      for (const [k, v] of Object.entries(expected)) close(actual[k] as number | null, v);
    };

    run('measures every gap between consecutive purchases: mean as repeatPurchase, median and p90 over all gaps', async () => {
      const report = await t.reports.purchaseGaps();
      const days = gapsOf(purchases, (o) => o.contactId).map((g) => g.days);
      near(report as unknown as Record<string, unknown>, figures(days));
      expect(report.periods).toEqual([]);
      close(report.meanDays, (await t.reports.repeatPurchase()).meanDaysBetweenOrders);
    });

    run('keeps the gaps ending in a window, reaching back before it, per month of a zone, by company', async () => {
      const from = '2025-07-01T00:00:00.000Z';
      const timeZone = 'Europe/Paris';
      const report = await t.reports.purchaseGaps({ by: 'company', from, period: 'month', timeZone });
      const gaps = gapsOf(purchases, (o) => o.companyId).filter((g) => g.at >= from);
      near(report as unknown as Record<string, unknown>, figures(gaps.map((g) => g.days)));
      const months = [...groups(gaps, (g) => monthIn(g.at, timeZone))].sort(([a], [b]) => byString(a, b));
      expect(report.periods.map((p) => p.period)).toEqual(months.map(([m]) => m));
      months.forEach(([, list], i) => near(report.periods[i] as unknown as Record<string, unknown>, figures(list.map((g) => g.days))));
    });
  });

  run('reads only its tenant: another tenant\'s big spender changes nothing', async () => {
    const before = await Promise.all([t.reports.customerRanking({ limit: 3 }), t.reports.lifetimeValue(), t.reports.churnRate(), t.reports.purchaseGaps()]);
    const other = env.crm.tenant(`cv-other-${process.pid}-${Date.now().toString(36)}`);
    const whale = await other.contacts.create({ firstName: 'Whale' });
    for (const placedAt of ['2025-03-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z']) {
      await other.orders.create({ contactId: whale.id, currency: 'USD', placedAt, lines: [{ name: 'Yacht', unitPriceMinor: 99_000_000 }] });
    }
    const after = await Promise.all([t.reports.customerRanking({ limit: 3 }), t.reports.lifetimeValue(), t.reports.churnRate(), t.reports.purchaseGaps()]);
    expect(after).toEqual(before);
    expect((await other.reports.customerRanking())[0]).toMatchObject({ customerId: whale.id, revenue: { minor: 198_000_000 } });
  });

  describe('rfm', () => {
    async function allRfm(options: RfmOptions) {
      const items: RfmCustomer[] = [];
      let cursor: string | undefined;
      let report;
      do {
        report = await t.reports.rfm({ ...options, limit: 4, ...(cursor ? { cursor } : {}) });
        items.push(...report.list.items);
        cursor = report.list.nextCursor;
      } while (cursor);
      return { report, items };
    }

    for (const [currency, referenceDate] of [['USD', undefined], ['EUR', '2025-09-01']] as const) {
      run(`scores R, F and M by equal-count quintiles, ties by contact id (${currency}, reference ${referenceDate ?? 'the day after the last order'})`, async () => {
        const { report, items } = await allRfm({ currency, ...(referenceDate ? { referenceDate } : {}) });
        const expected = expectedRfm(data.orders, currency, referenceDate);
        expect(report.referenceDate).toBe(expected.reference);
        expect(items).toEqual(expected.customers.map((c) => ({
          contactId: c.contactId, lastOrderAt: c.lastOrderAt, recencyDays: c.recencyDays, frequency: c.frequency,
          monetary: { minor: c.monetary, currency }, r: c.r, f: c.f, m: c.m, cell: `${c.r}${c.f}${c.m}`, segment: rfmSegment(c.r, c.f, c.m),
        })));
        const cells = [...groups(expected.customers, (c) => `${c.r}${c.f}${c.m}`)].sort(([a], [b]) => byString(b, a));
        expect(report.cells.map((c) => [c.cell, c.customers, c.segment])).toEqual(cells.map(([cell, list]) => [cell, list.length, rfmSegment(+cell[0]!, +cell[1]!, +cell[2]!)]));
        expect([report.customers, report.distinctCells]).toEqual([expected.customers.length, cells.length]);
        expect(report.segments).toEqual(rfmSegments.map((segment) => ({ segment, customers: items.filter((c) => c.segment === segment).length })));
        // Each score holds n/5 customers, give or take one: the quintiles are equal-count.
        for (const key of ['r', 'f', 'm'] as const) {
          for (let s = 1; s <= 5; s++) expect(Math.abs(items.filter((c) => c[key] === s).length - items.length / 5)).toBeLessThanOrEqual(1);
        }
      });
    }

    run('lists the customers of one segment or one cell, paged', async () => {
      const { report } = await allRfm({ currency: 'USD' });
      const all = expectedRfm(data.orders, 'USD').customers;
      const segment = report.segments.find((s) => s.customers > 1)!.segment;
      const { items } = await allRfm({ currency: 'USD', segment });
      expect(items.map((c) => c.contactId)).toEqual(all.filter((c) => rfmSegment(c.r, c.f, c.m) === segment).map((c) => c.contactId));
      const cell = report.cells[0]!.cell;
      const inCell = await allRfm({ currency: 'USD', cell });
      expect(inCell.items.map((c) => c.contactId)).toEqual(all.filter((c) => `${c.r}${c.f}${c.m}` === cell).map((c) => c.contactId));
    });

    run('matches the method on any small history, ties included (property)', async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(fc.record({ day: fc.integer({ min: 0, max: 6 }), minor: fc.constantFrom(500, 1_000, 1_500) }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 9 }),
          async (histories) => {
            const p = env.crm.tenant(`cv-rfm-${process.pid}-${Date.now().toString(36)}-${++runs}`);
            const orders: SeededOrder[] = [];
            for (const history of histories) {
              const contact = await p.contacts.create({ firstName: 'P' });
              for (const { day: d, minor } of history) {
                const placedAt = new Date(Date.parse('2026-01-01T00:00:00.000Z') + d * day).toISOString();
                await p.orders.create({ contactId: contact.id, currency: 'USD', placedAt, lines: [{ name: 'x', unitPriceMinor: minor }] });
                orders.push({ contactId: contact.id, companyId: null, placedAt, status: 'placed', currency: 'USD', totalMinor: minor });
              }
            }
            const report = await p.reports.rfm({ limit: 1000 });
            const expected = expectedRfm(orders, 'USD');
            expect(report.list.items.map((c) => [c.contactId, c.r, c.f, c.m])).toEqual(expected.customers.map((c) => [c.contactId, c.r, c.f, c.m]));
          },
        ),
        { numRuns: 12 },
      );
    }, 120_000);

    it('names every score combination, by the stated rules', () => {
      const named = new Map<string, number>();
      for (let r = 1; r <= 5; r++) for (let f = 1; f <= 5; f++) for (let m = 1; m <= 5; m++) named.set(rfmSegment(r, f, m), (named.get(rfmSegment(r, f, m)) ?? 0) + 1);
      expect([...named.keys()].sort()).toEqual([...rfmSegments].sort());
      expect([rfmSegment(5, 5, 5), rfmSegment(4, 4, 3), rfmSegment(5, 3, 1), rfmSegment(5, 1, 5), rfmSegment(4, 1, 1)]).toEqual(['champions', 'loyal', 'potentialLoyalists', 'newCustomers', 'promising']);
      expect([rfmSegment(3, 2, 2), rfmSegment(3, 1, 5), rfmSegment(2, 5, 5), rfmSegment(1, 3, 1), rfmSegment(2, 2, 5), rfmSegment(1, 1, 5)]).toEqual(['needAttention', 'aboutToSleep', 'atRisk', 'atRisk', 'hibernating', 'lost']);
    });

    run('asks for the currency of M when the orders have several', async () => {
      await expect(t.reports.rfm()).rejects.toBeInstanceOf(ValidationError);
      await expect(t.reports.rfm({ currency: 'USD', cell: '605' })).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
