import type { Migration } from '../storage/migration.js';

/**
 * Task reminders that fire (release 0.2.0): a row per pending reminder,
 * claimed across tenants by `crm.deliverReminders()`, which emits
 * `task.reminderDue` once per `remindAt`. Open tasks of release 0.1.0 with a
 * `remindAt` get theirs (a reminder already past is delivered on the first
 * run); closed tasks remind of nothing. Frozen.
 */
export const taskReminders0003: Migration = {
  id: '0003_task_reminders',
  operations: [
    {
      kind: 'createTable',
      table: 'crm_task_reminder',
      fields: {
        tenantId: { type: 'string' },
        id: { type: 'string' },
        createdAt: { type: 'timestamp' },
        updatedAt: { type: 'timestamp' },
        dueAt: { type: 'timestamp' },
        leasedUntil: { type: 'timestamp', nullable: true },
      },
      indexes: [{ name: 'due', fields: ['dueAt'], acrossTenants: true }],
    },
    {
      kind: 'insertRows',
      table: 'crm_task_reminder',
      from: 'crm_task',
      values: {
        tenantId: { from: 'tenantId' }, id: { from: 'id' }, createdAt: { from: 'updatedAt' }, updatedAt: { from: 'updatedAt' },
        dueAt: { from: 'remindAt' }, leasedUntil: { value: null },
      },
      where: { remindAt: { isNull: false }, status: { in: ['open', 'in_progress'] } },
    },
  ],
};
