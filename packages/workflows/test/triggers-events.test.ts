import type { Crm } from '@crmkit/core';
import { coreModels, NotFoundError } from '@crmkit/core';
import { createTriggers, defineWorkflow, onEvent, type Trigger } from '@crmkit/workflows';
import { ulid } from 'ulidx';
import { afterEach, describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { testEngine } from './helpers.js';

const gateMachine = setup({
  types: {} as { input: { dealId: string }; context: { dealId: string }; events: { type: 'approve' } },
}).createMachine({
  id: 'gate',
  initial: 'waiting',
  context: ({ input }) => ({ dealId: input.dealId }),
  states: { waiting: { on: { approve: 'approved' } }, approved: { type: 'final' } },
});
const gate = defineWorkflow({ id: 'deal-gate', version: 1, machine: gateMachine });

const negotiation = new Set<string>();
const bigDealInNegotiation = onEvent('deal.stageChanged', {
  where: { 'record.amount.minor': { gt: 1_000_000 } },
  when: (e) => negotiation.has(e.data.change.toStageId),
  start: 'deal-gate',
  input: (e) => ({ dealId: e.data.record.id }),
});
const approveOnWin = onEvent('deal.won', { signal: { workflow: 'deal-gate', event: () => ({ type: 'approve' }) } });

let env: Awaited<ReturnType<typeof testEngine>> | undefined;
afterEach(async () => env?.crm.close());

async function sales(crm: Crm, tenantId: string) {
  const t = crm.tenant(tenantId);
  const pipeline = await t.pipelines.create({
    name: 'Sales', stages: [{ name: 'Qualification' }, { name: 'Negotiation' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
  });
  negotiation.add(pipeline.stages[1]!.id);
  const deal = (minor: number) => t.deals.create({ title: `Deal ${minor}`, pipelineId: pipeline.id, amount: { minor, currency: 'USD' } });
  return { t, deal };
}

async function start(triggers: Trigger[] = [bigDealInNegotiation]) {
  env = await testEngine({ workflows: [gate] });
  return { ...env, runner: createTriggers(env.engine, triggers, { onError: () => undefined }) };
}

describe('event triggers', () => {
  it('starts exactly one instance per matching event and none for the others', async () => {
    const { crm, engine, runner } = await start();
    const { t, deal } = await sales(crm, 'acme');
    const big = await deal(2_000_000);
    const small = await deal(50_000);
    await t.deals.moveToStage(big.id, 'negotiation');
    await t.deals.moveToStage(small.id, 'negotiation');
    const other = await deal(3_000_000);
    expect(await runner.runDue()).toMatchObject({ started: 1, failed: 0 });
    expect(await runner.runDue()).toMatchObject({ started: 0 });
    const runs = await engine.instancesOf('acme', { type: 'deal', id: big.id }, 'deal-gate');
    expect(runs).toEqual([expect.objectContaining({ state: 'waiting', context: { dealId: big.id } })]);
    expect(await engine.instancesOf('acme', { type: 'deal', id: small.id })).toEqual([]);
    expect(await engine.instancesOf('acme', { type: 'deal', id: other.id })).toEqual([]);
  });

  it('does not start again after a restart and catches up on events committed while down', async () => {
    const { crm, engine, runner } = await start();
    const { t, deal } = await sales(crm, 'acme');
    const first = await deal(2_000_000);
    await t.deals.moveToStage(first.id, 'negotiation');
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    await runner.stop();
    // Committed while no runner listens: only the outbox table knows about it.
    const second = await deal(5_000_000);
    await t.deals.moveToStage(second.id, 'negotiation');
    const restarted = createTriggers(engine, [bigDealInNegotiation], { listen: false });
    expect(await restarted.runDue()).toMatchObject({ started: 1 });
    expect(await restarted.runDue()).toMatchObject({ started: 0 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: first.id })).toHaveLength(1);
    expect(await engine.instancesOf('acme', { type: 'deal', id: second.id })).toHaveLength(1);
  });

  it('picks up an event that commits after later events were read', async () => {
    const { crm, engine, runner } = await start();
    const { t, deal } = await sales(crm, 'acme');
    const big = await deal(2_000_000);
    const moved = await t.deals.moveToStage(big.id, 'negotiation');
    await runner.runDue();
    const [row] = await engine.storage.findMany({ model: coreModels.event, tenantId: 'acme', where: { type: 'deal.stageChanged', 'data.record.id': moved.id }, orderBy: [{ field: 'id', direction: 'desc' }], limit: 1 });
    // An id made two seconds ago, committed only now: below the cursor, inside the settle window.
    await engine.storage.create({ model: coreModels.event, tenantId: 'acme', data: { ...row, id: ulid(Date.now() - 2000) } });
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: big.id })).toHaveLength(2);
  });

  it('starts instances in the tenant of the event', async () => {
    const { crm, engine, runner } = await start();
    const acme = await sales(crm, 'acme');
    const globex = await sales(crm, 'globex');
    const a = await acme.deal(2_000_000);
    const g = await globex.deal(4_000_000);
    await acme.t.deals.moveToStage(a.id, 'negotiation');
    await globex.t.deals.moveToStage(g.id, 'negotiation');
    expect(await runner.runDue()).toMatchObject({ started: 2 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: a.id })).toEqual([expect.objectContaining({ tenantId: 'acme' })]);
    expect(await engine.instancesOf('globex', { type: 'deal', id: g.id })).toEqual([expect.objectContaining({ tenantId: 'globex' })]);
    expect(await engine.instancesOf('globex', { type: 'deal', id: a.id })).toEqual([]);
  });

  it('sends events to the running instances of the subject', async () => {
    const { crm, engine, runner } = await start([bigDealInNegotiation, approveOnWin]);
    const { t, deal } = await sales(crm, 'acme');
    const big = await deal(2_000_000);
    await t.deals.moveToStage(big.id, 'negotiation');
    await runner.runDue();
    await t.deals.markWon(big.id);
    const unrelated = await deal(10);
    await t.deals.markWon(unrelated.id);
    expect(await runner.runDue()).toMatchObject({ signalled: 2, started: 0 });
    const [run] = await engine.instancesOf('acme', { type: 'deal', id: big.id });
    expect(run).toMatchObject({ status: 'done', state: 'approved' });
  });

  it('records a throwing callback as a failure and goes on with the next events', async () => {
    const fragile = onEvent('deal.created', {
      start: 'deal-gate',
      input: (e) => {
        if (e.data.record.title === 'bad') throw new Error('no input');
        return { dealId: e.data.record.id };
      },
    });
    const { crm, runner } = await start([fragile]);
    const t = crm.tenant('acme');
    const pipeline = await t.pipelines.create({ name: 'P', stages: [{ name: 'A' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }] });
    await t.deals.create({ title: 'bad', pipelineId: pipeline.id });
    await t.deals.create({ title: 'good', pipelineId: pipeline.id });
    expect(await runner.runDue()).toMatchObject({ started: 1, failed: 1 });
    expect(await runner.failures('acme')).toEqual([expect.objectContaining({ triggerId: fragile.id, error: 'Error: no input' })]);
    expect((await runner.failures('acme'))[0]?.sourceKey).toMatch(/^[0-9A-Z]{26}$/);
  });

  it('refuses triggers of unknown workflows and duplicate ids', async () => {
    env = await testEngine({ workflows: [gate] });
    expect(() => createTriggers(env!.engine, [onEvent('deal.created', { start: 'nope' })])).toThrow(NotFoundError);
    expect(() => createTriggers(env!.engine, [bigDealInNegotiation, bigDealInNegotiation])).toThrow(/Two triggers have the id/);
  });
});
