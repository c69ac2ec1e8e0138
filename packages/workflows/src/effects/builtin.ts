import { type DealPatch, entityNamed, type InteractionInput, ValidationError } from '@crmkit/core';
import { assignLead } from './assign-lead.js';
import { replaceAsset, setAssetStatus } from './asset-status.js';
import { setCaseStatus } from './case-status.js';
import { lapseContract, renewContract } from './contract-renewal.js';
import { checkCoverage } from './coverage.js';
import { type CreateTaskParams, createTaskOnce } from './create-task-once.js';
import type { EffectHandler } from './effect.js';
import { createEscalationTask } from './escalation-task.js';
import { enrollInCampaign } from './enroll-in-campaign.js';
import { createManagerTask } from './manager-task.js';
import { moveDealToStage } from './move-deal.js';
import { recordSlaEvent } from './record-sla-event.js';
import { subjectId } from './subject-id.js';
import { expireSurvey, remindSurvey, sendSurvey } from './survey.js';
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
    // As for tasks: the idempotency key keeps a retried job from logging twice.
    await ctx.tenant.interactions.log(ctx.params as InteractionInput, { idempotencyKey: ctx.idempotencyKey });
  },
  /** Updates a deal (params: `{ dealId?, patch }`; the subject deal by default). */
  async updateDeal(ctx) {
    const { dealId, patch } = ctx.params as { dealId?: string; patch: DealPatch };
    await ctx.tenant.deals.update(subjectId(ctx, 'deal', dealId), patch);
  },
  /** Moves a deal to a stage, behind an optional stage gate on the stored deal (params: `MoveDealParams`). */
  moveDealToStage: moveDealToStage as EffectHandler,
  /** Sets the owner of the subject record (params: `{ ownerId, recordType?, recordId? }`). */
  async assignOwner(ctx) {
    const { ownerId, recordType, recordId } = ctx.params as { ownerId: string; recordType?: string; recordId?: string };
    const type = recordType ?? ctx.subject?.type;
    const id = subjectId(ctx, type ?? 'record', recordId);
    // Any entity the registry marks ownable: its service's update takes `ownerId`.
    const entity = type === undefined ? undefined : entityNamed(type);
    if (!entity?.ownable) throw ValidationError.single(`assignOwner: a ${String(type)} has no owner to assign`, ['recordType']);
    const service = (ctx.tenant as unknown as Record<string, { update(id: string, patch: { ownerId: string }): Promise<unknown> }>)[entity.service]!;
    await service.update(id, { ownerId });
  },
  /** Applies a patch to a contact (params: `UpdateContactParams`; the subject contact by default). */
  updateContact: updateContact as EffectHandler,
  /** Picks a team member round-robin or least-busy, gives them a task and makes them the contact's owner (params: `AssignLeadParams`). */
  assignLead: assignLead as EffectHandler,
  /** Creates a task for a team's manager, once per idempotency key (params: `ManagerTaskParams`). */
  createManagerTask: createManagerTask as EffectHandler,
  /** Creates a task for the manager at an escalation level above a team, once per idempotency key (params: `EscalationTaskParams`). */
  createEscalationTask: createEscalationTask as EffectHandler,
  /** Records an SLA warning or breach of a case; stale timers are ignored by the core (params: `RecordSlaEventParams`). */
  recordSlaEvent: recordSlaEvent as EffectHandler,
  /** Moves a case to a status (params: `SetCaseStatusParams`). */
  setCaseStatus: setCaseStatus as EffectHandler,
  /** Checks an asset's coverage and replies `coverageChecked` (params: `CheckCoverageParams`). */
  checkCoverage: checkCoverage as EffectHandler,
  /** Sets an asset `active`, `in_repair` or `retired` (params: `SetAssetStatusParams`). */
  setAssetStatus: setAssetStatus as EffectHandler,
  /** Replaces an asset by a new unit that takes over its coverage, once (params: `ReplaceAssetParams`). */
  replaceAsset: replaceAsset as EffectHandler,
  /** Records a survey, once per idempotency key, and replies `survey.sent` (params: `SendSurveyParams`). */
  sendSurvey: sendSurvey as EffectHandler,
  /** Records the reminder of an unanswered survey, once (params: `SurveyParams`). */
  remindSurvey: remindSurvey as EffectHandler,
  /** Expires an unanswered survey (params: `SurveyParams`). */
  expireSurvey: expireSurvey as EffectHandler,
  /** Lapses an active contract at its end (params: `LapseContractParams`). */
  lapseContract: lapseContract as EffectHandler,
  /** Renews a contract, once, and replies `renewed` (params: `RenewContractParams`). */
  renewContract: renewContract as EffectHandler,
  /** Enrols the win-back customer (a contact, or a company's contacts) in `campaignId`, idempotently (params: `EnrollInCampaignParams`). */
  enrollInCampaign: enrollInCampaign as EffectHandler,
};
