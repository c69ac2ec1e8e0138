import type { Migration } from '../storage/migration.js';

/**
 * Per-tenant case number counters, `crm_case_sequence`: creates lock the
 * tenant's row instead of taking the highest number plus one and retrying
 * when a concurrent create took it. A tenant's row is made by its first
 * create after this migration, from its highest case number. Frozen once released.
 */
export const caseSequence0017: Migration = {
  id: '0017_case_sequence',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_case_sequence',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        next: { type: 'integer' },
      },
      indexes: [],
    },
  ],
};
