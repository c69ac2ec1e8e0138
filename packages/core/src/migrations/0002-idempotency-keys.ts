import type { Migration, MigrationOperation } from '../storage/migration.js';

const tables = ['crm_contact', 'crm_company', 'crm_deal', 'crm_interaction', 'crm_task'];

/**
 * Idempotent creates as a column (release 0.2.0): `idempotencyKey` on the
 * entities whose `create` takes one, unique per tenant. Release 0.1.0's
 * built-in workflow effects kept the key in `custom.idempotencyKey` of the
 * tasks and interactions they made: it moves to the column, and `custom` is
 * the host's alone again. Frozen.
 */
export const idempotencyKeys0002: Migration = {
  id: '0002_idempotency_keys',
  operations: [
    ...tables.map((table): MigrationOperation => ({ kind: 'addField', table, field: 'idempotencyKey', definition: { type: 'string', nullable: true } })),
    ...['crm_interaction', 'crm_task'].flatMap((table): MigrationOperation[] => [
      { kind: 'updateRows', table, set: { idempotencyKey: { from: 'custom.idempotencyKey' } }, where: { 'custom.idempotencyKey': { isNull: false } } },
      { kind: 'updateRows', table, set: { custom: { without: ['idempotencyKey'] } }, where: { idempotencyKey: { isNull: false } } },
    ]),
    ...tables.map((table): MigrationOperation => ({
      kind: 'createIndex', table, index: { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
    })),
  ],
};
