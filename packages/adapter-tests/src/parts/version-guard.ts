import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant, rawRows } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

/**
 * Optimistic concurrency on versioned models: `version` grows by exactly one per
 * update (also through `updateMany`), a stale `expectedVersion` is a
 * `ConflictError` carrying both versions and changes nothing.
 */
export function describeVersionGuard(options: ConformanceOptions): void {
  describePart('versionGuard', options, (ctx, test) => {
    test('increments the version by exactly one on every update', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      const id = String(data.id);
      expect((await ctx.adapter.update({ ...item(t), id, data: { rank: 1 } })).version).toBe(2);
      expect((await ctx.adapter.update({ ...item(t), id, data: { rank: 2 }, expectedVersion: 2 })).version).toBe(3);
      expect((await ctx.adapter.update({ ...item(t), id, data: {} })).version).toBe(4);
      expect(await ctx.adapter.findOne({ ...item(t), id })).toMatchObject({ rank: 2, version: 4 });
    });

    test('updates when expectedVersion matches the stored version', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      const updated = await ctx.adapter.update({ ...item(t), id: String(data.id), data: { name: 'ok' }, expectedVersion: 1 });
      expect(updated).toMatchObject({ name: 'ok', version: 2 });
    });

    test('throws ConflictError with the expected and actual versions on a stale expectedVersion, changing nothing', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      const id = String(data.id);
      await ctx.adapter.update({ ...item(t), id, data: { name: 'second' } });
      const before = await rawRows(ctx, conformanceItem, t);
      const error = await expectError(ctx.adapter.update({ ...item(t), id, data: { name: 'stale' }, expectedVersion: 1 }), 'VERSION_CONFLICT');
      expect(error).toMatchObject({ entity: 'conformance_item', id, expectedVersion: 1, actualVersion: 2 });
      expect(await rawRows(ctx, conformanceItem, t)).toEqual(before);
    });

    test('throws NotFoundError, not ConflictError, when a guarded update or delete names a missing id', async () => {
      const t = newTenant();
      await expectError(ctx.adapter.update({ ...item(t), id: 'missing', data: { name: 'x' }, expectedVersion: 1 }), 'NOT_FOUND');
      await expectError(ctx.adapter.delete({ ...item(t), id: 'missing', expectedVersion: 1 }), 'NOT_FOUND');
    });

    test('refuses a delete with a stale expectedVersion and keeps the row', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      const id = String(data.id);
      await ctx.adapter.update({ ...item(t), id, data: { rank: 5 } });
      const error = await expectError(ctx.adapter.delete({ ...item(t), id, expectedVersion: 1 }), 'VERSION_CONFLICT');
      expect(error).toMatchObject({ expectedVersion: 1, actualVersion: 2 });
      expect(await ctx.adapter.findOne({ ...item(t), id })).toBeDefined();
      await ctx.adapter.delete({ ...item(t), id, expectedVersion: 2 });
      expect(await ctx.adapter.findOne({ ...item(t), id })).toBeUndefined();
    });

    test('lets exactly one of two concurrent updates guarded by the same version win', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      const id = String(data.id);
      const results = await Promise.allSettled([
        ctx.adapter.update({ ...item(t), id, data: { name: 'first' }, expectedVersion: 1 }),
        ctx.adapter.update({ ...item(t), id, data: { name: 'second' }, expectedVersion: 1 }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'VERSION_CONFLICT' });
      expect(await ctx.adapter.findOne({ ...item(t), id })).toMatchObject({ version: 2 });
    });

    test('increments the version of every row updateMany changes, and of no other row', async () => {
      const t = newTenant();
      const rows = [itemRow({ rank: 1 }), itemRow({ rank: 1, version: 5 }), itemRow({ rank: 2 })];
      await ctx.adapter.createMany({ ...item(t), rows });
      expect(await ctx.adapter.updateMany({ ...item(t), where: { rank: 1 }, data: { name: 'bulk' } })).toBe(2);
      const versions = Object.fromEntries((await ctx.adapter.findMany(item(t))).map((row) => [row.id, row.version]));
      expect(versions).toEqual({ [String(rows[0]?.id)]: 2, [String(rows[1]?.id)]: 6, [String(rows[2]?.id)]: 1 });
    });
  });
}
