import type { Migration } from '@crmkit/core';

/** Instances listed by workflow and state, in creation order (`engine.list`). */
export const workflowInstanceStateIndex0103: Migration = {
  id: '0103_workflow_instance_state_index',
  operations: [
    { kind: 'createIndex', table: 'crmkit_wf_instance', index: { name: 'workflow_state', fields: ['workflowId', 'state', 'id'] } },
  ],
};
