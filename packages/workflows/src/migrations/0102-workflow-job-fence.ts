import type { Migration } from '@crmkit/core';

/**
 * Effect jobs get a version, the fence of their delivery: claims, attempts and
 * outcomes are written guarded by it. Rows of release 0.1.0 start at 1.
 */
export const workflowJobFence0102: Migration = {
  id: '0102_workflow_job_fence',
  operations: [
    { kind: 'addField', table: 'crmkit_wf_job', field: 'version', definition: { type: 'integer' }, default: 1 },
  ],
};
