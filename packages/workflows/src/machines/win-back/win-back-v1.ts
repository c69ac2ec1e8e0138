import { assign, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { CreateTaskParams } from '../../effects/create-task-once.js';
import { effect } from '../../effects/effect.js';
import type { EnrollInCampaignParams, WinBackCustomer } from './win-back.js';

const DAY = 86_400_000;

/** Input of version 1 of the `win-back` workflow (subject: the customer contact or company). @deprecated Version 2 reads order history: {@link WinBackInput}. */
export interface WinBackV1Input {
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

/** Events of version 1 of the `win-back` workflow. @deprecated */
export type WinBackV1Event =
  /** A new interaction with the customer or a deal won: the inactivity clock starts again. */
  | { type: 'activity'; kind?: 'interaction' | 'dealWon' }
  /** Stop watching the customer (churned for good, unsubscribed...). */
  | { type: 'stop' };

/** Context of version 1 of the `win-back` workflow. @deprecated */
export interface WinBackV1Context {
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
 * Version 1 of the win-back statechart, driven by host-sent `activity`: `watching` -> `inactive` after `inactiveDays`
 * without `activity` (a task for the owner and the `enrollInCampaign` hook);
 * `activity` re-enters `watching` from either state, which restarts the
 * clock (counted in `wonBack` when it ends a lapse); `stop` -> `stopped` (final).
 */
export const winBackV1Machine = setup({
  types: {} as { context: WinBackV1Context; input: WinBackV1Input; events: WinBackV1Event },
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
 * Version 1 of `win-back`, driven by host-sent `activity` events. Register it
 * only to keep version-1 instances on their own version; without it, version
 * 2's `migrate` moves them forward on their next event or timer.
 * @deprecated Use {@link winBack} (version 2), which reads order history.
 */
export const winBackV1 = defineWorkflow({ id: 'win-back', version: 1, machine: winBackV1Machine });
