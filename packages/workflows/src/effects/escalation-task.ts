import { StateError } from '@crmkit/core';
import { type CreateTaskParams, createTaskOnce } from './create-task-once.js';
import type { EffectContext } from './effect.js';

/** Params of the built-in `createEscalationTask` effect: a task for a manager up a team's hierarchy. */
export type EscalationTaskParams = Omit<CreateTaskParams, 'assigneeId'> & {
  /** The team escalated from; null gives an unassigned task (nobody leads the work). */
  teamId: string | null;
  /** 1: the team's manager (its lead); 2: the manager of its parent team, the manager above. */
  level: 1 | 2;
};

/**
 * Built-in `createEscalationTask`: a task for the manager at an escalation
 * level above a team, once per idempotency key. The hierarchy is read when the
 * job runs, so a team moved under another office escalates there. A missing
 * manager or parent team is a configuration error, as for `createManagerTask`:
 * the job fails and ends in the dead letters, where it can be seen.
 * @throws {StateError} when the team (level 1) or its parent team (level 2) has no manager, or a level-2 team has no parent
 */
export async function createEscalationTask(ctx: EffectContext<EscalationTaskParams>): Promise<void> {
  const { teamId, level, ...task } = ctx.params;
  const assigneeId = teamId === null ? null : await managerAt(ctx, teamId, level);
  await createTaskOnce(ctx as EffectContext, { ...task, assigneeId });
}

async function managerAt(ctx: EffectContext, teamId: string, level: 1 | 2): Promise<string> {
  let team = await ctx.tenant.teams.get(teamId);
  if (level === 2) {
    if (!team.parentTeamId) throw new StateError(`createEscalationTask: team ${team.name} (${team.id}) has no parent team to escalate to`);
    team = await ctx.tenant.teams.get(team.parentTeamId);
  }
  if (!team.managerId) throw new StateError(`createEscalationTask: team ${team.name} (${team.id}) has no manager`);
  return team.managerId;
}
