import type { Row, SubQuery, Where } from '@crmkit/core';
import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { expectError, ids, item, itemRow, job, jobRow, newTenant, rawRows, stored } from '../fixtures.js';
import { conformanceItem, conformanceJob } from '../models.js';
import type { ConformanceOptions } from '../options.js';
import { matchesWhere } from '../reference.js';

const queues = (where?: Where): SubQuery => ({ model: conformanceJob, field: 'queue', ...(where ? { where } : {}) });
const notes = (where?: Where): SubQuery => ({ model: conformanceItem, field: 'note', ...(where ? { where } : {}) });

/** Items a..e (note: a's is 'b', c's and e's are NULL), and jobs whose queues name some of them. */
async function seed(ctx: ConformanceContext): Promise<{ t: string; names: (where: Where) => Promise<string[]> }> {
  const t = newTenant();
  await ctx.adapter.createMany({
    ...item(t),
    rows: [
      itemRow({ name: 'a', note: 'b', rank: 1, quantity: 1 }),
      itemRow({ name: 'b', note: 'd', rank: 2, quantity: null }),
      itemRow({ name: 'c', note: null, rank: 3, quantity: 2 }),
      itemRow({ name: 'd', note: 'zz', rank: 1, quantity: 3 }),
      itemRow({ name: 'e', note: null, rank: 2, quantity: null }),
    ],
  });
  await ctx.adapter.createMany({
    ...job(t),
    rows: [jobRow({ queue: 'a', attempts: 0 }), jobRow({ queue: 'c', attempts: 2 }), jobRow({ queue: 'c', attempts: 5 }), jobRow({ queue: 'x', attempts: 0 })],
  });
  return {
    t,
    async names(where) {
      const rows = await ctx.adapter.findMany({ ...item(t), where });
      const found = rows.map((row) => String(row.name)).sort();
      expect(await ctx.adapter.count({ ...item(t), where }), 'count agrees with findMany').toBe(found.length);
      return found;
    },
  };
}

const subRowArb = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  note: fc.option(fc.constantFrom('a', 'b', 'x'), { nil: null }),
  rank: fc.integer({ min: 0, max: 2 }),
  quantity: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
});

const innerLeafArb: fc.Arbitrary<Where> = fc.oneof(
  fc.constantFrom('a', 'b', 'c').map((name) => ({ name })),
  fc.integer({ min: 0, max: 2 }).map((rank) => ({ rank: { gte: rank } })),
  fc.boolean().map((isNull) => ({ quantity: { isNull } })),
);

/** A leaf comparing a field of the item with a field of other items (a self semi-join), nested up to `depth` deep. */
function subQueryLeafArb(depth: number): fc.Arbitrary<Where> {
  const inner = depth === 0 ? innerLeafArb : fc.oneof({ weight: 3, arbitrary: innerLeafArb }, { weight: 1, arbitrary: subQueryLeafArb(depth - 1) });
  return fc
    .tuple(
      fc.constantFrom(['name', 'note'], ['note', 'name'], ['name', 'name'], ['rank', 'quantity'], ['quantity', 'rank']),
      fc.option(inner, { nil: undefined }),
      fc.boolean(),
    )
    .map(([[outer, field], where, negated]) => {
      const leaf: Where = { [outer!]: { inQuery: { model: conformanceItem, field: field!, ...(where ? { where } : {}) } } };
      return negated ? { not: leaf } : leaf;
    });
}

/**
 * `inQuery`, the tenant-scoped semi-join: a field equal to the values another
 * model's (or the same model's) matching rows hold, NULL never matching, the
 * sub-query never seeing another tenant, in every method that filters, and a
 * property test against the reference semantics.
 */
export function describeSubQueries(options: ConformanceOptions): void {
  describePart('subQueries', options, (ctx, test) => {
    test("matches rows whose field equals a value of another model's matching rows", async () => {
      const { names } = await seed(ctx);
      expect(await names({ name: { inQuery: queues() } })).toEqual(['a', 'c']);
      expect(await names({ name: { inQuery: queues({ attempts: { gt: 1 } }) } })).toEqual(['c']);
      expect(await names({ name: { inQuery: queues({ attempts: 99 }) } })).toEqual([]);
    });

    test('reads the same model in a sub-query without confusing its rows with the outer row', async () => {
      const { names } = await seed(ctx);
      // Items whose name is some item's note: b (a's note) and d (b's note).
      expect(await names({ name: { inQuery: notes() } })).toEqual(['b', 'd']);
      expect(await names({ name: { inQuery: notes({ rank: 1 }) } })).toEqual(['b']);
      // text and string compare: notes that are some item's name.
      expect(await names({ note: { inQuery: { model: conformanceItem, field: 'name', where: { rank: { gte: 2 } } } } })).toEqual(['a']);
    });

    test('never matches NULL on either side, and not gives the complement including NULL', async () => {
      const { names } = await seed(ctx);
      // quantity values 1, 2, 3 and NULLs; rank values 1, 2, 3: NULL quantities match nothing.
      expect(await names({ quantity: { inQuery: { model: conformanceItem, field: 'rank' } } })).toEqual(['a', 'c', 'd']);
      expect(await names({ rank: { inQuery: { model: conformanceItem, field: 'quantity' } } })).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await names({ rank: { inQuery: { model: conformanceItem, field: 'quantity', where: { name: 'a' } } } })).toEqual(['a', 'd']);
      expect(await names({ not: { quantity: { inQuery: { model: conformanceItem, field: 'rank', where: { rank: 1 } } } } })).toEqual(['b', 'c', 'd', 'e']);
      // Every note is some item's note, but NULL notes are not.
      expect(await names({ note: { inQuery: notes() } })).toEqual(['a', 'b', 'd']);
    });

    test('nests sub-queries and combines them with and, or, not and other operators', async () => {
      const { names } = await seed(ctx);
      const nested: Where = { name: { inQuery: notes({ name: { inQuery: queues() } }) } };
      expect(await names(nested)).toEqual(['b']);
      expect(await names({ or: [nested, { name: 'e' }], rank: { lte: 2 } })).toEqual(['b', 'e']);
      expect(await names({ name: { inQuery: queues(), ne: 'a' } })).toEqual(['c']);
      expect(await names({ and: [{ name: { inQuery: queues() } }, { not: { name: { inQuery: queues({ attempts: 0 }) } } }] })).toEqual(['c']);
    });

    test('never reads another tenant in a sub-query', async () => {
      const { t, names } = await seed(ctx);
      const other = newTenant();
      await ctx.adapter.createMany({ ...job(other), rows: [jobRow({ queue: 'b' }), jobRow({ queue: 'd' }), jobRow({ queue: 'e' })] });
      await ctx.adapter.createMany({ ...item(other), rows: [itemRow({ name: 'x', note: 'a' }), itemRow({ name: 'a', note: 'e' })] });
      expect(await names({ name: { inQuery: queues() } })).toEqual(['a', 'c']);
      expect(await names({ name: { inQuery: notes() } })).toEqual(['b', 'd']);
      expect(await ctx.adapter.count({ ...item(other), where: { name: { inQuery: queues() } } })).toBe(0);
      expect(await ctx.adapter.count({ ...item(other), where: { name: { inQuery: notes() } } })).toBe(1);
      expect(await ctx.adapter.count({ ...item(t), where: { name: { inQuery: queues() } } })).toBe(2);
    });

    test('filters updateMany, deleteMany and aggregate with sub-queries', async () => {
      const { t } = await seed(ctx);
      expect(await ctx.adapter.updateMany({ ...item(t), where: { name: { inQuery: queues() } }, data: { body: 'queued' } })).toBe(2);
      const [row] = await ctx.adapter.aggregate({
        ...item(t),
        metrics: { queued: { fn: 'count', filter: { name: { inQuery: queues() } } }, ranks: { fn: 'sum', field: 'rank', filter: { name: { inQuery: notes() } } } },
      });
      expect(Number(row?.queued)).toBe(2);
      expect(Number(row?.ranks)).toBe(3);
      expect(await ctx.adapter.deleteMany({ ...item(t), where: { not: { name: { inQuery: queues() } } } })).toBe(3);
      expect((await rawRows(ctx, conformanceItem, t)).map((r) => r.body)).toEqual(['queued', 'queued']);
    });

    test("scopes sub-queries of claimDue across tenants to each claimed row's tenant", async () => {
      const [a, b] = [newTenant(), newTenant()];
      const queue = `q-${a}`;
      const due = '2024-01-01T00:00:00.000Z';
      await ctx.adapter.createMany({ ...job(a), rows: [jobRow({ queue, dueAt: due, payload: null })] });
      await ctx.adapter.createMany({ ...job(b), rows: [jobRow({ queue, dueAt: due, payload: null })] });
      await ctx.adapter.create({ ...item(b), data: itemRow({ name: queue }) });
      const claimed = await ctx.adapter.claimDue({
        model: conformanceJob, dueField: 'dueAt', leaseField: 'leasedUntil', now: '2024-01-02T00:00:00.000Z', leaseUntil: '2024-01-03T00:00:00.000Z',
        limit: 100, where: { queue: { eq: queue, inQuery: { model: conformanceItem, field: 'name' } } },
      });
      expect(claimed.map((r) => r.tenantId)).toEqual([b]);
      // A sub-query over the claimed model itself: only a's job has a sibling with attempts 7.
      const self = `s-${a}`;
      await ctx.adapter.createMany({ ...job(a), rows: [jobRow({ queue: self, dueAt: due }), jobRow({ queue: self, dueAt: '2030-01-01T00:00:00.000Z', attempts: 7 })] });
      await ctx.adapter.createMany({ ...job(b), rows: [jobRow({ queue: self, dueAt: due })] });
      const siblings = await ctx.adapter.claimDue({
        model: conformanceJob, dueField: 'dueAt', leaseField: 'leasedUntil', now: '2024-01-02T00:00:00.000Z', leaseUntil: '2024-01-03T00:00:00.000Z',
        limit: 100, where: { queue: { eq: self, inQuery: { model: conformanceJob, field: 'queue', where: { attempts: 7 } } } },
      });
      expect(siblings.map((r) => r.tenantId)).toEqual([a]);
    });

    test('joins through 20,000 matching rows', async () => {
      const t = newTenant();
      const n = 20_000;
      await ctx.adapter.createMany({ ...job(t), rows: Array.from({ length: n }, (_, i) => jobRow({ queue: `n${i}`, attempts: i % 2 })) });
      await ctx.adapter.createMany({ ...item(t), rows: Array.from({ length: 300 }, (_, i) => itemRow({ name: `n${i * 100}` })) });
      expect(await ctx.adapter.count({ ...item(t), where: { name: { inQuery: queues({ attempts: 0 }) } } })).toBe(200);
      const page = await ctx.adapter.findMany({ ...item(t), where: { name: { inQuery: queues() } }, orderBy: [{ field: 'name' }], limit: 3 });
      expect(page.map((r) => r.name)).toEqual(['n0', 'n100', 'n1000']);
    }, { timeout: 120_000 });

    test('refuses sub-queries on JSON paths, of unknown or mismatched fields, and of things that are not models', async () => {
      const { t } = await seed(ctx);
      const before = await rawRows(ctx, conformanceItem, t);
      const bad: unknown[] = [
        { name: { inQuery: { model: conformanceJob, field: 'nope' } } },
        { name: { inQuery: { model: conformanceJob, field: 'attempts' } } },
        { rank: { inQuery: { model: conformanceJob, field: 'queue' } } },
        { 'custom.a': { inQuery: queues() } },
        { name: { inQuery: { model: conformanceItem, field: 'custom.a' } } },
        { name: { inQuery: { model: { name: 'x' }, field: 'queue' } } },
        { name: { inQuery: 'crm_job' } },
        { name: { inQuery: { ...queues(), limit: 3 } } },
        { name: { inQuery: queues({ nope: 1 }) } },
        { name: { inQuery: queues({ queue: { eq: { a: 1 } } }) } },
      ];
      for (const where of bad) {
        await expectError(ctx.adapter.findMany({ ...item(t), where: where as Where }), 'VALIDATION_FAILED');
        await expectError(ctx.adapter.deleteMany({ ...item(t), where: where as Where }), 'VALIDATION_FAILED');
      }
      let deep: Where = { name: 'x' };
      for (let i = 0; i < 40; i++) deep = { name: { inQuery: notes(deep) } };
      await expectError(ctx.adapter.deleteMany({ ...item(t), where: deep }), 'VALIDATION_FAILED');
      expect(await rawRows(ctx, conformanceItem, t)).toEqual(before);
    });

    test('agrees with the reference semantics on random rows and random sub-queries', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(subRowArb, { maxLength: 10 }), fc.array(subQueryLeafArb(2), { minLength: 1, maxLength: 4 }), async (rows, trees) => {
          const t = newTenant();
          const data = rows.map((row) => itemRow(row));
          await ctx.adapter.createMany({ ...item(t), rows: data });
          const asStored: Row[] = data.map((row) => stored(conformanceItem, t, row));
          const rowsOf = () => asStored;
          for (const tree of trees) {
            const expected = ids(asStored.filter((row) => matchesWhere(row, tree, rowsOf)));
            expect(ids(await ctx.adapter.findMany({ ...item(t), where: tree })), JSON.stringify(tree, (k, v) => (k === 'model' ? v.name : v))).toEqual(expected);
          }
        }),
        { numRuns: 50 },
      );
    }, { timeout: 120_000 });
  });
}
