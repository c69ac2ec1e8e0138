import type { TenantContext, WriteScope } from '../common/context.js';
import type { Case } from '../cases/case.schema.js';
import { memberModel, teamModel } from '../members/member.model.js';
import { TasksService } from '../tasks/tasks.service.js';
import { joinedContext } from './joined-context.js';
import type { Survey } from './survey.schema.js';

/**
 * The manager a detractor is escalated to: the manager of the case's team,
 * else of the first of the agent's teams that has one; null when nobody
 * manages them (the task is then left unassigned, in nobody's inbox but listed).
 */
async function managerFor(w: WriteScope, ctx: TenantContext, survey: Survey, about: Case | undefined): Promise<string | null> {
  const tenantId = ctx.tenantId;
  const teamIds: string[] = [];
  if (about?.teamId) teamIds.push(about.teamId);
  const agentId = survey.agentId ?? about?.ownerId ?? null;
  if (agentId !== null) {
    const agent = await w.tx.findOne({ model: memberModel, tenantId, id: agentId });
    teamIds.push(...(agent?.teamIds ?? []));
  }
  if (teamIds.length === 0) return null;
  const teams = await w.tx.findMany({ model: teamModel, tenantId, where: { id: { in: [...new Set(teamIds)] } }, select: ['managerId'] });
  const managers = new Map(teams.map((team) => [team.id, team.managerId]));
  for (const id of teamIds) {
    const manager = managers.get(id);
    if (manager && manager !== agentId) return manager;
  }
  return null;
}

/**
 * Creates the escalation task of a detractor's answer, about the case (else
 * the contact), for the team manager, in the survey's unit of work. Keyed by
 * the survey, so it exists once whatever retries.
 */
export async function escalationTask(w: WriteScope, ctx: TenantContext, survey: Survey, about: Case | undefined): Promise<void> {
  const managerId = await managerFor(w, ctx, survey, about);
  const tasks = new TasksService(joinedContext(ctx, w));
  const scale = survey.kind === 'csat' ? 5 : 10;
  await tasks.create(
    {
      title: about ? `Unhappy customer on case #${about.number}: ${survey.kind.toUpperCase()} ${survey.score}/${scale}` : `Unhappy customer: ${survey.kind.toUpperCase()} ${survey.score}/${scale}`,
      description: survey.comment,
      priority: 'high',
      assigneeId: managerId,
      link: about ? { type: 'case', id: about.id } : { type: 'contact', id: survey.contactId },
    },
    { idempotencyKey: `survey-escalation:${survey.id}` },
  );
}
