import { caseSlaTriggers, contractRenewalTriggers, satisfactionSurveyTriggers, type Trigger, warrantyClaimTriggers } from '@crmkit/workflows';
import { serviceHours } from './service-hours.js';

/** How the desk's automation is set up. */
export const deskSettings = {
  /** After a breach the team lead gets a task; two hours later, the head of service. */
  escalateAfterMinutes: 120,
  /** Renewal starts two weeks before a contract ends, with reminders a week and two days before. */
  renewal: { daysBefore: 14, reminderDays: [7, 2], offerDueInDays: 5 },
  /** A CSAT survey two hours after resolution, one reminder after two days, expired after five. */
  survey: { kind: 'csat', channel: 'email', sendAfterHours: 2, remindAfterDays: 2, expireAfterDays: 5, onDetractor: 'escalate' },
} as const;

/**
 * The standard triggers of the four after-sales machines: `case-sla` for
 * every open case, `warranty-claim` for warranty cases about an asset,
 * `satisfaction-survey` on resolution, `contract-renewal` before a contract
 * ends (maintenance and subscriptions; warranties just run out).
 */
export function deskTriggers(): Trigger[] {
  return [
    ...caseSlaTriggers({ escalateAfterMinutes: deskSettings.escalateAfterMinutes }),
    ...warrantyClaimTriggers(),
    ...satisfactionSurveyTriggers({ input: deskSettings.survey }),
    ...contractRenewalTriggers({ ...deskSettings.renewal, timeZone: serviceHours.timeZone }),
  ];
}
