import { type CrmRuntime, runUnit, TenantContext, type WriteScope } from '../common/context.js';
import { taskEntity } from './task.entity.js';
import { taskReminderModel } from './task.model.js';
import type { Task } from './task.schema.js';

/** How long a claimed reminder stays with the runner that claimed it (the claim lives in its transaction anyway). */
const leaseMs = 60_000;

/** Whether a task's reminder is still to come: the task is open and its `remindAt` is set. */
function pending(task: Task): boolean {
  return task.remindAt !== null && (task.status === 'open' || task.status === 'in_progress');
}

/**
 * Makes the task's pending-reminder row say what the task says, in the
 * running write: one row due at `remindAt` while the task is open, none
 * otherwise. `onlyIfAhead` keeps a reopened task from reminding again of a
 * time already past.
 */
export async function scheduleReminder(w: WriteScope, task: Task, onlyIfAhead = false): Promise<void> {
  const tenantId = w.ctx.tenantId;
  await w.tx.deleteMany({ model: taskReminderModel, tenantId, where: { id: task.id } });
  if (!pending(task) || (onlyIfAhead && task.remindAt! <= w.now)) return;
  await w.tx.create({ model: taskReminderModel, tenantId, data: { id: task.id, createdAt: w.now, updatedAt: w.now, dueAt: task.remindAt!, leasedUntil: null } });
}

/**
 * Emits `task.reminderDue` for every due reminder of every tenant, at most
 * `limit` of them: each reminder is claimed, deleted and its event written
 * in one transaction, so it is emitted exactly once even with several
 * processes calling this at once. Returns how many were emitted.
 */
export async function deliverReminders(runtime: CrmRuntime, limit: number): Promise<number> {
  const now = runtime.clock.now();
  const at = now.toISOString();
  return runUnit(runtime, async (unit) => {
    const due = await unit.tx.claimDue({
      model: taskReminderModel, dueField: 'dueAt', leaseField: 'leasedUntil', now: at,
      leaseUntil: new Date(now.getTime() + leaseMs).toISOString(), limit,
    });
    let sent = 0;
    for (const reminder of due) {
      const { tenantId, id } = reminder;
      await unit.tx.delete({ model: taskReminderModel, tenantId, id });
      const row = await unit.tx.findOne({ model: taskEntity.model, tenantId, id });
      const task = row && taskEntity.toRecord(row);
      // A row left behind by a change it should have followed is dropped, not delivered.
      if (!task || !pending(task) || task.remindAt !== reminder.dueAt) continue;
      const ctx = new TenantContext(runtime, tenantId, null, unit);
      ctx.emitIn(unit, at, 'task.reminderDue', { record: task });
      sent++;
    }
    return sent;
  });
}
