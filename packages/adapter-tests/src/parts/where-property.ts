import type { Scalar, Where } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ConformanceContext, ConformanceTest } from '../context.js';
import { ids, item, itemRow, newTenant, stored } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import { matchesWhere } from '../reference.js';

interface FieldSpec {
  key: string;
  value: fc.Arbitrary<Scalar>;
  /** Range operators apply (values whose order every collation agrees on). */
  ordered?: boolean;
  /** contains / startsWith apply, with these needles. */
  needles?: readonly string[];
  /** A JSON array: only `has` applies. */
  array?: boolean;
}

const stamps = ['1999-12-31T23:59:59.999Z', '2024-01-01T00:00:00.000Z', '2024-01-01T00:00:00.001Z', '2024-02-29T12:00:00.000Z'];
const days = ['2023-12-31', '2024-01-01', '2024-02-29'];
const names = ['a', 'ab', 'abc', 'b', 'ba', 'c'];
const notes = ['', 'A', 'a', 'a%', 'a_b', 'ab', '%', '_x', 'b a'];
const tiers = ['bronze', 'gold', 'silver'];

const rowArb = fc.record({
  name: fc.constantFrom(...names),
  note: fc.option(fc.constantFrom(...notes), { nil: null }),
  rank: fc.integer({ min: -3, max: 3 }),
  quantity: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
  score: fc.option(fc.constantFrom(-1.5, 0, 0.25, 2, 1e6), { nil: null }),
  active: fc.option(fc.boolean(), { nil: null }),
  occurredAt: fc.constantFrom(...stamps),
  endsOn: fc.option(fc.constantFrom(...days), { nil: null }),
  tags: fc.subarray(['x', 'y', 'z']),
  custom: fc.record(
    {
      tier: fc.option(fc.constantFrom(...tiers), { nil: null }),
      n: fc.constantFrom(-1, 2, 2.5, 10),
      deep: fc.record({ flag: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
});

function specs(jsonPaths: boolean): FieldSpec[] {
  const list: FieldSpec[] = [
    { key: 'name', value: fc.constantFrom(...names), ordered: true, needles: ['a', 'b', 'ab', 'c'] },
    { key: 'note', value: fc.constantFrom(...notes), needles: ['a', 'A', '%', '_', 'a_', 'a%', ' '] },
    { key: 'rank', value: fc.integer({ min: -4, max: 4 }), ordered: true },
    { key: 'quantity', value: fc.integer({ min: -4, max: 4 }), ordered: true },
    { key: 'score', value: fc.constantFrom(-1.5, 0, 0.25, 1, 2, 1e6), ordered: true },
    { key: 'active', value: fc.boolean() },
    { key: 'occurredAt', value: fc.oneof(fc.constantFrom(...stamps), fc.constantFrom(...stamps).map((s) => new Date(s))), ordered: true },
    { key: 'endsOn', value: fc.constantFrom(...days), ordered: true },
    { key: 'tags', value: fc.constantFrom('x', 'y', 'z', 'w'), array: true },
  ];
  if (jsonPaths) {
    list.push(
      { key: 'custom.tier', value: fc.constantFrom(...tiers, 'platinum'), ordered: true, needles: ['o', 'go', 's'] },
      { key: 'custom.n', value: fc.constantFrom(-1, 0, 2, 2.5, 3, 10), ordered: true },
      { key: 'custom.deep.flag', value: fc.boolean() },
    );
  }
  return list;
}

function leafArb(spec: FieldSpec): fc.Arbitrary<Where> {
  if (spec.array) return spec.value.map((has) => ({ [spec.key]: { has: has as string } }));
  const value = spec.value;
  const nullable = fc.option(value, { nil: null, freq: 4 });
  const list = fc.array(value, { maxLength: 3 });
  const filters: fc.Arbitrary<unknown>[] = [
    value,
    nullable.map((eq) => ({ eq })),
    nullable.map((ne) => ({ ne })),
    list.map((values) => ({ in: values })),
    list.map((values) => ({ notIn: values })),
    fc.boolean().map((isNull) => ({ isNull })),
  ];
  if (spec.ordered) {
    filters.push(
      fc.record({ lt: value, lte: value, gt: value, gte: value }, { requiredKeys: [] }),
    );
  }
  if (spec.needles) {
    const needle = fc.constantFrom(...spec.needles);
    filters.push(needle.map((contains) => ({ contains })), needle.map((startsWith) => ({ startsWith })));
  }
  return fc.oneof(...filters).map((filter) => ({ [spec.key]: filter }) as Where);
}

function treeArb(leaf: fc.Arbitrary<Where>, depth: number): fc.Arbitrary<Where> {
  if (depth === 0) return leaf;
  const sub = treeArb(leaf, depth - 1);
  const children = fc.array(sub, { minLength: 1, maxLength: 3 });
  return fc.oneof(
    { weight: 4, arbitrary: leaf },
    { weight: 1, arbitrary: children.map((and) => ({ and })) },
    { weight: 1, arbitrary: children.map((or) => ({ or })) },
    { weight: 1, arbitrary: sub.map((not) => ({ not })) },
    { weight: 1, arbitrary: fc.tuple(leaf, leaf).map(([a, b]) => ({ ...a, ...b })) },
  );
}

/** Adds the where-tree property test to a part: random rows and trees, adapter versus {@link matchesWhere}. */
export function defineWhereProperty(ctx: ConformanceContext, test: ConformanceTest): void {
  test(
    'agrees with the reference semantics on random rows and random where-trees',
    async () => {
      const leaves = specs(ctx.capabilities.jsonPaths).map(leafArb);
      const where = treeArb(fc.oneof(...leaves), 3);
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { maxLength: 12 }), fc.array(where, { minLength: 1, maxLength: 6 }), async (rows, trees) => {
          const t = newTenant();
          const data = rows.map((row) => itemRow(row));
          await ctx.adapter.createMany({ ...item(t), rows: data });
          const rowsAsStored = data.map((row) => stored(conformanceItem, t, row));
          for (const tree of trees) {
            const expected = ids(rowsAsStored.filter((row) => matchesWhere(row, tree)));
            expect(ids(await ctx.adapter.findMany({ ...item(t), where: tree })), JSON.stringify(tree)).toEqual(expected);
            expect(await ctx.adapter.count({ ...item(t), where: tree }), JSON.stringify(tree)).toBe(expected.length);
          }
        }),
        { numRuns: 60 },
      );
    },
    { timeout: 120_000 },
  );
}
