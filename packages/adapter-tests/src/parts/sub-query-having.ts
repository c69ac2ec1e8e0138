import type { Having, HavingCondition, Row, SubQuery, Where } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, job, jobRow, newTenant } from '../fixtures.js';
import { conformanceItem, conformanceJob } from '../models.js';
import type { ConformanceOptions } from '../options.js';
import { matchesWhere } from '../reference.js';

const times = ['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T12:00:00.000Z', null] as const;

const rowArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c', 'd'),
  note: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: null }),
  rank: fc.integer({ min: -3, max: 3 }),
  quantity: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
  done: fc.boolean(),
  closedAt: fc.constantFrom(...times),
});

const comparisonArb = (values: fc.Arbitrary<unknown>) =>
  fc.tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte'), values).map(([op, value]) => ({ [op]: value }));

const filterArb: fc.Arbitrary<Where | undefined> = fc.constantFrom(undefined, { done: true }, { rank: { gte: 0 } });

const conditionArb: fc.Arbitrary<HavingCondition> = fc.oneof(
  fc.tuple(comparisonArb(fc.integer({ min: 0, max: 4 })), filterArb, fc.constantFrom(undefined, 'quantity')).map(([cmp, filter, field]) => ({
    fn: 'count' as const, ...(field ? { field } : {}), ...(filter ? { filter } : {}), ...cmp,
  })),
  fc.tuple(fc.constantFrom('sum', 'min', 'max') as fc.Arbitrary<'sum' | 'min' | 'max'>, comparisonArb(fc.option(fc.integer({ min: -4, max: 6 }), { nil: null, freq: 6 })), filterArb)
    .map(([fn, cmp, filter]) => ({ fn, field: 'rank', ...(filter ? { filter } : {}), ...cmp })),
  fc.tuple(fc.constantFrom('avg', 'percentile') as fc.Arbitrary<'avg' | 'percentile'>, comparisonArb(fc.integer({ min: -3, max: 3 }).map((n) => n / 2)))
    .map(([fn, cmp]) => ({ fn, field: 'quantity', ...(fn === 'percentile' ? { p: 0.5 } : {}), ...cmp })),
  fc.tuple(fc.constantFrom('min', 'max') as fc.Arbitrary<'min' | 'max'>, comparisonArb(fc.constantFrom(...times))).map(([fn, cmp]) => ({ fn, field: 'closedAt', ...cmp })),
);

const havingArb: fc.Arbitrary<Having> = fc.letrec<{ node: Having }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    { weight: 4, arbitrary: conditionArb },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((and) => ({ and })) },
    { weight: 1, arbitrary: fc.array(tie('node'), { maxLength: 3 }).map((or) => ({ or })) },
    { weight: 1, arbitrary: tie('node').map((not) => ({ not })) },
  ),
})).node;

/**
 * `inQuery` with `having`: a value is collected when its group of sub-query
 * rows passes aggregate conditions (count, sum, avg, min, max, percentile, each
 * with its own filter) combined with and / or / not, against a JavaScript
 * reference; on another model, under `not`, nested, tenant-scoped, validated.
 */
export function describeSubQueryHaving(options: ConformanceOptions): void {
  describePart('subQueryHaving', options, (ctx, test) => {
    const names = async (t: string, where: Where) => {
      const rows = await ctx.adapter.findMany({ ...item(t), where });
      const found = rows.map((row) => String(row.name)).sort();
      expect(await ctx.adapter.count({ ...item(t), where }), 'count agrees with findMany').toBe(found.length);
      return found;
    };

    test('keeps exactly the values whose group passes random having trees, as the reference does', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(rowArb, { maxLength: 16 }), fc.constantFrom('name', 'note'), fc.option(fc.constantFrom<Where>({ done: false }, { quantity: { isNull: false } }), { nil: undefined }), havingArb, fc.boolean(),
          async (values, field, where, having, negate) => {
            const t = newTenant();
            const rows: Row[] = values.map((v) => itemRow(v));
            if (rows.length > 0) await ctx.adapter.createMany({ ...item(t), rows });
            const sub: SubQuery = { model: conformanceItem, field, ...(where ? { where } : {}), having };
            const tree: Where = negate ? { not: { name: { inQuery: sub } } } : { name: { inQuery: sub } };
            const expected = rows.filter((row) => matchesWhere(row, tree, () => rows)).map((row) => String(row.name)).sort();
            expect(await names(t, tree)).toEqual(expected);
          }),
        { numRuns: 60 },
      );
    }, { timeout: 120_000 });

    test('selects items with two or more jobs, with at least 5 attempts in all, with the last due before a date', async () => {
      const t = newTenant();
      await ctx.adapter.createMany({ ...item(t), rows: ['a', 'b', 'c', 'd'].map((name) => itemRow({ name })) });
      await ctx.adapter.createMany({
        ...job(t),
        rows: [
          jobRow({ queue: 'a', attempts: 1, dueAt: '2024-01-01T00:00:00.000Z' }),
          jobRow({ queue: 'a', attempts: 1, dueAt: '2024-05-01T00:00:00.000Z' }),
          jobRow({ queue: 'b', attempts: 4, dueAt: '2024-01-01T00:00:00.000Z' }),
          jobRow({ queue: 'b', attempts: 2, dueAt: '2024-02-01T00:00:00.000Z' }),
          jobRow({ queue: 'c', attempts: 9, dueAt: '2024-01-01T00:00:00.000Z' }),
        ],
      });
      const jobs = (having: Having): Where => ({ name: { inQuery: { model: conformanceJob, field: 'queue', having } } });
      expect(await names(t, jobs({ fn: 'count', gte: 2 }))).toEqual(['a', 'b']);
      expect(await names(t, jobs({ fn: 'sum', field: 'attempts', gte: 5 }))).toEqual(['b', 'c']);
      expect(await names(t, jobs({ fn: 'max', field: 'dueAt', lt: new Date('2024-03-01T00:00:00.000Z') }))).toEqual(['b', 'c']);
      expect(await names(t, jobs({ and: [{ fn: 'count', gte: 2 }, { fn: 'sum', field: 'attempts', gte: 5 }] }))).toEqual(['b']);
      expect(await names(t, jobs({ fn: 'count', filter: { attempts: { gte: 2 } }, eq: 0 }))).toEqual(['a']);
      // Items without any job have no group: only the complement of "two or more" includes them.
      expect(await names(t, { not: jobs({ fn: 'count', gte: 2 }) })).toEqual(['c', 'd']);
      expect(await names(t, jobs({ not: { fn: 'count', gte: 2 } }))).toEqual(['c']);
      // Nested: items with two or more jobs in a queue whose item has a job due in May.
      const may = { name: { inQuery: { model: conformanceJob, field: 'queue', where: { dueAt: { gte: '2024-05-01T00:00:00.000Z' } } } } };
      expect(await names(t, { name: { inQuery: { model: conformanceItem, field: 'name', where: may, having: { fn: 'count', eq: 1 } } } })).toEqual(['a']);
      // Another tenant's jobs never count.
      const other = newTenant();
      await ctx.adapter.createMany({ ...job(other), rows: [jobRow({ queue: 'd' }), jobRow({ queue: 'd' })] });
      expect(await names(t, jobs({ fn: 'count', gte: 2 }))).toEqual(['a', 'b']);
    });

    test('refuses malformed having trees and operands the metric cannot be compared with', async () => {
      const t = newTenant();
      const bad = (having: unknown) =>
        expectError(ctx.adapter.findMany({ ...item(t), where: { name: { inQuery: { model: conformanceJob, field: 'queue', having: having as Having } } } }), 'VALIDATION_FAILED');
      await bad({ fn: 'count' });
      await bad({ fn: 'median', gte: 1 });
      await bad({ fn: 'sum', gte: 1 });
      await bad({ fn: 'sum', field: 'queue', gte: 1 });
      await bad({ fn: 'sum', field: 'nope', gte: 1 });
      await bad({ fn: 'count', gte: 1.5 });
      await bad({ fn: 'count', gte: 'x' });
      await bad({ fn: 'max', field: 'dueAt', lt: 'yesterday' });
      await bad({ fn: 'percentile', field: 'attempts', gte: 1 });
      await bad({ fn: 'count', p: 0.5, gte: 1 });
      await bad({ fn: 'count', gte: 1, other: 1 });
      await bad({ fn: 'count', filter: { nope: 1 }, gte: 1 });
      await bad({ and: [{ fn: 'count', gte: 1 }], or: [] });
      await bad({ and: { fn: 'count', gte: 1 } });
      await bad([]);
    });
  });
}
