import type { DealPatch, InteractionInput, TaskInput } from '@crmkit/core';
import type { EffectContext, EffectHandler } from './effect.js';

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

function subjectId(ctx: EffectContext, type: string, given: unknown): string {
  if (typeof given === 'string') return given;
  if (ctx.subject?.type === type) return ctx.subject.id;
  throw new Error(`${ctx.workflowId}: no ${type} id in the params and the subject is not a ${type}`);
}

/**
 * Effects that use crmkit's own services. A host handler of the same name
 * replaces the built-in one.
 */
export const builtinEffects: Record<string, EffectHandler> = {
  /** Creates a task (see {@link CreateTaskParams}), once per idempotency key. */
  async createTask(ctx) {
    const { dueInHours, linkToSubject, ...input } = ctx.params as CreateTaskParams;
    // A retried job must not leave two tasks: the key is stored on the task.
    const done = await ctx.tenant.tasks.list({ where: { 'custom.idempotencyKey': ctx.idempotencyKey }, limit: 1 });
    if (done.items.length > 0) return;
    const now = ctx.now.getTime();
    await ctx.tenant.tasks.create({
      ...input,
      ...(dueInHours !== undefined ? { dueAt: new Date(now + dueInHours * 3_600_000) } : {}),
      ...(linkToSubject ? { link: subjectLink(ctx) } : {}),
      tags: [...(input.tags ?? []), `workflow:${ctx.workflowId}`],
      custom: { ...input.custom, idempotencyKey: ctx.idempotencyKey },
    });
  },
  /** Logs an interaction (params: an interaction input). */
  async logInteraction(ctx) {
    await ctx.tenant.interactions.log(ctx.params as InteractionInput);
  },
  /** Updates a deal (params: `{ dealId?, patch }`; the subject deal by default). */
  async updateDeal(ctx) {
    const { dealId, patch } = ctx.params as { dealId?: string; patch: DealPatch };
    await ctx.tenant.deals.update(subjectId(ctx, 'deal', dealId), patch);
  },
  /** Moves a deal to a stage (params: `{ dealId?, stage }`). */
  async moveDealToStage(ctx) {
    const { dealId, stage } = ctx.params as { dealId?: string; stage: string };
    await ctx.tenant.deals.moveToStage(subjectId(ctx, 'deal', dealId), stage);
  },
  /** Sets the owner of the subject record (params: `{ ownerId, recordType?, recordId? }`). */
  async assignOwner(ctx) {
    const { ownerId, recordType, recordId } = ctx.params as { ownerId: string; recordType?: string; recordId?: string };
    const type = recordType ?? ctx.subject?.type;
    const id = subjectId(ctx, type ?? 'record', recordId);
    if (type === 'contact') await ctx.tenant.contacts.update(id, { ownerId });
    else if (type === 'company') await ctx.tenant.companies.update(id, { ownerId });
    else if (type === 'deal') await ctx.tenant.deals.update(id, { ownerId });
    else throw new Error(`assignOwner: cannot assign an owner to a ${String(type)}`);
  },
};
