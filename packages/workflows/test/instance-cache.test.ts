import { createWorkflowEngine, defineWorkflow, effect } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { testEngine } from './helpers.js';

const counterMachine = setup({
  types: {} as {
    context: { n: number; at: unknown };
    events: { type: 'add' } | { type: 'stamp'; at: unknown } | { type: 'check' } | { type: 'boom' };
  },
  actions: { notify: effect() },
}).createMachine({
  id: 'counter', initial: 'counting', context: { n: 0, at: null },
  states: {
    counting: {
      on: {
        add: { actions: assign({ n: ({ context }) => context.n + 1 }) },
        // Effect params must be JSON: this transition fails, and with it the group-commit batch it is in.
        boom: { actions: [assign({ n: ({ context }) => context.n + 100 }), { type: 'notify', params: () => ({ big: 1n }) }] },
        stamp: { actions: assign({ at: ({ event }) => event.at }) },
        check: [{ guard: ({ context }) => typeof context.at === 'string', target: 'stampedWithText' }, { target: 'stampedWithSomethingElse' }],
      },
    },
    stampedWithText: {},
    stampedWithSomethingElse: {},
  },
});
const counter = defineWorkflow({ id: 'counter', version: 1, machine: counterMachine });

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => {
  await env?.crm.close();
  env = undefined;
});

describe('the instance cache of single-writer databases', () => {
  it('never overwrites what another engine wrote to the same database meanwhile', async () => {
    env = await testEngine({ workflows: [counter] });
    const other = createWorkflowEngine({ crm: env.crm, clock: env.clock, workflows: [counter] });
    const run = await env.engine.start('acme', 'counter');
    for (let i = 0; i < 5; i++) {
      await env.engine.send('acme', run.id, { type: 'add' });
      await other.send('acme', run.id, { type: 'add' });
    }
    const done = await env.engine.get('acme', run.id);
    expect(done).toMatchObject({ revision: 11, context: { n: 10 } });
    expect((await env.engine.history('acme', run.id)).map((s) => s.revision)).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('behaves as the stored snapshot would: a Date in the context is read back as text, with or without the cache', async () => {
    for (const instanceCacheSize of [0, 1000]) {
      env = await testEngine({ workflows: [counter], instanceCacheSize });
      const run = await env.engine.start('acme', 'counter');
      await env.engine.send('acme', run.id, { type: 'stamp', at: new Date('2026-03-02T10:00:00.000Z') });
      expect((await env.engine.send('acme', run.id, { type: 'check' })).state, `cache size ${instanceCacheSize}`).toBe('stampedWithText');
      await env.crm.close();
      env = undefined;
    }
  });

  it('applies a batch of concurrent sends once each when some of them fail, keeping nothing of the rolled-back batch', async () => {
    env = await testEngine({ workflows: [counter] });
    const runs = await Promise.all([env.engine.start('acme', 'counter'), env.engine.start('acme', 'counter')]);
    const sends = runs.flatMap((run) => [
      env!.engine.send('acme', run.id, { type: 'add' }),
      env!.engine.send('acme', run.id, { type: 'boom' }),
      env!.engine.send('acme', run.id, { type: 'add' }),
    ]);
    const settled = await Promise.allSettled(sends);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    for (const run of runs) expect(await env.engine.get('acme', run.id)).toMatchObject({ revision: 3, context: { n: 2 } });
    await env.engine.send('acme', runs[0]!.id, { type: 'add' });
    expect(await env.engine.get('acme', runs[0]!.id)).toMatchObject({ revision: 4, context: { n: 3 } });
  });
});
