import { assign, enqueueActions, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { LapseContractParams, RenewContractParams } from '../../effects/contract-renewal.js';
import type { CreateTaskParams } from '../../effects/create-task-once.js';
import { effect } from '../../effects/effect.js';

const DAY = 86_400_000;

/** Input of the `contract-renewal` workflow (subject: the contract). */
export interface ContractRenewalInput {
  contractId: string;
  /** For task titles. */
  name?: string | null;
  /** Who gets the offer and reminder tasks (the contract's owner). */
  ownerId?: string | null;
  /** The instant the contract runs out (the start of the day after its `endDate`), ISO. */
  endsAt: string;
  /** The contract's `endDate` (`YYYY-MM-DD`) the instance was started for: the lapse is skipped when it has moved since. */
  endDate?: string | null;
  /** When the instance starts, ISO (the trigger's due time): delays are counted from it, never from a clock. */
  at: string;
  /**
   * Days before the end when the owner gets a reminder task; those already
   * past when the instance starts are skipped.
   * @default [14, 3]
   */
  reminderDays?: number[];
  /**
   * How many days before the end the instance was started (the trigger's `daysBefore`).
   * @default 30
   */
  daysBefore?: number;
  /**
   * Days the renewal offer task is due in.
   * @default 7
   */
  offerDueInDays?: number;
}

/**
 * The `renew` event of the `contract-renewal` workflow: the options of
 * `contracts.renew` (`RenewOptions`) as JSON, since events are stored.
 */
export interface ContractRenewEvent {
  type: 'renew';
  /** @default the day after the old contract ends */
  startDate?: string;
  /** @default as long after `startDate` as the old contract ran */
  endDate?: string;
  /** @default the old contract's price */
  price?: { minor: number; currency: string } | null;
  /** The next contract's name. @default the old contract's name */
  name?: string;
}

/** Events of the `contract-renewal` workflow. */
export type ContractRenewalEvent =
  /**
   * Renew now (the host's "renew" button): the `renewContract` effect creates
   * the next contract, with the `contracts.renew` options given (dates
   * `YYYY-MM-DD`; each defaults as `RenewOptions` says).
   */
  | ContractRenewEvent
  /** The contract was renewed (`contract.renewed`, or the reply of `renewContract`). */
  | { type: 'renewed'; nextContractId: string }
  /** The contract was cancelled (`contract.statusChanged` to `cancelled`): nothing more to do. */
  | { type: 'cancelled' }
  /**
   * The contract's `endDate` moved (`contract.updated`, at `at`). When the new
   * start (`endsAt - daysBefore`) is still ahead, the trigger's scan starts an
   * instance for it and this one ends; else this one re-arms for the new end.
   */
  | { type: 'rescheduled'; endDate: string; endsAt: string; at: string }
  /** A reminder timer (armed on entry, one per reminder day). */
  | { type: 'reminderDue'; daysBefore: number };

/** Context of the `contract-renewal` workflow. */
export interface ContractRenewalContext {
  contractId: string;
  name: string | null;
  ownerId: string | null;
  endsAt: string;
  endDate: string | null;
  at: string;
  reminderDays: number[];
  daysBefore: number;
  offerDueInDays: number;
  /** The contract that renewed this one, once renewed. */
  nextContractId: string | null;
  remindersSent: number;
}

type Args = { context: ContractRenewalContext; event: ContractRenewalEvent };

const untilEnd = (context: ContractRenewalContext) => Math.max(0, Date.parse(context.endsAt) - Date.parse(context.at));
const moved = (context: ContractRenewalContext, event: ContractRenewalEvent) => event.type === 'rescheduled' && event.endDate !== context.endDate;
const startsAhead = (context: ContractRenewalContext, event: ContractRenewalEvent) =>
  event.type === 'rescheduled' && Date.parse(event.endsAt) - context.daysBefore * DAY > Date.parse(event.at);
const title = (context: ContractRenewalContext) => context.name ?? 'the contract';
const contractLink = (context: ContractRenewalContext) => ({ type: 'contract' as const, id: context.contractId });

/**
 * The contract renewal statechart: `open` -> `renewed` (final) on `renewed`,
 * -> `lapsed` (final; the `lapseContract` effect) at `endsAt`, ->
 * `cancelled` (final), or -> `rescheduled` (final) when the end moved far
 * enough for the trigger to start anew. Entering `open` gives the owner the
 * renewal offer task; its `timing` state arms one `reminderDue` timer per
 * reminder day still ahead (each a reminder task) and the lapse, and is
 * re-entered for an end moved closer. `renew` runs `renewContract`, whose
 * reply is `renewed`.
 */
export const contractRenewalMachine = setup({
  types: {} as { context: ContractRenewalContext; input: ContractRenewalInput; events: ContractRenewalEvent },
  actions: {
    createTask: effect<CreateTaskParams>(),
    lapseContract: effect<LapseContractParams>(),
    renewContract: effect<RenewContractParams>(),
    takeRenewal: assign(({ event }) => (event.type === 'renewed' ? { nextContractId: event.nextContractId } : {})),
    takeEnd: assign(({ event }) => (event.type === 'rescheduled' ? { endDate: event.endDate, endsAt: event.endsAt, at: event.at } : {})),
    countReminder: assign(({ context }) => ({ remindersSent: context.remindersSent + 1 })),
  },
  delays: {
    end: ({ context }) => untilEnd(context),
  },
}).createMachine({
  id: 'contract-renewal',
  context: ({ input }) => ({
    contractId: input.contractId,
    name: input.name ?? null,
    ownerId: input.ownerId ?? null,
    endsAt: input.endsAt,
    endDate: input.endDate ?? null,
    at: input.at,
    reminderDays: input.reminderDays ?? [14, 3],
    daysBefore: input.daysBefore ?? 30,
    offerDueInDays: input.offerDueInDays ?? 7,
    nextContractId: null,
    remindersSent: 0,
  }),
  initial: 'open',
  states: {
    open: {
      entry: [
        {
          type: 'createTask',
          params: ({ context }: Args): CreateTaskParams => ({
            title: `Send the renewal offer for ${title(context)}`, assigneeId: context.ownerId, link: contractLink(context), dueInHours: context.offerDueInDays * 24,
          }),
        },
      ],
      initial: 'timing',
      states: {
        // The reminders and the lapse of one end date; re-entered when the end moves closer.
        timing: {
          entry: enqueueActions(({ context, enqueue }) => {
            for (const daysBefore of context.reminderDays) {
              const delay = untilEnd(context) - daysBefore * DAY;
              // A reminder day already past at the start would only repeat the offer task.
              if (delay > 0) enqueue.raise({ type: 'reminderDue', daysBefore }, { delay, id: `reminder-${daysBefore}` });
            }
          }),
          exit: enqueueActions(({ context, enqueue }) => {
            for (const daysBefore of context.reminderDays) enqueue.cancel(`reminder-${daysBefore}`);
          }),
          after: { end: '#contract-renewal.lapsed' },
        },
      },
      on: {
        reminderDue: {
          actions: ['countReminder', {
            type: 'createTask',
            params: ({ context, event }: Args): CreateTaskParams => ({
              title: `${title(context)} ends in ${event.type === 'reminderDue' ? event.daysBefore : 0} days: renew it`,
              assigneeId: context.ownerId, link: contractLink(context), priority: 'high',
            }),
          }],
        },
        renew: {
          actions: {
            type: 'renewContract',
            params: ({ context, event }: Args): RenewContractParams => {
              if (event.type !== 'renew') return { contractId: context.contractId };
              const { type: _, ...options } = event;
              return { contractId: context.contractId, ...options };
            },
          },
        },
        renewed: { target: 'renewed', actions: 'takeRenewal' },
        cancelled: 'cancelled',
        rescheduled: [
          // The trigger's scan starts an instance for the new end when that start is still ahead.
          { guard: ({ context, event }) => moved(context, event) && startsAhead(context, event), target: 'rescheduled' },
          // Too close for the scan: this instance re-arms for the new end.
          { guard: ({ context, event }) => moved(context, event), target: '.timing', actions: 'takeEnd' },
        ],
      },
    },
    renewed: { type: 'final' },
    lapsed: {
      type: 'final',
      entry: { type: 'lapseContract', params: ({ context }: Args): LapseContractParams => ({ contractId: context.contractId, endDate: context.endDate }) },
    },
    cancelled: { type: 'final' },
    rescheduled: { type: 'final' },
  },
});

/**
 * Contract renewal: started some days before a contract ends (see
 * `contractRenewalTriggers`), it gives the owner a renewal offer task and
 * reminders, lapses the contract at its end unless renewed, and ends when the
 * contract is renewed (`contracts.renew` creates the next one, linked to the old).
 * @example
 * const engine = createWorkflowEngine({ crm, workflows: [contractRenewal] });
 * createTriggers(engine, contractRenewalTriggers({ daysBefore: 30 }));
 */
export const contractRenewal = defineWorkflow({ id: 'contract-renewal', version: 1, machine: contractRenewalMachine });
