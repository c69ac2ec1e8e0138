import { type OrderTerm, type Row, toTimestamp } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { expectError, item, itemRow, newId, newTenant, stored } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';
import { cursorOf, expectedPage } from '../reference.js';

/** Ids in ascending order, so that id tie-breaks are predictable. */
const idsAsc = (n: number): string[] => Array.from({ length: n }, () => newId());

async function names(ctx: ConformanceContext, t: string, orderBy: readonly OrderTerm[] | undefined, after?: Row, limit?: number) {
  const rows = await ctx.adapter.findMany({ ...item(t), orderBy, after, limit });
  return rows.map((row) => row.name);
}

const rowArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  rank: fc.integer({ min: 0, max: 2 }),
  quantity: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
  score: fc.option(fc.constantFrom(-1, 0.5, 3), { nil: null }),
  active: fc.option(fc.boolean(), { nil: null }),
  occurredAt: fc.constantFrom('0001-01-01T00:00:00.000Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.001Z'),
  endsOn: fc.option(fc.constantFrom('2024-01-01', '2024-12-31'), { nil: null }),
});

const orderArb = fc
  .uniqueArray(fc.constantFrom('name', 'rank', 'quantity', 'score', 'active', 'occurredAt', 'endsOn'), { minLength: 1, maxLength: 3 })
  .chain((fields) =>
    fc.tuple(...fields.map((field) => fc.constantFrom('asc', 'desc').map((direction) => ({ field, direction }) as OrderTerm))),
  );

/**
 * Ordering (NULL first ascending, last descending, `id` appended in the last
 * term's direction) and keyset pagination that never skips nor repeats a row,
 * even when rows are inserted between pages.
 */
export function describeOrderingAndKeyset(options: ConformanceOptions): void {
  describePart('orderingAndKeyset', options, (ctx, test) => {
    test('orders by id ascending when no order is given', async () => {
      const t = newTenant();
      const [first, second, third] = idsAsc(3);
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ id: third, name: '3' }), itemRow({ id: first, name: '1' }), itemRow({ id: second, name: '2' })] });
      expect(await names(ctx, t, undefined)).toEqual(['1', '2', '3']);
    });

    test('orders ascending by a field and breaks ties by id ascending', async () => {
      const t = newTenant();
      const [a, b, c] = idsAsc(3);
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ id: c, rank: 1, name: 'c' }), itemRow({ id: b, rank: 2, name: 'b' }), itemRow({ id: a, rank: 1, name: 'a' })] });
      expect(await names(ctx, t, [{ field: 'rank' }])).toEqual(['a', 'c', 'b']);
    });

    test('orders descending by a field and breaks ties by id descending', async () => {
      const t = newTenant();
      const [a, b, c] = idsAsc(3);
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ id: a, rank: 1, name: 'a' }), itemRow({ id: b, rank: 2, name: 'b' }), itemRow({ id: c, rank: 1, name: 'c' })] });
      expect(await names(ctx, t, [{ field: 'rank', direction: 'desc' }])).toEqual(['b', 'c', 'a']);
    });

    test('sorts NULL before every value: first ascending, last descending', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'two', quantity: 2 }), itemRow({ name: 'null' }), itemRow({ name: 'minus', quantity: -1 })] });
      expect(await names(ctx, t, [{ field: 'quantity', direction: 'asc' }])).toEqual(['null', 'minus', 'two']);
      expect(await names(ctx, t, [{ field: 'quantity', direction: 'desc' }])).toEqual(['two', 'minus', 'null']);
    });

    test('orders timestamps, dates, numbers and booleans by value', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({
        ...item(t),
        rows: [
          itemRow({ name: 'late', occurredAt: '9999-12-31T23:59:59.999Z', endsOn: '2024-02-01', score: 10, active: true }),
          itemRow({ name: 'early', occurredAt: '0001-01-01T00:00:00.000Z', endsOn: '2024-01-31', score: -0.5, active: false }),
        ],
      });
      for (const field of ['occurredAt', 'endsOn', 'score', 'active']) {
        expect(await names(ctx, t, [{ field }]), field).toEqual(['early', 'late']);
      }
    });

    test('orders by several fields, each in its own direction, then by id in the last direction', async () => {
      const t = newTenant();
      const [a, b, c, d] = idsAsc(4);
      await ctx.adapter.createMany({
        ...item(t),
        rows: [
          itemRow({ id: a, name: 'a', rank: 1, occurredAt: '2024-01-01T00:00:00.000Z' }),
          itemRow({ id: b, name: 'b', rank: 1, occurredAt: '2024-01-02T00:00:00.000Z' }),
          itemRow({ id: c, name: 'c', rank: 0, occurredAt: '2024-01-01T00:00:00.000Z' }),
          itemRow({ id: d, name: 'd', rank: 1, occurredAt: '2024-01-01T00:00:00.000Z' }),
        ],
      });
      expect(await names(ctx, t, [{ field: 'rank' }, { field: 'occurredAt', direction: 'desc' }])).toEqual(['c', 'b', 'd', 'a']);
    });

    test('returns only the rows strictly after a keyset cursor, including NULL values in the cursor', async () => {
      const t = newTenant();
      const [a, b, c, d] = idsAsc(4);
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ id: a, name: 'a' }), itemRow({ id: b, name: 'b' }), itemRow({ id: c, name: 'c', quantity: 1 }), itemRow({ id: d, name: 'd', quantity: 2 })] });
      const orderBy: OrderTerm[] = [{ field: 'quantity' }];
      expect(await names(ctx, t, orderBy, { quantity: null, id: a }, 2)).toEqual(['b', 'c']);
      expect(await names(ctx, t, orderBy, { quantity: null, id: b })).toEqual(['c', 'd']);
      const desc: OrderTerm[] = [{ field: 'quantity', direction: 'desc' }];
      expect(await names(ctx, t, desc, { quantity: 1, id: c })).toEqual(['b', 'a']);
      expect(await names(ctx, t, desc, { quantity: null, id: b })).toEqual(['a']);
    });

    test('pages by id alone and by a bigint field beyond the safe range', async () => {
      const t = newTenant();
      const [a, b, c] = idsAsc(3);
      const big = 2n ** 62n;
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ id: a, name: 'a', amount: big + 2n }), itemRow({ id: b, name: 'b', amount: big }), itemRow({ id: c, name: 'c', amount: big + 1n })] });
      expect(await names(ctx, t, undefined, { id: a })).toEqual(['b', 'c']);
      expect(await names(ctx, t, [], { id: b }, 1)).toEqual(['c']);
      const orderBy: OrderTerm[] = [{ field: 'amount' }];
      expect(await names(ctx, t, orderBy)).toEqual(['b', 'c', 'a']);
      expect(await names(ctx, t, orderBy, { amount: big, id: b })).toEqual(['c', 'a']);
    });

    test('refuses an after that is not a position of the ordering: missing, extra, NULL where none can be, or mistyped', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'a' }), itemRow({ name: 'b' })] });
      const byQuantity: OrderTerm[] = [{ field: 'quantity' }];
      const byTime: OrderTerm[] = [{ field: 'occurredAt', direction: 'desc' }];
      const bad: [OrderTerm[], unknown][] = [
        [[], { id: null }], [[], {}], [[], { id: 5 }], [[], { id: { $bigint: '1' } }], [[], { id: 'a\u0000' }], [[], { id: 'a', name: 'x' }],
        [[], 'a'], [[], ['a']], [[], null],
        [byQuantity, { id: 'a' }], [byQuantity, { quantity: 1.5, id: 'a' }], [byQuantity, { quantity: '1', id: 'a' }], [byQuantity, { quantity: 1, id: null }],
        [byTime, { occurredAt: null, id: 'a' }], [byTime, { occurredAt: 'soon', id: 'a' }], [byTime, { occurredAt: '2024-02-30T00:00:00.000Z', id: 'a' }],
        [[{ field: 'amount' }], { amount: 2n ** 64n, id: 'a' }], [[{ field: 'done' }], { done: 0, id: 'a' }], [[{ field: 'endsOn' }], { endsOn: 'x', id: 'a' }],
      ];
      for (const [orderBy, after] of bad) {
        await expectError(ctx.adapter.findMany({ ...item(t), orderBy, after: after as Row }), 'VALIDATION_FAILED');
      }
    });

    test('answers any generated after with the exact page or a ValidationError, never a driver error or the first page', async () => {
      const t = newTenant();
      const rows = Array.from({ length: 8 }, (_, i) => itemRow({ name: 'abc'[i % 3]!, rank: i % 3, quantity: i % 2 === 0 ? null : i, occurredAt: `2024-01-0${1 + (i % 4)}T00:00:00.000Z` }));
      await ctx.adapter.createMany({ ...item(t), rows });
      const asStored = rows.map((row) => stored(conformanceItem, t, row));
      // Strings stay within [a-c0-9], whose order every collation agrees on; anything else may be any value.
      const value = fc.oneof(
        fc.anything().filter((v) => typeof v !== 'string'), fc.stringMatching(/^[abc0-9]{0,6}$/), fc.integer(), fc.double(), fc.boolean(),
        fc.constant(null), fc.bigInt(), fc.date(), fc.constantFrom('a', 'b', 1, 2, '2024-01-02T00:00:00.000Z', '2024-01-03', String(rows[3]!.id)),
      );
      await fc.assert(
        fc.asyncProperty(orderArb, fc.dictionary(fc.constantFrom('id', 'name', 'rank', 'quantity', 'occurredAt', 'endsOn', 'other'), value), async (orderBy, after) => {
          let page: Row[] | undefined;
          let error: unknown;
          try {
            page = await ctx.adapter.findMany({ ...item(t), orderBy, after, limit: 3 });
          } catch (caught) {
            error = caught;
          }
          if (page === undefined) {
            expect((error as { code?: unknown }).code, String(error)).toBe('VALIDATION_FAILED');
            return;
          }
          // Accepted: every value fits its field, and the page is the one after that position.
          const position = { ...after };
          if (position.occurredAt !== undefined && position.occurredAt !== null) position.occurredAt = toTimestamp(position.occurredAt as string);
          if (position.endsOn instanceof Date) position.endsOn = toTimestamp(position.endsOn).slice(0, 10);
          expect(page.map((row) => row.id)).toEqual(expectedPage(asStored, orderBy, position, 3).map((row) => row.id));
        }),
        { numRuns: 200 },
      );
    }, { timeout: 120_000 });

    test('pages through every row exactly once while rows are inserted between pages', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(rowArb, { maxLength: 12 }),
          orderArb,
          fc.integer({ min: 1, max: 4 }),
          fc.array(fc.array(rowArb, { maxLength: 3 }), { maxLength: 5 }),
          async (initial, orderBy, limit, insertions) => {
            const t = newTenant();
            const current = initial.map((row) => itemRow(row));
            await ctx.adapter.createMany({ ...item(t), rows: current });
            const seen = new Set<string>();
            let after: Row | undefined;
            for (let pageNo = 0; pageNo < 100; pageNo += 1) {
              const page = await ctx.adapter.findMany({ ...item(t), orderBy, after, limit });
              const expected = expectedPage(current.map((row) => stored(conformanceItem, t, row)), orderBy, after, limit);
              expect(page.map((row) => row.id)).toEqual(expected.map((row) => row.id));
              for (const row of page) {
                expect(seen.has(String(row.id)), 'a row was repeated').toBe(false);
                seen.add(String(row.id));
              }
              const last = page.at(-1);
              if (last === undefined) break;
              after = cursorOf(last, orderBy);
              const inserted = (insertions[pageNo] ?? []).map((row) => itemRow(row));
              if (inserted.length > 0) await ctx.adapter.createMany({ ...item(t), rows: inserted });
              current.push(...inserted);
            }
            for (const row of initial.length > 0 ? current.slice(0, initial.length) : []) {
              expect(seen.has(String(row.id)), 'a row was skipped').toBe(true);
            }
          },
        ),
        { numRuns: 50 },
      );
    }, { timeout: 120_000 });
  });
}
