import { defineWorkflow, effect, type EffectHandler, jobModel } from '@crmkit/workflows';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { assign, setup } from 'xstate';
import { testEngine } from './helpers.js';

/** Asks an outside system a question through an effect and waits for the answer it replies with. */
const asker = defineWorkflow({
  id: 'asker',
  version: 1,
  machine: setup({
    types: {} as { context: { answers: number[] }; events: { type: 'answered'; value: number } | { type: 'ask' } },
    actions: {
      lookUp: effect<{ question: string }>(),
      keep: assign(({ context, event }) => {
        if (event.type !== 'answered') return {};
        if (typeof event.value !== 'number') throw new TypeError(`an answer is a number, got ${JSON.stringify(event.value)}`);
        return { answers: [...context.answers, event.value] };
      }),
    },
  }).createMachine({
    id: 'asker',
    context: { answers: [] },
    initial: 'asking',
    states: {
      asking: {
        entry: { type: 'lookUp', params: { question: 'covered?' } },
        on: { answered: { target: 'answered', actions: 'keep' } },
      },
      answered: { on: { answered: { actions: 'keep' }, ask: 'asking' } },
    },
  }),
});

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => env?.crm.close());

async function start(lookUp: EffectHandler) {
  env = await testEngine({ workflows: [asker], actions: { lookUp }, retryBaseMs: 0 });
  const run = await env.engine.start('acme', 'asker');
  return { ...env, run };
}

describe('effect replies', () => {
  it('sends the event an effect returns as its reply to the effect\'s own instance', async () => {
    const { engine, run } = await start(() => ({ reply: { type: 'answered', value: 42 } }));
    expect(await engine.runDue()).toMatchObject({ jobsDone: 1 });
    expect(await engine.get('acme', run.id)).toMatchObject({ state: 'answered', context: { answers: [42] } });
    expect((await engine.history('acme', run.id)).map((step) => step.eventType)).toEqual(['xstate.init', 'answered']);
  });

  it('applies only the reply of the attempt that succeeded, once', async () => {
    const lookUp = vi.fn(async (ctx: Parameters<EffectHandler>[0]) => {
      if (ctx.attempt === 1) throw new Error('provider down');
      return { reply: { type: 'answered', value: ctx.attempt } };
    });
    const { engine, run } = await start(lookUp);
    expect(await engine.runDue()).toMatchObject({ jobsFailed: 1 });
    expect((await engine.get('acme', run.id)).state).toBe('asking');
    expect(await engine.runDue()).toMatchObject({ jobsDone: 1 });
    expect(await engine.runDue()).toMatchObject({ jobsDone: 0 });
    expect(await engine.get('acme', run.id)).toMatchObject({ state: 'answered', context: { answers: [2] } });
    expect(lookUp).toHaveBeenCalledTimes(2);
  });

  it('ignores what a handler returns when it is not a reply event', async () => {
    const { engine, run } = await start(() => ({ status: 202, reply: 'queued' }));
    expect(await engine.runDue()).toMatchObject({ jobsDone: 1 });
    expect(await engine.get('acme', run.id)).toMatchObject({ state: 'asking', context: { answers: [] } });
  });

  it('fails the attempt when the instance cannot take the reply, so the job is retried and ends in the dead letters', async () => {
    env = await testEngine({ workflows: [asker], actions: { lookUp: () => ({ reply: { type: 'answered', value: 'not a number' } }) }, retryBaseMs: 0, maxAttempts: 2 });
    const run = await env.engine.start('acme', 'asker');
    // An `assign` that throws on the reply's value: the machine refuses the event.
    await env.engine.runDue();
    await env.engine.runDue();
    expect((await env.engine.get('acme', run.id)).context).toEqual({ answers: [] });
    expect(await env.engine.deadJobs('acme')).toEqual([expect.objectContaining({ action: 'lookUp', attempts: 2, lastError: expect.stringContaining('number') })]);
  });

  it('drops a reply to an instance that finished or was stopped before the job settled', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { engine, run } = await start(async () => {
      await gate;
      return { reply: { type: 'answered', value: 7 } };
    });
    const delivery = engine.runDue();
    await vi.waitFor(async () => expect(await engine.storage.findMany({ model: jobModel, tenantId: 'acme', where: { attempts: 1 } })).toHaveLength(1));
    await engine.send('acme', run.id, { type: 'answered', value: 3 });
    await engine.stop('acme', run.id);
    release();
    await delivery;
    expect(await engine.get('acme', run.id)).toMatchObject({ status: 'stopped', context: { answers: [3] } });
  });
});
