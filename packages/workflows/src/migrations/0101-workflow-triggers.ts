import type { Migration } from '@crmkit/core';

/** Release 0.1.0's trigger tables: cursors and firings. Frozen. */
export const workflowTriggers0101: Migration = {
  id: '0101_workflow_triggers',
  operations: [
    {
      kind: 'createTable',
      table: 'crmkit_wf_trigger_cursor',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        triggerSet: { type: 'string' },
        cursorKey: { type: 'string' },
        position: { type: 'string', nullable: true },
        config: { type: 'string', nullable: true },
        dueAt: { type: 'timestamp' },
        leasedUntil: { type: 'timestamp', nullable: true },
      },
      indexes: [
        { name: 'set_key', fields: ['triggerSet', 'cursorKey'], unique: true },
        { name: 'due', fields: ['dueAt'], acrossTenants: true },
      ],
    },
    {
      kind: 'createTable',
      table: 'crmkit_wf_trigger_fire',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        triggerId: { type: 'string' },
        sourceKey: { type: 'string' },
        status: { type: 'string' },
        instanceIds: { type: 'json' },
        error: { type: 'text', nullable: true },
        firedAt: { type: 'timestamp' },
      },
      indexes: [
        { name: 'trigger_source', fields: ['triggerId', 'sourceKey'], unique: true },
        { name: 'status', fields: ['status', 'firedAt'] },
      ],
    },
  ],
};
