import { assign, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { CreateTaskParams } from '../../effects/create-task-once.js';
import { effect } from '../../effects/effect.js';

const DAY = 86_400_000;

/** The customer a win-back is about. */
export interface WinBackCustomer {
  type: 'contact' | 'company';
  id: string;
  /** For the task title. */
  name?: string;
}

/**
 * Params of the `enrollInCampaign` effect. crmkit has no campaign sender, so
 * there is no built-in handler: the host must give one to the engine
 * (`createWorkflowEngine({ actions: { enrollInCampaign } })`), or the job
 * fails and ends in the dead letters. Pass `idempotencyKey` from the effect
 * context on to the campaign tool so a retried job does not enrol twice.
 */
export interface EnrollInCampaignParams extends Record<string, unknown> {
  customer: WinBackCustomer;
  /** The host's campaign, as given in the input; null lets the host choose. */
  campaignId: string | null;
  /** Days without activity that led to the enrolment. */
  inactiveDays: number;
}

/** Input of the `win-back` workflow (subject: the customer contact or company). */
export interface WinBackInput {
  customer: WinBackCustomer;
  /**
   * Days without a won deal or an interaction after which the customer counts as inactive.
   * @default 90
   */
  inactiveDays?: number;
  /** Who gets the win-back task (typically the account owner). */
  ownerId?: string | null;
  /**
   * The campaign passed to `enrollInCampaign`.
   * @default null
   */
  campaignId?: string | null;
}

/** Events of the `win-back` workflow. */
export type WinBackEvent =
  /** A new interaction with the customer or a deal won: the inactivity clock starts again. */
  | { type: 'activity'; kind?: 'interaction' | 'dealWon' }
  /** Stop watching the customer (churned for good, unsubscribed...). */
  | { type: 'stop' };

/** Context of the `win-back` workflow. */
export interface WinBackContext {
  customer: WinBackCustomer;
  inactiveDays: number;
  ownerId: string | null;
  campaignId: string | null;
  /** How often the customer went inactive. */
  lapses: number;
  /** How often activity came back after a lapse. */
  wonBack: number;
}

/**
 * The win-back statechart: `watching` -> `inactive` after `inactiveDays`
 * without `activity` (a task for the owner and the `enrollInCampaign` hook);
 * `activity` re-enters `watching` from either state, which restarts the
 * clock (counted in `wonBack` when it ends a lapse); `stop` -> `stopped` (final).
 */
export const winBackMachine = setup({
  types: {} as { context: WinBackContext; input: WinBackInput; events: WinBackEvent },
  actions: {
    createTask: effect<CreateTaskParams>(),
    enrollInCampaign: effect<EnrollInCampaignParams>(),
    countLapse: assign(({ context }) => ({ lapses: context.lapses + 1 })),
    countWinBack: assign(({ context }) => ({ wonBack: context.wonBack + 1 })),
  },
  delays: {
    inactivity: ({ context }) => context.inactiveDays * DAY,
  },
}).createMachine({
  id: 'win-back',
  context: ({ input }) => ({
    customer: input.customer,
    inactiveDays: input.inactiveDays ?? 90,
    ownerId: input.ownerId ?? null,
    campaignId: input.campaignId ?? null,
    lapses: 0,
    wonBack: 0,
  }),
  initial: 'watching',
  on: { stop: '.stopped' },
  states: {
    watching: {
      after: { inactivity: 'inactive' },
      on: { activity: { target: 'watching', reenter: true } },
    },
    inactive: {
      entry: [
        'countLapse',
        {
          type: 'createTask',
          params: ({ context }) => ({
            title: `Win back ${context.customer.name ?? `this ${context.customer.type}`}: no activity for ${context.inactiveDays} days`,
            assigneeId: context.ownerId,
            link: { type: context.customer.type, id: context.customer.id },
          }),
        },
        {
          type: 'enrollInCampaign',
          params: ({ context }) => ({ customer: context.customer, campaignId: context.campaignId, inactiveDays: context.inactiveDays }),
        },
      ],
      on: { activity: { target: 'watching', actions: 'countWinBack' } },
    },
    stopped: { type: 'final' },
  },
});

/**
 * Win-back of inactive customers: a customer with no won deal or interaction
 * for `inactiveDays` gets a task for the owner and is enrolled in a campaign
 * through the host-provided `enrollInCampaign` effect. Send `activity` on every
 * new interaction or won deal to restart the clock.
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [winBack], actions: { enrollInCampaign: ({ params, idempotencyKey }) => mailer.enroll(params, idempotencyKey) } });
 * await engine.start('acme', 'win-back', { subject: { type: 'company', id: acme.id }, input: { customer: { type: 'company', id: acme.id, name: 'Acme' }, ownerId: acme.ownerId } });
 */
export const winBack = defineWorkflow({ id: 'win-back', version: 1, machine: winBackMachine });
