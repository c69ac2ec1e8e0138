import type { Migration } from '@crmkit/core';

/** Release 0.1.0's heartbeat table of graphile queue workers. Frozen. */
export const workflowQueueWorkers0190: Migration = {
  id: '0190_workflow_queue_workers',
  operations: [
    {
      kind: 'createTable',
      table: 'crmkit_wf_queue_worker',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        workerIds: { type: 'json' },
        dueAt: { type: 'timestamp' },
      },
      indexes: [
        { name: 'due', fields: ['dueAt'] },
      ],
    },
  ],
};
