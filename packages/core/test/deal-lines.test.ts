import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Deal, ManualClock, type Money, type TenantScope, type WinLossRow, ValidationError, coreMigrations, coreModels, createCrm } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random } from './report-helpers.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const stages = [{ name: 'Qualification' }, { name: 'Proposal' }, { name: 'Won', category: 'won' as const }, { name: 'Lost', category: 'lost' as const }];
const reasons = ['price', 'timing', 'competitor', null] as const;
const currencies = ['USD', 'EUR'] as const;

interface Seed {
  products: string[];
  owners: string[];
  pipelines: string[];
  deals: Deal[];
}

/** Deals with 0 to 3 lines (a product twice in one deal, lines without product), closed over several months. */
async function seed(t: TenantScope, clock: ManualClock, seedValue: number, count = 36): Promise<Seed> {
  const rnd = random(seedValue);
  const owners = [(await t.members.create({ name: 'Ann' })).id, (await t.members.create({ name: 'Bob' })).id];
  const pipelines = [(await t.pipelines.create({ name: 'Sales', stages })).id, (await t.pipelines.create({ name: 'Renewals', stages })).id];
  const products: string[] = [];
  for (const name of ['Alpha', 'Beta', 'Gamma']) products.push((await t.products.create({ name, price: { minor: 1000, currency: 'USD' } })).id);
  const deals: Deal[] = [];
  for (let i = 0; i < count; i++) {
    const currency = rnd.pick(currencies);
    const lines = Array.from({ length: rnd.int(0, 3) }, () =>
      rnd.next() < 0.2
        ? { name: 'Service', quantity: rnd.int(1, 3), unitPriceMinor: rnd.int(0, 5000) }
        : { productId: rnd.pick(products), quantity: rnd.int(1, 4), unitPriceMinor: rnd.int(100, 90_000) },
    );
    const deal = await t.deals.create({
      title: `Deal ${i}`, pipelineId: rnd.pick(pipelines), ownerId: rnd.next() < 0.15 ? null : rnd.pick(owners), lines,
      amount: { minor: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceMinor, 0), currency },
    });
    clock.advance(rnd.int(1, 9) * 86_400_000);
    const roll = rnd.next();
    const reason = rnd.pick(reasons);
    if (roll < 0.45) deals.push(await t.deals.markWon(deal.id));
    else if (roll < 0.85) deals.push(await t.deals.markLost(deal.id, reason === null ? {} : { reason }));
    else deals.push(deal);
  }
  return { products, owners, pipelines, deals };
}

interface Filter { from?: string; to?: string; pipelineId?: string; ownerId?: string }

/** The report computed in JS from the deals: per (period?, product) of its lines, each deal once. */
function expected(deals: readonly Deal[], withPeriod: boolean, filter: Filter = {}, top = 10): WinLossRow[] {
  const groups = new Map<string, { key: (string | null)[]; won: number; lost: number; wonAmounts: Map<string, number>; lostAmounts: Map<string, number>; reasons: Map<string | null, number> }>();
  for (const d of deals) {
    if (d.status === 'open' || d.closedAt === null) continue;
    if ((filter.from && d.closedAt < filter.from) || (filter.to && d.closedAt >= filter.to)) continue;
    if ((filter.pipelineId && d.pipelineId !== filter.pipelineId) || (filter.ownerId && d.ownerId !== filter.ownerId)) continue;
    const totals = new Map<string | null, number>();
    for (const line of d.lines) totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.totalMinor);
    for (const [productId, total] of totals) {
      const key = withPeriod ? [`${d.closedAt.slice(0, 7)}-01`, productId] : [productId];
      const id = JSON.stringify(key);
      const g = groups.get(id) ?? { key, won: 0, lost: 0, wonAmounts: new Map(), lostAmounts: new Map(), reasons: new Map() };
      groups.set(id, g);
      const amounts = d.status === 'won' ? g.wonAmounts : g.lostAmounts;
      amounts.set(d.amount.currency, (amounts.get(d.amount.currency) ?? 0) + total);
      if (d.status === 'won') g.won++;
      else {
        g.lost++;
        g.reasons.set(d.lostReason, (g.reasons.get(d.lostReason) ?? 0) + 1);
      }
    }
  }
  const money = (m: Map<string, number>): Money[] => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, minor]) => ({ minor, currency }));
  const cmp = (a: (string | null)[], b: (string | null)[]) => {
    for (let i = 0; i < a.length; i++) {
      if (a[i] === b[i]) continue;
      if (a[i] === null) return 1;
      if (b[i] === null) return -1;
      return a[i]! < b[i]! ? -1 : 1;
    }
    return 0;
  };
  return [...groups.values()].sort((a, b) => cmp(a.key, b.key)).map((g) => {
    const ranked = [...g.reasons].sort(([ra, a], [rb, b]) => b - a || (ra === rb ? 0 : ra === null ? -1 : rb === null ? 1 : ra < rb ? -1 : 1));
    return {
      ...(withPeriod ? { period: g.key[0]!, productId: g.key[1] ?? null } : { productId: g.key[0] ?? null }),
      won: g.won, lost: g.lost, closed: g.won + g.lost, winRate: g.won / (g.won + g.lost),
      wonAmounts: money(g.wonAmounts), lostAmounts: money(g.lostAmounts),
      lossReasons: ranked.slice(0, top).map(([reason, count]) => ({ reason, count })),
      otherLossReasons: ranked.slice(top).reduce((n, [, c]) => n + c, 0),
    };
  });
}

const targets = crmTargets();
describe.each(targets)('win / loss by product ($name)', (target) => {
  let env: CrmOnTarget;
  let t: TenantScope;
  let data: Seed;
  const tenant = (name: string) => env.crm.tenant(`${name}-${process.pid}-${Date.now().toString(36)}`);

  beforeAll(async () => {
    if (target.skip) return;
    env = await target.open();
    t = tenant('lines');
    data = await seed(t, env.clock, 7);
  }, 60_000);
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('seeds won and lost deals with repeated products and lines without product, so the figures are not vacuous', () => {
    const closed = data.deals.filter((d) => d.status !== 'open');
    expect(closed.some((d) => d.status === 'won') && closed.some((d) => d.status === 'lost')).toBe(true);
    expect(closed.some((d) => new Set(d.lines.map((l) => l.productId)).size < d.lines.length)).toBe(true);
    expect(closed.some((d) => d.lines.some((l) => l.productId === null))).toBe(true);
    expect(closed.some((d) => d.lines.length === 0)).toBe(true);
  });

  it.skipIf(target.skip)('counts each deal once per product and sums the product lines, alone and by close period', async () => {
    expect(await t.reports.winLoss({ by: 'product' })).toEqual(expected(data.deals, false));
    expect(await t.reports.winLoss({ by: ['period', 'product'], period: 'month' })).toEqual(expected(data.deals, true));
    const reasonCut = await t.reports.winLoss({ by: 'product', topLossReasons: 1 });
    expect(reasonCut).toEqual(expected(data.deals, false, {}, 1));
    expect(reasonCut.some((row) => row.otherLossReasons > 0)).toBe(true);
  });

  it.skipIf(target.skip)('applies the close-time, pipeline and owner filters', async () => {
    const closedAt = data.deals.map((d) => d.closedAt).filter((c): c is string => c !== null).sort();
    const middle = closedAt[Math.floor(closedAt.length / 2)]!;
    const filters: Filter[] = [{ from: middle }, { to: middle }, { pipelineId: data.pipelines[0]! }, { ownerId: data.owners[1]! }, { from: closedAt[3]!, pipelineId: data.pipelines[1]! }];
    for (const filter of filters) expect(await t.reports.winLoss({ by: 'product', ...filter }), JSON.stringify(filter)).toEqual(expected(data.deals, false, filter));
  });

  it.skipIf(target.skip)('refuses to combine product with owner or pipeline', async () => {
    await expect(t.reports.winLoss({ by: ['product', 'owner'] })).rejects.toThrow(ValidationError);
    await expect(t.reports.winLoss({ by: ['pipeline', 'product'] })).rejects.toThrow(ValidationError);
  });

  it.skipIf(target.skip)('follows every write of a deal: lines changed, lost, reopened, won again, stage recategorised, deleted', async () => {
    const s = tenant('sync');
    const pipeline = await s.pipelines.create({ name: 'Sales', stages });
    const [a, b] = [await s.products.create({ name: 'A' }), await s.products.create({ name: 'B' })];
    const deal = await s.deals.create({ title: 'D', pipelineId: pipeline.id, lines: [{ productId: a.id, unitPriceMinor: 500 }], amount: { minor: 500, currency: 'USD' } });
    const other = await s.deals.create({ title: 'E', pipelineId: pipeline.id, lines: [{ productId: a.id, unitPriceMinor: 70 }], amount: { minor: 70, currency: 'USD' } });
    const report = async () => (await s.reports.winLoss({ by: 'product' })).map((r) => [r.productId, r.won, r.lost, r.wonAmounts, r.lossReasons]);
    // Rows come in product id order.
    const inOrder = (...rows: unknown[][]) => rows.sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1));
    const usd = (minor: number) => [{ minor, currency: 'USD' }];
    expect(await report()).toEqual([]);
    await s.deals.markWon(deal.id);
    expect(await report()).toEqual([[a.id, 1, 0, usd(500), []]]);
    await s.deals.update(deal.id, { lines: [{ productId: b.id, quantity: 2, unitPriceMinor: 300 }, { productId: b.id, unitPriceMinor: 1 }] });
    expect(await report()).toEqual([[b.id, 1, 0, usd(601), []]]);
    await s.deals.update(deal.id, { amount: { minor: 601, currency: 'EUR' } });
    expect(await report()).toEqual([[b.id, 1, 0, [{ minor: 601, currency: 'EUR' }], []]]);
    await s.deals.markLost(deal.id, { reason: 'price' });
    expect(await report()).toEqual([[b.id, 0, 1, [], [{ reason: 'price', count: 1 }]]]);
    await s.deals.moveToStage(deal.id, 'qualification');
    expect(await report()).toEqual([]);
    await s.deals.markWon(deal.id);
    await s.deals.markLost(other.id, { reason: 'timing' });
    expect(await report()).toEqual(inOrder([a.id, 0, 1, [], [{ reason: 'timing', count: 1 }]], [b.id, 1, 0, [{ minor: 601, currency: 'EUR' }], []]));
    // The lost stage becomes a won one: its deals are won, on their lines too.
    await s.pipelines.updateStage(pipeline.id, 'lost', { category: 'won' });
    expect(await report()).toEqual(inOrder([a.id, 1, 0, usd(70), []], [b.id, 1, 0, [{ minor: 601, currency: 'EUR' }], []]));
    await s.deals.delete(deal.id);
    expect(await report()).toEqual([[a.id, 1, 0, usd(70), []]]);
  });

  it.skipIf(target.skip)('keeps tenants apart: closed deals of other tenants never count, and theirs count only there', async () => {
    const before = await t.reports.winLoss({ by: 'product' });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ won: fc.boolean(), minor: fc.integer({ min: 0, max: 10_000 }) }), { minLength: 1, maxLength: 4 }), async (specs) => {
        const other = tenant('other');
        const pipeline = await other.pipelines.create({ name: 'Sales', stages });
        const product = await other.products.create({ name: 'Alpha' });
        for (const spec of specs) {
          const deal = await other.deals.create({ title: 'X', pipelineId: pipeline.id, lines: [{ productId: product.id, unitPriceMinor: spec.minor }, { productId: null, name: 'Fee', unitPriceMinor: 1 }] });
          await (spec.won ? other.deals.markWon(deal.id) : other.deals.markLost(deal.id));
        }
        expect(await t.reports.winLoss({ by: 'product' })).toEqual(before);
        const rows = await other.reports.winLoss({ by: 'product' });
        expect(rows.map((r) => r.productId)).toEqual([product.id, null]);
        expect(rows[0]!.closed).toBe(specs.length);
      }),
      { numRuns: 5 },
    );
  });
});

describe('the 0018_deal_lines migration', () => {
  it('expands the lines of deals written before it, so the report by product is the same as on a database that always had them', async () => {
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const source = await createCrm({ adapter: sqliteAdapter({ filename: ':memory:' }), clock });
    await source.migrate();
    const t = source.tenant('acme');
    const { deals } = await seed(t, clock, 11, 20);
    const rows = await source.adapter.findMany({ model: coreModels.deal, tenantId: 'acme' });
    const old = sqliteAdapter({ filename: ':memory:' });
    await old.migrate(coreMigrations.filter((m) => m.id < '0018'));
    await old.createMany({ model: coreModels.deal, tenantId: 'acme', rows });
    const upgraded = await createCrm({ adapter: old });
    expect(await upgraded.migrate()).toContain('0018_deal_lines');
    const report = await upgraded.tenant('acme').reports.winLoss({ by: 'product' });
    expect(report.length).toBeGreaterThan(0);
    expect(report).toEqual(expected(deals, false));
    expect(report).toEqual(await t.reports.winLoss({ by: 'product' }));
    await source.close();
    await upgraded.close();
  });
});
