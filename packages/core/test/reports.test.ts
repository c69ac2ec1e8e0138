import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { salesStages, testCrm } from './helpers.js';

let env: Awaited<ReturnType<typeof testCrm>>;
beforeEach(async () => {
  env = await testCrm();
});
afterEach(() => env.crm.close());

describe('reports', () => {
  it('summarises a pipeline by stage with counts, amounts and weighted amounts', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const usd = (minor: number) => ({ minor, currency: 'USD' });
    await t.deals.create({ title: 'a', pipelineId: p.id, amount: usd(1000) });
    await t.deals.create({ title: 'b', pipelineId: p.id, amount: usd(3000) });
    await t.deals.create({ title: 'c', pipelineId: p.id, stage: 'negotiation', amount: usd(2000) });
    await t.deals.create({ title: 'eur', pipelineId: p.id, amount: { minor: 9999, currency: 'EUR' } });
    const won = await t.deals.create({ title: 'd', pipelineId: p.id, amount: usd(500) });
    await t.deals.markWon(won.id);
    // A deal cannot be put in another tenant's pipeline: nothing of it may reach the summary.
    const foreign = await env.crm.tenant('other').pipelines.create({ name: 'S', stages: salesStages });
    await expect(t.deals.create({ title: 'other tenant', pipelineId: foreign.id })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'pipeline' });
    await env.crm.tenant('other').deals.create({ title: 'theirs', pipelineId: foreign.id, amount: usd(7777) });
    const summary = await t.reports.pipelineSummary(p.id);
    const byKey = Object.fromEntries(summary.stages.map((s) => [s.key, [s.count, s.amount.minor, s.weightedAmount.minor]]));
    expect(byKey).toEqual({
      qualification: [2, 4000, 1000],
      proposal: [0, 0, 0],
      negotiation: [1, 2000, 1500],
      won: [1, 500, 500],
      lost: [0, 0, 0],
    });
    expect(summary.open).toEqual({ count: 3, amount: usd(6000), weightedAmount: usd(2500) });
    expect(summary.otherCurrencyCount).toBe(1);
  });

  it('computes win rate by owner and by month of closing', async () => {
    const t = env.crm.tenant('acme');
    const p = await t.pipelines.create({ name: 'Sales', stages: salesStages });
    const [ann, bob] = [await t.members.create({ name: 'Ann' }), await t.members.create({ name: 'Bob' })];
    const close = async (ownerId: string, won: boolean, at: string, minor = 100) => {
      const d = await t.deals.create({ title: 'x', pipelineId: p.id, ownerId, amount: { minor, currency: 'USD' }, enteredAt: '2025-12-01T00:00:00Z' });
      return won ? t.deals.markWon(d.id, { at }) : t.deals.markLost(d.id, { at, reason: 'price' });
    };
    await close(ann.id, true, '2026-01-05T00:00:00Z', 1000);
    const euro = await t.deals.create({ title: 'eur', pipelineId: p.id, ownerId: ann.id, amount: { minor: 700, currency: 'EUR' }, enteredAt: '2025-12-01T00:00:00Z' });
    await t.deals.markWon(euro.id, { at: '2026-01-06T00:00:00Z' });
    await close(ann.id, true, '2026-02-05T00:00:00Z', 2000);
    await close(ann.id, false, '2026-02-06T00:00:00Z');
    await close(bob.id, false, '2026-01-07T00:00:00Z');
    await close(bob.id, true, '2026-01-08T00:00:00Z', 500);
    await t.deals.create({ title: 'open', pipelineId: p.id, ownerId: bob.id });
    const byOwner = await t.reports.winRate({ by: 'owner' });
    expect(byOwner).toEqual([
      { ownerId: ann.id, won: 3, lost: 1, closed: 4, winRate: 3 / 4, wonAmounts: [{ minor: 700, currency: 'EUR' }, { minor: 3000, currency: 'USD' }] },
      { ownerId: bob.id, won: 1, lost: 1, closed: 2, winRate: 0.5, wonAmounts: [{ minor: 500, currency: 'USD' }] },
    ]);
    const inEuro = await t.reports.winRate({ by: 'owner', currency: 'EUR', orderBy: 'wonAmount' });
    expect(inEuro.map((r) => [r.ownerId, r.wonAmount])).toEqual([[ann.id, { minor: 700, currency: 'EUR' }], [bob.id, { minor: 0, currency: 'EUR' }]]);
    await expect(t.reports.winRate({ orderBy: 'wonAmount' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const byMonth = await t.reports.winRate({ by: 'period', period: 'month', orderBy: 'key' });
    expect(byMonth.map((r) => [r.period, r.won, r.lost])).toEqual([['2026-01-01', 3, 1], ['2026-02-01', 1, 1]]);
    const february = await t.reports.winRate({ by: 'owner', from: '2026-02-01T00:00:00Z', to: '2026-03-01T00:00:00Z' });
    expect(february).toEqual([expect.objectContaining({ ownerId: ann.id, won: 1, lost: 1 })]);
  });
});
