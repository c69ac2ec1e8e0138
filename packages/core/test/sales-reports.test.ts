import { type LeadSourceRow, NotFoundError, type TenantScope, ValidationError } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { percentile } from './report-helpers.js';
import {
  bucketOf, byKeys, expectedForecast, expectedWinLoss, groupBy, type Period, periods, type WinLossDim, weighted,
} from './sales-reports-expected.js';
import { type SalesSeed, type SeedDeal, seedSales } from './sales-reports-seed.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();
describe.each(targets)('sales reports ($name)', (target) => {
  let env: CrmOnTarget;
  let t: TenantScope;
  let seed: SalesSeed;

  beforeAll(async () => {
    if (target.skip) return;
    env = await target.open();
    t = env.crm.tenant(`sales-${process.pid}-${Date.now().toString(36)}`);
    seed = await seedSales(t, env.clock, 10);
  }, 180_000);
  afterAll(async () => {
    await env?.crm.close();
  });

  it.skipIf(target.skip)('seeds deals in every forecast category, won and lost, in two currencies, so the figures below are not vacuous', async () => {
    const kinds = new Set(seed.deals.map((d) => `${d.status}/${d.stage.forecastCategory}`));
    for (const k of ['open/pipeline', 'open/best_case', 'open/commit', 'won/closed', 'lost/omitted']) expect(kinds).toContain(k);
    expect(new Set(seed.deals.map((d) => d.currency))).toEqual(new Set(['USD', 'EUR']));
    expect(seed.deals.some((d) => d.status === 'open' && d.expectedCloseOn === null)).toBe(true);
    // The seed's record of each deal is what crmkit stored.
    const stored = await t.deals.list({ limit: 1000 });
    expect(stored.items).toHaveLength(seed.deals.length);
    for (const d of stored.items) {
      const s = seed.deals.find((x) => x.id === d.id)!;
      expect([d.status, d.closedAt, d.lostReason, d.weightedAmountMinor, d.amount.currency]).toEqual([s.status, s.closedAt, s.lostReason, weighted(s), s.currency]);
    }
  });

  describe('forecast', () => {
    it.skipIf(target.skip)('gives count, amount and weighted amount per period and forecast category, for every period length', async () => {
      for (const period of periods) expect(await t.reports.forecast({ period }), period).toEqual(expectedForecast(seed.deals, period));
    });

    it.skipIf(target.skip)('sums amounts beyond 2^53 minor units exactly', async () => {
      const big = env.crm.tenant(`sales-big-${process.pid}-${Date.now().toString(36)}`);
      const p = await big.pipelines.create({ name: 'Big', stages: [{ name: 'Open', probability: 50, forecastCategory: 'commit' }, { name: 'Won', category: 'won' }] });
      const huge = 2n ** 60n + 1n;
      for (let i = 0; i < 2; i++) await big.deals.create({ title: `Big ${i}`, pipelineId: p.id, amount: { minor: huge, currency: 'USD' }, expectedCloseOn: '2026-05-05' });
      const [row] = await big.reports.forecast();
      expect(row).toMatchObject({ period: '2026-05-01', category: 'commit', count: 2 });
      expect(BigInt(row!.amounts[0]!.minor)).toBe(2n * huge);
      expect(BigInt(row!.weightedAmounts[0]!.minor)).toBe(2n * ((huge * 50n + 50n) / 100n));
    });

    it.skipIf(target.skip)('keeps to a pipeline, an owner and a window of days (leaving out open deals without a date)', async () => {
      const [pipelineId] = [...seed.pipelines.keys()];
      const ownerId = seed.members[1]!;
      expect(await t.reports.forecast({ period: 'month', pipelineId, ownerId })).toEqual(
        expectedForecast(seed.deals, 'month', (d) => d.pipelineId === pipelineId && d.ownerId === ownerId),
      );
      const inWindow = (d: SeedDeal) => {
        const day = d.status === 'open' ? d.expectedCloseOn : d.closedAt;
        return day !== null && day >= '2026-03-01' && day < '2026-07-01';
      };
      const rows = await t.reports.forecast({ period: 'week', from: '2026-03-01', to: '2026-07-01' });
      expect(rows).toEqual(expectedForecast(seed.deals, 'week', inWindow));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.period !== null)).toBe(true);
    });
  });

  const zones = ['America/New_York', 'Asia/Kolkata'] as const;

  it.skipIf(target.skip)('cuts periods at local midnight in the time zone given, and reads dates as local days', async () => {
    for (const timeZone of zones) {
      for (const period of ['day', 'week', 'month'] as const) {
        expect(await t.reports.forecast({ period, timeZone }), `forecast ${timeZone} ${period}`).toEqual(expectedForecast(seed.deals, period, undefined, timeZone));
        expect(await t.reports.winLoss({ by: ['period', 'owner'], period, timeZone }), `winLoss ${timeZone} ${period}`).toEqual(
          expectedWinLoss(seed.deals, ['period', 'owner'], period, 10, timeZone),
        );
      }
      const midnight = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - (timeZone === 'Asia/Kolkata' ? -330 : 300) * 60_000).toISOString();
      const inside = seed.deals.filter((d) => d.closedAt !== null && d.closedAt >= midnight('2026-02-01') && d.closedAt < midnight('2026-03-01'));
      expect(await t.reports.winLoss({ by: 'period', period: 'day', timeZone, from: '2026-02-01', to: '2026-03-01' })).toEqual(
        expectedWinLoss(inside, ['period'], 'day', 10, timeZone),
      );
    }
    // The zone moves deals across day boundaries: the figures differ from UTC's.
    expect(await t.reports.winLoss({ by: 'period', period: 'day', timeZone: 'Asia/Kolkata' })).not.toEqual(await t.reports.winLoss({ by: 'period', period: 'day' }));
  });

  describe('win / loss', () => {
    const groupings: WinLossDim[][] = [['owner'], ['pipeline'], ['period'], ['owner', 'period'], ['pipeline', 'owner']];

    it.skipIf(target.skip)('gives won and lost counts, amounts and loss reasons per owner, pipeline and close period', async () => {
      for (const by of groupings) {
        for (const period of by.includes('period') ? (['week', 'quarter'] as const) : (['month'] as const)) {
          expect(await t.reports.winLoss({ by, period }), `${by.join('+')} ${period}`).toEqual(expectedWinLoss(seed.deals, by, period));
        }
      }
    });

    it.skipIf(target.skip)('lists only the most frequent loss reasons and counts the rest', async () => {
      const rows = await t.reports.winLoss({ by: 'pipeline', topLossReasons: 1 });
      expect(rows).toEqual(expectedWinLoss(seed.deals, ['pipeline'], 'month', 1));
      expect(rows.some((r) => r.otherLossReasons > 0)).toBe(true);
    });

    it.skipIf(target.skip)('counts the deals closed in any window, like a filter over the deals', async () => {
      const day = fc.integer({ min: 0, max: 200 }).map((n) => new Date(Date.parse('2026-01-01T00:00:00Z') + n * 86_400_000).toISOString().slice(0, 10));
      await fc.assert(
        fc.asyncProperty(day, day, async (a, b) => {
          const [from, to] = a <= b ? [a, b] : [b, a];
          const inside = seed.deals.filter((d) => d.closedAt !== null && d.closedAt >= `${from}T00:00:00.000Z` && d.closedAt < `${to}T00:00:00.000Z`);
          expect(await t.reports.winLoss({ by: 'pipeline', from, to })).toEqual(expectedWinLoss(inside, ['pipeline'], 'month'));
        }),
        { numRuns: 15 },
      );
    });
  });

  describe('sales cycle', () => {
    const figures = (days: number[]) => ({
      count: days.length,
      averageDays: days.length === 0 ? null : days.reduce((a, b) => a + b, 0) / days.length,
      medianDays: percentile(days, 0.5),
      p90Days: percentile(days, 0.9),
    });
    const expected = (by: WinLossDim[], period: Period, zone = 'UTC', keep: (d: SeedDeal) => boolean = () => true) => {
      const keyOf = (d: SeedDeal) => by.map((dim) => (dim === 'owner' ? d.ownerId : dim === 'pipeline' ? d.pipelineId : bucketOf(d.closedAt!, period, zone)));
      const closed = seed.deals.filter((d) => d.status !== 'open' && keep(d));
      const days = (list: SeedDeal[]) => list.map((d) => (Date.parse(d.closedAt!) - Date.parse(d.createdAt)) / 86_400_000);
      return [...groupBy(closed, (d) => JSON.stringify(keyOf(d))).values()]
        .sort(byKeys((list) => keyOf(list[0]!)))
        .map((list) => ({
          ...Object.fromEntries(by.map((dim, i) => [dim === 'owner' ? 'ownerId' : dim === 'pipeline' ? 'pipelineId' : 'period', keyOf(list[0]!)[i]])),
          won: figures(days(list.filter((d) => d.status === 'won'))),
          lost: figures(days(list.filter((d) => d.status === 'lost'))),
          closed: figures(days(list)),
        }));
    };
    /** Equal, with the day figures up to float rounding. */
    const same = (actual: object[], wanted: object[]) => {
      const round = (rows: object[]) => JSON.parse(JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(6)) : v))) as unknown;
      expect(round(actual)).toEqual(round(wanted));
    };

    it.skipIf(target.skip)('gives the mean, median and 90th percentile of days from creation to close, won and lost apart', async () => {
      for (const by of [[], ['owner'], ['pipeline'], ['period'], ['pipeline', 'period']] as WinLossDim[][]) {
        for (const period of by.includes('period') ? (['week', 'quarter'] as const) : (['month'] as const)) {
          same(await t.reports.salesCycle({ by, period }), expected(by, period));
        }
      }
      const [all] = await t.reports.salesCycle({ by: [] });
      expect(all!.won.count > 2 && all!.lost.count > 2 && all!.closed.medianDays! > 1).toBe(true);
    });

    it.skipIf(target.skip)('keeps to a window in a time zone, a pipeline and an owner', async () => {
      const [pipelineId] = [...seed.pipelines.keys()];
      const ownerId = seed.members[2]!;
      same(await t.reports.salesCycle({ by: 'pipeline', pipelineId, ownerId }), expected(['pipeline'], 'month', 'UTC', (d) => d.pipelineId === pipelineId && d.ownerId === ownerId));
      const from = '2026-02-01T05:00:00.000Z'; // midnight in New York
      same(
        await t.reports.salesCycle({ by: 'period', period: 'day', timeZone: 'America/New_York', from: '2026-02-01' }),
        expected(['period'], 'day', 'America/New_York', (d) => d.closedAt! >= from),
      );
    });
  });

  describe('stage velocity and funnel', () => {
    const cohorts: { from?: string; to?: string; owner?: number }[] = [{}, { from: '2026-02-01', to: '2026-04-01' }, { owner: 0 }];
    const scoped = (pipelineId: string, cohort: (typeof cohorts)[number]) => {
      const ownerId = cohort.owner === undefined ? undefined : seed.members[cohort.owner]!;
      const keep = (d: SeedDeal) =>
        d.pipelineId === pipelineId &&
        (cohort.from === undefined || (d.createdAt >= `${cohort.from}T00:00:00.000Z` && d.createdAt < `${cohort.to}T00:00:00.000Z`)) &&
        (ownerId === undefined || d.ownerId === ownerId);
      const options = { ...(cohort.from ? { from: cohort.from, to: cohort.to } : {}), ...(ownerId ? { ownerId } : {}) };
      return { options, deals: seed.deals.filter(keep) };
    };

    it.skipIf(target.skip)('gives the completed stays in each stage with their mean, median and 90th percentile', async () => {
      expect(seed.deals.some((d) => new Set(d.stages.map((s) => s.key)).size < d.stages.length)).toBe(true);
      for (const [pipelineId, stages] of seed.pipelines) {
        for (const cohort of cohorts) {
          const { options, deals } = scoped(pipelineId, cohort);
          const stays = new Map<string, number[]>();
          for (const d of deals) {
            for (let k = 1; k < d.stages.length; k++) {
              const left = d.stages[k - 1]!;
              stays.set(left.key, [...(stays.get(left.key) ?? []), Math.round((Date.parse(d.stages[k]!.at) - Date.parse(left.at)) / 1000)]);
            }
          }
          const rows = await t.reports.stageVelocity(pipelineId, options);
          expect(rows.map((r) => r.key)).toEqual(stages.map((st) => st.key));
          for (const row of rows) {
            const seconds = stays.get(row.key) ?? [];
            expect(row.stays, row.key).toBe(seconds.length);
            const mean = seconds.length === 0 ? null : seconds.reduce((a, b) => a + b, 0) / seconds.length;
            for (const [actual, wanted] of [[row.averageSeconds, mean], [row.medianSeconds, percentile(seconds, 0.5)], [row.p90Seconds, percentile(seconds, 0.9)]] as const) {
              if (wanted === null) expect(actual).toBeNull();
              else expect(actual).toBeCloseTo(wanted, 6);
            }
          }
          if (Object.keys(options).length === 0) expect(rows.filter((r) => r.stays > 0).length).toBeGreaterThanOrEqual(2);
        }
      }
    });

    it.skipIf(target.skip)('counts per stage the deals that entered it, moved on to a later stage and were won', async () => {
      for (const [pipelineId, stages] of seed.pipelines) {
        for (const cohort of cohorts) {
          const { options, deals } = scoped(pipelineId, cohort);
          const result = await t.reports.funnel(pipelineId, options);
          expect(result.deals).toBe(deals.length);
          expect(result.stages.map(({ stageId: _, name: __, ...rest }) => rest)).toEqual(
            stages.map((stage, position) => {
              const entered = deals.filter((d) => d.stages.some((s) => s.key === stage.key));
              const later = (key: string) => {
                const i = stages.findIndex((x) => x.key === key);
                return key !== stage.key && (stages[i]!.category === 'won' || (stages[i]!.category === 'open' && i > position));
              };
              const movedOn = entered.filter((d) => d.stages.some((s) => later(s.key))).length;
              const won = entered.filter((d) => d.status === 'won').length;
              const rate = (n: number) => (entered.length === 0 ? null : n / entered.length);
              return { key: stage.key, category: stage.category, entered: entered.length, movedOn, won, moveOnRate: rate(movedOn), winRate: rate(won) };
            }),
          );
        }
      }
    });

    it.skipIf(target.skip)('refuses an unknown pipeline with a NotFoundError', async () => {
      await expect(t.reports.funnel('no-such-pipeline')).rejects.toThrow(NotFoundError);
      await expect(t.reports.stageVelocity('no-such-pipeline')).rejects.toThrow(NotFoundError);
    });
  });

  describe('activity', () => {
    const expected = (period: Period, keep: (member: string | null, at: string) => boolean = () => true, zone = 'UTC') => {
      const rows = new Map<string, { memberId: string | null; period: string; calls: number; emails: number; meetings: number; otherInteractions: number; tasksCompleted: number }>();
      const row = (memberId: string | null, at: string) => {
        const key = JSON.stringify([memberId, bucketOf(at, period, zone)]);
        if (!rows.has(key)) rows.set(key, { memberId, period: bucketOf(at, period, zone), calls: 0, emails: 0, meetings: 0, otherInteractions: 0, tasksCompleted: 0 });
        return rows.get(key)!;
      };
      for (const i of seed.interactions.filter((x) => keep(x.ownerId, x.occurredAt))) {
        const r = row(i.ownerId, i.occurredAt);
        if (i.type === 'call') r.calls++;
        else if (i.type === 'email') r.emails++;
        else if (i.type === 'meeting') r.meetings++;
        else r.otherInteractions++;
      }
      for (const task of seed.tasks.filter((x) => x.completedAt !== null && keep(x.assigneeId, x.completedAt))) row(task.assigneeId, task.completedAt!).tasksCompleted++;
      return [...rows.values()].sort(byKeys((r) => [r.memberId, r.period]));
    };

    it.skipIf(target.skip)('counts calls, emails, meetings and completed tasks per member and period', async () => {
      for (const period of periods) expect(await t.reports.activity({ period }), period).toEqual(expected(period));
    });

    it.skipIf(target.skip)('buckets activity by the local day and week of a time zone', async () => {
      for (const timeZone of ['America/New_York', 'Asia/Kolkata']) {
        for (const period of ['day', 'week'] as const) expect(await t.reports.activity({ period, timeZone }), `${timeZone} ${period}`).toEqual(expected(period, undefined, timeZone));
      }
    });

    it.skipIf(target.skip)('keeps to members and a window', async () => {
      const memberIds = seed.members.slice(0, 2);
      const rows = await t.reports.activity({ period: 'week', memberIds, from: '2026-02-01', to: '2026-03-15T12:00:00Z' });
      expect(rows).toEqual(expected('week', (m, at) => m !== null && memberIds.includes(m) && at >= '2026-02-01T00:00:00.000Z' && at < '2026-03-15T12:00:00.000Z'));
      expect(rows.some((r) => r.tasksCompleted > 0) && rows.some((r) => r.calls > 0)).toBe(true);
    });
  });

  describe('lead sources', () => {
    const expected = (by: ('source' | 'period')[], period: Period = 'month', zone = 'UTC'): LeadSourceRow[] => {
      const wonContacts = new Set(seed.deals.filter((d) => d.status === 'won').flatMap((d) => d.contactIds));
      const keyOf = (c: SalesSeed['contacts'][number]) => [...(by.includes('source') ? [c.source] : []), ...(by.includes('period') ? [bucketOf(c.createdAt, period, zone)] : [])];
      return [...groupBy(seed.contacts, (c) => JSON.stringify(keyOf(c))).values()]
        .map((list) => {
          const customer = (c: (typeof list)[number]) => ['customer', 'evangelist', 'churned'].includes(c.lifecycleStage);
          const converted = list.filter((c) => customer(c) || wonContacts.has(c.id)).length;
          return {
            ...(by.includes('source') ? { source: list[0]!.source } : {}),
            ...(by.includes('period') ? { period: bucketOf(list[0]!.createdAt, period, zone) } : {}),
            contacts: list.length,
            customers: list.filter(customer).length,
            withWonDeal: list.filter((c) => wonContacts.has(c.id)).length,
            converted,
            conversionRate: converted / list.length,
          };
        })
        .sort(byKeys((r) => [r.source ?? null, r.period ?? null]));
    };

    it.skipIf(target.skip)('counts contacts per source, those that became customers or won a deal, and the conversion rate', async () => {
      const rows = await t.reports.leadSources();
      expect(rows).toEqual(expected(['source']));
      expect(rows.some((r) => r.withWonDeal > 0 && r.withWonDeal < r.converted)).toBe(true);
      expect(await t.reports.leadSources({ by: ['period', 'source'], period: 'quarter' })).toEqual(expected(['source', 'period'], 'quarter'));
      expect(await t.reports.leadSources({ by: 'period', period: 'day', timeZone: 'Asia/Kolkata' })).toEqual(expected(['period'], 'day', 'Asia/Kolkata'));
    });
  });

  it.skipIf(target.skip)('refuses unknown periods, time zones and dimensions with a ValidationError', async () => {
    await expect(t.reports.forecast({ period: 'fortnight' as never })).rejects.toThrow(ValidationError);
    await expect(t.reports.winLoss({ timeZone: 'Mars/Olympus' })).rejects.toThrow(ValidationError);
    await expect(t.reports.activity({ timeZone: '+01:00' })).rejects.toThrow(ValidationError);
    await expect(t.reports.winLoss({ by: 'color' as never })).rejects.toThrow(ValidationError);
    await expect(t.reports.activity({ from: 'yesterday' })).rejects.toThrow(ValidationError);
    await expect(t.reports.leadSources({ by: [] as never })).rejects.toThrow(ValidationError);
  });
});
