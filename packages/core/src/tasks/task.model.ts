import { ownedFields } from '../common/record.js';
import { defineModel, typedField } from '../storage/schema.js';
import type { TaskPriority, TaskStatus } from './task.schema.js';

/** Storage of tasks. */
export const taskModel = defineModel({
  name: 'task',
  table: 'crm_task',
  fields: {
    ...ownedFields,
    title: { type: 'string' },
    description: { type: 'text', nullable: true },
    dueAt: { type: 'timestamp', nullable: true },
    remindAt: { type: 'timestamp', nullable: true },
    priority: typedField<TaskPriority>('string'),
    // Numeric priority and a due time with "no due date" last let the inbox be
    // one indexed ORDER BY instead of a sort in JS.
    priorityRank: { type: 'integer' },
    inboxDueAt: { type: 'timestamp' },
    status: typedField<TaskStatus>('string'),
    assigneeId: { type: 'string', nullable: true },
    linkedType: { type: 'string', nullable: true },
    linkedId: { type: 'string', nullable: true },
    completedAt: { type: 'timestamp', nullable: true },
    // Set by `create(input, { idempotencyKey })`: a repeated create returns this record.
    idempotencyKey: { type: 'string', nullable: true },
  },
  indexes: [
    { name: 'inbox', fields: ['assigneeId', 'status', '-priorityRank', 'inboxDueAt'] },
    { name: 'linked', fields: ['linkedType', 'linkedId', 'createdAt'] },
    { name: 'remind', fields: ['remindAt'], whereNotNull: ['remindAt'] },
    { name: 'idempotency', fields: ['idempotencyKey'], unique: true, whereNotNull: ['idempotencyKey'] },
  ],
});

/**
 * The pending reminder of a task (one row per task with a due-to-come
 * `remindAt`, same id as the task): written with the task, claimed across
 * tenants by `crm.deliverReminders()`, deleted when delivered, rescheduled
 * when `remindAt` changes and deleted when the task closes. Kept apart from
 * the task so that delivering a reminder never changes the task's version.
 */
export const taskReminderModel = defineModel({
  name: 'taskReminder',
  table: 'crm_task_reminder',
  versioned: false,
  fields: {
    dueAt: { type: 'timestamp' },
    leasedUntil: { type: 'timestamp', nullable: true },
  },
  indexes: [{ name: 'due', fields: ['dueAt'], acrossTenants: true }],
});
