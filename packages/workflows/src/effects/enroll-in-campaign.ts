import { ValidationError } from '@crmkit/core';
import type { EnrollInCampaignParams } from '../machines/win-back/win-back.js';
import type { EffectContext } from './effect.js';

/**
 * Built-in `enrollInCampaign` (the win-back machine's effect): enrols the
 * customer in `params.campaignId` through `campaigns.enroll`, a contact
 * itself and a company as all of its contacts. Idempotent without the
 * job's key: a contact has one member row per campaign, so a retried or
 * repeated job enrols nobody twice. A contact who denied consent on the
 * campaign's channel is skipped, not an error. A host handler of the same
 * name (`createWorkflowEngine({ actions: { enrollInCampaign } })`) replaces
 * this one, for hosts whose campaigns live in another tool.
 * @throws {ValidationError} without a `campaignId` (the host picks the campaign then, with its own handler)
 * @throws {NotFoundError} for an unknown campaign @throws {StateError} for a completed or cancelled one
 */
export async function enrollInCampaign(ctx: EffectContext<EnrollInCampaignParams>): Promise<void> {
  const { customer, campaignId } = ctx.params;
  if (campaignId === null || campaignId === undefined) {
    throw ValidationError.single('enrollInCampaign: the win-back input names no campaignId; give one, or a host enrollInCampaign handler that picks it', ['campaignId']);
  }
  await ctx.tenant.campaigns.enroll(campaignId, customer.type === 'contact' ? { contactIds: [customer.id] } : { where: { companyId: customer.id } });
}
