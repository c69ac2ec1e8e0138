import { type EventTrigger, onEvent } from '../../triggers/event-trigger.js';
import type { SatisfactionSurveyInput } from './satisfaction-survey.js';

/** Options of {@link satisfactionSurveyTriggers}. */
export interface SatisfactionSurveyTriggerOptions {
  /** The input's settings for every survey (kind, delays, `onDetractor`...). */
  input?: Omit<SatisfactionSurveyInput, 'caseId' | 'contactId' | 'agentId'>;
}

const workflow = 'satisfaction-survey';

/**
 * The triggers of `satisfaction-survey`: start an instance when a case with a
 * contact is resolved (the case's owner is the agent rated), send it
 * `answered` on `survey.answered` (which carries the detractor flag, so
 * `survey.detractor` needs no trigger of its own), and `reopened` on
 * `case.reopened` (a survey not sent yet is dropped; the next resolution
 * starts another).
 * @example
 * createTriggers(engine, satisfactionSurveyTriggers({ input: { kind: 'nps', sendAfterHours: 2, onDetractor: 'reopen' } }));
 */
export function satisfactionSurveyTriggers(options: SatisfactionSurveyTriggerOptions = {}): EventTrigger[] {
  return [
    onEvent('case.resolved', {
      where: { 'record.contactId': { isNull: false } },
      start: workflow,
      input: (e): SatisfactionSurveyInput => ({
        ...options.input, caseId: e.data.record.id, contactId: e.data.record.contactId, agentId: e.data.record.ownerId,
      }),
    }),
    onEvent('survey.answered', {
      where: { 'record.caseId': { isNull: false } },
      subject: (e) => (e.data.record.caseId ? { type: 'case', id: e.data.record.caseId } : null),
      signal: {
        workflow,
        event: (e) => ({ type: 'answered', surveyId: e.data.record.id, score: e.data.record.score ?? 0, detractor: e.data.record.detractor === true }),
      },
    }),
    onEvent('case.reopened', { signal: { workflow, event: () => ({ type: 'reopened' }) } }),
  ];
}
