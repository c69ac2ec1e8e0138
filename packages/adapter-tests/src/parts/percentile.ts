import type { AggregateArgs, AggregateMetric, Row } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';
import { percentileCont } from '../reference.js';

const groups = ['a', 'b', 'c'] as const;

// -0 is normalised away: Postgres and SQLite may give 0 for it, and toEqual tells them apart.
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => (v === 0 ? 0 : v));

const rowArb = fc.record({
  name: fc.constantFrom(...groups),
  rank: fc.integer({ min: -1000, max: 1000 }),
  quantity: fc.option(fc.integer({ min: -50, max: 50 }), { nil: null, freq: 3 }),
  score: fc.option(finite, { nil: null, freq: 3 }),
  amount: fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n }),
  done: fc.boolean(),
});

const fractionArb = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 1), fc.double({ min: 0, max: 1, noNaN: true }));

/** Orders result rows by their `name` key (groups are unordered without `orderBy`). */
const byName = (rows: Row[]) => [...rows].sort((x, y) => String(x.name).localeCompare(String(y.name)));

/**
 * `aggregate` with `{ fn: 'percentile', field, p }`: the continuous percentile of
 * SQL's `percentile_cont`, bit for bit against a JavaScript reference, nulls
 * ignored, null for empty groups, with metric filters, date buckets, ordering
 * by its alias and limits, over integer, bigint and number fields; and the
 * validation of its fraction and field.
 */
export function describePercentile(options: ConformanceOptions): void {
  describePart('percentile', options, (ctx, test) => {
    const run = (args: Omit<AggregateArgs, 'model' | 'tenantId'>, t: string) => ctx.adapter.aggregate({ ...item(t), ...args });
    const pct = (field: string, p: number, extra: Partial<AggregateMetric> = {}): AggregateMetric => ({ fn: 'percentile', field, p, ...extra });

    test('equals the reference percentile of random values per group, for any fraction, with and without a filter', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { maxLength: 30 }), fractionArb, async (values, p) => {
          const t = newTenant();
          if (values.length > 0) await ctx.adapter.createMany({ ...item(t), rows: values.map((v) => itemRow(v)) });
          const rows = await run(
            {
              groupBy: ['name'],
              metrics: {
                rank: pct('rank', p),
                quantity: pct('quantity', p),
                score: pct('score', p),
                amount: pct('amount', p),
                doneScore: pct('score', p, { filter: { done: true } }),
              },
            },
            t,
          );
          const expected = groups
            .map((name) => values.filter((v) => v.name === name))
            .filter((members) => members.length > 0)
            .map((members) => ({
              name: members[0]!.name,
              rank: percentileCont(members.map((v) => v.rank), p),
              quantity: percentileCont(members.map((v) => v.quantity), p),
              score: percentileCont(members.map((v) => v.score), p),
              amount: percentileCont(members.map((v) => v.amount), p),
              doneScore: percentileCont(members.filter((v) => v.done).map((v) => v.score), p),
            }));
          expect(byName(rows)).toEqual(expected);
        }),
        { numRuns: 40 },
      );
    }, { timeout: 120_000 });

    test('gives the minimum at 0, the maximum at 1 and interpolates between the two nearest values', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [4, 1, 3, 2].map((rank) => itemRow({ rank })) });
      const [row] = await run({ metrics: { lo: pct('rank', 0), q1: pct('rank', 0.25), median: pct('rank', 0.5), hi: pct('rank', 1) } }, t);
      expect(row).toEqual({ lo: 1, q1: 1.75, median: 2.5, hi: 4 });
    });

    test('ignores nulls and gives null for a group without values and over no rows', async () => {
      const t = newTenant();
      const rows = [itemRow({ name: 'x', quantity: 10 }), itemRow({ name: 'x' }), itemRow({ name: 'x', quantity: 4 }), itemRow({ name: 'y' })];
      await ctx.adapter.createMany({ ...item(t), rows });
      const metrics = { n: { fn: 'count' as const }, median: pct('quantity', 0.5) };
      expect(await run({ groupBy: ['name'], metrics, orderBy: [{ key: 'name' }] }, t)).toEqual([
        { name: 'x', n: 3, median: 7 },
        { name: 'y', n: 1, median: null },
      ]);
      expect(await run({ metrics }, newTenant())).toEqual([{ n: 0, median: null }]);
    });

    test('takes only the rows of its filter, giving null for groups the filter empties', async () => {
      const t = newTenant();
      const rows = [
        itemRow({ name: 'x', rank: 1, done: true }),
        itemRow({ name: 'x', rank: 100 }),
        itemRow({ name: 'x', rank: 3, done: true }),
        itemRow({ name: 'y', rank: 5 }),
      ];
      await ctx.adapter.createMany({ ...item(t), rows });
      const result = await run(
        { groupBy: ['name'], metrics: { all: pct('rank', 0.5), done: pct('rank', 0.5, { filter: { done: true } }) }, orderBy: [{ key: 'name' }] },
        t,
      );
      expect(result).toEqual([{ name: 'x', all: 3, done: 2 }, { name: 'y', all: 5, done: null }]);
    });

    test('groups by a date bucket, orders by its alias and limits the groups', async () => {
      const t = newTenant();
      const rows = [
        itemRow({ occurredAt: '2024-01-03T00:00:00.000Z', ratio: 1 }),
        itemRow({ occurredAt: '2024-01-30T00:00:00.000Z', ratio: 2 }),
        itemRow({ occurredAt: '2024-02-01T00:00:00.000Z', ratio: 10 }),
        itemRow({ occurredAt: '2024-03-01T00:00:00.000Z', ratio: 0.5 }),
        itemRow({ occurredAt: '2024-03-31T23:59:59.999Z', ratio: 1.5 }),
      ];
      await ctx.adapter.createMany({ ...item(t), rows });
      const groupBy = [{ field: 'occurredAt', bucket: 'month' as const, as: 'month' }];
      const metrics = { p90: pct('ratio', 0.9) };
      expect(await run({ groupBy, metrics, orderBy: [{ key: 'p90', direction: 'desc' }], limit: 2 }, t)).toEqual([
        { month: '2024-02-01', p90: 10 },
        { month: '2024-01-01', p90: percentileCont([1, 2], 0.9) },
      ]);
      expect(await run({ groupBy, metrics, orderBy: [{ key: 'p90' }], limit: 1 }, t)).toEqual([{ month: '2024-03-01', p90: percentileCont([0.5, 1.5], 0.9) }]);
    });

    test('reads integer and bigint fields as numbers, beyond 2^53 too', async () => {
      const t = newTenant();
      const big = 2n ** 60n;
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ rank: 7, amount: big }), itemRow({ rank: 8, amount: big + 4096n })] });
      const [row] = await run({ metrics: { rank: pct('rank', 0.5), amount: pct('amount', 0.5) } }, t);
      expect(row).toEqual({ rank: 7.5, amount: Number(big) + 2048 });
    });

    test('refuses a missing or out-of-range fraction, a fraction on other functions and non-numeric fields', async () => {
      const t = newTenant();
      const invalid = (metric: AggregateMetric) => expectError(run({ metrics: { m: metric } }, t), 'VALIDATION_FAILED');
      await invalid({ fn: 'percentile', field: 'rank' });
      for (const p of [-0.01, 1.01, Number.NaN, Number.POSITIVE_INFINITY, '0.5' as unknown as number]) await invalid(pct('rank', p));
      await invalid({ fn: 'sum', field: 'rank', p: 0.5 });
      await invalid({ fn: 'count', p: 0.5 });
      for (const field of ['name', 'occurredAt', 'startsOn', 'done', 'custom']) await invalid(pct(field, 0.5));
      await invalid({ fn: 'percentile', p: 0.5 });
      await invalid(pct('custom.n', 0.5));
    });
  });
}
