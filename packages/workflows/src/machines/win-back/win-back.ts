import { assign, setup } from 'xstate';
import { defineWorkflow, type PersistedSnapshot } from '../../definition.js';
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
 * Params of the `enrollInCampaign` effect. The built-in handler enrols the
 * customer (a contact, or every contact of a company) in `campaignId` with
 * `campaigns.enroll`, idempotently, skipping contacts who opted out of the
 * campaign's channel; it needs a `campaignId`. A host whose campaigns live in
 * another tool gives its own handler of the same name
 * (`createWorkflowEngine({ actions: { enrollInCampaign } })`), which replaces
 * the built-in one, and passes `idempotencyKey` from the effect context on to
 * that tool so a retried job does not enrol twice.
 */
export interface EnrollInCampaignParams extends Record<string, unknown> {
  customer: WinBackCustomer;
  /** The campaign (`t.campaigns`), as given in the input; null lets a host handler choose (the built-in one refuses it). */
  campaignId: string | null;
  /** Days without an order that led to the enrolment. */
  inactiveDays: number;
}

/** Input of the `win-back` workflow (subject: the customer contact or company). */
export interface WinBackInput {
  customer: WinBackCustomer;
  /**
   * Days without an order after which the customer counts as inactive.
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
  /**
   * When the customer last ordered (`placedAt` of their newest order, e.g.
   * from `orders.ofCustomer`), ISO; null for none yet: the clock then counts
   * from `at`.
   * @default null
   */
  lastOrderAt?: string | null;
  /**
   * When `lastOrderAt` was read (the instance's start), ISO: the first delay
   * is `lastOrderAt + inactiveDays - at`. Without it, or without
   * `lastOrderAt`, the first period is a whole `inactiveDays`.
   */
  at?: string | null;
}

/** Events of the `win-back` workflow. */
export type WinBackEvent =
  /**
   * The customer ordered (`order.created`, see `winBackTriggers`): the clock
   * counts from `placedAt` again, as seen at `at` (the event's time), so an
   * imported old order restarts it only for what is left. An order older than
   * the last one seen changes nothing.
   */
  | { type: 'ordered'; placedAt: string; at: string }
  /**
   * Version 1's host-sent activity (an interaction, a won deal): restarts a
   * whole `inactiveDays` period. Still taken, for hosts that count more than
   * orders as activity.
   */
  | { type: 'activity'; kind?: 'interaction' | 'dealWon' }
  /** Stop watching the customer (churned for good, unsubscribed...). */
  | { type: 'stop' };

/** Context of the `win-back` workflow. */
export interface WinBackContext {
  customer: WinBackCustomer;
  inactiveDays: number;
  ownerId: string | null;
  campaignId: string | null;
  /** The newest order's `placedAt` seen; null before the first (or for an instance moved from version 1). */
  lastOrderAt: string | null;
  /** When `lastOrderAt` was taken; null when the period runs whole (no order yet, an `activity`, an instance moved from version 1). */
  at: string | null;
  /** How often the customer went inactive. */
  lapses: number;
  /** How often an order came after a lapse. */
  wonBack: number;
}

/** The inactivity delay: from the last order when there is one, else a whole period. */
function inactivityMs(context: WinBackContext): number {
  const period = context.inactiveDays * DAY;
  if (context.lastOrderAt === null || context.at === null) return period;
  return Math.max(0, Date.parse(context.lastOrderAt) + period - Date.parse(context.at));
}

/**
 * The win-back statechart: `watching` -> `inactive` `inactiveDays` after the
 * last order (a task for the owner and the `enrollInCampaign` hook); a newer
 * `ordered` re-enters `watching` from either state, which restarts the clock
 * from its `placedAt` (counted in `wonBack` when it ends a lapse); `stop` ->
 * `stopped` (final). `activity` (version 1's event) re-enters `watching` for a whole period.
 */
export const winBackMachine = setup({
  types: {} as { context: WinBackContext; input: WinBackInput; events: WinBackEvent },
  actions: {
    createTask: effect<CreateTaskParams>(),
    enrollInCampaign: effect<EnrollInCampaignParams>(),
    takeOrder: assign(({ event }) => (event.type === 'ordered' ? { lastOrderAt: event.placedAt, at: event.at } : {})),
    wholePeriod: assign({ at: null }),
    countLapse: assign(({ context }) => ({ lapses: context.lapses + 1 })),
    countWinBack: assign(({ context }) => ({ wonBack: context.wonBack + 1 })),
  },
  guards: {
    isNewerOrder: ({ context, event }) =>
      event.type === 'ordered' && (context.lastOrderAt === null || Date.parse(event.placedAt) > Date.parse(context.lastOrderAt)),
  },
  delays: {
    inactivity: ({ context }) => inactivityMs(context),
  },
}).createMachine({
  id: 'win-back',
  context: ({ input }) => ({
    customer: input.customer,
    inactiveDays: input.inactiveDays ?? 90,
    ownerId: input.ownerId ?? null,
    campaignId: input.campaignId ?? null,
    lastOrderAt: input.lastOrderAt ?? null,
    at: input.at ?? null,
    lapses: 0,
    wonBack: 0,
  }),
  initial: 'watching',
  on: { stop: '.stopped' },
  states: {
    watching: {
      after: { inactivity: 'inactive' },
      on: {
        ordered: { guard: 'isNewerOrder', target: 'watching', reenter: true, actions: 'takeOrder' },
        activity: { target: 'watching', reenter: true, actions: 'wholePeriod' },
      },
    },
    inactive: {
      entry: [
        'countLapse',
        {
          type: 'createTask',
          params: ({ context }) => ({
            title: `Win back ${context.customer.name ?? `this ${context.customer.type}`}: no ${context.lastOrderAt !== null ? 'order' : 'activity'} for ${context.inactiveDays} days`,
            assigneeId: context.ownerId,
            link: { type: context.customer.type, id: context.customer.id },
          }),
        },
        {
          type: 'enrollInCampaign',
          params: ({ context }) => ({ customer: context.customer, campaignId: context.campaignId, inactiveDays: context.inactiveDays }),
        },
      ],
      on: {
        ordered: { guard: 'isNewerOrder', target: 'watching', actions: ['takeOrder', 'countWinBack'] },
        activity: { target: 'watching', actions: ['wholePeriod', 'countWinBack'] },
      },
    },
    stopped: { type: 'final' },
  },
});

/**
 * Moves a version-1 snapshot forward: same states and timer (the pending
 * inactivity timer of `watching` keeps its due time and fires into version
 * 2), counters kept; no order has been seen yet, so the period runs whole
 * until the first `ordered`. `activity` keeps its version-1 meaning.
 */
export function migrateWinBack(snapshot: PersistedSnapshot, fromVersion: number): PersistedSnapshot | undefined {
  if (fromVersion !== 1) return undefined;
  const context = snapshot.context as Record<string, unknown>;
  return { ...snapshot, context: { ...context, lastOrderAt: null, at: null } };
}

/**
 * Win-back of inactive customers, from their order history: a customer with
 * no order for `inactiveDays` gets a task for the owner and is enrolled in a
 * campaign by the `enrollInCampaign` effect (built in: `campaigns.enroll`
 * into the input's `campaignId`; a host handler of that name replaces it). A
 * new order (`order.created`, signalled by `winBackTriggers`) restarts the
 * clock. Version 2; version-1 instances move forward on their next event.
 * @example
 * const weMissYou = await t.campaigns.create({ name: 'We miss you', channel: 'email' });
 * const engine = createWorkflowEngine({ crm, workflows: [winBack] });
 * createTriggers(engine, winBackTriggers());
 * const [last] = (await t.orders.ofCustomer({ companyId: acme.id }, { limit: 1 })).items;
 * await engine.start('acme', 'win-back', { subject: { type: 'company', id: acme.id }, input: { customer: { type: 'company', id: acme.id, name: 'Acme' }, ownerId: acme.ownerId, campaignId: weMissYou.id, lastOrderAt: last?.placedAt ?? null, at: new Date().toISOString() } });
 */
export const winBack = defineWorkflow({ id: 'win-back', version: 2, machine: winBackMachine, migrate: migrateWinBack });
