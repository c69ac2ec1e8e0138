import { createModelsMigration, defineModel } from '@crmkit/core';
import type { Migration, ModelDefinition } from '@crmkit/core';
import { expect } from 'vitest';
import { describePart } from '../context.js';
import { expectCrmError, expectError, newId, newTenant } from '../fixtures.js';
import { conformanceItem, conformanceMigrations } from '../models.js';
import type { ConformanceOptions } from '../options.js';

/** A model on a table of its own, so that these tests apply migrations nothing else has applied. */
function probe(): { base: ModelDefinition; grown: ModelDefinition; create: Migration; addField: Migration } {
  const suffix = newId();
  const fields = { label: { type: 'string' as const } };
  const base = defineModel({ name: 'conformance_probe', table: `conformance_probe_${suffix}`, fields });
  const grown = defineModel({ name: 'conformance_probe', table: base.table, fields: { ...fields, extraNote: { type: 'text', nullable: true } } });
  return {
    base,
    grown,
    create: createModelsMigration(`conformance_probe_${suffix}_1`, [base]),
    addField: {
      id: `conformance_probe_${suffix}_2`,
      operations: [{ kind: 'addField', table: base.table, field: 'extraNote', definition: { type: 'text', nullable: true } }],
    },
  };
}

const row = (label: string) => ({ id: newId(), createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-01T00:00:00.000Z', version: 1, label });

/**
 * `migrate` and `compileMigrations`: idempotence, id order, the record in
 * `crmkit_migration`, every operation kind, and a failed migration leaving
 * nothing behind where DDL is transactional.
 */
export function describeMigrations(options: ConformanceOptions): void {
  describePart('migrations', options, (ctx, test) => {
    test('applies nothing and returns an empty list when called again with the same migrations', async () => {
      expect(await ctx.adapter.migrate(conformanceMigrations)).toEqual([]);
    });

    test('applies new migrations in id order, whatever order they are given in, and returns their ids', async () => {
      const p = probe();
      expect(await ctx.adapter.migrate([p.addField, p.create])).toEqual([p.create.id, p.addField.id]);
      expect(await ctx.adapter.migrate([p.create, p.addField])).toEqual([]);
      const t = newTenant();
      const data = { ...row('x'), extraNote: 'grown' };
      await ctx.adapter.create({ model: p.grown, tenantId: t, data });
      expect(await ctx.adapter.findOne({ model: p.grown, tenantId: t, id: data.id })).toMatchObject({ extraNote: 'grown' });
    });

    test('records applied migrations in the crmkit_migration table', async () => {
      const p = probe();
      await ctx.adapter.migrate([p.create]);
      const rows = await ctx.raw('SELECT * FROM crmkit_migration');
      expect(rows.some((r) => Object.values(r).includes(p.create.id))).toBe(true);
    });

    test('adds a nullable field to a table that has rows, which then read it as null', async () => {
      const p = probe();
      await ctx.adapter.migrate([p.create]);
      const t = newTenant();
      const data = row('old');
      await ctx.adapter.create({ model: p.base, tenantId: t, data });
      expect(await ctx.adapter.migrate([p.create, p.addField])).toEqual([p.addField.id]);
      expect(await ctx.adapter.findOne({ model: p.grown, tenantId: t, id: data.id })).toMatchObject({ label: 'old', extraNote: null });
    });

    test('creates a unique index that refuses duplicates and drops it so that they are accepted', async () => {
      const p = probe();
      const index = { name: 'label', fields: ['label'], unique: true };
      await ctx.adapter.migrate([p.create, { id: `${p.create.id}_index`, operations: [{ kind: 'createIndex', table: p.base.table, index }] }]);
      const t = newTenant();
      await ctx.adapter.create({ model: p.base, tenantId: t, data: row('same') });
      await expectError(ctx.adapter.create({ model: p.base, tenantId: t, data: row('same') }), 'DUPLICATE');
      await ctx.adapter.migrate([{ id: `${p.create.id}_unindex`, operations: [{ kind: 'dropIndex', table: p.base.table, name: 'label' }] }]);
      await ctx.adapter.create({ model: p.base, tenantId: t, data: row('same') });
      expect(await ctx.adapter.count({ model: p.base, tenantId: t })).toBe(2);
    });

    test('compiles migrations to SQL strings naming the tables and indexes, without applying them', async () => {
      const sql = ctx.adapter.compileMigrations(conformanceMigrations);
      expect(sql.length).toBeGreaterThan(0);
      for (const statement of sql) expect(typeof statement).toBe('string');
      const text = sql.join('\n');
      expect(text).toContain(conformanceItem.table);
      for (const index of conformanceItem.indexes) expect(text).toContain(index.name);
      const p = probe();
      expect(ctx.adapter.compileMigrations([p.create]).join('\n')).toContain(p.base.table);
      expect(await ctx.adapter.migrate([p.create])).toEqual([p.create.id]);
    });

    test('leaves nothing behind when an operation of a migration fails', async () => {
      const p = probe();
      // The second statement fails in the database (an index on a column that does not exist), after the table was created.
      const failing: Migration = {
        id: p.create.id,
        operations: [...p.create.operations, { kind: 'addField', table: `${p.base.table}_missing`, field: 'label', definition: { type: 'string', nullable: true } }],
      };
      await expectCrmError(ctx.adapter.migrate([failing]));
      expect(await ctx.adapter.migrate([p.create])).toEqual([p.create.id]);
    }, { requires: (caps) => caps.transactionalDdl });

    test('refuses, before any statement, an operation that contradicts the ones before it', async () => {
      const p = probe();
      const twice: Migration = {
        id: `${p.create.id}_twice`,
        operations: [{ kind: 'addField', table: p.base.table, field: 'label', definition: { type: 'string' } }],
      };
      await expectError(ctx.adapter.migrate([p.create, twice]), 'VALIDATION_FAILED');
      expect(await ctx.adapter.migrate([p.create])).toEqual([p.create.id]);
    });

    test('fills a required field added to a table that has rows with its default', async () => {
      const p = probe();
      await ctx.adapter.migrate([p.create]);
      const t = newTenant();
      const data = row('old');
      await ctx.adapter.create({ model: p.base, tenantId: t, data });
      const ranked = defineModel({ name: 'conformance_probe', table: p.base.table, fields: { label: { type: 'string' }, rank: { type: 'integer' }, kind: { type: 'string' } } });
      const add: Migration = {
        id: `${p.create.id}_rank`,
        operations: [
          { kind: 'addField', table: p.base.table, field: 'rank', definition: { type: 'integer' }, default: 7 },
          { kind: 'addField', table: p.base.table, field: 'kind', definition: { type: 'string' } },
        ],
      };
      await ctx.adapter.migrate([p.create, add]);
      expect(await ctx.adapter.findOne({ model: ranked, tenantId: t, id: data.id })).toMatchObject({ label: 'old', rank: 7, kind: '' });
    });

    test('runs data steps across tenants, from constants and JSON paths, only on the rows they select', async () => {
      const suffix = newId();
      const base = defineModel({
        name: 'conformance_probe', table: `conformance_probe_${suffix}`,
        fields: { label: { type: 'string' }, custom: { type: 'json' }, key: { type: 'string', nullable: true }, flag: { type: 'boolean', nullable: true } },
      });
      const create = createModelsMigration(`conformance_probe_${suffix}_1`, [base]);
      await ctx.adapter.migrate([create]);
      const [a, b] = [newTenant(), newTenant()];
      const rows = [
        { tenant: a, data: { ...row('one'), custom: { key: "it's-1" }, key: null, flag: null } },
        { tenant: b, data: { ...row('two'), custom: { key: 'k-2' }, key: null, flag: null } },
        { tenant: b, data: { ...row('three'), custom: {}, key: null, flag: null } },
      ];
      for (const r of rows) await ctx.adapter.create({ model: base, tenantId: r.tenant, data: r.data });
      const step: Migration = {
        id: `${create.id}_step`,
        operations: [
          { kind: 'updateRows', table: base.table, set: { key: { from: 'custom.key' } }, where: { 'custom.key': { isNull: false } } },
          { kind: 'updateRows', table: base.table, set: { flag: { value: true } }, where: { label: { in: ['one', 'three'] } } },
        ],
      };
      await ctx.adapter.migrate([create, step]);
      const read = (r: (typeof rows)[number]) => ctx.adapter.findOne({ model: base, tenantId: r.tenant, id: r.data.id });
      expect(await read(rows[0]!)).toMatchObject({ key: "it's-1", flag: true });
      expect(await read(rows[1]!)).toMatchObject({ key: 'k-2', flag: null });
      expect(await read(rows[2]!)).toMatchObject({ key: null, flag: true });
      const script = ctx.adapter.compileMigrations([create, step]).join('\n');
      expect(script).toContain("'one'");
    });

    test('expands JSON arrays into one row per element, with its position, only for the rows selected', async () => {
      const suffix = newId();
      const base = defineModel({ name: 'conformance_probe', table: `conformance_probe_${suffix}`, fields: { label: { type: 'string' }, items: { type: 'json' } } });
      const item = defineModel({
        name: 'conformance_item', table: `conformance_item_${suffix}`, versioned: false,
        fields: { parentId: { type: 'string' }, position: { type: 'integer' }, sku: { type: 'string', nullable: true }, qty: { type: 'number' }, label: { type: 'string' } },
      });
      const create = createModelsMigration(`conformance_probe_${suffix}_1`, [base, item]);
      await ctx.adapter.migrate([create]);
      const [a, b] = [newTenant(), newTenant()];
      const rows = [
        { tenant: a, data: { ...row('one'), items: [{ sku: "it's", qty: 2 }, { sku: null, qty: 0.5 }, { sku: "it's", qty: 1 }] } },
        { tenant: b, data: { ...row('two'), items: [{ qty: 3 }] } },
        { tenant: b, data: { ...row('empty'), items: [] } },
        // Not an array: expands to nothing rather than failing the migration.
        { tenant: a, data: { ...row('object'), items: { sku: 'x', qty: 1 } } },
        { tenant: a, data: { ...row('skip'), items: [{ sku: 'y', qty: 1 }] } },
      ];
      for (const r of rows) await ctx.adapter.create({ model: base, tenantId: r.tenant, data: r.data });
      const step: Migration = {
        id: `${create.id}_expand`,
        operations: [{
          kind: 'expandRows', table: item.table, from: base.table, each: 'items', where: { label: { ne: 'skip' } },
          values: {
            tenantId: { from: 'tenantId' }, id: { positionId: 'id' }, createdAt: { from: 'createdAt' }, updatedAt: { from: 'updatedAt' },
            parentId: { from: 'id' }, position: { position: true }, sku: { element: 'sku' }, qty: { element: 'qty' }, label: { from: 'label' },
          },
        }],
      };
      await ctx.adapter.migrate([create, step]);
      const read = async (tenant: string) =>
        (await ctx.adapter.findMany({ model: item, tenantId: tenant, orderBy: [{ field: 'id' }] })).map(({ id, parentId, position, sku, qty, label }) => ({ id, parentId, position, sku, qty, label }));
      const [one, two] = [rows[0]!.data.id, rows[1]!.data.id];
      expect(await read(a)).toEqual([
        { id: `${one}:0`, parentId: one, position: 0, sku: "it's", qty: 2, label: 'one' },
        { id: `${one}:1`, parentId: one, position: 1, sku: null, qty: 0.5, label: 'one' },
        { id: `${one}:2`, parentId: one, position: 2, sku: "it's", qty: 1, label: 'one' },
      ]);
      expect(await read(b)).toEqual([{ id: `${two}:0`, parentId: two, position: 0, sku: null, qty: 3, label: 'two' }]);
      expect(ctx.adapter.compileMigrations([create, step]).join('\n')).toContain("'skip'");
    });

    test('still applies the operations of release 0.1.0 that name live models', async () => {
      const p = probe();
      const legacy: Migration = { id: `${p.create.id}_legacy`, operations: [{ kind: 'addField', model: p.grown, field: 'extraNote' }] };
      await ctx.adapter.migrate([{ id: p.create.id, operations: [{ kind: 'createModel', model: p.base }] }, legacy]);
      const t = newTenant();
      const data = { ...row('x'), extraNote: 'legacy' };
      await ctx.adapter.create({ model: p.grown, tenantId: t, data });
      expect(await ctx.adapter.findOne({ model: p.grown, tenantId: t, id: data.id })).toMatchObject({ extraNote: 'legacy' });
    });
  });
}
