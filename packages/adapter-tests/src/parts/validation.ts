import type { Row, Where } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import type { ConformanceContext } from '../context.js';
import { expectError, item, itemRow, newTenant, rawRows } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

const injections = [
  'name; DROP TABLE conformance_item; --',
  'name" = name OR "1"="1',
  "name' OR '1'='1",
  'name) OR (1=1',
  'tenant_id',
  'Name',
  '__proto__',
  'constructor',
  'toString',
  '',
];

const pathInjections = [
  "custom.a') OR 1=1 --",
  'custom.a"b',
  "custom.a'b",
  'custom.$.a',
  'custom.a[0]',
  'custom.a..b',
  'custom.',
  'custom.a b',
  'custom.a.*',
  'name.first',
  `custom.${'a'.repeat(65)}`,
];

/** Seeds a tenant with rows and returns a check that its rows are byte for byte as they were. */
async function guarded(ctx: ConformanceContext): Promise<{ t: string; id: string; unchanged(): Promise<void> }> {
  const t = newTenant();
  const rows = [itemRow({ custom: { a: 1 } }), itemRow({ name: 'other' })];
  await ctx.adapter.createMany({ ...item(t), rows });
  const before = await rawRows(ctx, conformanceItem, t);
  return { t, id: String((rows[0] as Row).id), unchanged: async () => expect(await rawRows(ctx, conformanceItem, t)).toEqual(before) };
}

/**
 * Bad input is a `ValidationError` before any SQL runs, and the database is left
 * unchanged: unknown fields, injection attempts in field names and JSON paths,
 * unknown operators, wrong operand shapes, protected fields.
 */
export function describeValidation(options: ConformanceOptions): void {
  describePart('validation', options, (ctx, test) => {
    const invalid = (promise: Promise<unknown>) => expectError(promise, 'VALIDATION_FAILED');

    test('refuses unknown and malicious field names in where, for every method that filters', async () => {
      const g = await guarded(ctx);
      for (const key of injections) {
        const where = { [key]: 'x' } as Where;
        await invalid(ctx.adapter.findMany({ ...item(g.t), where }));
        await invalid(ctx.adapter.count({ ...item(g.t), where }));
        await invalid(ctx.adapter.updateMany({ ...item(g.t), where, data: { name: 'hacked' } }));
        await invalid(ctx.adapter.deleteMany({ ...item(g.t), where }));
        await invalid(ctx.adapter.aggregate({ ...item(g.t), where, metrics: { n: { fn: 'count' } } }));
        await invalid(ctx.adapter.findMany({ ...item(g.t), where: { or: [{ name: 'x' }, { not: where }] } }));
      }
      await g.unchanged();
    });

    test('refuses malformed JSON paths and paths into fields that are not JSON', async () => {
      const g = await guarded(ctx);
      for (const key of pathInjections) {
        await invalid(ctx.adapter.findMany({ ...item(g.t), where: { [key]: 1 } as Where }));
        await invalid(ctx.adapter.deleteMany({ ...item(g.t), where: { [key]: { isNull: false } } as Where }));
      }
      await g.unchanged();
    });

    test('refuses a where-tree nested more than 32 levels deep', async () => {
      const g = await guarded(ctx);
      let where: Where = { name: 'x' };
      for (let i = 0; i < 40; i += 1) where = i % 2 === 0 ? { not: where } : { or: [where] };
      await invalid(ctx.adapter.findMany({ ...item(g.t), where }));
      await invalid(ctx.adapter.deleteMany({ ...item(g.t), where }));
      await g.unchanged();
    });

    test('refuses unknown operators and operands of the wrong shape', async () => {
      const g = await guarded(ctx);
      const bad: unknown[] = [
        { like: '%' },
        { eq: 'x', regexp: '.*' },
        { in: 'x' },
        { notIn: { a: 1 } },
        { contains: 1 },
        { startsWith: null },
        { isNull: 'yes' },
        { has: { a: 1 } },
        { eq: { nested: true } },
        { gt: Number.NaN },
        { lt: Number.POSITIVE_INFINITY },
        { eq: new Date('invalid') },
        { in: [{ a: 1 }] },
      ];
      for (const filter of bad) {
        await invalid(ctx.adapter.findMany({ ...item(g.t), where: { name: filter } as Where }));
        await invalid(ctx.adapter.updateMany({ ...item(g.t), where: { name: filter } as Where, data: { name: 'hacked' } }));
      }
      await invalid(ctx.adapter.findMany({ ...item(g.t), where: { and: { name: 'x' } } as unknown as Where }));
      await invalid(ctx.adapter.findMany({ ...item(g.t), where: { name: ['a', 'b'] } as unknown as Where }));
      await g.unchanged();
    });

    test('refuses unknown and malicious field names in written data', async () => {
      const g = await guarded(ctx);
      for (const key of injections.filter((k) => k !== '__proto__')) {
        await invalid(ctx.adapter.create({ ...item(g.t), data: { ...itemRow(), [key]: 'x' } }));
        await invalid(ctx.adapter.createMany({ ...item(g.t), rows: [itemRow(), { ...itemRow(), [key]: 'x' }] }));
        await invalid(ctx.adapter.update({ ...item(g.t), id: g.id, data: { [key]: 'x' } }));
        await invalid(ctx.adapter.updateMany({ ...item(g.t), where: {}, data: { [key]: 'x' } }));
      }
      await g.unchanged();
    });

    test('refuses updates that set id, tenantId, createdAt or version', async () => {
      const g = await guarded(ctx);
      for (const data of [{ id: 'other' }, { tenantId: 'other' }, { createdAt: '2020-01-01T00:00:00.000Z' }, { version: 99 }]) {
        await invalid(ctx.adapter.update({ ...item(g.t), id: g.id, data }));
        await invalid(ctx.adapter.updateMany({ ...item(g.t), where: {}, data }));
      }
      await g.unchanged();
    });

    test('refuses updateMany and deleteMany without a where clause', async () => {
      const g = await guarded(ctx);
      await invalid(ctx.adapter.updateMany({ ...item(g.t), data: { name: 'all' } } as never));
      await invalid(ctx.adapter.deleteMany({ ...item(g.t) } as never));
      await g.unchanged();
    });

    test('refuses unknown fields and JSON paths in orderBy and select', async () => {
      const g = await guarded(ctx);
      for (const field of [...injections, 'custom.a']) {
        await invalid(ctx.adapter.findMany({ ...item(g.t), orderBy: [{ field }] }));
        await invalid(ctx.adapter.findMany({ ...item(g.t), select: ['name', field] }));
      }
    });

    test('refuses unknown fields, functions and keys in aggregate', async () => {
      const g = await guarded(ctx);
      const metrics = { n: { fn: 'count' as const } };
      await invalid(ctx.adapter.aggregate({ ...item(g.t), groupBy: ['nope'], metrics }));
      await invalid(ctx.adapter.aggregate({ ...item(g.t), groupBy: [{ field: 'name); --', bucket: 'day', as: 'd' }], metrics }));
      await invalid(ctx.adapter.aggregate({ ...item(g.t), groupBy: [{ field: 'occurredAt', bucket: 'fortnight' as 'day', as: 'd' }], metrics }));
      await invalid(ctx.adapter.aggregate({ ...item(g.t), metrics: { n: { fn: 'sum', field: 'rank; DROP TABLE x' } } }));
      await invalid(ctx.adapter.aggregate({ ...item(g.t), metrics: { n: { fn: 'median' as 'sum', field: 'rank' } } }));
      await invalid(ctx.adapter.aggregate({ ...item(g.t), metrics: { n: { fn: 'count', filter: { nope: 1 } } } }));
      await invalid(ctx.adapter.aggregate({ ...item(g.t), groupBy: ['name'], metrics, orderBy: [{ key: 'n; --' }] }));
    });

    test('binds ids as values, so an id that looks like SQL finds nothing and changes nothing', async () => {
      const g = await guarded(ctx);
      const id = `${g.id}' OR '1'='1`;
      expect(await ctx.adapter.findOne({ ...item(g.t), id })).toBeUndefined();
      await expectError(ctx.adapter.update({ ...item(g.t), id, data: { name: 'hacked' } }), 'NOT_FOUND');
      await expectError(ctx.adapter.delete({ ...item(g.t), id }), 'NOT_FOUND');
      await g.unchanged();
    });
  });
}
