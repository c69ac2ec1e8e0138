import { type Where, storageLimits } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, newTenant, rawRows, seededFinder } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

/** Twelve rows: names n0..n11, quantity 0..11 with every third NULL, custom.tier a string, number or boolean. */
const seedRows = Array.from({ length: 12 }, (_, i) =>
  itemRow({
    name: `n${i}`,
    quantity: i % 3 === 0 ? null : i,
    amount: 2n ** 62n + BigInt(i),
    custom: i % 4 === 0 ? {} : { tier: i % 4 === 1 ? `tier${i}` : i % 4 === 2 ? i : i % 8 === 3 },
  }),
);

/** `count` decoys that match no seeded row, then the wanted values spread through them. */
function spread<T>(count: number, decoy: (i: number) => T, wanted: readonly T[]): T[] {
  const list = Array.from({ length: count }, (_, i) => decoy(i));
  wanted.forEach((value, i) => {
    list[Math.floor(((i + 1) * count) / (wanted.length + 1))] = value;
  });
  return list;
}

/**
 * Filters as large as real data makes them: `in` / `notIn` lists of 100,000
 * values (a record linked to that many others), `or` chains of 5,000 terms,
 * JSON-path lists of 5,000 values, mixed with NULL; and the documented limits
 * (`storageLimits`) refused with a `ValidationError` before any SQL runs,
 * never a driver error about too many parameters or too deep an expression.
 */
export function describeLargeFilters(options: ConformanceOptions): void {
  describePart('largeFilters', options, (ctx, test) => {
    const seeded = () => seededFinder(ctx, seedRows);
    const big = { timeout: 120_000 };

    test('matches in and notIn lists of 100,000 values, NULL included', async () => {
      const find = await seeded();
      const names = spread(100_000, (i) => `decoy-${i}`, ['n1', 'n5', 'n11']);
      expect(await find({ name: { in: names } })).toEqual(['n1', 'n11', 'n5']);
      const notIn = await find({ name: { notIn: names } });
      expect(notIn).toHaveLength(9);
      expect(notIn).not.toContain('n5');
      const quantities = spread<number | null>(100_000, (i) => 1_000 + i, [4, null, 7]);
      expect(await find({ quantity: { in: quantities } })).toEqual(['n0', 'n3', 'n4', 'n6', 'n7', 'n9']);
      expect(await find({ quantity: { notIn: quantities } })).toEqual(['n1', 'n10', 'n11', 'n2', 'n5', 'n8']);
      expect(await find({ not: { quantity: { in: quantities } } })).toEqual(['n1', 'n10', 'n11', 'n2', 'n5', 'n8']);
    }, big);

    test('matches a list of 100,000 ids and of 100,000 bigints beyond 2^53', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: seedRows });
      const ids = spread(100_000, (i) => `missing-${i}`, [String(seedRows[2]!.id), String(seedRows[9]!.id)]);
      const byId = await ctx.adapter.findMany({ ...item(t), where: { id: { in: ids } }, orderBy: [{ field: 'name' }] });
      expect(byId.map((row) => row.name)).toEqual(['n2', 'n9']);
      const amounts = spread(100_000, (i) => -(2n ** 62n) - BigInt(i), [2n ** 62n + 3n, 2n ** 62n + 8n]);
      expect(await ctx.adapter.count({ ...item(t), where: { amount: { in: amounts } } })).toBe(2);
    }, big);

    test('writes and aggregates through lists of 100,000 values', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: seedRows });
      const names = spread(100_000, (i) => `decoy-${i}`, ['n0', 'n1', 'n2']);
      expect(await ctx.adapter.updateMany({ ...item(t), where: { name: { in: names } }, data: { body: 'picked' } })).toBe(3);
      const [sum] = await ctx.adapter.aggregate({ ...item(t), metrics: { n: { fn: 'count', filter: { name: { in: names } } } } });
      expect(Number(sum?.n)).toBe(3);
      expect(await ctx.adapter.deleteMany({ ...item(t), where: { name: { notIn: names } } })).toBe(9);
      expect((await rawRows(ctx, conformanceItem, t)).length).toBe(3);
    }, big);

    test('matches an or of 5,000 terms, NULL tests included', async () => {
      const find = await seeded();
      const terms: Where[] = spread<Where>(5_000, (i) => ({ name: `decoy-${i}` }), [{ name: 'n2' }, { quantity: null }, { name: 'n8', quantity: 8 }]);
      expect(await find({ or: terms })).toEqual(['n0', 'n2', 'n3', 'n6', 'n8', 'n9']);
      expect(await find({ not: { or: terms } })).toEqual(['n1', 'n10', 'n11', 'n4', 'n5', 'n7']);
      const conjunction: Where[] = Array.from({ length: 5_000 }, (_, i) => ({ name: { ne: `decoy-${i}` } }));
      expect(await find({ and: conjunction, quantity: { gt: 9 } })).toEqual(['n10', 'n11']);
    }, big);

    test('matches a JSON-path in list of 5,000 values of every kind, NULL included', async () => {
      const find = await seeded();
      const tiers = spread<string | number | boolean | null>(5_000, (i) => (i % 2 === 0 ? `decoy-${i}` : 10_000 + i), ['tier5', 6, true, null]);
      // n0, n4, n8 have no tier (NULL); n5 'tier5'; n6 the number 6; n3 and n11 true, n7 false.
      expect(await find({ 'custom.tier': { in: tiers } })).toEqual(['n0', 'n11', 'n3', 'n4', 'n5', 'n6', 'n8']);
      expect(await find({ 'custom.tier': { notIn: tiers } })).toEqual(['n1', 'n10', 'n2', 'n7', 'n9']);
      // A number never matches a JSON string, nor a string a JSON number.
      expect(await find({ 'custom.tier': { in: spread<string | number>(5_000, (i) => `x${i}`, ['6', 5]) } })).toEqual([]);
    }, { ...big, requires: (capabilities) => capabilities.jsonPaths });

    test(`refuses a where-tree of more than ${storageLimits.maxWhereConditions} conditions before any SQL runs`, async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: seedRows });
      const before = await rawRows(ctx, conformanceItem, t);
      const or: Where[] = Array.from({ length: storageLimits.maxWhereConditions }, (_, i) => ({ name: `x${i}` }));
      const error = await expectError(ctx.adapter.deleteMany({ ...item(t), where: { or } }), 'VALIDATION_FAILED');
      expect(String(error.message)).toContain(String(storageLimits.maxWhereConditions));
      await expectError(ctx.adapter.findMany({ ...item(t), where: { name: { gt: 'a', lt: 'z' }, and: or.slice(1) } }), 'VALIDATION_FAILED');
      expect(await ctx.adapter.count({ ...item(t), where: { or: or.slice(1) } })).toBe(0);
      expect(await rawRows(ctx, conformanceItem, t)).toEqual(before);
    }, big);

    test(`refuses an in list of more than ${storageLimits.maxListValues} values`, async () => {
      const t = newTenant();
      const list = Array.from({ length: storageLimits.maxListValues + 1 }, (_, i) => i);
      await expectError(ctx.adapter.findMany({ ...item(t), where: { rank: { in: list } } }), 'VALIDATION_FAILED');
      await expectError(ctx.adapter.deleteMany({ ...item(t), where: { rank: { notIn: list } } }), 'VALIDATION_FAILED');
    }, big);
  });
}
