import type { Clock, Crm } from '@crmkit/core';
import { businessCalendar, createWorkflowEngine, dealStageGates, followUp, leadQualification, type WorkflowEngine, winBack } from '@crmkit/workflows';
import type { CampaignRecorder } from './campaign.js';

/** The dataset's sales offices are in the US; lead escalations count New York business hours. */
export const salesTimeZone = 'America/New_York';

/** The engine running the four standard machines, with the host's campaign effect. */
export function createSalesEngine(crm: Crm, clock: Clock, campaign: CampaignRecorder): WorkflowEngine {
  return createWorkflowEngine({
    crm,
    clock,
    workflows: [dealStageGates, followUp, leadQualification, winBack],
    calendar: businessCalendar({ timeZone: salesTimeZone }),
    actions: { enrollInCampaign: campaign.enrollInCampaign },
  });
}
