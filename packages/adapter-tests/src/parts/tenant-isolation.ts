import fc from 'fast-check';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectError, item, itemRow, job, jobRow, newTenant, rawCount, rawRows } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

type Op =
  | { kind: 'create'; tenant: number; id: number; rank: number }
  | { kind: 'update'; tenant: number; id: number; rank: number }
  | { kind: 'delete'; tenant: number; id: number }
  | { kind: 'updateMany'; tenant: number; rank: number; name: string }
  | { kind: 'deleteMany'; tenant: number; rank: number };

const opArb = (tenants: number): fc.Arbitrary<Op> => {
  const tenant = fc.integer({ min: 0, max: tenants - 1 });
  const id = fc.integer({ min: 0, max: 5 });
  const rank = fc.integer({ min: 0, max: 2 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('create' as const), tenant, id, rank }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('update' as const), tenant, id, rank }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), tenant, id }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('updateMany' as const), tenant, rank, name: fc.constantFrom('x', 'y') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteMany' as const), tenant, rank }) },
  );
};

interface ModelRow { id: string; rank: number; name: string; version: number }

/**
 * Every call sees and changes only its own tenant's rows: by id, by filter, in
 * counts and aggregates, under unique indexes, and in a property test of random
 * operations across several tenants compared with an in-memory model.
 */
export function describeTenantIsolation(options: ConformanceOptions): void {
  describePart('tenantIsolation', options, (ctx, test) => {
    test('returns undefined from findOne for an id that belongs to another tenant', async () => {
      const a = newTenant();
      const data = itemRow();
      await ctx.adapter.create({ ...item(a), data });
      expect(await ctx.adapter.findOne({ ...item(newTenant()), id: String(data.id) })).toBeUndefined();
    });

    test("throws NotFoundError on update and delete of another tenant's id and leaves that row byte for byte unchanged", async () => {
      const [a, b] = [newTenant(), newTenant()];
      const data = itemRow({ name: 'B' });
      await ctx.adapter.create({ ...item(b), data });
      const before = await rawRows(ctx, conformanceItem, b);
      await expectError(ctx.adapter.update({ ...item(a), id: String(data.id), data: { name: 'A' } }), 'NOT_FOUND');
      await expectError(ctx.adapter.update({ ...item(a), id: String(data.id), data: { name: 'A' }, expectedVersion: 1 }), 'NOT_FOUND');
      await expectError(ctx.adapter.delete({ ...item(a), id: String(data.id) }), 'NOT_FOUND');
      expect(await rawRows(ctx, conformanceItem, b)).toEqual(before);
    });

    test('lets two tenants use the same id and the same unique values', async () => {
      const [a, b] = [newTenant(), newTenant()];
      const data = itemRow({ code: 'shared' });
      await ctx.adapter.create({ ...item(a), data: { ...data, name: 'A' } });
      await ctx.adapter.create({ ...item(b), data: { ...data, name: 'B' } });
      expect(await ctx.adapter.findOne({ ...item(a), id: String(data.id) })).toMatchObject({ tenantId: a, name: 'A' });
      expect(await ctx.adapter.findOne({ ...item(b), id: String(data.id) })).toMatchObject({ tenantId: b, name: 'B' });
      await ctx.adapter.update({ ...item(a), id: String(data.id), data: { name: 'A2' } });
      expect(await ctx.adapter.findOne({ ...item(b), id: String(data.id) })).toMatchObject({ name: 'B', version: 1 });
    });

    test("never counts, lists, aggregates, updates or deletes another tenant's rows", async () => {
      const [a, b] = [newTenant(), newTenant()];
      await ctx.adapter.createMany({ ...item(a), rows: [itemRow(), itemRow()] });
      await ctx.adapter.createMany({ ...item(b), rows: [itemRow(), itemRow(), itemRow()] });
      const before = await rawRows(ctx, conformanceItem, b);
      expect(await ctx.adapter.count(item(a))).toBe(2);
      expect(await ctx.adapter.findMany(item(a))).toHaveLength(2);
      expect(await ctx.adapter.aggregate({ ...item(a), metrics: { n: { fn: 'count' } } })).toEqual([{ n: 2 }]);
      expect(await ctx.adapter.updateMany({ ...item(a), where: {}, data: { name: 'changed' } })).toBe(2);
      expect(await ctx.adapter.deleteMany({ ...item(a), where: {} })).toBe(2);
      expect(await rawCount(ctx, conformanceItem, a)).toBe(0);
      expect(await rawRows(ctx, conformanceItem, b)).toEqual(before);
    });

    test('claims due rows of the given tenant only', async () => {
      const [a, b] = [newTenant(), newTenant()];
      const queue = `q${newTenant()}`;
      await ctx.adapter.create({ ...job(a), data: jobRow({ queue }) });
      await ctx.adapter.create({ ...job(b), data: jobRow({ queue }) });
      const claimed = await ctx.adapter.claimDue({ model: job(a).model, tenantId: a, dueField: 'dueAt', leaseField: 'leasedUntil', now: '2025-01-01T00:00:00.000Z', leaseUntil: '2025-01-01T00:01:00.000Z', limit: 10, where: { queue } });
      expect(claimed.map((row) => row.tenantId)).toEqual([a]);
    });

    test('keeps every tenant equal to an in-memory model under random operations across 3 to 5 tenants', async () => {
      const scenario = fc.integer({ min: 3, max: 5 }).chain((n) => fc.tuple(fc.constant(n), fc.array(opArb(n), { minLength: 1, maxLength: 40 })));
      await fc.assert(
        fc.asyncProperty(scenario, async ([n, ops]) => {
          const tenants = Array.from({ length: n }, () => newTenant());
          const ids = Array.from({ length: 6 }, (_, i) => `id${i}`);
          const model = tenants.map(() => new Map<string, ModelRow>());
          for (const op of ops) {
            const t = tenants[op.tenant] as string;
            const rows = model[op.tenant] as Map<string, ModelRow>;
            if (op.kind === 'create' || op.kind === 'update' || op.kind === 'delete') {
              const id = ids[op.id] as string;
              const existing = rows.get(id);
              if (op.kind === 'create') {
                const call = ctx.adapter.create({ ...item(t), data: itemRow({ id, rank: op.rank }) });
                if (existing) await expectError(call, 'DUPLICATE');
                else {
                  await call;
                  rows.set(id, { id, rank: op.rank, name: 'item', version: 1 });
                }
              } else if (op.kind === 'update') {
                const call = ctx.adapter.update({ ...item(t), id, data: { rank: op.rank } });
                if (!existing) await expectError(call, 'NOT_FOUND');
                else {
                  await call;
                  rows.set(id, { ...existing, rank: op.rank, version: existing.version + 1 });
                }
              } else {
                const call = ctx.adapter.delete({ ...item(t), id });
                if (!existing) await expectError(call, 'NOT_FOUND');
                else {
                  await call;
                  rows.delete(id);
                }
              }
            } else if (op.kind === 'updateMany') {
              const matching = [...rows.values()].filter((row) => row.rank === op.rank);
              expect(await ctx.adapter.updateMany({ ...item(t), where: { rank: op.rank }, data: { name: op.name } })).toBe(matching.length);
              for (const row of matching) rows.set(row.id, { ...row, name: op.name, version: row.version + 1 });
            } else {
              const matching = [...rows.values()].filter((row) => row.rank === op.rank);
              expect(await ctx.adapter.deleteMany({ ...item(t), where: { rank: op.rank } })).toBe(matching.length);
              for (const row of matching) rows.delete(row.id);
            }
          }
          for (const [i, t] of tenants.entries()) {
            const expected = [...(model[i] as Map<string, ModelRow>).values()].sort((x, y) => (x.id < y.id ? -1 : 1));
            const actual = await ctx.adapter.findMany({ ...item(t), orderBy: [{ field: 'id' }], select: ['rank', 'name', 'version'] });
            expect(actual.map((row) => ({ id: row.id, rank: row.rank, name: row.name, version: row.version }))).toEqual(expected);
            expect(await ctx.adapter.count(item(t))).toBe(expected.length);
            expect(await rawCount(ctx, conformanceItem, t)).toBe(expected.length);
          }
        }),
        { numRuns: 30 },
      );
    }, { timeout: 120_000 });
  });
}
