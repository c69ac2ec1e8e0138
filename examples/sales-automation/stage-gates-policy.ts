import type { Deal } from '@crmkit/core';
import type { DealStageGatesInput } from '@crmkit/workflows';
import type { SalesOrg } from './sales-org.js';

/** Discounts above this wait for the rep's manager. */
export const maxDiscountPercent = 10;

/**
 * The input of `deal-stage-gates` for a deal: a deal may only be won with an
 * amount and an expected close date, discounts above 10% go to the owner's
 * manager, and two weeks in one stage earn the owner a reminder.
 */
export function stageGatesInput(deal: Deal, org: SalesOrg): DealStageGatesInput {
  const teamId = (deal.ownerId && org.teamOf.get(deal.ownerId)) || org.leadTeam.id;
  return {
    dealId: deal.id,
    stage: deal.stageId,
    ownerId: deal.ownerId,
    requiredFields: { won: ['amount', 'expectedCloseOn'] },
    approval: { teamId, maxDiscountPercent },
    staleAfterDays: 14,
  };
}
