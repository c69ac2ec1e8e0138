import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant, rawCount } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

class Boom extends Error {}

/**
 * `transaction`: commit on success, rollback (proved through raw SQL) when the
 * callback throws any error, the error rethrown as is, nested calls joining the
 * running transaction, and writes outside it unaffected by its rollback.
 */
export function describeTransactions(options: ConformanceOptions): void {
  describePart('transactions', options, (ctx, test) => {
    test('commits every write when the callback resolves and returns its value', async () => {
      const t = newTenant();
      const result = await ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow() });
        await tx.createMany({ ...item(t), rows: [itemRow(), itemRow()] });
        return 'done';
      });
      expect(result).toBe('done');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(3);
    });

    test('sees its own uncommitted writes through the transaction handle', async () => {
      const t = newTenant();
      const data = itemRow({ name: 'mine' });
      await ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data });
        expect(await tx.findOne({ ...item(t), id: String(data.id) })).toMatchObject({ name: 'mine' });
        expect(await tx.count(item(t))).toBe(1);
      });
    });

    test('rolls back every write and rethrows the same error when the callback throws a plain Error', async () => {
      const t = newTenant();
      const existing = itemRow({ name: 'before' });
      await ctx.adapter.create({ ...item(t), data: existing });
      const boom = new Boom('boom');
      const failing = ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow() });
        await tx.update({ ...item(t), id: String(existing.id), data: { name: 'after' } });
        await tx.deleteMany({ ...item(t), where: { name: 'nothing' } });
        throw boom;
      });
      await expect(failing).rejects.toBe(boom);
      expect(await rawCount(ctx, conformanceItem, t)).toBe(1);
      expect(await ctx.adapter.findOne({ ...item(t), id: String(existing.id) })).toMatchObject({ name: 'before', version: 1 });
    });

    test('rolls back earlier writes when a storage error ends the transaction', async () => {
      const t = newTenant();
      const failing = ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow({ slug: 'one' }) });
        await tx.create({ ...item(t), data: itemRow({ slug: 'one' }) });
      });
      await expectError(failing, 'DUPLICATE');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    });

    test('rolls back deletes too', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow(), itemRow()] });
      await expect(
        ctx.adapter.transaction(async (tx) => {
          expect(await tx.deleteMany({ ...item(t), where: {} })).toBe(2);
          throw new Boom('undo');
        }),
      ).rejects.toBeInstanceOf(Boom);
      expect(await rawCount(ctx, conformanceItem, t)).toBe(2);
    });

    test('joins the running transaction when transaction is called on the handle, so an outer failure undoes inner writes', async () => {
      const t = newTenant();
      const boom = new Boom('outer');
      const failing = ctx.adapter.transaction(async (tx) => {
        const inner = await tx.transaction(async (nested) => {
          await nested.create({ ...item(t), data: itemRow() });
          return 'inner';
        });
        expect(inner).toBe('inner');
        expect(await tx.count(item(t))).toBe(1);
        throw boom;
      });
      await expect(failing).rejects.toBe(boom);
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    });

    test('commits nested writes with the outer transaction', async () => {
      const t = newTenant();
      await ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow() });
        await tx.transaction(async (nested) => {
          await nested.create({ ...item(t), data: itemRow() });
        });
      });
      expect(await rawCount(ctx, conformanceItem, t)).toBe(2);
    });

    test('serialises read-modify-writes that read with forUpdate, so that concurrent increments lose nothing', async () => {
      const t = newTenant();
      const data = itemRow({ rank: 0 });
      await ctx.adapter.create({ ...item(t), data });
      const id = String(data.id);
      const increment = () =>
        ctx.adapter.transaction(async (tx) => {
          const row = await tx.findOne({ ...item(t), id, forUpdate: true });
          // A pause between read and write is where an unlocked read-modify-write loses updates.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await tx.update({ ...item(t), id, data: { rank: Number(row!.rank) + 1 } });
        });
      await Promise.all(Array.from({ length: 8 }, increment));
      expect(await ctx.adapter.findOne({ ...item(t), id })).toMatchObject({ rank: 8, version: 9 });
      expect(await ctx.adapter.findOne({ ...item(t), id, forUpdate: true })).toMatchObject({ rank: 8 });
    });

    test('keeps a write made outside a transaction while it runs when that transaction rolls back', async () => {
      const t = newTenant();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const boom = new Boom('late');
      const failing = ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow({ name: 'inside' }) });
        entered();
        await gate;
        throw boom;
      });
      await inside;
      const outside = ctx.adapter.create({ ...item(t), data: itemRow({ name: 'outside' }) });
      await new Promise((resolve) => setImmediate(resolve));
      release();
      await expect(failing).rejects.toBe(boom);
      await outside;
      const rows = await ctx.adapter.findMany(item(t));
      expect(rows.map((row) => row.name)).toEqual(['outside']);
    });
  });
}
