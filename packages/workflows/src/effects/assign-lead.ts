import { type Member, StateError, type TaskPriority, type TenantScope } from '@crmkit/core';
import { createTaskOnce } from './create-task-once.js';
import type { EffectContext } from './effect.js';
import { subjectId } from './subject-id.js';

/** How {@link assignLead} picks a member of the team. */
export type AssignmentStrategy = 'round-robin' | 'least-busy';

/** Params of the built-in `assignLead` effect. */
export interface AssignLeadParams extends Record<string, unknown> {
  /** The team whose active members take leads. */
  teamId: string;
  strategy: AssignmentStrategy;
  /** @default the instance's subject, when it is a contact */
  contactId?: string;
  /**
   * The task the chosen member gets for the lead.
   * @default { title: 'Contact the new lead' }
   */
  task?: { title: string; dueInHours?: number; priority?: TaskPriority };
}

/** Tag of the assignment tasks of a team: they are the durable round-robin cursor. */
export function assignmentTag(teamId: string): string {
  return `lead-assignment:${teamId}`;
}

/** The member who got the team's latest lead, if any. */
async function lastAssignee(tenant: TenantScope, teamId: string): Promise<string | null> {
  // Ties in createdAt (several leads in one millisecond) come back oldest id first: take the highest id among them.
  const { items } = await tenant.tasks.list({ where: { tags: { has: assignmentTag(teamId) } }, orderBy: { createdAt: 'desc' }, limit: 20 });
  const newest = items.filter((task) => task.createdAt === items[0]?.createdAt).sort((a, b) => (a.id < b.id ? 1 : -1))[0];
  return newest?.assigneeId ?? null;
}

async function openTaskCount(tenant: TenantScope, memberId: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await tenant.tasks.inbox(memberId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

async function pick(tenant: TenantScope, members: Member[], params: AssignLeadParams): Promise<Member> {
  if (params.strategy === 'least-busy') {
    const counts = await Promise.all(members.map((m) => openTaskCount(tenant, m.id)));
    const fewest = Math.min(...counts);
    return members[counts.indexOf(fewest)] as Member;
  }
  const last = await lastAssignee(tenant, params.teamId);
  const index = members.findIndex((m) => m.id === last);
  return members[(index + 1) % members.length] as Member;
}

/**
 * Built-in `assignLead`: picks an active member of a team, gives them a task for
 * the lead and makes them the contact's owner.
 *
 * - `round-robin`: the member after the one who got the team's previous lead,
 *   in `members.ofTeam` order (by name). The cursor is durable: it is the
 *   newest assignment task of the team (tagged {@link assignmentTag}).
 * - `least-busy`: the member with the fewest open tasks (their inbox); ties go
 *   to the first by name.
 *
 * A retried job reuses the member its task names, so a retry never reassigns.
 * Concurrent assignments to one team may pick the same member: the pick is not
 * serialised across jobs.
 */
export async function assignLead(ctx: EffectContext<AssignLeadParams>): Promise<void> {
  const { params, tenant } = ctx;
  const contactId = subjectId(ctx, 'contact', params.contactId);
  const done = await tenant.tasks.list({ where: { idempotencyKey: ctx.idempotencyKey }, limit: 1 });
  let ownerId = done.items[0]?.assigneeId;
  if (!ownerId) {
    const members = await tenant.members.ofTeam(params.teamId);
    if (members.length === 0) throw new StateError(`assignLead: team ${params.teamId} has no active members`);
    const member = await pick(tenant, members, params);
    const task = params.task ?? { title: 'Contact the new lead' };
    await createTaskOnce(ctx as EffectContext, {
      ...task, assigneeId: member.id, link: { type: 'contact', id: contactId }, tags: [assignmentTag(params.teamId)],
    });
    ownerId = member.id;
  }
  await tenant.contacts.update(contactId, { ownerId });
}
