import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestHost, type TestHost } from './harness.js';

let h: TestHost;
beforeEach(async () => {
  h = await openTestHost();
});
afterEach(() => h.close());

const day = 86_400_000;
const q = (params: Record<string, string>) => new URLSearchParams(params).toString();

/**
 * Three deals of the rep in a five-stage pipeline, created on Monday 2 March:
 * Printers (100.00, contact Ada from `web`) won and Service (60.00) lost for
 * `price` ten days later, Toner (40.00) moved to negotiation after two days;
 * a call and a completed task of the rep in the week of 9 March.
 */
async function seedSales() {
  const s = h.host.crm.system('acme');
  const rep = h.members.rep.id;
  const sales = await s.pipelines.create({
    name: 'Sales', currency: 'USD',
    stages: [
      { name: 'Qualification', probability: 20 },
      { name: 'Proposal', probability: 50, forecastCategory: 'best_case' },
      { name: 'Negotiation', probability: 80, forecastCategory: 'commit' },
      { name: 'Won', category: 'won' },
      { name: 'Lost', category: 'lost' },
    ],
  });
  const ada = await s.contacts.create({ firstName: 'Ada', source: 'web' });
  await s.contacts.create({ firstName: 'Bo', source: 'web' });
  const deal = (title: string, minor: number, expectedCloseOn: string, contactIds: string[] = []) =>
    s.deals.create({ title, pipelineId: sales.id, amount: { minor, currency: 'USD' }, expectedCloseOn, ownerId: rep, contactIds });
  const printers = await deal('Printers', 10_000, '2026-03-20', [ada.id]);
  const toner = await deal('Toner', 4_000, '2026-04-10');
  const service = await deal('Service', 6_000, '2026-03-25');
  h.clock.advance(2 * day);
  await s.deals.moveToStage(toner.id, 'negotiation');
  h.clock.advance(8 * day);
  await s.deals.markWon(printers.id);
  await s.deals.markLost(service.id, { reason: 'price' });
  await s.interactions.log({ type: 'call', ownerId: rep });
  const task = await s.tasks.create({ title: 'Send the contract', assigneeId: rep });
  await s.tasks.complete(task.id);
  return { sales };
}

describe('sales reports over HTTP', () => {
  it('summarises a pipeline per stage, with a where-tree, counting only the deals the member may read', async () => {
    const { sales } = await seedSales();
    const { status, body } = await h.call('GET', `/reports/pipelines/${sales.id}/summary`);
    expect(status).toBe(200);
    expect(body.stages.map((s: any) => [s.key, s.count, s.amount.minor, s.weightedAmount.minor])).toEqual([
      ['qualification', 0, 0, 0], ['proposal', 0, 0, 0], ['negotiation', 1, 4_000, 3_200], ['won', 1, 10_000, 10_000], ['lost', 1, 6_000, 0],
    ]);
    expect(body.open).toEqual({ count: 1, amount: { minor: 4_000, currency: 'USD' }, weightedAmount: { minor: 3_200, currency: 'USD' } });
    const ofRep2 = await h.call('GET', `/reports/pipelines/${sales.id}/summary?${q({ where: JSON.stringify({ ownerId: h.members.rep2.id }) })}`);
    expect(ofRep2.body.stages.every((s: any) => s.count === 0)).toBe(true);
    // An agent reads only their own deals: the rep's are not in their summary.
    const asAgent = await h.call('GET', `/reports/pipelines/${sales.id}/summary`, { as: 'agent' });
    expect(asAgent.body.stages.reduce((n: number, s: any) => n + s.count, 0)).toBe(0);
    expect((await h.call('GET', `/reports/pipelines/${sales.id}/summary?where=not-json`)).status).toBe(400);
    expect((await h.call('GET', '/reports/pipelines/01NOPE/summary')).status).toBe(404);
  });

  it('forecasts per month and category, and answers win / loss and sales cycle per group', async () => {
    await seedSales();
    const forecast = await h.call('GET', '/reports/forecast?period=month');
    expect(forecast.body.rows.map((r: any) => [r.period, r.category, r.count, r.amounts[0].minor, r.weightedAmounts[0].minor])).toEqual([
      ['2026-03-01', 'closed', 1, 10_000, 10_000],
      ['2026-04-01', 'commit', 1, 4_000, 3_200],
    ]);
    const winLoss = await h.call('GET', '/reports/win-loss?by=owner');
    expect(winLoss.body.rows).toEqual([expect.objectContaining({
      ownerId: h.members.rep.id, won: 1, lost: 1, closed: 2, winRate: 0.5, lossReasons: [{ reason: 'price', count: 1 }], otherLossReasons: 0,
    })]);
    const byPeriod = await h.call('GET', '/reports/win-loss?by=owner,period&period=week&topLossReasons=0');
    expect(byPeriod.body.rows.map((r: any) => [r.period, r.won, r.lost, r.lossReasons.length, r.otherLossReasons])).toEqual([['2026-03-09', 1, 1, 0, 1]]);
    const cycle = await h.call('GET', '/reports/sales-cycle?by=');
    expect(cycle.body.rows).toHaveLength(1);
    expect([cycle.body.rows[0].won.medianDays, cycle.body.rows[0].lost.medianDays, cycle.body.rows[0].closed.count]).toEqual([10, 10, 2]);
  });

  it('reads the stage history: funnel and stage velocity of a pipeline', async () => {
    const { sales } = await seedSales();
    const funnel = await h.call('GET', `/reports/pipelines/${sales.id}/funnel`);
    expect(funnel.body.deals).toBe(3);
    // Qualification: three deals entered it; Toner moved on to negotiation, Printers was won.
    expect(funnel.body.stages[0]).toMatchObject({ key: 'qualification', entered: 3, movedOn: 2, won: 1 });
    const velocity = await h.call('GET', `/reports/pipelines/${sales.id}/stage-velocity`);
    // Left after 2, 10 and 10 days.
    expect(velocity.body.rows[0]).toMatchObject({ key: 'qualification', stays: 3, medianSeconds: 10 * 86_400 });
    const laterCohort = await h.call('GET', `/reports/pipelines/${sales.id}/funnel?from=2026-03-03`);
    expect(laterCohort.body.deals).toBe(0);
  });

  it("counts the members' activity per week and the contacts' conversion per source", async () => {
    await seedSales();
    const activity = await h.call('GET', `/reports/activity?period=week&memberIds=${h.members.rep.id}`);
    expect(activity.body.rows).toEqual([{
      memberId: h.members.rep.id, period: '2026-03-09', calls: 1, emails: 0, meetings: 0, otherInteractions: 0, tasksCompleted: 1,
    }]);
    const sources = await h.call('GET', '/reports/lead-sources');
    expect(sources.body.rows).toEqual([{ source: 'web', contacts: 2, customers: 0, withWonDeal: 1, converted: 1, conversionRate: 0.5 }]);
  });

  it('answers options crmkit refuses with 422 and its issues', async () => {
    const bad = async (path: string) => {
      const res = await h.call('GET', path);
      expect(res.status, path).toBe(422);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      return res.body.issues.map((i: { path: (string | number)[] }) => i.path.join('.'));
    };
    expect(await bad('/reports/forecast?period=fortnight')).toEqual(['period']);
    expect(await bad('/reports/win-loss?by=owner,colour')).toEqual(['by']);
    expect(await bad('/reports/win-loss?by=product,owner')).toEqual(['by']);
    expect(await bad('/reports/forecast?timeZone=Mars%2FOlympus')).toEqual(['timeZone']);
    expect(await bad('/reports/activity?from=yesterday')).toEqual(expect.arrayContaining([expect.stringMatching(/^from/)]));
    expect(await bad('/reports/case-backlog?ageDays=7,3')).toEqual(['ageDays']);
    expect(await bad('/reports/rfm?cell=9')).toEqual(['cell']);
  });
});

const at = (start: string, minutes: number) => new Date(Date.parse(start) + minutes * 60_000).toISOString();

describe('service reports over HTTP', () => {
  it('reports SLA compliance and response times of replayed tickets, net of the pending span', async () => {
    const s = h.host.crm.system('acme');
    await s.slaPolicies.create({ name: 'Calendar', targets: { normal: { firstResponseMinutes: 60, resolutionMinutes: 600 } } });
    const opened = '2026-02-02T10:00:00.000Z';
    const tickets = [
      { response: 30, pending: [120, 300], resolved: 480 }, // 300 min net: both met
      { response: 90, pending: null, resolved: 700 }, // both breached
      { response: 45, pending: null, resolved: 200 },
    ];
    for (const [i, k] of tickets.entries()) {
      await s.cases.import({
        externalId: `raw-${i}`, subject: 'Raw', openedAt: opened,
        messages: [{ from: 'agent', at: at(opened, k.response) }],
        ...(k.pending ? { pendingSpans: [{ from: at(opened, k.pending[0]!), to: at(opened, k.pending[1]!) }] } : {}),
        resolvedAt: at(opened, k.resolved),
      });
    }
    const sla = await h.call('GET', '/reports/sla-compliance');
    expect(sla.body.rows).toEqual([{
      priority: 'normal', cases: 3, firstResponse: { met: 2, breached: 1, rate: 2 / 3 }, resolution: { met: 2, breached: 1, rate: 2 / 3 },
    }]);
    const times = await h.call('GET', '/reports/response-times?by=priority,period&period=week');
    expect(times.body.rows).toEqual([expect.objectContaining({
      priority: 'normal', period: '2026-02-02', cases: 3,
      firstResponse: expect.objectContaining({ count: 3, median: 45 }), resolution: expect.objectContaining({ count: 3, median: 300 }),
    })]);
    const urgentOnly = await h.call('GET', '/reports/sla-compliance?priorities=urgent');
    expect(urgentOnly.body.rows).toEqual([]);
  });

  it('counts the open cases by status and priority in age buckets, with those past their resolution target', async () => {
    const s = h.host.crm.system('acme');
    await s.slaPolicies.create({ name: 'High', targets: { high: { resolutionMinutes: 480 } } });
    const now = h.clock.now().getTime();
    const ago = (ms: number) => new Date(now - ms).toISOString();
    await s.cases.create({ subject: 'Fresh', priority: 'normal', openedAt: ago(2 * 3_600_000) });
    await s.cases.create({ subject: 'Two days', priority: 'normal', openedAt: ago(2 * day) });
    await s.cases.create({ subject: 'Ten days', priority: 'high', openedAt: ago(10 * day) });
    const backlog = await h.call('GET', '/reports/case-backlog');
    expect(backlog.body.rows.map((r: any) => [r.status, r.priority, r.open, r.overdue, r.ages.map((a: any) => a.count)])).toEqual([
      ['new', 'high', 1, 1, [0, 0, 0, 1, 0]],
      ['new', 'normal', 2, 0, [1, 1, 0, 0, 0]],
    ]);
    const coarse = await h.call('GET', '/reports/case-backlog?ageDays=1,7');
    expect(coarse.body.rows.map((r: any) => r.ages.map((a: any) => [a.fromDays, a.toDays, a.count]))).toEqual([
      [[0, 1, 0], [1, 7, 0], [7, null, 1]],
      [[0, 1, 1], [1, 7, 1], [7, null, 0]],
    ]);
  });
});

/** The order history of docs/reports.md#rfm: five customers, fifteen EUR orders between January 3 and March 25. */
async function seedOrders() {
  h.clock.set('2026-04-01T09:00:00.000Z');
  const s = h.host.crm.system('acme');
  const history: Record<string, [days: string[], minor: number]> = {
    Ada: [['01-05', '02-10', '03-20'], 20_000],
    Bob: [['01-03'], 90_000],
    Cy: [['02-01', '03-01'], 10_000],
    Di: [['02-02', '02-03', '02-04', '02-05', '02-06'], 5_000],
    Ed: [['01-10', '01-20', '03-10', '03-25'], 30_000],
  };
  const ids: Record<string, string> = {};
  for (const [firstName, [days, minor]] of Object.entries(history)) {
    const { id } = await s.contacts.create({ firstName });
    ids[firstName] = id;
    for (const d of days) await s.orders.create({ contactId: id, placedAt: `2026-${d}T00:00:00Z`, currency: 'EUR', lines: [{ name: 'Box', unitPriceMinor: minor }] });
  }
  return ids;
}

describe('customer value reports over HTTP', () => {
  it('scores RFM cells and segments, and pages the scored customers', async () => {
    const ids = await seedOrders();
    const { body } = await h.call('GET', '/reports/rfm');
    expect([body.referenceDate, body.currency, body.customers, body.distinctCells]).toEqual(['2026-03-26', 'EUR', 5, 5]);
    expect(body.cells.map((c: any) => [c.cell, c.segment])).toEqual([
      ['545', 'champions'], ['433', 'potentialLoyalists'], ['321', 'needAttention'], ['252', 'atRisk'], ['114', 'lost'],
    ]);
    const ed = body.list.items.find((c: any) => c.contactId === ids.Ed);
    expect([ed.recencyDays, ed.frequency, ed.monetary, ed.cell]).toEqual([1, 4, { minor: 120_000, currency: 'EUR' }, '545']);
    const atRisk = await h.call('GET', '/reports/rfm?segment=atRisk');
    expect(atRisk.body.list.items.map((c: any) => c.contactId)).toEqual([ids.Di]);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await h.call('GET', `/reports/rfm?${q({ limit: '2', ...(cursor ? { cursor } : {}) })}`);
      expect(page.body.list.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.list.items.map((c: any) => c.contactId));
      cursor = page.body.list.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(Object.values(ids).sort());
  });

  it('computes the repeat-purchase rate and the days between orders', async () => {
    await seedOrders();
    // Repeat customers Ada, Cy, Di, Ed; gaps 36, 38 | 28 | 1, 1, 1, 1 | 10, 49, 15: 180 days over 10 gaps, median (10 + 15) / 2.
    const all = await h.call('GET', '/reports/repeat-purchase');
    expect(all.body).toEqual({ customers: 5, repeatCustomers: 4, repeatRate: 0.8, orders: 15, meanDaysBetweenOrders: 18, medianDaysBetweenOrders: 12.5 });
    // From March 1: Ada, Cy once, Ed twice (15 days apart).
    const march = await h.call('GET', '/reports/repeat-purchase?from=2026-03-01');
    expect(march.body).toMatchObject({ customers: 3, repeatCustomers: 1, orders: 4, meanDaysBetweenOrders: 15 });
    const cancelled = await h.call('GET', '/reports/repeat-purchase?statuses=cancelled');
    expect(cancelled.body).toMatchObject({ customers: 0, repeatRate: null });
  });

  it('stores the RFM scores for segments to filter on', async () => {
    await seedOrders();
    const refreshed = await h.call('POST', '/reports/rfm/scores', { body: { currency: 'EUR' } });
    expect(refreshed.body).toMatchObject({ referenceDate: '2026-03-26', currency: 'EUR', scored: 5, replaced: 0 });
    expect((await h.call('POST', '/reports/rfm/scores', { body: { batchSize: 0 } })).status).toBe(422);
  });
});
