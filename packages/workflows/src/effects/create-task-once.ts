import type { Task, TaskInput } from '@crmkit/core';
import type { EffectContext } from './effect.js';

/** Params of the built-in `createTask` effect: a task input; `linkToSubject` links it to the instance's subject. */
export type CreateTaskParams = Omit<TaskInput, 'dueAt'> & {
  /** Due this many hours after the effect runs (alternative to an absolute `dueAt`). */
  dueInHours?: number;
  dueAt?: string;
  linkToSubject?: boolean;
};

function subjectLink(ctx: EffectContext): TaskInput['link'] {
  const subject = ctx.subject;
  if (!subject) return null;
  if (!['contact', 'company', 'deal', 'interaction', 'case'].includes(subject.type)) return null;
  return { type: subject.type as 'contact', id: subject.id };
}

/**
 * Creates a task for an effect, once per idempotency key: a retried job finds
 * the task its earlier attempt made (the key is stored on the task) and returns it.
 */
export async function createTaskOnce(ctx: EffectContext, params: CreateTaskParams): Promise<Task> {
  const { dueInHours, linkToSubject, ...input } = params;
  const done = await ctx.tenant.tasks.list({ where: { 'custom.idempotencyKey': ctx.idempotencyKey }, limit: 1 });
  if (done.items[0]) return done.items[0];
  const now = ctx.now.getTime();
  return ctx.tenant.tasks.create({
    ...input,
    ...(dueInHours !== undefined ? { dueAt: new Date(now + dueInHours * 3_600_000) } : {}),
    ...(linkToSubject ? { link: subjectLink(ctx) } : {}),
    tags: [...(input.tags ?? []), `workflow:${ctx.workflowId}`],
    custom: { ...input.custom, idempotencyKey: ctx.idempotencyKey },
  });
}
