import { entityNamed, type Task, type TaskInput, type TaskLinkType } from '@crmkit/core';
import type { EffectContext } from './effect.js';

/** Params of the built-in `createTask` effect: a task input; `linkToSubject` links it to the instance's subject. */
export type CreateTaskParams = Omit<TaskInput, 'dueAt'> & {
  /** Due this many hours after the effect runs (alternative to an absolute `dueAt`). */
  dueInHours?: number;
  dueAt?: string;
  linkToSubject?: boolean;
};

/** A link to the instance's subject, when tasks can link to its entity (see `taskLinkTypes`). */
function subjectLink(ctx: EffectContext): TaskInput['link'] {
  const subject = ctx.subject;
  if (!subject || !entityNamed(subject.type)?.taskLinkable) return null;
  return { type: subject.type as TaskLinkType, id: subject.id };
}

/**
 * Creates a task for an effect, once per idempotency key: a retried job gets
 * the task its earlier attempt made (`tasks.create` with `{ idempotencyKey }`),
 * and the host's `custom` fields stay the host's.
 */
export async function createTaskOnce(ctx: EffectContext, params: CreateTaskParams): Promise<Task> {
  const { dueInHours, linkToSubject, ...input } = params;
  const now = ctx.now.getTime();
  return ctx.tenant.tasks.create(
    {
      ...input,
      ...(dueInHours !== undefined ? { dueAt: new Date(now + dueInHours * 3_600_000) } : {}),
      ...(linkToSubject ? { link: subjectLink(ctx) } : {}),
      tags: [...(input.tags ?? []), `workflow:${ctx.workflowId}`],
    },
    { idempotencyKey: ctx.idempotencyKey },
  );
}
