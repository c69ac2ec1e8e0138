import { planTransition } from '@crmkit/workflows';
import { describe, expect, it } from 'vitest';
import { raise, setup } from 'xstate';

describe('planning a transition', () => {
  it('applies a non-delayed raise within the transition instead of refusing it', () => {
    const machine = setup({ types: {} as { events: { type: 'go' } } }).createMachine({
      id: 'hop', initial: 'a', states: { a: { entry: raise({ type: 'go' }), on: { go: 'b' } }, b: {} },
    });
    expect(planTransition(machine, { input: undefined })).toMatchObject({ state: 'b', timers: [], effects: [] });
  });
});
