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
    addField: { id: `conformance_probe_${suffix}_2`, operations: [{ kind: 'addField', model: grown, field: 'extraNote' }] },
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
      await ctx.adapter.migrate([p.create, { id: `${p.create.id}_index`, operations: [{ kind: 'createIndex', model: p.base, index }] }]);
      const t = newTenant();
      await ctx.adapter.create({ model: p.base, tenantId: t, data: row('same') });
      await expectError(ctx.adapter.create({ model: p.base, tenantId: t, data: row('same') }), 'DUPLICATE');
      await ctx.adapter.migrate([{ id: `${p.create.id}_unindex`, operations: [{ kind: 'dropIndex', model: p.base, name: 'label' }] }]);
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
      const failing: Migration = { id: p.create.id, operations: [...p.create.operations, { kind: 'addField', model: p.base, field: 'label' }] };
      await expectCrmError(ctx.adapter.migrate([failing]));
      expect(await ctx.adapter.migrate([p.create])).toEqual([p.create.id]);
    }, { requires: (caps) => caps.transactionalDdl });
  });
}
