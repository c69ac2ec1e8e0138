import { defineWorkflow, effect, instanceModel } from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assign, cancel, raise, sendTo, setup } from 'xstate';
import { hour, minute, testEngine } from './helpers.js';

const reminderMachine = setup({
  types: {} as { context: { reminders: number }; events: { type: 'reply' } | { type: 'remind' } | { type: 'snooze' } },
  actions: { notify: effect<{ text: string }>() },
  delays: { nudge: 30 * minute },
}).createMachine({
  id: 'reminder',
  initial: 'waiting',
  context: { reminders: 0 },
  states: {
    waiting: {
      entry: raise({ type: 'remind' }, { delay: 'nudge', id: 'nudge' }),
      after: { [2 * hour]: 'expired' },
      on: {
        reply: 'answered',
        remind: { target: 'waiting', reenter: true, actions: [assign({ reminders: ({ context }) => context.reminders + 1 }), { type: 'notify', params: { text: 'nudge' } }] },
        snooze: { actions: cancel('nudge') },
      },
    },
    answered: { type: 'final' },
    expired: { entry: { type: 'notify', params: { text: 'expired' } }, type: 'final' },
  },
});

const reminder = defineWorkflow({ id: 'reminder', version: 1, machine: reminderMachine });
let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => env?.crm.close());

describe('workflow engine', () => {
  it('persists timers, fires them when due and runs effects after commit', async () => {
    const notify = vi.fn();
    env = await testEngine({ workflows: [reminder], actions: { notify: (ctx) => notify(ctx.params.text, ctx.idempotencyKey) } });
    const { engine, clock } = env;
    const run = await engine.start('acme', 'reminder');
    expect(run).toMatchObject({ status: 'active', state: 'waiting', revision: 1 });
    await engine.runDue();
    expect(notify).not.toHaveBeenCalled();
    clock.advance(30 * minute);
    expect(await engine.runDue()).toMatchObject({ timersFired: 1 });
    expect((await engine.get('acme', run.id)).context).toEqual({ reminders: 1 });
    await engine.runDue();
    expect(notify).toHaveBeenCalledWith('nudge', `${run.id}:2:0`);
    const done = await engine.send('acme', run.id, { type: 'reply' });
    expect(done.status).toBe('done');
    clock.advance(5 * hour);
    expect(await engine.runDue()).toMatchObject({ timersFired: 0 });
    expect((await engine.history('acme', run.id)).map((s) => [s.eventType, s.toState])).toEqual([
      ['xstate.init', 'waiting'], ['remind', 'waiting'], ['reply', 'answered'],
    ]);
  });

  it('fires overdue timers once each, in due order, after downtime', async () => {
    const notify = vi.fn();
    env = await testEngine({ workflows: [reminder], actions: { notify: (ctx) => notify(ctx.params.text) } });
    const { engine, clock } = env;
    const run = await engine.start('acme', 'reminder');
    clock.advance(10 * hour);
    // The nudge (due at 30 min) fires first and re-arms itself from "now"; the 2 h expiry was cancelled by re-entry and re-armed too.
    await engine.runDue();
    await engine.runDue();
    const state = await engine.get('acme', run.id);
    expect(state.context).toEqual({ reminders: 1 });
    expect((await engine.history('acme', run.id)).filter((s) => s.eventType === 'remind')).toHaveLength(1);
  });

  it('cancels a delayed event', async () => {
    env = await testEngine({ workflows: [reminder], actions: { notify: () => undefined } });
    const { engine, clock } = env;
    const run = await engine.start('acme', 'reminder');
    await engine.send('acme', run.id, { type: 'snooze' });
    clock.advance(31 * minute);
    expect(await engine.runDue()).toMatchObject({ timersFired: 0 });
    clock.advance(2 * hour);
    await engine.runDue();
    expect((await engine.get('acme', run.id)).state).toBe('expired');
  });

  it('retries a failing effect with backoff and dead-letters it after the last attempt', async () => {
    let calls = 0;
    env = await testEngine({ workflows: [reminder], maxAttempts: 3, retryBaseMs: 1000, actions: { notify: () => { calls++; throw new Error('smtp down'); } } });
    const { engine, clock } = env;
    const run = await engine.start('acme', 'reminder');
    clock.advance(2 * hour);
    await engine.runDue();
    await engine.runDue();
    expect(calls).toBe(1);
    clock.advance(1000);
    await engine.runDue();
    clock.advance(2000);
    await engine.runDue();
    expect(calls).toBe(3);
    const dead = await engine.deadJobs('acme');
    expect(dead).toEqual([expect.objectContaining({ action: 'notify', attempts: 3, lastError: 'Error: smtp down', instanceId: run.id })]);
    await engine.retryJob('acme', dead[0]!.id);
    await engine.runDue();
    expect(calls).toBe(4);
  });

  it('keeps instances of different tenants apart', async () => {
    env = await testEngine({ workflows: [reminder], actions: { notify: () => undefined } });
    const run = await env.engine.start('acme', 'reminder');
    await expect(env.engine.send('other', run.id, { type: 'reply' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(env.engine.get('other', run.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('delayed sendTo', () => {
  it('turns a delayed sendTo to the machine itself into a timer', async () => {
    const machine = setup({ types: {} as { events: { type: 'ping' } } }).createMachine({
      id: 'pinger', initial: 'a',
      states: { a: { entry: sendTo(({ self }) => self, { type: 'ping' }, { delay: 1000 }), on: { ping: 'b' } }, b: {} },
    });
    env = await testEngine({ workflows: [defineWorkflow({ id: 'pinger', version: 1, machine })] });
    const run = await env.engine.start('acme', 'pinger');
    env.clock.advance(1000);
    await env.engine.runDue();
    expect((await env.engine.get('acme', run.id)).state).toBe('b');
  });
});

describe('group commit on a single-writer database', () => {
  it('applies concurrent sends in order and fails only the event that failed', async () => {
    const counter = setup({
      types: {} as { context: { n: number; log: string[] }; events: { type: 'add'; tag: string } },
    }).createMachine({
      id: 'counter', initial: 'on', context: { n: 0, log: [] },
      states: { on: { on: { add: { actions: assign(({ context, event }) => ({ n: context.n + 1, log: [...context.log, event.tag] })) } } } },
    });
    env = await testEngine({ workflows: [defineWorkflow({ id: 'counter', version: 1, machine: counter })] });
    const { engine, crm } = env;
    const runs = await Promise.all(Array.from({ length: 5 }, () => engine.start('acme', 'counter')));
    const broken = runs[4]!;
    // An instance pinned to a version nobody registered cannot be transitioned.
    await crm.adapter.update({ model: instanceModel, tenantId: 'acme', id: broken.id, data: { workflowVersion: 99 } });
    const sends = runs.flatMap((run) => ['a', 'b', 'c'].map((tag) => engine.send('acme', run.id, { type: 'add', tag })));
    const results = await Promise.allSettled(sends);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(3);
    for (const run of runs.slice(0, 4)) {
      expect((await engine.get('acme', run.id)).context).toEqual({ n: 3, log: ['a', 'b', 'c'] });
    }
    expect((await engine.history('acme', runs[0]!.id)).map((s) => s.revision)).toEqual([1, 2, 3, 4]);
  });
});
