import { ConflictError, type Row, withRetry } from '@crmkit/core';
import type { EventObject } from 'xstate';
import type { WorkflowEngine } from '../engine.js';
import { instanceModel, jobModel, timerModel } from '../storage/models.js';

/** What one delivery pass did. */
export interface DueWork {
  /** Timers whose event was applied. */
  timersFired: number;
  /** Timers dropped because their instance had finished or they were cancelled meanwhile. */
  timersSkipped: number;
  jobsDone: number;
  jobsFailed: number;
}

/** A dead-lettered effect, kept for inspection and `retryJob`. */
export interface DeadJob {
  tenantId: string;
  id: string;
  instanceId: string;
  action: string;
  params: Record<string, unknown>;
  idempotencyKey: string;
  attempts: number;
  lastError: string | null;
  finishedAt: string;
}

/** Runs `fn` over items with at most `concurrency` running at once. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(lanes);
}

/** One pass over due timers, then due jobs. */
export async function deliverDue(engine: WorkflowEngine, limit: number, concurrency: number): Promise<DueWork> {
  const work: DueWork = { timersFired: 0, timersSkipped: 0, jobsDone: 0, jobsFailed: 0 };
  const now = engine.clock.now();
  const leaseUntil = new Date(now.getTime() + engine.options.leaseMs).toISOString();
  const timers = await engine.storage.claimDue({
    model: timerModel, dueField: 'dueAt', leaseField: 'leasedUntil', now: now.toISOString(), leaseUntil, limit,
  });
  // One instance's timers fire one after another in due order; instances in parallel.
  const byInstance = new Map<string, Row[]>();
  for (const timer of timers) {
    const key = `${timer.tenantId as string}/${timer.instanceId as string}`;
    byInstance.set(key, [...(byInstance.get(key) ?? []), timer]);
  }
  await pool([...byInstance.values()], concurrency, async (group) => {
    for (const timer of group) {
      if (await fireTimer(engine, timer.tenantId as string, timer.id as string)) work.timersFired++;
      else work.timersSkipped++;
    }
  });
  const jobs = await engine.storage.claimDue({
    model: jobModel, dueField: 'dueAt', leaseField: 'leasedUntil', now: now.toISOString(), leaseUntil, limit, where: { status: 'pending' },
  });
  await pool(jobs, concurrency, async (job) => {
    if (await runJob(engine, job)) work.jobsDone++;
    else work.jobsFailed++;
  });
  return work;
}

/**
 * Applies a timer's event and deletes the timer in one transaction. A timer
 * that is gone (cancelled, or delivered by another worker) or whose instance
 * finished is skipped: the instance revision guard makes delivery exactly-once,
 * whichever queue delivered the timer and however often.
 */
export async function fireTimer(engine: WorkflowEngine, tenantId: string, timerId: string): Promise<boolean> {
  return withRetry(
    () => engine.storage.transaction(async (tx) => {
      const current = await tx.findOne({ model: timerModel, tenantId, id: timerId });
      if (!current) return false;
      await tx.delete({ model: timerModel, tenantId, id: timerId });
      const applied = await engine.applyEvent(tx, tenantId, current.instanceId as string, current.event as EventObject);
      // No instance, or one that had finished: the timer is dropped, not fired.
      return applied !== undefined && applied.fired;
    }),
    { attempts: 20, retryOn: (e) => e instanceof ConflictError },
  );
}

/** Runs an effect job's handler once, as attempt number `attempt`; throws what the handler throws. */
export async function runEffect(engine: WorkflowEngine, job: Row, attempt: number): Promise<void> {
  const tenantId = job.tenantId as string;
  const instance = await engine.storage.findOne({ model: instanceModel, tenantId, id: job.instanceId as string });
  const handler = engine.handlers[job.action as string];
  if (!handler) throw new Error(`No effect handler named ${JSON.stringify(job.action)}`);
  await handler({
    tenant: engine.crm.tenant(tenantId),
    tenantId,
    instanceId: job.instanceId as string,
    workflowId: (instance?.workflowId as string | undefined) ?? '',
    subject: instance?.subjectType ? { type: instance.subjectType as string, id: instance.subjectId as string } : null,
    params: job.params as Record<string, unknown>,
    idempotencyKey: job.idempotencyKey as string,
    attempt,
    now: engine.clock.now(),
  });
}

/** The text kept in a job row's `lastError`. */
export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs one effect job; records success, a retry with backoff, or the dead letter. */
async function runJob(engine: WorkflowEngine, job: Row): Promise<boolean> {
  const tenantId = job.tenantId as string;
  const attempt = (job.attempts as number) + 1;
  const now = engine.clock.now();
  try {
    await runEffect(engine, job, attempt);
    await engine.storage.update({
      model: jobModel, tenantId, id: job.id as string,
      data: { status: 'done', attempts: attempt, finishedAt: engine.clock.now().toISOString(), leasedUntil: null, updatedAt: now.toISOString() },
    });
    return true;
  } catch (error) {
    const dead = attempt >= (job.maxAttempts as number);
    const backoff = Math.min(3_600_000, engine.options.retryBaseMs * 2 ** (attempt - 1));
    await engine.storage.update({
      model: jobModel, tenantId, id: job.id as string,
      data: {
        status: dead ? 'dead' : 'pending', attempts: attempt, leasedUntil: null,
        dueAt: new Date(now.getTime() + backoff).toISOString(),
        lastError: errorText(error),
        finishedAt: dead ? now.toISOString() : null, updatedAt: now.toISOString(),
      },
    });
    return false;
  }
}
