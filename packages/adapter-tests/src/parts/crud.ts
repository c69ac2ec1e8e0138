import { expect } from 'vitest';
import { describePart } from '../context.js';
import { col, expectError, ids, item, itemRow, job, jobRow, newTenant, rawCount, stored } from '../fixtures.js';
import { conformanceItem, conformanceJob } from '../models.js';
import type { ConformanceOptions } from '../options.js';

/**
 * Create, read, update and delete of single rows and of row sets, `count`,
 * `select`, `limit`, and `DuplicateError` from unique and partial unique indexes.
 */
export function describeCrud(options: ConformanceOptions): void {
  describePart('crud', options, (ctx, test) => {
    test('creates a row and reads it back by id with every field as stored', async () => {
      const t = newTenant();
      const data = itemRow({ name: 'Ada', note: 'n', quantity: 3, score: 1.5, active: true, custom: { a: 1 }, tags: ['x'] });
      const created = await ctx.adapter.create({ ...item(t), data });
      expect(created).toEqual(stored(conformanceItem, t, data));
      expect(await ctx.adapter.findOne({ ...item(t), id: String(data.id) })).toEqual(stored(conformanceItem, t, data));
      expect(await rawCount(ctx, conformanceItem, t)).toBe(1);
    });

    test('stores each field in the column columnName() names, explicit column names included', async () => {
      const t = newTenant();
      const data = itemRow({ score: 2.5, occurredAt: '2024-05-06T07:08:09.010Z', startsOn: '2024-05-06' });
      await ctx.adapter.create({ ...item(t), data });
      const columns = ['score', 'occurredAt', 'startsOn', 'tenantId', 'createdAt'].map((field) => `${col(conformanceItem, field)} AS "${field}"`);
      expect(col(conformanceItem, 'score')).toBe('score_value');
      const [row] = await ctx.raw(`SELECT ${columns.join(', ')} FROM ${conformanceItem.table} WHERE ${col(conformanceItem, 'id')} = ? AND ${col(conformanceItem, 'tenantId')} = ?`, [data.id, t]);
      expect(Number(row?.score)).toBe(2.5);
      expect(row?.tenantId).toBe(t);
    });

    test('describes its capabilities with a name, flags and a positive parameter limit', async () => {
      const caps = ctx.adapter.capabilities;
      expect(typeof caps.name).toBe('string');
      for (const flag of ['jsonPaths', 'returning', 'skipLocked', 'multipleConnections', 'transactionalDdl'] as const) {
        expect(typeof caps[flag], flag).toBe('boolean');
      }
      expect(Number.isInteger(caps.maxParameters) && caps.maxParameters > 0).toBe(true);
    });

    test('stores missing nullable fields as null', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      const row = await ctx.adapter.findOne({ ...item(t), id: String(data.id) });
      for (const field of ['code', 'note', 'quantity', 'big', 'score', 'active', 'closedAt', 'endsOn', 'extra']) {
        expect(row?.[field], field).toBeNull();
      }
    });

    test('returns undefined from findOne for an id that does not exist', async () => {
      expect(await ctx.adapter.findOne({ ...item(newTenant()), id: 'missing' })).toBeUndefined();
    });

    test('updates only the given fields, returns the row as stored and increments the version', async () => {
      const t = newTenant();
      const data = itemRow({ name: 'before', quantity: 1, note: 'keep' });
      await ctx.adapter.create({ ...item(t), data });
      const updated = await ctx.adapter.update({ ...item(t), id: String(data.id), data: { name: 'after', quantity: 2 } });
      const expected = stored(conformanceItem, t, { ...data, name: 'after', quantity: 2, version: 2 });
      expect(updated).toEqual(expected);
      expect(await ctx.adapter.findOne({ ...item(t), id: String(data.id) })).toEqual(expected);
    });

    test('sets a nullable field back to null on update', async () => {
      const t = newTenant();
      const data = itemRow({ note: 'text', custom: { a: 1 }, extra: { b: 2 } });
      await ctx.adapter.create({ ...item(t), data });
      const updated = await ctx.adapter.update({ ...item(t), id: String(data.id), data: { note: null, extra: null } });
      expect(updated.note).toBeNull();
      expect(updated.extra).toBeNull();
      expect(updated.custom).toEqual({ a: 1 });
    });

    test('deletes a row so that it can no longer be found', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      await ctx.adapter.delete({ ...item(t), id: String(data.id) });
      expect(await ctx.adapter.findOne({ ...item(t), id: String(data.id) })).toBeUndefined();
      expect(await rawCount(ctx, conformanceItem, t)).toBe(0);
    });

    test('throws NotFoundError naming the entity and id when updating or deleting a missing row', async () => {
      const t = newTenant();
      const error = await expectError(ctx.adapter.update({ ...item(t), id: 'nope', data: { name: 'x' } }), 'NOT_FOUND');
      expect(error).toMatchObject({ entity: 'conformance_item', id: 'nope' });
      await expectError(ctx.adapter.delete({ ...item(t), id: 'nope' }), 'NOT_FOUND');
    });

    test('updates every matching row with updateMany and returns how many it changed', async () => {
      const t = newTenant();
      const rows = [itemRow({ rank: 1 }), itemRow({ rank: 1 }), itemRow({ rank: 2 })];
      await ctx.adapter.createMany({ ...item(t), rows });
      expect(await ctx.adapter.updateMany({ ...item(t), where: { rank: 1 }, data: { name: 'changed' } })).toBe(2);
      const changed = await ctx.adapter.findMany({ ...item(t), where: { name: 'changed' } });
      expect(ids(changed)).toEqual(ids(rows.slice(0, 2)));
      expect(await ctx.adapter.count({ ...item(t), where: { name: 'item' } })).toBe(1);
    });

    test('deletes every matching row with deleteMany and returns how many it deleted', async () => {
      const t = newTenant();
      const rows = [itemRow({ rank: 1 }), itemRow({ rank: 1 }), itemRow({ rank: 2 })];
      await ctx.adapter.createMany({ ...item(t), rows });
      expect(await ctx.adapter.deleteMany({ ...item(t), where: { rank: 1 } })).toBe(2);
      expect(ids(await ctx.adapter.findMany(item(t)))).toEqual(ids(rows.slice(2)));
      expect(await ctx.adapter.deleteMany({ ...item(t), where: { rank: 99 } })).toBe(0);
    });

    test('counts all rows of the tenant, or those matching a filter', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ rank: 1 }), itemRow({ rank: 2 }), itemRow({ rank: 2 })] });
      expect(await ctx.adapter.count(item(t))).toBe(3);
      expect(await ctx.adapter.count({ ...item(t), where: { rank: 2 } })).toBe(2);
      expect(await ctx.adapter.count({ ...item(newTenant()) })).toBe(0);
    });

    test('returns only the selected fields plus id when findMany has select', async () => {
      const t = newTenant();
      await ctx.adapter.create({ ...item(t), data: itemRow({ name: 'Ada', quantity: 4 }) });
      const [row] = await ctx.adapter.findMany({ ...item(t), select: ['name', 'quantity'] });
      expect(Object.keys(row ?? {}).sort()).toEqual(['id', 'name', 'quantity']);
      expect(row).toMatchObject({ name: 'Ada', quantity: 4 });
    });

    test('returns at most limit rows from findMany', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow(), itemRow(), itemRow()] });
      expect(await ctx.adapter.findMany({ ...item(t), limit: 2 })).toHaveLength(2);
    });

    test('throws DuplicateError naming the entity when a unique index would be broken', async () => {
      const t = newTenant();
      await ctx.adapter.create({ ...item(t), data: itemRow({ slug: 'same' }) });
      const error = await expectError(ctx.adapter.create({ ...item(t), data: itemRow({ slug: 'same' }) }), 'DUPLICATE');
      expect(error.entity).toBe('conformance_item');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(1);
    });

    test('names the fields, not the columns, of the broken index in a DuplicateError when it names any, and keeps the driver error as cause', async () => {
      const t = newTenant();
      await ctx.adapter.create({ ...item(t), data: itemRow({ slug: 'same', code: 'same' }) });
      const bySlug = await expectError(ctx.adapter.create({ ...item(t), data: itemRow({ slug: 'same' }) }), 'DUPLICATE');
      if ((bySlug.fields as string[]).length > 0) expect(bySlug.fields).toEqual(['slug']);
      const byCode = await expectError(ctx.adapter.create({ ...item(t), data: itemRow({ code: 'same' }) }), 'DUPLICATE');
      if ((byCode.fields as string[]).length > 0) expect(byCode.fields).toEqual(['code']);
      expect(bySlug.cause).toBeDefined();
    });

    test('throws DuplicateError when an update would break a unique index, leaving the row unchanged', async () => {
      const t = newTenant();
      await ctx.adapter.create({ ...item(t), data: itemRow({ slug: 'taken' }) });
      const other = itemRow({ slug: 'free' });
      await ctx.adapter.create({ ...item(t), data: other });
      await expectError(ctx.adapter.update({ ...item(t), id: String(other.id), data: { slug: 'taken' } }), 'DUPLICATE');
      expect(await ctx.adapter.findOne({ ...item(t), id: String(other.id) })).toEqual(stored(conformanceItem, t, other));
    });

    test('allows many rows without a value under a partial unique index but refuses two with the same value', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow(), itemRow(), itemRow({ code: 'C1' })] });
      await expectError(ctx.adapter.create({ ...item(t), data: itemRow({ code: 'C1' }) }), 'DUPLICATE');
      expect(await ctx.adapter.count({ ...item(t), where: { code: null } })).toBe(2);
    });

    test('refuses a second row with an id the tenant already has', async () => {
      const t = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(t), data });
      await expectError(ctx.adapter.create({ ...item(t), data: itemRow({ id: data.id }) }), 'DUPLICATE');
    });

    test('creates and updates rows of an unversioned model, which has no version field', async () => {
      const t = newTenant();
      const data = jobRow({ payload: { n: 1 } });
      expect(await ctx.adapter.create({ ...job(t), data })).toEqual(stored(conformanceJob, t, data));
      const updated = await ctx.adapter.update({ ...job(t), id: String(data.id), data: { attempts: 1 } });
      expect(updated).toEqual(stored(conformanceJob, t, { ...data, attempts: 1 }));
      expect(updated).not.toHaveProperty('version');
    });
  });
}
