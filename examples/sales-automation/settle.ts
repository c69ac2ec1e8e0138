import type { TriggerRunner, WorkflowEngine } from '@crmkit/workflows';

/**
 * Runs triggers and the engine until neither has anything left at this instant:
 * an effect can commit an event that fires a trigger (a deal moved to won ends
 * its stage gates), whose instance writes new effects, and so on.
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
