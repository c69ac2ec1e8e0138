import type { Crm } from '@crmkit/core';
import { timerModel, type TriggerRunner, type WorkflowEngine } from '@crmkit/workflows';

/**
 * Runs triggers and the engine until neither has anything left at this instant:
 * an effect can commit an event that fires a trigger (the warranty claim
 * resolves its case, which starts a survey), whose instance writes new effects, and so on.
 * @throws {Error} when work is still coming after 50 rounds (a loop between machines)
 */
export async function settle(triggers: TriggerRunner, engine: WorkflowEngine): Promise<void> {
  for (let round = 0; round < 50; round++) {
    const fired = await triggers.runDue();
    const done = await engine.runDue();
    const busy = fired.started + fired.signalled + fired.ran + fired.failed + done.timersFired + done.timersSkipped + done.jobsDone + done.jobsFailed;
    if (busy === 0) return;
  }
  throw new Error('Triggers and workflows still busy after 50 rounds');
}

/**
 * When the tenant's next workflow timer is due (ms since the epoch), if any
 * is pending after `now`: the simulation jumps there, so SLA breaches are
 * recorded at their due time rather than at the next clock step. The engine
 * has no query for this; the timer model is public for tools like this one.
 */
export async function nextTimerAt(crm: Crm, tenantId: string, now: Date): Promise<number | undefined> {
  const [timer] = await crm.adapter.findMany({
    model: timerModel, tenantId, where: { dueAt: { gt: now.toISOString() } }, orderBy: [{ field: 'dueAt' }], limit: 1, select: ['dueAt'],
  });
  return timer ? Date.parse(timer.dueAt) : undefined;
}
