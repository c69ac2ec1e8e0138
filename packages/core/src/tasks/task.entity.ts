import { defineEntity } from '../entities/entity.js';
import { taskModel } from './task.model.js';
import { type Task, taskPriorities } from './task.schema.js';

type TaskRow = NonNullable<(typeof taskModel)['rowType']>;

/** Tasks without a due date sort after every dated one in the inbox. */
const noDueDate = '9999-12-31T23:59:59.999Z';

function toTask(row: TaskRow): Task {
  const { priorityRank: _rank, inboxDueAt: _due, ...task } = row;
  return task;
}

/** The inbox ordering columns follow priority and due date. */
function toTaskRow(task: Partial<Task>): Partial<TaskRow> {
  const row: Partial<TaskRow> = { ...task };
  if (task.priority !== undefined) row.priorityRank = taskPriorities.indexOf(task.priority);
  if (task.dueAt !== undefined) row.inboxDueAt = task.dueAt ?? noDueDate;
  return row;
}

/** Tasks and each member's inbox. */
export const taskEntity = defineEntity({
  name: 'task', service: 'tasks', model: taskModel, toRecord: toTask, toRow: toTaskRow,
  customizable: true, ownable: true, taskLinkable: false, idempotentCreate: true,
});
