import type { Row } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectCrmError, expectError, item, itemRow, newTenant, rawCount, stored } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

/** Enough rows to span several batches under any `maxParameters` (20+ columns each). */
const large = 5_000;

const manyRows = (n: number, extra: (i: number) => Row = () => ({})): Row[] =>
  Array.from({ length: n }, (_, i) => itemRow({ rank: i, name: `row ${i}`, custom: { i }, tags: [`t${i % 7}`], ...extra(i) }));

const byId = (rows: readonly Row[]) => [...rows].sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));

/**
 * `createMany`: bulk inserts across several internal batches, all or nothing
 * (a duplicate or a NOT NULL violation in the last batch writes no row at all),
 * and `returnRows`.
 */
export function describeCreateMany(options: ConformanceOptions): void {
  describePart('createMany', options, (ctx, test) => {
    test('writes nothing and returns an empty list for no rows', async () => {
      const t = newTenant();
      expect(await ctx.adapter.createMany({ ...item(t), rows: [] })).toEqual([]);
      expect(await ctx.adapter.createMany({ ...item(t), rows: [], returnRows: true })).toEqual([]);
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    });

    test('returns an empty list without returnRows and the rows as stored with it', async () => {
      const t = newTenant();
      const rows = manyRows(3);
      expect(await ctx.adapter.createMany({ ...item(t), rows })).toEqual([]);
      const more = manyRows(3, () => ({ quantity: 7, extra: { nested: [1, 'two'] } }));
      const returned = await ctx.adapter.createMany({ ...item(t), rows: more, returnRows: true });
      expect(byId(returned)).toEqual(byId(more.map((row) => stored(conformanceItem, t, row))));
    });

    test(`writes ${large} rows spanning several batches, each readable as written`, async () => {
      const t = newTenant();
      const rows = manyRows(large, (i) => (i % 2 === 0 ? { quantity: i } : {}));
      await ctx.adapter.createMany({ ...item(t), rows });
      expect(await rawCount(ctx, conformanceItem, t)).toBe(large);
      const last = rows[large - 1] as Row;
      expect(await ctx.adapter.findOne({ ...item(t), id: String(last.id) })).toEqual(stored(conformanceItem, t, last));
      expect(await ctx.adapter.count({ ...item(t), where: { quantity: null } })).toBe(large / 2);
    }, { timeout: 60_000 });

    test(`writes no row at all when the last of ${large} rows breaks a unique index`, async () => {
      const t = newTenant();
      const rows = manyRows(large, (i) => (i === large - 1 ? { slug: 'dup' } : i === 0 ? { slug: 'dup' } : {}));
      await expectError(ctx.adapter.createMany({ ...item(t), rows }), 'DUPLICATE');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    }, { timeout: 60_000 });

    test(`writes no row at all when the last of ${large} rows collides with a row already stored`, async () => {
      const t = newTenant();
      await ctx.adapter.create({ ...item(t), data: itemRow({ code: 'taken' }) });
      const rows = manyRows(large, (i) => (i === large - 1 ? { code: 'taken' } : {}));
      await expectError(ctx.adapter.createMany({ ...item(t), rows, returnRows: true }), 'DUPLICATE');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(1);
    }, { timeout: 60_000 });

    test(`writes no row at all when the last of ${large} rows lacks a required field`, async () => {
      const t = newTenant();
      const rows = manyRows(large);
      const last = { ...(rows[large - 1] as Row) };
      delete last.name;
      rows[large - 1] = last;
      await expectCrmError(ctx.adapter.createMany({ ...item(t), rows }));
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    }, { timeout: 60_000 });

    test('writes no row when a required field is explicitly null', async () => {
      const t = newTenant();
      const rows = [itemRow(), itemRow({ name: null })];
      await expectCrmError(ctx.adapter.createMany({ ...item(t), rows }));
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    });

    test('joins a running transaction, so its rows roll back with it', async () => {
      const t = newTenant();
      await expect(
        ctx.adapter.transaction(async (tx) => {
          await tx.createMany({ ...item(t), rows: manyRows(50) });
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    });
  });
}
