import { defineEntity, sameShape } from '../entities/entity.js';
import type { CampaignMember } from './campaign-member.schema.js';
import { campaignMemberModel, campaignModel } from './campaign.model.js';
import type { Campaign } from './campaign.schema.js';

type CampaignRow = NonNullable<(typeof campaignModel)['rowType']>;

function toCampaign(row: CampaignRow): Campaign {
  const { budgetMinor, budgetCurrency, costMinor, costCurrency, ...rest } = row;
  const budget = budgetMinor === null || budgetCurrency === null ? null : { minor: budgetMinor, currency: budgetCurrency };
  return { ...rest, budget, cost: { minor: costMinor, currency: costCurrency } };
}

function toCampaignRow(campaign: Partial<Campaign>): Partial<CampaignRow> {
  const { budget, cost, ...rest } = campaign;
  const row: Partial<CampaignRow> = rest;
  if (budget !== undefined) Object.assign(row, { budgetMinor: budget?.minor ?? null, budgetCurrency: budget?.currency ?? null });
  if (cost !== undefined) Object.assign(row, { costMinor: cost.minor, costCurrency: cost.currency });
  return row;
}

/** Marketing campaigns, with their members in `crm_campaign_member`. */
export const campaignEntity = defineEntity({
  name: 'campaign', service: 'campaigns', model: campaignModel, toRecord: toCampaign, toRow: toCampaignRow,
  customizable: true, ownable: true, taskLinkable: false, idempotentCreate: true,
});

/**
 * The members of campaigns. Not in the registry: members are reached through
 * their campaign (`campaigns.members`), never by a link or a reference.
 */
export const campaignMemberEntity = defineEntity({
  name: 'campaignMember', service: 'campaigns', model: campaignMemberModel,
  toRecord: (row): CampaignMember => row, toRow: sameShape.toRow<CampaignMember>,
  customizable: false, ownable: false, taskLinkable: false, idempotentCreate: false,
});
