import { assign, setup } from 'xstate';
import { defineWorkflow } from '../../definition.js';
import type { CreateTaskParams } from '../../effects/create-task-once.js';
import { effect } from '../../effects/effect.js';

const DAY = 86_400_000;

/** Input of the `follow-up` workflow (subject: the contact or deal the interaction was with). */
export interface FollowUpInput {
  /** The meeting or call to follow up on. */
  interaction: { id: string; type: string; subject?: string | null };
  /**
   * Days to wait for another interaction before the follow-up task is created.
   * @default 3
   */
  afterDays?: number;
  /** Who gets the task (typically the interaction's owner). */
  assigneeId?: string | null;
  /**
   * The task's title.
   * @default `Follow up on the <type>: <subject>` (or without the subject)
   */
  title?: string;
}

/** Events of the `follow-up` workflow. */
export type FollowUpEvent =
  /** An interaction was logged with the subject; the one that started the workflow is ignored. */
  | { type: 'interactionLogged'; interactionId: string }
  /** Nobody needs the follow-up any more. */
  | { type: 'cancelled' };

/** Context of the `follow-up` workflow. */
export interface FollowUpContext {
  interactionId: string;
  afterDays: number;
  assigneeId: string | null;
  title: string;
  /** The interaction that made the task unnecessary, if one came. */
  answeredBy: string | null;
}

/**
 * The follow-up statechart: `waiting` -> `due` (final; a task for the
 * assignee, linked to the subject and due when created) after `afterDays`, or
 * `followedUp` (final) when `interactionLogged` for another interaction comes
 * first, or `cancelled` (final).
 */
export const followUpMachine = setup({
  types: {} as { context: FollowUpContext; input: FollowUpInput; events: FollowUpEvent },
  actions: {
    createTask: effect<CreateTaskParams>(),
    recordAnswer: assign(({ event }) => (event.type === 'interactionLogged' ? { answeredBy: event.interactionId } : {})),
  },
  guards: {
    /** Not the interaction the workflow follows up on (a trigger on `interaction.logged` also sees that one). */
    isAnotherInteraction: ({ context, event }) => event.type === 'interactionLogged' && event.interactionId !== context.interactionId,
  },
  delays: {
    followUp: ({ context }) => context.afterDays * DAY,
  },
}).createMachine({
  id: 'follow-up',
  context: ({ input }) => ({
    interactionId: input.interaction.id,
    afterDays: input.afterDays ?? 3,
    assigneeId: input.assigneeId ?? null,
    title: input.title ?? `Follow up on the ${input.interaction.type}${input.interaction.subject ? `: ${input.interaction.subject}` : ''}`,
    answeredBy: null,
  }),
  initial: 'waiting',
  states: {
    waiting: {
      after: { followUp: 'due' },
      on: {
        interactionLogged: {
          guard: 'isAnotherInteraction',
          target: 'followedUp',
          actions: 'recordAnswer',
        },
        cancelled: 'cancelled',
      },
    },
    due: {
      type: 'final',
      entry: {
        type: 'createTask',
        params: ({ context }) => ({ title: context.title, assigneeId: context.assigneeId, linkToSubject: true, dueInHours: 0 }),
      },
    },
    followedUp: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/**
 * Follow-up after a meeting or call: unless another interaction with the
 * subject is logged within `afterDays`, the assignee gets a follow-up task.
 * @example
 * await engine.start('acme', 'follow-up', {
 *   subject: { type: 'contact', id: ada.id },
 *   input: { interaction: { id: meeting.id, type: 'meeting', subject: 'Demo' }, afterDays: 3, assigneeId: meeting.ownerId },
 * });
 */
export const followUp = defineWorkflow({ id: 'follow-up', version: 1, machine: followUpMachine });
