import { type DealPatch, type InteractionInput, ValidationError } from '@crmkit/core';
import { assignLead } from './assign-lead.js';
import { type CreateTaskParams, createTaskOnce } from './create-task-once.js';
import type { EffectHandler } from './effect.js';
import { createManagerTask } from './manager-task.js';
import { subjectId } from './subject-id.js';
import { updateContact } from './update-contact.js';

export type { CreateTaskParams } from './create-task-once.js';

/**
 * Effects that use crmkit's own services. A host handler of the same name
 * replaces the built-in one.
 */
export const builtinEffects: Record<string, EffectHandler> = {
  /** Creates a task (see {@link CreateTaskParams}), once per idempotency key. */
  async createTask(ctx) {
    await createTaskOnce(ctx, ctx.params as CreateTaskParams);
  },
  /** Logs an interaction (params: an interaction input), once per idempotency key. */
  async logInteraction(ctx) {
    const input = ctx.params as InteractionInput;
    // As for tasks: the key stored on the record keeps a retried job from logging twice.
    const done = await ctx.tenant.interactions.list({ where: { 'custom.idempotencyKey': ctx.idempotencyKey }, limit: 1 });
    if (done.items.length > 0) return;
    await ctx.tenant.interactions.log({ ...input, custom: { ...input.custom, idempotencyKey: ctx.idempotencyKey } });
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
    else throw ValidationError.single(`assignOwner: cannot assign an owner to a ${String(type)}`, ['params', 'recordType']);
  },
  /** Applies a patch to a contact (params: `UpdateContactParams`; the subject contact by default). */
  updateContact: updateContact as EffectHandler,
  /** Picks a team member round-robin or least-busy, gives them a task and makes them the contact's owner (params: `AssignLeadParams`). */
  assignLead: assignLead as EffectHandler,
  /** Creates a task for a team's manager, once per idempotency key (params: `ManagerTaskParams`). */
  createManagerTask: createManagerTask as EffectHandler,
};
