import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteAdapter } from '@crmkit/adapter-sqlite';
import { type Crm, coreModels, createCrm, ManualClock, NotFoundError } from '@crmkit/core';
import {
  createTriggers, createWorkflowEngine, defineWorkflow, onEvent, type Trigger, triggerCursorModel, triggerFireModel, workflowMigrations,
} from '@crmkit/workflows';
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

const clock = (e: NonNullable<typeof env>) => e.clock.now().toISOString();

async function sales(crm: Crm, tenantId: string) {
  const t = crm.tenant(tenantId);
  const pipeline = await t.pipelines.create({
    name: 'Sales', stages: [{ name: 'Qualification' }, { name: 'Negotiation' }, { name: 'Won', category: 'won' }, { name: 'Lost', category: 'lost' }],
  });
  negotiation.add(pipeline.stages[1]!.id);
  const deal = (minor: number) => t.deals.create({ title: `Deal ${minor}`, pipelineId: pipeline.id, amount: { minor, currency: 'USD' } });
  return { t, deal };
}

/** A runner whose first pass has run: its feed starts from the end of the (empty) log. */
async function start(triggers: Trigger[] = [bigDealInNegotiation]) {
  env = await testEngine({ workflows: [gate] });
  const runner = createTriggers(env.engine, triggers, { onError: () => undefined });
  await runner.runDue();
  return { ...env, runner };
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
    const restarted = createTriggers(engine, [bigDealInNegotiation]);
    expect(await restarted.runDue()).toMatchObject({ started: 1 });
    expect(await restarted.runDue()).toMatchObject({ started: 0 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: first.id })).toHaveLength(1);
    expect(await engine.instancesOf('acme', { type: 'deal', id: second.id })).toHaveLength(1);
  });

  it('picks up an event committed after later events were read, however old its id', async () => {
    const { crm, engine, runner } = await start();
    const { t, deal } = await sales(crm, 'acme');
    const big = await deal(2_000_000);
    const moved = await t.deals.moveToStage(big.id, 'negotiation');
    const other = await sales(crm, 'globex');
    const theirs = await other.t.deals.moveToStage((await other.deal(3_000_000)).id, 'negotiation');
    await runner.runDue();
    const lastMove = async (tenantId: string, id: string) =>
      (await engine.storage.findMany({ model: coreModels.event, tenantId, where: { type: 'deal.stageChanged', 'data.record.id': id }, orderBy: [{ field: 'id', direction: 'desc' }], limit: 1 }))[0]!;
    // Ids made an hour and a day ago, committed only now: far below every id read, and still in the log's future.
    await engine.storage.create({ model: coreModels.event, tenantId: 'acme', data: { ...(await lastMove('acme', moved.id)), id: ulid(Date.now() - 3_600_000) } });
    await engine.storage.create({ model: coreModels.event, tenantId: 'globex', data: { ...(await lastMove('globex', theirs.id)), id: ulid(Date.now() - 86_400_000) } });
    expect(await runner.runDue()).toMatchObject({ started: 2 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: big.id })).toHaveLength(2);
    expect(await engine.instancesOf('globex', { type: 'deal', id: theirs.id })).toHaveLength(2);
  });

  it('starts a new trigger set from now, or from the beginning of the log when asked', async () => {
    env = await testEngine({ workflows: [gate] });
    const { crm, engine } = env;
    const { t, deal } = await sales(crm, 'acme');
    const early = await deal(2_000_000);
    await t.deals.moveToStage(early.id, 'negotiation');
    const fromNow = createTriggers(engine, [bigDealInNegotiation], { name: 'from-now' });
    const fromStart = createTriggers(engine, [onEvent('deal.stageChanged', { id: 'all-moves', start: 'deal-gate', input: (e) => ({ dealId: e.data.record.id }) })], { name: 'from-start', startFrom: 'beginning' });
    expect(await fromNow.runDue()).toMatchObject({ started: 0 });
    expect(await fromStart.runDue()).toMatchObject({ started: 1 });
    const late = await deal(3_000_000);
    await t.deals.moveToStage(late.id, 'negotiation');
    expect(await fromNow.runDue()).toMatchObject({ started: 1 });
    expect(await fromStart.runDue()).toMatchObject({ started: 1 });
    // startFrom is read when the set's cursor is made: a runner created later continues where the set stands.
    expect(await createTriggers(engine, [bigDealInNegotiation], { name: 'from-now', startFrom: 'beginning' }).runDue()).toMatchObject({ started: 0, duplicates: 0 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: early.id })).toHaveLength(1);
    expect(await engine.instancesOf('acme', { type: 'deal', id: late.id })).toHaveLength(2);
  });

  it('fires for a tenant it never heard of, whose events another CRM on the same database wrote', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crmkit-triggers-'));
    const file = join(dir, 'crm.db');
    const clock = new ManualClock('2026-03-02T09:00:00.000Z');
    const reader = await createCrm({ adapter: sqliteAdapter({ filename: file }), clock, migrations: workflowMigrations });
    const writer = await createCrm({ adapter: sqliteAdapter({ filename: file }), clock });
    try {
      await reader.migrate();
      const engine = createWorkflowEngine({ crm: reader, workflows: [gate], clock });
      const runner = createTriggers(engine, [bigDealInNegotiation]);
      await runner.runDue();
      const { t, deal } = await sales(writer, 'brand-new');
      const big = await deal(9_000_000);
      await t.deals.moveToStage(big.id, 'negotiation');
      expect(await runner.runDue()).toMatchObject({ started: 1 });
      expect(await engine.instancesOf('brand-new', { type: 'deal', id: big.id })).toHaveLength(1);
    } finally {
      await writer.close();
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shares the feed between runners of one set: each event fires once', async () => {
    const { crm, engine, runner } = await start();
    const other = createTriggers(engine, [bigDealInNegotiation], { onError: () => undefined });
    const { t, deal } = await sales(crm, 'acme');
    const deals = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => deal(1_000_000 + i)));
    let started = 0;
    for (const [i, d] of deals.entries()) {
      await t.deals.moveToStage(d.id, 'negotiation');
      started += (await (i % 2 ? runner : other).runDue()).started;
    }
    const [a, b] = await Promise.all([runner.runDue(), other.runDue()]);
    expect(started + a.started + b.started).toBe(6);
    for (const d of deals) expect(await engine.instancesOf('acme', { type: 'deal', id: d.id })).toHaveLength(1);
  });

  it('continues from the per-tenant event cursors of release 0.1.0 without losing or firing again', async () => {
    env = await testEngine({ workflows: [gate] });
    const { crm, engine } = env;
    const acme = await sales(crm, 'acme');
    const globex = await sales(crm, 'globex');
    const moved = async (s: Awaited<ReturnType<typeof sales>>) => {
      const d = await s.deal(2_000_000);
      await s.t.deals.moveToStage(d.id, 'negotiation');
      return d;
    };
    const handled = await moved(acme);
    // What a 0.1.0 runner left: acme watched and read up to its last event (the one it fired), globex never watched.
    const [last] = await engine.storage.findMany({ model: coreModels.event, tenantId: 'acme', orderBy: [{ field: 'id', direction: 'desc' }], limit: 1 });
    const at = clock(env);
    await engine.storage.create({ model: triggerCursorModel, tenantId: 'acme', data: { id: ulid(), createdAt: at, updatedAt: at, triggerSet: 'default', cursorKey: 'events', position: last!.id, config: null, dueAt: at, leasedUntil: null } });
    await engine.startIn(engine.storage, 'acme', 'deal-gate', { subject: { type: 'deal', id: handled.id }, input: { dealId: handled.id } })
      .then((run) => engine.storage.create({ model: triggerFireModel, tenantId: 'acme', data: { id: ulid(), createdAt: at, updatedAt: at, triggerId: bigDealInNegotiation.id, sourceKey: last!.id, status: 'started', instanceIds: [run.id], error: null, firedAt: at } }));
    const unwatched = await moved(globex);
    // Committed while no runner ran, after acme's 0.1.0 position: must fire.
    const missed = await moved(acme);
    const runner = createTriggers(engine, [bigDealInNegotiation]);
    expect(await runner.runDue()).toMatchObject({ started: 1 });
    expect(await engine.instancesOf('acme', { type: 'deal', id: handled.id })).toHaveLength(1);
    expect(await engine.instancesOf('acme', { type: 'deal', id: missed.id })).toHaveLength(1);
    expect(await engine.instancesOf('globex', { type: 'deal', id: unwatched.id })).toEqual([]);
    expect(await engine.storage.count({ model: triggerCursorModel, tenantId: 'acme' })).toBe(0);
    // From then on every tenant fires, 0.1.0 ever watched it or not.
    const later = [await moved(acme), await moved(globex)];
    expect(await runner.runDue()).toMatchObject({ started: 2 });
    for (const [tenantId, d] of [['acme', later[0]!], ['globex', later[1]!]] as const) expect(await engine.instancesOf(tenantId, { type: 'deal', id: d.id })).toHaveLength(1);
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

  it('records a signal the engine cannot apply as a failure, and the feed goes on', async () => {
    const { crm, engine } = await start();
    const { t, deal } = await sales(crm, 'acme');
    const [stuck, fine] = [await deal(2_000_000), await deal(3_000_000)];
    await engine.start('acme', 'deal-gate', { subject: { type: 'deal', id: stuck.id }, input: { dealId: stuck.id } });
    // A deploy that dropped version 1 while an instance still runs on it: applying an event to it throws.
    const gate2 = defineWorkflow({ id: 'deal-gate', version: 2, machine: gateMachine });
    const upgraded = createWorkflowEngine({ crm, workflows: [gate2], clock: env!.clock });
    const runner = createTriggers(upgraded, [approveOnWin, bigDealInNegotiation], { name: 'v2', onError: () => undefined });
    await runner.runDue();
    await t.deals.markWon(stuck.id);
    await t.deals.moveToStage(fine.id, 'negotiation');
    expect(await runner.runDue()).toMatchObject({ started: 1, failed: 1 });
    expect(await runner.failures('acme')).toEqual([expect.objectContaining({ triggerId: approveOnWin.id, error: expect.stringMatching(/version 1 is not registered/) })]);
    expect(await runner.runDue()).toMatchObject({ started: 0, failed: 0 });
  });

  it('refuses triggers of unknown workflows and duplicate ids', async () => {
    env = await testEngine({ workflows: [gate] });
    expect(() => createTriggers(env!.engine, [onEvent('deal.created', { start: 'nope' })])).toThrow(NotFoundError);
    expect(() => createTriggers(env!.engine, [bigDealInNegotiation, bigDealInNegotiation])).toThrow(/Two triggers have the id/);
  });
});
