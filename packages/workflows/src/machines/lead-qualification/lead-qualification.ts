import { type LifecycleStage, lifecycleStages } from '@crmkit/core';
import { assign, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { AssignLeadParams, AssignmentStrategy } from '../../effects/assign-lead.js';
import { effect } from '../../effects/effect.js';
import type { ManagerTaskParams } from '../../effects/manager-task.js';
import type { UpdateContactParams } from '../../effects/update-contact.js';
import { type ScoringRule, scoreLead } from './scoring.js';

const HOUR = 3_600_000;

/** Input of the `lead-qualification` workflow (subject: the contact). */
export interface LeadQualificationInput {
  /** The lead's contact. */
  contactId: string;
  /** The lead's fields the rules look at (JSON): the contact's own and any the host adds, e.g. `{ employees: 250 }`. */
  lead: Record<string, unknown>;
  /** The scoring rules; the score is the sum of the points of the rules the lead matches. */
  rules: ScoringRule[];
  /** Scores at which the lead becomes marketing-qualified (`mql`) and sales-qualified (`sql`). */
  thresholds: { mql: number; sql: number };
  /** The team whose active members take qualified leads, and how one is picked (see the `assignLead` effect). */
  assignment: { teamId: string; strategy: AssignmentStrategy };
  /**
   * Business hours the assigned member has to touch the lead before the
   * team's manager gets an escalation task (the engine needs a `calendar`).
   * @default 4
   */
  escalateAfterHours?: number;
}

/** Events of the `lead-qualification` workflow. */
export type LeadQualificationEvent =
  /** New or changed lead fields: the lead is scored again. */
  | { type: 'leadUpdated'; fields: Record<string, unknown> }
  /** Someone worked the lead (typically sent when an interaction with the contact is logged). */
  | { type: 'touched'; by?: string }
  /** The lead is not a prospect; the workflow ends. */
  | { type: 'disqualified'; reason?: string };

/** Context of the `lead-qualification` workflow. */
export interface LeadQualificationContext {
  contactId: string;
  lead: Record<string, unknown>;
  rules: ScoringRule[];
  thresholds: { mql: number; sql: number };
  assignment: { teamId: string; strategy: AssignmentStrategy };
  escalateAfterHours: number;
  /** The current score. */
  score: number;
  /** The lifecycle stage the workflow knows the contact to be in; it only ever moves forward. */
  stage: LifecycleStage;
}

const rank = (stage: LifecycleStage) => lifecycleStages.indexOf(stage);

/** The lead's fields after the event, for guards that look ahead of the `rescore` action. */
function leadAfter(context: LeadQualificationContext, event: LeadQualificationEvent): Record<string, unknown> {
  return event.type === 'leadUpdated' ? { ...context.lead, ...event.fields } : context.lead;
}

/** The `updateContact` effect that records the stage `setStage` just set (params see the updated context). */
const stageUpdate = {
  type: 'updateContact',
  params: ({ context }: { context: LeadQualificationContext }) => ({ contactId: context.contactId, patch: { lifecycleStage: context.stage } }),
} as const;

/**
 * The lead qualification statechart. Scoring is pure (guards and `assign`);
 * the contact's lifecycle stage, the assignment and the escalation are effects.
 *
 * States: `scoring` (transient) -> `nurturing` (below the MQL threshold, waits
 * for `leadUpdated`) or `qualified` (MQL or SQL: the lead is assigned) with
 * `qualified.awaitingContact` -> `qualified.escalated` after
 * `escalateAfterHours` business hours without `touched`; `touched` -> `worked`
 * (final); `disqualified` from anywhere -> `disqualified` (final).
 *
 * Effects: `updateContact` (lifecycle stage), `assignLead`, `createManagerTask`.
 */
export const leadQualificationMachine = setup({
  types: {} as { context: LeadQualificationContext; input: LeadQualificationInput; events: LeadQualificationEvent },
  actions: {
    updateContact: effect<UpdateContactParams>(),
    assignLead: effect<AssignLeadParams>(),
    createManagerTask: effect<ManagerTaskParams>(),
    rescore: assign(({ context, event }) => {
      const lead = leadAfter(context, event);
      return { lead, score: scoreLead(lead, context.rules) };
    }),
    setStage: assign((_, params: { stage: LifecycleStage }) => ({ stage: params.stage })),
  },
  guards: {
    /** The score (after the event) reaches the stage's threshold and the contact is not there yet. */
    reaches: ({ context, event }, params: { stage: 'mql' | 'sql' }) =>
      scoreLead(leadAfter(context, event), context.rules) >= context.thresholds[params.stage] && rank(context.stage) < rank(params.stage),
    /** Qualified by score, or already at MQL or beyond. */
    qualified: ({ context }) => context.score >= context.thresholds.mql || rank(context.stage) >= rank('mql'),
  },
  delays: {
    escalation: ({ context }) => context.escalateAfterHours * HOUR,
  },
}).createMachine({
  id: 'lead-qualification',
  context: ({ input }) => ({
    contactId: input.contactId,
    lead: input.lead,
    rules: input.rules,
    thresholds: input.thresholds,
    assignment: input.assignment,
    escalateAfterHours: input.escalateAfterHours ?? 4,
    score: 0,
    stage: (lifecycleStages as readonly unknown[]).includes(input.lead.lifecycleStage) ? (input.lead.lifecycleStage as LifecycleStage) : 'lead',
  }),
  initial: 'scoring',
  on: { disqualified: { target: '.disqualified' } },
  states: {
    scoring: {
      entry: 'rescore',
      always: [
        { guard: { type: 'reaches', params: { stage: 'sql' } }, target: 'qualified', actions: [{ type: 'setStage', params: { stage: 'sql' } }, stageUpdate] },
        { guard: { type: 'reaches', params: { stage: 'mql' } }, target: 'qualified', actions: [{ type: 'setStage', params: { stage: 'mql' } }, stageUpdate] },
        { guard: 'qualified', target: 'qualified' },
        { target: 'nurturing' },
      ],
    },
    nurturing: {
      on: { leadUpdated: { target: 'scoring' } },
    },
    qualified: {
      entry: {
        type: 'assignLead',
        params: ({ context }) => ({
          teamId: context.assignment.teamId, strategy: context.assignment.strategy, contactId: context.contactId,
          task: { title: `Contact the new lead (${context.stage.toUpperCase()}, score ${context.score})`, dueInHours: context.escalateAfterHours },
        }),
      },
      initial: 'awaitingContact',
      on: {
        touched: { target: 'worked' },
        // An assigned MQL can still become an SQL; the assignment and its escalation clock stay.
        leadUpdated: [
          { guard: { type: 'reaches', params: { stage: 'sql' } }, actions: ['rescore', { type: 'setStage', params: { stage: 'sql' } }, stageUpdate] },
          { actions: 'rescore' },
        ],
      },
      states: {
        awaitingContact: {
          after: { escalation: 'escalated' },
        },
        escalated: {
          entry: {
            type: 'createManagerTask',
            params: ({ context }) => ({
              teamId: context.assignment.teamId,
              title: `Lead not contacted within ${context.escalateAfterHours} business hours`,
              priority: 'high',
              link: { type: 'contact', id: context.contactId },
            }),
          },
        },
      },
    },
    worked: { type: 'final' },
    disqualified: { type: 'final' },
  },
});

/**
 * Lead qualification and assignment: scores a lead from rules, moves the
 * contact to `mql` / `sql`, assigns it round-robin or to the least-busy member
 * of a team, and escalates to the team's manager when nobody touches it within
 * a number of business hours (`escalation` is a business delay: give the
 * engine a `calendar`).
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [leadQualification], calendar: businessCalendar({ timeZone: 'Europe/Berlin' }) });
 * await engine.start('acme', 'lead-qualification', {
 *   subject: { type: 'contact', id: lead.id },
 *   input: { contactId: lead.id, lead: { employees: 250 }, rules: [{ field: 'employees', gte: 200, points: 50 }],
 *     thresholds: { mql: 40, sql: 70 }, assignment: { teamId: inbound.id, strategy: 'round-robin' } },
 * });
 */
export const leadQualification = defineWorkflow({
  id: 'lead-qualification',
  version: 1,
  machine: leadQualificationMachine,
  businessDelays: ['escalation'],
});
