import type { Interaction, InteractionType } from '@crmkit/core';
import {
  cron, type DealStageGatesEvent, type FollowUpEvent, type FollowUpInput, type LeadQualificationEvent, onEvent,
  type Subject, type Trigger, type WinBackEvent, type WorkflowEngine,
} from '@crmkit/workflows';
import { salesTimeZone } from './sales-engine.js';
import type { SalesOrg } from './sales-org.js';
import { stageGatesInput } from './stage-gates-policy.js';
import { enrolCustomers, type WinBackSettings } from './win-back-enrolment.js';

/** Interactions with the customer; notes are internal and answer nothing. */
const conversations: InteractionType[] = ['call', 'meeting', 'email'];

/** What an interaction is about, for follow-ups: its deal, else its first contact, else its company. */
export function interactionSubject(record: Interaction): Subject | null {
  if (record.dealId) return { type: 'deal', id: record.dealId };
  if (record.contactIds[0]) return { type: 'contact', id: record.contactIds[0] };
  if (record.companyId) return { type: 'company', id: record.companyId };
  return null;
}

/**
 * The triggers that start and feed the four standard machines.
 *
 * Imported deals carry the dataset's opportunity id as `externalId`: the import
 * is history, so `deal.created` only starts stage gates for deals made in the
 * CRM (the open imported ones are started by `goLive`).
 */
export function salesTriggers(engine: WorkflowEngine, org: SalesOrg, winBack: WinBackSettings): Trigger[] {
  return [
    // deal-stage-gates: started for new open deals, ended when the deal closes.
    onEvent('deal.created', {
      where: { 'record.status': 'open', 'record.externalId': { isNull: true } },
      start: 'deal-stage-gates',
      input: (e) => stageGatesInput(e.data.record, org),
    }),
    // The gates learn where the deal is from the CRM itself, which re-arms their stale timer.
    onEvent('deal.stageChanged', {
      where: { 'record.status': 'open' },
      signal: { workflow: 'deal-stage-gates', event: (e): DealStageGatesEvent => ({ type: 'stageChanged', stage: e.data.change.toStageId }) },
    }),
    onEvent('deal.won', { signal: { workflow: 'deal-stage-gates', event: (): DealStageGatesEvent => ({ type: 'won' }) } }),
    onEvent('deal.lost', { signal: { workflow: 'deal-stage-gates', event: (): DealStageGatesEvent => ({ type: 'lost' }) } }),

    // follow-up: a call or meeting starts one; any later conversation about the same record answers it.
    onEvent('interaction.logged', {
      id: 'follow-up-start',
      where: { 'record.type': { in: ['call', 'meeting'] } },
      when: (e) => interactionSubject(e.data.record) !== null,
      subject: (e) => interactionSubject(e.data.record),
      start: 'follow-up',
      input: (e): FollowUpInput => ({
        interaction: { id: e.data.record.id, type: e.data.record.type, subject: e.data.record.subject },
        afterDays: 3,
        assigneeId: e.data.record.ownerId,
      }),
    }),
    onEvent('interaction.logged', {
      id: 'follow-up-answered',
      where: { 'record.type': { in: conversations } },
      when: (e) => interactionSubject(e.data.record) !== null,
      subject: (e) => interactionSubject(e.data.record),
      signal: { workflow: 'follow-up', event: (e): FollowUpEvent => ({ type: 'interactionLogged', interactionId: e.data.record.id }) },
    }),

    // lead-qualification: a conversation with the lead's contact counts as working the lead.
    onEvent('interaction.logged', {
      id: 'lead-touched',
      where: { 'record.type': { in: conversations } },
      when: (e) => e.data.record.contactIds.length > 0,
      subject: (e) => ({ type: 'contact', id: e.data.record.contactIds[0] as string }),
      signal: { workflow: 'lead-qualification', event: (e): LeadQualificationEvent => ({ type: 'touched', ...(e.data.record.ownerId ? { by: e.data.record.ownerId } : {}) }) },
    }),

    // win-back: customers are enrolled daily; conversations and won deals restart their clock.
    cron('0 6 * * *', { id: 'win-back-enrolment', timeZone: salesTimeZone, run: (c) => enrolCustomers(engine, c, winBack).then(() => undefined) }),
    onEvent('interaction.logged', {
      id: 'win-back-conversation',
      where: { 'record.type': { in: conversations }, 'record.companyId': { isNull: false } },
      subject: (e) => ({ type: 'company', id: e.data.record.companyId as string }),
      signal: { workflow: 'win-back', event: (): WinBackEvent => ({ type: 'activity', kind: 'interaction' }) },
    }),
    onEvent('deal.won', {
      id: 'win-back-deal-won',
      where: { 'record.companyId': { isNull: false } },
      subject: (e) => ({ type: 'company', id: e.data.record.companyId as string }),
      signal: { workflow: 'win-back', event: (): WinBackEvent => ({ type: 'activity', kind: 'dealWon' }) },
    }),
  ];
}
