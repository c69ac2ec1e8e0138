import { type Clock, type Crm, businessCalendar } from '@crmkit/core';
import { caseSla, contractRenewal, createWorkflowEngine, satisfactionSurvey, warrantyClaim, type WorkflowEngine } from '@crmkit/workflows';
import { serviceHours } from './service-hours.js';
import type { SurveyOutbox } from './survey-outbox.js';

/** The engine running the after-sales machines, with the host's survey mailer. */
export function createDeskEngine(crm: Crm, clock: Clock, outbox: SurveyOutbox): WorkflowEngine {
  return createWorkflowEngine({
    crm,
    clock,
    workflows: [caseSla, warrantyClaim, contractRenewal, satisfactionSurvey],
    calendar: businessCalendar(serviceHours),
    actions: { deliverSurvey: outbox.deliverSurvey },
  });
}
