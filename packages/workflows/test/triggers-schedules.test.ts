import { createTriggers, cron, defineWorkflow, relativeToField } from '@crmkit/workflows';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { testEngine } from './helpers.js';

const noteMachine = setup({ types: {} as { input: { at: string }; context: { at: string } } }).createMachine({
  id: 'note', initial: 'open', context: ({ input }) => ({ at: input.at }), states: { open: {} },
});
const note = defineWorkflow({ id: 'note', version: 1, machine: noteMachine });

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => env?.crm.close());

describe('date-relative triggers', () => {
  const staleDeal = relativeToField({
    model: 'deal', field: 'expectedCloseOn', offset: { days: 3 }, where: { status: 'open' },
    start: 'note', input: (c) => ({ at: c.dueAt.toISOString() }),
  });

  async function deals() {
    env = await testEngine({ workflows: [note] });
    const t = env.crm.tenant('acme');
    const pipeline = await t.pipelines.create({ name: 'P', stages: [{ name: 'A' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }] });
    const runner = createTriggers(env.engine, [staleDeal]);
    const deal = (expectedCloseOn: string) => t.deals.create({ title: 'D', pipelineId: pipeline.id, expectedCloseOn });
    return { ...env, t, runner, deal };
  }

  it('fires once when the clock passes the field plus the offset, and not for closed deals', async () => {
    const { engine, clock, t, runner, deal } = await deals();
    const open = await deal('2026-03-10');
    const won = await deal('2026-03-10');
    await t.deals.markWon(won.id);
    await runner.runDue();
    clock.set('2026-03-12T23:59:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    clock.set('2026-03-13T00:00:30.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    clock.set('2026-03-20T00:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: open.id })).toEqual([
      expect.objectContaining({ context: { at: '2026-03-13T00:00:00.000Z' } }),
    ]);
    expect(await engine.instancesOf('acme', { type: 'deal', id: won.id })).toEqual([]);
  });

  it('fires again when the date moves later, and not for dates already past when it is deployed', async () => {
    const { engine, clock, t, runner, deal } = await deals();
    const past = await deal('2026-02-01');
    const moving = await deal('2026-03-05');
    await runner.runDue();
    clock.set('2026-03-09T00:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    await t.deals.update(moving.id, { expectedCloseOn: '2026-03-20' });
    clock.set('2026-03-24T00:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: moving.id })).toHaveLength(2);
    expect(await engine.instancesOf('acme', { type: 'deal', id: past.id })).toEqual([]);
  });
});

describe('cron triggers', () => {
  const weekly = cron('0 9 * * 1', {
    timeZone: 'Europe/Paris', start: 'note', input: (c) => ({ at: c.scheduledAt.toISOString() }),
  });

  async function runs(tenantId = 'acme') {
    const found = await env!.engine.list(tenantId, { workflowId: 'note' });
    return found.items.map((r) => (r.context as { at: string }).at).sort();
  }

  /** Tenants are learnt from the event log: each writes something first. */
  async function tenants(...ids: string[]) {
    for (const id of ids) await env!.crm.tenant(id).companies.create({ name: `${id} itself` });
  }

  it('fires at the right times in its time zone, per tenant', async () => {
    env = await testEngine({ workflows: [note] });
    const { clock } = env;
    await tenants('acme', 'globex');
    // 2026-03-02 is a Monday; 09:00 in Paris is 08:00 UTC until summer time starts on 29 March.
    const runner = createTriggers(env.engine, [weekly]);
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    clock.set('2026-03-09T07:59:59.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    clock.set('2026-03-09T08:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 2 });
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    // Missed 16 and 23 March: one run, for the latest slot (summer time: 07:00 UTC).
    clock.set('2026-03-30T07:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 2 });
    expect(await runs('acme')).toEqual(['2026-03-09T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(await runs('globex')).toEqual(['2026-03-09T08:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('fires once after a long downtime, then resumes on schedule', async () => {
    env = await testEngine({ workflows: [note] });
    const { clock } = env;
    await tenants('acme');
    const runner = createTriggers(env.engine, [weekly]);
    await runner.runDue();
    clock.set('2026-04-22T12:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    clock.set('2026-04-27T06:59:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    clock.set('2026-04-27T07:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    expect(await runs()).toEqual(['2026-04-20T07:00:00.000Z', '2026-04-27T07:00:00.000Z']);
  });

  it('runs host code with an idempotency key', async () => {
    env = await testEngine({ workflows: [note] });
    const keys: string[] = [];
    await tenants('acme');
    const runner = createTriggers(env.engine, [cron('*/15 * * * *', { id: 'sync', run: (c) => void keys.push(c.key) })]);
    await runner.runDue();
    env.clock.set('2026-03-02T09:15:00.000Z');
    expect(await runner.runDue()).toMatchObject({ ran: 1 });
    expect(keys).toEqual(['sync:acme:2026-03-02T09:15:00.000Z']);
  });

  it('learns tenants from the event log, also the ones that write after it started, and schedules triggers added later in all of them', async () => {
    env = await testEngine({ workflows: [note] });
    const { clock, engine } = env;
    await tenants('acme');
    const runner = createTriggers(engine, [weekly]);
    await runner.runDue();
    await tenants('globex');
    await runner.runDue();
    clock.set('2026-03-09T08:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 2 });
    const keys: string[] = [];
    const grown = createTriggers(engine, [weekly, cron('0 * * * *', { id: 'hourly', run: (c) => void keys.push(c.key) })]);
    await grown.runDue();
    clock.set('2026-03-09T09:00:00.000Z');
    await grown.runDue();
    expect(keys.sort()).toEqual(['hourly:acme:2026-03-09T09:00:00.000Z', 'hourly:globex:2026-03-09T09:00:00.000Z']);
  });

  it('still schedules the tenants of the deprecated tenants option before their first event', async () => {
    env = await testEngine({ workflows: [note] });
    const runner = createTriggers(env.engine, [weekly], { tenants: () => ['silent'] });
    await runner.runDue();
    env.clock.set('2026-03-09T08:00:00.000Z');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    expect(await runs('silent')).toEqual(['2026-03-09T08:00:00.000Z']);
  });
});
