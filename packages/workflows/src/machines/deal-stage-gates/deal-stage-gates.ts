import type { InteractionInput } from '@crmkit/core';
import { assign, enqueueActions, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { CreateTaskParams } from '../../effects/create-task-once.js';
import { effect } from '../../effects/effect.js';
import type { ManagerTaskParams } from '../../effects/manager-task.js';
import type { MoveDealParams } from '../../effects/move-deal.js';

const DAY = 86_400_000;

/** A task created when the deal is won. */
export interface OnboardingTask {
  title: string;
  /** @default due when created */
  dueInDays?: number;
}

/** Input of the `deal-stage-gates` workflow (subject: the deal). */
export interface DealStageGatesInput {
  dealId: string;
  /** The deal's current stage (key or id, as `deals.moveToStage` takes it). */
  stage: string;
  /** The member who gets the fill-in, reminder and onboarding tasks (the deal owner). */
  ownerId?: string | null;
  /**
   * Per stage, the deal fields (dotted paths such as `custom.budget`) that must
   * be filled in before the deal may enter it, checked on the stored deal when
   * it moves.
   * @default {}
   */
  requiredFields?: Record<string, string[]>;
  /** Discounts above `maxDiscountPercent` wait for the manager of `teamId`. */
  approval: { teamId: string; maxDiscountPercent: number };
  /**
   * Days in one stage after which the owner gets a reminder task; re-armed on each stage change.
   * @default 14
   */
  staleAfterDays?: number;
  /**
   * Tasks for the owner when the deal is won.
   * @default [{ title: 'Kick-off call with the customer', dueInDays: 2 }, { title: 'Send the welcome pack', dueInDays: 1 }]
   */
  onboarding?: OnboardingTask[];
}

/** Events of the `deal-stage-gates` workflow. */
export type DealStageGatesEvent =
  /**
   * Someone asks to move the deal. The gate judges the deal as stored, when it
   * moves: nothing the event carries can open it.
   */
  | { type: 'stageChangeRequested'; stage: string; by?: string }
  /** The deal entered a stage (sent by a trigger on `deal.stageChanged`): re-arms the stale timer. */
  | { type: 'stageChanged'; stage: string }
  | { type: 'discountRequested'; percent: number; by?: string }
  | { type: 'discountApproved'; by?: string }
  | { type: 'discountRejected'; by?: string; reason?: string }
  /** The deal was won (e.g. sent by a trigger on `deal.won`). */
  | { type: 'won' }
  | { type: 'lost' };

/** Context of the `deal-stage-gates` workflow. */
export interface DealStageGatesContext {
  dealId: string;
  stage: string;
  ownerId: string | null;
  requiredFields: Record<string, string[]>;
  approval: { teamId: string; maxDiscountPercent: number };
  staleAfterDays: number;
  onboarding: OnboardingTask[];
  /** The discount asked for, and the one that stands (approved, or within the limit). */
  discount: { requested: number | null; approved: number | null };
}

const defaultOnboarding: OnboardingTask[] = [
  { title: 'Kick-off call with the customer', dueInDays: 2 },
  { title: 'Send the welcome pack', dueInDays: 1 },
];

type Args = { context: DealStageGatesContext; event: DealStageGatesEvent };

const dealLink = (context: DealStageGatesContext) => ({ type: 'deal' as const, id: context.dealId });

const note = (subject: string) => ({
  type: 'logInteraction',
  params: ({ context }: Args): InteractionInput => ({ type: 'note', subject, dealId: context.dealId }),
}) as const;

/**
 * The deal stage gates statechart: a parallel `open` state with two regions.
 *
 * - `stage`: `active` -> `stale` after `staleAfterDays` in one stage (reminder
 *   task). `stageChangeRequested` runs `moveDealToStage` behind the stage's
 *   required fields, judged on the stored deal when it moves: the deal moves,
 *   or the owner gets a "fill in ..." task. `stageChanged` (from a trigger on
 *   `deal.stageChanged`) re-enters `active`, which re-arms the timer.
 * - `discount`: `none` | `approved` | `awaitingApproval` | `rejected`.
 *   `discountRequested` within the limit is approved at once; above it the
 *   team's manager gets an approval task and the region waits for
 *   `discountApproved` / `discountRejected` (each logged as a note on the deal).
 *
 * `won` -> `won` (final; onboarding tasks), `lost` -> `lost` (final).
 */
export const dealStageGatesMachine = setup({
  types: {} as { context: DealStageGatesContext; input: DealStageGatesInput; events: DealStageGatesEvent },
  actions: {
    createTask: effect<CreateTaskParams>(),
    createManagerTask: effect<ManagerTaskParams>(),
    moveDealToStage: effect<MoveDealParams>(),
    logInteraction: effect<InteractionInput>(),
    enterStage: assign(({ event }) => (event.type === 'stageChanged' ? { stage: event.stage } : {})),
    requestDiscount: assign(({ context, event }) => (event.type === 'discountRequested' ? { discount: { ...context.discount, requested: event.percent } } : {})),
    grantDiscount: assign(({ context }) => ({ discount: { requested: context.discount.requested, approved: context.discount.requested } })),
  },
  guards: {
    withinDiscountLimit: ({ context, event }) => event.type === 'discountRequested' && event.percent <= context.approval.maxDiscountPercent,
  },
  delays: {
    stale: ({ context }) => context.staleAfterDays * DAY,
  },
}).createMachine({
  id: 'deal-stage-gates',
  context: ({ input }) => ({
    dealId: input.dealId,
    stage: input.stage,
    ownerId: input.ownerId ?? null,
    requiredFields: input.requiredFields ?? {},
    approval: input.approval,
    staleAfterDays: input.staleAfterDays ?? 14,
    onboarding: input.onboarding ?? defaultOnboarding,
    discount: { requested: null, approved: null },
  }),
  initial: 'open',
  states: {
    open: {
      type: 'parallel',
      on: { won: 'won', lost: 'lost' },
      states: {
        stage: {
          initial: 'active',
          on: {
            stageChangeRequested: {
              actions: {
                type: 'moveDealToStage',
                params: ({ context, event }: Args): MoveDealParams => {
                  const stage = event.type === 'stageChangeRequested' ? event.stage : context.stage;
                  return {
                    dealId: context.dealId, stage, requiredFields: context.requiredFields[stage] ?? [],
                    ifMissing: { assigneeId: context.ownerId ?? (event.type === 'stageChangeRequested' ? event.by : undefined) ?? null },
                  };
                },
              },
            },
            stageChanged: { target: '.active', reenter: true, actions: 'enterStage' },
          },
          states: {
            active: { after: { stale: 'stale' } },
            stale: {
              entry: {
                type: 'createTask',
                params: ({ context }) => ({
                  title: `The deal has been in ${context.stage} for ${context.staleAfterDays} days`,
                  assigneeId: context.ownerId, link: dealLink(context),
                }),
              },
            },
          },
        },
        discount: {
          initial: 'none',
          on: {
            discountRequested: [
              { guard: 'withinDiscountLimit', target: '.approved', actions: ['requestDiscount', 'grantDiscount'] },
              { target: '.awaitingApproval', reenter: true, actions: 'requestDiscount' },
            ],
          },
          states: {
            none: {},
            approved: {},
            rejected: {},
            awaitingApproval: {
              entry: {
                type: 'createManagerTask',
                params: ({ context }) => ({
                  teamId: context.approval.teamId,
                  title: `Approve a ${context.discount.requested}% discount (limit ${context.approval.maxDiscountPercent}%)`,
                  priority: 'high', link: dealLink(context),
                }),
              },
              on: {
                discountApproved: { target: 'approved', actions: ['grantDiscount', note('Discount approved')] },
                discountRejected: { target: 'rejected', actions: note('Discount rejected') },
              },
            },
          },
        },
      },
    },
    won: {
      type: 'final',
      entry: enqueueActions(({ context, enqueue }) => {
        for (const task of context.onboarding) {
          enqueue({
            type: 'createTask',
            params: { title: task.title, assigneeId: context.ownerId, link: dealLink(context), ...(task.dueInDays !== undefined ? { dueInHours: task.dueInDays * 24 } : {}) },
          });
        }
      }),
    },
    lost: { type: 'final' },
  },
});

/**
 * Deal stage gates: required fields per stage, manager approval of discounts
 * above a limit, a reminder when a deal sits in one stage too long, and
 * onboarding tasks when it is won.
 * @example
 * await engine.start('acme', 'deal-stage-gates', {
 *   subject: { type: 'deal', id: deal.id },
 *   input: { dealId: deal.id, stage: 'qualified', ownerId: deal.ownerId, requiredFields: { proposal: ['amount', 'expectedCloseOn'] },
 *     approval: { teamId: sales.id, maxDiscountPercent: 10 } },
 * });
 * await engine.send('acme', run.id, { type: 'stageChangeRequested', stage: 'proposal' });
 * // and a trigger: onEvent('deal.stageChanged', { signal: { workflow: 'deal-stage-gates', event: (e) => ({ type: 'stageChanged', stage: e.data.change.toStageId }) } })
 */
export const dealStageGates = defineWorkflow({ id: 'deal-stage-gates', version: 1, machine: dealStageGatesMachine });
