import type { Migration } from '../storage/migration.js';

/**
 * Import runs (issue 11), `crm_import_run`: the progress of each resumable
 * `t.imports.run`, committed with each batch. Frozen once released.
 */
export const importRuns0020: Migration = {
  id: '0020_import_runs',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_import_run',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        entity: { type: 'string' },
        optionsHash: { type: 'string' },
        status: { type: 'string' },
        lastRow: { type: 'integer' },
        lastLine: { type: 'integer' },
        rowsRead: { type: 'integer' },
        created: { type: 'integer' },
        updated: { type: 'integer' },
        rejected: { type: 'integer' },
        finishedAt: { type: 'timestamp', nullable: true },
      },
      indexes: [],
    },
  ],
};
