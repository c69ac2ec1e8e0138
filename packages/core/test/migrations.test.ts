import {
  coreMigrations,
  coreModels,
  createModelsMigration,
  defineModel,
  type Migration,
  MigrationFold,
  normalizeOperation,
  ValidationError,
  verifyMigrations,
} from '@crmkit/core';
import { describe, expect, test } from 'vitest';

describe('migrations as history', () => {
  test('build exactly the tables, fields and indexes of the core models', () => {
    expect(verifyMigrations(Object.values(coreModels), coreMigrations)).toEqual([]);
  });

  test('name every difference between a model and what the migrations build', () => {
    const note = defineModel({ name: 'note', table: 'app_note', fields: { body: { type: 'text' } }, indexes: [{ name: 'body', fields: ['body'] }] });
    const grown = defineModel({
      name: 'note', table: 'app_note',
      fields: { body: { type: 'text', nullable: true }, pinned: { type: 'boolean' } },
      indexes: [{ name: 'pinned', fields: ['pinned'] }],
    });
    const problems = verifyMigrations([grown], [createModelsMigration('0001_notes', [note])]);
    expect(problems).toEqual([
      expect.stringContaining('app_note.body is {"type":"text","nullable":true'),
      'app_note.pinned is in the model but no migration adds it',
      'index pinned of app_note is in the model but no migration creates it',
      'index body of app_note is created by a migration but not in the model',
    ]);
    const next: Migration = {
      id: '0002_pinned',
      operations: [
        { kind: 'addField', table: 'app_note', field: 'pinned', definition: { type: 'boolean' }, default: false },
        { kind: 'dropIndex', table: 'app_note', name: 'body' },
        { kind: 'createIndex', table: 'app_note', index: { name: 'pinned', fields: ['pinned'] } },
      ],
    };
    expect(verifyMigrations([grown], [createModelsMigration('0001_notes', [note]), next])).toEqual([
      expect.stringContaining('app_note.body is {"type":"text","nullable":true'),
    ]);
  });

  test('copy the models they are made from, so that a model edited later leaves them unchanged', () => {
    const fields: Record<string, { type: 'string' | 'text' }> = { body: { type: 'text' } };
    const note = defineModel({ name: 'note', table: 'app_note', fields });
    const migration = createModelsMigration('0001_notes', [note]);
    note.fields.title = { type: 'string' };
    expect(MigrationFold.of([migration]).table('app_note')?.fields).not.toHaveProperty('title');
  });

  test('refuse operations that contradict the ones before them', () => {
    const create = createModelsMigration('0001_notes', [defineModel({ name: 'note', table: 'app_note', fields: { body: { type: 'text' } } })]);
    const twice: Migration = { id: '0002', operations: [{ kind: 'addField', table: 'app_note', field: 'body', definition: { type: 'text' } }] };
    expect(() => MigrationFold.of([create, twice])).toThrow(ValidationError);
    const badIndex: Migration = { id: '0002', operations: [{ kind: 'createIndex', table: 'app_note', index: { name: 'x', fields: ['missing'] } }] };
    expect(() => MigrationFold.of([create, badIndex])).toThrow(/unknown field missing/);
    expect(() => MigrationFold.of([create, create])).toThrow(/created twice/);
  });

  test('still read the operations of release 0.1.0, which named live models', () => {
    const note = defineModel({ name: 'note', table: 'app_note', fields: { body: { type: 'text' }, extra: { type: 'json', nullable: true } } });
    expect(normalizeOperation({ kind: 'createModel', model: note })).toEqual({ kind: 'createTable', table: 'app_note', fields: note.fields, indexes: [] });
    expect(normalizeOperation({ kind: 'addField', model: note, field: 'extra' })).toEqual({
      kind: 'addField', table: 'app_note', field: 'extra', definition: { type: 'json', nullable: true },
    });
    expect(() => normalizeOperation({ kind: 'addField', model: note, field: 'nope' })).toThrow(ValidationError);
  });
});
