import { ownedFields } from '../common/record.js';
import { defineModel } from '../storage/schema.js';

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
    priority: { type: 'string' },
    // Numeric priority and a due time with "no due date" last let the inbox be
    // one indexed ORDER BY instead of a sort in JS.
    priorityRank: { type: 'integer' },
    inboxDueAt: { type: 'timestamp' },
    status: { type: 'string' },
    assigneeId: { type: 'string', nullable: true },
    linkedType: { type: 'string', nullable: true },
    linkedId: { type: 'string', nullable: true },
    completedAt: { type: 'timestamp', nullable: true },
  },
  indexes: [
    { name: 'inbox', fields: ['assigneeId', 'status', '-priorityRank', 'inboxDueAt'] },
    { name: 'linked', fields: ['linkedType', 'linkedId', 'createdAt'] },
    { name: 'remind', fields: ['remindAt'], whereNotNull: ['remindAt'] },
  ],
});
