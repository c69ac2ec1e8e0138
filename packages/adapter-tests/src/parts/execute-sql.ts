import type { Row, Storage, StorageAdapter } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { col, item, itemRow, newTenant, rawCount } from '../fixtures.js';
import { conformanceItem } from '../models.js';
import type { ConformanceOptions } from '../options.js';

const hasSql = (_: unknown, adapter: StorageAdapter): boolean => typeof adapter.executeSql === 'function';

/** Builds the template-strings argument of `executeSql` from fixed SQL pieces (table and column names are not parameters). */
function template(...pieces: string[]): TemplateStringsArray {
  return Object.assign([...pieces], { raw: [...pieces] });
}

/** `UPDATE conformance_item SET name = <param> WHERE tenant_id = <param>` through `executeSql`. */
function renameAll(storage: Storage, tenantId: string, name: string): Promise<Row[]> {
  const table = conformanceItem.table;
  const strings = template(`UPDATE ${table} SET ${col(conformanceItem, 'name')} = `, ` WHERE ${col(conformanceItem, 'tenantId')} = `, '');
  return storage.executeSql!(strings, name, tenantId);
}

/**
 * `executeSql`, the optional escape hatch: values are bound parameters (never
 * SQL text), and a call on a transaction handle runs inside that transaction,
 * committed or rolled back with the contract's own writes.
 */
export function describeExecuteSql(options: ConformanceOptions): void {
  describePart('executeSql', options, (ctx, test) => {
    test('binds interpolated values as parameters, quotes and all', async () => {
      const tricky = "it's'; drop table conformance_item; --";
      const rows = await ctx.adapter.executeSql!`SELECT ${tricky} AS v`;
      expect(rows).toEqual([{ v: tricky }]);
    }, { requires: hasSql });

    test('runs inside the transaction of the handle and sees its uncommitted writes', async () => {
      const t = newTenant();
      await ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow({ name: 'before' }) });
        await renameAll(tx, t, 'raw');
        expect(await tx.findMany(item(t))).toMatchObject([{ name: 'raw' }]);
      });
      expect(await ctx.adapter.findMany(item(t))).toMatchObject([{ name: 'raw' }]);
    }, { requires: hasSql });

    test('is rolled back with the transaction when the callback throws', async () => {
      const t = newTenant();
      const existing = itemRow({ name: 'before' });
      await ctx.adapter.create({ ...item(t), data: existing });
      const failing = ctx.adapter.transaction(async (tx) => {
        await tx.create({ ...item(t), data: itemRow() });
        await renameAll(tx, t, 'raw');
        throw new Error('boom');
      });
      await expect(failing).rejects.toThrow('boom');
      expect(await rawCount(ctx, conformanceItem, t)).toBe(1);
      expect(await ctx.adapter.findOne({ ...item(t), id: String(existing.id) })).toMatchObject({ name: 'before' });
    }, { requires: hasSql });

    test('maps a failing statement to a crmkit error that keeps the driver error as cause', async () => {
      const error = await ctx.adapter.executeSql!`SELECT * FROM crmkit_no_such_table_at_all`.catch((e: unknown) => e);
      expect(error).toMatchObject({ name: expect.stringMatching(/Error$/), code: expect.any(String) });
      expect((error as Error).cause).toBeDefined();
    }, { requires: hasSql });
  });
}
