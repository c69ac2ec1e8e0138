import type { SurveyKind } from '@crmkit/core';
import { assign, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import { effect } from '../../effects/effect.js';
import type { DeliverSurveyParams, SendSurveyParams, SurveyParams } from '../../effects/survey.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Input of the `satisfaction-survey` workflow (subject: the resolved case). */
export interface SatisfactionSurveyInput {
  caseId: string;
  /** @default the case's contact */
  contactId?: string | null;
  /** The member whose service is rated. @default the case's owner */
  agentId?: string | null;
  /** @default 'csat' */
  kind?: SurveyKind;
  /** How the host delivers it (`email`, `sms`...), recorded on the survey. */
  channel?: string | null;
  /**
   * Hours after the resolution before the survey goes out (a reopen within them sends none).
   * @default 24
   */
  sendAfterHours?: number;
  /**
   * Days after sending before the one reminder.
   * @default 3
   */
  remindAfterDays?: number;
  /**
   * Days after sending before an unanswered survey expires.
   * @default 7
   */
  expireAfterDays?: number;
  /**
   * What the core does with a detractor's answer, in the answer's own
   * transaction: reopen the case, or a task for the manager of the case's team.
   * @default 'escalate'
   */
  onDetractor?: 'reopen' | 'escalate' | 'none';
}

/** Events of the `satisfaction-survey` workflow. */
export type SatisfactionSurveyEvent =
  /** The survey was recorded (the reply of `sendSurvey`). */
  | { type: 'survey.sent'; surveyId: string }
  /** The contact answered (`survey.answered`); `detractor` per the core's scale rule. */
  | { type: 'answered'; surveyId: string; score: number; detractor: boolean }
  /** The case was reopened (`case.reopened`): a survey not sent yet is dropped. */
  | { type: 'reopened' }
  | { type: 'cancel' };

/** Context of the `satisfaction-survey` workflow. */
export interface SatisfactionSurveyContext {
  caseId: string;
  contactId: string | null;
  agentId: string | null;
  kind: SurveyKind;
  channel: string | null;
  sendAfterHours: number;
  remindAfterDays: number;
  expireAfterDays: number;
  onDetractor: 'reopen' | 'escalate' | 'none';
  /** Null until the survey is recorded. */
  surveyId: string | null;
  score: number | null;
  reminded: boolean;
}

type Args = { context: SatisfactionSurveyContext; event: SatisfactionSurveyEvent };

const deliver = (reminder: boolean) => ({
  type: 'deliverSurvey',
  params: ({ context }: Args): DeliverSurveyParams => ({
    surveyId: context.surveyId as string, kind: context.kind, caseId: context.caseId, contactId: context.contactId, reminder,
  }),
}) as const;

const surveyParams = ({ context }: Args): SurveyParams => ({ surveyId: context.surveyId as string });

/**
 * The satisfaction survey statechart: `scheduled` -> `sending` after
 * `sendAfterHours` (the `sendSurvey` effect records it and replies
 * `survey.sent`) -> `awaiting` (the host's `deliverSurvey`) -> `reminded`
 * after `remindAfterDays` (`remindSurvey`, and `deliverSurvey` again) ->
 * `expired` (final; `expireSurvey`) at `expireAfterDays` after sending.
 * `answered` ends it in `answered` or, for a detractor, `detractor` (final;
 * the core reopened or escalated per `onDetractor`). `reopened` or `cancel`
 * before the survey went out -> `cancelled`.
 */
export const satisfactionSurveyMachine = setup({
  types: {} as { context: SatisfactionSurveyContext; input: SatisfactionSurveyInput; events: SatisfactionSurveyEvent },
  actions: {
    sendSurvey: effect<SendSurveyParams>(),
    deliverSurvey: effect<DeliverSurveyParams>(),
    remindSurvey: effect<SurveyParams>(),
    expireSurvey: effect<SurveyParams>(),
    takeSurvey: assign(({ event }) => (event.type === 'survey.sent' ? { surveyId: event.surveyId } : {})),
    takeAnswer: assign(({ event }) => (event.type === 'answered' ? { score: event.score } : {})),
    markReminded: assign({ reminded: true }),
  },
  guards: {
    /** An answer to this instance's survey: a case may have had several (another reopen, one sent by hand). */
    isOurs: ({ context, event }) => event.type === 'answered' && event.surveyId === context.surveyId,
    isDetractor: ({ context, event }) => event.type === 'answered' && event.surveyId === context.surveyId && event.detractor,
  },
  delays: {
    sendDelay: ({ context }) => context.sendAfterHours * HOUR,
    reminder: ({ context }) => context.remindAfterDays * DAY,
    // Counted from the sending: what is left once the reminder went out.
    expiry: ({ context }) => Math.max(0, context.expireAfterDays - (context.reminded ? context.remindAfterDays : 0)) * DAY,
  },
}).createMachine({
  id: 'satisfaction-survey',
  context: ({ input }) => ({
    caseId: input.caseId,
    contactId: input.contactId ?? null,
    agentId: input.agentId ?? null,
    kind: input.kind ?? 'csat',
    channel: input.channel ?? null,
    sendAfterHours: input.sendAfterHours ?? 24,
    remindAfterDays: input.remindAfterDays ?? 3,
    expireAfterDays: input.expireAfterDays ?? 7,
    onDetractor: input.onDetractor ?? 'escalate',
    surveyId: null,
    score: null,
    reminded: false,
  }),
  initial: 'scheduled',
  states: {
    scheduled: {
      after: { sendDelay: 'sending' },
      on: { reopened: 'cancelled', cancel: 'cancelled' },
    },
    sending: {
      entry: {
        type: 'sendSurvey',
        params: ({ context }: Args): SendSurveyParams => ({
          kind: context.kind, caseId: context.caseId, onDetractor: context.onDetractor,
          ...(context.contactId !== null ? { contactId: context.contactId } : {}),
          ...(context.agentId !== null ? { agentId: context.agentId } : {}),
          ...(context.channel !== null ? { channel: context.channel } : {}),
        }),
      },
      on: { 'survey.sent': { target: 'awaiting', actions: 'takeSurvey' } },
    },
    awaiting: {
      entry: deliver(false),
      // The reminder only while the expiry is still ahead of it.
      after: { reminder: { guard: ({ context }) => context.remindAfterDays < context.expireAfterDays, target: 'reminded' }, expiry: 'expired' },
    },
    reminded: {
      entry: ['markReminded', { type: 'remindSurvey', params: surveyParams }, deliver(true)],
      after: { expiry: 'expired' },
    },
    expired: { type: 'final', entry: { type: 'expireSurvey', params: surveyParams } },
    answered: { type: 'final' },
    detractor: { type: 'final' },
    cancelled: { type: 'final' },
  },
  on: {
    answered: [
      { guard: 'isDetractor', target: '.detractor', actions: 'takeAnswer' },
      { guard: 'isOurs', target: '.answered', actions: 'takeAnswer' },
    ],
  },
});

/**
 * Satisfaction surveys after resolution: waits `sendAfterHours`, records the
 * survey (`surveys.send`) and has the host deliver it (`deliverSurvey`), sends
 * one reminder, expires it unanswered, and ends on the answer; a detractor's
 * answer is reopened or escalated by the core, per `onDetractor`.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [satisfactionSurvey], actions: { deliverSurvey: (ctx) => mailer.survey(ctx.params, ctx.idempotencyKey) } });
 * createTriggers(engine, satisfactionSurveyTriggers({ input: { kind: 'csat', sendAfterHours: 2 } }));
 */
export const satisfactionSurvey = defineWorkflow({ id: 'satisfaction-survey', version: 1, machine: satisfactionSurveyMachine });
