import type { Migration } from '../storage/migration.js';

/**
 * Merges (issue 11): `crm_merged_record`, where each merged contact or
 * company id points to its survivor. Frozen once released.
 */
export const merges0021: Migration = {
  id: '0021_merges',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_merged_record',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        entity: { type: 'string' },
        mergedId: { type: 'string' },
        survivorId: { type: 'string' },
        mergedAt: { type: 'timestamp' },
      },
      indexes: [
        { name: 'merged', fields: ['entity', 'mergedId'], unique: true },
        { name: 'survivor', fields: ['entity', 'survivorId'] },
      ],
    },
  ],
};
