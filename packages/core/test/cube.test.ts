import { type CubeKey, type CubeSource, type TenantScope, ValidationError, cubeCatalogue, maxCubeTeams } from '@crmkit/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bucketOf, type CubeSeed, expectCube, fnOf, referenceCube, seedCube } from './cube-fixture.js';
import { type CrmOnTarget, crmTargets } from './targets.js';

const targets = crmTargets();

const minor = (m: { minor: number | bigint }) => Number(m.minor);
const region = (r: { custom: Record<string, unknown> }): CubeKey[] => [(r.custom.region ?? null) as CubeKey];
const inZone = (value: string | null, bucket: Parameters<typeof bucketOf>[1], zone: string): CubeKey[] => [value === null ? null : bucketOf(value, bucket, zone)];

describe.each(targets)('cube ($name)', (target) => {
  let env: CrmOnTarget;
  let t: TenantScope;
  let seed: CubeSeed;
  /** The teams a record counts for: its owner's, or null (no owner, or an owner in no team). */
  const teamsOf = (ownerId: string | null): CubeKey[] => {
    const teams = ownerId === null ? [] : (seed.teamsOf.get(ownerId) ?? []);
    return teams.length === 0 ? [null] : teams;
  };

  beforeAll(async () => {
    if (target.skip) return;
    env = await target.open();
    t = env.crm.tenant(`cube-${process.pid}-${Date.now().toString(36)}`);
    seed = await seedCube(t, 11);
  }, 180_000);
  afterAll(async () => {
    await env?.crm.close();
  });

  describe('over deals', () => {
    it.skipIf(target.skip)('counts and sums amounts per owner, with the currency as a dimension, equal to sums over the deals', async () => {
      const { rows, truncated } = await t.reports.cube({ source: 'deals', measures: ['count', 'amount.sum', 'weightedAmount.sum'], dimensions: ['owner'] });
      const expected = referenceCube(seed.deals, { owner: (d) => [d.ownerId], currency: (d) => [d.amount.currency] }, {
        count: (ds) => ds.length,
        'amount.sum': fnOf('sum', (d) => minor(d.amount), true),
        'weightedAmount.sum': fnOf('sum', (d) => Number(d.weightedAmountMinor), true),
      });
      expect(truncated).toBe(false);
      expect(new Set(rows.map((r) => r.dimensions.currency))).toEqual(new Set(['USD', 'EUR']));
      expectCube(rows, expected, 'owner x currency');
    });

    it.skipIf(target.skip)('slices by team through the owners, a deal of an owner in two teams counting in both, with exact medians', async () => {
      const { rows } = await t.reports.cube({ source: 'deals', measures: ['count', 'amount.median', 'amount.p90', 'probability.avg'], dimensions: ['team', 'stage'] });
      const expected = referenceCube(seed.deals, { team: (d) => teamsOf(d.ownerId), stage: (d) => [d.stageId], currency: (d) => [d.amount.currency] }, {
        count: (ds) => ds.length,
        'amount.median': fnOf('median', (d) => minor(d.amount), true),
        'amount.p90': fnOf('p90', (d) => minor(d.amount), true),
        'probability.avg': fnOf('avg', (d) => d.probability, false),
      });
      expect(rows.some((r) => r.dimensions.team === null)).toBe(true);
      expect(rows.reduce((n, r) => n + (r.measures.count as number), 0)).toBeGreaterThan(seed.deals.length);
      expectCube(rows, expected, 'team x stage');
    });

    it.skipIf(target.skip)('buckets close dates by month in the time zone given, and groups by a custom field', async () => {
      const zone = 'Pacific/Auckland';
      const { rows } = await t.reports.cube({
        source: 'deals', measures: ['count', 'amount.avg', 'amount.min', 'amount.max'], dimensions: ['custom.region', 'status'], periods: { closedAt: 'month' }, timeZone: zone,
      });
      const expected = referenceCube(
        seed.deals,
        { 'custom.region': region, status: (d) => [d.status], closedAt: (d) => inZone(d.closedAt, 'month', zone), currency: (d) => [d.amount.currency] },
        { count: (ds) => ds.length, 'amount.avg': fnOf('avg', (d) => minor(d.amount), true), 'amount.min': fnOf('min', (d) => minor(d.amount), true), 'amount.max': fnOf('max', (d) => minor(d.amount), true) },
      );
      // The zone matters for this data: some deals close in another month in Auckland than in UTC.
      expect(seed.deals.some((d) => d.closedAt !== null && bucketOf(d.closedAt, 'month', zone) !== bucketOf(d.closedAt, 'month', 'UTC'))).toBe(true);
      expectCube(rows, expected, 'region x status x month');
    });

    it.skipIf(target.skip)('measures only the deals matching the filters, custom fields included', async () => {
      const filters = { status: 'won', 'custom.region': { in: ['east', 'west'] } };
      const { rows } = await t.reports.cube({ source: 'deals', measures: ['count', 'amount.sum'], dimensions: ['source'], filters });
      const chosen = seed.deals.filter((d) => d.status === 'won' && ['east', 'west'].includes(d.custom.region as string));
      expect(chosen.length).toBeGreaterThan(0);
      expectCube(rows, referenceCube(chosen, { source: (d) => [d.source], currency: (d) => [d.amount.currency] }, { count: (ds) => ds.length, 'amount.sum': fnOf('sum', (d) => minor(d.amount), true) }), 'filtered');
    });

    it.skipIf(target.skip)('adds totals per currency that count each deal once, even for owners in two teams', async () => {
      const { totals } = await t.reports.cube({ source: 'deals', measures: ['count', 'amount.sum', 'amount.median'], dimensions: ['team'], totals: true });
      const expected = referenceCube(seed.deals, { currency: (d) => [d.amount.currency] }, {
        count: (ds) => ds.length, 'amount.sum': fnOf('sum', (d) => minor(d.amount), true), 'amount.median': fnOf('median', (d) => minor(d.amount), true),
      });
      expectCube(totals!, expected, 'totals');
      expect(totals!.reduce((n, r) => n + (r.measures.count as number), 0)).toBe(seed.deals.length);
    });

    it.skipIf(target.skip)('returns the first cells in key order and says it truncated them', async () => {
      const full = await t.reports.cube({ source: 'deals', measures: ['count'], dimensions: ['owner', 'stage'] });
      const cut = await t.reports.cube({ source: 'deals', measures: ['count'], dimensions: ['owner', 'stage'], limit: 3 });
      expect(full.rows.length).toBeGreaterThan(3);
      expect(cut).toEqual({ rows: full.rows.slice(0, 3), truncated: true });
      expect((await t.reports.cube({ source: 'deals', measures: ['count'], dimensions: ['owner', 'stage'], limit: full.rows.length })).truncated).toBe(false);
    });
  });

  describe('in SQL', () => {
    it.skipIf(target.skip)('computes every cell, teams included, in one grouped aggregate and the totals in one more', async () => {
      const aggregate = vi.spyOn(env.adapter, 'aggregate');
      try {
        await t.reports.cube({ source: 'deals', measures: ['count', 'amount.median'], dimensions: ['team', 'owner', 'custom.region'], periods: { closedAt: 'week' }, totals: true });
        expect(aggregate).toHaveBeenCalledTimes(2);
        expect(aggregate.mock.calls.map(([args]) => args.groupBy?.length)).toEqual([4, 1]);
      } finally {
        aggregate.mockRestore();
      }
    });

    it.skipIf(target.skip)(`refuses to slice by more than ${maxCubeTeams} teams through owners, and slices cases by theirs`, async () => {
      const crowded = env.crm.tenant(`cube-teams-${process.pid}-${Date.now().toString(36)}`);
      for (let i = 0; i <= maxCubeTeams; i++) await crowded.teams.create({ name: `Team ${i}` });
      const error = await crowded.reports.cube({ source: 'orders', measures: ['count'], dimensions: ['channel', 'team'] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toEqual(['dimensions', 1]);
      expect(await crowded.reports.cube({ source: 'cases', measures: ['count'], dimensions: ['team'] })).toEqual({ rows: [], truncated: false });
    });
  });

  describe('over orders, cases and interactions', () => {
    it.skipIf(target.skip)('gives revenue per channel and local week, leaving out cancelled orders by filter', async () => {
      const zone = 'America/New_York';
      const { rows } = await t.reports.cube({
        source: 'orders', measures: ['count', 'revenue.sum', 'revenue.median'], dimensions: ['channel'], periods: { placedAt: 'week' }, timeZone: zone,
        filters: { status: { ne: 'cancelled' } },
      });
      const kept = seed.orders.filter((o) => o.status !== 'cancelled');
      const expected = referenceCube(kept, { channel: (o) => [o.channel], placedAt: (o) => inZone(o.placedAt, 'week', zone), currency: (o) => [o.total.currency] }, {
        count: (os) => os.length, 'revenue.sum': fnOf('sum', (o) => minor(o.total), true), 'revenue.median': fnOf('median', (o) => minor(o.total), true),
      });
      expectCube(rows, expected, 'channel x week');
    });

    it.skipIf(target.skip)("gives resolution minutes per case team (the case's own) and priority, median and 90th percentile", async () => {
      const { rows, totals } = await t.reports.cube({
        source: 'cases', measures: ['count', 'resolutionMinutes.median', 'resolutionMinutes.p90', 'firstResponseMinutes.avg'], dimensions: ['team', 'priority'], totals: true,
      });
      const measures = {
        count: (cs: typeof seed.cases) => cs.length,
        'resolutionMinutes.median': fnOf('median', (c: (typeof seed.cases)[number]) => c.resolutionMinutes, false),
        'resolutionMinutes.p90': fnOf('p90', (c: (typeof seed.cases)[number]) => c.resolutionMinutes, false),
        'firstResponseMinutes.avg': fnOf('avg', (c: (typeof seed.cases)[number]) => c.firstResponseMinutes, false),
      };
      expect(seed.cases.filter((c) => c.resolutionMinutes !== null).length).toBeGreaterThan(10);
      expectCube(rows, referenceCube(seed.cases, { team: (c) => [c.teamId], priority: (c) => [c.priority] }, measures), 'team x priority');
      expectCube(totals!, referenceCube(seed.cases, {}, measures), 'totals');
    });

    it.skipIf(target.skip)('gives call durations per type, owner team and local day', async () => {
      const zone = 'Asia/Kolkata';
      const { rows } = await t.reports.cube({
        source: 'interactions', measures: ['count', 'durationSeconds.sum', 'durationSeconds.min', 'durationSeconds.max'], dimensions: ['type', 'team'],
        periods: { occurredAt: 'day' }, timeZone: zone,
      });
      const expected = referenceCube(seed.interactions, { type: (i) => [i.type], team: (i) => teamsOf(i.ownerId), occurredAt: (i) => inZone(i.occurredAt, 'day', zone) }, {
        count: (is) => is.length,
        'durationSeconds.sum': fnOf('sum', (i) => i.durationSeconds, false),
        'durationSeconds.min': fnOf('min', (i) => i.durationSeconds, false),
        'durationSeconds.max': fnOf('max', (i) => i.durationSeconds, false),
      });
      expectCube(rows, expected, 'type x team x day');
    });
  });

  describe('validation', () => {
    const sources = Object.keys(cubeCatalogue) as CubeSource[];
    const pathOf = async (options: unknown): Promise<PropertyKey[] | undefined> => {
      const error = await t.reports.cube(options as never).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues[0]?.path;
    };
    const unknownName = (known: (source: CubeSource) => readonly string[]) =>
      fc.tuple(fc.constantFrom(...sources), fc.string({ minLength: 1, maxLength: 20 })).filter(([s, name]) => !known(s).includes(name) && name !== '__proto__');

    it.skipIf(target.skip)('refuses a measure the source does not have, naming its position', async () => {
      const measures = (s: CubeSource) => ['count', ...Object.keys(cubeCatalogue[s].measures).flatMap((m) => ['sum', 'avg', 'min', 'max', 'median', 'p90'].map((f) => `${m}.${f}`))];
      await fc.assert(fc.asyncProperty(unknownName(measures), async ([source, name]) => {
        expect(await pathOf({ source, measures: ['count', name] })).toEqual(['measures', 1]);
      }), { numRuns: 40 });
      expect(await pathOf({ source: 'orders', measures: ['amount.sum'] })).toEqual(['measures', 0]);
      expect(await pathOf({ source: 'cases', measures: ['resolutionMinutes.mode'] })).toEqual(['measures', 0]);
    });

    it.skipIf(target.skip)('refuses a dimension the source does not have, naming its position', async () => {
      const dimensions = (s: CubeSource) => ['team', ...Object.keys(cubeCatalogue[s].dimensions)];
      const arbitrary = unknownName(dimensions).filter(([, name]) => !/^custom(\.[A-Za-z0-9_-]{1,64})+$/.test(name));
      await fc.assert(fc.asyncProperty(arbitrary, async ([source, name]) => {
        expect(await pathOf({ source, measures: ['count'], dimensions: ['owner', name] })).toEqual(['dimensions', 1]);
      }), { numRuns: 40 });
      expect(await pathOf({ source: 'deals', measures: ['count'], dimensions: ['custom.a b'] })).toEqual(['dimensions', 0]);
    });

    it.skipIf(target.skip)('refuses periods over fields that are not date fields of the source, and unknown zones', async () => {
      await fc.assert(fc.asyncProperty(unknownName((s) => cubeCatalogue[s].dateFields), async ([source, name]) => {
        expect(await pathOf({ source, measures: ['count'], periods: { [name]: 'month' } })).toEqual(['periods', name]);
      }), { numRuns: 40 });
      expect(await pathOf({ source: 'deals', measures: ['count'], periods: { amountMinor: 'month' } })).toEqual(['periods', 'amountMinor']);
      expect(await pathOf({ source: 'deals', measures: ['count'], periods: { closedAt: 'month' }, timeZone: 'Mars/Olympus' })).toEqual(['timeZone']);
    });

    it.skipIf(target.skip)('refuses filters over fields the source does not have, naming the field', async () => {
      const fields = (s: CubeSource) => ['and', 'or', 'not', ...Object.keys(cubeCatalogue[s].model.fields)];
      const arbitrary = unknownName(fields).filter(([, name]) => !/^(custom|tags|contactIds|memberIds|lines|teamIds|sla)\./.test(name));
      await fc.assert(fc.asyncProperty(arbitrary, async ([source, name]) => {
        expect(await pathOf({ source, measures: ['count'], filters: { [name]: 1 } })).toEqual(['filters', name]);
      }), { numRuns: 40 });
      expect(await pathOf({ source: 'deals', measures: ['count'], filters: { status: { near: 'won' } } })).toEqual(['filters', 'status', 'near']);
    });
  });
});
