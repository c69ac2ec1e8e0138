import { createModelsMigration, defineModel } from '@crmkit/core';

/** A model with one field of each Postgres-native type the adapter maps, a partial unique key and a counter. */
export const note = defineModel({
  name: 'note',
  table: 'pg_test_note',
  fields: {
    title: { type: 'string' },
    slug: { type: 'string', nullable: true },
    pinned: { type: 'boolean' },
    counter: { type: 'integer' },
    amount: { type: 'bigint', nullable: true },
    dueOn: { type: 'date', nullable: true },
    custom: { type: 'json' },
  },
  indexes: [{ name: 'slug', fields: ['slug'], unique: true, whereNotNull: ['slug'] }, { name: 'recent', fields: ['-createdAt'] }],
});

export const migrations = [createModelsMigration('0001_notes', [note])];

const now = '2026-01-02T03:04:05.000Z';

/** A complete note row. */
export const noteRow = (id: string, extra: Record<string, unknown> = {}) => ({
  id, createdAt: now, updatedAt: now, version: 1, title: `t ${id}`, pinned: false, counter: 0, custom: {}, ...extra,
});
