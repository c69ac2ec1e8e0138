import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Crm } from '@crmkit/core';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CdnowPurchase, readCdnow } from './cdnow-data.js';
import { cdLine, importCdnow } from './import-cdnow.js';
import { openCrm } from './open-crm.js';
import { type AnalyticsReport, runAnalytics } from './run.js';
import { planContract } from './telco-contract.js';

const dataDir = fileURLToPath(new URL('../data', import.meta.url));
// Deterministic subsets keep the run near 15 s on an idle machine: CDNOW customers
// 1..2,000 (6,503 of the 69,659 orders) and the first 2,000 Telco customers. Olist is
// small enough to import whole. `npm run analytics` imports everything (40 s to 2 minutes).
const cdnowCustomers = 2000;
const telcoCustomers = 2000;

// The expectations below are computed here, straight from the files with csv-parse,
// without the example's readers, so that a reader bug cannot hide in both.
interface Purchase { customer: string; day: string; cents: number }
async function cdnowFromFile(): Promise<Purchase[]> {
  const text = await readFile(join(dataDir, 'cdnow/CDNOW_master.txt'), 'utf8');
  const rows = (parse(text, { delimiter: ' ', relax_column_count: true, skip_empty_lines: true }) as string[][]).map((r) => r.filter(Boolean));
  return rows.slice(1).map(([customer, date, , dollars]) => ({
    customer: customer!, day: `${date!.slice(0, 4)}-${date!.slice(4, 6)}-${date!.slice(6)}`, cents: Math.round(Number(dollars) * 100),
  }));
}
async function csvFile(file: string): Promise<Record<string, string>[]> {
  return parse(await readFile(join(dataDir, file), 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
}

/** Per customer: orders, cents, first and last day. */
function perCustomer(purchases: Purchase[]) {
  const by = new Map<string, { n: number; cents: number; first: string; last: string }>();
  for (const p of purchases) {
    const c = by.get(p.customer) ?? { n: 0, cents: 0, first: p.day, last: p.day };
    c.n += 1;
    c.cents += p.cents;
    if (p.day < c.first) c.first = p.day;
    if (p.day > c.last) c.last = p.day;
    by.set(p.customer, c);
  }
  return by;
}

/**
 * RFM cells by the method, exactly: R = days from the last order to the
 * reference day, F = orders, M = cents; each value scored by equal-count
 * quintiles: customers sorted by it (recency descending, F and M ascending), ties
 * by crm customer id ascending, position i of n scores floor(5i/n)+1.
 */
function rfmCells(purchases: Purchase[], contactIds: Map<string, string>, reference: string): Map<string, number> {
  const customers = [...perCustomer(purchases).entries()].map(([id, g]) => ({
    id: contactIds.get(id)!, r: (Date.parse(reference) - Date.parse(g.last)) / 86_400_000, f: g.n, m: g.cents,
  }));
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const scores = new Map<string, number[]>(customers.map((c) => [c.id, []]));
  const n = customers.length;
  const score = (compare: (a: (typeof customers)[number], b: (typeof customers)[number]) => number) =>
    [...customers].sort((a, b) => compare(a, b) || byId(a, b)).forEach((c, i) => scores.get(c.id)!.push(Math.floor((5 * i) / n) + 1));
  score((a, b) => b.r - a.r);
  score((a, b) => a.f - b.f);
  score((a, b) => a.m - b.m);
  const cells = new Map<string, number>();
  for (const [r, f, m] of scores.values()) cells.set(`${r}${f}${m}`, (cells.get(`${r}${f}${m}`) ?? 0) + 1);
  return cells;
}

let crm: Crm;
let report: AnalyticsReport;
let purchases: Purchase[];
let telco: Record<string, string>[];
let allPurchases: CdnowPurchase[];

beforeAll(async () => {
  crm = await openCrm(':memory:');
  report = await runAnalytics(crm, { dataDir, cdnowCustomers, telcoCustomers });
  purchases = (await cdnowFromFile()).filter((p) => Number(p.customer) <= cdnowCustomers);
  allPurchases = await readCdnow(join(dataDir, 'cdnow'));
  telco = (await csvFile('telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv')).slice(0, telcoCustomers);
}, 120_000);
afterAll(async () => crm?.close());

describe('CDNOW as contacts and orders', () => {
  it('imports one contact per customer and one order per purchase', () => {
    const customers = new Set(purchases.map((p) => p.customer));
    expect(report.cdnow!.imported).toMatchObject({ customers: customers.size, orders: purchases.length, existing: { customers: 0, orders: 0 } });
    expect(customers.size).toBe(cdnowCustomers);
  });

  it('scores RFM cells as the method computed from the file says', () => {
    const lastDay = purchases.reduce((max, p) => (p.day > max ? p.day : max), '');
    const reference = new Date(Date.parse(lastDay) + 86_400_000).toISOString().slice(0, 10);
    const expected = rfmCells(purchases, report.cdnow!.imported.contactIds, reference);
    const { rfm } = report.cdnow!.figures;
    expect(rfm.referenceDate).toBe(reference);
    expect(rfm.customers).toBe(cdnowCustomers);
    expect(Object.fromEntries(rfm.cells.map((c) => [c.cell, c.customers]))).toEqual(Object.fromEntries(expected));
    expect(rfm.distinctCells).toBe(expected.size);
    expect(rfm.segments.reduce((n, s) => n + s.customers, 0)).toBe(cdnowCustomers);
  });

  it('reports the repeat-purchase rate and the mean gap the purchases give', () => {
    const groups = [...perCustomer(purchases).values()];
    const repeat = groups.filter((g) => g.n >= 2);
    const spanDays = repeat.reduce((s, g) => s + (Date.parse(g.last) - Date.parse(g.first)) / 86_400_000, 0);
    const gaps = repeat.reduce((s, g) => s + g.n - 1, 0);
    const r = report.cdnow!.figures.repeat;
    expect(r).toMatchObject({ customers: groups.length, repeatCustomers: repeat.length, orders: purchases.length });
    expect(r.repeatRate).toBeCloseTo(repeat.length / groups.length, 12);
    expect(r.meanDaysBetweenOrders).toBeCloseTo(spanDays / gaps, 9);
    // The median of every gap between a customer's consecutive orders (two on one day: a gap of 0).
    const days = new Map<string, number[]>();
    for (const p of purchases) days.set(p.customer, [...(days.get(p.customer) ?? []), Date.parse(p.day) / 86_400_000]);
    const all = [...days.values()].flatMap((d) => d.sort((a, b) => a - b).slice(1).map((day, i) => day - d[i]!)).sort((a, b) => a - b);
    const mid = (all.length - 1) / 2;
    expect(all).toHaveLength(gaps);
    expect(r.medianDaysBetweenOrders).toBeCloseTo(all[Math.floor(mid)]! + (all[Math.ceil(mid)]! - all[Math.floor(mid)]!) * (mid - Math.floor(mid)), 9);
  });

  it('ranks the top customers by what they spent', () => {
    const ranked = [...perCustomer(purchases).entries()].sort((a, b) => b[1].cents - a[1].cents || (a[0] < b[0] ? -1 : 1)).slice(0, 5);
    expect(report.cdnow!.figures.top.map((c) => [c.customerId, c.revenueMinor, c.orders])).toEqual(ranked.map(([id, g]) => [id, g.cents, g.n]));
  });

  it('writes each purchase of the whole file as a line whose total is its dollar value', () => {
    expect(allPurchases).toHaveLength(69_659);
    const wrong = allPurchases.filter((p) => {
      const line = cdLine(p);
      return line.quantity * line.unitPriceMinor - line.discountMinor !== p.totalMinor || line.discountMinor >= line.quantity;
    });
    expect(wrong).toEqual([]);
  });

  it('creates nothing on a re-run: external ids find the earlier records', async () => {
    const t = crm.tenant('cdnow');
    const again = await importCdnow(t, allPurchases.filter((p) => Number(p.customerId) <= 50));
    expect(again.existing).toEqual({ customers: 50, orders: again.orders });
    expect((await t.reports.repeatPurchase()).orders).toBe(purchases.length);
  });
});

describe('Telco as customers with contracts', () => {
  const termOf = (row: Record<string, string>) => (row.Contract === 'Month-to-month' ? 1 : row.Contract === 'One year' ? 12 : 24);

  it('reports churn by contract kind as the Churn column gives it', () => {
    const expected = new Map<string, { renewed: number; expired: number; cancelled: number }>();
    for (const row of telco) {
      const tenure = Number(row.tenure);
      if (tenure === 0) continue; // joined at the snapshot: no contract has ended yet
      const kind = row.Contract === 'Month-to-month' ? 'subscription' : 'service';
      const e = expected.get(kind) ?? { renewed: 0, expired: 0, cancelled: 0 };
      if (row.Churn === 'No') e.renewed += 1;
      else if (tenure % termOf(row) === 0) e.expired += 1;
      else e.cancelled += 1;
      expected.set(kind, e);
    }
    const byKind = report.telco!.figures.byKind;
    expect(byKind.map((k) => k.kind).sort()).toEqual([...expected.keys()].sort());
    for (const k of byKind) {
      const e = expected.get(k.kind)!;
      expect(k).toMatchObject(e);
      expect(k.churnRate).toBeCloseTo((e.expired + e.cancelled) / (e.renewed + e.expired + e.cancelled), 12);
    }
  });

  it('trains the churn model on every customer whose contract ended, and it ranks churners well on held-out ones', () => {
    const ended = telco.filter((r) => Number(r.tenure) > 0);
    const { model } = report.telco!.figures;
    expect(model.training.customers).toBe(ended.length);
    expect(model.training.churned).toBe(ended.filter((r) => r.Churn === 'Yes').length);
    expect(model.training.train + model.training.test).toBe(ended.length);
    // Published logistic-regression AUCs on this data are 0.83-0.85; a label or feature mix-up falls far below.
    expect(model.heldOutAuc).toBeGreaterThan(0.8);
    const coefficient = (name: string) => model.features.find((f) => f.name === name)?.coefficient;
    expect(coefficient('tenureDays')).toBeLessThan(0);
    expect(coefficient('custom.termMonths')).toBeLessThan(0);
  });

  it('derives contract dates from tenure', () => {
    expect(planContract({ tenureMonths: 34, term: 'One year', churned: false })).toEqual({
      kind: 'service', startDate: '2022-03-01', endDate: '2024-12-31', status: 'renewed', renewal: { startDate: '2025-01-01', endDate: '2025-12-31' },
    });
    expect(planContract({ tenureMonths: 1, term: 'Month-to-month', churned: true })).toMatchObject({ kind: 'subscription', startDate: '2024-12-01', status: 'expired' });
    expect(planContract({ tenureMonths: 13, term: 'One year', churned: true })).toMatchObject({ status: 'cancelled' });
    expect(planContract({ tenureMonths: 0, term: 'Two year', churned: false })).toEqual({
      kind: 'service', startDate: '2025-01-01', endDate: '2026-12-31', status: 'active', renewal: null,
    });
  });
});

describe('Olist leads and won deals', () => {
  it('reports conversion by origin as the two files give it', async () => {
    const leads = await csvFile('olist/olist_marketing_qualified_leads_dataset.csv');
    const won = new Set((await csvFile('olist/olist_closed_deals_dataset.csv')).map((d) => d.mql_id));
    const expected = new Map<string | null, { contacts: number; withWonDeal: number }>();
    for (const lead of leads) {
      const origin = lead.origin === '' ? null : lead.origin!;
      const e = expected.get(origin) ?? { contacts: 0, withWonDeal: 0 };
      e.contacts += 1;
      if (won.has(lead.mql_id!)) e.withWonDeal += 1;
      expected.set(origin, e);
    }
    const rows = report.olist!.figures.bySource;
    expect(rows).toHaveLength(expected.size);
    for (const row of rows) {
      const e = expected.get(row.source ?? null)!;
      expect(row).toMatchObject({ ...e, converted: e.withWonDeal });
      expect(row.conversionRate).toBeCloseTo(e.withWonDeal / e.contacts, 12);
    }
    expect(report.olist!.imported).toMatchObject({ leads: 8000, wonDeals: 842, wonBeforeFirstContact: 1 });
  });
});
