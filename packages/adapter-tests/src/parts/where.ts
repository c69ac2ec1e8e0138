import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { item, itemRow, newTenant, seededFinder } from '../fixtures.js';
import type { ConformanceOptions } from '../options.js';
import { defineWhereProperty } from './where-property.js';

const seedRows = [
  itemRow({ name: 'apple', note: 'Apple pie 50%', rank: 1, quantity: 1, score: 1.5, active: true, amount: 10, tags: ['vip', 'x'], occurredAt: '2024-01-01T00:00:00.000Z', endsOn: '2024-01-31' }),
  itemRow({ name: 'banana', note: 'a_b', rank: 2, quantity: 5, score: -2, active: false, amount: 20, tags: ['x'], occurredAt: '2024-06-01T12:00:00.000Z' }),
  itemRow({ name: 'cherry', rank: 3, amount: 30, occurredAt: '2025-01-01T00:00:00.000Z', endsOn: '2025-12-31' }),
  itemRow({ name: 'apricot', note: 'ab', rank: 2, quantity: 10, score: 0, active: true, amount: 40, tags: ['y', 2], occurredAt: '2024-03-01T00:00:00.000Z', endsOn: '2024-12-31' }),
];

/** The seed rows above in a fresh tenant, behind a name finder. */
const seeded = (ctx: ConformanceContext) => seededFinder(ctx, seedRows);

/**
 * Every where operator on every field type, NULL semantics as documented in
 * `where.ts`, and/or/not nesting, empty lists, and a property test against the
 * reference implementation.
 */
export function describeWhere(options: ConformanceOptions): void {
  describePart('where', options, (ctx, test) => {
    test('treats a plain value as eq', async () => {
      const find = await seeded(ctx);
      expect(await find({ name: 'apple' })).toEqual(['apple']);
      expect(await find({ name: 'nothing' })).toEqual([]);
    });

    test('compares eq on integer, bigint, number, boolean, timestamp and date fields', async () => {
      const find = await seeded(ctx);
      expect(await find({ quantity: { eq: 5 } })).toEqual(['banana']);
      expect(await find({ amount: 30 })).toEqual(['cherry']);
      expect(await find({ amount: 40n })).toEqual(['apricot']);
      expect(await find({ score: -2 })).toEqual(['banana']);
      expect(await find({ active: false })).toEqual(['banana']);
      expect(await find({ active: true })).toEqual(['apple', 'apricot']);
      expect(await find({ occurredAt: '2024-06-01T12:00:00.000Z' })).toEqual(['banana']);
      expect(await find({ endsOn: '2024-12-31' })).toEqual(['apricot']);
    });

    test('treats eq null as IS NULL and ne null as IS NOT NULL', async () => {
      const find = await seeded(ctx);
      expect(await find({ quantity: null })).toEqual(['cherry']);
      expect(await find({ quantity: { eq: null } })).toEqual(['cherry']);
      expect(await find({ quantity: { ne: null } })).toEqual(['apple', 'apricot', 'banana']);
    });

    test('includes rows where the field is NULL in ne with a value', async () => {
      const find = await seeded(ctx);
      expect(await find({ quantity: { ne: 5 } })).toEqual(['apple', 'apricot', 'cherry']);
      expect(await find({ active: { ne: true } })).toEqual(['banana', 'cherry']);
    });

    test('compares with lt, lte, gt and gte and never matches NULL', async () => {
      const find = await seeded(ctx);
      expect(await find({ quantity: { lt: 5 } })).toEqual(['apple']);
      expect(await find({ quantity: { lte: 5 } })).toEqual(['apple', 'banana']);
      expect(await find({ quantity: { gt: 1 } })).toEqual(['apricot', 'banana']);
      expect(await find({ quantity: { gte: 1 } })).toEqual(['apple', 'apricot', 'banana']);
      expect(await find({ score: { lt: 0 } })).toEqual(['banana']);
      expect(await find({ amount: { gte: 25n } })).toEqual(['apricot', 'cherry']);
      expect(await find({ name: { gte: 'b' } })).toEqual(['banana', 'cherry']);
    });

    test('compares timestamps in time order and accepts a Date for a timestamp', async () => {
      const find = await seeded(ctx);
      expect(await find({ occurredAt: { gte: '2024-03-01T00:00:00.000Z' } })).toEqual(['apricot', 'banana', 'cherry']);
      expect(await find({ occurredAt: { gt: new Date('2024-06-01T12:00:00.000Z') } })).toEqual(['cherry']);
      expect(await find({ occurredAt: new Date('2024-01-01T00:00:00.000Z') })).toEqual(['apple']);
    });

    test('compares dates in calendar order', async () => {
      const find = await seeded(ctx);
      expect(await find({ endsOn: { lt: '2025-01-01' } })).toEqual(['apple', 'apricot']);
      expect(await find({ endsOn: { gte: '2024-12-31' } })).toEqual(['apricot', 'cherry']);
    });

    test('requires every operator of one filter and every key of one object to hold', async () => {
      const find = await seeded(ctx);
      expect(await find({ quantity: { gt: 1, lt: 10 } })).toEqual(['banana']);
      expect(await find({ rank: 2, active: true })).toEqual(['apricot']);
    });

    test('matches any of the values with in and none with notIn', async () => {
      const find = await seeded(ctx);
      expect(await find({ name: { in: ['apple', 'cherry', 'zzz'] } })).toEqual(['apple', 'cherry']);
      expect(await find({ rank: { in: [2] } })).toEqual(['apricot', 'banana']);
      expect(await find({ name: { notIn: ['apple', 'banana'] } })).toEqual(['apricot', 'cherry']);
    });

    test('matches nothing with an empty in list and everything with an empty notIn list', async () => {
      const find = await seeded(ctx);
      expect(await find({ name: { in: [] } })).toEqual([]);
      expect(await find({ quantity: { notIn: [] } })).toEqual(['apple', 'apricot', 'banana', 'cherry']);
    });

    test('includes rows where the field is NULL in notIn, as ne does', async () => {
      const find = await seeded(ctx);
      expect(await find({ quantity: { notIn: [1, 5] } })).toEqual(['apricot', 'cherry']);
    });

    test('matches substrings and prefixes case-sensitively with contains and startsWith', async () => {
      const find = await seeded(ctx);
      expect(await find({ note: { contains: 'pie' } })).toEqual(['apple']);
      expect(await find({ note: { contains: 'apple' } })).toEqual([]);
      expect(await find({ note: { startsWith: 'A' } })).toEqual(['apple']);
      expect(await find({ note: { startsWith: 'a' } })).toEqual(['apricot', 'banana']);
      expect(await find({ name: { contains: 'an' } })).toEqual(['banana']);
    });

    test('treats % and _ as literal characters in contains and startsWith', async () => {
      const find = await seeded(ctx);
      expect(await find({ note: { contains: '%' } })).toEqual(['apple']);
      expect(await find({ note: { contains: '_' } })).toEqual(['banana']);
      expect(await find({ note: { startsWith: 'a_' } })).toEqual(['banana']);
      expect(await find({ note: { contains: '5_%' } })).toEqual([]);
    });

    test('finds an element of a JSON array field with has', async () => {
      const find = await seeded(ctx);
      expect(await find({ tags: { has: 'x' } })).toEqual(['apple', 'banana']);
      expect(await find({ tags: { has: 'vip' } })).toEqual(['apple']);
      expect(await find({ tags: { has: 2 } })).toEqual(['apricot']);
      expect(await find({ tags: { has: '2' } })).toEqual([]);
      expect(await find({ tags: { has: 'nothing' } })).toEqual([]);
    });

    test('finds booleans and numbers in JSON arrays with has, without confusing true and 1', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: [itemRow({ name: 'true', tags: [true] }), itemRow({ name: 'false', tags: [false] }), itemRow({ name: 'one', tags: [1] }), itemRow({ name: 'text', tags: ['true'] })] });
      const find = async (has: string | number | boolean) => (await ctx.adapter.findMany({ ...item(t), where: { tags: { has } } })).map((row) => row.name);
      expect(await find(true)).toEqual(['true']);
      expect(await find(false)).toEqual(['false']);
      expect(await find(1)).toEqual(['one']);
      expect(await find('true')).toEqual(['text']);
    });

    test('matches NULL with isNull true and values with isNull false', async () => {
      const find = await seeded(ctx);
      expect(await find({ note: { isNull: true } })).toEqual(['cherry']);
      expect(await find({ endsOn: { isNull: false } })).toEqual(['apple', 'apricot', 'cherry']);
    });

    test('nests and, or and not to any depth', async () => {
      const find = await seeded(ctx);
      expect(await find({ or: [{ name: 'apple' }, { and: [{ rank: 2 }, { active: true }] }] })).toEqual(['apple', 'apricot']);
      expect(await find({ not: { rank: 2 } })).toEqual(['apple', 'cherry']);
      expect(await find({ not: { not: { rank: 2 } } })).toEqual(['apricot', 'banana']);
      expect(await find({ rank: { gte: 2 }, or: [{ active: false }, { active: null }] })).toEqual(['banana', 'cherry']);
      expect(await find({ and: [{ or: [{ rank: 1 }, { rank: 3 }] }, { not: { name: 'cherry' } }] })).toEqual(['apple']);
    });

    test('treats not as the complement, so it matches rows where the inner field is NULL', async () => {
      const find = await seeded(ctx);
      expect(await find({ not: { quantity: { gt: 1 } } })).toEqual(['apple', 'cherry']);
      expect(await find({ not: { note: { contains: 'a' } } })).toEqual(['apple', 'cherry']);
    });

    test('treats an empty and as always true and an empty or as always false', async () => {
      const find = await seeded(ctx);
      expect(await find({ and: [] })).toHaveLength(4);
      expect(await find({ or: [] })).toEqual([]);
      expect(await find({})).toHaveLength(4);
    });

    defineWhereProperty(ctx, test);
  });
}
