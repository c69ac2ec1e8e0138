import type { Row } from '@crmkit/core';
import { jobModel, timerModel } from '../storage/models.js';
import type { EngineRuntime } from './context.js';
import { fireTimer } from './fire-timer.js';
import { deliverJob } from './job-attempt.js';

/** What one delivery pass did. */
export interface DueWork {
  /** Timers whose event was applied. */
  timersFired: number;
  /** Timers dropped: their instance had finished, or they were cancelled or fired by another worker meanwhile. */
  timersSkipped: number;
  /** Effect attempts that succeeded and were recorded. */
  jobsDone: number;
  /** Effect attempts that failed and were recorded (retried later, or dead-lettered after the last). */
  jobsFailed: number;
  /**
   * Claimed effect jobs this pass wrote nothing for: another worker took them
   * over after this one's lease ran out (before the attempt began, or before
   * its outcome was recorded), or they were withdrawn meanwhile.
   */
  jobsLost: number;
  /** `task.reminderDue` events emitted for due task reminders (`crm.deliverReminders`), which every delivery pass runs too. */
  remindersSent: number;
}

/** A dead-lettered effect, kept for inspection and `retryJob`. */
export interface DeadJob {
  tenantId: string;
  id: string;
  instanceId: string;
  action: string;
  params: Record<string, unknown>;
  idempotencyKey: string;
  /** Attempts that began, the last included. */
  attempts: number;
  lastError: string | null;
  finishedAt: string;
}

/** An empty {@link DueWork}. */
export function noWork(): DueWork {
  return { timersFired: 0, timersSkipped: 0, jobsDone: 0, jobsFailed: 0, jobsLost: 0, remindersSent: 0 };
}

/** Adds one job outcome to a pass's counts. */
export function countJob(work: DueWork, kind: 'done' | 'retry' | 'dead' | 'lost' | 'skipped' | 'later'): void {
  if (kind === 'done') work.jobsDone++;
  else if (kind === 'retry' || kind === 'dead') work.jobsFailed++;
  else if (kind === 'lost' || kind === 'skipped') work.jobsLost++;
}

/** Runs `fn` over items with at most `concurrency` running at once. */
async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await fn(items[next++] as T);
  });
  await Promise.all(lanes);
}

/**
 * One pass over the rows: due timers (one instance's in due order, instances
 * in parallel), then due effect jobs, each through the same fire and settle
 * functions as every queue. Claimed jobs may wait behind slower ones for
 * longer than their lease: each attempt's fenced begin then finds whether
 * another worker took the job over meanwhile, and skips it if so.
 */
export async function deliverDue(rt: EngineRuntime, limit: number, concurrency: number): Promise<DueWork> {
  const work = noWork();
  const now = rt.clock.now();
  const leaseUntil = new Date(now.getTime() + rt.settings.leaseMs).toISOString();
  const timers = await rt.storage.claimDue({
    model: timerModel, dueField: 'dueAt', leaseField: 'leasedUntil', now: now.toISOString(), leaseUntil, limit,
  });
  const byInstance = new Map<string, Row[]>();
  for (const timer of timers) {
    const key = `${timer.tenantId as string}/${timer.instanceId as string}`;
    const group = byInstance.get(key);
    if (group) group.push(timer);
    else byInstance.set(key, [timer]);
  }
  await pool([...byInstance.values()], concurrency, async (group) => {
    for (const timer of group) {
      if (await fireTimer(rt, timer.tenantId as string, timer.id as string)) work.timersFired++;
      else work.timersSkipped++;
    }
  });
  const jobs = await rt.storage.claimDue({
    model: jobModel, dueField: 'dueAt', leaseField: 'leasedUntil', now: now.toISOString(), leaseUntil, limit, where: { status: 'pending' },
  });
  await pool(jobs, concurrency, async (job) => {
    countJob(work, (await deliverJob(rt, job, true)).kind);
  });
  // A worker is the CRM's one process that runs on a clock: task reminders come due with it.
  work.remindersSent = await rt.crm.deliverReminders({ limit });
  return work;
}
