import { createModelsMigration, defineModel } from '@crmkit/core';
import type { Migration, ModelDefinition } from '@crmkit/core';

/**
 * The suite's main test model: every field type, nullable and not, one field with
 * an explicit column name, a unique index and a partial unique index. It is the
 * suite's own so that a change to core's domain models never changes the contract.
 */
export const conformanceItem: ModelDefinition = defineModel({
  name: 'conformance_item',
  table: 'conformance_item',
  fields: {
    slug: { type: 'string' },
    name: { type: 'string' },
    code: { type: 'string', nullable: true },
    body: { type: 'text' },
    note: { type: 'text', nullable: true },
    rank: { type: 'integer' },
    quantity: { type: 'integer', nullable: true },
    amount: { type: 'bigint' },
    big: { type: 'bigint', nullable: true },
    ratio: { type: 'number' },
    score: { type: 'number', nullable: true, column: 'score_value' },
    done: { type: 'boolean' },
    active: { type: 'boolean', nullable: true },
    occurredAt: { type: 'timestamp' },
    closedAt: { type: 'timestamp', nullable: true },
    startsOn: { type: 'date' },
    endsOn: { type: 'date', nullable: true },
    custom: { type: 'json' },
    tags: { type: 'json' },
    extra: { type: 'json', nullable: true },
  },
  indexes: [
    { name: 'slug', fields: ['slug'], unique: true },
    { name: 'code', fields: ['code'], unique: true, whereNotNull: ['code'] },
    { name: 'rank', fields: ['rank', '-occurredAt'] },
  ],
});

/** An unversioned queue model for `claimDue`: when a row is due and until when it is leased. */
export const conformanceJob: ModelDefinition = defineModel({
  name: 'conformance_job',
  table: 'conformance_job',
  versioned: false,
  fields: {
    queue: { type: 'string' },
    dueAt: { type: 'timestamp' },
    leasedUntil: { type: 'timestamp', nullable: true },
    attempts: { type: 'integer' },
    payload: { type: 'json', nullable: true },
  },
  indexes: [{ name: 'due', fields: ['queue', 'dueAt'] }],
});

/** A commit-ordered log model (`log: true`) for `readLog`: what was written, by whom, in which order. */
export const conformanceEntry: ModelDefinition = defineModel({
  name: 'conformance_entry',
  table: 'conformance_entry',
  versioned: false,
  log: true,
  fields: {
    kind: { type: 'string' },
    seq: { type: 'integer' },
    payload: { type: 'json', nullable: true },
  },
});

/** The migrations every part applies in `beforeAll` (idempotently) before its tests run. */
export const conformanceMigrations: readonly Migration[] = [
  createModelsMigration('conformance_0001_models', [conformanceItem, conformanceJob]),
  createModelsMigration('conformance_0002_log', [conformanceEntry]),
];
