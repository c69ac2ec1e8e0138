import { newId, type Row, type Storage } from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { BusinessCalendar } from '@crmkit/core';
import type { Subject } from '../definition.js';
import { WorkflowDefinitionError } from '../errors.js';
import type { QueueWrites } from '../queue/queue.js';
import { instanceModel, jobModel, stepModel, timerModel } from '../storage/models.js';
import type { TransitionPlan } from './plan.js';

/** Settings that shape how one definition's plans are written (built once per definition). */
export interface WriteSettings {
  maxAttempts: number;
  calendar: BusinessCalendar | undefined;
  businessDelays: ReadonlySet<string>;
  /** Whether to keep a step row per event (the instance history). */
  history: boolean;
  /** The queue's hook run in the same transaction (see `WorkflowQueue.enqueue`). */
  enqueue: ((tx: Storage, writes: QueueWrites) => Promise<void>) | undefined;
}

/** The instance a plan is applied to: a new one, or the stored one at a revision. */
export type PlanTarget =
  | { kind: 'new'; id: string; workflowId: string; workflowVersion: number; subject: Subject | null }
  | { kind: 'existing'; row: Row; workflowVersion: number };

/**
 * Writes one transition in the caller's transaction: the snapshot (guarded by
 * the revision it was computed from), timers added and cancelled, effects as
 * outbox jobs with idempotency keys, and the history step. Either all of it is
 * committed or none. The guarded instance write comes first: for a stale
 * revision it touches no row, nothing else is written and `undefined` is
 * returned (an exception would cost more than the write). Otherwise returns
 * the instance row as stored.
 */
export async function writePlan(
  tx: Storage,
  tenantId: string,
  target: PlanTarget,
  plan: TransitionPlan,
  event: EventObject,
  now: Date,
  settings: WriteSettings,
): Promise<Row | undefined> {
  const at = now.toISOString();
  let instance: Row;
  if (target.kind === 'new') {
    const created = {
      tenantId, id: target.id, createdAt: at, updatedAt: at, version: 1,
      workflowId: target.workflowId, workflowVersion: target.workflowVersion,
      subjectType: target.subject?.type ?? null, subjectId: target.subject?.id ?? null,
      status: plan.status, state: plan.state, snapshot: plan.snapshot, lastEventAt: at,
    };
    await tx.create({ model: instanceModel, tenantId, data: created });
    instance = created;
  } else {
    const written = await writeInstance(tx, tenantId, target.row, target.workflowVersion, plan, at);
    if (written === undefined) return undefined;
    instance = written;
  }
  const revision = instance.version as number;
  const instanceId = instance.id as string;
  const sendIds = [...plan.cancels, ...plan.timers.map((t) => t.sendId)];
  let cancelledSendIds: string[] = [];
  if (plan.status !== 'active') {
    if (target.kind === 'existing') {
      // A queue that holds its own copy of each timer must withdraw them: read which before deleting.
      if (settings.enqueue) {
        const pending = await tx.findMany({ model: timerModel, tenantId, where: { instanceId }, select: ['sendId'] });
        cancelledSendIds = pending.map((row) => row.sendId as string);
      }
      await tx.deleteMany({ model: timerModel, tenantId, where: { instanceId } });
    }
  } else if (sendIds.length > 0 && target.kind === 'existing') {
    await tx.deleteMany({ model: timerModel, tenantId, where: { instanceId, sendId: { in: sendIds } } });
  }
  let timers: Row[] = [];
  if (plan.status === 'active') {
    const rescheduled = new Set(plan.timers.map((t) => t.sendId));
    cancelledSendIds = plan.cancels.filter((sendId) => !rescheduled.has(sendId));
  }
  if (plan.status === 'active' && plan.timers.length > 0) {
    const rows = plan.timers.map((timer) => ({
      id: newId(), createdAt: at, updatedAt: at, instanceId, sendId: timer.sendId, event: timer.event,
      dueAt: dueAt(now, timer.delayMs, timer.delayName, settings).toISOString(), leasedUntil: null,
    }));
    const unique = dedupeBySendId(rows);
    await tx.createMany({ model: timerModel, tenantId, rows: unique });
    timers = unique;
  }
  let jobs: Row[] = [];
  if (plan.effects.length > 0) {
    const rows = plan.effects.map((effect, index) => ({
      id: newId(), createdAt: at, updatedAt: at, version: 1, instanceId, action: effect.action, params: effect.params,
      // Stable across retries of the same transition, unique per effect: hosts dedupe on it.
      idempotencyKey: `${instanceId}:${revision}:${index}`,
      status: 'pending', attempts: 0, maxAttempts: settings.maxAttempts, dueAt: at, leasedUntil: null, lastError: null, finishedAt: null,
    }));
    await tx.createMany({ model: jobModel, tenantId, rows });
    jobs = rows;
  }
  if (settings.enqueue && (timers.length > 0 || cancelledSendIds.length > 0 || jobs.length > 0)) {
    await settings.enqueue(tx, { tenantId, instanceId, timers, cancelledSendIds, jobs });
  }
  if (settings.history) {
    await tx.create({
      model: stepModel, tenantId,
      data: {
        id: newId(), createdAt: at, updatedAt: at, instanceId, revision, eventType: event.type, event,
        fromState: target.kind === 'new' ? null : (target.row.state as string), toState: plan.state, at,
      },
    });
  }
  return instance;
}

/**
 * The guarded write of an existing instance: one `update ... where version = ?`
 * that sets only what a transition changes (an unchanged `status` would
 * rewrite its index entry for nothing) and reads nothing back; the stored row
 * is known from what was written. `undefined` when the instance is no longer
 * at the row's revision.
 */
async function writeInstance(tx: Storage, tenantId: string, row: Row, workflowVersion: number, plan: TransitionPlan, at: string): Promise<Row | undefined> {
  const id = row.id as string;
  const version = row.version as number;
  const data: Row = { updatedAt: at, state: plan.state, snapshot: plan.snapshot, lastEventAt: at };
  if (plan.status !== row.status) data.status = plan.status;
  if (workflowVersion !== row.workflowVersion) data.workflowVersion = workflowVersion;
  const written = await tx.updateMany({ model: instanceModel, tenantId, where: { id, version }, data });
  return written === 0 ? undefined : { ...row, ...data, version: version + 1 };
}

function dueAt(now: Date, delayMs: number, delayName: string | undefined, settings: WriteSettings): Date {
  if (delayName !== undefined && settings.businessDelays.has(delayName)) {
    if (!settings.calendar) throw new WorkflowDefinitionError(`Delay ${delayName} is in business hours but the engine has no calendar`);
    return settings.calendar.addWorkingTime(now, delayMs);
  }
  return new Date(now.getTime() + delayMs);
}

/** A transition may schedule the same send id twice (exit and re-entry): the last one wins. */
function dedupeBySendId<T extends { sendId: string }>(rows: T[]): T[] {
  return [...new Map(rows.map((row) => [row.sendId, row])).values()];
}
