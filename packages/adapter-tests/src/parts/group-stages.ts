import type { AggregateArgs, GroupValue, Row } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';
import { aggregateValue, compareValues } from '../reference.js';

type Term = { key: string; direction?: 'asc' | 'desc' };

/** Compares group rows by terms (NULL first ascending, last descending), then by `key` ascending. */
function compareGroups(a: Row, b: Row, terms: readonly Term[], key: string): number {
  for (const t of [...terms, { key, direction: 'asc' as const }]) {
    const x = a[t.key] ?? null;
    const y = b[t.key] ?? null;
    let c = x === null && y === null ? 0 : x === null ? -1 : y === null ? 1 : compareValues(x, y);
    if (t.direction === 'desc') c = -c;
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The reference of `groupValues`: each group's position i (from 0) in the
 * order of its terms, ties by the group key ascending; `quantile` scores
 * floor(tiles * i / n) + 1, `rowNumber` i + 1.
 */
export function scoreGroups(groups: readonly Row[], values: Readonly<Record<string, GroupValue>>, key: string): Row[] {
  const out = groups.map((g) => ({ ...g }));
  for (const [name, value] of Object.entries(values)) {
    const sorted = [...out].sort((a, b) => compareGroups(a, b, value.orderBy, key));
    sorted.forEach((g, i) => {
      g[name] = value.fn === 'rowNumber' ? i + 1 : Math.floor((value.tiles! * i) / sorted.length) + 1;
    });
  }
  return out;
}

const metrics = { last: { fn: 'max', field: 'occurredAt' }, orders: { fn: 'count' }, total: { fn: 'sum', field: 'quantity' } } as const;

/** Groups items by name with the metrics above, in name order. */
function referenceGroups(rows: readonly Row[]): Row[] {
  const names = [...new Set(rows.map((r) => String(r.name)))].sort();
  return names.map((name) => {
    const members = rows.filter((r) => r.name === name);
    return { name, last: aggregateValue(members, metrics.last), orders: aggregateValue(members, metrics.orders), total: aggregateValue(members, metrics.total) };
  });
}

const rowArb = fc.record({
  name: fc.integer({ min: 0, max: 14 }).map((i) => `c${String(i).padStart(2, '0')}`),
  quantity: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null, freq: 4 }),
  occurredAt: fc.constantFrom('2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-15T10:00:00.000Z', '2024-06-30T23:00:00.000Z'),
});

const valuesArb = fc.record({
  tiles: fc.integer({ min: 1, max: 6 }),
  mDirection: fc.constantFrom('asc', 'desc') as fc.Arbitrary<'asc' | 'desc'>,
});

/**
 * `aggregate` group stages: `groupValues` (equal-count quantile scores and
 * positions over all groups, ties by the group keys), `groupWhere` (keyset
 * pages of scored groups), `regroup` (cell counts of the scores, cohorts),
 * against a JavaScript reference; validation.
 */
export function describeGroupStages(options: ConformanceOptions): void {
  describePart('groupStages', options, (ctx, test) => {
    const run = (args: Omit<AggregateArgs, 'model' | 'tenantId'>, t: string) => ctx.adapter.aggregate({ ...item(t), ...args });

    test('scores, pages and regroups random groups exactly as the reference', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { maxLength: 40 }), valuesArb, fc.integer({ min: 1, max: 4 }), async (values, v, pageSize) => {
          const t = newTenant();
          const rows = values.map((x) => itemRow(x));
          if (rows.length > 0) await ctx.adapter.createMany({ ...item(t), rows });
          const groupValues: Record<string, GroupValue> = {
            r: { fn: 'quantile', tiles: v.tiles, orderBy: [{ key: 'last' }] },
            f: { fn: 'quantile', tiles: v.tiles, orderBy: [{ key: 'orders' }] },
            m: { fn: 'quantile', tiles: v.tiles, orderBy: [{ key: 'total', direction: v.mDirection }] },
            position: { fn: 'rowNumber', orderBy: [{ key: 'total', direction: 'desc' }, { key: 'last' }] },
          };
          const base = { groupBy: ['name'], metrics, groupValues };
          const expected = scoreGroups(referenceGroups(rows), groupValues, 'name');
          expect(await run({ ...base, orderBy: [{ key: 'name' }] }, t)).toEqual(expected);
          // Keyset pages on the group key: scores stay those computed over all groups.
          const paged: Row[] = [];
          for (let after: string | undefined; ; ) {
            const page = await run({ ...base, ...(after === undefined ? {} : { groupWhere: { name: { gt: after } } }), orderBy: [{ key: 'name' }], limit: pageSize }, t);
            paged.push(...page);
            if (page.length < pageSize) break;
            after = String(page.at(-1)!.name);
          }
          expect(paged).toEqual(expected);
          // Cell counts of (r, f) with the total of each cell.
          const cells = new Map<string, Row[]>();
          for (const g of expected) cells.set(`${g.r}|${g.f}`, [...(cells.get(`${g.r}|${g.f}`) ?? []), g]);
          const expectedCells = [...cells.values()]
            .map((members) => ({ r: members[0]!.r, f: members[0]!.f, customers: members.length, total: aggregateValue(members, { fn: 'sum', field: 'total' }) }))
            .sort((a, b) => Number(a.r) - Number(b.r) || Number(a.f) - Number(b.f));
          const regrouped = await run({ ...base, regroup: { groupBy: ['r', 'f'], metrics: { customers: { fn: 'count' }, total: { fn: 'sum', field: 'total' } } }, orderBy: [{ key: 'r' }, { key: 'f' }] }, t);
          expect(regrouped).toEqual(expectedCells);
        }),
        { numRuns: 40 },
      );
    }, { timeout: 120_000 });

    test('scores quintiles as floor(5i/n)+1, recency oldest first, ties by key ascending', async () => {
      const t = newTenant();
      // Seven customers; c3 and c4 tie on last order, c1, c4 and c7 on the count of orders.
      const last = { c1: '2024-05-01', c2: '2024-01-01', c3: '2024-03-01', c4: '2024-03-01', c5: '2024-06-01', c6: '2024-02-01', c7: '2024-04-01' };
      const rows = Object.entries(last).flatMap(([name, day], i) => Array.from({ length: (i % 3) + 1 }, () => itemRow({ name, occurredAt: `${day}T00:00:00.000Z` })));
      await ctx.adapter.createMany({ ...item(t), rows });
      const result = await run({
        groupBy: ['name'], metrics: { last: metrics.last, orders: metrics.orders },
        groupValues: { r: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'last' }] }, f: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'orders' }] } },
        orderBy: [{ key: 'name' }],
      }, t);
      // By last order: c2 (i=0), c6, c3, c4, c7, c1, c5 (i=6): floor(5i/7)+1 = 1,1,2,3,3,4,5.
      // By orders (1,2,3,1,2,3,1 for c1..c7): c1, c4, c7 (1), c2, c5 (2), c3, c6 (3).
      expect(result.map((g) => [g.name, g.r, g.f])).toEqual([
        ['c1', 4, 1], ['c2', 1, 3], ['c3', 2, 4], ['c4', 3, 1], ['c5', 5, 3], ['c6', 1, 5], ['c7', 3, 2],
      ]);
    });

    test('gives cohort retention: customers by first-order month and order month, in one statement', async () => {
      const t = newTenant();
      const orders: [string, string][] = [
        ['a', '2024-01-05'], ['a', '2024-01-20'], ['a', '2024-03-02'], ['b', '2024-01-31'], ['b', '2024-02-01'], ['c', '2024-02-10'], ['c', '2024-03-10'],
      ];
      await ctx.adapter.createMany({ ...item(t), rows: orders.map(([name, day]) => itemRow({ name, occurredAt: `${day}T12:00:00.000Z` })) });
      const result = await run({
        derive: { first: { fn: 'first', field: 'occurredAt', partitionBy: ['name'], orderBy: [{ field: 'occurredAt' }] } },
        groupBy: ['name', { field: 'first', bucket: 'month', as: 'cohort' }, { field: 'occurredAt', bucket: 'month', as: 'month' }],
        metrics: {},
        regroup: { groupBy: ['cohort', 'month'], metrics: { customers: { fn: 'count' } } },
        orderBy: [{ key: 'cohort' }, { key: 'month' }],
      }, t);
      expect(result).toEqual([
        { cohort: '2024-01-01', month: '2024-01-01', customers: 2 },
        { cohort: '2024-01-01', month: '2024-02-01', customers: 1 },
        { cohort: '2024-01-01', month: '2024-03-01', customers: 1 },
        { cohort: '2024-02-01', month: '2024-02-01', customers: 1 },
        { cohort: '2024-02-01', month: '2024-03-01', customers: 1 },
      ]);
    });

    test('refuses unknown names, bad tiles and JSON path keys in group stages', async () => {
      const t = newTenant();
      const bad = (args: object) => expectError(run({ groupBy: ['name'], metrics: { n: { fn: 'count' } }, ...args } as Omit<AggregateArgs, 'model' | 'tenantId'>, t), 'VALIDATION_FAILED');
      const q = (extra: object) => ({ groupValues: { s: { fn: 'quantile', tiles: 5, orderBy: [{ key: 'n' }], ...extra } } });
      await bad(q({ tiles: 0 }));
      await bad(q({ tiles: 2.5 }));
      await bad(q({ orderBy: [{ key: 'nope' }] }));
      await bad(q({ orderBy: [] }));
      await bad(q({ fn: 'ntile' }));
      await bad({ groupValues: { n: { fn: 'rowNumber', orderBy: [{ key: 'n' }] } } });
      await bad({ groupValues: { s: { fn: 'rowNumber', tiles: 3, orderBy: [{ key: 'n' }] } } });
      await bad({ groupWhere: { nope: 1 } });
      await bad({ regroup: { groupBy: ['nope'], metrics: {} } });
      await bad({ regroup: { metrics: { x: { fn: 'sum', field: 'rank' } } } });
      await bad({ ...q({}), orderBy: [{ key: 'rank' }] });
      await bad({ groupBy: ['custom.plan'], groupWhere: {} });
    });
  });
}
