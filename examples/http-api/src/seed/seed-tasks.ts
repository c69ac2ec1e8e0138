import type { Clock, Deal, Member, TaskInput, TenantScope } from '@crmkit/core';

const minute = 60_000;
const hour = 60 * minute;

/** A task of the seed: due `dueIn` ms from now (negative: overdue), `null`: undated. */
interface PlannedTask {
  title: string;
  assignee: Member;
  dueIn: number | null;
  priority: NonNullable<TaskInput['priority']>;
  link?: { type: 'deal' | 'contact'; id: string };
}

/**
 * Fills the inboxes: the rep's follow-ups on this week's deals (one overdue,
 * some due within hours), the manager's review and the agent's callback, so
 * that each sign-in link opens an inbox with work in every urgency.
 */
export async function seedTasks(t: TenantScope, input: { rep: Member; manager: Member; agent: Member; deals: readonly Deal[]; clock: Clock }): Promise<number> {
  const { rep, manager, agent, deals } = input;
  const deal = (i: number) => deals[i % deals.length]!;
  const planned: PlannedTask[] = [
    { title: `Send the quote: ${deal(0).title}`, assignee: rep, dueIn: 2 * hour, priority: 'high', link: { type: 'deal', id: deal(0).id } },
    { title: `Call back about ${deal(1).title}`, assignee: rep, dueIn: 45 * minute, priority: 'urgent', link: { type: 'contact', id: deal(1).contactIds[0]! } },
    { title: `Follow up after the demo: ${deal(3).title}`, assignee: rep, dueIn: -3 * hour, priority: 'normal', link: { type: 'deal', id: deal(3).id } },
    { title: `Book a meeting: ${deal(2).title}`, assignee: rep, dueIn: 26 * hour, priority: 'normal', link: { type: 'deal', id: deal(2).id } },
    { title: 'Update the account plan', assignee: rep, dueIn: null, priority: 'low' },
    { title: "Review the team's forecast", assignee: manager, dueIn: 5 * hour, priority: 'high' },
    { title: `Approve the discount: ${deal(4).title}`, assignee: manager, dueIn: 90 * minute, priority: 'normal', link: { type: 'deal', id: deal(4).id } },
    { title: 'Call the customer back about the open case', assignee: agent, dueIn: 30 * minute, priority: 'high', link: { type: 'contact', id: deal(0).contactIds[0]! } },
    { title: 'Tidy the knowledge base article on returns', assignee: agent, dueIn: 48 * hour, priority: 'low' },
  ];
  const now = input.clock.now().getTime();
  for (const task of planned) {
    await t.tasks.create({
      title: task.title, assigneeId: task.assignee.id, ownerId: task.assignee.id, priority: task.priority,
      ...(task.dueIn === null ? {} : { dueAt: new Date(now + task.dueIn).toISOString() }),
      ...(task.link ? { link: task.link } : {}),
    });
  }
  return planned.length;
}
