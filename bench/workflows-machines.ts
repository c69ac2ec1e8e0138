/**
 * The machines of the workflow benchmark (`bench/workflows.ts`), shared with
 * the worker child processes of the timer-lag row (`bench/workflows-worker.ts`).
 */
import { defineWorkflow } from '@crmkit/workflows';
import { assign, setup } from 'xstate';

/**
 * A toggle with a counter: every `toggle` flips the state and increments the
 * count through `assign`. No timers and no effects, so an event costs only the
 * read, the transition and the snapshot write (plus the history row).
 */
export const toggleMachine = setup({
  types: {} as { context: { count: number }; events: { type: 'toggle' } },
  actions: { bump: assign({ count: ({ context }) => context.count + 1 }) },
}).createMachine({
  id: 'toggle',
  initial: 'off',
  context: { count: 0 },
  states: {
    off: { on: { toggle: { target: 'on', actions: 'bump' } } },
    on: { on: { toggle: { target: 'off', actions: 'bump' } } },
  },
});

export const toggleWorkflow = defineWorkflow({ id: 'bench-toggle', version: 1, machine: toggleMachine });

/**
 * One timer per instance: `waiting` moves to the final `fired` after
 * `delayMs` (from the input), so the bench decides when each timer is due.
 */
export const alarmMachine = setup({
  types: {} as { context: { delayMs: number }; input: { delayMs: number } },
  delays: { alarm: ({ context }) => context.delayMs },
}).createMachine({
  id: 'alarm',
  initial: 'waiting',
  context: ({ input }) => ({ delayMs: input.delayMs }),
  states: {
    waiting: { after: { alarm: 'fired' } },
    fired: { type: 'final' },
  },
});

export const alarmWorkflow = defineWorkflow({ id: 'bench-alarm', version: 1, machine: alarmMachine });

/** The event type of the alarm's timer, as written to the history. */
export const alarmEvent = 'xstate.after.alarm.alarm.waiting';
