import { defineWorkflow, effect, jobModel, timerModel } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { hour, testEngine } from './helpers.js';

/** Arms a reminder and queues a `notify` effect on start; `close` finishes it. */
const ticketMachine = setup({
  types: {} as { events: { type: 'escalate' } | { type: 'close' } },
  actions: { notify: effect<{ text: string }>() },
}).createMachine({
  id: 'ticket', initial: 'open',
  states: {
    open: {
      entry: { type: 'notify', params: { text: 'opened' } },
      after: { [hour]: 'overdue' },
      on: { escalate: 'escalated', close: 'closed' },
    },
    escalated: { on: { close: 'closed' } },
    overdue: { on: { close: 'closed' } },
    closed: { type: 'final' },
  },
});
const ticket = defineWorkflow({ id: 'ticket', version: 1, machine: ticketMachine });
const other = defineWorkflow({ id: 'other', version: 1, machine: setup({}).createMachine({ id: 'other', initial: 'idle', states: { idle: {} } }) });

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => {
  await env?.crm.close();
  env = undefined;
});

describe('stopping an instance', () => {
  it('cancels its timers and pending effects, and ignores later events', async () => {
    const notified: string[] = [];
    env = await testEngine({ workflows: [ticket], actions: { notify: (ctx) => void notified.push(ctx.instanceId) } });
    const { engine, clock, crm } = env;
    const run = await engine.start('acme', 'ticket');
    const stopped = await engine.stop('acme', run.id);
    expect(stopped).toMatchObject({ status: 'stopped', state: 'open', revision: 2 });
    expect(await crm.adapter.count({ model: timerModel, tenantId: 'acme', where: { instanceId: run.id } })).toBe(0);
    expect((await crm.adapter.findMany({ model: jobModel, tenantId: 'acme', where: { instanceId: run.id } })).map((j) => j.status)).toEqual(['cancelled']);
    clock.advance(2 * hour);
    expect(await engine.runDue()).toMatchObject({ timersFired: 0, jobsDone: 0 });
    expect(notified).toEqual([]);
    expect(await engine.send('acme', run.id, { type: 'escalate' })).toMatchObject({ status: 'stopped', state: 'open', revision: 2 });
    expect((await engine.history('acme', run.id)).map((s) => s.eventType)).toEqual(['xstate.init', 'crmkit.stop']);
  });

  it('leaves a finished instance as it is', async () => {
    env = await testEngine({ workflows: [ticket], actions: { notify: () => undefined } });
    const run = await env.engine.start('acme', 'ticket');
    await env.engine.send('acme', run.id, { type: 'close' });
    expect(await env.engine.stop('acme', run.id)).toMatchObject({ status: 'done', revision: 2 });
  });
});

describe('listing instances', () => {
  it('pages through a workflow, a state or a status in creation order, missing none started while paging', async () => {
    env = await testEngine({ workflows: [ticket, other], actions: { notify: () => undefined } });
    const { engine } = env;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await engine.start('acme', 'ticket')).id);
    await engine.start('acme', 'other');
    await engine.start('globex', 'ticket');
    for (const id of ids.slice(0, 3)) await engine.send('acme', id, { type: 'escalate' });
    await engine.send('acme', ids[6]!, { type: 'close' });

    const first = await engine.list('acme', { workflowId: 'ticket', limit: 3 });
    expect(first.items.map((i) => i.id)).toEqual(ids.slice(0, 3));
    const late = (await engine.start('acme', 'ticket')).id;
    const seen = [...first.items.map((i) => i.id)];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await engine.list('acme', { workflowId: 'ticket', limit: 3, cursor });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids, late]);

    expect((await engine.list('acme', { workflowId: 'ticket', state: 'escalated' })).items.map((i) => i.id)).toEqual(ids.slice(0, 3));
    expect((await engine.list('acme', { status: 'done' })).items.map((i) => i.id)).toEqual([ids[6]]);
    expect((await engine.list('acme', { workflowId: 'ticket', state: 'open', status: 'active' })).items.map((i) => i.id)).toEqual([...ids.slice(3, 6), late]);
    expect((await engine.list('acme')).items).toHaveLength(9);
    expect((await engine.list('globex')).items).toHaveLength(1);
    expect(await engine.list('acme', { workflowId: 'nothing' })).toEqual({ items: [] });
  });
});
