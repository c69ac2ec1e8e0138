import type { AggregateArgs, DateBucket, Row } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { item, itemRow, newTenant } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';

/** Sorts result rows by their JSON form, for comparisons where group order is unspecified. */
function sorted(rows: Row[]): Row[] {
  const key = (row: Row) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

const instants = ['2024-01-01T00:00:00.000Z', '2023-12-31T23:59:59.999Z', '2024-05-15T10:00:00.000Z', '2024-05-19T23:00:00.000Z', '2024-12-30T12:00:00.000Z'];

/** Expected bucket counts of {@link instants}: weeks start on Monday, quarters on Jan/Apr/Jul/Oct 1st, all in UTC. */
const bucketCounts: Record<DateBucket, Record<string, number>> = {
  day: { '2023-12-31': 1, '2024-01-01': 1, '2024-05-15': 1, '2024-05-19': 1, '2024-12-30': 1 },
  week: { '2023-12-25': 1, '2024-01-01': 1, '2024-05-13': 2, '2024-12-30': 1 },
  month: { '2023-12-01': 1, '2024-01-01': 1, '2024-05-01': 2, '2024-12-01': 1 },
  quarter: { '2023-10-01': 1, '2024-01-01': 1, '2024-04-01': 2, '2024-10-01': 1 },
  year: { '2023-01-01': 1, '2024-01-01': 4 },
};

/**
 * `aggregate`: grouping by fields and by UTC date buckets, count / sum / avg /
 * min / max with their documented result types, metric filters, group ordering
 * and limits, and empty input.
 */
export function describeAggregate(options: ConformanceOptions): void {
  describePart('aggregate', options, (ctx, test) => {
    const run = (args: Omit<AggregateArgs, 'model' | 'tenantId'>, t: string) => ctx.adapter.aggregate({ ...item(t), ...args });

    test('computes count, sum, avg, min and max over all matching rows when there is no groupBy', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ rank: 1, score: 0.5 }), itemRow({ rank: 2, score: 1.5 }), itemRow({ rank: 6 })] });
      const rows = await run({ metrics: { n: { fn: 'count' }, total: { fn: 'sum', field: 'rank' }, mean: { fn: 'avg', field: 'rank' }, lo: { fn: 'min', field: 'rank' }, hi: { fn: 'max', field: 'rank' }, scores: { fn: 'sum', field: 'score' } } }, t);
      expect(rows).toEqual([{ n: 3, total: 9, mean: 3, lo: 1, hi: 6, scores: 2 }]);
    });

    test('returns one row with count 0 and null sum, avg, min and max over no rows', async () => {
      const rows = await run({ metrics: { n: { fn: 'count' }, total: { fn: 'sum', field: 'rank' }, mean: { fn: 'avg', field: 'rank' }, lo: { fn: 'min', field: 'rank' }, hi: { fn: 'max', field: 'rank' } } }, newTenant());
      expect(rows).toEqual([{ n: 0, total: null, mean: null, lo: null, hi: null }]);
    });

    test('returns no groups over no rows when grouping', async () => {
      expect(await run({ groupBy: ['rank'], metrics: { n: { fn: 'count' } } }, newTenant())).toEqual([]);
    });

    test('aggregates only the rows matching where', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ rank: 1 }), itemRow({ rank: 2 }), itemRow({ rank: 3 })] });
      expect(await run({ where: { rank: { gte: 2 } }, metrics: { n: { fn: 'count' }, total: { fn: 'sum', field: 'rank' } } }, t)).toEqual([{ n: 2, total: 5 }]);
    });

    test('groups by a field, with NULL as a group of its own', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ quantity: 1 }), itemRow({ quantity: 1 }), itemRow({ quantity: 2 }), itemRow()] });
      const rows = await run({ groupBy: ['quantity'], metrics: { n: { fn: 'count' } } }, t);
      expect(sorted(rows)).toEqual(sorted([{ quantity: 1, n: 2 }, { quantity: 2, n: 1 }, { quantity: null, n: 1 }]));
    });

    test('groups by several fields, returning each key under its field name', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'x', done: true }), itemRow({ name: 'x', done: false }), itemRow({ name: 'x', done: true }), itemRow({ name: 'y', done: true })] });
      const rows = await run({ groupBy: ['name', 'done'], metrics: { n: { fn: 'count' } } }, t);
      expect(sorted(rows)).toEqual(sorted([{ name: 'x', done: true, n: 2 }, { name: 'x', done: false, n: 1 }, { name: 'y', done: true, n: 1 }]));
    });

    test('counts non-null values when count names a field', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ quantity: 1 }), itemRow(), itemRow({ quantity: 0 })] });
      expect(await run({ metrics: { rows: { fn: 'count' }, values: { fn: 'count', field: 'quantity' } } }, t)).toEqual([{ rows: 3, values: 2 }]);
    });

    test('applies a metric filter to that metric only, giving null sums for groups it empties', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'x', rank: 1, done: true }), itemRow({ name: 'x', rank: 2 }), itemRow({ name: 'y', rank: 4 })] });
      const rows = await run({ groupBy: ['name'], metrics: { n: { fn: 'count' }, doneCount: { fn: 'count', filter: { done: true } }, doneSum: { fn: 'sum', field: 'rank', filter: { done: true } } } }, t);
      expect(sorted(rows)).toEqual(sorted([{ name: 'x', n: 2, doneCount: 1, doneSum: 1 }, { name: 'y', n: 1, doneCount: 0, doneSum: null }]));
    });

    test('returns avg as a number and min and max in the field type', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({
        ...item(t),
        rows: [
          itemRow({ rank: 1, occurredAt: '2024-01-01T00:00:00.001Z', startsOn: '2024-02-29', name: 'b' }),
          itemRow({ rank: 2, occurredAt: '0001-01-01T00:00:00.000Z', startsOn: '2023-01-01', name: 'a' }),
        ],
      });
      const [row] = await run({ metrics: { mean: { fn: 'avg', field: 'rank' }, first: { fn: 'min', field: 'occurredAt' }, last: { fn: 'max', field: 'occurredAt' }, day: { fn: 'max', field: 'startsOn' }, name: { fn: 'min', field: 'name' } } }, t);
      expect(row).toEqual({ mean: 1.5, first: '0001-01-01T00:00:00.000Z', last: '2024-01-01T00:00:00.001Z', day: '2024-02-29', name: 'a' });
    });

    test('sums integers as a number and as a bigint beyond the safe range', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'safe', amount: 5 }), itemRow({ name: 'safe', amount: 7 }), itemRow({ name: 'big', amount: Number.MAX_SAFE_INTEGER }), itemRow({ name: 'big', amount: 10 })] });
      const rows = await run({ groupBy: ['name'], metrics: { total: { fn: 'sum', field: 'amount' } }, orderBy: [{ key: 'name', direction: 'desc' }] }, t);
      expect(rows).toEqual([{ name: 'safe', total: 12 }, { name: 'big', total: 9_007_199_254_741_001n }]);
    });

    for (const bucket of ['day', 'week', 'month', 'quarter', 'year'] as const) {
      test(`buckets timestamps and dates by ${bucket} in UTC with the bucket's first day as key`, async () => {
        const t = newTenant();
        await ctx.adapter.createMany({ ...item(t), rows: instants.map((at) => itemRow({ occurredAt: at, startsOn: at.slice(0, 10) })) });
        const expected = Object.entries(bucketCounts[bucket]).map(([key, n]) => ({ period: key, n }));
        for (const field of ['occurredAt', 'startsOn']) {
          const rows = await run({ groupBy: [{ field, bucket, as: 'period' }], metrics: { n: { fn: 'count' } }, orderBy: [{ key: 'period' }] }, t);
          expect(rows, field).toEqual(expected);
        }
      });
    }

    test('groups by a bucket and a field together', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'x', occurredAt: '2024-05-15T10:00:00.000Z' }), itemRow({ name: 'y', occurredAt: '2024-05-31T23:59:59.999Z' }), itemRow({ name: 'x', occurredAt: '2024-05-01T00:00:00.000Z' })] });
      const rows = await run({ groupBy: [{ field: 'occurredAt', bucket: 'month', as: 'month' }, 'name'], metrics: { n: { fn: 'count' } } }, t);
      expect(sorted(rows)).toEqual(sorted([{ month: '2024-05-01', name: 'x', n: 2 }, { month: '2024-05-01', name: 'y', n: 1 }]));
    });

    test('orders groups by a metric or a key in either direction and limits their number', async () => {
      const t = newTenant();
      const rows = ['a', 'b', 'b', 'c', 'c', 'c'].map((name) => itemRow({ name }));
      await ctx.adapter.createMany({ ...item(t), rows });
      const metrics = { n: { fn: 'count' as const } };
      expect(await run({ groupBy: ['name'], metrics, orderBy: [{ key: 'n', direction: 'desc' }], limit: 2 }, t)).toEqual([{ name: 'c', n: 3 }, { name: 'b', n: 2 }]);
      expect(await run({ groupBy: ['name'], metrics, orderBy: [{ key: 'name', direction: 'desc' }] }, t)).toEqual([{ name: 'c', n: 3 }, { name: 'b', n: 2 }, { name: 'a', n: 1 }]);
      expect(await run({ groupBy: ['name'], metrics, orderBy: [{ key: 'n' }], limit: 1 }, t)).toEqual([{ name: 'a', n: 1 }]);
    });

    test('orders groups by a sum of a bigint field as numbers, not as their text', async () => {
      const t = newTenant();
      // As text, 900 > 3000 > 25000 > 120000 descending: the order a text sort of the selected sums gives.
      const amounts: Record<string, number[]> = { a: [900], b: [1000, 2000], c: [25_000], d: [100_000, 20_000] };
      await ctx.adapter.createMany({ ...item(t), rows: Object.entries(amounts).flatMap(([name, list]) => list.map((amount) => itemRow({ name, amount }))) });
      const metrics = { total: { fn: 'sum' as const, field: 'amount' } };
      const desc = await run({ groupBy: ['name'], metrics, orderBy: [{ key: 'total', direction: 'desc' }] }, t);
      expect(desc).toEqual([{ name: 'd', total: 120_000 }, { name: 'c', total: 25_000 }, { name: 'b', total: 3000 }, { name: 'a', total: 900 }]);
      expect(await run({ groupBy: ['name'], metrics, orderBy: [{ key: 'total' }], limit: 2 }, t)).toEqual([{ name: 'a', total: 900 }, { name: 'b', total: 3000 }]);
    });
  });
}
