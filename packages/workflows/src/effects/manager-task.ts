import { StateError } from '@crmkit/core';
import { type CreateTaskParams, createTaskOnce } from './create-task-once.js';
import type { EffectContext } from './effect.js';

/** Params of the built-in `createManagerTask` effect: a task for the manager of a team. */
export type ManagerTaskParams = Omit<CreateTaskParams, 'assigneeId'> & {
  /** The team whose manager (`team.managerId`) gets the task. */
  teamId: string;
};

/**
 * Built-in `createManagerTask`: creates a task assigned to a team's manager,
 * once per idempotency key. A team without a manager is a configuration error:
 * the job fails, is retried and ends in the dead letters, where it can be seen.
 */
export async function createManagerTask(ctx: EffectContext<ManagerTaskParams>): Promise<void> {
  const { teamId, ...task } = ctx.params;
  const team = await ctx.tenant.teams.get(teamId);
  if (!team.managerId) throw new StateError(`createManagerTask: team ${team.name} (${team.id}) has no manager`);
  await createTaskOnce(ctx as EffectContext, { ...task, assigneeId: team.managerId });
}
